//! URLs: pinyin from Chinese names, slug overrides, lowercase ASCII everywhere, and
//! links that work under a base_url with a path.

use crate::support::Site;

#[test]
fn chinese_file_names_become_pinyin_urls() {
    let site = Site::new();
    site.page("content/notices/防汛通知.md", "title = \"防汛通知\"", "");
    site.page("content/stats/2023年统计/index.md", "title = \"统计\"", "");
    site.build().assert_clean();
    assert!(
        site.out("notices/fang-xun-tong-zhi/index.html").exists(),
        "{:?}",
        site.files()
    );
    assert!(
        site.out("stats/2023-nian-tong-ji/index.html").exists(),
        "{:?}",
        site.files()
    );
}

#[test]
fn slug_overrides_a_misread_polyphonic_word() {
    let site = Site::new();
    site.page(
        "content/notices/重庆来访.md",
        "title = \"重庆来访\"\nslug = \"chong-qing-lai-fang\"",
        "",
    );
    site.build().assert_clean();
    assert!(
        site.out("notices/chong-qing-lai-fang/index.html").exists(),
        "{:?}",
        site.files()
    );
    let bad = Site::new();
    bad.page(
        "content/notices/a.md",
        "title = \"甲\"\nslug = \"Chong Qing\"",
        "",
    );
    let run = bad.build();
    run.assert_code(1);
    assert!(
        run.stderr.contains("content/notices/a.md:3:8") && run.stderr.contains("chong-qing"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_output_path_is_lowercase_ascii() {
    let site = Site::new();
    site.page(
        "content/notices/防汛通知.md",
        "title = \"防汛\"\ntags = [\"地质灾害\", \"Flood\"]\ncategories = [\"防灾减灾\"]",
        "",
    );
    site.page(
        "content/campaigns/安全生产月.md",
        "title = \"安全生产月\"\nstart = 2023-06-01\nend = 2023-06-30",
        "",
    );
    site.build().assert_clean();
    for f in site.files() {
        assert!(
            f.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()),
            "{f}"
        );
    }
}

#[test]
fn links_work_under_a_base_url_with_a_path() {
    let site = Site::new();
    site.file(
        "content/notices/_index.md",
        "+++\ntitle = \"通知公告\"\n+++\n见[统计](@/stats/2023/index.md)。\n",
    );
    site.page("content/notices/a.md", "title = \"甲\"", "[统计](@/stats/2023/index.md) [相对](../stats/2023/index.md) [根路径](/notices/) [外链](https://www.mem.gov.cn/) [电话](tel:119)");
    site.page("content/stats/2023/index.md", "title = \"统计\"", "");
    site.build().assert_clean();
    let html = site.read("notices/a/index.html");
    assert!(html.contains("href=\"/zhen/stats/2023/\">统计"), "{html}");
    assert!(html.contains("href=\"/zhen/stats/2023/\">相对"), "{html}");
    assert!(html.contains("href=\"/zhen/notices/\">根路径"), "{html}");
    assert!(html.contains("href=\"https://www.mem.gov.cn/\""), "{html}");
    assert!(html.contains("href=\"tel:119\""), "{html}");
    assert!(site
        .read("notices/index.html")
        .contains("href=\"/zhen/stats/2023/\""));
    // --base-url moves everything.
    site.run(&["build", "--base-url", "https://other.example.cn/a/b"])
        .assert_ok();
    let html = site.read("notices/a/index.html");
    assert!(html.contains("href=\"/a/b/stats/2023/\""), "{html}");
    assert!(
        html.contains("https://other.example.cn/a/b/notices/a/"),
        "{html}"
    );
}

#[test]
fn two_pages_with_one_url_is_an_error() {
    let site = Site::new();
    site.page("content/notices/防汛.md", "title = \"甲\"", "");
    site.page("content/notices/fang-xun.md", "title = \"乙\"", "");
    let run = site.build();
    run.assert_code(1);
    assert!(run.stderr.contains("/notices/fang-xun/"), "{}", run.stderr);
}
