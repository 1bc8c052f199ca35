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
