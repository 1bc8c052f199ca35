//! Splits a Markdown file into front matter and body, and parses the front matter
//! (TOML between `+++` lines, YAML between `---` lines) into one spanned tree.
//!
//! Both formats end up as [`Value`]s whose spans are byte ranges in the *whole file*,
//! not in the front-matter snippet: the parsers see only the snippet, so this module
//! adds the snippet's offset back (the bug cobalt's users met as errors pointing at the
//! wrong line). Parsing never fails: it returns what it could read plus diagnostics.
//! What the keys mean is decided later, in `meta`; this module knows no key names.

use std::ops::Range;

use crate::base::diagnostic::{Diagnostic, LineIndex};
use crate::text;

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Spanned<T> {
    pub(crate) value: T,
    pub(crate) span: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    Bool(bool),
    /// A TOML datetime, kept as written (`2023-06-04`, `2023-06-04T08:00:00+08:00`).
    Datetime(String),
    Array(Vec<Spanned<Value>>),
    Table(Table),
    Null,
}

pub(crate) type Table = Vec<(Spanned<String>, Spanned<Value>)>;

impl Value {
    /// The word a user would use for this kind of value in a message.
    pub(crate) fn type_name(&self) -> (&'static str, &'static str) {
        match self {
            Value::String(_) => ("文字", "text"),
            Value::Integer(_) => ("整数", "integer"),
            Value::Float(_) => ("小数", "number"),
            Value::Bool(_) => ("true/false", "boolean"),
            Value::Datetime(_) => ("日期时间", "datetime"),
            Value::Array(_) => ("列表", "list"),
            Value::Table(_) => ("表", "table"),
            Value::Null => ("空值", "null"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Toml,
    Yaml,
}

/// A file cut into its parts. `body_offset` is where the Markdown body starts in the file.
#[derive(Debug)]
pub(crate) struct Split<'a> {
    pub(crate) format: Option<Format>,
    /// The front matter text and its byte offset in the file.
    pub(crate) front: Option<(&'a str, usize)>,
    pub(crate) body_offset: usize,
}

/// Cuts `text` at its front-matter fences. A file without a fence at its first line
/// has no front matter; an opening fence without a closing one is an error.
pub(crate) fn split<'a>(text: &'a str, diags: &mut Vec<Diagnostic>) -> Split<'a> {
    let fence = if text.starts_with("+++") {
        Some(("+++", Format::Toml))
    } else if text.starts_with("---") {
        Some(("---", Format::Yaml))
    } else {
        None
    };
    let Some((fence, format)) = fence else {
        return Split {
            format: None,
            front: None,
            body_offset: 0,
        };
    };
    let first_line_end = text.find('\n').unwrap_or(text.len());
    if text[..first_line_end].trim_end() != fence {
        return Split {
            format: None,
            front: None,
            body_offset: 0,
        };
    }
    let front_start = (first_line_end + 1).min(text.len());
    let mut pos = front_start;
    while pos < text.len() {
        let end = text[pos..]
            .find('\n')
            .map(|i| pos + i)
            .unwrap_or(text.len());
        if text[pos..end].trim_end() == fence {
            let body_offset = (end + 1).min(text.len());
            return Split {
                format: Some(format),
                front: Some((&text[front_start..pos], front_start)),
                body_offset,
            };
        }
        pos = end + 1;
    }
    diags.push(
        Diagnostic::error(text!(
            zh: "front matter 以 `{fence}` 开始，但没有结束的 `{fence}` 行",
            en: "front matter opens with `{fence}` but has no closing `{fence}` line"
        ))
        .at(0..fence.len())
        .with_help(text!(
            zh: "在 front matter 的最后一行之后单独写一行 `{fence}`",
            en: "add a line with just `{fence}` after the last front-matter line"
        )),
    );
    Split {
        format: Some(format),
        front: None,
        body_offset: text.len(),
    }
}

/// Parses front matter of `format` found at `offset` in the file. Diagnostics carry
/// spans in the file; the caller adds the file name.
pub(crate) fn parse(
    front: &str,
    offset: usize,
    format: Format,
    diags: &mut Vec<Diagnostic>,
) -> Table {
    match format {
        Format::Toml => parse_toml(front, offset, diags),
        Format::Yaml => parse_yaml(front, offset, diags),
    }
}

fn shift(r: Range<usize>, by: usize) -> Range<usize> {
    r.start + by..r.end + by
}

fn parse_toml(front: &str, offset: usize, diags: &mut Vec<Diagnostic>) -> Table {
    let err = match toml::de::DeTable::parse(front) {
        Ok(table) => return toml_table(table.get_ref(), offset),
        Err(err) => err,
    };
    // Text pasted from WeChat or a web page brings invisible characters with it. Where
    // TOML sees them (outside quotes) they read as blanks, with a warning saying which
    // character is where, so the clerk can delete it.
    let invisible = invisible_outside_strings(front);
    if invisible.is_empty() {
        toml_error(front, &err, offset, diags);
        return Vec::new();
    }
    let mut cleaned = front.to_string();
    for &(at, c) in &invisible {
        cleaned.replace_range(at..at + c.len_utf8(), &" ".repeat(c.len_utf8()));
    }
    let parsed = toml::de::DeTable::parse(&cleaned);
    let severity = if parsed.is_ok() {
        Diagnostic::warning
    } else {
        Diagnostic::error
    };
    for &(at, c) in &invisible {
        let (zh, en) = invisible_name(c);
        diags.push(
            severity(text!(
                zh: "这里有一个看不见的字符：{zh}（U+{:04X}），多半是从网页或微信复制来的",
                en: "an invisible character here: {en} (U+{:04X}), probably copied from a web page or WeChat",
                c as u32
            ))
            .at(shift(at..at + c.len_utf8(), offset))
            .with_help(text!(
                zh: "把光标移到这里，删掉它（它已被当作空格）",
                en: "put the cursor here and delete it (it was read as a space)"
            )),
        );
    }
    match parsed {
        Ok(table) => toml_table(table.get_ref(), offset),
        Err(e) => {
            toml_error(&cleaned, &e, offset, diags);
            Vec::new()
        }
    }
}

/// Reports a TOML parse error: in Chinese, at the mistake, with the corrected line,
/// for what clerks typically write (full-width `：` `＝` `“”`, a date as written on
/// paper); the parser's own message for anything else.
fn toml_error(front: &str, err: &toml::de::Error, offset: usize, diags: &mut Vec<Diagnostic>) {
    let span = err.span().unwrap_or(0..0);
    let line_start = front[..span.start.min(front.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line_end = front[line_start..]
        .find('\n')
        .map_or(front.len(), |i| line_start + i);
    let line = &front[line_start..line_end];
    if let Some(hint) = line_hint(line) {
        diags.push(hint.error(offset + line_start));
        return;
    }
    diags.push(
        Diagnostic::error(text!(
            zh: "front matter 不是有效的 TOML：{}",
            en: "front matter is not valid TOML: {}",
            err.message().trim()
        ))
        .at(shift(span, offset))
        .with_help(text!(
            zh: "TOML 的写法是 `键 = 值`，文字要加英文双引号，例如 title = \"防汛通知\"",
            en: "TOML is `key = value` with text in double quotes, e.g. title = \"Flood notice\""
        )),
    );
}

/// What is wrong with one line of TOML that failed to parse, when it is a mistake
/// clerks make: where (byte in the line), how long, the message and the line fixed.
struct LineHint {
    at: usize,
    len: usize,
    message: crate::base::diagnostic::Text,
    corrected: String,
}

impl LineHint {
    /// The error at the hint's place in a line that starts at `line_start` (a byte
    /// offset in the whole file), with the corrected line as its help.
    fn error(self, line_start: usize) -> Diagnostic {
        let at = line_start + self.at;
        Diagnostic::error(self.message)
            .at(at..at + self.len)
            .with_help(text!(
                zh: "这一行改成：{}",
                en: "write the line as: {}",
                self.corrected
            ))
    }
}

fn line_hint(line: &str) -> Option<LineHint> {
    full_width_hint(line)
        .or_else(|| bare_date_hint(line))
        .or_else(|| bare_text_hint(line))
}

/// Text without quotes, `title = 防汛通知`: TOML needs them.
fn bare_text_hint(line: &str) -> Option<LineHint> {
    let eq = line.find('=')?;
    let key = line[..eq].trim();
    let rest = &line[eq + 1..];
    let value_at = eq + 1 + (rest.len() - rest.trim_start().len());
    let value = rest.trim();
    let is_bare_key = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    let looks_like_toml = value.is_empty()
        || value.starts_with(['"', '\'', '[', '{', '#', '+', '-'])
        || value.chars().next().is_some_and(|c| c.is_ascii_digit())
        || ["true", "false", "inf", "nan"].contains(&value);
    if !is_bare_key || looks_like_toml {
        return None;
    }
    let quoted = value.replace('\\', "\\\\").replace('"', "\\\"");
    Some(LineHint {
        at: value_at,
        len: value.len(),
        message: text!(
            zh: "文字 `{value}` 没有加引号：TOML 的文字要放在英文双引号里",
            en: "the text `{value}` is not quoted: TOML text goes in double quotes"
        ),
        corrected: format!("{key} = \"{quoted}\""),
    })
}

/// Full-width punctuation outside quotes: the input method was left in Chinese.
fn full_width_hint(line: &str) -> Option<LineHint> {
    let outside = outside_quotes(line);
    let &(at, c) = outside.iter().find(|(_, c)| "：＝“”‘’".contains(*c))?;
    // A `：` after the `=` is inside text that lacks its quotes (`title = 通知：防汛`).
    if matches!(c, '：' | '＝') && outside.iter().any(|&(i, c)| c == '=' && i < at) {
        return None;
    }
    let mut corrected = String::new();
    let mut last = 0;
    let mut separated = false;
    for &(i, c) in &outside {
        match c {
            '：' | '＝' if !separated => {
                separated = true;
                corrected.push_str(line[last..i].trim_end());
                corrected.push_str(" = ");
                last = i + c.len_utf8();
                last += line[last..].len() - line[last..].trim_start().len();
            }
            '“' | '”' | '‘' | '’' => {
                corrected.push_str(&line[last..i]);
                corrected.push(if matches!(c, '“' | '”') {
                    '"'
                } else {
                    '\''
                });
                last = i + c.len_utf8();
            }
            _ => {}
        }
    }
    corrected.push_str(&line[last..]);
    let want = match c {
        '：' | '＝' => "=",
        '“' | '”' => "\"",
        _ => "'",
    };
    Some(LineHint {
        at,
        len: c.len_utf8(),
        message: text!(
            zh: "这里用了中文（全角）的 `{c}`，TOML 要用英文（半角）的 `{want}`",
            en: "this is the full-width `{c}`; TOML needs the ASCII `{want}`"
        ),
        corrected: corrected.trim_end().to_string(),
    })
}

/// A date written as on paper, without quotes: `date = 2023年6月1日`, `2023/6/1`,
/// `2023-6-1 8:00`, `2023.6.1`.
fn bare_date_hint(line: &str) -> Option<LineHint> {
    let (key, value) = line.split_once('=')?;
    let value_at = key.len() + 1 + (value.len() - value.trim_start().len());
    let value = value.split('#').next().unwrap_or("").trim();
    if value.is_empty() || value.starts_with(['"', '\'', '[', '{']) {
        return None;
    }
    let utc = jiff::tz::TimeZone::UTC;
    let (when, date_only) = crate::base::dates::parse_moment(value, &utc)?;
    let fixed = if date_only {
        when.date().to_string()
    } else {
        when.datetime().strftime("%Y-%m-%dT%H:%M:%S").to_string()
    };
    Some(LineHint {
        at: value_at,
        len: value.len(),
        message: text!(
            zh: "日期 `{value}` 要写成 年-月-日（月、日都是两位数，时间用 T 连接），或者加上英文双引号",
            en: "the date `{value}` must be year-month-day with two-digit month and day (a time joined by T), or be quoted"
        ),
        corrected: format!("{} = {fixed}", key.trim()),
    })
}

/// The characters of `line` outside `"…"` and `'…'` strings and before a `#` comment,
/// with their byte positions.
fn outside_quotes(line: &str) -> Vec<(usize, char)> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '#' => break,
                _ => out.push((i, c)),
            },
        }
    }
    out
}

/// Characters that show as nothing (or as a plain space) in an editor but are not a
/// space to a parser.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}'
            | '\u{202F}'
            | '\u{200B}'
            | '\u{200C}'
            | '\u{200D}'
            | '\u{2060}'
            | '\u{FEFF}'
            | '\u{3000}'
    )
}

fn invisible_name(c: char) -> (&'static str, &'static str) {
    match c {
        '\u{00A0}' | '\u{202F}' => ("不换行空格", "a no-break space"),
        '\u{200B}' => ("零宽空格", "a zero-width space"),
        '\u{200C}' => ("零宽不连字", "a zero-width non-joiner"),
        '\u{200D}' => ("零宽连字", "a zero-width joiner"),
        '\u{2060}' => ("零宽不换行", "a word joiner"),
        '\u{FEFF}' => ("字节顺序标记（BOM）", "a byte order mark (BOM)"),
        '\u{3000}' => ("全角空格", "a full-width space"),
        _ => ("看不见的字符", "an invisible character"),
    }
}

/// Invisible characters in TOML text outside its strings and comments, by byte
/// position. A multi-line string is skipped as a whole.
fn invisible_outside_strings(front: &str) -> Vec<(usize, char)> {
    const MULTI: [&str; 2] = ["\"\"\"", "'''"];
    let mut out = Vec::new();
    let mut multi: Option<&str> = None;
    let mut pos = 0;
    for line in front.split_inclusive('\n') {
        let mut from = 0;
        if let Some(close) = multi {
            match line.find(close) {
                Some(i) => {
                    multi = None;
                    from = i + 3;
                }
                None => {
                    pos += line.len();
                    continue;
                }
            }
        }
        let rest = &line[from..];
        let opens = MULTI
            .into_iter()
            .filter_map(|q| rest.find(q).map(|i| (i, q)))
            .min();
        let scan = match opens {
            Some((i, q)) if !rest[i + 3..].contains(q) => {
                multi = Some(q);
                &rest[..i]
            }
            _ => rest,
        };
        for (i, c) in outside_quotes(scan) {
            if is_invisible(c) {
                out.push((pos + from + i, c));
            }
        }
        pos += line.len();
    }
    out
}

/// Text values as readers and search should see them (`source::clean_invisible`).
fn clean_text(s: &str) -> String {
    crate::input::source::clean_invisible(s).unwrap_or_else(|| s.to_string())
}

fn toml_table(table: &toml::de::DeTable<'_>, offset: usize) -> Table {
    let mut out: Table = table
        .iter()
        .map(|(k, v)| {
            (
                Spanned {
                    value: k.get_ref().to_string(),
                    span: shift(k.span(), offset),
                },
                toml_value(v, offset),
            )
        })
        .collect();
    // DeTable keeps keys sorted; users expect messages in file order.
    out.sort_by_key(|(k, _)| k.span.start);
    out
}

fn toml_value(v: &toml::Spanned<toml::de::DeValue<'_>>, offset: usize) -> Spanned<Value> {
    use toml::de::DeValue;
    let value = match v.get_ref() {
        DeValue::String(s) => Value::String(clean_text(s)),
        DeValue::Integer(i) => i64::from_str_radix(
            i.as_str().replace('_', "").trim_start_matches("+"),
            i.radix(),
        )
        .map(Value::Integer)
        .unwrap_or(Value::String(i.as_str().to_string())),
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse()
            .map(Value::Float)
            .unwrap_or(Value::Null),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(a) => Value::Array(a.iter().map(|x| toml_value(x, offset)).collect()),
        DeValue::Table(t) => Value::Table(toml_table(t, offset)),
    };
    Spanned {
        value,
        span: shift(v.span(), offset),
    }
}

fn parse_yaml(front: &str, offset: usize, diags: &mut Vec<Diagnostic>) -> Table {
    use saphyr::{LoadableYamlNode, MarkedYaml};
    let index = LineIndex::new(front);
    match MarkedYaml::load_from_str(front) {
        Ok(docs) => match docs.into_iter().next() {
            None => Vec::new(),
            Some(doc) => {
                let span = yaml_span(&doc, &index, offset);
                match yaml_value(&doc, &index, offset) {
                    Value::Table(t) => t,
                    Value::Null => Vec::new(),
                    other => {
                        let (zh, en) = other.type_name();
                        diags.push(
                            Diagnostic::error(text!(
                                zh: "front matter 应该是 `键: 值` 的形式，这里却是{zh}",
                                en: "front matter must be `key: value` lines, found a {en}"
                            ))
                            .at(span),
                        );
                        Vec::new()
                    }
                }
            }
        },
        Err(err) => {
            let m = err.marker();
            if let Some((line_at, hint)) = yaml_hint(front, m.line()) {
                diags.push(hint.error(offset + line_at));
                return Vec::new();
            }
            let at = offset + index.offset_of(m.line(), m.col());
            diags.push(
                Diagnostic::error(text!(
                    zh: "front matter 不是有效的 YAML：{}",
                    en: "front matter is not valid YAML: {}",
                    err.info()
                ))
                .at(at..at)
                .with_help(text!(
                    zh: "YAML 的写法是 `键: 值`（冒号后有空格），列表每项以 `- ` 开头",
                    en: "YAML is `key: value` (a space after the colon); list items start with `- `"
                )),
            );
            Vec::new()
        }
    }
}

/// Where a YAML parse error really is, for the mistakes clerks make: the parser
/// notices a `：` or a missing space after `:` only on the next line, and an unclosed
/// `[` at the next key. Looks at the lines up to the one the parser named (1-based)
/// and returns the first with such a mistake: its byte offset in `front` and the hint.
fn yaml_hint(front: &str, error_line: usize) -> Option<(usize, LineHint)> {
    let mut pos = 0;
    for (n, line) in front.split_inclusive('\n').enumerate() {
        if n + 1 > error_line {
            break;
        }
        let text = line.trim_end_matches(['\n', '\r']);
        if let Some(hint) = yaml_line_hint(text) {
            return Some((pos, hint));
        }
        pos += line.len();
    }
    None
}

fn yaml_line_hint(line: &str) -> Option<LineHint> {
    // An invisible character where YAML wants a blank: in the indentation, the key,
    // or just after its colon.
    let value_start = line.find(':').map_or(line.len(), |i| i + 1);
    if let Some((at, c)) = line[..value_start]
        .char_indices()
        .chain(line[value_start..].chars().next().map(|c| (value_start, c)))
        .find(|(_, c)| is_invisible(*c))
    {
        let (zh, en) = invisible_name(c);
        return Some(LineHint {
            at,
            len: c.len_utf8(),
            message: text!(
                zh: "这里有一个看不见的字符：{zh}（U+{:04X}），多半是从网页或微信复制来的",
                en: "an invisible character here: {en} (U+{:04X}), probably copied from a web page or WeChat",
                c as u32
            ),
            corrected: line
                .replace(c, if c.is_whitespace() { " " } else { "" })
                .trim_end()
                .to_string(),
        });
    }
    let body = line.trim_start();
    if body.is_empty() || body.starts_with('#') {
        return None;
    }
    let indent = line.len() - body.len();
    let key_len = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(body.len());
    let key = &body[..key_len];
    let after = &body[key_len..];
    if key.is_empty() || key.starts_with('-') {
        return None;
    }
    if let Some(value) = after.trim_start().strip_prefix('：') {
        let at = indent + key_len + (after.len() - after.trim_start().len());
        return Some(LineHint {
            at,
            len: '：'.len_utf8(),
            message: text!(
                zh: "这里用了中文（全角）的冒号 `：`，YAML 要用英文冒号再加一个空格 `: `",
                en: "this is the full-width `：`; YAML needs an ASCII colon and a space, `: `"
            ),
            corrected: format!("{}{key}: {}", &line[..indent], value.trim_start()),
        });
    }
    if let Some(value) = after.strip_prefix(':') {
        if !value.is_empty() && !value.starts_with([' ', '\t']) {
            let at = indent + key_len;
            return Some(LineHint {
                at,
                len: 1,
                message: text!(
                    zh: "YAML 的冒号 `:` 后面要有一个空格",
                    en: "YAML needs a space after the colon `:`"
                ),
                corrected: format!("{}{key}: {value}", &line[..indent]),
            });
        }
        let open = value.matches('[').count();
        if open > value.matches(']').count() {
            let at = indent + key_len + 1 + value.find('[').unwrap_or(0);
            return Some(LineHint {
                at,
                len: 1,
                message: text!(
                    zh: "列表的 `[` 没有对应的 `]`",
                    en: "the list's `[` has no closing `]`"
                ),
                corrected: format!("{}]", line.trim_end()),
            });
        }
    }
    None
}

/// A whole TOML data file as a table; spans in `text`. `Err` carries the parser's
/// message and where it points.
pub(crate) fn toml_document(text: &str) -> Result<Table, (String, Range<usize>)> {
    toml::de::DeTable::parse(text)
        .map(|t| toml_table(t.get_ref(), 0))
        .map_err(|e| (e.message().trim().to_string(), e.span().unwrap_or(0..0)))
}

/// A whole YAML (or JSON, which YAML reads too) document as one value; spans in `text`.
pub(crate) fn yaml_document(text: &str) -> Result<Spanned<Value>, (String, Range<usize>)> {
    use saphyr::{LoadableYamlNode, MarkedYaml};
    let index = LineIndex::new(text);
    match MarkedYaml::load_from_str(text) {
        Ok(docs) => Ok(match docs.into_iter().next() {
            None => Spanned {
                value: Value::Null,
                span: 0..0,
            },
            Some(doc) => Spanned {
                value: yaml_value(&doc, &index, 0),
                span: yaml_span(&doc, &index, 0),
            },
        }),
        Err(err) => {
            let m = err.marker();
            let at = index.offset_of(m.line(), m.col());
            Err((err.info().to_string(), at..at))
        }
    }
}

fn yaml_span(node: &saphyr::MarkedYaml<'_>, index: &LineIndex<'_>, offset: usize) -> Range<usize> {
    let s = node.span.start;
    let e = node.span.end;
    let start = offset + index.offset_of(s.line(), s.col());
    let end = offset + index.offset_of(e.line(), e.col());
    start..end.max(start)
}

fn yaml_value(node: &saphyr::MarkedYaml<'_>, index: &LineIndex<'_>, offset: usize) -> Value {
    use saphyr::{Scalar, YamlData};
    match &node.data {
        YamlData::Value(Scalar::String(s)) => Value::String(clean_text(s)),
        YamlData::Value(Scalar::Integer(i)) => Value::Integer(*i),
        YamlData::Value(Scalar::FloatingPoint(f)) => Value::Float(f.into_inner()),
        YamlData::Value(Scalar::Boolean(b)) => Value::Bool(*b),
        YamlData::Value(Scalar::Null) => Value::Null,
        YamlData::Sequence(items) => Value::Array(
            items
                .iter()
                .map(|i| Spanned {
                    value: yaml_value(i, index, offset),
                    span: yaml_span(i, index, offset),
                })
                .collect(),
        ),
        YamlData::Mapping(map) => Value::Table(
            map.iter()
                .map(|(k, v)| {
                    let key = match &k.data {
                        YamlData::Value(s) => scalar_text(s),
                        _ => String::new(),
                    };
                    (
                        Spanned {
                            value: key,
                            span: yaml_span(k, index, offset),
                        },
                        Spanned {
                            value: yaml_value(v, index, offset),
                            span: yaml_span(v, index, offset),
                        },
                    )
                })
                .collect(),
        ),
        // Aliases, tags we do not know and bad values read as null; `meta` reports a
        // wrong type where a value was expected.
        _ => Value::Null,
    }
}

fn scalar_text(s: &saphyr::Scalar<'_>) -> String {
    use saphyr::Scalar;
    match s {
        Scalar::String(s) => s.to_string(),
        Scalar::Integer(i) => i.to_string(),
        Scalar::FloatingPoint(f) => f.to_string(),
        Scalar::Boolean(b) => b.to_string(),
        Scalar::Null => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_file(text: &str) -> (Table, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let s = split(text, &mut diags);
        let table = match (s.front, s.format) {
            (Some((front, off)), Some(fmt)) => parse(front, off, fmt, &mut diags),
            _ => Vec::new(),
        };
        (table, diags)
    }

    #[test]
    fn toml_spans_are_in_the_whole_file() {
        let text = "+++\ntitle = \"防汛\"\nlevel = \"red\"\n+++\n正文";
        let (t, d) = parse_file(text);
        assert!(d.is_empty());
        assert_eq!(t[1].0.value, "level");
        assert_eq!(&text[t[1].0.span.clone()], "level");
        assert_eq!(&text[t[0].1.span.clone()], "\"防汛\"");
    }

    #[test]
    fn toml_error_line_counts_the_fence() {
        let text = "+++\ntitle = \"a\"\ndate = 2023-13-45\n+++\n";
        let (_, d) = parse_file(text);
        assert_eq!(d.len(), 1);
        let span = d[0].span.clone().unwrap();
        assert_eq!(LineIndex::new(text).line_col(span.start).0, 3);
    }

    #[test]
    fn yaml_spans_are_in_the_whole_file() {
        let text = "---\ntitle: 防汛通知\ntags:\n  - 防汛\n  - 安全\n---\n正文";
        let (t, d) = parse_file(text);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(&text[t[0].0.span.clone()], "title");
        assert_eq!(t[0].1.value, Value::String("防汛通知".into()));
        let Value::Array(items) = &t[1].1.value else {
            panic!()
        };
        assert_eq!(&text[items[1].span.clone()], "安全");
    }

    #[test]
    fn yaml_error_names_the_line_in_the_file() {
        let text = "---\ntitle: a\n  bad: [\n---\n";
        let (_, d) = parse_file(text);
        assert_eq!(d.len(), 1);
        let line = LineIndex::new(text)
            .line_col(d[0].span.clone().unwrap().start)
            .0;
        assert!(line >= 2, "line {line}");
    }

    #[test]
    fn unclosed_fence_is_an_error() {
        let (_, d) = parse_file("+++\ntitle = \"a\"\n");
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn clerks_typical_toml_mistakes_get_the_corrected_line() {
        for (line, fixed) in [
            ("title：\"防汛\"", "title = \"防汛\""),
            ("title = “防汛”", "title = \"防汛\""),
            ("title = 防汛", "title = \"防汛\""),
            ("date = 2023年6月1日", "date = 2023-06-01"),
            ("date = 2023-6-1 8:00", "date = 2023-06-01T08:00:00"),
        ] {
            assert_eq!(
                line_hint(line).map(|h| h.corrected),
                Some(fixed.into()),
                "{line}"
            );
        }
        assert!(line_hint("weight = 3").is_none());
    }

    #[test]
    fn invisible_characters_inside_strings_are_left_to_clean_text() {
        let front = "title = \"a\u{200b}b\"\ntags\u{a0}= []\n";
        let found = invisible_outside_strings(front);
        assert_eq!(found, vec![(front.find('\u{a0}').unwrap(), '\u{a0}')]);
        assert_eq!(clean_text("地质\u{200b}灾害\u{a0}防治"), "地质灾害 防治");
    }

    #[test]
    fn no_front_matter_is_fine() {
        let (t, d) = parse_file("# 标题\n正文");
        assert!(t.is_empty() && d.is_empty());
    }
}
