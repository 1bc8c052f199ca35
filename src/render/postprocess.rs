//! Finishing touches on rendered HTML, and the site-wide XML files.
//!
//! HTML is rewritten only through lol_html's streaming rewriter, never with regexes or
//! string search (mdBook's eight-year regret): pictures in content load lazily and
//! tables get a scrolling wrapper so a wide table never makes a phone page scroll
//! sideways. The Atom feed and the sitemap are written here from the model.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use lol_html::html_content::ContentType;
use lol_html::{element, end_tag, rewrite_str, RewriteStrSettings};

use crate::base::dates::rfc3339;
use crate::base::url::percent_decode;
use crate::base::xml::xml_escape;
use crate::model::{Site, TaxonomyKind};

use super::photos::{img_attributes, PhotoSet};

/// Rewrites a page body: photos get their copies (`photos::img_attributes`) and a
/// link to the largest, pictures load lazily, tables get a scrolling wrapper. On a
/// leaflet's print page (`print`), photos take their print copy.
pub(crate) fn content(html: &str, site: &Site, photos: &PhotoSet, print: bool) -> String {
    if !html.contains("<img") && !html.contains("<table") {
        return html.to_string();
    }
    let mut tables = 0;
    // How many `<a>` the rewriter is inside: a photo in a link keeps that link.
    let in_link = Rc::new(Cell::new(0usize));
    let links = in_link.clone();
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("a", move |el| {
            links.set(links.get() + 1);
            let links = links.clone();
            if el.can_have_content() {
                el.on_end_tag(end_tag!(move |_| {
                    links.set(links.get().saturating_sub(1));
                    Ok(())
                }))?;
            }
            Ok(())
        }))
        .append_element_content_handler(element!("img", move |el| {
            let shown = el
                .get_attribute("src")
                .and_then(|src| site_path(site, &src))
                .and_then(|out| photos.shown(&out));
            if let Some(s) = shown {
                let (attrs, largest) = img_attributes(site, s, print);
                for (name, value) in attrs {
                    el.set_attribute(name, &value)?;
                }
                if let Some(url) = largest.filter(|_| in_link.get() == 0) {
                    // Tapping a photo opens its largest copy, as readers expect.
                    el.before(
                        &format!("<a class=\"photo\" href=\"{}\">", xml_escape(&url)),
                        ContentType::Html,
                    );
                    el.after("</a>", ContentType::Html);
                }
            }
            if !el.has_attribute("loading") {
                el.set_attribute("loading", "lazy")?;
            }
            if !el.has_attribute("decoding") {
                el.set_attribute("decoding", "async")?;
            }
            Ok(())
        }))
        .append_element_content_handler(element!("table", move |el| {
            // A wide table scrolls inside its wrapper; keyboard users reach it by Tab
            // (WCAG 2.1.1), and screen readers hear which region it is (numbered, as
            // landmarks on one page need distinct names).
            tables += 1;
            el.before(
                &format!("<div class=\"table-wrap\" role=\"region\" aria-label=\"表格{tables}（可左右滑动）\" tabindex=\"0\">"),
                ContentType::Html,
            );
            el.on_end_tag(end_tag!(|end| {
                end.after("</div>", ContentType::Html);
                Ok(())
            }))?;
            Ok(())
        }));
    // The input is our own Markdown output; should the rewriter ever refuse it, the
    // unrewritten body is still correct HTML.
    rewrite_str(html, settings).unwrap_or_else(|_| html.to_string())
}

/// The output path an `<img src>` of a body names: bodies link the site's files from
/// its root (`/zhen/notices/a/p.jpg`), percent-encoded.
fn site_path(site: &Site, src: &str) -> Option<String> {
    let rest = src.strip_prefix(site.config.base_path.as_str())?;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    Some(percent_decode(rest).unwrap_or_else(|| rest.to_string()))
}

/// How many entries the feed carries: enough for any reader that polls daily.
const FEED_ENTRIES: usize = 30;

/// The pages the Atom feed carries: the newest dated ones, newest first.
pub(crate) fn feed_pages(site: &Site) -> Vec<usize> {
    let mut dated: Vec<usize> = (0..site.pages.len())
        .filter(|&i| site.pages[i].sort_date().is_some())
        .collect();
    dated.sort_by(|&a, &b| {
        site.pages[b]
            .sort_date()
            .cmp(&site.pages[a].sort_date())
            .then_with(|| site.pages[a].path.cmp(&site.pages[b].path))
    });
    dated.truncate(FEED_ENTRIES);
    dated
}

/// The Atom feed: dated pages, newest first, each with its rendered body, which
/// `body` gives by page index (a one-shot build keeps bodies apart from the model).
pub(crate) fn atom_feed(site: &Site, body: impl Fn(usize) -> Arc<str>) -> String {
    let dated = feed_pages(site);
    let c = &site.config;
    let updated = dated
        .iter()
        .filter_map(|&i| {
            let p = &site.pages[i];
            p.meta.updated.as_ref().or(p.sort_date())
        })
        .max()
        .map(rfc3339)
        .unwrap_or_else(|| rfc3339(&site.now));
    let author = if c.township.is_empty() {
        &c.title
    } else {
        &c.township
    };
    let mut out = String::with_capacity(4096 + dated.len() * 2048);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n");
    out.push_str(&format!("  <title>{}</title>\n", xml_escape(&c.title)));
    if !c.description.is_empty() {
        out.push_str(&format!(
            "  <subtitle>{}</subtitle>\n",
            xml_escape(&c.description)
        ));
    }
    out.push_str(&format!(
        "  <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n",
        xml_escape(&c.base_url)
    ));
    out.push_str(&format!(
        "  <link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>\n",
        xml_escape(&site.permalink("feed.xml"))
    ));
    out.push_str(&format!(
        "  <id>{}</id>\n  <updated>{updated}</updated>\n",
        xml_escape(&c.base_url)
    ));
    out.push_str(&format!("  <author><name>{}</name></author>\n  <generator uri=\"https://anquan.example.gov.cn/anxuan/\">anxuan</generator>\n", xml_escape(author)));
    for i in dated {
        let p = &site.pages[i];
        let published = p.sort_date().map(rfc3339).unwrap_or_default();
        let entry_updated = p
            .meta
            .updated
            .as_ref()
            .map(rfc3339)
            .unwrap_or_else(|| published.clone());
        let link = site.permalink(&p.path);
        out.push_str("  <entry>\n");
        out.push_str(&format!(
            "    <title>{}</title>\n",
            xml_escape(&p.meta.title)
        ));
        out.push_str(&format!(
            "    <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n",
            xml_escape(&link)
        ));
        out.push_str(&format!("    <id>{}</id>\n", xml_escape(&link)));
        out.push_str(&format!(
            "    <published>{published}</published>\n    <updated>{entry_updated}</updated>\n"
        ));
        for (kind, list) in [
            (TaxonomyKind::Categories, &p.categories),
            (TaxonomyKind::Tags, &p.tags),
        ] {
            if let Some(tax) = site.taxonomies.iter().find(|t| t.kind == kind) {
                for &ti in list {
                    if let Some(term) = tax.terms.get(ti) {
                        out.push_str(&format!(
                            "    <category term=\"{}\"/>\n",
                            xml_escape(&term.name)
                        ));
                    }
                }
            }
        }
        if !p.summary.is_empty() {
            out.push_str(&format!(
                "    <summary type=\"text\">{}</summary>\n",
                xml_escape(&p.summary)
            ));
        }
        out.push_str(&format!(
            "    <content type=\"html\" xml:base=\"{}\">{}</content>\n",
            xml_escape(&link),
            xml_escape(&body(i))
        ));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// sitemap.xml: every page, section and taxonomy page, with a last-modified date where known.
pub(crate) fn sitemap(site: &Site) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    let mut push = |path: &str, lastmod: Option<String>| {
        out.push_str(&format!(
            "  <url><loc>{}</loc>",
            xml_escape(&site.permalink(path))
        ));
        if let Some(m) = lastmod {
            out.push_str(&format!("<lastmod>{m}</lastmod>"));
        }
        out.push_str("</url>\n");
    };
    for s in &site.sections {
        let newest = s
            .pages
            .iter()
            .filter_map(|&i| site.pages[i].sort_date())
            .max()
            .map(rfc3339);
        push(&s.path, newest);
    }
    for p in &site.pages {
        push(
            &p.path,
            p.meta.updated.as_ref().or(p.sort_date()).map(rfc3339),
        );
    }
    for t in &site.taxonomies {
        if t.terms.is_empty() {
            continue;
        }
        push(&format!("{}/", t.kind.name()), None);
        for term in &t.terms {
            push(&format!("{}/{}/", t.kind.name(), term.slug), None);
        }
    }
    if let Some(path) = site.contacts_path() {
        push(path, None);
    }
    out.push_str("</urlset>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_load_lazily_and_tables_scroll() {
        let (site, _) = super::super::fixture::site();
        let out = content(
            "<p><img src=\"a.png\" alt=\"图\"></p><table><tr><td>1</td></tr></table>",
            &site,
            &PhotoSet::default(),
            false,
        );
        assert!(out.contains("loading=\"lazy\""), "{out}");
        assert!(
            out.contains("<div class=\"table-wrap\" role=\"region\" aria-label=\"表格1（可左右滑动）\" tabindex=\"0\"><table>"),
            "{out}"
        );
        assert!(out.contains("</table></div>"), "{out}");
    }

    #[test]
    fn xml_escape_drops_control_characters() {
        assert_eq!(xml_escape("a<b>&\"\u{1}"), "a&lt;b&gt;&amp;&quot;");
    }
}
