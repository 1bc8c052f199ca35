//! Loading content: encodings, both front-matter formats, drafts and scheduling,
//! sections, taxonomies, pagination, aliases, and content that must stay data.

use crate::support::Site;

#[test]
fn gbk_files_are_decoded_with_a_warning_naming_the_file() {
    let site = Site::new();
    let (gbk, _, _) =
        encoding_rs::GBK.encode("+++\ntitle = \"防汛通知\"\n+++\n\n各村要做好防汛准备。\n");
    site.bytes("content/notices/gbk.md", &gbk);
    let run = site.build();
    run.assert_ok();
    assert!(
        run.stderr.contains("content/notices/gbk.md"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("GBK"), "{}", run.stderr);
    let html = site.read("notices/gbk/index.html");
    assert!(html.contains("各村要做好防汛准备。"), "{html}");
    assert!(html.contains("防汛通知"));
}

#[test]
fn bom_and_crlf_are_accepted_silently() {
    let site = Site::new();
    site.bytes(
        "content/notices/crlf.md",
        "\u{feff}+++\r\ntitle = \"通知\"\r\n+++\r\n\r\n第一段。\r\n".as_bytes(),
    );
    site.build().assert_clean();
    assert!(site.read("notices/crlf/index.html").contains("第一段。"));
}

#[test]
fn yaml_and_toml_front_matter() {
    let site = Site::new();
    site.file(
        "content/notices/y.md",
        "---\ntitle: 燃气安全提醒\ndate: 2023-06-04\ntags:\n  - 燃气\n---\n\n正文。\n",
    );
    site.page(
        "content/notices/t.md",
        "title = \"消防提醒\"\ndate = 2023-06-05",
        "正文。",
    );
    site.build().assert_clean();
    assert!(site.read("notices/y/index.html").contains("燃气安全提醒"));
    assert!(site.read("tags/ran-qi/index.html").contains("燃气安全提醒"));
    // Newest first in the section list.
    let list = site.read("notices/index.html");
    assert!(list.find("消防提醒").unwrap() < list.find("燃气安全提醒").unwrap());
}

#[test]
fn drafts_and_scheduled_pages_wait() {
    let site = Site::new();
    site.page(
        "content/notices/draft.md",
        "title = \"草稿\"\ndraft = true",
        "",
    );
    site.page(
        "content/notices/later.md",
        "title = \"定时\"\ndate = 2030-01-01",
        "",
    );
    site.page(
        "content/notices/now.md",
        "title = \"已发布\"\ndate = 2023-01-01",
        "",
    );
    site.build().assert_clean();
    assert!(!site.out("notices/draft/index.html").exists());
    assert!(!site.out("notices/later/index.html").exists());
    assert!(site.out("notices/now/index.html").exists());
    // The scheduled page appears once its moment has come.
    site.run(&["build", "--now", "2030-01-01T00:00:01+08:00"])
        .assert_ok();
    assert!(site.out("notices/later/index.html").exists());
    site.run(&["build", "--drafts", "--now", "2024-01-01T00:00:00+08:00"])
        .assert_ok();
    assert!(site.out("notices/draft/index.html").exists());
}

#[test]
fn sections_paginate() {
    let site = Site::new();
    site.file(
        "config.toml",
        &format!("{}paginate = 2\n", crate::support::CONFIG),
    );
    for i in 1..=5 {
        site.page(
            &format!("content/notices/n{i}.md"),
            &format!("title = \"通知{i}\"\ndate = 2023-06-0{i}"),
            "",
        );
    }
    site.build().assert_clean();
    let p1 = site.read("notices/index.html");
    assert!(p1.contains("通知5") && p1.contains("通知4") && !p1.contains("通知3"));
    let p3 = site.read("notices/page/3/index.html");
    assert!(p3.contains("通知1") && !p3.contains("通知2"));
    assert!(
        site.read("notices/page/1/index.html")
            .contains("/zhen/notices/"),
        "page 1 redirects to the section"
    );
}

#[test]
fn tags_and_categories_get_pinyin_pages() {
    let site = Site::new();
    site.page(
        "content/notices/a.md",
        "title = \"甲\"\ntags = [\"地质灾害\", \"防汛\"]\ncategories = [\"防灾减灾\"]",
        "",
    );
    site.page(
        "content/notices/b.md",
        "title = \"乙\"\ntags = [\"防汛\"]",
        "",
    );
    site.build().assert_clean();
    let tag = site.read("tags/fang-xun/index.html");
    assert!(tag.contains("甲") && tag.contains("乙"));
    assert!(site.read("tags/di-zhi-zai-hai/index.html").contains("甲"));
    assert!(site
        .read("categories/fang-zai-jian-zai/index.html")
        .contains("甲"));
    let list = site.read("tags/index.html");
    assert!(list.contains("地质灾害") && list.contains("/zhen/tags/fang-xun/"));
}

#[test]
fn aliases_redirect_to_the_page() {
    let site = Site::new();
    site.page(
        "content/notices/a.md",
        "title = \"新地址\"\naliases = [\"old/tongzhi/\", \"legacy.html\"]",
        "",
    );
    site.build().assert_clean();
    for f in ["old/tongzhi/index.html", "legacy.html"] {
        let html = site.read(f);
        assert!(html.contains("url=/zhen/notices/a/"), "{f}: {html}");
    }
}

#[test]
fn content_is_never_a_template_and_titles_are_escaped() {
    let site = Site::new();
    site.page(
        "content/notices/a.md",
        "title = \"<script>alert(1)</script>{{ site.title }}\"",
        "正文 {{ site.title }} {% raw %}",
    );
    site.build().assert_clean();
    let html = site.read("notices/a/index.html");
    assert!(
        !html.contains("<script>alert(1)"),
        "title markup must be escaped"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("正文 {{ site.title }} {% raw %}"), "{html}");
}

#[test]
fn bundles_carry_their_files() {
    let site = Site::new();
    site.page(
        "content/stats/2023/index.md",
        "title = \"2023年统计\"",
        "![地图](map.png)\n\n[数据](hazards.csv)",
    );
    site.bytes("content/stats/2023/map.png", &crate::support::tiny_png());
    site.file(
        "content/stats/2023/hazards.csv",
        "类别,发现,整改\n消防,10,9\n",
    );
    site.build().assert_clean();
    assert!(site.out("stats/2023/map.png").exists());
    assert!(site.out("stats/2023/hazards.csv").exists());
    let html = site.read("stats/2023/index.html");
    // The picture is shown as its copy (40 px wide, as the original is).
    let src = crate::support::between(&html, "src=\"/zhen/", "\"");
    assert!(src.starts_with("stats/2023/map.40w."), "{html}");
    assert!(site.out(src).exists(), "{src}");
    assert!(
        html.contains("href=\"/zhen/stats/2023/hazards.csv\""),
        "{html}"
    );
}

#[test]
fn site_templates_override_the_theme() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"通知\"", "");
    site.file("templates/page.html", "<!DOCTYPE html><html lang=\"zh-CN\"><head><title>{{ meta.title }}</title></head><body>自定义：{{ page.title }}</body></html>");
    site.build().assert_clean();
    assert!(site.read("notices/a/index.html").contains("自定义：通知"));
}

#[test]
fn static_files_are_copied_to_the_output_root() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", "");
    site.file("static/robots.txt", "User-agent: *\n");
    site.bytes("static/img/地图.png", &crate::support::tiny_png());
    site.build().assert_clean();
    assert_eq!(site.read("robots.txt"), "User-agent: *\n");
    assert!(
        site.out("img/地图.png").exists(),
        "static files keep their names: {:?}",
        site.files()
    );
}
