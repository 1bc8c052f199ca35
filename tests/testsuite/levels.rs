//! Warning levels a site adds or narrows in config.toml (SPEC §3: provinces differ).

use crate::support::{Site, CONFIG};

const LEVELS: &str = r##"
[[warnings.levels]]
id = "white"
name = "白色"
rank = 0
colour = "#f2f2f2"
text = "#1a1a1a"

[warnings.hazards]
"森林火险" = ["黄色", "orange", "red"]
"##;

fn warning(site: &Site, file: &str, level: &str, hazard: &str) {
    site.page(
        &format!("content/warnings/{file}.md"),
        &format!(
            "title = \"{hazard}预警\"\nlevel = \"{level}\"\nhazard = \"{hazard}\"\nissued = 2024-01-01T08:00:00+08:00\nexpires = 2024-01-02T08:00:00+08:00"
        ),
        "正文\n",
    );
}

#[test]
fn a_site_may_add_a_level_with_its_own_colours() {
    let site = Site::new();
    site.file("config.toml", &format!("{CONFIG}{LEVELS}"));
    warning(&site, "a", "白色", "大风");
    warning(&site, "b", "red", "暴雨");
    site.build().assert_clean();
    let home = site.read("index.html");
    let red = home.find("data-warning-level=\"red\"").expect("red banner");
    let white = home
        .find("data-warning-level=\"white\"")
        .expect("white banner");
    assert!(red < white, "most severe first");
    assert!(site.read("warnings/a/index.html").contains("白色预警"));
    let css_name = site
        .files()
        .into_iter()
        .find(|f| f.starts_with("style.") && f.ends_with(".css"))
        .unwrap();
    let css = site.read(&css_name);
    assert!(
        css.contains(".banner-white, .wcard-white .wcard-head, .level-white { background: #f2f2f2; color: #1a1a1a; }"),
        "{}",
        &css[css.len().saturating_sub(400)..]
    );
}

#[test]
fn a_hazard_may_be_narrowed_to_some_levels() {
    let site = Site::new();
    site.file("config.toml", &format!("{CONFIG}{LEVELS}"));
    warning(&site, "f", "blue", "森林火险");
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("content/warnings/f.md:3:9: 错误：本站的森林火险预警没有蓝色这一级"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("森林火险预警可用的级别：黄色、橙色、红色"),
        "{}",
        run.stderr
    );
    let en = site.run(&["--lang", "en", "build"]);
    assert!(
        en.stderr.contains("may be: yellow, orange, red"),
        "{}",
        en.stderr
    );
    // Unknown levels list the site's own too.
    warning(&site, "f", "purple", "大风");
    let run = site.build();
    assert!(
        run.stderr.contains("可用：蓝色、黄色、橙色、红色、白色"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_added_level_must_be_readable() {
    let site = Site::new();
    site.file(
        "config.toml",
        &format!("{CONFIG}{}", LEVELS.replace("#1a1a1a", "#ffffff")),
    );
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr.contains(
            "config.toml: 错误：预警级别 `white` 的文字颜色 #ffffff 在 #f2f2f2 上对比度只有 1.1:1"
        ),
        "{}",
        run.stderr
    );
}
