//! The default theme's promises (SPEC §4), read from the built files without a
//! browser: warning banners most severe first and only while in force, warning and
//! campaign states at `--now`, hotlines as `tel:` links in every footer, light pages
//! that ask no other host for anything, a usable share picture, a print stylesheet.

use std::collections::BTreeSet;

use crate::support::{Site, CONFIG};

const BASE: &str = "https://anquan.ceshi.gov.cn/zhen/";

/// Four warnings at the default `--now` (2024-01-01 12:00): red and yellow in force,
/// orange lifted at 11:00, blue expired at 11:00. The yellow one was issued after the
/// red one and the two that are over were issued last, so neither date order nor file
/// order gives the order the spec asks for.
fn safety_site() -> Site {
    let site = Site::new();
    site.file(
        "config.toml",
        &format!(
            "{CONFIG}\n[privacy]\nallow = [\"0875-2123456\"]\n\n\
             [[hotlines]]\nname = \"火警\"\nnumber = \"119\"\n\n\
             [[hotlines]]\nname = \"镇应急值班\"\nnumber = \"0875-2123456\"\n"
        ),
    );
    site.page(
        "content/warnings/a-red.md",
        "title = \"暴雨红色预警\"\nlevel = \"红色\"\nhazard = \"暴雨\"\nissued = 2023-12-31T20:00:00+08:00\nexpires = 2024-01-02T08:00:00+08:00\nguidance = [\"远离河道\"]",
        "正文\n",
    );
    site.page(
        "content/warnings/b-yellow.md",
        "title = \"大风黄色预警\"\nlevel = \"yellow\"\nhazard = \"大风\"\nissued = 2024-01-01T09:00:00+08:00\nexpires = 2024-01-03T08:00:00+08:00",
        "正文\n",
    );
    site.page(
        "content/warnings/c-lifted.md",
        "title = \"森林火险橙色预警\"\nlevel = \"orange\"\nhazard = \"森林火险\"\nissued = 2024-01-01T10:00:00+08:00\nexpires = 2024-01-05T08:00:00+08:00\nlifted = 2024-01-01T11:00:00+08:00",
        "正文\n",
    );
    site.page(
        "content/warnings/d-old.md",
        "title = \"寒潮蓝色预警\"\nlevel = \"blue\"\nhazard = \"寒潮\"\nissued = 2024-01-01T06:00:00+08:00\nexpires = 2024-01-01T11:00:00+08:00",
        "正文\n",
    );
    for (slug, start, end) in [
        ("now", "2023-12-25", "2024-01-10"),
        ("soon", "2024-02-01", "2024-02-02"),
        ("past", "2023-06-01", "2023-06-30"),
    ] {
        site.page(
            &format!("content/campaigns/{slug}.md"),
            &format!("title = \"活动{slug}\"\nstart = {start}\nend = {end}\nlocation = \"镇政府\"\ntheme = \"人人讲安全、个个会应急\""),
            "正文\n",
        );
    }
    // A long notice, with a link the author wrote to another site (allowed: a link the
    // reader may follow is not a request the page makes).
    site.page(
        "content/notices/a.md",
        "title = \"通知\"\ndate = 2023-12-01",
        &format!(
            "详见[应急管理部网站](https://www.mem.gov.cn/)。\n\n{}",
            "各村要做好防汛准备，确保群众生命财产安全。\n\n".repeat(200)
        ),
    );
    site
}

// ---- reading our own output (tests only: attributes are double-quoted, tags lowercase)

/// Every start tag (`<name ...>`) in `html` with its byte offset; only those named
/// `name` if given.
fn start_tags<'a>(html: &'a str, name: Option<&str>) -> Vec<(usize, &'a str)> {
    let mut tags = Vec::new();
    let mut from = 0;
    while let Some(i) = html[from..].find('<') {
        let at = from + i;
        from = at + 1;
        let tag_name: String = html[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if tag_name.is_empty() || name.is_some_and(|n| n != tag_name) {
            continue;
        }
        let end = html[at..].find('>').map_or(html.len(), |e| at + e + 1);
        tags.push((at, &html[at..end]));
    }
    tags
}

/// The value of attribute `name` in a start tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("{name}=\"");
    let mut from = 0;
    while let Some(i) = tag[from..].find(&key) {
        let at = from + i;
        from = at + key.len();
        if tag[..at].ends_with(|c: char| c.is_ascii_whitespace()) {
            return tag[from..].find('"').map(|e| &tag[from..from + e]);
        }
    }
    None
}

/// The whole element whose start tag is at `at`, to its matching end tag.
fn element(html: &str, at: usize) -> &str {
    let name: String = html[at + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let close = format!("</{name}>");
    let opens: Vec<usize> = start_tags(&html[at..], Some(&name))
        .into_iter()
        .map(|(i, _)| at + i)
        .collect();
    let mut depth = 0;
    let mut next_open = 0;
    for (c, _) in html[at..].match_indices(&close) {
        let c = at + c;
        while next_open < opens.len() && opens[next_open] < c {
            depth += 1;
            next_open += 1;
        }
        depth -= 1;
        if depth == 0 {
            return &html[at..c + close.len()];
        }
    }
    panic!("<{name}> at {at} is not closed")
}

/// The first element whose start tag begins with `start`, e.g. `<main`.
#[track_caller]
fn first<'a>(html: &'a str, start: &str) -> &'a str {
    let at = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in:\n{html}"));
    element(html, at)
}

/// Text without tags.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// `2024-01-02T08:00:00+08:00`, `…Z`, with optional fractional seconds: RFC 3339's
/// date-time, which `Date.parse` in every browser reads.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |from: usize, to: usize| {
        b.get(from..to)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let date_time = digits(0, 4)
        && b.get(4) == Some(&b'-')
        && digits(5, 7)
        && b.get(7) == Some(&b'-')
        && digits(8, 10)
        && matches!(b.get(10), Some(b'T' | b't'))
        && digits(11, 13)
        && b.get(13) == Some(&b':')
        && digits(14, 16)
        && b.get(16) == Some(&b':')
        && digits(17, 19);
    if !date_time {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    let o = rest.as_bytes();
    matches!(rest, "Z" | "z")
        || (o.len() == 6
            && matches!(o[0], b'+' | b'-')
            && o[1..3].iter().all(u8::is_ascii_digit)
            && o[3] == b':'
            && o[4..6].iter().all(u8::is_ascii_digit))
}

fn instant(s: &str) -> jiff::Timestamp {
    s.parse()
        .unwrap_or_else(|e| panic!("{s:?} is not a date-time: {e}"))
}

/// Every page a reader can land on: the built HTML files except redirect stubs.
fn pages(site: &Site) -> Vec<(String, String)> {
    let pages: Vec<(String, String)> = site
        .files()
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .map(|f| {
            let html = site.read(&f);
            (f, html)
        })
        .filter(|(_, html)| !html.contains("http-equiv=\"refresh\""))
        .collect();
    assert!(pages.len() > 5, "too few pages: {:?}", site.files());
    pages
}

/// The active-warning banners of a page: (level, expires, text), in document order.
fn banners(html: &str) -> Vec<(String, String, String)> {
    start_tags(html, None)
        .into_iter()
        .filter_map(|(at, tag)| {
            let level = attr(tag, "data-warning-level")?;
            Some((
                level.to_string(),
                attr(tag, "data-expires").unwrap_or("").to_string(),
                text(element(html, at)),
            ))
        })
        .collect()
}

/// The `<li>` of a list page that holds `title`.
#[track_caller]
fn list_item<'a>(list: &'a str, title: &str) -> &'a str {
    let at = list
        .find(title)
        .unwrap_or_else(|| panic!("{title} is not listed:\n{list}"));
    let li = list[..at].rfind("<li").expect("a list item");
    element(list, li)
}

#[test]
fn banners_are_most_severe_first_and_only_while_in_force() {
    let site = safety_site();
    site.build().assert_clean();
    for (page, html) in pages(&site) {
        let found = banners(&html);
        let levels: Vec<&str> = found.iter().map(|b| b.0.as_str()).collect();
        assert_eq!(
            levels,
            ["red", "yellow"],
            "{page}: a banner for each warning in force, most severe first, none for the lifted or expired ones"
        );
        for ((level, expires, words), (want_expires, name)) in found.iter().zip([
            ("2024-01-02T08:00:00+08:00", "红色预警"),
            ("2024-01-03T08:00:00+08:00", "黄色预警"),
        ]) {
            assert!(
                is_rfc3339(expires),
                "{page}: {level} banner's data-expires {expires:?} is not RFC 3339"
            );
            assert_eq!(
                instant(expires),
                instant(want_expires),
                "{page}: {level} banner's data-expires"
            );
            assert!(
                words.contains(name),
                "{page}: the {level} banner names its level in words ({name}): {words:?}"
            );
        }
    }

    let main = |page: &str| text(first(&site.read(page), "<main"));
    let lifted = main("warnings/c-lifted/index.html");
    assert!(lifted.contains("已解除"));
    // The planned end of a lifted warning is history, not how long to stay careful.
    assert!(
        lifted.contains("原定有效至") && !lifted.replace("原定有效至", "").contains("有效至"),
        "a lifted warning names its planned end as such: {lifted}"
    );
    assert!(!main("warnings/d-old/index.html").contains("原定有效至"));
    assert!(main("warnings/d-old/index.html").contains("已过期"));
    let list = site.read("warnings/index.html");
    let list = first(&list, "<main");
    let at = |title: &str| list.find(title).unwrap_or_else(|| panic!("{title}"));
    for active in ["暴雨红色预警", "大风黄色预警"] {
        for over in ["森林火险橙色预警", "寒潮蓝色预警"] {
            assert!(
                at(active) < at(over),
                "the warnings list shows {active} (in force) before {over}:\n{list}"
            );
        }
    }
    assert!(text(list_item(list, "森林火险橙色预警")).contains("已解除"));
    assert!(text(list_item(list, "寒潮蓝色预警")).contains("已过期"));

    // A day later the red warning has expired: the build at that time drops its banner.
    site.run(&["build", "--now", "2024-01-02T12:00:00+08:00"])
        .assert_clean();
    for (page, html) in pages(&site) {
        let levels: Vec<String> = banners(&html).into_iter().map(|b| b.0).collect();
        assert_eq!(levels, ["yellow"], "{page} on 2 January");
    }
    assert!(main("warnings/a-red/index.html").contains("已过期"));
}

#[test]
fn campaigns_show_their_state_at_build_time() {
    let site = safety_site();
    let states = ["进行中", "即将开始", "已结束"];
    for (now, expect) in [
        (
            "2024-01-01T12:00:00+08:00",
            [("now", "进行中"), ("soon", "即将开始"), ("past", "已结束")],
        ),
        (
            "2024-02-01T12:00:00+08:00",
            [("now", "已结束"), ("soon", "进行中"), ("past", "已结束")],
        ),
    ] {
        site.run(&["build", "--now", now]).assert_clean();
        for (slug, state) in expect {
            let html = site.read(&format!("campaigns/{slug}/index.html"));
            let main = text(first(&html, "<main"));
            for other in states {
                assert_eq!(
                    main.contains(other),
                    other == state,
                    "campaign {slug} at {now} is {state}, and only that:\n{main}"
                );
            }
        }
    }
}

/// The host of an absolute URL (`https://host/...`, `//host/...`), or None for a URL
/// on the same site (relative, root-relative, `data:`).
fn host(url: &str) -> Option<String> {
    let url = url.trim().to_ascii_lowercase();
    let rest = if let Some(r) = url.strip_prefix("//") {
        r.to_string()
    } else {
        let scheme = url.find(':')?;
        if url[..scheme].contains('/') || url[..scheme].contains('?') {
            return None; // a relative path with a colon later on
        }
        match url[scheme + 1..].strip_prefix("//") {
            Some(r) => r.to_string(),
            None if &url[..scheme] == "data" => return None,
            None => return Some(url[..scheme].to_string()), // mailto:, javascript:, ...
        }
    };
    Some(rest.split(['/', '?', '#']).next().unwrap_or("").to_string())
}

/// The file in public/ that a page's `url` names.
fn output_file(site: &Site, base: &str, page: &str, url: &str) -> std::path::PathBuf {
    let url = url.split(['?', '#']).next().unwrap();
    let base_path = &base[base.find("//").unwrap() + 2..];
    let base_path = &base_path[base_path.find('/').unwrap()..];
    let rel = if let Some(r) = url.strip_prefix(base) {
        r.to_string()
    } else if let Some(r) = url.strip_prefix(base_path) {
        r.to_string()
    } else {
        assert!(!url.starts_with('/'), "{page}: {url} is outside the site");
        let dir = page.rsplit_once('/').map_or("", |(d, _)| d);
        format!("{dir}/{url}")
    };
    site.out(&rel)
}

/// Each page's own HTML, CSS and JS ≤ 60 KB; no page, stylesheet or script loads
/// anything from a host other than the site's own.
fn assert_light_and_local(site: &Site, base: &str) {
    let own = host(base);
    let mut stylesheets = BTreeSet::new();
    for (page, html) in pages(site) {
        let mut files = BTreeSet::new();
        let mut has_css = false;
        for (_, tag) in start_tags(&html, Some("link")) {
            let rel = attr(tag, "rel").unwrap_or("");
            if rel.split_ascii_whitespace().any(|r| r == "stylesheet") {
                let href = attr(tag, "href").expect("a stylesheet's href");
                let file = output_file(site, base, &page, href);
                stylesheets.insert(file.clone());
                files.insert(file);
                has_css = true;
            }
        }
        for (_, tag) in start_tags(&html, Some("script")) {
            if let Some(src) = attr(tag, "src") {
                files.insert(output_file(site, base, &page, src));
            }
        }
        assert!(has_css, "{page}: no stylesheet");
        let mut weight = html.len();
        for f in &files {
            weight += std::fs::metadata(f)
                .unwrap_or_else(|e| panic!("{page} refers to {}: {e}", f.display()))
                .len() as usize;
        }
        assert!(
            weight <= 60 * 1024,
            "{page}: {weight} bytes of HTML, CSS and JS ({} bytes HTML, {files:?})",
            html.len()
        );
        for name in [
            "link", "script", "img", "source", "iframe", "video", "audio", "embed", "object",
            "track", "input", "image", "use",
        ] {
            for (_, tag) in start_tags(&html, Some(name)) {
                for a in ["href", "src", "srcset", "poster", "data", "xlink:href"] {
                    let Some(value) = attr(tag, a) else { continue };
                    for url in value.split(',').filter_map(|c| c.split_whitespace().next()) {
                        let h = host(url);
                        assert!(
                            h.is_none() || h == own,
                            "{page}: {tag} refers to another host"
                        );
                    }
                }
            }
        }
    }
    for css in stylesheets {
        let text = std::fs::read_to_string(&css).unwrap();
        for part in text
            .split("url(")
            .skip(1)
            .chain(text.split("@import").skip(1))
        {
            let url: String = part
                .trim_start_matches([' ', '"', '\''])
                .chars()
                .take_while(|c| !matches!(c, '"' | '\'' | ')' | ';' | ' '))
                .collect();
            let h = host(&url);
            assert!(
                h.is_none() || h == own,
                "{}: loads {url} from another host",
                css.display()
            );
        }
    }
}

#[test]
fn pages_are_light_and_ask_no_other_host() {
    let site = safety_site();
    site.build().assert_clean();
    assert_light_and_local(&site, BASE);
    // The author's own link to another site stays a link.
    assert!(site
        .read("notices/a/index.html")
        .contains("href=\"https://www.mem.gov.cn/\""));

    // The example site, with the real pages a township publishes (statistics with
    // charts and tables, long notices), on a day a warning is in force.
    let example = Site::example();
    example
        .run(&["build", "--now", "2026-11-23T12:00:00+08:00"])
        .assert_ok();
    let config = std::fs::read_to_string(example.path().join("config.toml")).unwrap();
    let base = config
        .lines()
        .find_map(|l| l.strip_prefix("base_url"))
        .and_then(|l| l.split('"').nth(1))
        .expect("base_url in the example's config.toml");
    assert_light_and_local(&example, base);
}

#[test]
fn every_footer_has_the_hotlines_as_tel_links() {
    let site = safety_site();
    site.build().assert_clean();
    for (page, html) in pages(&site) {
        let footer = first(&html, "<footer");
        let tels: BTreeSet<String> = start_tags(footer, Some("a"))
            .into_iter()
            .filter_map(|(_, tag)| attr(tag, "href")?.strip_prefix("tel:").map(str::to_string))
            .map(|t| t.replace(['-', ' '], ""))
            .collect();
        for number in ["119", "08752123456"] {
            assert!(
                tels.contains(number),
                "{page}: the footer has no tel: link for {number}: {tels:?}"
            );
        }
        // Phone auto-detection is off, so only the explicit links dial.
        assert!(
            start_tags(&html, Some("meta")).into_iter().any(|(_, t)| {
                attr(t, "name") == Some("format-detection")
                    && attr(t, "content").is_some_and(|c| c.contains("telephone=no"))
            }),
            "{page}: no <meta name=\"format-detection\" content=\"telephone=no\">"
        );
    }
}

#[test]
fn a_print_stylesheet_exists() {
    let site = safety_site();
    site.build().assert_clean();
    let html = site.read("notices/a/index.html");
    let mut print = false;
    for (_, tag) in start_tags(&html, Some("link")) {
        if !attr(tag, "rel").is_some_and(|r| r.contains("stylesheet")) {
            continue;
        }
        let media = attr(tag, "media").unwrap_or("all");
        let href = attr(tag, "href").unwrap();
        let css = std::fs::read_to_string(output_file(&site, BASE, "notices/a/index.html", href))
            .unwrap();
        print |= media.contains("print") || css.contains("@media print");
    }
    assert!(print, "no @media print rules and no media=print stylesheet");
}

#[test]
fn the_share_picture_is_absolute_square_and_small() {
    let site = safety_site();
    site.build().assert_clean();
    let mut image = None;
    for (page, html) in pages(&site) {
        let meta = |key: &str, value: &str| {
            start_tags(&html, Some("meta"))
                .into_iter()
                .find(|(_, t)| attr(t, key) == Some(value))
                .and_then(|(_, t)| attr(t, "content"))
                .unwrap_or_else(|| panic!("{page}: no <meta {key}=\"{value}\">"))
                .to_string()
        };
        let og = meta("property", "og:image");
        assert!(
            og.starts_with(BASE),
            "{page}: og:image {og} is not absolute"
        );
        assert_eq!(meta("itemprop", "image"), og, "{page}: itemprop image");
        image = Some(og);
    }
    // No page or site image: the theme's built-in one.
    let image = image.unwrap();
    let png = std::fs::read(site.out(&image[BASE.len()..])).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{image} is a PNG");
    assert_eq!(&png[12..16], b"IHDR", "{image}: the first chunk is IHDR");
    let dim = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    let (w, h) = (dim(16), dim(20));
    assert!(
        w >= 300 && w == h,
        "{image} is {w}x{h}: square, 300 or more"
    );
    assert!(png.len() <= 32 * 1024, "{image}: {} bytes", png.len());
}
