//! Text pasted from Word or WPS (issue 13): first-line indents, tables as tabs and
//! invisible characters come out as the clerk meant them.

use crate::support::{walk, Site, CONFIG};

fn page(site: &Site, body: &str) -> String {
    site.page("content/notices/a.md", "title = \"测试\"", body);
    site.build().assert_clean();
    site.read("notices/a/index.html")
}

#[test]
fn a_first_line_indent_is_a_paragraph_not_a_code_box() {
    let site = Site::new();
    let html = page(
        &site,
        "各村（社区）：\n\n\t为做好汛期安全工作，现通知如下。\n\n    一、加强巡查，发现隐患及时上报。\n    二、落实值班制度。\n",
    );
    assert!(!html.contains("<pre"), "{html}");
    for p in [
        "<p>为做好汛期安全工作，现通知如下。</p>",
        "<p>一、加强巡查，发现隐患及时上报。</p>",
        "<p>二、落实值班制度。</p>",
    ] {
        assert!(html.contains(p), "{p}: {html}");
    }
    // Indented continuation lines of a list item are not indented code either way.
    let html = page(&site, "- 第一项\n    续行\n- 第二项\n");
    assert!(html.contains("<li>第一项续行</li>"), "{html}");
}

#[test]
fn a_site_can_turn_indented_code_back_on() {
    let site = Site::new();
    site.file(
        "config.toml",
        &format!("{CONFIG}\n[markdown]\nindented_code = true\n"),
    );
    let html = page(&site, "说明：\n\n    let x = 1;\n");
    assert!(
        html.contains("<pre class=\"code\"><code>let x = 1;\n</code></pre>"),
        "{html}"
    );
    site.file(
        "config.toml",
        &format!("{CONFIG}\n[markdown]\nindented = true\n"),
    );
    let run = site.build();
    run.assert_code(1);
    assert!(run.stderr.contains("indented"), "{}", run.stderr);
}

#[test]
fn tab_separated_lines_become_a_table() {
    let site = Site::new();
    let html = page(
        &site,
        "隐患统计如下：\n\n类别\t发现\t整改\n消防\t10\t9\n燃气\t3\t3\n\n以上。\n",
    );
    assert!(
        html.contains("<th>类别</th><th>发现</th><th>整改</th>"),
        "{html}"
    );
    assert!(html.contains("<td>燃气</td><td>3</td><td>3</td>"), "{html}");
    assert!(html.contains("class=\"table-wrap\""), "{html}");
    // A lead-in line straight above the table stays a paragraph of its own.
    let html = page(&site, "全镇隐患\n统计如下：\n类别\t发现\n消防\t10\n");
    assert!(
        html.contains("<p>全镇隐患统计如下：</p>\n<div class=\"table-wrap\"")
            && html.contains("<thead><tr><th>类别</th><th>发现</th></tr></thead>"),
        "{html}"
    );
    // A Word table whose rows start with a tab is indented as well.
    let html = page(&site, "\t类别\t发现\n\t消防\t10\n");
    assert!(html.contains("<td>消防</td><td>10</td>"), "{html}");
}

#[test]
fn tab_rows_that_do_not_line_up_are_a_warning_with_the_line() {
    let site = Site::new();
    site.page(
        "content/notices/a.md",
        "title = \"测试\"",
        "前言。\n\n类别\t发现\t整改\n消防\t10\n",
    );
    let run = site.build();
    run.assert_ok();
    assert!(
        run.stderr.contains(
            "content/notices/a.md:7:1: 警告：这几行用制表符分隔，像是从 Word 粘贴的表格，但这一行有 2 格，第一行有 3 格"
        ),
        "{}",
        run.stderr
    );
    let en = site.run(&[
        "--lang",
        "en",
        "check",
        "--now",
        "2024-01-01T12:00:00+08:00",
    ]);
    assert!(
        en.stderr.contains("content/notices/a.md:7:1: warning: these lines are separated by tabs like a table pasted from Word, but this line has 2 cells and the first has 3"),
        "{}",
        en.stderr
    );
}

#[test]
fn no_break_and_zero_width_characters_leave_the_body_and_search() {
    let site = Site::new();
    let html = page(
        &site,
        "\u{feff}防范地质\u{200b}灾害，注意\u{a0}安全\u{2060}。\n\n`a\u{a0}b`\n",
    );
    let body = crate::support::between(&html, "<main", "</main>");
    assert!(body.contains("防范地质灾害，注意 安全。"), "{body}");
    assert!(
        !body.contains('\u{200b}') && !body.contains('\u{2060}'),
        "{body}"
    );
    assert!(
        body.contains("<code>a\u{a0}b</code>"),
        "code keeps it: {body}"
    );
    let records: Vec<String> = walk(&site.out("search"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .filter(|t| t.contains("防范"))
        .collect();
    assert!(
        records.iter().any(|t| t.contains("防范地质灾害")),
        "the search record holds the cleaned text: {records:?}"
    );
}
