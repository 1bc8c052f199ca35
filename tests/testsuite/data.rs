//! Data blocks (SPEC §3): ```table and ```chart over CSV, TOML and JSON files in a
//! page bundle or inline CSV; bad data is an error naming the file and line.

use crate::support::{between, Site};

const CSV: &str = "行业领域,发现隐患,已整改\n工贸企业,68,66\n消防,39,37\n";

fn stats(site: &Site, body: &str) {
    site.page(
        "content/stats/2023/index.md",
        "title = \"2023年数据\"\ndate = 2023-12-20",
        body,
    );
}

#[test]
fn a_csv_in_the_bundle_becomes_a_table_with_a_sum_row() {
    let site = Site::new();
    site.file("content/stats/2023/hazards.csv", CSV);
    stats(
        &site,
        "```table src=hazards.csv sum=true title=隐患明细\n```\n",
    );
    site.build().assert_clean();
    let html = site.read("stats/2023/index.html");
    let table = between(&html, "<table class=\"data\">", "</table>");
    assert!(table.contains("<caption>隐患明细</caption>"), "{table}");
    assert!(table.contains("<th scope=\"col\">行业领域</th>"), "{table}");
    assert!(
        table.contains(
            "<th scope=\"row\">工贸企业</th><td class=\"num\">68</td><td class=\"num\">66</td>"
        ),
        "{table}"
    );
    assert!(
        table.contains(
            "<th scope=\"row\">合计</th><td class=\"num\">107</td><td class=\"num\">103</td>"
        ),
        "{table}"
    );
    assert!(!html.contains("<pre"), "no code block is left: {html}");
}

#[test]
fn charts_are_inline_svg_with_a_text_alternative_and_the_data() {
    let site = Site::new();
    site.file("content/stats/2023/hazards.csv", CSV);
    stats(
        &site,
        "```chart src=hazards.csv type=bar title=隐患排查\n```\n\n```chart src=hazards.csv type=ring y=已整改,发现隐患 title=整改率\n```\n",
    );
    site.build().assert_clean();
    let html = site.read("stats/2023/index.html");
    let bar = between(
        &html,
        "<figure class=\"data-block chart chart-bar\">",
        "</figure>",
    );
    assert!(bar.contains("<figcaption>隐患排查</figcaption>"), "{bar}");
    assert!(bar.contains("role=\"img\""), "{bar}");
    assert!(
        bar.contains("aria-label=\"隐患排查（条形图）：工贸企业 发现隐患 68，已整改 66；消防 发现隐患 39，已整改 37。\""),
        "{bar}"
    );
    // Two series, two rows: a legend swatch per series and a bar per value; the longest
    // bar is the largest value.
    let widths: Vec<f64> = bar
        .split("<rect ")
        .skip(1)
        .filter(|r| r.contains("height=\"20\""))
        .map(|r| between(r, "width=\"", "\"").parse().unwrap())
        .collect();
    assert_eq!(widths.len(), 4, "{bar}");
    assert!(
        widths[0] > widths[1] && widths[1] > widths[2] && widths[2] > widths[3],
        "{widths:?}"
    );
    assert!(
        bar.contains("<details class=\"chart-data\">"),
        "the data stays available: {bar}"
    );
    assert!(!bar.contains("<script"), "{bar}");

    let ring = between(
        &html,
        "<figure class=\"data-block chart chart-ring\">",
        "</figure>",
    );
    assert!(ring.contains(">96.3%</text>"), "103 of 107: {ring}");
    // Each chart is also a picture beside the page (for the 公众号 article), in order:
    // the bar chart 720 px wide, the ring 400.
    for (n, width) in [(1, 720), (2, 400)] {
        let png = std::fs::read(site.out(&format!("stats/2023/anxuan-chart-{n}.png"))).unwrap();
        let img = image::load_from_memory(&png).unwrap();
        assert_eq!(img.width(), width, "chart {n}");
    }
    assert!(!site.out("stats/2023/anxuan-chart-3.png").exists());
}

#[test]
fn a_chart_label_the_picture_font_lacks_is_a_warning_at_the_block() {
    let site = Site::new();
    // 䦆 (CJK Extension A) is in some village names and outside GB 2312.
    stats(&site, "说明\n\n```chart\n村,隐患\n䦆头村,3\n东村,2\n```\n");
    let run = site.build();
    run.assert_ok();
    assert!(
        run.stderr.contains("content/stats/2023/index.md:7:1")
            && run.stderr.contains("“䦆”不在图表图片的字库里"),
        "{}",
        run.stderr
    );
    // The web page draws it with the reader's fonts; the picture is still made.
    assert!(site.read("stats/2023/index.html").contains("䦆头村"));
    assert!(site.out("stats/2023/anxuan-chart-1.png").is_file());
}

#[test]
fn toml_json_and_inline_data() {
    let site = Site::new();
    site.file(
        "content/stats/2023/villages.toml",
        "[[rows]]\n\"村\" = \"东村\"\n\"人数\" = 30\n\n[[rows]]\n\"村\" = \"西村\"\n\"人数\" = 12\n",
    );
    site.file(
        "content/stats/2023/points.json",
        "[{\"隐患点\": \"后山滑坡\", \"住户\": 8}, {\"隐患点\": \"河沟泥石流\", \"住户\": 5}]",
    );
    stats(
        &site,
        "```table src=villages.toml\n```\n\n```chart src=points.json\n```\n\n```table\n水库,库容（万立方米）\n红旗水库,120\n```\n",
    );
    site.build().assert_clean();
    let html = site.read("stats/2023/index.html");
    assert!(
        html.contains("<th scope=\"row\">西村</th><td class=\"num\">12</td>"),
        "{html}"
    );
    assert!(
        html.contains("aria-label=\"图表（条形图）：后山滑坡 8；河沟泥石流 5。\""),
        "{html}"
    );
    assert!(
        html.contains("<th scope=\"row\">红旗水库</th><td class=\"num\">120</td>"),
        "{html}"
    );
}

#[test]
fn a_value_that_is_not_a_number_names_the_csv_file_and_line() {
    let site = Site::new();
    site.file(
        "content/stats/2023/hazards.csv",
        "行业领域,发现隐患,已整改\n工贸企业,68,66\n消防,39项,37\n",
    );
    stats(&site, "文字\n\n```chart src=hazards.csv\n```\n");
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr.contains(
            "content/stats/2023/hazards.csv:3:4: 错误：`发现隐患` 列第 2 行的值 `39项` 不是数字"
        ),
        "{}",
        run.stderr
    );
    let en = site.run(&["--lang", "en", "build"]);
    assert!(
        en.stderr
            .contains("hazards.csv:3:4: error: `发现隐患`, data row 2: `39项` is not a number"),
        "{}",
        en.stderr
    );
}

#[test]
fn missing_columns_files_and_bad_settings_name_the_markdown_line() {
    let site = Site::new();
    site.file("content/stats/2023/hazards.csv", CSV);
    stats(
        &site,
        "第一段\n\n```chart src=hazards.csv y=已整该\n```\n\n```table src=hazard.csv\n```\n\n```chart type=pie\na,b\nx,1\n```\n\n```table\na,b\nx,1,2\n```\n",
    );
    let run = site.build();
    run.assert_code(1);
    let err = &run.stderr;
    // The front matter takes lines 1-4, so the body starts on line 5.
    assert!(
        err.contains("content/stats/2023/index.md:7:1: 错误：y= 指定的列 `已整该` 在数据里没有"),
        "{err}"
    );
    assert!(err.contains("是不是 `已整改`？"), "{err}");
    assert!(
        err.contains("content/stats/2023/index.md:10:1: 错误：数据文件 `hazard.csv` 不存在"),
        "{err}"
    );
    assert!(err.contains("是不是 `hazards.csv`？"), "{err}");
    assert!(
        err.contains("content/stats/2023/index.md:13:1: 错误：图表类型 `pie` 不认识"),
        "{err}"
    );
    assert!(
        err.contains("content/stats/2023/index.md:20:1: 错误：这一行有 3 个值，表头有 2 列"),
        "{err}"
    );
}

#[test]
fn a_data_file_may_not_leave_the_bundle() {
    let site = Site::new();
    site.file("content/secret.csv", "a,b\nx,1\n");
    stats(&site, "```table src=../../secret.csv\n```\n");
    let run = site.build();
    run.assert_code(1);
    assert!(run.stderr.contains("不能用绝对路径或 .."), "{}", run.stderr);
}

#[test]
fn a_gbk_csv_from_excel_is_read_with_a_warning() {
    let site = Site::new();
    let (bytes, _, _) = encoding_rs::GBK.encode("村,人数\n东村,30\n");
    site.bytes("content/stats/2023/v.csv", &bytes);
    stats(&site, "```table src=v.csv\n```\n");
    let run = site.build();
    run.assert_ok();
    assert!(
        run.stderr.contains("content/stats/2023/v.csv"),
        "{}",
        run.stderr
    );
    assert!(
        site.read("stats/2023/index.html")
            .contains("<th scope=\"row\">东村</th><td class=\"num\">30</td>"),
        "the GBK text is decoded"
    );
}

/// What Excel or WPS writes when a clerk saves the 隐患 sheet as CSV: GBK, a 整改率
/// column of percentages, a 合计 row, empty trailing columns and a blank last line.
fn excel_export(total_found: &str) -> Vec<u8> {
    let text = format!(
        "行业领域,发现隐患,已整改,整改率,,\r\n工贸企业,68,66,97.1%,,\r\n危险化学品,31,30,96.8%,,\r\n道路交通,42,40,95.2%,,\r\n消防,39,37,94.9%,,\r\n自建房,17,15,88.2%,,\r\n非煤矿山和地质灾害点,10,9,90.0%,,\r\n合 计,{total_found},197,95.2%,,\r\n,,,,,\r\n"
    );
    encoding_rs::GBK.encode(&text).0.into_owned()
}

#[test]
fn an_excel_total_row_is_not_counted_twice() {
    let site = Site::new();
    site.bytes("content/stats/2023/hazards.csv", &excel_export("207"));
    stats(
        &site,
        "```table src=hazards.csv sum=true\n```\n\n```chart src=hazards.csv type=ring y=已整改,发现隐患 title=整改率\n```\n\n```chart src=hazards.csv type=bar title=隐患\n```\n",
    );
    let run = site.build();
    run.assert_ok();
    // The only warning is the encoding one: the 合计 row agrees with the rows.
    assert!(!run.stderr.contains("合计"), "{}", run.stderr);
    let html = site.read("stats/2023/index.html");
    let table = between(&html, "<table class=\"data\">", "</table>");
    assert_eq!(table.matches(">合").count(), 1, "one total row: {table}");
    assert!(
        table.contains(
            "<th scope=\"row\">合计</th><td class=\"num\">207</td><td class=\"num\">197</td><td class=\"num\">95.2%</td>"
        ),
        "sums without the 合计 row, the share as the file says it: {table}"
    );
    assert!(
        !table.contains("480"),
        "percentages are not summed: {table}"
    );
    assert!(
        !table.contains("<th scope=\"col\"></th>"),
        "no empty columns: {table}"
    );
    let ring = between(&html, "chart-ring\">", "</figure>");
    assert!(
        ring.contains("已整改：197，发现隐患：207，占 95.2%"),
        "{ring}"
    );
    let bar = between(&html, "chart-bar\">", "</figure>");
    let svg = between(bar, "<svg", "</svg>");
    assert!(!svg.contains("合"), "合计 is not one more bar: {svg}");
    assert!(!svg.contains("整改率"), "no share on the count axis: {svg}");
    assert_eq!(svg.matches("<rect").count(), 2 + 6 * 2, "{svg}");
}

#[test]
fn a_total_row_that_disagrees_is_a_warning_naming_the_line() {
    let site = Site::new();
    site.bytes("content/stats/2023/hazards.csv", &excel_export("210"));
    stats(&site, "```table src=hazards.csv\n```\n");
    let run = site.build();
    run.assert_ok();
    assert!(
        run.stderr
            .contains("合 计行的 `发现隐患` 写的是 210，上面各行加起来是 207"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("content/stats/2023/hazards.csv:8:"),
        "the CSV's line 8: {}",
        run.stderr
    );
    let html = site.read("stats/2023/index.html");
    assert!(
        html.contains("<tfoot><tr><th scope=\"row\">合 计</th><td class=\"num\">210</td>"),
        "without sum=true the file's own row is shown as written: {html}"
    );
    let en = site.run(&["build", "--lang", "en"]);
    assert!(
        en.stderr
            .contains("the 合 计 row says `发现隐患` is 210, but the rows above add up to 207"),
        "{}",
        en.stderr
    );
}

#[test]
fn a_percentage_column_named_in_a_bar_chart_is_left_out_with_a_warning() {
    let site = Site::new();
    site.file(
        "content/stats/2023/r.csv",
        "村,发现隐患,整改率\n东村,10,90%\n西村,20,95%\n",
    );
    stats(&site, "```chart src=r.csv y=发现隐患,整改率\n```\n");
    let run = site.build();
    run.assert_ok();
    assert!(
        run.stderr.contains("图表没有画百分比列 整改率"),
        "{}",
        run.stderr
    );
    let svg = between(&site.read("stats/2023/index.html"), "<svg", "</svg>").to_string();
    assert!(!svg.contains("90%"), "{svg}");
}
