//! Publish safety (SPEC §6): personal data, passwords and document leftovers stop the
//! build with file:line:column and the text masked; allowed numbers and waivers pass,
//! waivers never silently.

use crate::support::{Site, CONFIG};

fn notice(site: &Site, name: &str, body: &str) {
    site.page(
        &format!("content/notices/{name}.md"),
        "title = \"通知\"\ndate = 2023-06-04",
        body,
    );
}

#[test]
fn a_real_id_number_is_an_error_and_a_wrong_check_digit_is_not() {
    let site = Site::new();
    // 11010519491231002X is the example in GB 11643; ...0021 has a wrong check digit.
    notice(&site, "a", "请联系张三，身份证号11010519491231002X。\n");
    notice(&site, "b", "编号110105194912310021，不是身份证号。\n");
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("content/notices/a.md:5:11: 错误：公民身份证号不能公开：110105********002X"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("11010519491231002X"),
        "the number itself is never printed"
    );
    assert!(!run.stderr.contains("notices/b.md"), "{}", run.stderr);
    let en = site.run(&["--lang", "en", "check"]);
    assert!(
        en.stderr.contains("content/notices/a.md:5:11: error: a resident ID number must not be published: 110105********002X"),
        "{}",
        en.stderr
    );
}

#[test]
fn unmasked_mobiles_are_errors_masked_and_allowed_ones_are_not() {
    let site = Site::new();
    site.file(
        "config.toml",
        &format!("{CONFIG}\n[privacy]\nallow = [\"139-0000-0000\", \"0875-2123456\"]\n"),
    );
    notice(
        &site,
        "a",
        "联系人 138 1234 5678\n\n值班手机 +86-136-0000-1111\n\n打码的 138****5678 可以。\n\n镇值班 13900000000、0875-2123456，报警110、火警119、急救120、交通122、热线12345、举报12350。\n\n订单号 201381234567890 不是手机号。\n",
    );
    let run = site.build();
    run.assert_code(1);
    let err = &run.stderr;
    assert!(
        err.contains("content/notices/a.md:5:5: 错误：个人手机号不能公开：138****5678"),
        "{err}"
    );
    assert!(
        err.contains("content/notices/a.md:7:6: 错误：个人手机号不能公开：136****1111"),
        "{err}"
    );
    assert_eq!(err.matches("个人手机号不能公开").count(), 2, "{err}");
    assert!(err.contains("[privacy] allow"), "says how to fix: {err}");
}

#[test]
fn passwords_and_paywall_markers_left_in_pasted_documents() {
    let site = Site::new();
    notice(
        &site,
        "a",
        "##paidbegin##\n会议纪要正文。\n##paidend##\n\n附件下载，提取码：8x2k\n",
    );
    let run = site.run(&["check"]);
    run.assert_code(1);
    let err = &run.stderr;
    assert!(
        err.contains("content/notices/a.md:5:1: 错误：文中留有文档网站的标记 `##paidbegin##`"),
        "{err}"
    );
    assert!(
        err.contains("content/notices/a.md:7:1: 错误：文中留有文档网站的标记 `##paidend##`"),
        "{err}"
    );
    assert!(
        err.contains("content/notices/a.md:9:6: 错误：文中写着密码或口令：提取码：******"),
        "{err}"
    );
    assert!(!err.contains("8x2k"), "the secret is masked: {err}");
    assert!(!site.out("index.html").exists(), "check writes nothing");
}

#[test]
fn data_files_static_files_and_hotlines_are_checked_too() {
    let site = Site::new();
    site.file(
        "config.toml",
        &format!("{CONFIG}\n[[hotlines]]\nname = \"村医\"\nnumber = \"13700001111\"\n"),
    );
    site.file(
        "content/stats/2023/people.csv",
        "村,联系人,电话\n东村,李四,13812345678\n",
    );
    site.page(
        "content/stats/2023/index.md",
        "title = \"数据\"",
        "见附件。\n",
    );
    site.file("static/list.txt", "名单\n王五 11010519491231002X\n");
    let run = site.build();
    run.assert_code(1);
    let err = &run.stderr;
    assert!(
        err.contains("content/stats/2023/people.csv:2:7: 错误：个人手机号不能公开：138****5678"),
        "{err}"
    );
    assert!(
        err.contains("static/list.txt:2:4: 错误：公民身份证号不能公开"),
        "{err}"
    );
    assert!(
        err.contains("config.toml: 错误：求助电话“村医”用的是手机号 137****1111"),
        "{err}"
    );
    // Sorted by file, all in one run.
    let (a, b, c) = (
        err.find("config.toml").unwrap(),
        err.find("people.csv").unwrap(),
        err.find("static/list.txt").unwrap(),
    );
    assert!(a < b && b < c, "{err}");
}

#[test]
fn a_page_may_waive_a_finding_but_never_silently() {
    let site = Site::new();
    site.page(
        "content/notices/a.md",
        "title = \"表彰\"\nprivacy_allow = [\"138-1234-5678\", \"13900001111\"]",
        "联系电话 13812345678（本人同意公开）。\n",
    );
    let run = site.build();
    run.assert_ok();
    assert!(
        run.stderr.contains(
            "content/notices/a.md:5:6: 警告：按本页的 privacy_allow 公开了 138****5678（手机号）"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "content/notices/a.md:3:35: 警告：privacy_allow 里的 `13900001111` 在本页没有用到"
        ),
        "{}",
        run.stderr
    );
    // The waiver is the page's own: another page with the number still fails.
    site.page("content/notices/b.md", "title = \"别的\"", "13812345678\n");
    site.build().assert_code(1);
}
