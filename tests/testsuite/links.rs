//! Links and numbers a clerk writes (issue 13): image names with spaces, telephone
//! numbers in the text, and links to pages of the site that do not exist.

use crate::support::{Site, CONFIG};

#[test]
fn an_image_name_with_spaces_works_written_any_way() {
    let site = Site::new();
    site.page(
        "content/notices/xun-cha/index.md",
        "title = \"巡查\"",
        "![河道](河道 巡查 照片.jpg)\n\n![尖括号](<河道 巡查 照片.jpg>)\n\n![编码](河道%20巡查%20照片.jpg)\n",
    );
    site.bytes(
        "content/notices/xun-cha/河道 巡查 照片.jpg",
        &crate::support::tiny_jpeg(),
    );
    site.build().assert_clean();
    let html = site.read("notices/xun-cha/index.html");
    assert!(
        !html.contains("!["),
        "no literal image syntax is left: {html}"
    );
    // Each shows the photo's copy, whose address is encoded the same way.
    let url =
        "/zhen/notices/xun-cha/%E6%B2%B3%E9%81%93%20%E5%B7%A1%E6%9F%A5%20%E7%85%A7%E7%89%87.40w.";
    assert_eq!(
        html.matches(&format!("src=\"{url}")).count(),
        3,
        "all three forms point at the file: {html}"
    );
    assert!(site.out("notices/xun-cha/河道 巡查 照片.jpg").exists());
}

#[test]
fn a_missing_image_with_spaces_is_named_with_its_line() {
    let site = Site::new();
    site.page(
        "content/notices/xun-cha/index.md",
        "title = \"巡查\"",
        "前言。\n\n![河道](河道 巡查 照片.jpg)\n",
    );
    site.bytes(
        "content/notices/xun-cha/河道 巡查 照片1.jpg",
        &crate::support::tiny_jpeg(),
    );
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr.contains(
            "content/notices/xun-cha/index.md:6:1: 错误：图片 `河道 巡查 照片.jpg` 不存在"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("河道 巡查 照片1.jpg"), "{}", run.stderr);
}

fn notice(site: &Site, body: &str) -> String {
    site.page("content/notices/a.md", "title = \"测试\"", body);
    site.build().assert_clean();
    site.read("notices/a/index.html")
}

#[test]
fn telephone_numbers_in_the_text_are_tel_links() {
    let site = Site::new();
    site.file(
        "config.toml",
        &format!("{CONFIG}\n[privacy]\nallow = [\"139-0000-0000\"]\n"),
    );
    let html = notice(
        &site,
        "发现险情请拨打 **119**，或镇值班电话 0851-12345678、值班手机 13900000000。\n\n安全生产举报热线12350。\n\n## 报警110\n\n[值班室 0851-12345678](https://example.org/)\n\n```\n0851-12345678\n```\n",
    );
    for (href, text) in [
        ("119", "119"),
        ("085112345678", "0851-12345678"),
        ("13900000000", "13900000000"),
        ("12350", "12350"),
    ] {
        let link = format!("<a href=\"tel:{href}\" class=\"phone\">{text}</a>");
        assert!(html.contains(&link), "{link}: {html}");
    }
    assert_eq!(
        html.matches("class=\"phone\"").count(),
        4,
        "not in headings, links or code: {html}"
    );
    let css = site.read(
        &std::fs::read_dir(site.out("."))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .find(|n| n.starts_with("style") && n.ends_with(".css"))
            .unwrap_or_else(|| "style.css".into()),
    );
    assert!(css.contains(".phone"), "tel links do not wrap");
}

#[test]
fn dates_amounts_years_and_counts_stay_text() {
    let site = Site::new();
    let html = notice(
        &site,
        "2023年共排查隐患120处，整改110户，投入12350元，2024-07-15发布，编号0851123456789。\n",
    );
    assert!(!html.contains("tel:"), "{html}");
}

/// A site with a page linking other pages by their addresses, and a static image.
fn linked_site(body: &str) -> Site {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", body);
    site.page(
        "content/notices/b.md",
        "title = \"乙\"\ntags = [\"防汛\"]",
        "正文。\n",
    );
    site.page(
        "content/stats/2025/index.md",
        "title = \"统计\"",
        "正文。\n",
    );
    site.bytes("static/images/map.jpg", &crate::support::tiny_jpeg());
    site
}

#[test]
fn links_by_address_to_what_the_site_has_are_fine() {
    let site = linked_site(
        "[统计](/stats/2025/)、[乙](../b/)、[完整地址](https://anquan.ceshi.gov.cn/zhen/notices/b/#x)、\
         [带路径](/zhen/stats/2025/)、[栏目](/notices/)、[订阅](/feed.xml)、[首页](/)、[搜索](/search/)、\
         [标签](/tags/fang-xun/)、[外站](https://www.gov.cn/x/)、[电话](tel:119)\n\n![地图](/images/map.jpg)\n",
    );
    site.build().assert_clean();
}

#[test]
fn links_by_address_to_what_the_site_lacks_are_errors_at_their_line() {
    let site = linked_site(
        "前言。\n\n[统计](/stats/2052/)\n\n[乙](../bb/)\n\n[完整地址](https://anquan.ceshi.gov.cn/zhen/notices/c/)\n\n![地图](/images/mpa.jpg)\n",
    );
    let run = site.build();
    run.assert_code(1);
    let err = &run.stderr;
    for line in [
        "content/notices/a.md:6:1: 错误：链接 `/stats/2052/` 指向本站不存在的地址 /stats/2052/",
        "content/notices/a.md:8:1: 错误：链接 `../bb/` 指向本站不存在的地址 /notices/bb/",
        "content/notices/a.md:10:1: 错误：链接 `https://anquan.ceshi.gov.cn/zhen/notices/c/` 指向本站不存在的地址 /notices/c/",
        "content/notices/a.md:12:1: 错误：图片 `/images/mpa.jpg` 在本站不存在：网站里没有 /images/mpa.jpg 这个文件",
    ] {
        assert!(err.contains(line), "{line}\n{err}");
    }
    assert!(err.contains("是不是 `/zhen/stats/2025/`？"), "{err}");
    assert!(err.contains("是不是 `/zhen/images/map.jpg`？"), "{err}");
    assert!(!site.out("index.html").exists(), "nothing is written");
    let en = site.run(&[
        "--lang",
        "en",
        "check",
        "--now",
        "2024-01-01T12:00:00+08:00",
    ]);
    assert!(
        en.stderr.contains("content/notices/a.md:6:1: error: the link `/stats/2052/` points at /stats/2052/, which this site does not have"),
        "{}",
        en.stderr
    );
    assert!(
        en.stderr.contains("did you mean `/zhen/stats/2025/`?"),
        "{}",
        en.stderr
    );
}

#[test]
fn a_dead_link_typed_while_serving_is_reported_as_a_fresh_build_reports_it() {
    use anxuan::base::diagnostic::Lang;
    use anxuan::pipeline::BuildOptions;
    use anxuan::session::Session;
    let site = linked_site("[统计](/stats/2025/)\n");
    let options = BuildOptions {
        root: site.path().to_path_buf(),
        output: None,
        base_url: Some("http://127.0.0.1:1111/".into()),
        now: anxuan::pipeline::parse_now("2024-01-01T12:00:00+08:00"),
        drafts: false,
    };
    let messages = |b: &anxuan::session::Incremental| -> Vec<String> {
        b.report
            .diagnostics
            .iter()
            .map(|d| anxuan::base::diagnostic::render(d, &b.report.sources, Lang::En))
            .collect()
    };
    let mut session = Session::default();
    assert!(messages(&session.build(&options)).is_empty());
    let a = "content/notices/a.md";
    for body in ["[统计](/stats/2052/)\n", "[统计](/stats/2025/)\n"] {
        site.page(a, "title = \"甲\"", body);
        session.forget(std::path::Path::new(a));
        let patched = session.build(&options);
        assert!(patched.patched, "a body edit is patched");
        let fresh = Session::default().build(&options);
        assert_eq!(messages(&patched), messages(&fresh), "{body}");
        assert_eq!(
            messages(&patched).is_empty(),
            body.contains("2025"),
            "{:?}",
            messages(&patched)
        );
    }
}

/// A clerk who links a pinyin address by its start (`/stats/2024/` for the page at
/// `/stats/2024-nian-yin-huan-pai-cha/`) is shown the address that starts so.
#[test]
fn a_link_to_the_start_of_a_pinyin_address_names_the_whole_address() {
    let site = crate::support::Site::new();
    site.page(
        "content/stats/2024年隐患排查.md",
        "title = \"2024年隐患排查\"\ndate = 2024-01-01",
        "\n正文。\n",
    );
    site.page(
        "content/notices/a.md",
        "title = \"甲\"\ndate = 2024-01-01",
        "\n详见[统计](/stats/2024/)。\n",
    );
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("是不是 `/zhen/stats/2024-nian-yin-huan-pai-cha/`？"),
        "{}",
        run.stderr
    );
}
