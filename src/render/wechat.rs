//! A page as one HTML file that survives pasting into the 公众号 (WeChat official
//! account) editor and its 保存: the editor keeps inline `style` only (no `<style>`,
//! `<link>`, `<script>`, classes), re-processes `<div>` on saving (so `<section>`
//! instead), shows at most two levels of list, cannot click external links (so they
//! become numbered notes at the end, as doocs/md does), takes only JPG/PNG pictures
//! (the photos' JPEG copies, by their public address, which the editor fetches), and
//! follows the reader's dark mode unless colours are explicit. Charts, which the
//! editor rejects as `<img src=*.svg>` and drops as inline `<svg>` on saving, become
//! their PNG pictures (`anxuan-chart-N.png` beside the page, made by the build from
//! the same SVG with an embedded font), followed by their data table.
//!
//! The file is for staff, never part of the public site: this module must not hand
//! it to the render queue, and rewrites HTML only through lol_html.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use lol_html::html_content::ContentType;
use lol_html::{element, end_tag, rewrite_str, RewriteStrSettings};

use crate::base::xml::xml_escape;
use crate::model::{Page, Site};
use crate::parse::meta::Kind;

use super::photos::PhotoSet;

/// The editor cuts longer titles (draft/add: 32 characters at most).
pub(crate) const TITLE_LIMIT: usize = 32;

const TEXT: &str = "color:#1a1a1a;";

/// The inline style a tag gets, the theme's look in the editor's terms.
fn style(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "h2" => "color:#1a1a1a;font-size:20px;font-weight:bold;margin:24px 0 12px;line-height:1.4;",
        "h3" => "color:#1a1a1a;font-size:18px;font-weight:bold;margin:20px 0 10px;line-height:1.4;",
        "h4" | "h5" | "h6" => "color:#1a1a1a;font-size:17px;font-weight:bold;margin:16px 0 8px;",
        "p" => "color:#1a1a1a;font-size:17px;line-height:1.8;margin:0 0 14px;",
        "ul" | "ol" => "color:#1a1a1a;font-size:17px;line-height:1.8;margin:0 0 14px;padding-left:24px;",
        "li" => "color:#1a1a1a;margin:4px 0;",
        "table" => "border-collapse:collapse;width:100%;margin:0 0 14px;font-size:15px;color:#1a1a1a;",
        "th" => "border:1px solid #888888;padding:6px 8px;background:#f2f2f2;color:#1a1a1a;font-weight:bold;",
        "td" => "border:1px solid #888888;padding:6px 8px;color:#1a1a1a;",
        "blockquote" => "border-left:4px solid #c8c8c8;margin:0 0 14px;padding:4px 12px;color:#444444;",
        "pre" => "background:#f5f5f5;color:#1a1a1a;padding:10px;font-size:14px;white-space:pre-wrap;",
        "code" => "background:#f5f5f5;color:#1a1a1a;font-size:15px;",
        "img" => "max-width:100%;height:auto;display:block;margin:0 auto 14px;",
        "strong" | "b" => "color:#1a1a1a;font-weight:bold;",
        "figure" | "section" => "margin:0 0 14px;",
        "figcaption" | "caption" => "color:#444444;font-size:15px;margin:0 0 6px;",
        "hr" => "border:0;border-top:1px solid #c8c8c8;margin:20px 0;",
        _ => return None,
    })
}

/// Background and text colour of a level, as the theme's banner shows it.
/// One article for the 公众号 editor.
pub struct Article {
    pub path: String,
    pub title: String,
    /// The title is over 32 characters: the editor would cut it.
    pub title_too_long: bool,
    /// The charts (counted from 1) whose picture is 1 MB or more: the editor refuses it.
    pub charts_too_big: Vec<usize>,
    pub html: String,
}

/// The editor takes pictures under 1 MB (`uploadimg`).
pub(crate) const PICTURE_LIMIT: usize = 1 << 20;

/// The body rewritten for the editor; the notes (external links) collected.
fn body(page: &Page, site: &Site, photos: &PhotoSet) -> (String, Vec<String>) {
    let notes = Rc::new(RefCell::new(Vec::<String>::new()));
    let depth = Rc::new(Cell::new(0usize));
    let (n1, d1, d2) = (notes.clone(), depth.clone(), depth.clone());
    let charts = Cell::new(0usize);
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("*", move |el| {
            let chart = el.tag_name() == "svg"
                && el
                    .get_attribute("class")
                    .is_some_and(|c| c.split_whitespace().any(|c| c == "chart-svg"));
            if chart {
                // The chart's picture (`Job::Chart`), by its public address, which the
                // editor fetches; the data blocks' charts are in the same order.
                let n = charts.get();
                charts.set(n + 1);
                if n < page.charts.len() {
                    let alt = el.get_attribute("aria-label").unwrap_or_default();
                    let width = el.get_attribute("width").unwrap_or_else(|| "360".into());
                    el.replace(
                        &format!(
                            "<img src=\"{}\" alt=\"{}\" style=\"width:100%;max-width:{}px;height:auto;display:block;margin:0 auto 14px;\">",
                            xml_escape(&site.permalink(&page.chart_path(n))),
                            xml_escape(&alt),
                            xml_escape(&width)
                        ),
                        ContentType::Html,
                    );
                    return Ok(());
                }
            }
            el.remove_attribute("class");
            el.remove_attribute("id");
            let tag = el.tag_name();
            match tag.as_str() {
                "div" => el.set_tag_name("section")?,
                "svg" | "script" | "style" | "link" | "button" | "input" | "iframe" => {
                    el.remove();
                    return Ok(());
                }
                // 公众号 has no <details>: its content (a chart's table) is shown.
                "details" | "summary" => {
                    if tag == "summary" {
                        el.remove();
                    } else {
                        el.remove_and_keep_content();
                    }
                    return Ok(());
                }
                _ => {}
            }
            for name in [
                "role",
                "aria-label",
                "tabindex",
                "loading",
                "decoding",
                "srcset",
                "sizes",
            ] {
                el.remove_attribute(name);
            }
            if let Some(s) = style(&el.tag_name()) {
                el.set_attribute("style", s)?;
            }
            Ok(())
        }))
        .append_element_content_handler(element!("ul, ol", move |el| {
            // A third level of list is flattened into sections with a dash: WeChat
            // draws nested lists with extra bullets.
            d1.set(d1.get() + 1);
            let level = d1.get();
            let d = d1.clone();
            el.on_end_tag(end_tag!(move |_| {
                d.set(d.get().saturating_sub(1));
                Ok(())
            }))?;
            if level > 2 {
                el.set_tag_name("section")?;
                el.set_attribute("style", "margin:0 0 0 12px;")?;
            }
            Ok(())
        }))
        .append_element_content_handler(element!("li", move |el| {
            if d2.get() > 2 {
                el.set_tag_name("section")?;
                el.prepend("— ", ContentType::Text);
            }
            Ok(())
        }))
        .append_element_content_handler(element!("a[href]", move |el| {
            let href = el.get_attribute("href").unwrap_or_default();
            if href.starts_with('#') || href.starts_with("tel:") {
                el.remove_and_keep_content();
                return Ok(());
            }
            // The editor cannot follow a link: the address goes to the notes.
            let url = if href.starts_with("http://") || href.starts_with("https://") {
                href
            } else {
                absolute(site, &href)
            };
            let mut notes = n1.borrow_mut();
            let n = match notes.iter().position(|u| *u == url) {
                Some(i) => i + 1,
                None => {
                    notes.push(url);
                    notes.len()
                }
            };
            el.after(
                &format!("<sup style=\"color:#444444;\">[{n}]</sup>"),
                ContentType::Html,
            );
            el.remove_and_keep_content();
            Ok(())
        }))
        .append_element_content_handler(element!("img[src]", move |el| {
            // The editor fetches pictures by their address: the public one, the photo's
            // middle copy (a JPEG under 1 MB).
            let src = el.get_attribute("src").unwrap_or_default();
            let out = src
                .strip_prefix(site.config.base_path.as_str())
                .map(|p| crate::base::url::percent_decode(p).unwrap_or_else(|| p.to_string()));
            let shown = out.as_deref().and_then(|o| photos.shown(o));
            let url =
                match shown.and_then(|s| s.web.iter().find(|c| c.width >= 800).or(s.web.last())) {
                    Some(c) => site.permalink(&c.path),
                    None => absolute(site, &src),
                };
            el.set_attribute("src", &url)?;
            Ok(())
        }));
    let html = &*page.html;
    let out = rewrite_str(html, settings).unwrap_or_else(|_| html.to_string());
    let notes = notes.borrow().clone();
    (out, notes)
}

/// An address on the page as a full address of the site.
fn absolute(site: &Site, href: &str) -> String {
    if href.starts_with("http://") || href.starts_with("https://") || href.contains(':') {
        return href.to_string();
    }
    let path = href
        .strip_prefix(site.config.base_path.as_str())
        .unwrap_or(href);
    site.permalink(path.trim_start_matches('/'))
}

/// The articles of every notice, warning, campaign and statistics page.
pub(crate) fn all(site: &Site, photos: &PhotoSet) -> Vec<Article> {
    site.pages
        .iter()
        .filter(|p| matches!(p.kind, Kind::Notice | Kind::Warning | Kind::Campaign | Kind::Stats))
        .map(|p| {
            let (content, notes) = body(p, site, photos);
            let mut h = String::with_capacity(content.len() + 2048);
            h.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">");
            h.push_str(&format!("<title>{}</title></head>\n<body>\n", xml_escape(&p.meta.title)));
            h.push_str(&format!(
                "<section style=\"{TEXT}background:#ffffff;font-size:17px;line-height:1.8;max-width:677px;\">\n"
            ));
            h.push_str(&format!(
                "<h1 style=\"color:#1a1a1a;font-size:22px;font-weight:bold;line-height:1.4;margin:0 0 12px;\">{}</h1>\n",
                xml_escape(&p.meta.title)
            ));
            if let Some(w) = &p.meta.warning {
                let (bg, fg) = site.config.level_colours(&w.level.id);
                h.push_str(&format!(
                    "<section style=\"background:{bg};color:{fg};padding:12px 14px;margin:0 0 16px;font-size:18px;font-weight:bold;\">{}{}预警</section>\n",
                    xml_escape(&w.hazard),
                    xml_escape(&w.level.zh)
                ));
                let facts = [
                    ("发布单位", w.issuer.clone()),
                    ("发布时间", crate::base::dates::datetime_zh(&crate::base::dates::rfc3339(&w.issued))),
                    ("有效至", crate::base::dates::datetime_zh(&crate::base::dates::rfc3339(&w.expires))),
                    ("影响区域", w.areas.join("、")),
                ];
                for (k, v) in facts.iter().filter(|(_, v)| !v.is_empty()) {
                    h.push_str(&format!(
                        "<p style=\"color:#1a1a1a;font-size:17px;margin:0 0 6px;\"><strong style=\"color:#1a1a1a;\">{k}：</strong>{}</p>\n",
                        xml_escape(v)
                    ));
                }
                if !w.guidance.is_empty() {
                    h.push_str("<h2 style=\"color:#1a1a1a;font-size:20px;font-weight:bold;margin:24px 0 12px;\">防御指南</h2>\n<ol style=\"color:#1a1a1a;font-size:17px;line-height:1.8;padding-left:24px;\">\n");
                    for g in &w.guidance {
                        h.push_str(&format!("<li style=\"color:#1a1a1a;\">{}</li>\n", xml_escape(g)));
                    }
                    h.push_str("</ol>\n");
                }
            }
            h.push_str(&content);
            if !notes.is_empty() {
                h.push_str("<section style=\"color:#444444;font-size:14px;margin:24px 0 0;\">\n<p style=\"color:#444444;font-size:14px;margin:0 0 6px;\">文中链接：</p>\n");
                for (i, u) in notes.iter().enumerate() {
                    h.push_str(&format!(
                        "<p style=\"color:#444444;font-size:14px;margin:0 0 4px;word-break:break-all;\">[{}] {}</p>\n",
                        i + 1,
                        xml_escape(u)
                    ));
                }
                h.push_str("</section>\n");
            }
            h.push_str(&format!(
                "<p style=\"color:#444444;font-size:14px;margin:24px 0 0;word-break:break-all;\">原文网址：{}</p>\n",
                xml_escape(&site.permalink(&p.path))
            ));
            h.push_str("</section>\n</body></html>\n");
            Article {
                path: p.path.clone(),
                title: p.meta.title.clone(),
                title_too_long: p.meta.title.chars().count() > TITLE_LIMIT,
                // Drawn again (staff only): the build hands its pictures to the sink.
                charts_too_big: p
                    .charts
                    .iter()
                    .enumerate()
                    .filter(|(_, svg)| {
                        crate::data::raster::chart_png(svg).is_some_and(|png| png.len() >= PICTURE_LIMIT)
                    })
                    .map(|(n, _)| n + 1)
                    .collect(),
                html: h,
            }
        })
        .collect()
}
