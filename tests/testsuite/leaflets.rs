//! Leaflets (SPEC §4): a print page per leaflet laid out for its paper, and
//! `anxuan print` turning them into PDFs checked with poppler (pdfinfo, pdftotext,
//! pdffonts, pdftoppm) and zbarimg, as a market-day volunteer would get them.

use std::path::Path;
use std::process::Command;

use crate::support::{Site, CONFIG};

const BASE: &str = "https://anquan.ceshi.gov.cn/zhen/";

fn leaflet_site() -> Site {
    let site = Site::new();
    site.file(
        "config.toml",
        &format!("{CONFIG}\n[[hotlines]]\nname = \"火警\"\nnumber = \"119\"\n\n[footer]\nsponsor = \"测试镇人民政府\"\n"),
    );
    site.page(
        "content/leaflets/fang-xun.md",
        "title = \"汛期安全记住这几条\"\ndate = 2023-05-15\npaper = \"A4\"",
        "## 马上撤离\n\n- 山坡出现裂缝；\n- 沟水突然变浑。\n",
    );
    site.page(
        "content/leaflets/ran-qi.md",
        "title = \"燃气安全小常识\"\ndate = 2023-11-15\npaper = \"A5\"",
        "闻到燃气味，**先关阀门再开窗**。\n",
    );
    site.page(
        "content/leaflets/yue.md",
        "title = \"人人讲安全个个会应急\"\ndate = 2023-06-01\npaper = \"A4-trifold\"\ndescription = \"安全生产月三折页\"",
        "## 家里\n\n电动车不进楼道。\n\n## 路上\n\n骑车戴头盔。\n",
    );
    site
}

fn tool(name: &str, args: &[&str], file: &Path) -> String {
    // pdftotext writes to a file unless told `-` after the input.
    let stdout: &[&str] = if name == "pdftotext" { &["-"] } else { &[] };
    let out = Command::new(name)
        .args(args)
        .arg(file)
        .args(stdout)
        .output()
        .unwrap_or_else(|e| {
            panic!("run {name} (apt-get install poppler-utils zbar-tools; .ci/run does): {e}")
        });
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn every_leaflet_has_a_print_page_for_its_paper() {
    let site = leaflet_site();
    site.build().assert_clean();
    let web = site.read("leaflets/fang-xun/index.html");
    assert!(
        web.contains("href=\"/zhen/leaflets/fang-xun/print/\""),
        "{web}"
    );
    for (slug, size) in [
        ("fang-xun", "A4 portrait"),
        ("ran-qi", "A5 portrait"),
        ("yue", "A4 landscape"),
    ] {
        let html = site.read(&format!("leaflets/{slug}/print/index.html"));
        assert!(
            html.contains(&format!("@page {{ size: {size}; margin: 0; }}")),
            "{slug}: {html}"
        );
        let url = format!("{BASE}leaflets/{slug}/");
        assert!(
            html.contains(&format!("<span class=\"lf-url\">{url}</span>")),
            "{slug}: the URL is printed"
        );
        assert!(
            html.contains(&format!("aria-label=\"二维码：{url}\"")),
            "{slug}: QR of the URL"
        );
        assert!(
            html.contains("viewBox=\"0 0 ") && html.contains("width=\"28mm\""),
            "{slug}: QR at least 25 mm"
        );
        assert!(html.contains("测试镇 · 安全宣传"), "{slug}: the township");
        assert!(html.contains("测试镇人民政府"), "{slug}: the issuer");
        assert!(html.contains("<b>119</b>"), "{slug}: the hotlines");
        assert!(
            html.contains(&format!("<link rel=\"canonical\" href=\"{url}\">")),
            "{slug}"
        );
    }
    let tri = site.read("leaflets/yue/print/index.html");
    let order: Vec<usize> = [
        "data-panel=\"5\"",
        "data-panel=\"6\"",
        "data-panel=\"1\"",
        "lf-columns",
    ]
    .iter()
    .map(|p| tri.find(p).unwrap_or_else(|| panic!("{p}: {tri}")))
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "outside sheet: flap, back, front; then inside: {order:?}"
    );
    let css_name = site
        .files()
        .into_iter()
        .find(|f| f.starts_with("print.") && f.ends_with(".css"))
        .unwrap();
    let css = site.read(&css_name);
    assert!(css.contains("html, body { margin: 0; padding: 0; }"));
    assert!(css.contains("print-color-adjust: exact"));
    assert!(
        css.contains(".lf-body { font-size: 15pt;"),
        "body at least 14pt"
    );
    assert!(
        !site.read("sitemap.xml").contains("/print/"),
        "print pages stay out of the sitemap"
    );
}

#[test]
fn print_makes_one_checked_pdf_per_leaflet() {
    let site = leaflet_site();
    let run = site.run(&["print", "--now", "2024-01-01T12:00:00+08:00"]);
    run.assert_ok();
    for (slug, pages, size, title) in [
        (
            "fang-xun",
            "1",
            "594.96 x 841.92 pts (A4)",
            "汛期安全记住这几条",
        ),
        ("ran-qi", "1", "420 x 594.96 pts (A5)", "燃气安全小常识"),
        (
            "yue",
            "2",
            "841.92 x 594.96 pts (A4)",
            "人人讲安全个个会应急",
        ),
    ] {
        let pdf = site.out(&format!("leaflets/{slug}.pdf"));
        let info = tool("pdfinfo", &[], &pdf);
        assert!(
            info.contains(&format!("Pages:           {pages}\n")),
            "{slug}: {info}"
        );
        assert!(
            info.contains(&format!("Page size:       {size}")),
            "{slug}: {info}"
        );
        let text: String = tool("pdftotext", &[], &pdf)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        assert!(
            text.contains(title),
            "{slug}: Chinese text in the PDF: {text}"
        );
        assert!(text.contains("测试镇人民政府"), "{slug}: {text}");
        let fonts = tool("pdffonts", &[], &pdf);
        assert!(
            fonts.lines().skip(2).all(|l| l.contains(" yes ")),
            "{slug}: fonts embedded: {fonts}"
        );
        let png = site.path().join(format!("{slug}-qr"));
        tool(
            "pdftoppm",
            &[
                "-r",
                "150",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                pdf.to_str().unwrap(),
            ],
            &png,
        );
        let image = site.path().join(format!("{slug}-qr-1.png"));
        let codes = tool("zbarimg", &["-q"], &image);
        assert_eq!(
            codes.trim(),
            format!("QR-Code:{BASE}leaflets/{slug}/"),
            "{slug}: the QR code scans"
        );
    }
    assert!(
        run.stdout.contains("已打印 yue（A4 三折页，2 页）"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_leaflet_that_does_not_fit_is_an_error_naming_it() {
    let site = leaflet_site();
    site.page(
        "content/leaflets/too-long.md",
        "title = \"太长的宣传单\"\npaper = \"A5\"",
        &"下雨天不在河边、沟边和山坡下停留，发现险情马上报告村干部。\n\n".repeat(40),
    );
    let run = site.run(&["print", "--now", "2024-01-01T12:00:00+08:00"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains(
            "content/leaflets/too-long.md: 错误：宣传单 `too-long` 放不下：内容超出 A5 纸约 "
        ),
        "{}",
        run.stderr
    );
    let mm: u32 = run
        .stderr
        .split("A5 纸约 ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(mm > 50, "by how much: {mm} mm");
    assert!(!site.out("leaflets/too-long.pdf").exists());
    assert!(
        site.out("leaflets/ran-qi.pdf").exists(),
        "the others still print"
    );
    let en = site.run(&["--lang", "en", "print", "--only", "too-long"]);
    assert!(
        en.stderr.contains("leaflet `too-long` does not fit"),
        "{}",
        en.stderr
    );
}

#[test]
fn only_prints_one_and_a_missing_browser_says_what_to_install() {
    let site = leaflet_site();
    let run = site.run(&["print", "--only", "ran-qi"]);
    run.assert_ok();
    assert!(site.out("leaflets/ran-qi.pdf").exists());
    assert!(!site.out("leaflets/yue.pdf").exists());
    site.run(&["print", "--only", "nope"]).assert_code(2);

    let out = crate::support::bin()
        .args(["print"])
        .current_dir(site.path())
        .env("PATH", "")
        .env_remove("ANXUAN_CHROMIUM")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("找不到可以打印 PDF 的浏览器"), "{stderr}");
    assert!(stderr.contains("apt-get install chromium"), "{stderr}");
}

/// Sets a file's modification time `secs` seconds from now (negative: in the past).
fn touch(path: &Path, secs: i64) {
    let now = std::time::SystemTime::now();
    let t = if secs >= 0 {
        now + std::time::Duration::from_secs(secs as u64)
    } else {
        now - std::time::Duration::from_secs(secs.unsigned_abs())
    };
    std::fs::File::options()
        .append(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

#[test]
fn pdfs_survive_a_rebuild_and_each_leaflet_page_links_its_own() {
    let site = leaflet_site();
    let run = site.run(&[
        "print",
        "--only",
        "ran-qi",
        "--now",
        "2024-01-01T12:00:00+08:00",
    ]);
    run.assert_ok();
    let link = "<a href=\"/zhen/leaflets/ran-qi.pdf\" download>下载 PDF</a>";
    assert!(
        site.read("leaflets/ran-qi/index.html").contains(link),
        "print links the PDF it made"
    );
    site.build().assert_clean();
    assert!(site.out("leaflets/ran-qi.pdf").exists(), "build keeps it");
    assert_eq!(
        tool("pdfinfo", &[], &site.out("leaflets/ran-qi.pdf"))
            .lines()
            .find(|l| l.starts_with("Pages:"))
            .map(str::to_string),
        Some("Pages:           1".to_string())
    );
    assert!(site.read("leaflets/ran-qi/index.html").contains(link));
    assert!(
        !site
            .read("leaflets/fang-xun/index.html")
            .contains("下载 PDF"),
        "a leaflet not printed has no PDF link"
    );

    // An edit after printing makes the PDF out of date: it is left out, with a warning.
    site.page(
        "content/leaflets/ran-qi.md",
        "title = \"燃气安全小常识\"\ndate = 2023-11-15\npaper = \"A5\"",
        "闻到燃气味，**先关阀门再开窗**，不要开关电器。\n",
    );
    touch(&site.path().join("content/leaflets/ran-qi.md"), 60);
    let run = site.build();
    run.assert_ok();
    assert!(
        run.stderr.contains(
            "content/leaflets/ran-qi.md: 警告：宣传单改过了，原来的 PDF（leaflets/ran-qi.pdf）已过时，这次没有发布"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("运行 anxuan print 重新生成 PDF"),
        "{}",
        run.stderr
    );
    assert!(!site.out("leaflets/ran-qi.pdf").exists());
    assert!(!site.read("leaflets/ran-qi/index.html").contains("下载 PDF"));
}

#[test]
fn a_pdf_in_public_is_carried_and_linked_by_build_and_serve() {
    let site = leaflet_site();
    site.build().assert_clean();
    std::fs::create_dir_all(site.out("leaflets")).unwrap();
    std::fs::write(site.out("leaflets/yue.pdf"), b"%PDF-1.4 stand-in").unwrap();
    touch(&site.path().join("content/leaflets/yue.md"), -60);
    site.build().assert_clean();
    assert_eq!(
        std::fs::read(site.out("leaflets/yue.pdf")).unwrap(),
        b"%PDF-1.4 stand-in"
    );
    assert!(site
        .read("leaflets/yue/index.html")
        .contains("<a href=\"/zhen/leaflets/yue.pdf\" download>下载 PDF</a>"));

    let server = crate::browser::serve_live(&site, "2024-01-01T12:00:00+08:00");
    let (status, _, body) = crate::support::http_get(&server.1, "/leaflets/yue/");
    assert_eq!(status, 200);
    assert!(
        String::from_utf8_lossy(&body)
            .contains("<a href=\"/leaflets/yue.pdf\" download>下载 PDF</a>"),
        "serve shows the same link"
    );
    let (status, head, body) = crate::support::http_get(&server.1, "/leaflets/yue.pdf");
    assert_eq!(status, 200);
    assert!(head.contains("application/pdf"), "{head}");
    assert_eq!(body, b"%PDF-1.4 stand-in");

    let en = site.run(&["--lang", "en", "build"]);
    touch(&site.path().join("content/leaflets/yue.md"), 60);
    let en2 = site.run(&["--lang", "en", "build"]);
    assert!(en.stderr.is_empty(), "{}", en.stderr);
    assert!(
        en2.stderr
            .contains("the leaflet was edited after its PDF (leaflets/yue.pdf) was printed"),
        "{}",
        en2.stderr
    );
}

#[test]
fn check_measures_leaflets_like_print_and_the_hint_names_the_preview() {
    let site = leaflet_site();
    site.page(
        "content/leaflets/too-long.md",
        "title = \"太长的宣传单\"\npaper = \"A5\"",
        &"下雨天不在河边、沟边和山坡下停留，发现险情马上报告村干部。\n\n".repeat(40),
    );
    let run = site.run(&["check", "--now", "2024-01-01T12:00:00+08:00"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains(
            "content/leaflets/too-long.md: 错误：宣传单 `too-long` 放不下：内容超出 A5 纸约 "
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "运行 anxuan serve 后在浏览器打开 http://127.0.0.1:1111/leaflets/too-long/print/"
        ),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("ran-qi"),
        "the others fit: {}",
        run.stderr
    );
    assert!(!site.out("leaflets").exists(), "check writes nothing");

    // Without a browser, check checks what it can and says nothing of paper.
    let out = crate::support::bin()
        .args(["check", "--now", "2024-01-01T12:00:00+08:00"])
        .current_dir(site.path())
        .env("PATH", "")
        .env_remove("ANXUAN_CHROMIUM")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let en = site.run(&["--lang", "en", "print", "--only", "too-long"]);
    assert!(
        en.stderr
            .contains("run anxuan serve and open http://127.0.0.1:1111/leaflets/too-long/print/"),
        "{}",
        en.stderr
    );
}
