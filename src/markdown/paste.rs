//! Undoes what pasting from Word or WPS does to a Markdown body, on pulldown-cmark's
//! event stream (never on HTML text): a paragraph indented with a tab or four spaces
//! (Word's first-line indent) is a paragraph, not an indented code block; lines of
//! tab-separated cells (a Word table pasted as text) become a table; no-break spaces
//! and zero-width characters, which make `地质\u{200b}灾害` unsearchable, are
//! cleaned out of text outside code; `![](河道 巡查 照片.jpg)`, which CommonMark
//! leaves as literal text because of the spaces, is an image; and telephone numbers
//! in body text become `tel:` links. It does no I/O and must not panic on any input.

use std::ops::Range;

use pulldown_cmark::{Alignment, CodeBlockKind, CowStr, Event, LinkType, Parser, Tag, TagEnd};

use crate::base::diagnostic::Diagnostic;
use crate::input::source::{clean_invisible as clean, has_invisible};
use crate::text;

type Events<'a> = Vec<(Event<'a>, Range<usize>)>;

/// One line of an indented block, where it is in the dedented text and in the body.
struct Piece {
    dedented: usize,
    body: usize,
    len: usize,
}

/// Replaces every indented code block with the Markdown its lines make without their
/// indentation: each line its own paragraph (a pasted Word paragraph is one line),
/// except that consecutive lines holding tabs stay together so that they can become a
/// table. Spans are mapped back into `body`.
pub(crate) fn unindent<'a>(body: &'a str, events: Events<'a>) -> Events<'a> {
    let indented = |e: &Event| matches!(e, Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)));
    if !events.iter().any(|(e, _)| indented(e)) {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    let mut iter = events.into_iter();
    while let Some((ev, range)) = iter.next() {
        if !indented(&ev) {
            out.push((ev, range));
            continue;
        }
        let mut code = String::new();
        for (e, _) in iter.by_ref() {
            match e {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => break,
                _ => {}
            }
        }
        out.extend(as_paragraphs(body, &code, range));
    }
    out
}

fn as_paragraphs(body: &str, code: &str, block: Range<usize>) -> Events<'static> {
    let mut dedented = String::with_capacity(code.len() + 16);
    let mut pieces: Vec<Piece> = Vec::new();
    let mut cursor = block.start;
    let mut last_had_tab = false;
    for line in code.lines() {
        let line = line.trim();
        if line.is_empty() {
            last_had_tab = false;
            continue;
        }
        let has_tab = line.contains('\t');
        if !dedented.is_empty() {
            dedented.push_str(if has_tab && last_had_tab {
                "\n"
            } else {
                "\n\n"
            });
        }
        last_had_tab = has_tab;
        let found = body
            .get(cursor..block.end)
            .and_then(|rest| rest.find(line))
            .map(|i| cursor + i);
        let at = found.unwrap_or(cursor);
        if found.is_some() {
            cursor = at + line.len();
        }
        pieces.push(Piece {
            dedented: dedented.len(),
            body: at,
            len: if found.is_some() { line.len() } else { 0 },
        });
        dedented.push_str(line);
    }
    let map = |o: usize| -> usize {
        let i = pieces
            .partition_point(|p| p.dedented <= o)
            .saturating_sub(1);
        match pieces.get(i) {
            Some(p) => (p.body + (o.saturating_sub(p.dedented)).min(p.len)).min(block.end),
            None => block.start,
        }
    };
    Parser::new_ext(&dedented, crate::markdown::events::parser_options())
        .into_offset_iter()
        .map(|(e, r)| (e.into_static(), map(r.start)..map(r.end).max(map(r.start))))
        .collect()
}

/// Cleans every text event outside code blocks whose source holds such characters as
/// typed (a deliberate `&nbsp;` entity stays a no-break space). Inline code is a
/// separate event and is never touched.
pub(crate) fn clean_invisible<'a>(body: &'a str, mut events: Events<'a>) -> Events<'a> {
    if !has_invisible(body) {
        return events;
    }
    let mut in_code = false;
    for (ev, range) in events.iter_mut() {
        match ev {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(t) if !in_code => {
                let typed = body.get(range.clone()).is_some_and(has_invisible);
                if typed {
                    if let Some(c) = clean(t) {
                        *t = CowStr::from(c);
                    }
                }
            }
            _ => {}
        }
    }
    events
}

/// A paragraph of two or more lines each holding a tab is a table pasted from Word:
/// with the same number of cells on every line it becomes a table whose first line is
/// the header; otherwise a warning names the line that does not line up.
pub(crate) fn tab_tables<'a>(events: Events<'a>, diags: &mut Vec<Diagnostic>) -> Events<'a> {
    if !events
        .iter()
        .any(|(e, _)| matches!(e, Event::Text(t) if t.contains('\t')))
    {
        return events;
    }
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    let mut events: Vec<Option<(Event<'a>, Range<usize>)>> = events.into_iter().map(Some).collect();
    while i < events.len() {
        let is_para = matches!(
            events[i].as_ref().map(|(e, _)| e),
            Some(Event::Start(Tag::Paragraph))
        );
        if is_para {
            if let Some((mut rows, end)) = tab_rows(&events, i) {
                let span = events[i].as_ref().map(|(_, r)| r.clone()).unwrap_or(0..0);
                let lead = rows.iter().take_while(|(c, _)| c.len() < 2).count();
                let lead_in = lead_paragraph(rows.drain(..lead));
                let widths: Vec<usize> = rows.iter().map(|(cells, _)| cells.len()).collect();
                let first = widths[0];
                match rows.iter().position(|(cells, _)| cells.len() != first) {
                    None => {
                        out.extend(lead_in);
                        out.extend(table_events(rows, first, span));
                        i = end + 1;
                        continue;
                    }
                    Some(bad) => diags.push(
                        Diagnostic::warning(text!(
                            zh: "这几行用制表符分隔，像是从 Word 粘贴的表格，但这一行有 {} 格，第一行有 {} 格，所以没有排成表格",
                            en: "these lines are separated by tabs like a table pasted from Word, but this line has {} cells and the first has {}, so they were not made a table",
                            widths[bad], first
                        ))
                        .at(rows[bad].1.clone())
                        .with_help(text!(
                            zh: "让每一行的制表符一样多（空格子也要留一个制表符），或者改写成 Markdown 表格：| 列1 | 列2 |",
                            en: "give every line the same number of tabs (an empty cell needs its tab too), or write a Markdown table: | col 1 | col 2 |"
                        )),
                    ),
                }
            }
        }
        if let Some(ev) = events[i].take() {
            out.push(ev);
        }
        i += 1;
    }
    out
}

type Row = (Vec<String>, Range<usize>);

/// The rows of the paragraph starting at `start`, if it is nothing but lines of plain
/// text (two or more) that each hold a tab; with the index of its end.
fn tab_rows(events: &[Option<(Event, Range<usize>)>], start: usize) -> Option<(Vec<Row>, usize)> {
    // Each line's text, and the span of its first text to its last.
    let mut rows: Vec<(String, Option<Range<usize>>)> = vec![(String::new(), None)];
    for (j, slot) in events.iter().enumerate().skip(start + 1) {
        let (ev, range) = slot.as_ref()?;
        match ev {
            Event::Text(t) => {
                let row = rows.last_mut()?;
                row.0.push_str(t);
                let start = row.1.as_ref().map_or(range.start, |r| r.start);
                row.1 = Some(start..range.end);
            }
            Event::SoftBreak | Event::HardBreak => rows.push((String::new(), None)),
            Event::End(TagEnd::Paragraph) => {
                let rows: Vec<Row> = rows
                    .into_iter()
                    .filter(|(line, _)| !line.trim().is_empty())
                    .map(|(line, span)| {
                        let cells = line
                            .trim_end()
                            .split('\t')
                            .map(|c| c.trim().to_string())
                            .collect();
                        (cells, span.unwrap_or(0..0))
                    })
                    .collect();
                // Lines before the first with a tab (`统计如下：`) are a lead-in.
                let lead = rows.iter().take_while(|(c, _)| c.len() < 2).count();
                let tabbed =
                    rows.len() - lead >= 2 && rows[lead..].iter().all(|(c, _)| c.len() >= 2);
                return tabbed.then_some((rows, j));
            }
            _ => return None,
        }
    }
    None
}

/// The lines before a pasted table, as the paragraph they were.
fn lead_paragraph(lines: impl Iterator<Item = Row>) -> Events<'static> {
    let mut out: Events<'static> = Vec::new();
    let mut span = 0..0;
    for (n, (cells, at)) in lines.enumerate() {
        if n == 0 {
            span = at.clone();
        } else {
            out.push((Event::SoftBreak, span.end..at.start));
        }
        span.end = at.end;
        out.push((Event::Text(CowStr::from(cells.concat())), at));
    }
    if out.is_empty() {
        return out;
    }
    out.insert(0, (Event::Start(Tag::Paragraph), span.clone()));
    out.push((Event::End(TagEnd::Paragraph), span));
    out
}

fn table_events(rows: Vec<Row>, width: usize, span: Range<usize>) -> Events<'static> {
    let mut out = Vec::new();
    let s = || span.clone();
    out.push((Event::Start(Tag::Table(vec![Alignment::None; width])), s()));
    for (n, (cells, _)) in rows.into_iter().enumerate() {
        let (open, close) = if n == 0 {
            (Tag::TableHead, TagEnd::TableHead)
        } else {
            (Tag::TableRow, TagEnd::TableRow)
        };
        out.push((Event::Start(open), s()));
        for cell in cells {
            out.push((Event::Start(Tag::TableCell), s()));
            if !cell.is_empty() {
                out.push((Event::Text(CowStr::from(cell)), s()));
            }
            out.push((Event::End(TagEnd::TableCell), s()));
        }
        out.push((Event::End(close), s()));
    }
    out.push((Event::End(TagEnd::Table), s()));
    out
}

/// `![说明](河道 巡查 照片.jpg)` and `[附件](通知 2024.pdf)` are not links to
/// CommonMark (a destination with spaces needs `<…>`), so they reach here as literal
/// text; each becomes the image or link it was meant to be. Only literal text is read,
/// so its offsets are the body's.
pub(crate) fn spaced_links<'a>(body: &'a str, events: Events<'a>) -> Events<'a> {
    if !body.contains("](") {
        return events;
    }
    let events = crate::markdown::events::merge_literal_text(body, events);
    let mut out = Vec::with_capacity(events.len());
    let mut in_link = 0usize;
    for (ev, range) in events {
        match &ev {
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => in_link += 1,
            Event::End(TagEnd::Link | TagEnd::Image) => in_link = in_link.saturating_sub(1),
            Event::Text(t)
                if in_link == 0 && t.contains("](") && body.get(range.clone()) == Some(t) =>
            {
                split_links(t, range.start, &mut out);
                continue;
            }
            _ => {}
        }
        out.push((ev, range));
    }
    out
}

fn split_links(t: &str, at: usize, out: &mut Events<'_>) {
    let mut pos = 0;
    let mut search = 0;
    while let Some(mid) = t[search..].find("](").map(|i| search + i) {
        let found = (|| {
            let open = t[pos..mid].rfind('[').map(|i| pos + i)?;
            let close = t[mid + 2..].find(')').map(|i| mid + 2 + i)?;
            let alt = &t[open + 1..mid];
            let dest = t[mid + 2..close].trim();
            let plain = |s: &str| !s.contains(['[', ']', '(', '\n', '<', '>']);
            (dest.contains(' ') && plain(alt) && plain(dest)).then_some((open, close, alt, dest))
        })();
        let Some((open, close, alt, dest)) = found else {
            search = mid + 2;
            continue;
        };
        let image = open > pos && t[..open].ends_with('!');
        // `[注](见 下文)` may be prose; a link is taken only to a file name.
        let file_like = dest
            .rsplit('/')
            .next()
            .and_then(|last| last.rsplit_once('.'))
            .is_some_and(|(_, ext)| {
                !ext.is_empty() && ext.chars().all(|c| c.is_ascii_alphanumeric())
            });
        if !image && !file_like {
            search = mid + 2;
            continue;
        }
        let start = if image { open - 1 } else { open };
        if start > pos {
            out.push((
                Event::Text(CowStr::from(t[pos..start].to_string())),
                at + pos..at + start,
            ));
        }
        let span = at + start..at + close + 1;
        let dest_url = CowStr::from(dest.to_string());
        let (tag, end) = if image {
            (
                Tag::Image {
                    link_type: LinkType::Inline,
                    dest_url,
                    title: CowStr::from(""),
                    id: CowStr::from(""),
                },
                TagEnd::Image,
            )
        } else {
            (
                Tag::Link {
                    link_type: LinkType::Inline,
                    dest_url,
                    title: CowStr::from(""),
                    id: CowStr::from(""),
                },
                TagEnd::Link,
            )
        };
        out.push((Event::Start(tag), span.clone()));
        if !alt.is_empty() {
            out.push((
                Event::Text(CowStr::from(alt.to_string())),
                at + open + 1..at + mid,
            ));
        }
        out.push((Event::End(end), span));
        pos = close + 1;
        search = pos;
    }
    if pos < t.len() {
        out.push((
            Event::Text(CowStr::from(t[pos..].to_string())),
            at + pos..at + t.len(),
        ));
    }
}

/// Short numbers of public services, linked wherever they stand alone in the text.
const SERVICE_NUMBERS: [&str; 16] = [
    "110", "119", "120", "122", "12345", "12350", "12315", "12369", "12379", "95598", "12320",
    "12333", "12366", "12395", "12319", "12328",
];

/// Words one of which must come shortly before a three-digit service number, so that
/// `120名` or `共110户` never becomes a link.
const CUES: [&str; 14] = [
    "拨打",
    "电话",
    "热线",
    "报警",
    "火警",
    "急救",
    "匪警",
    "求助",
    "呼叫",
    "致电",
    "举报",
    "投诉",
    "交通事故",
    "打",
];

/// What, just before a number, says it is a count, an ordinal or an identifier.
const NOT_PHONE: [&str; 12] = [
    "第", "共", "计", "约", "近", "达", "超", "编号", "序号", "单号", "账号", "文号",
];

/// Units and counters that say a number is an amount, not a telephone number.
fn is_unit(c: char) -> bool {
    "元万亿千百人个户名位次件起处条台辆米吨亩年月日号天时分秒余多家所座栋间平立份页期批项组队场只头张本"
        .contains(c)
}

/// Where `text` holds a telephone number that should be a `tel:` link, with the
/// number to dial: landlines (`0851-12345678`), mobiles on the site's allow-list
/// (`allowed`, digits only; any other mobile is already an error of `checks`), and
/// the service numbers above. `before` is the text the reader saw just before, where
/// a cue such as 拨打 may stand.
pub(crate) fn phone_numbers(
    text: &str,
    before: &str,
    allowed: &[String],
) -> Vec<(Range<usize>, String)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'-') {
            i += 1;
        }
        let mut end = i;
        while end > start && bytes[end - 1] == b'-' {
            end -= 1;
        }
        let prev = text[..start].chars().next_back();
        let next = text[end..].chars().next();
        let joined = |c: Option<char>| {
            c.is_some_and(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | ':' | '_' | '+' | '%' | '‰')
            })
        };
        if joined(prev) || joined(next) || prev == Some('-') || (end < i && next == Some('-')) {
            continue;
        }
        let s = &text[start..end];
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        let ok = is_landline(s)
            || (is_mobile(s) && allowed.contains(&digits))
            || (SERVICE_NUMBERS.contains(&s) && !next.is_some_and(is_unit) && {
                // The last ten characters before the number, where 拨打 or 编号 stands.
                let mut prev_text: Vec<char> =
                    before.chars().chain(text[..start].chars()).collect();
                let prev_text: String = prev_text
                    .split_off(prev_text.len().saturating_sub(10))
                    .into_iter()
                    .collect();
                let counted = NOT_PHONE.iter().any(|w| prev_text.ends_with(w));
                !counted && (s.len() > 3 || CUES.iter().any(|c| prev_text.contains(c)))
            });
        if ok {
            found.push((start..end, digits));
        }
    }
    found
}

/// `0851-12345678`: an area code of three or four digits, a hyphen, seven or eight.
fn is_landline(s: &str) -> bool {
    let Some((area, local)) = s.split_once('-') else {
        return false;
    };
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    area.starts_with('0')
        && (3..=4).contains(&area.len())
        && (7..=8).contains(&local.len())
        && digits(area)
        && digits(local)
}

/// Eleven digits `1[3-9]…`, plain or 3-4-4 with hyphens.
fn is_mobile(s: &str) -> bool {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let shape =
        s.len() == 11 || (s.len() == 13 && s.as_bytes()[3] == b'-' && s.as_bytes()[8] == b'-');
    shape
        && digits.len() == 11
        && digits.starts_with('1')
        && matches!(digits.as_bytes()[1], b'3'..=b'9')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phones(text: &str) -> Vec<&str> {
        phone_numbers(text, "", &["13800138000".to_string()])
            .into_iter()
            .map(|(r, _)| &text[r])
            .collect()
    }

    #[test]
    fn telephone_numbers_and_not_amounts() {
        assert_eq!(
            phones("请拨打119或0851-12345678。"),
            ["119", "0851-12345678"]
        );
        assert_eq!(phones("热线12350，服务95598"), ["12350", "95598"]);
        assert_eq!(phones("值班13800138000，另13900139000"), ["13800138000"]);
        for none in [
            "2023年",
            "共120名",
            "110户",
            "拨打120元",
            "第110条",
            "2024-07-15",
            "12350元",
            "编号0851-123456789",
            "v0851-12345678",
            "1.119",
            "119",
            "编号12345",
            "共12350",
            "拨打电话共120",
        ] {
            assert!(phones(none).is_empty(), "{none}: {:?}", phones(none));
        }
    }

    #[test]
    fn invisible_characters_are_cleaned() {
        assert_eq!(
            clean("地质\u{200b}灾害\u{a0}预警\u{feff}").as_deref(),
            Some("地质灾害 预警")
        );
        assert_eq!(clean("普通"), None);
        assert_eq!(clean("👨\u{200d}👩").as_deref(), Some("👨\u{200d}👩"));
    }
}
