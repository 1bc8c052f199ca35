//! Data blocks (SPEC §3): a fenced block whose info string starts with `table` or
//! `chart` renders data instead of code.
//!
//! ````text
//! ```chart src=hazards.csv type=bar title=隐患排查整改情况
//! ```
//! ````
//!
//! The data comes from a CSV, TOML or JSON file beside the page (`src=`) or from the
//! block's body as inline CSV. Everything becomes one [`Data`] value whose cells
//! remember where they were written, so "not a number" points at the cell in the CSV
//! (`content/stats/2023/hazards.csv:4:8`) and "no such column" at the block in the
//! Markdown file. Charts are inline SVG drawn here (no JavaScript, no library): a
//! horizontal bar chart, because long Chinese category names fit a phone only as
//! lines of their own above the bars, and a progress ring for a share such as
//! 整改率 197/207. Every chart carries a text alternative and its data as a table.
//! It never runs JavaScript or fetches anything, and never reads a file outside the
//! page's folder.

pub(crate) mod raster;

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use crate::base::diagnostic::{Diagnostic, Text};
use crate::base::xml::xml_escape as esc;
use crate::parse::front_matter::{self, Spanned, Value};
use crate::parse::meta::did_you_mean;
use crate::text;

/// Where a block sits.
pub(crate) struct Place<'a> {
    /// The Markdown file, relative to the site root (for messages).
    pub(crate) page_rel: &'a Path,
    /// The site's files: `src=` files are looked up beside the page among them.
    pub(crate) input: &'a crate::input::site::Input,
    /// The files (relative to the site) that the block looked for, found or not:
    /// its output depends on them.
    pub(crate) read: &'a std::cell::RefCell<Vec<PathBuf>>,
    /// The whole block (fence to fence) in the Markdown file.
    pub(crate) span: Range<usize>,
    /// Where the block's body starts in the Markdown file.
    pub(crate) body_offset: usize,
    /// The SVG of every chart the blocks drew, in order: each is also published as a
    /// picture ([`raster::chart_png`]) for the 公众号 article.
    pub(crate) charts: &'a std::cell::RefCell<Vec<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Block {
    Table,
    Chart,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ChartType {
    Bar,
    Ring,
}

#[derive(Debug)]
struct Spec {
    block: Block,
    src: Option<String>,
    chart: ChartType,
    title: Option<String>,
    x: Option<String>,
    y: Vec<String>,
    sum: bool,
}

const KEYS: &[&str] = &["src", "type", "title", "x", "y", "sum"];
const TYPES: &[&str] = &["bar", "ring"];

/// Data read from a file or a block: a header row and rows of cells.
#[derive(Debug)]
struct Data {
    /// The file the cells are in (the data file, or the Markdown file for inline CSV).
    file: PathBuf,
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
    /// The 合计/总计/小计 row Excel and WPS exports end with, kept out of `rows` so
    /// that sums and charts never count it twice.
    total: Option<Vec<Cell>>,
}

#[derive(Debug, Clone)]
struct Cell {
    text: String,
    /// Byte offset of the cell in `Data::file`.
    at: usize,
}

/// Renders one block. `None` (with diagnostics pushed) when the block is wrong: the
/// build then fails, and the block stays readable as code in the meantime.
pub(crate) fn render(
    info: &str,
    body: &str,
    place: &Place,
    diags: &mut Vec<Diagnostic>,
) -> Option<String> {
    let at_block = |d: Diagnostic| d.in_file(place.page_rel).at(place.span.clone());
    let spec = match parse_info(info) {
        Ok(s) => s,
        Err(errors) => {
            diags.extend(
                errors
                    .into_iter()
                    .map(|(m, h)| at_block(Diagnostic::error(m).with_help(h))),
            );
            return None;
        }
    };
    let data = match &spec.src {
        Some(src) => load_file(src, place, diags)?,
        None => {
            if body.trim().is_empty() {
                diags.push(at_block(
                    Diagnostic::error(text!(
                        zh: "数据块没有数据：既没有 src=，块里也没有 CSV",
                        en: "the data block has no data: no src= and no CSV inside it"
                    ))
                    .with_help(text!(
                        zh: "写 src=数据.csv（文件放在页面旁边），或在块里直接写 CSV：第一行是表头，用英文逗号分隔",
                        en: "write src=data.csv (the file beside the page), or CSV inside the block: a header line, comma-separated"
                    )),
                ));
                return None;
            }
            match parse_csv(body, place.body_offset, place.page_rel, b',') {
                Ok(d) => d,
                Err(d) => {
                    diags.push(*d);
                    return None;
                }
            }
        }
    };
    if data.columns.is_empty() {
        diags.push(at_block(Diagnostic::error(text!(
            zh: "数据是空的：没有表头",
            en: "the data is empty: no header row"
        ))));
        return None;
    }
    let mut data = data;
    split_total(&mut data);
    check_total(&data, diags);
    let x = match &spec.x {
        Some(name) => column(&data, name, "x", place, diags)?,
        None => 0,
    };
    let mut ys = Vec::new();
    for name in &spec.y {
        ys.push(column(&data, name, "y", place, diags)?);
    }
    match spec.block {
        Block::Table => {
            let shown: Vec<usize> = if ys.is_empty() {
                (0..data.columns.len()).collect()
            } else {
                std::iter::once(x).chain(ys.iter().copied()).collect()
            };
            Some(format!(
                "<figure class=\"data-block data-table\">\n{}</figure>\n",
                table_html(&data, &shown, spec.title.as_deref(), spec.sum)
            ))
        }
        Block::Chart => {
            if ys.is_empty() {
                ys = (0..data.columns.len())
                    .filter(|&c| c != x && data.rows.iter().any(|r| number(&r[c].text).is_some()))
                    .collect();
                // A share (整改率) drawn beside counts would be read on the counts' scale.
                if ys.iter().any(|&c| !is_percent(&data, c)) {
                    ys.retain(|&c| !is_percent(&data, c));
                }
            } else if ys.iter().any(|&c| !is_percent(&data, c)) {
                let shares: Vec<&str> = ys
                    .iter()
                    .filter(|&&c| is_percent(&data, c))
                    .map(|&c| data.columns[c].as_str())
                    .collect();
                if !shares.is_empty() {
                    diags.push(at_block(
                        Diagnostic::warning(text!(
                            zh: "图表没有画百分比列 {}：百分比和数量画在同一个刻度上会误导读者",
                            en: "the chart leaves out the percentage column {}: shares drawn on the same scale as counts mislead",
                            shares.join("、")
                        ))
                        .with_help(text!(
                            zh: "百分比单独画一个图（如 y={}），或用进度环：type=ring y=已整改,发现隐患",
                            en: "draw shares in a chart of their own (y={}), or a ring: type=ring y=done,total",
                            shares.join(",")
                        )),
                    ));
                    ys.retain(|&c| !is_percent(&data, c));
                }
            }
            if ys.is_empty() {
                diags.push(at_block(
                    Diagnostic::error(text!(
                        zh: "图表找不到数字列：列有 {}",
                        en: "the chart has no column of numbers: the columns are {}",
                        data.columns.join("、")
                    ))
                    .with_help(text!(
                        zh: "用 y=列名 指定要画的数字列，多个列用英文逗号分隔",
                        en: "name the columns to draw with y=name (several: y=a,b)"
                    )),
                ));
                return None;
            }
            let mut series = Vec::new();
            let mut ok = true;
            for &c in &ys {
                let mut values = Vec::new();
                for (r, row) in data.rows.iter().enumerate() {
                    match number(&row[c].text) {
                        Some(v) if v >= 0.0 => values.push(v),
                        parsed => {
                            ok = false;
                            let cell = &row[c];
                            let what = if parsed.is_some() {
                                text!(
                                    zh: "`{}` 列第 {} 行的值 `{}` 是负数，图表画不了",
                                    en: "`{}`, data row {}: `{}` is negative and cannot be drawn",
                                    data.columns[c], r + 1, cell.text
                                )
                            } else {
                                text!(
                                    zh: "`{}` 列第 {} 行的值 `{}` 不是数字",
                                    en: "`{}`, data row {}: `{}` is not a number",
                                    data.columns[c], r + 1, cell.text
                                )
                            };
                            diags.push(
                                Diagnostic::error(what)
                                    .in_file(&data.file)
                                    .at(cell.at..cell.at + cell.text.len())
                                    .with_help(text!(
                                        zh: "图表只画数字：写 68，不写 68项；单位写在列名里，如“发现隐患（项）”。这个图表在 {}",
                                        en: "charts draw numbers only: write 68, not 68项; put units in the column name. The chart is in {}",
                                        place.page_rel.display()
                                    )),
                            );
                        }
                    }
                }
                series.push(Series {
                    name: &data.columns[c],
                    values,
                    texts: data.rows.iter().map(|r| r[c].text.as_str()).collect(),
                });
            }
            if !ok {
                return None;
            }
            let labels: Vec<&str> = data.rows.iter().map(|r| r[x].text.as_str()).collect();
            let shown: Vec<usize> = std::iter::once(x).chain(ys.iter().copied()).collect();
            let table = table_html(&data, &shown, None, spec.sum);
            let (chart, svg) = match spec.chart {
                ChartType::Bar => bar_chart(spec.title.as_deref(), &labels, &series),
                ChartType::Ring => {
                    if series.len() < 2 {
                        diags.push(at_block(
                            Diagnostic::error(text!(
                                zh: "进度环要两列数字：完成数和总数，这里只有 {}",
                                en: "a ring needs two columns of numbers, the part and the whole; found only {}",
                                series[0].name
                            ))
                            .with_help(text!(
                                zh: "写 y=已整改,发现隐患（先写完成数，再写总数）",
                                en: "write y=done,total (the part first, then the whole)"
                            )),
                        ));
                        return None;
                    }
                    let (part, whole) =
                        if spec.y.is_empty() && total(&series[0]) > total(&series[1]) {
                            (&series[1], &series[0])
                        } else {
                            (&series[0], &series[1])
                        };
                    if total(whole) <= 0.0 {
                        diags.push(at_block(Diagnostic::error(text!(
                            zh: "进度环的总数 `{}` 合计为 0，算不出比例",
                            en: "the ring's whole, `{}`, adds up to 0: no share to show",
                            whole.name
                        ))));
                        return None;
                    }
                    ring_chart(spec.title.as_deref(), part, whole)
                }
            };
            let kind = match spec.chart {
                ChartType::Bar => "bar",
                ChartType::Ring => "ring",
            };
            // The picture made of the chart (for the 公众号 article) draws its text
            // with the embedded font: name what it would draw as empty boxes.
            let drawn: String = labels
                .iter()
                .copied()
                .chain(series.iter().map(|s| s.name))
                .collect();
            let missing = raster::missing_glyphs(&drawn);
            if !missing.is_empty() {
                let chars: String = missing.iter().collect();
                diags.push(at_block(
                    Diagnostic::warning(text!(
                        zh: "图表里的“{}”不在图表图片的字库里：网页上正常，公众号文章里的图表图片会把它画成空框",
                        en: "the chart's “{}” is not in the chart picture's font: the web page shows it, the 公众号 article's chart picture draws an empty box",
                        chars
                    ))
                    .with_help(text!(
                        zh: "图表图片的字库是 GB 2312 的常用字；能换成常用字就换，否则发公众号前检查这张图",
                        en: "the picture's font covers GB 2312; use a common character if you can, or check the picture before posting"
                    )),
                ));
            }
            place.charts.borrow_mut().push(svg);
            Some(format!(
                "<figure class=\"data-block chart chart-{kind}\">\n{chart}<details class=\"chart-data\"><summary>查看数据表</summary>\n{table}</details>\n</figure>\n"
            ))
        }
    }
}

// ------------------------------------------------------------------ the info string

/// Splits `chart src=a.csv title="隐患 排查"` into words; double quotes keep spaces.
fn words(info: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in info.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

fn parse_info(info: &str) -> Result<Spec, Vec<(Text, Text)>> {
    let words = words(info);
    let block = match words.first().map(String::as_str) {
        Some("chart") => Block::Chart,
        _ => Block::Table,
    };
    let mut spec = Spec {
        block,
        src: None,
        chart: ChartType::Bar,
        title: None,
        x: None,
        y: Vec::new(),
        sum: false,
    };
    let mut errors = Vec::new();
    let keys_help = || {
        text!(
            zh: "可用的设置：{}，写成 键=值，例如 src=hazards.csv type=bar title=隐患排查整改情况",
            en: "the settings are {}, written key=value, e.g. src=hazards.csv type=bar title=Hazards",
            KEYS.join(", ")
        )
    };
    for w in words.iter().skip(1) {
        let Some((key, value)) = w.split_once('=') else {
            errors.push((
                text!(zh: "数据块的设置 `{w}` 没有写 =值", en: "data block setting `{w}` has no =value"),
                keys_help(),
            ));
            continue;
        };
        let value = value.trim().to_string();
        match key {
            "src" => spec.src = Some(value),
            "title" => spec.title = Some(value),
            "x" => spec.x = Some(value),
            "y" => {
                spec.y = value
                    .split([',', '，'])
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            }
            "sum" => match value.as_str() {
                "true" | "yes" | "是" => spec.sum = true,
                "false" | "no" | "否" => spec.sum = false,
                _ => errors.push((
                    text!(zh: "sum 的值 `{value}` 不对", en: "sum = `{value}` is not valid"),
                    text!(zh: "写 sum=true（在表格末尾加一行合计）", en: "write sum=true (adds a 合计 row)"),
                )),
            },
            "type" => match value.as_str() {
                "bar" | "条形图" | "柱状图" => spec.chart = ChartType::Bar,
                "ring" | "progress" | "进度环" => spec.chart = ChartType::Ring,
                _ => errors.push((
                    text!(zh: "图表类型 `{value}` 不认识", en: "unknown chart type `{value}`"),
                    text!(
                        zh: "可用的类型：{}（bar 条形图，ring 进度环：完成数占总数的比例）",
                        en: "the types are {} (bar; ring: a part's share of a whole)",
                        TYPES.join(", ")
                    ),
                )),
            },
            _ => {
                let near = did_you_mean(key, KEYS)
                    .map(|k| text!(zh: "是不是 `{k}`？", en: "did you mean `{k}`?"))
                    .unwrap_or_else(keys_help);
                errors.push((
                    text!(zh: "数据块没有 `{key}` 这个设置", en: "data blocks have no setting `{key}`"),
                    near,
                ));
            }
        }
    }
    if block == Block::Table && words.iter().any(|w| w.starts_with("type=")) {
        errors.push((
            text!(zh: "表格没有 type 设置", en: "tables take no type"),
            text!(zh: "要画图请把 table 换成 chart", en: "for a chart, write chart instead of table"),
        ));
    }
    if errors.is_empty() {
        Ok(spec)
    } else {
        Err(errors)
    }
}

fn column(
    data: &Data,
    name: &str,
    key: &str,
    place: &Place,
    diags: &mut Vec<Diagnostic>,
) -> Option<usize> {
    if let Some(i) = data.columns.iter().position(|c| c == name) {
        return Some(i);
    }
    let names: Vec<&str> = data.columns.iter().map(String::as_str).collect();
    let help = match did_you_mean(name, &names) {
        Some(n) => text!(zh: "是不是 `{n}`？", en: "did you mean `{n}`?"),
        None => text!(
            zh: "列名要和表头一字不差：{}",
            en: "column names must match the header exactly: {}",
            names.join("、")
        ),
    };
    diags.push(
        Diagnostic::error(text!(
            zh: "{key}= 指定的列 `{name}` 在数据里没有（{}）",
            en: "{key}= names the column `{name}`, which the data does not have ({})",
            data.file.display()
        ))
        .in_file(place.page_rel)
        .at(place.span.clone())
        .with_help(help),
    );
    None
}

// ------------------------------------------------------------------ reading data

fn load_file(src: &str, place: &Place, diags: &mut Vec<Diagnostic>) -> Option<Data> {
    let at_block = |d: Diagnostic| d.in_file(place.page_rel).at(place.span.clone());
    let rel_src = Path::new(src);
    let inside = !src.is_empty()
        && rel_src
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !inside {
        diags.push(at_block(
            Diagnostic::error(text!(
                zh: "数据文件 `{src}` 要放在页面旁边，不能用绝对路径或 ..",
                en: "the data file `{src}` must sit beside the page: no absolute path or .."
            ))
            .with_help(text!(
                zh: "把页面改成页面包（栏目/页面名/index.md），数据文件放进同一个文件夹",
                en: "make the page a bundle (section/name/index.md) and put the data file in its folder"
            )),
        ));
        return None;
    }
    let dir = place.page_rel.parent().unwrap_or(Path::new(""));
    let rel = dir.join(rel_src);
    place.read.borrow_mut().push(rel.clone());
    let Some(file) = place.input.file(&rel) else {
        let near: Vec<String> = place
            .input
            .beside(dir)
            .filter_map(|(f, _)| f.file_name()?.to_str().map(str::to_string))
            .filter(|n| {
                let n = n.to_ascii_lowercase();
                n.ends_with(".csv") || n.ends_with(".toml") || n.ends_with(".json")
            })
            .collect();
        let names: Vec<&str> = near.iter().map(String::as_str).collect();
        let help = match did_you_mean(src, &names) {
            Some(n) => text!(zh: "是不是 `{n}`？", en: "did you mean `{n}`?"),
            None if names.is_empty() => text!(
                zh: "页面旁边没有数据文件；CSV 要和 index.md 放在同一个文件夹",
                en: "there is no data file beside the page; put the CSV in the same folder as index.md"
            ),
            None => {
                text!(zh: "页面旁边的数据文件有：{}", en: "the data files beside the page: {}", names.join(", "))
            }
        };
        diags.push(at_block(
            Diagnostic::error(
                text!(zh: "数据文件 `{src}` 不存在", en: "the data file `{src}` does not exist"),
            )
            .with_help(help),
        ));
        return None;
    };
    // The input decodes the files of the formats read below; any other is not data.
    let empty = crate::input::site::Text {
        text: "".into(),
        diagnostics: Vec::new(),
    };
    let decoded = file.text.as_ref().unwrap_or(&empty);
    let failed = decoded.diagnostics.iter().any(Diagnostic::is_error);
    diags.extend(decoded.diagnostics.iter().cloned());
    if failed {
        return None;
    }
    let text: &str = &decoded.text;
    let ext = rel
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let parsed = match ext.as_str() {
        "csv" => parse_csv(text, 0, &rel, b','),
        "tsv" => parse_csv(text, 0, &rel, b'\t'),
        "toml" => parse_toml(text, &rel),
        "json" => parse_json(text, &rel),
        _ => {
            diags.push(at_block(
                Diagnostic::error(text!(
                    zh: "数据文件 `{src}` 的格式不认识",
                    en: "the data file `{src}` is of a format anxuan does not read"
                ))
                .with_help(text!(
                    zh: "用 .csv（Excel/WPS 可以另存为 CSV）、.toml 或 .json 文件",
                    en: "use a .csv (Excel and WPS save as CSV), .toml or .json file"
                )),
            ));
            return None;
        }
    };
    match parsed {
        Ok(d) => Some(d),
        Err(d) => {
            diags.push(*d);
            None
        }
    }
}

/// Data, or what is wrong with it (boxed: the error is rare and large).
type Parsed = Result<Data, Box<Diagnostic>>;

/// CSV with a header row. `base` is where `text` starts in `file`.
fn parse_csv(text: &str, base: usize, file: &Path, delimiter: u8) -> Parsed {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut data = Data {
        file: file.to_path_buf(),
        columns: Vec::new(),
        rows: Vec::new(),
        total: None,
    };
    let mut header_seen = false;
    for record in reader.records() {
        let record = record.map_err(|e| {
            let at = e.position().map(|p| p.byte() as usize).unwrap_or(0);
            Diagnostic::error(text!(zh: "CSV 读不了：{e}", en: "cannot read the CSV: {e}"))
                .in_file(file)
                .at(base + at..base + at)
        })?;
        let start = record.position().map(|p| p.byte() as usize).unwrap_or(0);
        let line_end = text[start..]
            .find('\n')
            .map(|i| start + i)
            .unwrap_or(text.len());
        let line = &text[start..line_end];
        let mut cursor = 0;
        let mut cells: Vec<Cell> = record
            .iter()
            .map(|field| {
                let field = field.trim();
                let at = match line.get(cursor..).and_then(|rest| rest.find(field)) {
                    Some(k) if !field.is_empty() => {
                        let at = cursor + k;
                        cursor = at + field.len();
                        at
                    }
                    _ => cursor,
                };
                Cell {
                    text: field.to_string(),
                    at: base + start + at,
                }
            })
            .collect();
        if cells.iter().all(|c| c.text.is_empty()) {
            continue;
        }
        if !header_seen {
            header_seen = true;
            // Excel writes the empty columns after the data as trailing commas.
            while cells.last().is_some_and(|c| c.text.is_empty()) {
                cells.pop();
            }
            data.columns = cells.into_iter().map(|c| c.text).collect();
            continue;
        }
        while cells.len() > data.columns.len() && cells.last().is_some_and(|c| c.text.is_empty()) {
            cells.pop();
        }
        if cells.len() != data.columns.len() {
            return Err(Diagnostic::error(text!(
                zh: "这一行有 {} 个值，表头有 {} 列",
                en: "this line has {} values but the header has {} columns",
                cells.len(),
                data.columns.len()
            ))
            .in_file(file)
            .at(base + start..base + line_end)
            .with_help(text!(
                zh: "每行的值要和表头一样多；值里有英文逗号时，整个值加英文双引号",
                en: "every line needs as many values as the header; quote a value that contains a comma"
            ))
            .into());
        }
        data.rows.push(cells);
    }
    Ok(data)
}

fn parse_toml(text: &str, file: &Path) -> Parsed {
    let table = front_matter::toml_document(text).map_err(|(msg, span)| {
        Diagnostic::error(text!(zh: "不是有效的 TOML：{msg}", en: "not valid TOML: {msg}"))
            .in_file(file)
            .at(span)
    })?;
    rows_of(Value::Table(table), file, 0..text.len().min(1))
}

fn parse_json(text: &str, file: &Path) -> Parsed {
    // serde_json's messages are the clearest for JSON syntax; saphyr (JSON is YAML)
    // then gives every value its place in the file.
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        let at = crate::base::diagnostic::LineIndex::new(text)
            .offset_of(e.line(), e.column().saturating_sub(1));
        return Err(Diagnostic::error(
            text!(zh: "不是有效的 JSON：{e}", en: "not valid JSON: {e}"),
        )
        .in_file(file)
        .at(at..at)
        .into());
    }
    let doc = front_matter::yaml_document(text).map_err(|(msg, span)| {
        Diagnostic::error(text!(zh: "不是有效的 JSON：{msg}", en: "not valid JSON: {msg}"))
            .in_file(file)
            .at(span)
    })?;
    rows_of(doc.value, file, doc.span)
}

/// Rows from a TOML/JSON document: a list of tables, either the document itself or
/// its `rows` key (or its only list of tables).
fn rows_of(doc: Value, file: &Path, doc_span: Range<usize>) -> Parsed {
    let shape_error = |span: Range<usize>| -> Box<Diagnostic> {
        Box::new(Diagnostic::error(text!(
            zh: "数据要是一组记录（每条记录是一个表）",
            en: "the data must be a list of records (each a table)"
        ))
        .in_file(file)
        .at(span)
        .with_help(text!(
            zh: "TOML 写成多个 [[rows]]，每个下面是 列名 = 值；JSON 写成 [{{\"村\": \"…\", \"人数\": 3}}, …]",
            en: "TOML: several [[rows]] blocks of name = value; JSON: [{{\"name\": \"…\", \"count\": 3}}, …]"
        )))
    };
    let items: Vec<Spanned<Value>> = match doc {
        Value::Array(items) => items,
        Value::Table(table) => {
            let mut lists: Vec<(Spanned<String>, Spanned<Value>)> = table
                .into_iter()
                .filter(|(_, v)| {
                    matches!(&v.value, Value::Array(a) if a.iter().all(|i| matches!(i.value, Value::Table(_))))
                })
                .collect();
            if lists.is_empty() {
                return Err(shape_error(doc_span));
            }
            let pick = lists
                .iter()
                .position(|(k, _)| k.value == "rows")
                .unwrap_or(0);
            let rows = lists.swap_remove(pick).1;
            match rows.value {
                Value::Array(items) => items,
                _ => return Err(shape_error(rows.span)),
            }
        }
        _ => return Err(shape_error(doc_span)),
    };
    let mut columns: Vec<String> = Vec::new();
    let mut records = Vec::new();
    for item in items {
        let Value::Table(fields) = item.value else {
            return Err(shape_error(item.span));
        };
        for (k, _) in &fields {
            if !columns.contains(&k.value) {
                columns.push(k.value.clone());
            }
        }
        records.push((fields, item.span.start));
    }
    let rows = records
        .into_iter()
        .map(|(fields, start)| {
            columns
                .iter()
                .map(|c| match fields.iter().find(|(k, _)| &k.value == c) {
                    Some((_, v)) => Cell {
                        text: scalar(&v.value),
                        at: v.span.start,
                    },
                    None => Cell {
                        text: String::new(),
                        at: start,
                    },
                })
                .collect()
        })
        .collect();
    Ok(Data {
        file: file.to_path_buf(),
        columns,
        rows,
        total: None,
    })
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) | Value::Datetime(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        Value::Array(_) | Value::Table(_) => "…".into(),
    }
}

// ------------------------------------------------------------------ numbers

/// A cell as a number: `68`, `97.5`, `1,580`, `95%` (as 95). Units are not numbers.
fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    let s = s.strip_suffix(['%', '％']).unwrap_or(s).trim();
    let plain: String = if is_grouped(s) {
        s.replace(',', "")
    } else {
        s.to_string()
    };
    if plain.is_empty() || plain.chars().any(|c| c.is_alphabetic()) {
        return None;
    }
    plain.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `1,580` or `21,620.5`: thousands separators in the right places.
fn is_grouped(s: &str) -> bool {
    let int = s.split('.').next().unwrap_or("");
    let int = int.strip_prefix('-').unwrap_or(int);
    let groups: Vec<&str> = int.split(',').collect();
    groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.chars().all(|c| c.is_ascii_digit()))
}

fn numeric_column(data: &Data, c: usize) -> bool {
    !data.rows.is_empty()
        && data
            .rows
            .iter()
            .all(|r| r[c].text.is_empty() || number(&r[c].text).is_some())
        && data.rows.iter().any(|r| !r[c].text.is_empty())
}

fn column_sum(data: &Data, c: usize) -> f64 {
    data.rows.iter().filter_map(|r| number(&r[c].text)).sum()
}

/// A column of shares: its name says rate (整改率, 占比, %) or its values end in %.
fn is_percent(data: &Data, c: usize) -> bool {
    let name = &data.columns[c];
    let named = ["率", "占比", "比例", "%", "％", "百分比"]
        .iter()
        .any(|w| name.contains(w));
    let cells: Vec<&str> = data
        .rows
        .iter()
        .map(|r| r[c].text.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    let written = !cells.is_empty() && cells.iter().all(|t| t.ends_with(['%', '％']));
    named || written
}

/// `合计`, `总计`, `小计`, also written `合 计` with a (full-width) space.
fn is_total_label(s: &str) -> bool {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    matches!(
        s.as_str(),
        "合计" | "总计" | "小计" | "总和" | "合计：" | "合计:"
    )
}

/// Takes the total rows out of the data rows; the last one (总计 after 小计) is the
/// table's total. A 小计 in the middle is kept out of sums and charts as well.
fn split_total(data: &mut Data) {
    let (totals, rows): (Vec<_>, Vec<_>) = std::mem::take(&mut data.rows)
        .into_iter()
        .partition(|r| r.first().is_some_and(|c| is_total_label(&c.text)));
    data.rows = rows;
    data.total = totals.into_iter().next_back();
}

/// A total row that disagrees with the rows above it is a warning at the cell: one
/// of the two is wrong, and the reader of the page would see both.
fn check_total(data: &Data, diags: &mut Vec<Diagnostic>) {
    let Some(total) = &data.total else { return };
    for c in 1..data.columns.len() {
        if is_percent(data, c) || !numeric_column(data, c) {
            continue;
        }
        let cell = &total[c];
        let Some(written) = number(&cell.text) else {
            continue;
        };
        let computed = column_sum(data, c);
        if (written - computed).abs() > 1e-6 * computed.abs().max(1.0) {
            diags.push(
                Diagnostic::warning(text!(
                    zh: "{}行的 `{}` 写的是 {}，上面各行加起来是 {}",
                    en: "the {} row says `{}` is {}, but the rows above add up to {}",
                    total[0].text, data.columns[c], cell.text, show(computed)
                ))
                .in_file(&data.file)
                .at(cell.at..cell.at + cell.text.len())
                .with_help(text!(
                    zh: "核对这一列的数字；合计行不参加求和和画图",
                    en: "check the numbers in this column; the total row is not summed or drawn"
                )),
            );
        }
    }
}

/// A number for people: integers without `.0`, others with at most two decimals.
fn show(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn percent(part: f64, whole: f64) -> String {
    let p = (part / whole * 1000.0).round() / 10.0;
    format!("{}%", show(p))
}

// ------------------------------------------------------------------ HTML and SVG

fn table_html(data: &Data, shown: &[usize], caption: Option<&str>, sum: bool) -> String {
    let numeric: Vec<bool> = shown.iter().map(|&c| numeric_column(data, c)).collect();
    let mut h = String::from("<table class=\"data\">\n");
    if let Some(c) = caption {
        let _ = writeln!(h, "<caption>{}</caption>", esc(c));
    }
    h.push_str("<thead><tr>");
    for (i, &c) in shown.iter().enumerate() {
        let class = if numeric[i] { " class=\"num\"" } else { "" };
        let _ = write!(h, "<th scope=\"col\"{class}>{}</th>", esc(&data.columns[c]));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in &data.rows {
        h.push_str("<tr>");
        for (i, &c) in shown.iter().enumerate() {
            let text = esc(&row[c].text);
            if i == 0 {
                let _ = write!(h, "<th scope=\"row\">{text}</th>");
            } else if numeric[i] {
                let _ = write!(h, "<td class=\"num\">{text}</td>");
            } else {
                let _ = write!(h, "<td>{text}</td>");
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n");
    if sum || data.total.is_some() {
        let label = match &data.total {
            Some(t) if !sum => t[0].text.as_str(),
            _ => "合计",
        };
        let _ = write!(h, "<tfoot><tr><th scope=\"row\">{}</th>", esc(label));
        for (i, &c) in shown.iter().enumerate().skip(1) {
            let written = data.total.as_ref().map(|t| t[c].text.as_str());
            if is_percent(data, c) {
                // A sum of shares means nothing; the file's own total row may say
                // the overall share, and then it is shown as written.
                let _ = write!(h, "<td class=\"num\">{}</td>", esc(written.unwrap_or("")));
            } else if sum && numeric[i] {
                let _ = write!(h, "<td class=\"num\">{}</td>", show(column_sum(data, c)));
            } else if let (false, Some(w)) = (sum, written) {
                let class = if numeric[i] { " class=\"num\"" } else { "" };
                let _ = write!(h, "<td{class}>{}</td>", esc(w));
            } else {
                h.push_str("<td></td>");
            }
        }
        h.push_str("</tr></tfoot>\n");
    }
    h.push_str("</table>\n");
    h
}

struct Series<'a> {
    name: &'a str,
    values: Vec<f64>,
    /// The values as written, for labels.
    texts: Vec<&'a str>,
}

fn total(s: &Series) -> f64 {
    s.values.iter().sum()
}

/// Colours that stay apart in greyscale (dark, light, mid, ...) and keep 3:1 against
/// white as graphics must; bars also carry their value and series name as text, so
/// colour is never the only cue.
const COLOURS: &[&str] = &["#1d4f91", "#e08a00", "#4b7d2a", "#7a4b94", "#a3372c"];
const WIDTH: f64 = 360.0;

/// Rough advance of `s` at `size` px: CJK characters are square, others about half.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.56 } else { 1.0 })
        .sum::<f64>()
        * size
}

/// The chart as HTML (caption and SVG), and the SVG alone (for its picture).
fn bar_chart(title: Option<&str>, labels: &[&str], series: &[Series]) -> (String, String) {
    let multi = series.len() > 1;
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0_f64, f64::max);
    // Room after the longest bar for its label.
    let label_room = series
        .iter()
        .flat_map(|s| {
            s.texts.iter().map(move |t| {
                let l = if multi {
                    format!("{t} {}", s.name)
                } else {
                    t.to_string()
                };
                // Sized for 大字 (20 px, see style.css), so larger labels still fit.
                text_width(&l, 20.0)
            })
        })
        .fold(0.0_f64, f64::max)
        + 8.0;
    let span = (WIDTH - label_room).max(WIDTH * 0.4);
    let mut body = String::new();
    let mut y = 0.0_f64;
    if multi {
        let mut x = 0.0;
        for (j, s) in series.iter().enumerate() {
            let w = 20.0 + text_width(s.name, 20.0) + 18.0;
            if x > 0.0 && x + w > WIDTH {
                x = 0.0;
                y += 24.0;
            }
            let _ = write!(
                body,
                "<rect x=\"{x}\" y=\"{}\" width=\"16\" height=\"16\" fill=\"{}\"/><text class=\"c-text\" x=\"{}\" y=\"{}\" font-size=\"16\">{}</text>",
                y + 1.0,
                COLOURS[j % COLOURS.len()],
                x + 20.0,
                y + 15.0,
                esc(s.name)
            );
            x += w;
        }
        y += 30.0;
    }
    for (i, label) in labels.iter().enumerate() {
        let _ = write!(
            body,
            "<text class=\"c-label\" x=\"0\" y=\"{}\" font-size=\"17\" font-weight=\"bold\">{}</text>",
            y + 18.0,
            esc(label)
        );
        y += 26.0;
        for (j, s) in series.iter().enumerate() {
            let v = s.values[i];
            let w = if max > 0.0 { v / max * span } else { 0.0 };
            let w = if v > 0.0 { w.max(2.0) } else { 0.0 };
            let w = (w * 10.0).round() / 10.0;
            let text = if multi {
                format!("{} {}", s.texts[i], s.name)
            } else {
                s.texts[i].to_string()
            };
            let _ = write!(
                body,
                "<rect x=\"0\" y=\"{y}\" width=\"{w}\" height=\"20\" fill=\"{}\"/><text class=\"c-text\" x=\"{}\" y=\"{}\" font-size=\"16\">{}</text>",
                COLOURS[j % COLOURS.len()],
                w + 6.0,
                y + 16.0,
                esc(&text)
            );
            y += 24.0;
        }
        y += 10.0;
    }
    let height = y.max(1.0);
    // The text alternative says what the chart shows, row by row.
    let mut alt = format!("{}（条形图）：", title.unwrap_or("图表"));
    for (i, label) in labels.iter().enumerate() {
        if i > 0 {
            alt.push('；');
        }
        alt.push_str(label);
        alt.push(' ');
        let parts: Vec<String> = series
            .iter()
            .map(|s| {
                if multi {
                    format!("{} {}", s.name, s.texts[i])
                } else {
                    s.texts[i].to_string()
                }
            })
            .collect();
        alt.push_str(&parts.join("，"));
    }
    alt.push('。');
    let caption = title
        .map(|t| format!("<figcaption>{}</figcaption>\n", esc(t)))
        .unwrap_or_default();
    let svg = format!(
        "<svg class=\"chart-svg\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">{body}</svg>",
        esc(&alt)
    );
    (format!("{caption}{svg}\n"), svg)
}

/// The ring as HTML (caption, SVG and the numbers as a sentence), and the SVG alone.
fn ring_chart(title: Option<&str>, part: &Series, whole: &Series) -> (String, String) {
    let p = total(part);
    let w = total(whole);
    let share = (p / w).clamp(0.0, 1.0);
    let pct = percent(p, w);
    let r = 80.0;
    let circumference = 2.0 * std::f64::consts::PI * r;
    let dash = (share * circumference * 100.0).round() / 100.0;
    let circumference = (circumference * 100.0).round() / 100.0;
    let alt = format!(
        "{}（进度环）：{} {}，{} {}，占 {pct}。",
        title.unwrap_or("比例"),
        part.name,
        show(p),
        whole.name,
        show(w)
    );
    let caption = title
        .map(|t| format!("<figcaption>{}</figcaption>\n", esc(t)))
        .unwrap_or_default();
    let svg = format!(
        "<svg class=\"chart-svg chart-ring-svg\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 200\" width=\"200\" height=\"200\" role=\"img\" aria-label=\"{alt}\">\
<circle cx=\"100\" cy=\"100\" r=\"{r}\" fill=\"none\" stroke=\"#d5dbe3\" stroke-width=\"26\"/>\
<circle cx=\"100\" cy=\"100\" r=\"{r}\" fill=\"none\" stroke=\"{}\" stroke-width=\"26\" stroke-dasharray=\"{dash} {circumference}\" transform=\"rotate(-90 100 100)\"/>\
<text class=\"c-big\" x=\"100\" y=\"106\" font-size=\"34\" font-weight=\"bold\" text-anchor=\"middle\">{pct}</text>\
<text class=\"c-text\" x=\"100\" y=\"134\" font-size=\"16\" text-anchor=\"middle\">{} / {}</text></svg>",
        COLOURS[0],
        show(p),
        show(w),
        alt = esc(&alt),
    );
    let html = format!(
        "{caption}{svg}\n<p class=\"chart-note\">{}：{}，{}：{}，占 {pct}</p>\n",
        esc(part.name),
        show(p),
        esc(whole.name),
        show(w),
    );
    (html, svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(info: &str, body: &str) -> (Option<String>, Vec<Diagnostic>) {
        let input = crate::input::site::Input::default();
        let read = Default::default();
        let charts = Default::default();
        let place = Place {
            page_rel: Path::new("content/stats/2023/index.md"),
            input: &input,
            read: &read,
            span: 100..140,
            body_offset: 120,
            charts: &charts,
        };
        let mut diags = Vec::new();
        let html = render(info, body, &place, &mut diags);
        (html, diags)
    }

    #[test]
    fn info_words_keep_quoted_spaces() {
        assert_eq!(
            words("chart src=a.csv title=\"隐患 排查\" y=a,b"),
            ["chart", "src=a.csv", "title=隐患 排查", "y=a,b"]
        );
    }

    #[test]
    fn numbers_as_clerks_write_them() {
        assert_eq!(number("68"), Some(68.0));
        assert_eq!(number(" 97.5 "), Some(97.5));
        assert_eq!(number("1,580"), Some(1580.0));
        assert_eq!(number("95%"), Some(95.0));
        assert_eq!(number("68项"), None);
        assert_eq!(number("1,58"), None);
        assert_eq!(number(""), None);
        assert_eq!(show(95.0), "95");
        assert_eq!(percent(197.0, 207.0), "95.2%");
    }

    #[test]
    fn inline_csv_table_with_a_sum_row() {
        let (html, d) = run("table sum=true", "领域,发现,整改\n工贸,68,66\n消防,39,37\n");
        assert!(d.is_empty(), "{d:?}");
        let html = html.unwrap();
        assert!(
            html.contains("<th scope=\"row\">工贸</th><td class=\"num\">68</td>"),
            "{html}"
        );
        assert!(
            html.contains(
                "<th scope=\"row\">合计</th><td class=\"num\">107</td><td class=\"num\">103</td>"
            ),
            "{html}"
        );
    }

    #[test]
    fn shares_are_never_summed_and_total_rows_are_found_however_written() {
        let (html, d) = run(
            "table sum=true",
            "村,人数,整改率\n东村,10,90%\n西村,20,95%\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let html = html.unwrap();
        assert!(
            html.contains(
                "<th scope=\"row\">合计</th><td class=\"num\">30</td><td class=\"num\"></td>"
            ),
            "{html}"
        );
        for label in ["合计", "总计", "小计", "合 计", "合\u{3000}计"] {
            assert!(is_total_label(label), "{label}");
        }
        assert!(!is_total_label("合计数"));
        let (html, d) = run("table", "村,人数\n东村,10\n小计,10\n西村,20\n总计,31\n");
        assert_eq!(d.len(), 1, "the 总计 is checked: {d:?}");
        assert!(
            d[0].message.zh.contains("写的是 31，上面各行加起来是 30"),
            "{d:?}"
        );
        let html = html.unwrap();
        assert!(!html.contains("小计"), "a 小计 is kept out too: {html}");
        assert!(
            html.contains("<tfoot><tr><th scope=\"row\">总计</th><td class=\"num\">31</td>"),
            "{html}"
        );
    }

    #[test]
    fn a_bar_chart_has_a_text_alternative_and_its_table() {
        let (html, d) = run(
            "chart title=隐患",
            "领域,发现,整改\n工贸,68,66\n消防,39,37\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let html = html.unwrap();
        assert!(html.contains("role=\"img\""));
        assert!(
            html.contains(
                "aria-label=\"隐患（条形图）：工贸 发现 68，整改 66；消防 发现 39，整改 37。\""
            ),
            "{html}"
        );
        assert!(html.contains("<details class=\"chart-data\">"));
        assert_eq!(
            html.matches("<rect").count(),
            2 + 4,
            "legend + bars: {html}"
        );
    }

    #[test]
    fn a_ring_shows_the_share_of_the_larger_total() {
        let (html, d) = run(
            "chart type=ring",
            "领域,发现,整改\n工贸,68,66\n消防,139,131\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let html = html.unwrap();
        assert!(html.contains(">95.2%</text>"), "{html}");
        assert!(html.contains("整改 197，发现 207，占 95.2%"), "{html}");
    }

    #[test]
    fn bad_cells_and_columns_point_at_their_place() {
        let body = "领域,发现\n消防,39\n工贸,68项\n";
        let (html, d) = run("chart", body);
        assert!(html.is_none());
        assert_eq!(d.len(), 1, "{d:?}");
        let at = d[0].span.clone().unwrap();
        assert_eq!(&body[at.start - 120..at.end - 120], "68项");
        assert!(d[0].message.zh.contains("不是数字"));

        let (_, d) = run("chart y=整该", "领域,整改\n工贸,66\n");
        assert!(d[0].message.zh.contains("`整该`"), "{d:?}");
        assert_eq!(d[0].help.as_ref().unwrap().zh, "是不是 `整改`？");
        assert_eq!(d[0].span, Some(100..140));

        let (_, d) = run("chart titel=x type=pie", "a,b\nx,1\n");
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].help.as_ref().unwrap().zh, "是不是 `title`？");

        let (_, d) = run("table", "a,b\nx,1,2\n");
        assert!(d[0].message.zh.contains("3 个值"), "{d:?}");
    }

    #[test]
    fn toml_and_json_rows() {
        let t = "[[rows]]\n\"村\" = \"东村\"\n\"人数\" = 3\n[[rows]]\n\"村\" = \"西村\"\n\"人数\" = \"三\"\n";
        let d = parse_toml(t, Path::new("a.toml")).unwrap();
        assert_eq!(d.columns, ["村", "人数"]);
        assert_eq!(&t[d.rows[1][1].at..d.rows[1][1].at + 5], "\"三\"");
        let j = "[\n {\"村\": \"东村\", \"人数\": 3},\n {\"村\": \"西村\", \"人数\": 4}\n]";
        let d = parse_json(j, Path::new("a.json")).unwrap();
        assert_eq!(d.rows[1][1].text, "4");
        assert!(j[d.rows[1][1].at..].starts_with('4'));
        let e = parse_json("[{\"a\": 1,}]", Path::new("a.json")).unwrap_err();
        assert!(e.message.en.contains("not valid JSON"));
    }
}
