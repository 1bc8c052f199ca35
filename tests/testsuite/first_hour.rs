//! What a clerk hits in the first hour (issue 13): a placeholder base_url, a title
//! that names another level than `level`, date-only expiry, invisible characters and
//! full-width punctuation in front matter, and the placeholders `anxuan new` leaves.

use crate::support::{http_get, Site};

const PLACEHOLDER: &str = "title = \"测试镇安全宣传\"\nbase_url = \"https://anquan.example.gov.cn/zhen/\"\ntownship = \"测试镇\"\n";

fn leaflet(site: &Site) {
    site.page(
        "content/leaflets/fang-xun.md",
        "title = \"汛期安全记住这几条\"\ndate = 2023-05-15\npaper = \"A4\"",
        "马上撤离。\n",
    );
}

#[test]
fn build_warns_about_a_placeholder_base_url() {
    let site = Site::new();
    site.file("config.toml", PLACEHOLDER);
    leaflet(&site);
    let run = site.build();
    run.assert_ok();
    assert!(
        run.stderr.contains("config.toml:2:12") && run.stderr.contains("示例或本机地址"),
        "{}",
        run.stderr
    );
    let en = site.run(&["--lang", "en", "build"]);
    assert!(
        en.stderr.contains("is an example or local address"),
        "{}",
        en.stderr
    );
    // `--base-url` gives the real address, and the warning goes.
    site.run(&[
        "build",
        "--now",
        "2024-01-01T12:00:00+08:00",
        "--base-url",
        "https://anquan.ceshi.gov.cn/zhen/",
    ])
    .assert_clean();
    for local in ["http://localhost:8000/", "http://127.0.0.1/zhen/"] {
        site.file(
            "config.toml",
            &PLACEHOLDER.replace("https://anquan.example.gov.cn/zhen/", local),
        );
        let run = site.build();
        assert!(
            run.stderr.contains("示例或本机地址"),
            "{local}: {}",
            run.stderr
        );
    }
}

#[test]
fn print_refuses_a_placeholder_base_url() {
    let site = Site::new();
    site.file("config.toml", PLACEHOLDER);
    leaflet(&site);
    let run = site.run(&["print", "--now", "2024-01-01T12:00:00+08:00"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("没有打印") && run.stderr.contains("--base-url"),
        "{}",
        run.stderr
    );
    assert!(
        !site.path().join("public").exists(),
        "nothing built or printed"
    );
    let en = site.run(&["--lang", "en", "print"]);
    en.assert_code(1);
    assert!(en.stderr.contains("nothing was printed"), "{}", en.stderr);
}

#[test]
fn the_print_page_from_serve_marks_its_qr_as_a_preview() {
    let site = Site::new();
    leaflet(&site);
    site.build().assert_clean();
    let published = site.read("leaflets/fang-xun/print/index.html");
    assert!(published.contains("扫码看网页版"), "{published}");
    assert!(!published.contains("data-preview-address"), "{published}");

    let server = crate::browser::serve_live(&site, "2024-01-01T12:00:00+08:00");
    let (status, _, body) = http_get(&server.1, "/leaflets/fang-xun/print/");
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("data-preview-address")
            && body.contains("预览地址，正式印刷前请设置 base_url"),
        "{body}"
    );
}

#[test]
fn init_quotes_a_folder_with_a_space_in_its_next_step() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("安全 宣传");
    let out = crate::support::bin()
        .arg("init")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("cd '{}' && anxuan serve", dir.display())),
        "{stdout}"
    );
    assert!(stdout.contains("base_url"), "{stdout}");
}
