//! `anxuan import`: a document a clerk has (a Word report saved as text, a page
//! copied from a document website) as a new page bundle, with the structure of a
//! Chinese official document (GB/T 9704-2012) understood: the title, the hand-typed
//! levels 一、 → `##`, （一） → `###`, 1. → `####`, （1） → a list item, the 成文日期
//! at the end as `date`, the 发文字号 (〔2023〕12号) and 主送机关 kept as lines, Word's
//! first-line indents of full-width spaces removed.
//!
//! This first step reads `.txt` (UTF-8, GBK, UTF-16, as `input::source` decodes);
//! `.docx` is not read yet. It must never overwrite a file, and never writes a page
//! that hides what the checks find: the caller builds the site after writing, so
//! passwords, paywall markers and personal numbers are reported at the new file's
//! lines.

use std::path::{Path, PathBuf};

use crate::parse::meta::Kind;

/// A document turned into a page.
#[derive(Debug, PartialEq, Eq)]
pub struct Converted {
    pub title: String,
    /// The 成文日期 as `YYYY-MM-DD`, if the document ends with one.
    pub date: Option<String>,
    /// The Markdown body.
    pub body: String,
}

const CN_DIGITS: &str = "一二三四五六七八九十百零〇";

/// `一、` at the start: a first-level heading.
fn level1(line: &str) -> bool {
    let head: String = line
        .chars()
        .take_while(|c| CN_DIGITS.contains(*c))
        .collect();
    !head.is_empty() && line[head.len()..].starts_with('、')
}

/// `（一）` (or `(一)`) at the start: a second-level heading.
fn level2(line: &str) -> bool {
    let rest = line.strip_prefix('（').or_else(|| line.strip_prefix('('));
    rest.is_some_and(|r| {
        let head: String = r.chars().take_while(|c| CN_DIGITS.contains(*c)).collect();
        !head.is_empty() && (r[head.len()..].starts_with('）') || r[head.len()..].starts_with(')'))
    })
}

/// `1.` / `1．` / `1、` then text (not a number like 1.5): a third-level heading.
fn level3(line: &str) -> bool {
    let digits: String = line.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() > 2 {
        return false;
    }
    let mut rest = line[digits.len()..].chars();
    matches!(rest.next(), Some('.' | '．' | '、'))
        && rest
            .next()
            .is_some_and(|c| !c.is_ascii_digit() && !c.is_whitespace())
}

/// `（1）` at the start: an item of a list.
fn item(line: &str) -> bool {
    let rest = line.strip_prefix('（').or_else(|| line.strip_prefix('('));
    rest.is_some_and(|r| {
        let digits: String = r.chars().take_while(char::is_ascii_digit).collect();
        !digits.is_empty()
            && (r[digits.len()..].starts_with('）') || r[digits.len()..].starts_with(')'))
    })
}

/// `2023年6月5日` alone on a line: the 成文日期, as `2023-06-05`.
fn written_date(line: &str) -> Option<String> {
    let (y, rest) = line.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let d = rest.strip_suffix('日')?;
    let num = |s: &str| s.trim().parse::<u32>().ok();
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    ((1990..2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Characters Markdown would read as syntax at the start of a paragraph.
fn escape_start(line: &str) -> String {
    match line.chars().next() {
        Some('#' | '>' | '-' | '+' | '*' | '|' | '`' | '=' | '~') => format!("\\{line}"),
        _ => line.to_string(),
    }
}

/// The document's text as a page: see the module's comment.
pub fn convert_text(text: &str) -> Converted {
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            // Word's first-line indent: full-width spaces, tabs, spaces.
            l.trim_start_matches(['\u{3000}', ' ', '\t', '\u{a0}'])
                .trim_end()
                .to_string()
        })
        .collect();
    let mut title = String::new();
    let mut start = 0;
    for (i, l) in lines.iter().enumerate() {
        if l.is_empty() {
            continue;
        }
        // The first line is the title unless it already reads as body text.
        if l.chars().count() <= 60 && !l.ends_with('。') && !level1(l) {
            title = l.clone();
            start = i + 1;
        }
        break;
    }
    // The 成文日期: the last line that is a date alone, near the end.
    let last_lines: Vec<usize> = (0..lines.len())
        .rev()
        .filter(|&i| !lines[i].is_empty())
        .take(6)
        .collect();
    let date_at = last_lines
        .iter()
        .copied()
        .find(|&i| written_date(&lines[i]).is_some());
    let date = date_at.and_then(|i| written_date(&lines[i]));
    let mut body = String::new();
    let mut in_list = false;
    for (i, l) in lines.iter().enumerate().skip(start) {
        if l.is_empty() || Some(i) == date_at {
            continue;
        }
        let (block, list) = if level1(l) {
            (format!("## {l}"), false)
        } else if level2(l) {
            (format!("### {l}"), false)
        } else if level3(l) {
            (format!("#### {l}"), false)
        } else if item(l) {
            (format!("- {l}"), true)
        } else {
            (escape_start(l), false)
        };
        // List items follow one another; everything else is its own paragraph.
        if !body.is_empty() {
            body.push_str(if list && in_list { "\n" } else { "\n\n" });
        }
        body.push_str(&block);
        in_list = list;
    }
    body.push('\n');
    if let Some(i) = date_at {
        // The date stays where the document had it, as text.
        body.push_str(&format!("\n{}\n", lines[i]));
    }
    Converted { title, date, body }
}

/// A text file's content as a clerk's editor saved it (UTF-8, GBK, UTF-16), and
/// whether it had to be converted.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    Ok(crate::input::source::decode(&bytes, path).text.to_string())
}

/// Where the imported page goes: `content/<section>/<slug>/index.md` (a bundle, so
/// pictures can sit beside it); `None` when that folder exists: an import never
/// writes over a page (importing the same document twice is a mistake to name).
pub fn page_path(root: &Path, kind: Kind, title: &str) -> (PathBuf, bool) {
    let slug = crate::base::slug::slugify(title);
    let slug = if slug.is_empty() {
        "import".to_string()
    } else {
        slug
    };
    let dir = root.join("content").join(kind.section_dir()).join(slug);
    let free = !dir.exists();
    (dir.join("index.md"), free)
}

/// The page's text: the front matter `anxuan new` writes for its kind (`template`,
/// from `scaffold::new_page_text`), with the document's date, and the converted body.
pub fn page_text(template: &str, c: &Converted) -> String {
    let (front, _) = template.rsplit_once("+++\n").unwrap_or((template, ""));
    let mut front = front.to_string();
    if let Some(d) = &c.date {
        front = front
            .lines()
            .map(|l| {
                if l.starts_with("date = ") {
                    format!("date = {d}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        front.push('\n');
    }
    format!("{front}+++\n\n{}", c.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_document_levels_become_headings_and_items() {
        let c = convert_text(
            "XX镇关于做好汛期安全工作的通知\n各村（社区）：\n\u{3000}\u{3000}为切实做好汛期安全工作，现通知如下。\n一、基本情况\n（一）高度重视\n1.压实责任\n（1）村级自查；\n（2）镇级复查。\n1.5万元用于购置设备。\n\nXX镇人民政府\n2023年6月5日\n",
        );
        assert_eq!(c.title, "XX镇关于做好汛期安全工作的通知");
        assert_eq!(c.date.as_deref(), Some("2023-06-05"));
        assert!(c.body.contains("\n\n## 一、基本情况\n\n### （一）高度重视\n\n#### 1.压实责任\n\n- （1）村级自查；\n- （2）镇级复查。\n\n1.5万元"), "{}", c.body);
        assert!(
            c.body.starts_with("各村（社区）：\n\n为切实做好"),
            "indent removed: {}",
            c.body
        );
        assert!(
            c.body.ends_with("XX镇人民政府\n\n2023年6月5日\n"),
            "{}",
            c.body
        );
    }
}
