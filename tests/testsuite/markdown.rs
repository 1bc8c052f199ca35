//! Markdown as Chinese content needs it.

use crate::support::Site;

fn body(md: &str) -> String {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"测试\"", md);
    site.build().assert_clean();
    site.read("notices/a/index.html")
}

#[test]
fn a_line_break_between_chinese_characters_adds_no_space() {
    let html = body("各村（社区）要做好\n防汛准备，注意\nsafety first。\n");
    assert!(
        html.contains("各村（社区）要做好防汛准备，注意\nsafety first。"),
        "{html}"
    );
}

#[test]
fn a_line_break_after_chinese_punctuation_adds_no_space() {
    let html = body("请注意安全。\n“人人讲安全”\n");
    assert!(html.contains("请注意安全。“人人讲安全”"), "{html}");
}

#[test]
fn emphasis_touching_chinese_punctuation() {
    let html = body("开展**“百日攻坚”**行动，*“注意”*事项。\n");
    assert!(
        html.contains("开展<strong>“百日攻坚”</strong>行动"),
        "{html}"
    );
    assert!(html.contains("<em>“注意”</em>事项"), "{html}");
}

#[test]
fn gfm_tables_task_lists_strikethrough_footnotes() {
    let html = body("| 类别 | 数量 |\n|---|---|\n| 隐患 | 207 |\n\n- [x] 已整改\n- [ ] 未整改\n\n~~作废~~\n\n脚注[^1]\n\n[^1]: 说明。\n");
    assert!(
        html.contains("<table>") && html.contains("<td>207</td>"),
        "{html}"
    );
    assert!(html.contains("type=\"checkbox\""), "{html}");
    assert!(html.contains("<del>作废</del>"), "{html}");
    assert!(html.contains("说明。"), "{html}");
    assert!(
        html.contains("class=\"table-wrap\""),
        "tables scroll inside a wrapper: {html}"
    );
}

#[test]
fn headings_get_pinyin_ids_and_anchor_links_resolve() {
    let site = Site::new();
    site.page(
        "content/notices/a.md",
        "title = \"甲\"",
        "## 防御指南\n\n见[下文](#防御指南)。\n",
    );
    site.page(
        "content/notices/b.md",
        "title = \"乙\"",
        "见[甲的指南](a.md#防御指南)，[坏锚点](a.md#不存在)。\n",
    );
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr.contains("content/notices/b.md:4:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("#不存在"), "{}", run.stderr);
    site.page(
        "content/notices/b.md",
        "title = \"乙\"",
        "见[甲的指南](a.md#防御指南)。\n",
    );
    site.build().assert_clean();
    let a = site.read("notices/a/index.html");
    assert!(a.contains("<h2 id=\"fang-yu-zhi-nan\">"), "{a}");
    assert!(a.contains("href=\"#fang-yu-zhi-nan\""), "{a}");
    assert!(site
        .read("notices/b/index.html")
        .contains("href=\"/zhen/notices/a/#fang-yu-zhi-nan\""));
}

#[test]
fn code_is_highlighted_with_classes_not_inline_styles() {
    let html = body("```python\ntitle = \"防汛\"\n```\n");
    assert!(
        html.contains("<pre class=\"code\" data-lang=\"python\">"),
        "{html}"
    );
    assert!(html.contains("class=\"hl-"), "{html}");
    assert!(!html.contains("style=\"color"), "{html}");
}
