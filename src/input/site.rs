//! The site folder as a build sees it, read once at the edge (as rust-analyzer keeps
//! its input): config.toml, every file of `content/` that the walk does not skip,
//! `static/`, `templates/` and each theme's `templates/` and `static/`, each with its
//! [`Stamp`], and decoded text for what a stage reads as text (Markdown, data files
//! beside pages, templates). Every later stage is a pure function of an [`Input`] and
//! the clock; the bytes of other files (photos, PDFs) are read only on demand through
//! [`Input::read_bytes`], for the privacy checks.
//!
//! `serve` keeps one `Input` and [`Input::refresh`]es the paths the watcher named,
//! which gives each file read again a new [`File::seq`] and a new text: caches key
//! on those, never on the file system. It must not interpret what it reads.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::base::diagnostic::Diagnostic;
use crate::input::source::{self, AssetFile, Discovered, MarkdownFile, Role, Stamp};
use crate::text;

/// A text as decoded (see `source::decode`), with what decoding it found.
#[derive(Clone, Debug)]
pub struct Text {
    pub(crate) text: Arc<str>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// One file of the site.
#[derive(Clone, Debug)]
pub(crate) struct File {
    pub(crate) abs: PathBuf,
    pub(crate) stamp: Stamp,
    /// A number no other reading of any file had: a cache entry made from this file
    /// holds while the number is the same.
    pub(crate) seq: u64,
    /// The decoded text, for the files a stage reads as text (see [`has_text`]).
    pub(crate) text: Option<Text>,
}

/// Everything of the site folder that a build reads.
#[derive(Default)]
pub(crate) struct Input {
    root: PathBuf,
    /// config.toml, `None` when it cannot be read.
    config: Option<Text>,
    /// Every file, relative to the site, in walk order (sorted by name, depth first).
    files: BTreeMap<PathBuf, File>,
    /// What walking content/ found wrong (no such folder, an unreadable entry).
    content_diagnostics: Vec<Diagnostic>,
    /// `static/` folders that are symbolic links: their files are not read.
    links: BTreeSet<PathBuf>,
    /// The folders in themes/, by name.
    themes: BTreeSet<String>,
    /// content/ sorted into Markdown and assets, from `files`.
    content: Arc<Discovered>,
    next_seq: u64,
}

/// Whether a stage reads this file (relative to the site) as text: Markdown and data
/// files under content/ (a data block's `src=`), and the templates (not hidden ones,
/// which the theme does not load: an editor's swap file).
pub(crate) fn has_text(rel: &Path) -> bool {
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase());
    let Some(name) = name else { return false };
    let parts: Vec<_> = rel.components().map(|c| c.as_os_str()).collect();
    let template = match parts[..] {
        [t, _, ..] if t == "templates" => true,
        [t, _, d, _, ..] if t == "themes" && d == "templates" => true,
        _ => false,
    };
    if template {
        return !name.starts_with('.');
    }
    rel.starts_with("content")
        && (source::is_markdown(rel)
            || [".csv", ".tsv", ".toml", ".json"]
                .iter()
                .any(|e| name.ends_with(e)))
}

/// One folder to walk: where, and whether the names the content walk skips
/// (`source::is_ignored`) are skipped.
struct Root {
    rel: PathBuf,
    content: bool,
}

impl Input {
    /// Reads the site at `root` afresh. A file of `old` (the last input of a session)
    /// whose stamp is the same is taken over as it was, unless it or a folder above
    /// it is in `changed` (file times are too coarse to tell two quick saves apart).
    pub(crate) fn read(root: &Path, old: Option<&Input>, changed: &BTreeSet<PathBuf>) -> Input {
        let t = std::time::Instant::now();
        let mut input = Input {
            root: root.to_path_buf(),
            next_seq: old.map_or(0, |o| o.next_seq),
            ..Input::default()
        };
        input.config = read_config(root);
        let content = root.join("content");
        if !content.is_dir() {
            input.content_diagnostics.push(
                Diagnostic::error(text!(
                    zh: "找不到 content 文件夹：{}",
                    en: "no content folder at {}",
                    content.display()
                ))
                .with_help(text!(
                    zh: "请在站点根目录运行，或用 --root 指定站点目录；新建站点可用 `anxuan init 目录`",
                    en: "run inside a site, or pass --root; `anxuan init DIR` creates a new site"
                )),
            );
        }
        let mut found = Vec::new();
        for r in input.roots() {
            found.extend(input.walk(&r, &r.rel));
        }
        let old = old.filter(|o| o.root == root);
        let reuse = |rel: &Path, stamp: &Stamp| -> Option<File> {
            let f = old?.files.get(rel)?;
            let forced = rel.ancestors().any(|a| changed.contains(a));
            (f.stamp == *stamp && !forced).then(|| f.clone())
        };
        let first = input.next_seq;
        input.next_seq += found.len() as u64;
        input.files = found
            .into_par_iter()
            .enumerate()
            .map(|(i, (rel, stamp))| {
                let file = reuse(&rel, &stamp)
                    .unwrap_or_else(|| read_file(root, &rel, stamp, first + i as u64));
                (rel, file)
            })
            .collect();
        input.sort_content();
        crate::base::trace::trace("read input", t);
        input
    }

    /// Reads again the paths (relative to the site) the watcher named, and only
    /// those: a file that is gone leaves the input, a folder is walked. config.toml is
    /// read again each time (every build depends on it). A path that is a walked
    /// folder itself or above one (static/, a theme) makes this a full [`Input::read`].
    pub(crate) fn refresh(&mut self, changed: &BTreeSet<PathBuf>) {
        let roots = self.roots();
        let inside = |rel: &Path| {
            roots
                .iter()
                .find(|r| rel.starts_with(&r.rel) && rel != r.rel)
        };
        // A walked folder, one above it, a linked static/ or a theme's folder coming
        // or going changes what is walked at all.
        let theme_folder = |rel: &Path| {
            let parts: Vec<_> = rel.components().map(|c| c.as_os_str()).collect();
            match parts[..] {
                [t] | [t, _] => t == "themes",
                [t, _, d] => t == "themes" && (d == "templates" || d == "static"),
                _ => false,
            }
        };
        let whole = changed.iter().any(|rel| {
            inside(rel).is_none()
                && (roots.iter().any(|r| r.rel.starts_with(rel))
                    || self.links.iter().any(|l| l.starts_with(rel))
                    || theme_folder(rel))
        });
        if whole {
            *self = Input::read(&self.root.clone(), Some(self), changed);
            return;
        }
        self.config = read_config(&self.root);
        let mut found = Vec::new();
        // The files of content/ that were there, to tell whether any came or went.
        let mut had = BTreeSet::new();
        for rel in changed {
            let Some(r) = inside(rel) else { continue };
            let gone: Vec<PathBuf> = self
                .files
                .range(rel.clone()..)
                .take_while(|(f, _)| f.starts_with(rel))
                .map(|(f, _)| f.clone())
                .collect();
            for f in gone {
                self.files.remove(&f);
                if r.content {
                    had.insert(f);
                }
            }
            let skipped = r.content
                && rel
                    .strip_prefix(&r.rel)
                    .unwrap_or(rel)
                    .components()
                    .any(|c| source::is_ignored(&c.as_os_str().to_string_lossy()));
            if !skipped {
                found.extend(self.walk(r, rel));
            }
        }
        let first = self.next_seq;
        self.next_seq += found.len() as u64;
        let has: BTreeSet<&PathBuf> = found
            .iter()
            .map(|(rel, _)| rel)
            .filter(|rel| rel.starts_with("content"))
            .collect();
        // Sorting content/ again goes over every file: only when one came or went.
        let came_or_went = has.len() != had.len() || had.iter().any(|f| !has.contains(f));
        let root = &self.root;
        let read: Vec<(PathBuf, File)> = found
            .into_par_iter()
            .enumerate()
            .map(|(i, (rel, stamp))| {
                let file = read_file(root, &rel, stamp, first + i as u64);
                (rel, file)
            })
            .collect();
        self.files.extend(read);
        if came_or_went {
            self.sort_content();
        }
    }

    /// The folders that are walked: content/, static/ (unless it is a link, which
    /// the theme refuses), templates/, and each theme's templates/ and static/.
    fn roots(&mut self) -> Vec<Root> {
        let root = self.root.clone();
        self.links.clear();
        self.themes = std::fs::read_dir(root.join("themes"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        let mut roots = vec![
            Root {
                rel: "content".into(),
                content: true,
            },
            Root {
                rel: "templates".into(),
                content: false,
            },
        ];
        let mut statics = vec![PathBuf::from("static")];
        for t in &self.themes {
            let dir = Path::new("themes").join(t);
            roots.push(Root {
                rel: dir.join("templates"),
                content: false,
            });
            statics.push(dir.join("static"));
        }
        for s in statics {
            // A static/ that is itself a link would publish whatever folder it points
            // at (`/etc`); the theme reports it, and nothing in it is read.
            let linked =
                std::fs::symlink_metadata(root.join(&s)).is_ok_and(|m| m.file_type().is_symlink());
            if linked {
                self.links.insert(s);
            } else {
                roots.push(Root {
                    rel: s,
                    content: false,
                });
            }
        }
        roots
    }

    /// The files under `rel` (a walked folder or something inside it), with their
    /// stamps, sorted by name as the walk of content/ always was.
    fn walk(&mut self, r: &Root, rel: &Path) -> Vec<(PathBuf, Stamp)> {
        let root = &self.root;
        let start = root.join(rel);
        let mut found = Vec::new();
        if !start.exists() {
            return found;
        }
        let walker = walkdir::WalkDir::new(&start)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                !r.content
                    || e.depth() == 0
                    || !source::is_ignored(&e.file_name().to_string_lossy())
            });
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    if r.content {
                        let path = err.path().map(|p| p.to_path_buf()).unwrap_or_default();
                        self.content_diagnostics.push(
                            Diagnostic::error(text!(
                                zh: "无法读取：{err}",
                                en: "cannot read: {err}"
                            ))
                            .in_file(path.strip_prefix(root).unwrap_or(&path)),
                        );
                    }
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let Some(stamp) = entry.metadata().ok().map(|m| Stamp::from_metadata(&m)) else {
                continue;
            };
            let path = entry.path();
            found.push((path.strip_prefix(root).unwrap_or(path).to_path_buf(), stamp));
        }
        found
    }

    /// Sorts the files of content/ into Markdown (by role) and assets.
    fn sort_content(&mut self) {
        let mut found = Discovered::default();
        let content = Path::new("content");
        for (rel, f) in self.files.range(content.to_path_buf()..) {
            if !rel.starts_with(content) {
                break;
            }
            if source::is_markdown(rel) {
                let role = match rel.file_name().and_then(|n| n.to_str()) {
                    Some("_index.md") => Role::Section,
                    Some("index.md") => Role::Bundle,
                    _ => Role::Page,
                };
                found.markdown.push(MarkdownFile {
                    rel: rel.clone(),
                    role,
                });
            } else {
                found.assets.push(AssetFile {
                    abs: f.abs.clone(),
                    content_rel: rel.strip_prefix(content).unwrap_or(rel).to_path_buf(),
                });
            }
        }
        self.content = Arc::new(found);
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// config.toml's text, `None` when it cannot be read.
    pub(crate) fn config(&self) -> Option<&Text> {
        self.config.as_ref()
    }

    /// The files of content/, sorted into Markdown and assets, and what walking it
    /// found wrong.
    pub(crate) fn content(&self) -> (&Arc<Discovered>, &[Diagnostic]) {
        (&self.content, &self.content_diagnostics)
    }

    /// One file (relative to the site), if the input holds it.
    pub(crate) fn file(&self, rel: &Path) -> Option<&File> {
        self.files.get(rel)
    }

    /// Every file whose path (relative to the site) starts with `dir`, in walk order.
    pub(crate) fn under<'a>(
        &'a self,
        dir: &'a Path,
    ) -> impl Iterator<Item = (&'a PathBuf, &'a File)> {
        self.files
            .range(dir.to_path_buf()..)
            .take_while(move |(rel, _)| rel.starts_with(dir))
    }

    /// The files directly in `dir` (relative to the site).
    pub(crate) fn beside<'a>(
        &'a self,
        dir: &'a Path,
    ) -> impl Iterator<Item = (&'a PathBuf, &'a File)> {
        self.under(dir)
            .filter(move |(rel, _)| rel.parent() == Some(dir))
    }

    /// Every file of the input, in walk order.
    pub(crate) fn files(&self) -> impl Iterator<Item = (&PathBuf, &File)> {
        self.files.iter()
    }

    /// Whether `dir` (relative to the site) is a `static/` folder that is a link.
    pub(crate) fn is_link(&self, dir: &Path) -> bool {
        self.links.contains(dir)
    }

    /// Whether themes/ holds a folder of this name.
    pub(crate) fn has_theme(&self, name: &str) -> bool {
        self.themes.contains(name)
    }

    /// The first `limit` bytes of a file of the input (relative to the site), for the
    /// checks that read files of any kind; `None` when it cannot be read.
    pub(crate) fn read_bytes(&self, rel: &Path, limit: u64) -> Option<Vec<u8>> {
        source::read_bytes(&self.root.join(rel), limit)
    }

    /// Moves the decoded text of every Markdown file of content/ out of the input,
    /// for a one-shot build whose loader can then free each text once its page is
    /// rendered and checked: kept here, every text lived to the end of the build.
    /// The files stay (with their stamps and `seq`s); [`Input::text_for_message`]
    /// reads a taken file again if a diagnostic needs its lines.
    pub(crate) fn take_markdown(&mut self) -> std::collections::HashMap<PathBuf, Text> {
        let content = Arc::clone(&self.content);
        content
            .markdown
            .iter()
            .filter_map(|f| {
                let text = self.files.get_mut(&f.rel)?.text.take()?;
                Some((f.rel.clone(), text))
            })
            .collect()
    }

    /// The text of a file a diagnostic names, for showing its line: the input's, or
    /// read now for a file the input does not decode.
    pub(crate) fn text_for_message(&self, rel: &Path) -> Arc<str> {
        match self.files.get(rel).and_then(|f| f.text.as_ref()) {
            Some(t) => t.text.clone(),
            None => source::read_text(&self.root.join(rel), rel).text.into(),
        }
    }
}

/// How a path (relative to the site) is on disk now, for `serve` to tell what the
/// watcher's names mean without walking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Present {
    /// Nothing there, not even a dangling link.
    Gone,
    File,
    Folder,
    /// Something else: a dangling link, a device.
    Other,
}

/// See [`Present`].
pub(crate) fn present(root: &Path, rel: &Path) -> Present {
    let abs = root.join(rel);
    if std::fs::symlink_metadata(&abs).is_err() {
        return Present::Gone;
    }
    match std::fs::metadata(&abs) {
        Ok(m) if m.is_file() => Present::File,
        Ok(m) if m.is_dir() => Present::Folder,
        _ => Present::Other,
    }
}

/// Reads and decodes config.toml; `None` when it cannot be read.
pub fn read_config(root: &Path) -> Option<Text> {
    let bytes = std::fs::read(root.join(source::CONFIG_FILE)).ok()?;
    let d = source::decode(&bytes, Path::new(source::CONFIG_FILE));
    Some(Text {
        text: d.text.into(),
        diagnostics: d.diagnostics,
    })
}

fn read_file(root: &Path, rel: &Path, stamp: Stamp, seq: u64) -> File {
    let abs = root.join(rel);
    let text = has_text(rel).then(|| {
        let d = source::read_text(&abs, rel);
        Text {
            text: d.text.into(),
            diagnostics: d.diagnostics,
        }
    });
    File {
        abs,
        stamp,
        seq,
        text,
    }
}
