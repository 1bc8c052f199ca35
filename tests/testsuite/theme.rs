//! The default theme's promises, read from the built files: light pages that ask no
//! other host for anything, a usable share picture, warnings and campaigns in their
//! state at `--now`, hotlines in every footer, a print stylesheet.

use crate::support::{between, Site, CONFIG};

fn safety_site() -> Site {
    let site = Site::new();
    site.file(
        "config.toml",
        &format!("{CONFIG}\n[[hotlines]]\nname = \"火警\"\nnumber = \"119\"\n"),
    );
    site.page(
        "content/warnings/red.md",
        "title = \"暴雨红色预警\"\nlevel = \"红色\"\nhazard = \"暴雨\"\nissued = 2024-01-01T08:00:00+08:00\nexpires = 2024-01-02T08:00:00+08:00\nguidance = [\"远离河道\"]",
        "正文\n",
    );
    site.page(
        "content/warnings/yellow.md",
        "title = \"大风黄色预警\"\nlevel = \"yellow\"\nhazard = \"大风\"\nissued = 2024-01-01T09:00:00+08:00\nexpires = 2024-01-02T08:00:00+08:00",
        "正文\n",
    );
    site.page(
        "content/warnings/old.md",
        "title = \"寒潮蓝色预警\"\nlevel = \"blue\"\nhazard = \"寒潮\"\nissued = 2023-12-01T08:00:00+08:00\nexpires = 2023-12-02T08:00:00+08:00",
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
    site.page(
        "content/notices/a.md",
        "title = \"通知\"\ndate = 2023-12-01",
        &"各村要做好防汛准备。\n\n".repeat(200),
    );
    site
}

#[test]
fn banners_are_most_severe_first_and_only_while_in_force() {
    let site = safety_site();
    site.build().assert_clean();
    for page in [
        "index.html",
        "notices/a/index.html",
        "warnings/old/index.html",
    ] {
        let html = site.read(page);
        let banners = between(&html, "class=\"banners\"", "</div>");
        let red = banners.find("data-warning-level=\"red\"").expect(page);
        let yellow = banners.find("data-warning-level=\"yellow\"").expect(page);
        assert!(red < yellow, "{page}: most severe first");
        assert!(!banners.contains("\"blue\""), "{page}: expired, no banner");
        assert!(banners.contains("data-expires=\"2024-01-02T08:00:00+08:00\""));
        assert!(banners.contains("红色预警") && banners.contains("黄色预警"));
    }
    assert!(site.read("warnings/old/index.html").contains("已过期"));
    let list = site.read("warnings/index.html");
    let (red, old) = (list.find("暴雨红色预警"), list.find("寒潮蓝色预警"));
    assert!(red.unwrap() < old.unwrap(), "active warnings first");
}

#[test]
fn campaigns_show_their_state_at_build_time() {
    let site = safety_site();
    site.build().assert_clean();
    for (slug, state) in [("now", "进行中"), ("soon", "即将开始"), ("past", "已结束")] {
        let html = site.read(&format!("campaigns/{slug}/index.html"));
        assert!(html.contains(state), "{slug}: {state}");
    }
}

#[test]
fn pages_are_light_local_and_printable_with_hotlines_in_every_footer() {
    let site = safety_site();
    site.build().assert_clean();
    let files = site.files();
    let asset = |prefix: &str, ext: &str| {
        let name = files
            .iter()
            .find(|f| f.starts_with(prefix) && f.ends_with(ext))
            .unwrap_or_else(|| panic!("no {prefix}*{ext} in {files:?}"));
        std::fs::read(site.out(name)).unwrap()
    };
    let css = String::from_utf8(asset("style.", ".css")).unwrap();
    let js = asset("anxuan.", ".js");
    assert!(css.contains("@media print"), "a print stylesheet");
    for page in files.iter().filter(|f| f.ends_with(".html")) {
        let html = site.read(page);
        if html.contains("http-equiv=\"refresh\"") {
            continue; // a redirect stub
        }
        let weight = html.len() + css.len() + js.len();
        assert!(
            weight <= 60 * 1024,
            "{page}: {weight} bytes with CSS and JS"
        );
        // No resource from another host: src=, and href= of <link>.
        for attr in [
            "src=\"",
            "<link rel=\"stylesheet\" href=\"",
            "<link rel=\"icon\" href=\"",
        ] {
            for part in html.split(attr).skip(1) {
                let url = &part[..part.find('"').unwrap()];
                assert!(
                    !url.starts_with("http") && !url.starts_with("//"),
                    "{page} loads {url}"
                );
            }
        }
        assert!(
            html.contains("href=\"tel:119\""),
            "{page}: hotline in footer"
        );
    }
}

#[test]
fn the_share_picture_is_absolute_square_and_small() {
    let site = safety_site();
    site.build().assert_clean();
    let html = site.read("notices/a/index.html");
    let image = between(&html, "<meta property=\"og:image\" content=\"", "\"");
    let prefix = "https://anquan.example.gov.cn/zhen/";
    assert!(image.starts_with(prefix), "{image}");
    let png = std::fs::read(site.out(&image[prefix.len()..])).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let dim = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    let (w, h) = (dim(16), dim(20));
    assert!(w >= 300 && w == h, "{w}x{h}");
    assert!(png.len() <= 32 * 1024, "{} bytes", png.len());
}
