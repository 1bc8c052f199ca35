//! Publish safety against the ways personal data actually arrives (issue 19): digits
//! as an IME, Word or an HTML editor writes them, ID numbers in groups and of before
//! 1999, password lines in any wording, and every file that reaches public/ (any
//! text type, UTF-16, gzip, PDF, photo EXIF, file names, all of config.toml,
//! templates). Beside each caught form stands the legitimate text that must pass:
//! anti-fraud advice and amounts. The number itself never shows in a message.

use std::io::Write;

use crate::support::{Site, CONFIG};

fn notice(site: &Site, name: &str, body: &str) {
    site.page(
        &format!("content/notices/{name}.md"),
        "title = \"通知\"\ndate = 2023-06-04",
        body,
    );
}

/// The number in every test, and its forms that must never show.
const RAW: [&str; 2] = ["13812345678", "１３８１２３４５６７８"];

fn assert_masked(stderr: &str) {
    for raw in RAW {
        assert!(!stderr.contains(raw), "{raw} shown unmasked: {stderr}");
    }
    assert!(!stderr.contains("11010519491231002X"), "{stderr}");
    assert!(!stderr.contains("110105491231002"), "{stderr}");
}

#[test]
fn digits_as_an_ime_word_or_html_write_them_are_caught_and_amounts_are_not() {
    let site = Site::new();
    // (body line, column of the number); the body starts on line 5.
    let lines = [
        ("全角：１３８１２３４５６７８", 4),
        ("点号：138.1234.5678", 4),
        ("不换行空格：138\u{a0}1234\u{a0}5678", 7),
        ("全角空格：138\u{3000}1234\u{3000}5678", 6),
        ("两个空格：138  1234  5678", 6),
        ("混用：138 1234-5678", 4),
        ("零宽：138\u{200b}1234\u{feff}5678", 4),
        (
            "实体：&#49;&#51;&#56;&#49;&#50;&#51;&#52;&#53;&#54;&#55;&#56;",
            4,
        ),
        ("一位实体：1381234567&#x38;", 6),
        ("TEL13812345678", 4),
        ("微信 wx13812345678", 6),
        ("折行：138\n1234 5678", 4),
    ];
    let body: String = lines.iter().map(|(l, _)| format!("{l}\n\n")).collect();
    notice(&site, "a", &body);
    notice(
        &site,
        "b",
        "投入资金 15600000000元，约 15600000000 万元的损失；￥15600000000。\n\n订单 ORDER13812345678，编码 9wx13812345678，比例 0.13812345678。\n",
    );
    let run = site.build();
    run.assert_code(1);
    let err = &run.stderr;
    let mut line = 5;
    for (text, col) in lines {
        let want =
            format!("content/notices/a.md:{line}:{col}: 错误：个人手机号不能公开：138****5678");
        assert!(err.contains(&want), "{text}: {want}\n{err}");
        line += 1 + text.matches('\n').count() + 1;
    }
    assert_eq!(
        err.matches("个人手机号不能公开").count(),
        lines.len(),
        "{err}"
    );
    assert!(
        !err.contains("notices/b.md"),
        "amounts and codes pass: {err}"
    );
    assert!(
        !err.contains("&#49;&#51;"),
        "the entities are masked too: {err}"
    );
    assert_masked(err);

    let en = site.run(&["--lang", "en", "check"]);
    assert!(
        en.stderr.contains("content/notices/a.md:5:4: error: a personal mobile number must not be published: 138****5678"),
        "{}",
        en.stderr
    );
}

#[test]
fn id_numbers_in_groups_and_15_digit_ids_of_before_1999() {
    let site = Site::new();
    notice(
        &site,
        "a",
        "身份证：110105 19491231 002X\n\n老证件 110105491231002\n\n全角 １１０１０５１９４９１２３１００２Ｘ\n",
    );
    // Fifteen digits without a province that exists, or without a real birth date,
    // or one digit longer, are some other number.
    notice(
        &site,
        "b",
        "编号 990105491231002、110105491331002、1101054912310021，订单号 201381234567890。\n",
    );
    let run = site.build();
    run.assert_code(1);
    let err = &run.stderr;
    for want in [
        "content/notices/a.md:5:5: 错误：公民身份证号不能公开：110105********002X",
        "content/notices/a.md:7:5: 错误：公民身份证号不能公开：110105******002",
        "content/notices/a.md:9:4: 错误：公民身份证号不能公开：110105********002X",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
    assert!(!err.contains("notices/b.md"), "{err}");
    assert_masked(err);
    let en = site.run(&["--lang", "en", "check"]);
    assert!(
        en.stderr.contains("content/notices/a.md:7:5: error: a resident ID number must not be published: 110105******002"),
        "{}",
        en.stderr
    );
}

#[test]
fn passwords_in_any_wording_and_anti_fraud_advice_passes() {
    let site = Site::new();
    notice(
        &site,
        "a",
        "密码是123456\n\n账号 a1 密码：abc123 备用密码：x9y8z7\n\n密碼：abcd1234\n\npwd:abc123\n\n密码 = xxx\n",
    );
    notice(
        &site,
        "b",
        "验证码、密码：一律不要告诉他人\n\n银行卡密码：任何人索要都是诈骗\n\n设置密码：至少8位\n\n防汛口令：人人知晓，户户参与\n\n不要把银行卡密码告诉陌生人。\n",
    );
    let run = site.build();
    run.assert_code(1);
    let err = &run.stderr;
    for want in [
        "content/notices/a.md:5:1: 错误：文中写着密码或口令：密码：******",
        "content/notices/a.md:7:7: 错误：文中写着密码或口令：密码：******",
        "content/notices/a.md:7:19: 错误：文中写着密码或口令：密码：******",
        "content/notices/a.md:9:1: 错误：文中写着密码或口令：密碼：******",
        "content/notices/a.md:11:1: 错误：文中写着密码或口令：pwd：******",
        "content/notices/a.md:13:1: 错误：文中写着密码或口令：密码：******",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
    assert_eq!(err.matches("文中写着密码").count(), 6, "{err}");
    for secret in ["123456", "abc123", "x9y8z7", "abcd1234", "xxx"] {
        assert!(!err.contains(secret), "{secret} shown: {err}");
    }
    assert!(!err.contains("notices/b.md"), "advice passes: {err}");
    let en = site.run(&["--lang", "en", "check"]);
    assert!(
        en.stderr.contains(
            "content/notices/a.md:5:1: error: the text contains a password: 密码：******"
        ),
        "{}",
        en.stderr
    );
}

#[test]
fn anti_fraud_advice_alone_builds() {
    let site = Site::new();
    notice(
        &site,
        "b",
        "验证码、密码：一律不要告诉他人\n\n银行卡密码：任何人索要都是诈骗\n\n设置密码：至少8位\n\n防汛口令：人人知晓\n\n诈骗金额 15600000000元。\n",
    );
    site.build().assert_ok();
}

/// A JPEG holding only an EXIF block: ImageDescription `description`, and a GPS
/// IFD with a latitude when `gps`.
pub(crate) fn jpeg(description: &str, gps: bool) -> Vec<u8> {
    let mut desc = description.as_bytes().to_vec();
    desc.push(0);
    let entries: u16 = if gps { 2 } else { 1 };
    let ifd0_len = 2 + 12 * entries as usize + 4;
    let desc_at = 8 + ifd0_len;
    let gps_at = desc_at + desc.len();
    let mut t = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes());
    t.extend(entries.to_le_bytes());
    // ImageDescription, ASCII.
    t.extend(0x010Eu16.to_le_bytes());
    t.extend(2u16.to_le_bytes());
    t.extend((desc.len() as u32).to_le_bytes());
    t.extend((desc_at as u32).to_le_bytes());
    if gps {
        t.extend(0x8825u16.to_le_bytes());
        t.extend(4u16.to_le_bytes());
        t.extend(1u32.to_le_bytes());
        t.extend((gps_at as u32).to_le_bytes());
    }
    t.extend(0u32.to_le_bytes());
    t.extend(&desc);
    if gps {
        let rational_at = gps_at + 2 + 12 + 4;
        t.extend(1u16.to_le_bytes());
        t.extend(2u16.to_le_bytes());
        t.extend(5u16.to_le_bytes());
        t.extend(3u32.to_le_bytes());
        t.extend((rational_at as u32).to_le_bytes());
        t.extend(0u32.to_le_bytes());
        for n in [25u32, 1, 2, 1, 3, 1] {
            t.extend(n.to_le_bytes());
        }
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(t);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend([0xFF, 0xD9]);
    out
}

/// [`jpeg`]'s EXIF on a JPEG that decodes (a page's photo is decoded and re-encoded).
fn real_jpeg(description: &str, gps: bool) -> Vec<u8> {
    let fake = jpeg(description, gps);
    // SOI, APP1 marker and length, then the segment, then EOI.
    crate::support::tiny_jpeg_with_app1(&fake[6..fake.len() - 2])
}

/// A WebP container holding just an EXIF chunk with this TIFF block.
fn webp_with_exif(tiff: &[u8]) -> Vec<u8> {
    let mut chunk = b"EXIF".to_vec();
    chunk.extend((tiff.len() as u32).to_le_bytes());
    chunk.extend(tiff);
    if tiff.len() % 2 == 1 {
        chunk.push(0);
    }
    let mut out = b"RIFF".to_vec();
    out.extend(((chunk.len() + 4) as u32).to_le_bytes());
    out.extend(b"WEBP");
    out.extend(chunk);
    out
}

fn gzip(text: &str) -> Vec<u8> {
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(text.as_bytes()).unwrap();
    z.finish().unwrap()
}

/// A zip file with one deflated member, as an office document is.
fn zip(name: &str, text: &str) -> Vec<u8> {
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(text.as_bytes()).unwrap();
    let data = z.finish().unwrap();
    let mut out = b"PK\x03\x04\x14\0\0\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
    out.extend((data.len() as u32).to_le_bytes());
    out.extend((text.len() as u32).to_le_bytes());
    out.extend((name.len() as u16).to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend(name.as_bytes());
    out.extend(data);
    out
}

fn utf16(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

#[test]
fn every_file_that_is_published_as_it_is_gets_read() {
    let site = Site::new();
    let n = "13812345678";
    for (rel, text) in [
        (
            "static/logo.svg",
            format!("<svg><text>值班 {n}</text></svg>\n"),
        ),
        ("static/notes.md", format!("# 说明\n联系 {n}\n")),
        ("static/app.js", format!("var tel = '{n}';\n")),
        ("static/site.css", format!("/* {n} */\n")),
        (
            "static/card.vcf",
            format!("BEGIN:VCARD\nTEL:{n}\nEND:VCARD\n"),
        ),
        (
            "static/site.webmanifest",
            format!("{{\"name\": \"{n}\"}}\n"),
        ),
        ("static/.env", format!("PHONE={n}\n")),
        ("static/old.html.bak", format!("<p>{n}</p>\n")),
        ("templates/partials/contact.html", format!("<p>{n}</p>\n")),
        ("themes/mine/static/x.txt", format!("{n}\n")),
    ] {
        site.file(rel, &text);
    }
    site.bytes(
        "static/data.json.gz",
        &gzip(&format!("{{\"tel\": \"{n}\"}}")),
    );
    site.bytes(
        "static/list.csv",
        &utf16(&format!("姓名,电话\r\n张三,{n}\r\n")),
    );
    site.bytes(
        "static/doc.pdf",
        format!("%PDF-1.4\n1 0 obj\n<< /Length 20 >>\nstream\nBT ({n}) Tj ET\nendstream\nendobj\n%%EOF\n").as_bytes(),
    );
    site.bytes("static/photo.jpg", &jpeg(&format!("张三家 {n}"), true));
    // Word splits a number into runs; two table cells side by side are two numbers.
    site.bytes(
        "content/notices/b/名单.docx",
        &zip(
            "word/document.xml",
            "<w:document><w:p><w:r><w:t>电话 138</w:t></w:r><w:r><w:t>12345678</w:t></w:r></w:p></w:document>",
        ),
    );
    site.bytes(
        "static/cells.xlsx",
        &zip(
            "xl/worksheets/sheet1.xml",
            "<row><c><v>138</v></c><c><v>12345678</v></c></row>",
        ),
    );
    site.page(
        "content/notices/b/index.md",
        "title = \"附件\"\ndate = 2023-06-04",
        "正文不提附件。\n",
    );
    site.bytes(
        "content/notices/b/unlinked.dat",
        &[&[0u8, 1, 2][..], n.as_bytes(), &[0]].concat(),
    );
    // Beside a page, a photo with a location is re-encoded without it: no error.
    site.bytes("content/notices/b/street.jpg", &real_jpeg("街景", true));
    // A WebP copied as it is keeps EXIF in a chunk of its own.
    let fake = jpeg("地图", true);
    // The TIFF block: after SOI, the APP1 marker and length and `Exif\0\0`.
    site.bytes(
        "static/map.webp",
        &webp_with_exif(&fake[12..fake.len() - 2]),
    );
    // Allowed side by side: a photo without a location, a number masked.
    site.bytes("static/clean.jpg", &jpeg("宣传活动现场", false));
    site.file("static/ok.js", "var tel = '138****5678';\n");
    // Not published, not loaded: a theme's own notes and an editor's swap file.
    site.file("themes/mine/README.md", &format!("作者 {n}\n"));
    site.file("templates/.contact.html.swp", &format!("{n}\n"));
    let run = site.build();
    run.assert_code(1);
    let err = &run.stderr;
    for want in [
        "static/logo.svg:1:15: 错误：个人手机号不能公开：138****5678",
        "static/notes.md:2:4: 错误：个人手机号",
        "static/app.js:1:12: 错误：个人手机号",
        "static/site.css:1:4: 错误：个人手机号",
        "static/card.vcf:2:5: 错误：个人手机号",
        "static/site.webmanifest:1:11: 错误：个人手机号",
        "static/.env:1:7: 错误：个人手机号",
        "static/old.html.bak:1:4: 错误：个人手机号",
        "templates/partials/contact.html:1:4: 错误：个人手机号",
        "themes/mine/static/x.txt:1:1: 错误：个人手机号",
        "static/list.csv:2:4: 错误：个人手机号",
        "static/data.json.gz: 错误：个人手机号不能公开：138****5678",
        "static/doc.pdf: 错误：个人手机号不能公开：138****5678",
        "static/photo.jpg: 错误：个人手机号不能公开：138****5678",
        "static/photo.jpg: 错误：照片里记着拍摄地点（GPS 位置）",
        "static/map.webp: 错误：照片里记着拍摄地点",
        "content/notices/b/unlinked.dat: 错误：个人手机号不能公开",
        "content/notices/b/名单.docx: 错误：个人手机号不能公开：138****5678",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
    for passes in [
        "clean.jpg",
        "street.jpg",
        "ok.js",
        "README.md",
        ".swp",
        "cells.xlsx",
    ] {
        assert!(!err.contains(passes), "{passes}: {err}");
    }
    assert!(err.contains("去掉位置信息"), "says how to fix: {err}");
    assert_masked(err);
    let en = site.run(&["--lang", "en", "check"]);
    assert!(
        en.stderr.contains(
            "static/photo.jpg: error: the photo records where it was taken (a GPS location)"
        ),
        "{}",
        en.stderr
    );
}

#[test]
fn file_names_and_every_field_of_config_toml_are_read() {
    let site = Site::new();
    site.file(
        "config.toml",
        &(CONFIG.replace("测试用站点", "联系 13812345678")
            + "\n[privacy]\nallow = [\"13900001111\"]\n\n[footer]\nsponsor = \"镇政府 13700002222\"\n\n[[hotlines]]\nname = \"值班\"\nnumber = \"13900001111\"\nnote = \"夜间打 13600003333\"\n\n[[hotlines]]\nname = \"村医\"\nnumber = \"13500004444\"\n\n[extra]\ncontact = \"11010519491231002X\"\n"),
    );
    site.file("static/13812345678.txt", "名单\n");
    site.file("static/11010519491231002X.pdf", "x\n");
    // A page named by a number, with a number inside: every message masks both.
    notice(&site, "13612345678", "正文 13712345678。\n");
    notice(&site, "20230604", "正文。\n");
    let run = site.build();
    run.assert_code(1);
    let err = &run.stderr;
    for want in [
        "config.toml:2:19: 错误：个人手机号不能公开：138****5678",
        "config.toml:10:16: 错误：个人手机号不能公开：137****2222",
        "config.toml:15:13: 错误：个人手机号不能公开：136****3333",
        "config.toml:22:12: 错误：公民身份证号不能公开：110105********002X",
        "config.toml: 错误：求助电话“村医”用的是手机号 135****4444",
        "static/138****5678.txt: 错误：文件名里有手机号：138****5678",
        "static/110105********002X.pdf: 错误：文件名里有身份证号",
        "content/notices/136****5678.md: 错误：文件名里有手机号：136****5678",
        "content/notices/136****5678.md:5:4: 错误：个人手机号不能公开：137****5678",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
    assert_eq!(
        err.matches("135****4444").count(),
        1,
        "one message per hotline: {err}"
    );
    assert!(!err.contains("139****1111"), "allowed: {err}");
    assert!(!err.contains("20230604"), "{err}");
    assert_masked(err);
    for raw in [
        "13612345678",
        "13712345678",
        "13700002222",
        "13600003333",
        "13500004444",
    ] {
        assert!(!err.contains(raw), "{raw}: {err}");
    }
    let en = site.run(&["--lang", "en", "check"]);
    assert!(
        en.stderr.contains(
            "static/138****5678.txt: error: the file name contains a mobile number: 138****5678"
        ),
        "{}",
        en.stderr
    );
}
