//! Bad input: every error names file:line:column, says what is wrong and what is
//! accepted, all errors of a build are reported, and the exit code is 1.

use crate::support::Site;

#[test]
fn unknown_key_names_file_line_column_and_suggests() {
    let site = Site::new();
    site.file(
        "content/notices/a.md",
        "+++\ntitle = \"通知\"\n\ndat = 2023-06-04\n+++\n正文\n",
    );
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("content/notices/a.md:4:1: 错误：未知的键 `dat`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("是不是 `date`"), "{}", run.stderr);
    let en = site.run(&["--lang", "en", "build"]);
    assert!(
        en.stderr
            .contains("content/notices/a.md:4:1: error: unknown key `dat`"),
        "{}",
        en.stderr
    );
    assert!(en.stderr.contains("did you mean `date`"), "{}", en.stderr);
}

#[test]
fn yaml_errors_carry_the_line_in_the_file() {
    let site = Site::new();
    site.file(
        "content/notices/y.md",
        "---\ntitle: 通知\ntags: [防汛\ndate: 2023-06-04\n---\n正文\n",
    );
    let run = site.build();
    run.assert_code(1);
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("content/notices/y.md:"))
        .expect(&run.stderr);
    let n: usize = line.split(':').nth(1).unwrap().parse().unwrap();
    assert!(
        (3..=5).contains(&n),
        "YAML error should point into the front matter, got line {n}: {}",
        run.stderr
    );
}

#[test]
fn toml_errors_carry_the_line_in_the_file() {
    let site = Site::new();
    site.file(
        "content/notices/t.md",
        "+++\ntitle = \"通知\"\ndate = 2023-13-45\n+++\n",
    );
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr.contains("content/notices/t.md:3:"),
        "{}",
        run.stderr
    );
}

#[test]
fn warning_rules_say_what_is_accepted() {
    let site = Site::new();
    site.page(
        "content/warnings/w.md",
        "title = \"预警\"\nlevel = \"purple\"\nhazard = \"暴雨\"\nissued = 2023-06-04T08:00:00+08:00\nexpires = 2023-06-03T08:00:00+08:00",
        "",
    );
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("content/warnings/w.md:3:9: 错误：未知的预警级别 `purple`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("可用：蓝色、黄色、橙色、红色（也可以写 blue, yellow, orange, red）"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/warnings/w.md:6:11"),
        "expires before issued: {}",
        run.stderr
    );
}

#[test]
fn every_error_of_a_build_is_reported() {
    let site = Site::new();
    site.page("content/notices/a.md", "titel = \"甲\"", "");
    site.page(
        "content/notices/b.md",
        "title = \"乙\"",
        "[坏链接](@/notices/nope.md)",
    );
    site.page(
        "content/notices/c.md",
        "title = \"丙\"\ndate = \"昨天\"",
        "",
    );
    let run = site.build();
    run.assert_code(1);
    for needle in [
        "content/notices/a.md:2:1",
        "content/notices/b.md:4:1",
        "content/notices/c.md:3:8",
        "共 3 个错误",
    ] {
        assert!(
            run.stderr.contains(needle),
            "missing {needle} in:\n{}",
            run.stderr
        );
    }
    // Sorted by file.
    let a = run.stderr.find("content/notices/a.md").unwrap();
    let c = run.stderr.find("content/notices/c.md").unwrap();
    assert!(a < c);
}

#[test]
fn missing_title_and_missing_front_matter() {
    let site = Site::new();
    site.page("content/notices/a.md", "date = 2023-06-04", "");
    site.file("content/notices/b.md", "# 只有正文\n");
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("content/notices/a.md:1:1: 错误：缺少 `title`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/notices/b.md:1:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn broken_links_and_images_are_errors_with_suggestions() {
    let site = Site::new();
    site.page("content/notices/fang-xun.md", "title = \"防汛\"", "");
    site.page(
        "content/notices/a.md",
        "title = \"甲\"",
        "见[防汛](@/notices/fang-xu.md)。\n\n![图](missing.png)\n",
    );
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr.contains("content/notices/a.md:4:2"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("是不是 `@/notices/fang-xun.md`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("content/notices/a.md:6:1: 错误：图片 `missing.png` 不存在"),
        "{}",
        run.stderr
    );
}

#[test]
fn template_errors_name_the_template_file_and_line() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", "");
    site.file(
        "templates/page.html",
        "<html>\n<body>\n{% if page.title %}\n{{ page.title }\n</body></html>\n",
    );
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr.contains("templates/page.html:4:"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_page_that_fails_to_parse_never_crashes_the_build() {
    let site = Site::new();
    site.file("content/notices/empty.md", "");
    site.file("content/notices/fence.md", "+++\ntitle = \"x\"\n");
    site.bytes("content/notices/binary.md", &[0xff, 0xfe, 0x00, 0x81, 0x30]);
    let run = site.build();
    run.assert_code(1);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        run.stderr.contains("content/notices/fence.md:1:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn anchors_and_bundle_files_are_checked_with_the_nearest_path() {
    let site = Site::new();
    site.page(
        "content/notices/fang-xun.md",
        "title = \"防汛\"",
        "## 转移路线\n\n正文\n",
    );
    site.bytes(
        "content/stats/2023/tu-pian.png",
        &crate::support::tiny_png(),
    );
    site.file("content/stats/2023/hazards.csv", "a,b\nx,1\n");
    site.page(
        "content/stats/2023/index.md",
        "title = \"数据\"",
        "[好](@/notices/fang-xun.md#zhuan-yi-lu-xian)\n\n[坏](@/notices/fang-xun.md#zhuan-yi)\n\n![图](tu-pain.png)\n\n[表](hazard.csv)\n\n![好图](tu-pian.png)\n",
    );
    let run = site.build();
    run.assert_code(1);
    let err = &run.stderr;
    assert_eq!(
        err.matches(": 错误：").count(),
        3,
        "only the three bad ones: {err}"
    );
    assert!(
        err.contains("content/stats/2023/index.md:6:1: 错误："),
        "the anchor: {err}"
    );
    assert!(
        err.contains("是不是 `#zhuan-yi-lu-xian`？"),
        "suggests the heading's id: {err}"
    );
    assert!(
        err.contains("content/stats/2023/index.md:8:1: 错误：图片 `tu-pain.png` 不存在"),
        "{err}"
    );
    assert!(err.contains("tu-pian.png`？"), "nearest file: {err}");
    assert!(
        err.contains("content/stats/2023/index.md:10:1: 错误：链接的文件 `hazard.csv` 不存在"),
        "{err}"
    );
    let en = site.run(&["--lang", "en", "check"]);
    assert!(
        en.stderr.contains("the image `tu-pain.png` does not exist"),
        "{}",
        en.stderr
    );
}
