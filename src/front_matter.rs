//! Splits a Markdown file into front matter and body, and parses the front matter
//! (TOML between `+++` lines, YAML between `---` lines) into one spanned tree.
//!
//! Both formats end up as [`Value`]s whose spans are byte ranges in the *whole file*,
//! not in the front-matter snippet: the parsers see only the snippet, so this module
//! adds the snippet's offset back (the bug cobalt's users met as errors pointing at the
//! wrong line). Parsing never fails: it returns what it could read plus diagnostics.
//! What the keys mean is decided later, in `meta`; this module knows no key names.

use std::ops::Range;

use crate::diagnostic::{Diagnostic, LineIndex};
use crate::text;

#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
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

pub type Table = Vec<(Spanned<String>, Spanned<Value>)>;

impl Value {
    /// The word a user would use for this kind of value in a message.
    pub fn type_name(&self) -> (&'static str, &'static str) {
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
pub enum Format {
    Toml,
    Yaml,
}

/// A file cut into its parts. `body_offset` is where the Markdown body starts in the file.
#[derive(Debug)]
pub struct Split<'a> {
    pub format: Option<Format>,
    /// The front matter text and its byte offset in the file.
    pub front: Option<(&'a str, usize)>,
    pub body: &'a str,
    pub body_offset: usize,
}

/// Cuts `text` at its front-matter fences. A file without a fence at its first line
/// has no front matter; an opening fence without a closing one is an error.
pub fn split<'a>(text: &'a str, diags: &mut Vec<Diagnostic>) -> Split<'a> {
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
            body: text,
            body_offset: 0,
        };
    };
    let first_line_end = text.find('\n').unwrap_or(text.len());
    if text[..first_line_end].trim_end() != fence {
        return Split {
            format: None,
            front: None,
            body: text,
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
                body: &text[body_offset..],
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
        body: "",
        body_offset: text.len(),
    }
}

/// Parses front matter of `format` found at `offset` in the file. Diagnostics carry
/// spans in the file; the caller adds the file name.
pub fn parse(front: &str, offset: usize, format: Format, diags: &mut Vec<Diagnostic>) -> Table {
    match format {
        Format::Toml => parse_toml(front, offset, diags),
        Format::Yaml => parse_yaml(front, offset, diags),
    }
}

fn shift(r: Range<usize>, by: usize) -> Range<usize> {
    r.start + by..r.end + by
}

fn parse_toml(front: &str, offset: usize, diags: &mut Vec<Diagnostic>) -> Table {
    match toml::de::DeTable::parse(front) {
        Ok(table) => toml_table(table.get_ref(), offset),
        Err(err) => {
            let span = err.span().unwrap_or(0..0);
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
            Vec::new()
        }
    }
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
        DeValue::String(s) => Value::String(s.to_string()),
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

/// A whole TOML data file as a table; spans in `text`. `Err` carries the parser's
/// message and where it points.
pub fn toml_document(text: &str) -> Result<Table, (String, Range<usize>)> {
    toml::de::DeTable::parse(text)
        .map(|t| toml_table(t.get_ref(), 0))
        .map_err(|e| (e.message().trim().to_string(), e.span().unwrap_or(0..0)))
}

/// A whole YAML (or JSON, which YAML reads too) document as one value; spans in `text`.
pub fn yaml_document(text: &str) -> Result<Spanned<Value>, (String, Range<usize>)> {
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
        YamlData::Value(Scalar::String(s)) => Value::String(s.to_string()),
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
    fn no_front_matter_is_fine() {
        let (t, d) = parse_file("# 标题\n正文");
        assert!(t.is_empty() && d.is_empty());
    }
}
