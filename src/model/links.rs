//! How bodies link: the [`Links`] a build resolved every body against (source files
//! and assets to output paths, what is unpublished, every anchor), the [`Resolver`]
//! that turns `@/notices/a.md`, relative `.md` links and asset paths into URLs or a
//! broken-link error with a did-you-mean, and the checks that need the whole site
//! (anchors, links to addresses no file is written at). It resolves only: it does
//! not render Markdown or read files.

use super::*;
use crate::base::url::percent_decode;

/// A published page's file as the build read it.
pub(super) struct PageSource {
    pub(super) index: usize,
    pub(super) file: source::MarkdownFile,
    /// The file's text, of which the front matter is `text[..body_offset]`.
    pub(super) text: Arc<str>,
    pub(super) body_offset: usize,
}

/// What the bodies of one build were resolved against, and every link with an
/// anchor: kept by `serve` so that an edit of one body can be rendered and checked on
/// its own (see [`patch`]).
pub(crate) struct Links {
    pub(super) base_path: String,
    pub(super) base_url: String,
    /// How bodies are read (config.toml `[markdown]`, `[privacy] allow`).
    pub(super) markdown: markdown::Settings,
    /// config.toml's base_url host: pictures from any other host are refused.
    pub(super) base_host: String,
    /// Content-relative source path ("notices/a.md") → output path.
    pub(super) link_index: HashMap<String, String>,
    /// Content-relative asset path → output path.
    pub(super) asset_index: HashMap<String, String>,
    /// Pages that exist but are drafts or scheduled.
    pub(super) unpublished: std::collections::HashSet<String>,
    /// Files that unpublished pages link to: those no published page links to are
    /// not copied, so an edit that links to one or stops linking makes a new model.
    pub(super) draft_refs: std::collections::HashSet<String>,
    /// Published pages by source file, and by output path.
    pub(super) page_of_rel: HashMap<PathBuf, PageSource>,
    pub(super) page_of_path: HashMap<String, usize>,
    /// Links with an anchor, by the file they are written in.
    pub(super) anchors: BTreeMap<PathBuf, Vec<AnchorCheck>>,
}

impl Links {
    pub(super) fn resolver(&self) -> Resolver<'_> {
        Resolver {
            base_path: &self.base_path,
            base_url: &self.base_url,
            markdown: &self.markdown,
            base_host: &self.base_host,
            link_index: &self.link_index,
            asset_index: &self.asset_index,
            unpublished: &self.unpublished,
        }
    }

    /// Every anchor (#防御指南 or #fang-yu-zhi-nan) must name a heading of the page it
    /// points at. With a patch, the changed files' links are those of their new bodies.
    pub(crate) fn anchor_diagnostics(&self, site: &Site, patch: Option<&Patch>) -> Vec<Diagnostic> {
        let replaced: HashMap<&Path, &Vec<AnchorCheck>> = patch
            .map(|p| {
                p.anchors
                    .iter()
                    .map(|(rel, a)| (rel.as_path(), a))
                    .collect()
            })
            .unwrap_or_default();
        let kept = self
            .anchors
            .iter()
            .filter(|(rel, _)| !replaced.contains_key(rel.as_path()))
            .map(|(rel, a)| (rel.as_path(), a));
        let mut diags = Vec::new();
        for (rel, checks) in kept.chain(replaced.iter().map(|(r, a)| (*r, *a))) {
            for a in checks {
                if let Some(d) = self.check_anchor(site, rel, a) {
                    diags.push(d);
                }
            }
        }
        diags
    }

    pub(super) fn check_anchor(
        &self,
        site: &Site,
        rel: &Path,
        a: &AnchorCheck,
    ) -> Option<Diagnostic> {
        let &target = self.page_of_path.get(&a.target)?;
        let page = &site.pages[target];
        let slug = crate::base::slug::slugify(&a.fragment);
        if page
            .headings
            .iter()
            .any(|h| h.id == a.fragment || h.id == slug)
        {
            return None;
        }
        let ids: Vec<&str> = page.headings.iter().map(|h| h.id.as_str()).collect();
        let mut d = Diagnostic::error(text!(
            zh: "锚点 `#{}` 在目标页面中不存在",
            en: "the anchor `#{}` does not exist in the target page",
            a.fragment
        ))
        .in_file(rel)
        .at(a.span.clone());
        let near = meta::did_you_mean(&slug, &ids).or_else(|| {
            ids.iter()
                .copied()
                .find(|id| !slug.is_empty() && (id.starts_with(&slug) || slug.starts_with(id)))
        });
        if let Some(s) = near {
            d = d.with_help(text!(zh: "是不是 `#{s}`？", en: "did you mean `#{s}`?"));
        } else if !ids.is_empty() {
            let list = ids
                .iter()
                .take(8)
                .map(|i| format!("#{i}"))
                .collect::<Vec<_>>()
                .join(", ");
            d = d.with_help(text!(
                zh: "那个页面的锚点（小标题）有：{list}",
                en: "that page's anchors (headings) are: {list}"
            ));
        } else {
            d = d.with_help(text!(
                zh: "那个页面没有小标题，去掉 # 后面的部分",
                en: "that page has no headings; drop the part after #"
            ));
        }
        Some(d)
    }

    /// Takes in the anchors of a patch that was shown.
    pub(crate) fn commit(&mut self, patch: &Patch) {
        for ((rel, text), &body_offset) in patch.texts.iter().zip(&patch.body_offsets) {
            if let Some(p) = self.page_of_rel.get_mut(rel) {
                p.text = text.clone();
                p.body_offset = body_offset;
            }
        }
        for (rel, a) in &patch.anchors {
            if a.is_empty() {
                self.anchors.remove(rel);
            } else {
                self.anchors.insert(rel.clone(), a.clone());
            }
        }
    }
}

/// Every link or image of a body that names an address of this site must name a file
/// the build made (`paths`, every output path): a page, a pager, a tag, the feed, a
/// static file or a page's picture. `pages` limits the check to those pages (a patch);
/// `None` checks every page and section body. Each problem is an error at the link.
pub(crate) fn dead_links(
    site: &Site,
    pages: Option<&[usize]>,
    paths: &[String],
) -> Vec<Diagnostic> {
    let any = match pages {
        Some(pages) => pages
            .iter()
            .any(|&i| site.pages.get(i).is_some_and(|p| !p.site_links.is_empty())),
        None => true,
    };
    // A build whose templates failed made no pages; its links cannot be judged.
    if !any || !paths.iter().any(|p| p == "index.html") {
        return Vec::new();
    }
    let made: std::collections::HashSet<&str> = paths.iter().map(String::as_str).collect();
    let exists = |p: &str| {
        p.is_empty()
            || made.contains(p)
            || made.contains(format!("{p}index.html").as_str())
            || made.contains(format!("{p}/index.html").as_str())
            // The search index's files are named by their content and made last.
            || (p.starts_with("search/") && made.contains("search/index.html"))
    };
    let all: Vec<usize> = (0..site.pages.len()).collect();
    let pages = pages.unwrap_or(&all);
    let page_links = pages
        .iter()
        .filter_map(|&i| site.pages.get(i))
        .map(|p| (p.rel.as_path(), &p.site_links));
    let section_links = site
        .sections
        .iter()
        .filter(|_| pages.len() == all.len())
        .filter_map(|s| s.rel.as_deref().map(|rel| (rel, &s.site_links)));
    let mut diags = Vec::new();
    let mut addresses: Option<Vec<String>> = None;
    for (rel, links) in page_links.chain(section_links) {
        for link in links.iter().filter(|l| !exists(&l.path)) {
            let msg = if link.is_image {
                text!(
                    zh: "图片 `{}` 在本站不存在：网站里没有 /{} 这个文件",
                    en: "the image `{}` is not on this site: the site has no file /{}",
                    link.dest, link.path
                )
            } else {
                text!(
                    zh: "链接 `{}` 指向本站不存在的地址 /{}",
                    en: "the link `{}` points at /{}, which this site does not have",
                    link.dest, link.path
                )
            };
            // Addresses as a reader writes them: pages and folders end in `/`.
            let addresses = addresses.get_or_insert_with(|| {
                paths
                    .iter()
                    .map(|p| p.strip_suffix("index.html").unwrap_or(p).to_string())
                    .filter(|p| !p.is_empty() && !p.starts_with("search/"))
                    .collect()
            });
            let keys: Vec<&str> = addresses.iter().map(String::as_str).collect();
            // A clerk guesses the start of a pinyin address (`/stats/2024/` for
            // `/stats/2024-nian-yin-huan-pai-cha/`): one address that begins so is meant.
            let stem = link.path.trim_end_matches('/');
            let mut begun = keys.iter().filter(|k| {
                !stem.is_empty()
                    && k.strip_prefix(stem)
                        .is_some_and(|rest| rest.starts_with('-'))
            });
            let begun = match (begun.next(), begun.next()) {
                (Some(only), None) => Some(*only),
                _ => None,
            };
            let help = match meta::did_you_mean(&link.path, &keys).or(begun) {
                Some(near) => text!(
                    zh: "是不是 `{}{near}`？",
                    en: "did you mean `{}{near}`?",
                    site.config.base_path
                ),
                None => text!(
                    zh: "链接本站页面最好写源文件：@/栏目/文件名.md，生成时会检查并换成正确的地址",
                    en: "link a page of this site by its source file, @/section/file.md: the build checks it and writes the right address"
                ),
            };
            diags.push(
                Diagnostic::error(msg)
                    .in_file(rel)
                    .at(link.span.clone())
                    .with_help(help),
            );
        }
    }
    diags
}

/// A link to an address of this site (`/stats/2025/`, `../x/`, a full address under
/// `base_url`, `/images/x.jpg`), with the output path it names and where it is
/// written (bytes of the whole file).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SiteLink {
    pub(crate) dest: String,
    /// Below the output root, decoded, without query or fragment: "stats/2025/".
    pub(crate) path: String,
    pub(crate) span: std::ops::Range<usize>,
    pub(crate) is_image: bool,
}

#[derive(Clone)]
pub(super) struct AnchorCheck {
    pub(super) target: String,
    pub(super) fragment: String,
    pub(super) span: std::ops::Range<usize>,
}

#[derive(Clone, PartialEq)]
pub(super) enum Broken {
    Page,
    /// The page exists but is a draft or dated after now.
    Unpublished,
    Asset,
}

#[derive(Clone, PartialEq)]
pub(super) enum Resolution {
    Keep,
    Url(String),
    Page {
        url: String,
        target: String,
        fragment: Option<String>,
    },
    Broken {
        what: Broken,
        suggestion: Option<String>,
    },
}

pub(super) struct Resolver<'a> {
    pub(super) base_path: &'a str,
    pub(super) base_url: &'a str,
    pub(super) markdown: &'a markdown::Settings,
    pub(super) base_host: &'a str,
    pub(super) unpublished: &'a std::collections::HashSet<String>,
    pub(super) link_index: &'a HashMap<String, String>,
    pub(super) asset_index: &'a HashMap<String, String>,
}

impl Resolver<'_> {
    /// Resolves a link written in a page whose source folder is `dir` (content-relative)
    /// and whose output path is `page_path`.
    pub(super) fn resolve(
        &self,
        dest: &str,
        dir: &str,
        page_path: &str,
        is_image: bool,
    ) -> Resolution {
        let dest = dest.trim();
        if dest.is_empty() || has_scheme(dest) || dest.starts_with("//") {
            return Resolution::Keep;
        }
        let (path_part, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f.to_string())),
            None => (dest, None),
        };
        if path_part.is_empty() {
            // `#anchor` in the same page.
            return match fragment {
                Some(f) if !page_path.is_empty() => Resolution::Page {
                    url: format!("#{}", anchor_id(&f)),
                    target: page_path.to_string(),
                    fragment: Some(f),
                },
                _ => Resolution::Keep,
            };
        }
        if let Some(rest) = path_part.strip_prefix("@/") {
            return self.page(&normalise(rest), fragment);
        }
        if let Some(rest) = path_part.strip_prefix('/') {
            // Root-relative links are relative to the site, which may live under a path.
            if rest.starts_with(self.base_path.trim_start_matches('/')) && self.base_path != "/" {
                return Resolution::Keep;
            }
            let mut url = format!("{}{}", self.base_path, rest);
            if let Some(f) = fragment {
                url.push('#');
                url.push_str(&f);
            }
            return Resolution::Url(url);
        }
        let joined = normalise(&if dir.is_empty() {
            path_part.to_string()
        } else {
            format!("{dir}/{path_part}")
        });
        if path_part.ends_with(".md") {
            return self.page(&joined, fragment);
        }
        // `河道%20巡查.jpg` names the file `河道 巡查.jpg`, as it would in a browser.
        let decoded = percent_decode(&joined);
        let asset = self
            .asset_index
            .get(&joined)
            .or_else(|| decoded.as_ref().and_then(|d| self.asset_index.get(d)));
        if let Some(out) = asset {
            let mut url = format!("{}{}", self.base_path, out);
            if let Some(f) = fragment {
                url.push('#');
                url.push_str(&f);
            }
            return Resolution::Url(url);
        }
        // A relative link to something that is neither a page source nor a file:
        // an image must exist; other relative links may point at output paths.
        let looks_like_file = path_part
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'));
        if is_image || looks_like_file {
            let keys: Vec<&str> = self.asset_index.keys().map(String::as_str).collect();
            return Resolution::Broken {
                what: Broken::Asset,
                suggestion: meta::did_you_mean(&joined, &keys)
                    .map(|s| s.rsplit('/').next().unwrap_or(s).to_string()),
            };
        }
        Resolution::Keep
    }

    /// The output path a link names when it is an address of this site rather than a
    /// source file: a full address under `base_url`, a path from the site's root
    /// (with or without `base_url`'s path), or a path relative to the page's URL
    /// (`page_path`; a section body, rendered without one, is not checked for those).
    pub(super) fn site_path(&self, dest: &str, page_path: &str) -> Option<String> {
        let dest = dest.trim();
        let path = dest.split(['#', '?']).next().unwrap_or("");
        if dest.starts_with('#') || dest.starts_with("//") || dest.is_empty() {
            return None;
        }
        let base_path = self.base_path.trim_start_matches('/');
        let joined = if has_scheme(path) {
            let rest = path.strip_prefix(self.base_url).or_else(|| {
                (path.len() + 1 == self.base_url.len() && self.base_url.starts_with(path))
                    .then_some("")
            })?;
            rest.to_string()
        } else if let Some(rest) = path.strip_prefix('/') {
            let rest = match rest.strip_prefix(base_path) {
                Some(r) if !base_path.is_empty() => r,
                _ => rest,
            };
            rest.to_string()
        } else if page_path.is_empty() || path.is_empty() {
            return None;
        } else {
            format!("{page_path}{path}")
        };
        let dir = joined.ends_with('/') || joined.is_empty();
        let mut out = normalise(&percent_decode(&joined).unwrap_or(joined));
        if dir && !out.is_empty() {
            out.push('/');
        }
        Some(out)
    }

    pub(super) fn page(&self, content_path: &str, fragment: Option<String>) -> Resolution {
        match self.link_index.get(content_path) {
            Some(out) => {
                let mut url = format!("{}{}", self.base_path, out);
                if let Some(f) = &fragment {
                    url.push('#');
                    url.push_str(&anchor_id(f));
                }
                Resolution::Page {
                    url,
                    target: out.clone(),
                    fragment,
                }
            }
            None if self.unpublished.contains(content_path) => Resolution::Broken {
                what: Broken::Unpublished,
                suggestion: None,
            },
            None => {
                let keys: Vec<&str> = self.link_index.keys().map(String::as_str).collect();
                Resolution::Broken {
                    what: Broken::Page,
                    suggestion: meta::did_you_mean(content_path, &keys).map(|s| format!("@/{s}")),
                }
            }
        }
    }
}

/// Heading ids are slugs; a link may name a heading by its Chinese text.
pub(super) fn anchor_id(fragment: &str) -> String {
    if crate::base::slug::is_valid_slug(fragment) {
        fragment.to_string()
    } else {
        let s = crate::base::slug::slugify(fragment);
        if s.is_empty() {
            fragment.to_string()
        } else {
            s
        }
    }
}

pub(super) fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) => {
            s[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && i > 0
        }
        None => false,
    }
}

/// Resolves `.` and `..` in a `/`-separated path; `..` above the root is dropped.
/// The content-relative files a page's body links to or shows (`photo.jpg` beside
/// it, `../files/a.pdf`): a first look, before links are resolved, at which files
/// only unpublished pages use.
pub(super) fn file_refs(text: &str, body_offset: usize, rel: &Path) -> Vec<String> {
    use pulldown_cmark::{Event, Parser, Tag};
    let body = text.get(body_offset..).unwrap_or("");
    let dir = slash_path(content_rel(rel).parent().unwrap_or(Path::new("")));
    Parser::new(body)
        .filter_map(|e| match e {
            Event::Start(Tag::Image { dest_url, .. } | Tag::Link { dest_url, .. }) => {
                Some(dest_url.into_string())
            }
            _ => None,
        })
        .filter_map(|dest| {
            let path = dest
                .trim()
                .split(['#', '?'])
                .next()
                .unwrap_or("")
                .to_string();
            if path.is_empty() || has_scheme(&path) || path.starts_with('/') {
                return None;
            }
            Some(match path.strip_prefix("@/") {
                Some(rest) => normalise(rest),
                None if dir.is_empty() => normalise(&path),
                None => normalise(&format!("{dir}/{path}")),
            })
        })
        .collect()
}

pub(super) fn normalise(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out.join("/")
}
