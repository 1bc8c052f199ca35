//! The editor's form values written into a page's TOML front matter with
//! toml_edit, so that what the clerk did not touch stays as it was: comments, key
//! order, spacing, keys the form does not show. And the values read back out for
//! the form. The fields are those of `parse::meta::Kind::fields`, the keys the
//! build validates; the build then checks what was written, as for any save.
//!
//! It must not rewrite a key the form did not send, nor write YAML (no editor keeps
//! YAML's comments): a YAML page is edited as text.

use serde_json::{Map, Value as Json};
use toml_edit::{DocumentMut, Item, Value};

use super::Refusal;
use crate::parse::front_matter::{self, Format};
use crate::parse::meta::{FieldType, Kind};

/// The front matter as toml_edit holds it, and the body.
fn parts(text: &str) -> Result<(DocumentMut, &str), Refusal> {
    let split = front_matter::split(text, &mut Vec::new());
    match (split.format, split.front) {
        (Some(Format::Yaml), _) => Err(Refusal::Bad(
            "this page's front matter is YAML: edit it as text",
        )),
        (Some(Format::Toml), Some((front, _))) => front
            .parse::<DocumentMut>()
            .map(|doc| (doc, &text[split.body_offset..]))
            .map_err(|_| Refusal::Bad("the front matter has a mistake: edit it as text")),
        (Some(Format::Toml), None) => Err(Refusal::Bad(
            "the front matter has no closing +++: edit it as text",
        )),
        (None, _) => Ok((DocumentMut::new(), text)),
    }
}

/// The page's current values of its kind's fields, for the form, and its body.
pub(super) fn values(text: &str, kind: Kind) -> Result<(Map<String, Json>, String), Refusal> {
    let (doc, body) = parts(text)?;
    let mut out = Map::new();
    for f in kind.fields() {
        let Some(v) = doc.get(f.key).and_then(Item::as_value) else {
            continue;
        };
        let json = match v {
            Value::String(s) => Json::String(s.value().clone()),
            Value::Datetime(d) => Json::String(d.value().to_string()),
            Value::Boolean(b) => Json::Bool(*b.value()),
            Value::Integer(i) => Json::String(i.value().to_string()),
            Value::Float(x) => Json::String(x.value().to_string()),
            Value::Array(a) if f.ty == FieldType::Figures => Json::Array(
                a.iter()
                    .filter_map(Value::as_inline_table)
                    .map(|t| {
                        let cell = |k: &str| match t.get(k) {
                            Some(Value::String(s)) => s.value().clone(),
                            Some(Value::Integer(i)) => i.value().to_string(),
                            Some(Value::Float(x)) => x.value().to_string(),
                            _ => String::new(),
                        };
                        serde_json::json!({ "label": cell("label"), "value": cell("value"), "unit": cell("unit") })
                    })
                    .collect(),
            ),
            Value::Array(a) => Json::Array(
                a.iter()
                    .filter_map(|v| v.as_str().map(|s| Json::String(s.to_string())))
                    .collect(),
            ),
            Value::InlineTable(_) => continue,
        };
        out.insert(f.key.to_string(), json);
    }
    Ok((out, body.trim_start_matches('\n').to_string()))
}

/// `2024-07-10T08:00` (a datetime-local input) in the site's timezone, as RFC 3339.
fn datetime(s: &str, tz: &jiff::tz::TimeZone) -> Option<String> {
    if s.len() >= 20 && (s.ends_with('Z') || s[19..].starts_with(['+', '-'])) {
        // Already with its offset, as the file had it.
        return s.parse::<jiff::Timestamp>().ok().map(|_| s.to_string());
    }
    let civil: jiff::civil::DateTime = s.parse().ok()?;
    let zoned = civil.to_zoned(tz.clone()).ok()?;
    Some(crate::base::dates::rfc3339(&zoned))
}

/// A form value as the TOML value the key takes.
fn toml_value(ty: FieldType, v: &Json, tz: &jiff::tz::TimeZone) -> Result<Option<Value>, Refusal> {
    let text = |v: &Json| v.as_str().map(str::trim).unwrap_or("").to_string();
    Ok(match ty {
        FieldType::Figures => {
            // One `{ label, value, unit }` a line, as the example site writes them; the
            // value a number when it reads as one (the build shows it as written).
            let mut array = toml_edit::Array::new();
            for row in v.as_array().into_iter().flatten() {
                let cell = |k: &str| {
                    row.get(k)
                        .and_then(Json::as_str)
                        .map(str::trim)
                        .unwrap_or("")
                        .to_string()
                };
                let (label, value, unit) = (cell("label"), cell("value"), cell("unit"));
                if label.is_empty() && value.is_empty() {
                    continue;
                }
                let mut t = toml_edit::InlineTable::new();
                t.insert("label", Value::from(label));
                let number = value
                    .parse::<i64>()
                    .map(Value::from)
                    .or_else(|_| value.parse::<f64>().map(Value::from));
                t.insert("value", number.unwrap_or_else(|_| Value::from(value)));
                t.insert("unit", Value::from(unit));
                t.fmt();
                let mut item = Value::InlineTable(t);
                item.decor_mut().set_prefix("\n  ");
                array.push_formatted(item);
            }
            if array.is_empty() {
                None
            } else {
                array.set_trailing("\n");
                array.set_trailing_comma(true);
                Some(Value::Array(array))
            }
        }
        FieldType::Bool => match v {
            Json::Bool(true) => Some(Value::from(true)),
            _ => None,
        },
        FieldType::List => {
            let lines: Vec<String> = match v {
                Json::Array(a) => a.iter().map(text).collect(),
                Json::String(s) => s.lines().map(|l| l.trim().to_string()).collect(),
                _ => Vec::new(),
            };
            let lines: Vec<String> = lines.into_iter().filter(|l| !l.is_empty()).collect();
            (!lines.is_empty()).then(|| Value::Array(lines.iter().map(String::as_str).collect()))
        }
        FieldType::Date => {
            let s = text(v);
            if s.is_empty() {
                None
            } else if let Ok(d) = s.parse::<jiff::civil::Date>() {
                Some(
                    d.to_string()
                        .parse::<Value>()
                        .map_err(|_| Refusal::Bad("a date the form sent cannot be written"))?,
                )
            } else {
                // Written the Chinese way (2023年6月4日): kept as text, the build reads it.
                Some(Value::from(s))
            }
        }
        FieldType::DateTime => {
            let s = text(v);
            if s.is_empty() {
                None
            } else {
                let rfc =
                    datetime(&s, tz).ok_or(Refusal::Bad("a time the form sent cannot be read"))?;
                Some(
                    rfc.parse::<Value>()
                        .map_err(|_| Refusal::Bad("a time the form sent cannot be written"))?,
                )
            }
        }
        FieldType::Text
        | FieldType::LongText
        | FieldType::Level
        | FieldType::Hazard
        | FieldType::Paper => {
            let s = text(v);
            (!s.is_empty()).then(|| Value::from(s))
        }
    })
}

/// `text` with the form's `fields` written into its front matter (a key sent empty
/// is removed) and, if given, its body replaced.
pub(super) fn merge(
    text: &str,
    kind: Kind,
    fields: &Map<String, Json>,
    body: Option<&str>,
    tz: &jiff::tz::TimeZone,
) -> Result<String, Refusal> {
    let (mut doc, old_body) = parts(text)?;
    let known = kind.fields();
    for key in fields.keys() {
        if !known.iter().any(|f| f.key == key) {
            return Err(Refusal::Bad(
                "the form sent a key this kind of page does not have",
            ));
        }
    }
    for f in &known {
        let Some(v) = fields.get(f.key) else {
            continue;
        };
        match toml_value(f.ty, v, tz)? {
            None => {
                doc.remove(f.key);
            }
            Some(mut new) => match doc.get_mut(f.key).and_then(Item::as_value_mut) {
                Some(old) => {
                    // The comment after the value and the spacing stay.
                    *new.decor_mut() = old.decor().clone();
                    *old = new;
                }
                None => {
                    doc.insert(f.key, Item::Value(new));
                }
            },
        }
    }
    let mut front = doc.to_string();
    if !front.ends_with('\n') {
        front.push('\n');
    }
    let body = match body {
        Some(b) => {
            let b = b.replace("\r\n", "\n");
            format!("\n{}", b.trim_start_matches('\n'))
        }
        None => old_body.to_string(),
    };
    let mut out = format!("+++\n{front}+++\n{body}");
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shanghai() -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()
    }

    fn fields(v: Json) -> Map<String, Json> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn what_the_form_did_not_touch_stays_as_the_file_had_it() {
        let text = "+++\n# 标题按县里的通知写\ntitle = \"暴雨黄色预警\"   # 不要改\nlevel = \"yellow\"\nhazard = \"暴雨\"\nissued = 2024-07-10T08:00:00+08:00\nexpires = 2024-07-11T08:00:00+08:00\naliases = [\"/old/\"]\n+++\n\n正文。\n";
        let out = merge(
            text,
            Kind::Warning,
            &fields(serde_json::json!({
                "title": "暴雨红色预警",
                "level": "red",
                "expires": "2024-07-11T20:00",
                "areas": ["东村", " ", "西村"],
                "lifted": "",
            })),
            None,
            &shanghai(),
        )
        .unwrap();
        assert_eq!(
            out,
            "+++\n# 标题按县里的通知写\ntitle = \"暴雨红色预警\"   # 不要改\nlevel = \"red\"\nhazard = \"暴雨\"\nissued = 2024-07-10T08:00:00+08:00\nexpires = 2024-07-11T20:00:00+08:00\naliases = [\"/old/\"]\nareas = [\"东村\", \"西村\"]\n+++\n\n正文。\n"
        );
        let (back, body) = values(&out, Kind::Warning).unwrap();
        assert_eq!(back["expires"], "2024-07-11T20:00:00+08:00");
        assert_eq!(back["areas"], serde_json::json!(["东村", "西村"]));
        assert!(!back.contains_key("aliases"), "not a form field");
        assert_eq!(body, "正文。\n");
    }

    #[test]
    fn figures_are_rows_written_one_a_line_as_numbers() {
        let text = "+++\ntitle = \"数据\"\nfigures = [\n  { label = \"排查隐患\", value = 207, unit = \"项\" },\n]\n+++\n正文\n";
        let (v, _) = values(text, Kind::Stats).unwrap();
        assert_eq!(
            v["figures"],
            serde_json::json!([{ "label": "排查隐患", "value": "207", "unit": "项" }])
        );
        let out = merge(
            text,
            Kind::Stats,
            &fields(serde_json::json!({ "figures": [
                { "label": "排查隐患", "value": "208", "unit": "项" },
                { "label": "整改率", "value": "95.2", "unit": "%" },
                { "label": "", "value": "", "unit": "" },
                { "label": "检查组", "value": "三个", "unit": "" },
            ] })),
            None,
            &shanghai(),
        )
        .unwrap();
        assert_eq!(
            out,
            "+++\ntitle = \"数据\"\nfigures = [\n  { label = \"排查隐患\", value = 208, unit = \"项\" },\n  { label = \"整改率\", value = 95.2, unit = \"%\" },\n  { label = \"检查组\", value = \"三个\", unit = \"\" },\n]\n+++\n正文\n"
        );
    }

    #[test]
    fn a_new_page_gets_its_keys_and_body_and_a_bad_request_is_refused() {
        let out = merge(
            "",
            Kind::Notice,
            &fields(
                serde_json::json!({ "title": "停水通知", "date": "2024-06-01", "draft": false }),
            ),
            Some("明天停水。\r\n"),
            &shanghai(),
        )
        .unwrap();
        assert_eq!(
            out,
            "+++\ntitle = \"停水通知\"\ndate = 2024-06-01\n+++\n\n明天停水。\n"
        );
        // A date written the Chinese way is kept as text for the build to read.
        let cn = merge(
            &out,
            Kind::Notice,
            &fields(serde_json::json!({ "date": "2024年6月1日" })),
            None,
            &shanghai(),
        )
        .unwrap();
        assert!(cn.contains("date = \"2024年6月1日\""), "{cn}");
        assert!(merge(
            &out,
            Kind::Notice,
            &fields(serde_json::json!({ "level": "red" })),
            None,
            &shanghai()
        )
        .is_err());
        assert!(merge(
            "---\ntitle: a\n---\n",
            Kind::Notice,
            &Map::new(),
            None,
            &shanghai()
        )
        .is_err());
        assert!(merge(
            &out,
            Kind::Warning,
            &fields(serde_json::json!({ "issued": "明天" })),
            None,
            &shanghai()
        )
        .is_err());
    }
}
