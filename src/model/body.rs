//! One body rendered with its links resolved ([`render_body`]), noting what the
//! result depends on (its links, and for data blocks the files beside the page) so
//! that the cache can tell when it still holds; and the text summaries of pages.
//! It never looks at other pages' bodies: links resolve against `Links`, made from
//! front matter alone.

use super::*;

/// A rendered body and what was found while rendering it.
pub(super) struct RenderedBody {
    pub(super) html: Arc<str>,
    pub(super) text: Arc<str>,
    pub(super) headings: Vec<markdown::Heading>,
    /// The start of the text, for pages without a description.
    pub(super) summary: String,
    pub(super) char_count: usize,
    pub(super) diags: Vec<Diagnostic>,
    pub(super) anchors: Vec<AnchorCheck>,
    pub(super) site_links: Vec<SiteLink>,
    /// Output paths of the same-site images the body shows, in order (the first is
    /// the page's share picture when its front matter names none).
    pub(super) images: Vec<String>,
    /// The SVG of each chart its data blocks drew, in order.
    pub(super) charts: Vec<Arc<str>>,
}

/// Renders one body with its links resolved, noting everything the result depends on
/// (its links, and for data blocks the files beside it) so that a cache can tell
/// when it still holds.
pub(super) fn render_body(
    l: &Loaded,
    page_path: &str,
    resolver: &Resolver<'_>,
    input: &Input,
) -> CachedBody {
    let body = &l.text[l.body_offset..];
    let crel = content_rel(&l.file.rel);
    let dir = slash_path(crel.parent().unwrap_or(Path::new("")));
    let mut diags = Vec::new();
    let mut anchors = Vec::new();
    let mut links = Vec::new();
    let mut site_links = Vec::new();
    let mut images = Vec::new();
    let mut resolve = |link: &markdown::LinkRef| -> Option<String> {
        let span = link.span.start + l.body_offset..link.span.end + l.body_offset;
        let resolution = resolver.resolve(link.dest, &dir, page_path, link.is_image);
        links.push((link.dest.to_string(), link.is_image, resolution.clone()));
        if link.is_image {
            let shown = match &resolution {
                Resolution::Url(u) => Some(u.as_str()),
                Resolution::Keep => Some(link.dest),
                _ => None,
            };
            images.extend(shown.and_then(|d| resolver.site_path(d, page_path)));
        }
        let by_address = match &resolution {
            Resolution::Keep => true,
            Resolution::Url(_) => link.dest.trim().starts_with('/'),
            _ => false,
        };
        if let Some(path) = by_address
            .then(|| resolver.site_path(link.dest, page_path))
            .flatten()
        {
            site_links.push(SiteLink {
                dest: link.dest.to_string(),
                path,
                span: span.clone(),
                is_image: link.is_image,
            });
        }
        match resolution {
            Resolution::Keep => None,
            Resolution::Url(u) => Some(u),
            Resolution::Page {
                url,
                target,
                fragment,
            } => {
                if let Some(f) = fragment {
                    anchors.push(AnchorCheck {
                        target,
                        fragment: f,
                        span,
                    });
                }
                Some(url)
            }
            Resolution::Broken { what, suggestion } => {
                let help = match (&suggestion, &what) {
                    (Some(s), _) => text!(zh: "是不是 `{s}`？", en: "did you mean `{s}`?"),
                    (None, Broken::Unpublished) => text!(
                        zh: "等那个页面发布后再链接，或去掉它的 draft = true、检查它的 date",
                        en: "link to it once it is published, or remove its draft = true / check its date"
                    ),
                    (None, Broken::Asset) => text!(
                        zh: "把文件放在页面旁边（页面包：栏目/页面名/index.md 旁），并检查文件名的大小写",
                        en: "put the file beside the page (in its bundle folder) and check the name's spelling and case"
                    ),
                    (None, Broken::Page) => text!(
                        zh: "链接写成 @/栏目/文件名.md（相对 content 文件夹），或相对本文件的路径",
                        en: "write links as @/section/file.md (from the content folder) or relative to this file"
                    ),
                };
                let msg = match what {
                    Broken::Unpublished => text!(
                        zh: "链接指向的页面 `{}` 还没有发布（草稿或定时发布）",
                        en: "the linked page `{}` is not published (a draft or scheduled)",
                        link.dest
                    ),
                    Broken::Page => {
                        text!(zh: "链接指向的页面 `{}` 不存在", en: "the linked page `{}` does not exist", link.dest)
                    }
                    Broken::Asset if link.is_image => {
                        text!(zh: "图片 `{}` 不存在", en: "the image `{}` does not exist", link.dest)
                    }
                    Broken::Asset => {
                        text!(zh: "链接的文件 `{}` 不存在", en: "the linked file `{}` does not exist", link.dest)
                    }
                };
                diags.push(
                    Diagnostic::error(msg)
                        .in_file(&l.file.rel)
                        .at(span)
                        .with_help(help),
                );
                None
            }
        }
    };
    let mut data_diags = Vec::new();
    let read = std::cell::RefCell::new(Vec::new());
    let charts = std::cell::RefCell::new(Vec::new());
    let mut has_data = false;
    let mut data_block = |b: &markdown::DataBlock| -> Option<String> {
        has_data = true;
        let span = b.span.start + l.body_offset..b.span.end + l.body_offset;
        // The body starts on the line after the opening fence.
        let body_offset = body[b.span.clone()]
            .find('\n')
            .map(|i| span.start + i + 1)
            .unwrap_or(span.end);
        let place = crate::data::Place {
            page_rel: &l.file.rel,
            input,
            read: &read,
            span,
            body_offset,
            charts: &charts,
        };
        crate::data::render(b.info, b.body, &place, &mut data_diags)
    };
    let mut options = markdown::Options {
        resolve_link: &mut resolve,
        data_block: Some(&mut data_block),
        settings: resolver.markdown,
        site_host: resolver.base_host,
    };
    let rendered = markdown::render(body, &mut options);
    diags.append(&mut data_diags);
    diags.extend(rendered.diagnostics.into_iter().map(|d| {
        let span = d.span.clone().unwrap_or(0..0);
        d.in_file(&l.file.rel)
            .at(span.start + l.body_offset..span.end + l.body_offset)
    }));
    let char_count = rendered.text.chars().filter(|c| !c.is_whitespace()).count();
    CachedBody {
        page_path: page_path.to_string(),
        links,
        dir: has_data.then(|| {
            let read = read.into_inner();
            let fp = data_fingerprint(input, &l.file.rel, &read);
            (read, fp)
        }),
        out: Arc::new(RenderedBody {
            summary: summarise(&rendered.text, 120),
            char_count,
            html: rendered.html.into(),
            text: rendered.text.into(),
            headings: rendered.headings,
            diags,
            anchors,
            site_links,
            images,
            charts: charts.into_inner().into_iter().map(Arc::from).collect(),
        }),
        version: 0,
    }
}

/// What a body's data blocks depend on: the readings (see `input::site::File::seq`)
/// of the files they looked for, found or not, and of every file beside the page
/// other than Markdown (a misspelt `src=` names those that are there).
pub(super) fn data_fingerprint(input: &Input, page_rel: &Path, read: &[PathBuf]) -> u64 {
    use std::hash::{Hash, Hasher};
    let dir = page_rel.parent().unwrap_or(Path::new(""));
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (rel, f) in input.beside(dir) {
        if !source::is_markdown(rel) {
            (rel, f.seq).hash(&mut h);
        }
    }
    for rel in read {
        (rel, input.file(rel).map(|f| f.seq)).hash(&mut h);
    }
    h.finish()
}

/// The first `max` characters of `text`, cut at a sentence end where one is near, with
/// an ellipsis when cut.
pub(crate) fn summarise(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let at_sentence = cut
        .char_indices()
        .filter(|(_, c)| matches!(c, '。' | '！' | '？' | '；'))
        .map(|(i, c)| i + c.len_utf8())
        .next_back();
    match at_sentence {
        Some(i) if i > cut.len() / 2 => cut[..i].to_string(),
        _ => format!("{cut}…"),
    }
}
