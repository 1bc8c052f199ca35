//! Writes a finished build to disk so that the previous output is replaced only by a
//! complete new one. It must not delete the old output before the new one is complete.
//!
//! Files are written into a fresh sibling folder, which is then swapped in by two
//! renames; a build that fails before or during writing leaves the old output exactly
//! as it was. The old tree is deleted after the swap, off the critical path (Zola's
//! lesson: deleting the old tree first costs seconds in the kernel and loses the site
//! when the build then fails). This module and `source` are the only ones that touch
//! the site's folders.
//!
//! Two things are read back from the previous output before it is replaced: the PDFs
//! `anxuan print` made, which are carried into the new one while still newer than
//! their leaflet, and the pages its sitemap listed with their titles, so that a build
//! can tell a renamed page from a new one.

pub(crate) mod cache;
pub(crate) mod serving;

use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum OutData {
    Bytes(Vec<u8>),
    Static(&'static [u8]),
    /// Copied from this file at write time.
    Copy(PathBuf),
}

#[derive(Debug)]
pub struct OutFile {
    /// Relative to the output folder, `/`-separated, e.g. `notices/a/index.html`.
    pub path: String,
    pub data: OutData,
}

impl OutData {
    /// The bytes, reading a copied file if needed.
    pub fn bytes(&self) -> io::Result<std::borrow::Cow<'_, [u8]>> {
        match self {
            OutData::Bytes(b) => Ok(std::borrow::Cow::Borrowed(b)),
            OutData::Static(b) => Ok(std::borrow::Cow::Borrowed(b)),
            OutData::Copy(p) => std::fs::read(p).map(std::borrow::Cow::Owned),
        }
    }
}

/// Refuses output folders whose replacement would destroy the user's own files.
pub(crate) fn check_output_dir(root: &Path, output: &Path) -> Result<(), String> {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (root, output) = (abs(root), abs(output));
    if root.starts_with(&output) {
        return Err(format!("{} contains the site itself", output.display()));
    }
    if output.join("config.toml").exists() || output.join("content").is_dir() {
        return Err(format!(
            "{} looks like a site (it has config.toml or content/)",
            output.display()
        ));
    }
    Ok(())
}

/// A leaflet's PDF that `anxuan print` wrote into the previous output.
pub(crate) struct LeafletPdf {
    /// The leaflet's output path (`leaflets/fang-xun/`).
    pub(crate) page: String,
    /// The PDF's output path (`leaflets/fang-xun.pdf`).
    pub(crate) out: String,
    pub(crate) file: PathBuf,
}

/// The PDFs in `out_dir` of leaflets that still exist, each `(page path, slug,
/// source file relative to root)`: a PDF newer than its leaflet's source is carried
/// into the next build, so that a rebuild does not delete what `print` made; an
/// older one is left out, as it shows text the leaflet no longer has, and named in
/// the second list.
pub(crate) fn leaflet_pdfs(
    out_dir: &Path,
    root: &Path,
    leaflets: &[(String, String, PathBuf)],
) -> (Vec<LeafletPdf>, Vec<(String, PathBuf)>) {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let mut carried = Vec::new();
    let mut stale = Vec::new();
    for (page, slug, source) in leaflets {
        let out = format!("leaflets/{slug}.pdf");
        let file = out_dir.join(&out);
        let Some(printed) = modified(&file) else {
            continue;
        };
        match modified(&root.join(source)) {
            Some(edited) if edited > printed => stale.push((out, source.clone())),
            _ => carried.push(LeafletPdf {
                page: page.clone(),
                out,
                file,
            }),
        }
    }
    (carried, stale)
}

/// The pages of a previous output, for telling a renamed page by its title.
#[derive(Default)]
pub(crate) struct PreviousPages {
    /// Every path its sitemap.xml lists under `base_url`.
    pub(crate) paths: std::collections::HashSet<String>,
    /// Those for which `kept` was false, with the `<title>` of their page. Only these
    /// pages are read, so a build of 10,000 unchanged pages does not read 10,000 old
    /// files.
    pub(crate) gone: Vec<(String, String)>,
}

pub(crate) fn previous_pages(
    out_dir: &Path,
    base_url: &str,
    kept: impl Fn(&str) -> bool,
) -> PreviousPages {
    let mut previous = PreviousPages::default();
    let Ok(xml) = std::fs::read_to_string(out_dir.join("sitemap.xml")) else {
        return previous;
    };
    for loc in texts_of(&xml, "loc") {
        let Some(path) = loc.trim().strip_prefix(base_url) else {
            continue;
        };
        if path.split('/').any(|part| part == "..") {
            continue;
        }
        if !kept(path) {
            let html = std::fs::read_to_string(out_dir.join(path).join("index.html"));
            if let Some(title) = html
                .ok()
                .and_then(|h| texts_of(&h, "title").into_iter().next())
            {
                previous.gone.push((path.to_string(), title));
            }
        }
        previous.paths.insert(path.to_string());
    }
    previous
}

/// The text of every `tag` element in `doc`, entities decoded.
fn texts_of(doc: &str, tag: &str) -> Vec<String> {
    use lol_html::{rewrite_str, text, RewriteStrSettings};
    let found = std::cell::RefCell::new(Vec::new());
    let current = std::cell::RefCell::new(String::new());
    let settings = RewriteStrSettings::new().append_element_content_handler(text!(tag, |t| {
        current.borrow_mut().push_str(t.as_str());
        if t.last_in_text_node() {
            found.borrow_mut().push(unescape(&current.take()));
        }
        Ok(())
    }));
    let _ = rewrite_str(doc, settings);
    found.into_inner()
}

/// The entities the templates and the sitemap writer escape.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

/// The previous output, moved aside and waiting to be deleted.
pub struct OldOutput(Option<PathBuf>);

impl OldOutput {
    /// Deletes the old tree now.
    pub fn remove(self) {
        if let Some(p) = self.0 {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

fn sibling(output: &Path, tag: &str) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    parent.join(format!(".{name}.anxuan-{tag}-{}", std::process::id()))
}

/// Where rendered files go. Rendering hands each file over as soon as it is made, so
/// a 10,000-page site is never held in memory whole.
pub(crate) trait Sink: Sync {
    fn put(&self, file: OutFile) -> io::Result<()>;
}

/// For `serve`: files are kept in memory and served from there.
#[derive(Default)]
pub(crate) struct Memory(std::sync::Mutex<Vec<OutFile>>);

impl Memory {
    pub(crate) fn into_files(self) -> Vec<OutFile> {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for Memory {
    fn put(&self, file: OutFile) -> io::Result<()> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(file);
        Ok(())
    }
}

/// For `check`: files are made and dropped.
pub(crate) struct Discard;

impl Sink for Discard {
    fn put(&self, _: OutFile) -> io::Result<()> {
        Ok(())
    }
}

/// A new output tree being written beside the old one. Dropping it without
/// [`Staging::commit`] deletes it and leaves the old output untouched.
pub(crate) struct Staging {
    dir: PathBuf,
    output: PathBuf,
    made_dirs: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    committed: bool,
}

impl Staging {
    pub(crate) fn create(output: &Path) -> io::Result<Staging> {
        let dir = sibling(output, "new");
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        std::fs::create_dir_all(&dir)?;
        Ok(Staging {
            dir,
            output: output.to_path_buf(),
            made_dirs: Default::default(),
            committed: false,
        })
    }

    /// Swaps the new tree in for the old one with two renames.
    pub(crate) fn commit(mut self) -> io::Result<OldOutput> {
        self.committed = true;
        let output = &self.output;
        let old = if output.exists() {
            let old = sibling(output, "old");
            if old.exists() {
                std::fs::remove_dir_all(&old)?;
            }
            if let Err(e) = std::fs::rename(output, &old) {
                let _ = std::fs::remove_dir_all(&self.dir);
                return Err(e);
            }
            Some(old)
        } else {
            None
        };
        if let Err(e) = std::fs::rename(&self.dir, output) {
            // Put the old output back: a failed swap must not lose the site.
            if let Some(old) = &old {
                let _ = std::fs::rename(old, output);
            }
            let _ = std::fs::remove_dir_all(&self.dir);
            return Err(e);
        }
        Ok(OldOutput(old))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Sink for Staging {
    fn put(&self, f: OutFile) -> io::Result<()> {
        let target = self.dir.join(&f.path);
        if let Some(parent) = target.parent() {
            let known = self
                .made_dirs
                .lock()
                .map(|m| m.contains(parent))
                .unwrap_or(false);
            if !known {
                std::fs::create_dir_all(parent)?;
                if let Ok(mut m) = self.made_dirs.lock() {
                    m.insert(parent.to_path_buf());
                }
            }
        }
        match &f.data {
            OutData::Bytes(b) => std::fs::write(&target, b),
            OutData::Static(b) => std::fs::write(&target, b),
            OutData::Copy(src) => std::fs::copy(src, &target).map(|_| ()),
        }
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", target.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swap_replaces_the_whole_tree() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(out.join("stale")).unwrap();
        std::fs::write(out.join("stale/index.html"), "old").unwrap();
        let staging = Staging::create(&out).unwrap();
        staging
            .put(OutFile {
                path: "a/index.html".into(),
                data: OutData::Bytes(b"new".to_vec()),
            })
            .unwrap();
        staging.commit().unwrap().remove();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "new"
        );
        assert!(!out.join("stale").exists());
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(
            leftovers.len(),
            1,
            "no staging or old folder is left behind"
        );
    }

    #[test]
    fn refuses_to_replace_the_site() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("config.toml"), "").unwrap();
        assert!(check_output_dir(tmp.path(), tmp.path()).is_err());
        assert!(check_output_dir(&tmp.path().join("site"), tmp.path()).is_err());
        assert!(check_output_dir(tmp.path(), &tmp.path().join("public")).is_ok());
    }
}
