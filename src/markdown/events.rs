//! pulldown-cmark as every Markdown reader of anxuan sets it up (the page renderer
//! and `paste`), and the joining of literal text runs both rely on. It must not
//! decide how anything is rendered.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event};

pub(crate) fn parser_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options as O;
    O::ENABLE_TABLES
        | O::ENABLE_FOOTNOTES
        | O::ENABLE_STRIKETHROUGH
        | O::ENABLE_TASKLISTS
        | O::ENABLE_HEADING_ATTRIBUTES
        | O::ENABLE_GFM
}

/// pulldown-cmark emits each leftover `*` as its own text event; joining contiguous
/// literal text lets a `**` be seen as one run.
pub(crate) fn merge_literal_text<'a>(
    body: &'a str,
    events: Vec<(Event<'a>, Range<usize>)>,
) -> Vec<(Event<'a>, Range<usize>)> {
    let mut out: Vec<(Event<'a>, Range<usize>)> = Vec::with_capacity(events.len());
    for (ev, range) in events {
        if let (Event::Text(t), Some((Event::Text(prev), prev_range))) = (&ev, out.last_mut()) {
            let contiguous = prev_range.end == range.start;
            let literal = body.get(prev_range.clone()) == Some(prev.as_ref())
                && body.get(range.clone()) == Some(t.as_ref());
            if contiguous && literal {
                *prev = CowStr::from(format!("{prev}{t}"));
                prev_range.end = range.end;
                continue;
            }
        }
        out.push((ev, range));
    }
    out
}
