//! `anxuan import` (issue 16, first step: .txt): the two source reports of the example
//! site, as a clerk has them, become pages whose headings follow the document's
//! levels (copies of ../shared/seeds in tests/fixtures/seeds, so CI has them), and whose planted secrets (a document password, `##paidbegin##` markers) are
//! found at the new file's lines.

use std::path::PathBuf;

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
    // .docx is not read yet, and says what to do.
    let docx = site.path().join("a.docx");
    std::fs::write(&docx, b"PK").unwrap();
    let run = import(&site, &docx);
    run.assert_code(1);
    assert!(run.stderr.contains(".txt"), "{}", run.stderr);
}
