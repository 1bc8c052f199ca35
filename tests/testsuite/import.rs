//! `anxuan import` (issue 16): the two source reports of the example site, as a clerk
//! has them (copies of ../shared/seeds in tests/fixtures/seeds, so CI has them), and
//! two real .docx files (tests/fixtures/docx, made once by its make.py) become pages
//! whose headings follow the document's levels, whose tables, pictures and footnotes
//! survive, and whose planted secrets (a document password, `##paidbegin##` markers, a
//! mobile number) are found at the new file's lines. What mammoth (PyPI) extracts
//! from the same .docx is all in the page.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::Site;

fn seed(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/seeds")
        .join(name)
}

const FIRST: &str = "000_4c55400be0c15b90.txt";
const SECOND: &str = "001_549038def8f3af9e.txt";

fn import(site: &Site, file: &std::path::Path) -> crate::support::Run {
    site.run(&["import", &file.display().to_string()])
}

#[test]
fn both_source_reports_import_with_their_heading_tree_and_secrets_found_at_their_lines() {
    for (name, slug) in [
        (FIRST, "xx-xiang-an-quan-sheng-chan-gong-zuo-kai-zhan-qing-kuang-hui-bao"),
        (SECOND, "xx-zhen-2023-nian-an-quan-sheng-chan-fang-zai-jian-zai-he-ying-ji-xiao-fang-gong-zuo-zong-jie"),
    ] {
        let file = seed(name);
        if !file.is_file() {
            panic!("the seed report {} is missing", file.display());
        }
        let site = Site::new();
        let run = import(&site, &file);
        // Written, and the planted secrets stop it from building.
        run.assert_code(1);
        let rel = format!("content/notices/{slug}/index.md");
        assert!(run.stdout.contains(&rel), "{}: {}", name, run.stdout);
        let page = std::fs::read_to_string(site.path().join(&rel)).unwrap();
        let original = crate::import_seed_text(&file);
        // The heading tree: every 一、 line a ##, every （一） line a ###.
        for l in original.lines().map(|l| l.trim_start_matches(['\u{3000}', ' '])) {
            let first = l.chars().next().unwrap_or(' ');
            if "一二三四五六七八九十".contains(first) && l.chars().nth(1) == Some('、') {
                assert!(page.contains(&format!("\n## {l}\n")), "{name}: {l} is not a ## heading");
            }
            if l.starts_with('（') && l.chars().nth(1).is_some_and(|c| "一二三四五六七八九十".contains(c)) && l.chars().nth(2) == Some('）') {
                assert!(page.contains(&format!("\n### {l}")), "{name}: {l} is not a ### heading");
            }
            // A numbered point that ends as a sentence is a paragraph, not a heading.
            if l.starts_with(|c: char| c.is_ascii_digit()) && l.ends_with(['。', '；']) {
                assert!(page.contains(&format!("\n\n{l}\n")), "{name}: {l} is not a paragraph");
            }
        }
        // No paragraph lost: every line of the report is in the page.
        for l in original.lines().map(|l| l.trim_start_matches(['\u{3000}', ' ']).trim_end()) {
            if !l.is_empty() {
                assert!(page.contains(l.trim_start_matches('#')), "{name}: lost {l:?}");
            }
        }
        // Each secret at the line where it now is.
        for (i, line) in page.lines().enumerate() {
            for marker in ["##paidbegin##", "##paidend##", "密码"] {
                if line.contains(marker) {
                    let at = format!("{rel}:{}:", i + 1);
                    assert!(run.stderr.contains(&at), "{name}: {marker} not reported at {at}: {}", run.stderr);
                }
            }
        }
        assert!(run.stderr.contains("删掉之前网站不能生成"), "{}", run.stderr);
        // Once the clerk removes them, the page builds.
        let cleaned: String = page
            .lines()
            .filter(|l| !l.contains("密码") && !l.contains("##paid"))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(site.path().join(&rel), cleaned).unwrap();
        site.run(&["build"]).assert_ok();
        // Importing it again never writes over the page.
        let again = import(&site, &file);
        again.assert_code(1);
        assert!(again.stderr.contains("没有覆盖"), "{}", again.stderr);
    }
}

#[test]
fn a_gbk_text_with_a_written_date_imports_with_that_date() {
    let site = Site::new();
    let text = "XX镇关于开展燃气安全检查的通知\r\n各村（社区）：\r\n\u{3000}\u{3000}为防范燃气事故，现将有关事项通知如下。\r\n一、检查范围\r\n（一）餐饮场所\r\n1.液化气钢瓶\r\n（1）查看检验日期；\r\n（2）查看减压阀。\r\n\r\nXX镇人民政府\r\n2023年6月5日\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let file = site.path().join("通知.txt");
    std::fs::write(&file, &gbk).unwrap();
    let run = import(&site, &file);
    run.assert_ok();
    let page = std::fs::read_to_string(site.path().join(
        "content/notices/xx-zhen-guan-yu-kai-zhan-ran-qi-an-quan-jian-cha-de-tong-zhi/index.md",
    ))
    .unwrap();
    assert!(page.contains("date = 2023-06-05\n"), "{page}");
    assert!(page.contains("## 一、检查范围\n\n### （一）餐饮场所\n\n#### 1.液化气钢瓶\n\n- （1）查看检验日期；\n- （2）查看减压阀。"), "{page}");
    assert!(
        page.contains("\n为防范燃气事故"),
        "the indent is gone: {page}"
    );
    site.run(&["build"]).assert_ok();
    // The old binary formats say what to do; a broken .docx says it cannot be read,
    // and neither writes anything.
    let before = site.files().len();
    for (name, says) in [
        ("a.doc", "Word 文档（.docx）"),
        ("b.wps", "Word 文档（.docx）"),
        ("c.docx", "不是一个能读的 Word 文档"),
    ] {
        let file = site.path().join(name);
        std::fs::write(&file, b"PK\x03\x04 not really").unwrap();
        let run = import(&site, &file);
        run.assert_code(1);
        assert!(run.stderr.contains(says), "{name}: {}", run.stderr);
    }
    assert_eq!(
        site.files().len(),
        before,
        "nothing written: {:?}",
        site.files()
    );
}

fn docx(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/docx")
        .join(name)
}

/// What mammoth 1.13.0 (PyPI, installed once into target/pylib) reads as the
/// document's paragraphs: its raw text, one paragraph per non-empty line.
fn mammoth_paragraphs(file: &Path) -> Vec<String> {
    let lib = crate::support::pylib("mammoth", "mammoth==1.13.0");
    let out = Command::new("python3")
        .env("PYTHONPATH", &lib)
        .arg("-c")
        .arg("import sys, mammoth\nsys.stdout.buffer.write(mammoth.extract_raw_text(open(sys.argv[1], 'rb')).value.encode('utf-8'))")
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            l.trim_start_matches(['\u{3000}', ' '])
                .trim_end()
                .to_string()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

/// The page's text as a reader sees it: Markdown's emphasis markers, escapes,
/// footnote references and link addresses out.
fn page_words(page: &str) -> String {
    let mut words = page.replace("**", "").replace(['*', '\\'], "");
    for n in 1..10 {
        words = words.replace(&format!("[^{n}]"), "");
    }
    while let Some(at) = words.find("](<") {
        let end = words[at..].find(">)").map_or(words.len(), |e| at + e + 2);
        words.replace_range(at..end, "");
    }
    words.replace(['[', ']'], "")
}

/// The page's headings, in order.
fn headings(page: &str) -> Vec<&str> {
    page.lines().filter(|l| l.starts_with('#')).collect()
}

#[test]
fn a_word_notice_with_hand_typed_levels_a_table_a_photo_and_a_footnote_imports_and_builds_once_its_secrets_are_gone(
) {
    let site = Site::new();
    let file = docx("notice.docx");
    let run = import(&site, &file);
    // Written, and the planted password and mobile number stop it from building.
    run.assert_code(1);
    let dir = "content/notices/xx-zhen-guan-yu-kai-zhan-xun-qi-an-quan-yin-huan-pai-cha-zheng-zhi-de-tong-zhi";
    let rel = format!("{dir}/index.md");
    assert!(run.stdout.contains(&rel), "{}", run.stdout);
    let page = std::fs::read_to_string(site.path().join(&rel)).unwrap();
    // The title is the first centred bold paragraph after the issuing body's mark and
    // the 发文字号; the 成文日期 is the date.
    assert!(
        page.contains("title = \"XX镇关于开展汛期安全隐患排查整治的通知\"\n"),
        "{page}"
    );
    assert!(page.contains("date = 2023-06-05\n"), "{page}");
    // The hand-typed levels, and 1.5万元 and the attachment's 2. are no headings.
    assert_eq!(
        headings(&page),
        [
            "## 一、排查范围",
            "### （一）河堤水库",
            "#### 1.重点部位",
            "## 二、整改要求"
        ],
        "{page}"
    );
    assert!(
        page.contains(
            "\n\n- （1）堤身裂缝、渗漏；\n- （2）涵闸启闭设施。\n\n1.5万元专项资金已下达各村。\n"
        ),
        "{page}"
    );
    // 发文字号, 主送机关 and 附件 as lines of their own, the indents gone.
    for line in [
        "X镇发〔2023〕12号",
        "各村（社区）、镇直各单位：",
        "附件：1.隐患排查登记表",
        "2.整改通知书",
        "XX镇人民政府",
        "2023年6月5日",
    ] {
        assert!(
            page.contains(&format!("\n\n{line}\n")),
            "{line} is not a line of its own: {page}"
        );
    }
    // Bold and italic; the field's result and the inserted words, not the field's
    // instruction, the deleted words, the comment, the header or the footer.
    assert!(page.contains("为切实做好今年汛期[^1]安全工作，**保障人民群众生命财产安全**，现就有关事项*通知如下*。"), "{page}");
    assert!(
        page.contains("本通知自印发之日起执行，各村抓好落实。"),
        "{page}"
    );
    for gone in [
        "DATE",
        "yyyy",
        "旧办法同时废止",
        "批注文字不应出现",
        "页眉文字不应出现",
        "页脚文字不应出现",
    ] {
        assert!(!page.contains(gone), "{gone} is in the page: {page}");
    }
    // The table, a GFM table: merged cells as empty ones, `|` escaped.
    assert!(page.contains("\n\n| 类别 | 地点 | 责任人及电话 |\n| --- | --- | --- |\n| 河堤 | 东风村段 （一般\\|较大） | 李四 13812345678 |\n| | 红旗村段 | 王五 |\n| 合计 | 2处 | |\n\n"), "{page}");
    // The photo beside the page, as it was in the document, with its description.
    assert!(
        page.contains("\n\n![东风村段河堤裂缝](image-1.jpg)\n\n"),
        "{page}"
    );
    let photo = site.path().join(dir).join("image-1.jpg");
    let source = crate::photos::exiftool(&photo);
    assert!(
        source.contains_key("EXIF:GPSLatitude"),
        "the fixture's photo has a position: {source:?}"
    );
    // The footnote.
    assert!(
        page.ends_with("\n\n[^1]: 汛期指每年5月1日至9月30日。\n"),
        "{page}"
    );
    // No paragraph mammoth reads is lost.
    let words = page_words(&page);
    for p in mammoth_paragraphs(&file) {
        assert!(words.contains(&p), "lost {p:?} (mammoth has it): {page}");
    }
    // Each secret at the line where it now is.
    let mut found = 0;
    for (i, line) in page.lines().enumerate() {
        if line.contains("密码") || line.contains("13812345678") {
            let at = format!("{rel}:{}:", i + 1);
            assert!(
                run.stderr.contains(&at),
                "not reported at {at}: {}",
                run.stderr
            );
            found += 1;
        }
    }
    assert_eq!(found, 2, "{page}");
    assert!(
        run.stderr.contains("删掉之前网站不能生成"),
        "{}",
        run.stderr
    );

    // Once the clerk removes them, the page builds: a table, the footnote, the photo
    // resized and without its position.
    let cleaned = page
        .lines()
        .filter(|l| !l.contains("密码"))
        .map(|l| format!("{}\n", l.replace("13812345678", "138****5678")))
        .collect::<String>();
    std::fs::write(site.path().join(&rel), cleaned).unwrap();
    site.build().assert_ok();
    let url = dir.trim_start_matches("content/");
    let html = site.read(&format!("{url}/index.html"));
    assert!(html.contains("<table"), "{html}");
    assert!(html.contains("<td>东风村段 （一般|较大）</td>"), "{html}");
    assert!(
        html.contains("<strong>保障人民群众生命财产安全</strong>"),
        "{html}"
    );
    assert!(html.contains("footnote-definition"), "{html}");
    assert!(html.contains("汛期指每年5月1日至9月30日。"), "{html}");
    assert!(html.contains("alt=\"东风村段河堤裂缝\""), "{html}");
    let copies: Vec<String> = site
        .files()
        .into_iter()
        .filter(|f| f.starts_with(&format!("{url}/")) && f.ends_with(".jpg"))
        .collect();
    assert!(copies.iter().any(|f| f.contains(".1280w.")), "{copies:?}");
    for f in &copies {
        let tags = crate::photos::exiftool(&site.out(f));
        let telling: Vec<&String> = tags
            .keys()
            .filter(|k| k.starts_with("EXIF:") || k.contains("GPS"))
            .collect();
        assert!(telling.is_empty(), "{f}: {telling:?}");
        let (w, _) = image::image_dimensions(site.out(f)).unwrap();
        assert!(w <= 1280, "{f} is {w} px wide");
    }
    // Importing it again never writes over the page or its photo.
    let again = import(&site, &file);
    again.assert_code(1);
    assert!(again.stderr.contains("没有覆盖"), "{}", again.stderr);
}

#[test]
fn a_document_with_wps_style_ids_and_numbered_headings_keeps_its_headings_and_lists() {
    let site = Site::new();
    let file = docx("wps-headings.docx");
    let run = import(&site, &file);
    run.assert_ok();
    let rel = "content/notices/xx-zhen-2023-nian-fang-xun-gong-zuo-fang-an/index.md";
    assert!(run.stdout.contains(rel), "{}", run.stdout);
    let page = std::fs::read_to_string(site.path().join(rel)).unwrap();
    // The Title style (id a3) is the title; headings by the names of styles "1" and
    // "2" (`heading 1`, `标题 2`) and by an outline level, each with the number WPS
    // shows, not a list; the style whose id is Heading3 but whose name is 正文缩进
    // stays body text.
    assert!(
        page.contains("title = \"XX镇2023年防汛工作方案\"\n"),
        "{page}"
    );
    assert!(page.contains("date = 2023-05-20\n"), "{page}");
    assert_eq!(
        headings(&page),
        [
            "## 一、总体要求",
            "### （一）指导思想",
            "### （二）工作目标",
            "## 二、工作措施",
            "### （一）隐患排查",
            "#### 巡查频次",
        ],
        "{page}"
    );
    assert!(
        page.contains("\n\n本段样式的编号是 Heading3，名称却是正文缩进：它是正文。\n\n"),
        "{page}"
    );
    // Lists from numbering.xml: bullets and numbers, nested by level.
    assert!(
        page.contains("\n\n- 沙袋\n    - 编织袋\n    - 麻袋\n- 救生衣\n\n"),
        "{page}"
    );
    assert!(
        page.contains("\n\n1. 镇领导带班\n2. 村干部值守\n    1. 夜间双人值守\n\n"),
        "{page}"
    );
    assert!(
        page.contains("各村要做到**“四个到位”**，即*责任到位*、物资到位"),
        "{page}"
    );
    let words = page_words(&page);
    for p in mammoth_paragraphs(&file) {
        assert!(words.contains(&p), "lost {p:?} (mammoth has it): {page}");
    }
    site.build().assert_ok();
    let html = site.read("notices/xx-zhen-2023-nian-fang-xun-gong-zuo-fang-an/index.html");
    assert!(html.contains("<strong>“四个到位”</strong>"), "{html}");
    assert!(html.contains("一、总体要求</h2>"), "{html}");
    assert!(html.contains("巡查频次</h4>"), "{html}");
    assert!(
        crate::support::between(&html, "沙袋", "救生衣").contains("<ul>"),
        "a nested list: {html}"
    );
}

#[test]
fn a_document_numbered_by_word_with_a_text_box_and_a_picture_without_alt_text_imports() {
    let site = Site::new();
    let file = docx("numbered.docx");
    let run = import(&site, &file);
    run.assert_ok();
    let dir = "content/notices/xx-zhen-guan-yu-jia-qiang-ran-qi-an-quan-guan-li-de-tong-zhi";
    let page = std::fs::read_to_string(site.path().join(dir).join("index.md")).unwrap();
    // The centred 标题 1 paragraph is the title; the 一、 and （一） Word numbers on
    // 正文 paragraphs are the outline; the 成文日期 in Chinese digits is the date.
    assert!(
        page.contains("title = \"XX镇关于加强燃气安全管理的通知\"\n"),
        "{page}"
    );
    assert!(page.contains("date = 2023-06-05\n"), "{page}");
    assert_eq!(
        headings(&page),
        [
            "## 一、检查范围",
            "### （一）餐饮场所",
            "### （二）居民用户",
            "## 二、工作要求"
        ],
        "{page}"
    );
    // The text box's words once (Word writes them twice, for old readers too).
    assert_eq!(
        page.matches("燃气泄漏时请立即关阀开窗").count(),
        1,
        "{page}"
    );
    assert!(
        page.contains("[应急管理部网站](<https://www.mem.gov.cn/>)"),
        "{page}"
    );
    // The picture beside the page; without a description the import warns, as the
    // build does, and says how to add one.
    assert!(page.contains("\n\n![](image-1.png)\n\n"), "{page}");
    assert!(site.path().join(dir).join("image-1.png").is_file());
    assert!(run.stderr.contains("图片没有说明文字"), "{}", run.stderr);
    let words = page_words(&page);
    for p in mammoth_paragraphs(&file) {
        assert!(words.contains(&p), "lost {p:?} (mammoth has it): {page}");
    }
    site.build().assert_ok();
    let html = site
        .read("notices/xx-zhen-guan-yu-jia-qiang-ran-qi-an-quan-guan-li-de-tong-zhi/index.html");
    assert!(html.contains("href=\"https://www.mem.gov.cn/\""), "{html}");
    assert!(html.contains("一、检查范围</h2>"), "{html}");
}
