//! The rules of a Chinese official document (GB/T 9704-2012) that both readers of
//! `anxuan import` share, and the Markdown blocks they make: the hand-typed levels
//! 一、 → `##`, （一） → `###`, 1. → `####`, （1） → a list item; the 成文日期
//! (`2023年6月5日`, also `二〇二三年六月五日`) as a date; the 发文字号 (〔2023〕12号);
//! a `1.` line ending in `。` or `；` kept as a numbered paragraph, not a heading;
//! the 附件 lines, whose `2.整改通知书` continuation is an attachment, not a heading;
//! Word's first-line indents. It works on text already read: it never reads a file
//! and does not know where the text came from.

use crate::base::diagnostic::Text;

/// A document turned into a page.
#[derive(Debug, PartialEq, Eq, Default)]
pub struct Converted {
    pub title: String,
    /// The 成文日期 as `YYYY-MM-DD`, if the document ends with one.
    pub date: Option<String>,
    /// The Markdown body.
    pub body: String,
    /// Pictures to write beside `index.md`, by the names the body uses.
    pub images: Vec<Image>,
    /// What the conversion left out and the clerk should know (a picture in a format
    /// no browser shows, a linked picture).
    pub notes: Vec<Text>,
}

/// A picture of the document, written beside the page under `name`.
#[derive(Debug, PartialEq, Eq)]
pub struct Image {
    pub name: String,
    pub bytes: Vec<u8>,
}

const CN_DIGITS: &str = "一二三四五六七八九十百零〇";

/// What a line's start says about its place in the document's outline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ordinal {
    /// `一、`
    Level1,
    /// `（一）`
    Level2,
    /// `1.` / `1．` / `1、` then text
    Level3,
    /// `（1）`
    Item,
    None,
}

/// `一、` at the start: a first-level heading.
pub(crate) fn level1(line: &str) -> bool {
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

pub(crate) fn ordinal(line: &str) -> Ordinal {
    if level1(line) {
        Ordinal::Level1
    } else if level2(line) {
        Ordinal::Level2
    } else if level3(line) {
        Ordinal::Level3
    } else if item(line) {
        Ordinal::Item
    } else {
        Ordinal::None
    }
}

/// A number as a date writes it: `2023`, `２０２３`, `二〇二三` (digit by digit) or
/// `十二`, `二十五`, `三十一` (a month or day).
fn date_number(s: &str) -> Option<u32> {
    const CN: &str = "〇一二三四五六七八九";
    let digit = |c: char| -> Option<u32> {
        match c {
            '0'..='9' => c.to_digit(10),
            '０'..='９' => Some(c as u32 - '０' as u32),
            '零' => Some(0),
            _ => CN.chars().position(|d| d == c).map(|p| p as u32),
        }
    };
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 4 {
        return None;
    }
    if let Some((tens, ones)) = s.split_once('十') {
        let one = |s: &str, empty: u32| -> Option<u32> {
            let mut c = s.chars();
            match (c.next(), c.next()) {
                (None, _) => Some(empty),
                (Some(d), None) => digit(d),
                _ => None,
            }
        };
        return Some(one(tens, 1)? * 10 + one(ones, 0)?);
    }
    s.chars().try_fold(0u32, |n, c| Some(n * 10 + digit(c)?))
}

/// `2023年6月5日` (or `二〇二三年六月五日`) alone on a line: the 成文日期, as
/// `2023-06-05`.
pub(crate) fn written_date(line: &str) -> Option<String> {
    let (y, rest) = line.split_once('年')?;
    let (m, rest) = rest.split_once('月')?;
    let d = rest.strip_suffix('日')?;
    let (y, m, d) = (date_number(y)?, date_number(m)?, date_number(d)?);
    ((1990..2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Of the last few non-empty lines, the one that is the 成文日期.
pub(crate) fn date_line<S: AsRef<str>>(lines: &[S]) -> Option<usize> {
    (0..lines.len())
        .rev()
        .filter(|&i| !lines[i].as_ref().is_empty())
        .take(6)
        .find(|&i| written_date(lines[i].as_ref()).is_some())
}

/// A 发文字号: `X镇发〔2023〕12号` (the year in 〔〕, then the number and 号).
pub(crate) fn is_document_number(line: &str) -> bool {
    let Some((_, rest)) = line.split_once('〔') else {
        return false;
    };
    let Some((year, number)) = rest.split_once('〕') else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && number
            .strip_suffix('号')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a first line reads as a title rather than body text.
pub(crate) fn reads_as_title(line: &str) -> bool {
    line.chars().count() <= 60 && !line.ends_with('。') && !level1(line)
}

/// Word's first-line indent: full-width spaces, tabs, spaces, no-break spaces.
pub(crate) fn strip_indent(line: &str) -> &str {
    line.trim_start_matches(['\u{3000}', ' ', '\t', '\u{a0}'])
}

/// Characters Markdown would read as syntax at the start of a paragraph.
pub(crate) fn escape_start(line: &str) -> String {
    match line.chars().next() {
        Some('#' | '>' | '-' | '+' | '*' | '|' | '`' | '=' | '~') => format!("\\{line}"),
        _ => {
            // `1. ` or `1) ` would start an ordered list.
            let digits = line.bytes().take_while(u8::is_ascii_digit).count();
            let rest = &line[digits..];
            if (1..10).contains(&digits)
                && (rest.starts_with(". ") || rest.starts_with(") ") || rest == "." || rest == ")")
            {
                format!("{}\\{rest}", &line[..digits])
            } else {
                line.to_string()
            }
        }
    }
}

/// A `1.` line that is a numbered point of the text rather than a heading: it ends
/// as a sentence ends (`1.领导班子组织学习……的要求。`, 90 characters in the example
/// site's report, beside `2.……有差距；`), as a heading typed alone on its line does
/// not. As a `####` it would fill a phone's screen in bold.
fn is_numbered_sentence(line: &str) -> bool {
    line.ends_with(['。', '；', ';', '！', '!'])
}

/// Text as Markdown inline text: the characters that would be syntax escaped.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '~' | '&') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A block of the page's Markdown.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Block {
    /// `##` to `######` and the heading's text.
    Heading(usize, String),
    /// A list item: its depth (0 for the outermost), marker (`-`, `3.`) and text.
    Item {
        depth: usize,
        marker: String,
        text: String,
    },
    Paragraph(String),
    /// A GFM table, its lines.
    Table(String),
}

/// The outline rules, line by line, with what they need to remember: whether the
/// lines are inside the 附件 list, whose `2.` lines are attachments.
#[derive(Default)]
pub(crate) struct Outline {
    in_attachments: bool,
}

impl Outline {
    /// The block a body line makes: `plain` is its text (indent removed), `markdown`
    /// the same as Markdown inline text, `heading` as a heading's text.
    pub(crate) fn block(&mut self, plain: &str, markdown: String, heading: String) -> Block {
        if plain.starts_with("附件：") || plain.starts_with("附件:") {
            self.in_attachments = true;
            return Block::Paragraph(markdown);
        }
        let ordinal = ordinal(plain);
        if self.in_attachments && ordinal == Ordinal::Level3 {
            return Block::Paragraph(markdown);
        }
        self.in_attachments = false;
        match ordinal {
            Ordinal::Level1 => Block::Heading(2, heading),
            Ordinal::Level2 => Block::Heading(3, heading),
            Ordinal::Level3 if is_numbered_sentence(plain) => Block::Paragraph(markdown),
            Ordinal::Level3 => Block::Heading(4, heading),
            Ordinal::Item => Block::Item {
                depth: 0,
                marker: "-".to_string(),
                text: markdown,
            },
            Ordinal::None => Block::Paragraph(markdown),
        }
    }

    /// A heading or table ends the 附件 list.
    pub(crate) fn interrupt(&mut self) {
        self.in_attachments = false;
    }
}

/// The blocks as Markdown: list items one after another (nested four spaces a
/// level, never deeper than one below the item before, so no item reads as code),
/// everything else a paragraph of its own.
pub(crate) fn assemble(blocks: &[Block]) -> String {
    let mut body = String::new();
    let mut last_depth: Option<usize> = None;
    for b in blocks {
        let text = match b {
            Block::Heading(level, text) => format!("{} {text}", "#".repeat((*level).clamp(2, 6))),
            Block::Item {
                depth,
                marker,
                text,
            } => {
                let depth = (*depth).min(last_depth.map_or(0, |d| d + 1));
                let line = format!("{}{marker} {text}", "    ".repeat(depth));
                if !body.is_empty() {
                    body.push_str(if last_depth.is_some() { "\n" } else { "\n\n" });
                }
                body.push_str(&line);
                last_depth = Some(depth);
                continue;
            }
            Block::Paragraph(text) | Block::Table(text) => text.clone(),
        };
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str(&text);
        last_depth = None;
    }
    body.push('\n');
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_arabic_and_chinese_digits() {
        assert_eq!(written_date("2023年6月5日").as_deref(), Some("2023-06-05"));
        assert_eq!(
            written_date("二〇二三年十二月二十五日").as_deref(),
            Some("2023-12-25")
        );
        assert_eq!(
            written_date("２０２３年６月５日").as_deref(),
            Some("2023-06-05")
        );
        assert_eq!(written_date("2023年13月5日"), None);
        assert_eq!(written_date("今年6月5日"), None);
    }

    #[test]
    fn document_numbers_and_attachment_lines() {
        assert!(is_document_number("X镇发〔2023〕12号"));
        assert!(!is_document_number("〔2023〕号"));
        let mut o = Outline::default();
        let p = |o: &mut Outline, l: &str| o.block(l, l.to_string(), l.to_string());
        assert!(matches!(p(&mut o, "1.组织领导"), Block::Heading(4, _)));
        assert!(matches!(p(&mut o, "附件：1.登记表"), Block::Paragraph(_)));
        assert!(matches!(p(&mut o, "2.整改通知书"), Block::Paragraph(_)));
        assert!(matches!(p(&mut o, "XX镇人民政府"), Block::Paragraph(_)));
        assert!(matches!(p(&mut o, "3.后续"), Block::Heading(4, _)));
        assert!(matches!(
            p(&mut o, "4.认真落实责任制，做到守土有责。"),
            Block::Paragraph(_)
        ));
        assert!(matches!(p(&mut o, "5.履职有差距；"), Block::Paragraph(_)));
    }

    #[test]
    fn a_number_then_a_space_does_not_start_a_list() {
        assert_eq!(escape_start("1. 总体"), "1\\. 总体");
        assert_eq!(escape_start("1.5万元"), "1.5万元");
        assert_eq!(escape_start("# 号"), "\\# 号");
    }
}
