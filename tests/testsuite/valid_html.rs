//! SPEC §4: every page is valid HTML, as the W3C Nu Html Checker (`vnu-jar`, pinned in
//! tests/browser, run with the system's Java) judges it. The example site is built at
//! a moment when a warning is in force, with extra pages that exercise what the
//! theme and the Markdown stages generate: banners of every level, a paged section,
//! tags, aliases, data tables and charts, tab tables from Word, telephone links,
//! sanitised raw HTML, footnotes, task lists, heading ids, code, leaflets of every
//! paper, the search page, contacts and the 404 page.

use std::path::PathBuf;
use std::process::Command;

use crate::support::Site;

fn vnu_jar() -> PathBuf {
    crate::support::npm_package("vnu-jar", "build/dist/vnu.jar").join("build/dist/vnu.jar")
}

fn with_every_feature(site: &Site) {
    for (i, level) in ["blue", "yellow", "orange", "red"].iter().enumerate() {
        site.page(
            &format!("content/warnings/test-{level}.md"),
            &format!(
                "title = \"测试{}预警\"\nlevel = \"{level}\"\nhazard = \"大风\"\nissued = 2026-12-0{}T08:00:00+08:00\nexpires = 2026-12-20\nissuer = \"测试县气象台\"\nareas = [\"全镇\"]\nguidance = [\"加固搭建物。\"]",
                ["蓝色", "黄色", "橙色", "红色"][i],
                i + 1
            ),
            "\n注意防范。\n",
        );
    }
    site.page(
        "content/notices/every-feature/index.md",
        "title = \"各种写法\"\ndate = 2026-11-30\ntags = [\"测试\", \"防汛\"]\naliases = [\"/old/every-feature/\"]",
        concat!(
            "\n## 概况 {#gai-kuang}\n\n",
            "\t各村（社区）：这是 Word 的首行缩进。\n\n",
            "村名\t隐患\t整改\n东村\t3\t2\n西村\t4\t4\n\n",
            "值班电话 0851-12345678，火警请拨打119，举报 12350。\n\n",
            "<p style=\"color:red\">粘贴的<b>粗体</b><span>文字</span><script>alert(1)</script></p>\n\n",
            "- [x] 已完成\n- [ ] 未完成\n\n",
            "脚注[^1]。\n\n[^1]: 脚注内容。\n\n",
            "```rust\nfn main() {}\n```\n\n",
            "| 甲 | 乙 |\n|---|---:|\n| 1 | 2 |\n\n",
            "```table src=data.csv sum=true\n```\n\n",
            "```chart src=data.csv type=bar title=隐患\n```\n\n",
            "```chart src=data.csv type=ring y=已整改,发现隐患 title=整改率\n```\n\n",
            "![照片](photo.png)\n\n![河道巡查](river.jpg)\n\n[![链接里的照片](river.jpg)](#gai-kuang)\n\n[回到概况](#gai-kuang)\n",
        ),
    );
    site.file(
        "content/notices/every-feature/data.csv",
        "村,发现隐患,已整改,整改率\n东村,3,2,66.7%\n西村,4,4,100%\n合计,7,6,85.7%\n",
    );
    site.bytes(
        "content/notices/every-feature/photo.png",
        include_bytes!("../../themes/default/static/share.png"),
    );
    // A photo wide enough for copies in `srcset`.
    let img = image::RgbImage::from_fn(1000, 750, |x, y| {
        image::Rgb([(x / 4) as u8, (y / 3) as u8, 128])
    });
    let jpeg = crate::support::encode(img, image::ImageFormat::Jpeg);
    site.bytes("content/notices/every-feature/river.jpg", &jpeg);
    // Enough notices for a second page of the section list.
    for n in 0..12 {
        site.page(
            &format!("content/notices/n{n}.md"),
            &format!("title = \"通知{n}\"\ndate = 2026-10-{:02}", n + 1),
            "\n正文。\n",
        );
    }
}

#[test]
fn every_page_of_a_full_site_is_valid_html() {
    let site = Site::example();
    with_every_feature(&site);
    site.run(&["build", "--now", "2026-12-05T12:00:00+08:00"])
        .assert_ok();
    let out = site.path().join("public");
    let pages = site
        .files()
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .count();
    assert!(pages > 60, "the site has its pages: {pages}");
    let banners = site.read("index.html");
    assert!(
        banners.contains("data-warning-level=\"red\"")
            && banners.contains("data-warning-level=\"blue\""),
        "banners of every level are on the pages checked"
    );
    let run = Command::new("java")
        .arg("-jar")
        .arg(vnu_jar())
        .args(["--errors-only", "--skip-non-html", "--format", "gnu"])
        .arg(&out)
        .output()
        .expect("run java (apt-get install default-jre-headless; .ci/run does)");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        run.status.success() && said.trim().is_empty(),
        "the Nu Html Checker found errors:\n{said}"
    );
}

/// The checker itself must catch what it is here for, or the test above proves
/// nothing: a site template with an invalid element fails it.
#[test]
fn the_checker_catches_an_invalid_page() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", "\n正文。\n");
    site.file(
        "templates/404.html",
        "<!DOCTYPE html><html lang=\"zh\"><head><title>找不到</title></head><body><div><li>不在列表里的项</li></div></body></html>",
    );
    site.build().assert_ok();
    let run = Command::new("java")
        .arg("-jar")
        .arg(vnu_jar())
        .args(["--errors-only", "--format", "gnu"])
        .arg(site.out("404.html"))
        .output()
        .expect("run java");
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(
        !run.status.success() && said.contains("404.html") && said.contains("li"),
        "{said}"
    );
}
