//! Keeps someone else's script or tracker off the site: raw HTML in Markdown goes
//! through an allow-list sanitiser, and every URL a clerk writes is checked.
//!
//! Staff paste from web pages and Word, so a body may carry `<script>`, event
//! handlers, iframes, `<meta http-equiv=refresh>` or pictures hot-linked from another
//! host. [`clean`] hands the raw HTML to ammonia (a maintained html5ever-based
//! sanitiser) with an explicit allow-list of the formatting a clerk pastes; it is the
//! safety. [`inspect`] reads the same fragment with lol_html only to *say* what the
//! allow-list drops, at the byte where it stands, because a silent drop hides the
//! paste's problem from the clerk. [`url_problem`] is the one rule for URLs, used for
//! Markdown links and images, raw `href`/`src`, front matter `image` and config:
//! `javascript:`, `vbscript:` and `data:` are errors however they are disguised, and a
//! picture from another host is an error (SPEC §4: no request to another host).
//! Generated HTML (syntect code, data-block SVG) never comes here. No I/O.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::base::diagnostic::Diagnostic;
use crate::base::url::{decode_entities, url_problem};
use crate::text;

/// Elements a clerk's paste may keep, each with the attributes it may keep. `style`
/// is allowed on every one of them but keeps only [`STYLE_PROPERTIES`].
const ALLOWED: &[(&str, &[&str])] = &[
    ("a", &["href", "title"]),
    ("abbr", &["title"]),
    ("b", &[]),
    ("blockquote", &[]),
    ("br", &[]),
    ("caption", &[]),
    ("code", &[]),
    ("dd", &[]),
    ("del", &[]),
    ("div", &[]),
    ("dl", &[]),
    ("dt", &[]),
    ("em", &[]),
    ("figcaption", &[]),
    ("figure", &[]),
    ("h1", &[]),
    ("h2", &[]),
    ("h3", &[]),
    ("h4", &[]),
    ("h5", &[]),
    ("h6", &[]),
    ("hr", &[]),
    ("i", &[]),
    ("img", &["src", "alt", "width", "height", "title"]),
    ("ins", &[]),
    ("kbd", &[]),
    ("li", &[]),
    ("mark", &[]),
    ("ol", &["start"]),
    ("p", &[]),
    ("pre", &[]),
    ("q", &[]),
    ("s", &[]),
    ("small", &[]),
    ("span", &[]),
    ("strong", &[]),
    ("sub", &[]),
    ("sup", &[]),
    ("table", &[]),
    ("tbody", &[]),
    ("td", &["colspan", "rowspan"]),
    ("tfoot", &[]),
    ("th", &["colspan", "rowspan", "scope"]),
    ("thead", &[]),
    ("tr", &[]),
    ("u", &[]),
    ("ul", &[]),
];

/// CSS properties a `style` keeps: colour and weight, the emphasis Word pastes carry.
/// None of them can load a file, so a style is never a request to another host.
const STYLE_PROPERTIES: &[&str] = &[
    "color",
    "background-color",
    "font-weight",
    "font-style",
    "text-decoration",
    "text-align",
];

/// Elements dropped with everything inside them: their content is code or a form, not
/// text a reader should see.
const DROP_WITH_CONTENT: &[&str] = &[
    "script", "style", "template", "textarea", "select", "title", "noscript", "object", "applet",
    "iframe", "noembed", "noframes", "xmp", "svg", "math",
];

/// Elements whose loss the clerk is told about: they run code, load something from
/// elsewhere, send a form or change the page around them. Any other unknown element
/// (`<font>`, Word's `<o:p>`) loses only its tags, quietly: its text stays.
const REPORTED: &[&str] = &[
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
    "button", "select", "textarea", "meta", "link", "base", "svg", "math", "video", "audio",
    "source", "track", "canvas", "portal", "template", "noscript", "dialog",
];

/// The allow-list, made once: every inline run holding a raw tag is cleaned, and a
/// pasted Word page has one in nearly every paragraph.
fn builder() -> &'static ammonia::Builder<'static> {
    static BUILDER: std::sync::OnceLock<ammonia::Builder<'static>> = std::sync::OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut tags: HashSet<&str> = HashSet::new();
        let mut attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
        for (tag, attrs) in ALLOWED {
            tags.insert(tag);
            attributes.insert(tag, attrs.iter().copied().collect());
        }
        let mut classes: HashMap<&str, HashSet<&str>> = HashMap::new();
        classes.insert("sup", ["footnote-reference"].into_iter().collect());
        // `paste` makes telephone numbers `<a class="phone">` (no wrapping); a run that
        // also holds raw HTML comes through here and must keep that class.
        classes.insert("a", ["phone"].into_iter().collect());
        let mut builder = ammonia::Builder::empty();
        builder
            .tags(tags)
            .tag_attributes(attributes)
            .generic_attributes(["style"].into_iter().collect())
            .filter_style_properties(STYLE_PROPERTIES.iter().copied().collect())
            .allowed_classes(classes)
            .clean_content_tags(DROP_WITH_CONTENT.iter().copied().collect())
            .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(None)
            .strip_comments(true);
        builder
    })
}

/// Raw HTML with everything outside the allow-list removed. `html` may also hold
/// Markdown's own output (a paragraph with inline raw tags is cleaned whole), so the
/// classes pulldown-cmark gives footnote references survive.
pub(crate) fn clean(html: &str) -> String {
    builder().clean(html).to_string()
}

/// What [`clean`] will drop from `fragment` (the user's raw HTML only) and which of
/// its URLs are refused, as diagnostics whose spans are byte ranges in `fragment`.
/// Dropped markup is a warning (the page is still fine without it); a refused URL is
/// an error, as the same URL written in Markdown is.
pub(crate) fn inspect(fragment: &str, site_host: &str) -> Vec<Diagnostic> {
    use lol_html::{element, rewrite_str, RewriteStrSettings};
    let mut diags = Vec::new();
    {
        let diags = &mut diags;
        let settings = RewriteStrSettings::new().append_element_content_handler(element!("*", |el| {
                    let name = el.tag_name();
                    let at = el.source_location().bytes();
                    if REPORTED.contains(&name.as_str()) {
                        diags.push(
                            Diagnostic::warning(text!(
                                zh: "已删除粘贴的 `<{}>`：网站不能带别处的脚本、框架、表单或跳转",
                                en: "removed the pasted `<{}>`: the site must not carry scripts, frames, forms or redirects from elsewhere",
                                name
                            ))
                            .at(at)
                            .with_help(text!(
                                zh: "只粘贴文字和简单格式；视频、表单请放链接",
                                en: "paste only text and simple formatting; link to videos and forms instead"
                            )),
                        );
                        return Ok(());
                    }
                    let Some(allowed) = ALLOWED.iter().find(|(t, _)| *t == name).map(|(_, a)| *a)
                    else {
                        return Ok(());
                    };
                    for attr in el.attributes() {
                        let attr_name = attr.name();
                        let attr_at = attr.name_source_location().map(|l| l.bytes()).unwrap_or_else(|| at.clone());
                        let value = decode_entities(&attr.value());
                        if attr_name.starts_with("on") {
                            diags.push(
                                Diagnostic::warning(text!(
                                    zh: "已删除 `<{}>` 上的 `{}`：它会运行脚本",
                                    en: "removed `{1}` from `<{0}>`: it runs a script",
                                    name, attr_name
                                ))
                                .at(attr_at),
                            );
                        } else if attr_name == "style" && value.to_ascii_lowercase().contains("url(") {
                            diags.push(
                                Diagnostic::warning(text!(
                                    zh: "已删除 `<{}>` 的 style 里从别处加载文件的部分",
                                    en: "removed the part of the style of `<{}>` that loads a file from elsewhere",
                                    name
                                ))
                                .at(attr_at),
                            );
                        } else if allowed.contains(&attr_name.as_str()) && matches!(attr_name.as_str(), "href" | "src") {
                            if let Some(d) = url_problem(&value, attr_name == "src", site_host) {
                                diags.push(d.at(attr_at));
                            }
                        }
                    }
                    Ok(())
                }));
        // lol_html fails only on its memory limit; the report is then incomplete, but
        // `clean` does not depend on it.
        let _ = rewrite_str(fragment, settings);
    }
    diags
}

/// The name of the element a single raw tag opens or closes (`<Script a=b>` →
/// `("script", false)`, `</script>` → `("script", true)`), for one inline raw-HTML
/// event: lets the Markdown pass keep a dropped element's text out of the page's
/// plain text.
pub(crate) fn tag_of(raw: &str) -> Option<(String, bool)> {
    let rest = raw.trim_start().strip_prefix('<')?;
    let (closing, rest) = match rest.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    (!name.is_empty()).then_some((name, closing))
}

/// Whether this element's content is dropped along with it.
pub(crate) fn drops_content(name: &str) -> bool {
    DROP_WITH_CONTENT.contains(&name)
}

/// Maps offsets in a fragment made of several source pieces back to the source.
#[derive(Default)]
pub(crate) struct Pieces {
    /// (offset in the fragment, offset in the source) where each piece starts.
    starts: Vec<(usize, usize)>,
    pub(crate) text: String,
}

impl Pieces {
    pub(crate) fn push(&mut self, piece: &str, source_start: usize) {
        self.starts.push((self.text.len(), source_start));
        self.text.push_str(piece);
    }

    pub(crate) fn to_source(&self, r: Range<usize>) -> Range<usize> {
        let map = |at: usize| {
            let i = self
                .starts
                .partition_point(|(f, _)| *f <= at)
                .saturating_sub(1);
            self.starts.get(i).map(|(f, s)| s + (at - f)).unwrap_or(at)
        };
        let start = map(r.start);
        start..start.max(map(r.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_keeps_formatting_and_drops_code() {
        let out = clean("<p style=\"color:red;background:url(x)\" class=\"MsoNormal\">红<script>alert(1)</script><b onclick=\"x()\">粗</b><iframe src=\"https://e.com\">框</iframe><img src=\"a.png\" onerror=\"x()\"><a href=\"javascript:x\">链</a><meta http-equiv=\"refresh\" content=\"0\"></p>");
        assert_eq!(
            out,
            "<p style=\"color:red\">红<b>粗</b><img src=\"a.png\"><a>链</a></p>"
        );
    }

    #[test]
    fn inspect_names_what_is_dropped() {
        let src = "<p>x</p>\n<script>y</script><img src=\"https://e.com/a.png\" onerror=\"z\">";
        let d = inspect(src, "x.gov.cn");
        let at: Vec<&str> = d.iter().map(|d| &src[d.span.clone().unwrap()]).collect();
        assert_eq!(at, ["<script>", "src", "onerror"]);
        assert!(d[1].is_error() && !d[0].is_error() && !d[2].is_error());
    }

    #[test]
    fn pieces_map_back() {
        let mut p = Pieces::default();
        p.push("<div>\n", 10);
        p.push("<script>\n", 30);
        assert_eq!(p.to_source(6..14), 30..38);
        assert_eq!(p.to_source(0..4), 10..14);
    }

    #[test]
    fn tags_are_named() {
        assert_eq!(tag_of("<Script a=b>"), Some(("script".into(), false)));
        assert_eq!(tag_of("</script>"), Some(("script".into(), true)));
        assert_eq!(tag_of("<!-- x -->"), None);
    }
}
