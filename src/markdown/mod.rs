//! Renders a page body from Markdown to HTML the way Chinese content needs it.
//!
//! pulldown-cmark parses CommonMark plus GFM tables, task lists, strikethrough,
//! footnotes and heading attributes; this module then adjusts the event stream, never
//! the HTML text: a soft line break between two Chinese characters is dropped (a
//! browser would show it as a space), emphasis that CommonMark refuses because it
//! touches Chinese punctuation (`开展**“百日攻坚”**行动`) is recovered, headings get
//! pinyin ids, link destinations go through the caller's resolver, and fenced code is
//! highlighted with CSS classes. Raw HTML (a block, or a run of inline events that
//! holds a raw tag) and every link and image URL go through `sanitize`, so a pasted
//! `<script>` or `javascript:` link never reaches the page. It does no I/O, never evaluates text as a template,
//! and must not panic on any input: its output is the body HTML and plain text.

pub(crate) mod events;
pub(crate) mod paste;
pub(crate) mod sanitize;

use std::ops::Range;
use std::sync::OnceLock;

use events::{merge_literal_text, parser_options};
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Parser, Tag, TagEnd};

/// A link or image destination found in the Markdown, with the byte span of the whole
/// link/image syntax in the body text given to [`render`].
pub(crate) struct LinkRef<'a> {
    pub(crate) dest: &'a str,
    pub(crate) span: Range<usize>,
    pub(crate) is_image: bool,
}

/// A fenced block whose info string's first word is `table` or `chart`.
pub(crate) struct DataBlock<'a> {
    pub(crate) info: &'a str,
    pub(crate) body: &'a str,
    pub(crate) span: Range<usize>,
}

pub(crate) type ResolveLink<'a> = dyn FnMut(&LinkRef) -> Option<String> + 'a;
pub(crate) type RenderDataBlock<'a> = dyn FnMut(&DataBlock) -> Option<String> + 'a;

pub(crate) struct Options<'a> {
    /// Called for every link and image destination: `Some(url)` rewrites it, `None`
    /// keeps it as written. The caller records broken-link diagnostics itself.
    pub(crate) resolve_link: &'a mut ResolveLink<'a>,
    /// Called for ```table / ```chart blocks; `Some(html)` replaces the code block.
    pub(crate) data_block: Option<&'a mut RenderDataBlock<'a>>,
    pub(crate) settings: &'a Settings,
    /// base_url's host: an image from any other host is refused (see `sanitize`).
    pub(crate) site_host: &'a str,
}

/// What a site decides about its Markdown (config.toml).
#[derive(Clone, Debug, Default)]
pub(crate) struct Settings {
    /// `[markdown] indented_code = true`: a block indented four spaces is code, as in
    /// CommonMark. Off by default: in a pasted Word text it is a first-line indent.
    pub(crate) indented_code: bool,
    /// Mobile numbers the site publishes (`[privacy] allow`, digits only), which become
    /// `tel:` links like landlines.
    pub(crate) allowed_mobiles: Vec<String>,
}

#[derive(Clone, Debug)]
pub(crate) struct Heading {
    pub(crate) level: u8,
    pub(crate) id: String,
    pub(crate) title: String,
}

pub(crate) struct Rendered {
    pub(crate) html: String,
    /// Plain text of the body, blocks separated by '\n', with the same CJK rule.
    pub(crate) text: String,
    pub(crate) headings: Vec<Heading>,
    /// Problems found in the body (spans in the body text, no file yet).
    pub(crate) diagnostics: Vec<crate::base::diagnostic::Diagnostic>,
}

/// Characters between which a line break must not become a space: Han ideographs,
/// CJK symbols and punctuation, full-width forms, kana, hangul, and the quotation
/// marks, ellipsis and dashes Chinese text uses.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x11FF
        | 0x2E80..=0x2FDF
        | 0x3000..=0x303F
        | 0x3040..=0x30FF
        | 0x3100..=0x312F
        | 0x3190..=0x31FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA960..=0xA97F
        | 0xAC00..=0xD7FF
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFFEF
        | 0x20000..=0x3FFFF)
        || matches!(c, '“' | '”' | '‘' | '’' | '…' | '—' | '·')
}

/// Full-width punctuation, which carries its own spacing in Chinese typography.
pub(crate) fn is_cjk_punctuation(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0xFE30..=0xFE4F | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65)
        || matches!(c, '“' | '”' | '‘' | '’' | '…' | '—')
}

pub(crate) fn render(body: &str, opts: &mut Options) -> Rendered {
    let events: Vec<(Event, Range<usize>)> = Parser::new_ext(body, parser_options())
        .into_offset_iter()
        .collect();
    let mut diagnostics = Vec::new();
    let events = if opts.settings.indented_code {
        events
    } else {
        crate::markdown::paste::unindent(body, events)
    };
    let events = crate::markdown::paste::clean_invisible(body, events);
    let events = crate::markdown::paste::spaced_links(body, events);
    let events = crate::markdown::paste::tab_tables(events, &mut diagnostics);
    let events = recover_cjk_emphasis(body, events);
    let mut r = Renderer {
        in_link: 0,
        in_heading: false,
        out: Vec::with_capacity(events.len()),
        text: String::with_capacity(body.len()),
        headings: Vec::new(),
        depth: 0,
        diags: Vec::new(),
        inline_from: 0,
        inline_raw: false,
        hidden_text: None,
    };
    r.run(events, opts);
    r.flush_inline();
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, r.out.into_iter());
    Rendered {
        html,
        text: r.text,
        headings: r.headings,
        diagnostics: {
            diagnostics.extend(r.diags);
            diagnostics
        },
    }
}

struct Renderer<'a> {
    out: Vec<Event<'a>>,
    text: String,
    headings: Vec<Heading>,
    /// Block nesting depth, to honour `<!-- more -->` only at the top level.
    depth: usize,
    /// Inside a link or image, or a heading: no telephone links there.
    in_link: usize,
    in_heading: bool,
    diags: Vec<crate::base::diagnostic::Diagnostic>,
    /// Where in `out` the current run of inline events starts, and whether it holds
    /// raw HTML: such a run is sanitised whole once it ends, so a `<span>` and its
    /// `</span>`, or a `<script>` and its text, are judged together.
    inline_from: usize,
    inline_raw: bool,
    /// Inside an inline raw element whose content is dropped (`<script>…`): its
    /// text stays out of the plain text too.
    hidden_text: Option<String>,
}

impl<'a> Renderer<'a> {
    fn run(&mut self, events: Vec<(Event<'a>, Range<usize>)>, opts: &mut Options) {
        let mut i = 0;
        while i < events.len() {
            let (ev, range) = &events[i];
            // Raw HTML inside a run of inline events is sanitised with the run, once
            // a block starts or ends.
            let boundary = match ev {
                Event::Start(tag) => is_block(tag),
                Event::End(tag) => is_block_end(*tag),
                Event::TaskListMarker(_) | Event::Rule => true,
                _ => false,
            };
            if boundary {
                self.flush_inline();
            }
            match ev {
                Event::SoftBreak => {
                    let prev = last_char(&self.text);
                    let next = next_text_char(&events[i + 1..]);
                    // Between two Chinese characters, and on either side of full-width
                    // punctuation (`安全。\nXX市`), a line break is no space.
                    let joined = match (prev, next) {
                        (Some(p), Some(n)) => {
                            (is_cjk(p) && is_cjk(n))
                                || is_cjk_punctuation(p)
                                || is_cjk_punctuation(n)
                        }
                        _ => false,
                    };
                    if !joined {
                        self.text.push('\n');
                        self.out.push(Event::SoftBreak);
                    }
                    i += 1;
                }
                Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs,
                }) => {
                    let end = find_end(&events, i);
                    let title = visible_text(&events[i + 1..end]);
                    let (explicit, classes) =
                        self.heading_attrs(id.as_deref(), classes, attrs, range);
                    let id = self.heading_id(explicit, &title);
                    self.headings.push(Heading {
                        level: heading_level(*level),
                        id: id.clone(),
                        title: title.trim().to_string(),
                    });
                    self.out.push(Event::Start(Tag::Heading {
                        level: *level,
                        id: Some(CowStr::from(id)),
                        classes,
                        attrs: Vec::new(),
                    }));
                    self.depth += 1;
                    self.in_heading = true;
                    i += 1;
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    self.in_link += 1;
                    let dest = self.resolve(opts, dest_url, range, false);
                    let dest = self.check_url(opts, dest, range, false);
                    self.out.push(Event::Start(Tag::Link {
                        link_type: *link_type,
                        dest_url: dest,
                        title: title.clone(),
                        id: id.clone(),
                    }));
                    i += 1;
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    self.in_link += 1;
                    // A picture without words is nothing to a blind reader's screen
                    // reader (WCAG 1.1.1): `![河道巡查](a.jpg)`, not `![](a.jpg)`.
                    let alt = events[i + 1..find_end(&events, i)].iter().any(|(e, _)| {
                        matches!(e, Event::Text(t) | Event::Code(t) if !t.trim().is_empty())
                    });
                    if !alt {
                        self.diags.push(
                            crate::base::diagnostic::Diagnostic::warning(crate::text!(
                                zh: "图片没有说明文字：读屏软件只会读出“图片”",
                                en: "the image has no alt text: a screen reader only says “image”"
                            ))
                            .at(range.clone())
                            .with_help(crate::text!(
                                zh: "在方括号里写上图片内容，例如 ![村民参加防汛演练](照片.jpg)",
                                en: "say what it shows inside the brackets, e.g. ![villagers at the flood drill](photo.jpg)"
                            )),
                        );
                    }
                    let dest = self.resolve(opts, dest_url, range, true);
                    let dest = self.check_url(opts, dest, range, true);
                    self.out.push(Event::Start(Tag::Image {
                        link_type: *link_type,
                        dest_url: dest,
                        title: title.clone(),
                        id: id.clone(),
                    }));
                    i += 1;
                }
                Event::Start(Tag::HtmlBlock) => {
                    let end = find_end(&events, i);
                    self.html_block(&events, i, end, opts);
                    i = end + 1;
                }
                Event::Start(Tag::CodeBlock(kind)) => {
                    let end = find_end(&events, i);
                    let code: String = events[i + 1..end]
                        .iter()
                        .filter_map(|(e, _)| match e {
                            Event::Text(t) => Some(t.as_ref()),
                            _ => None,
                        })
                        .collect();
                    let info = match kind {
                        CodeBlockKind::Fenced(info) => info.as_ref(),
                        CodeBlockKind::Indented => "",
                    };
                    let span =
                        range.start..events.get(end).map(|(_, r)| r.end).unwrap_or(range.end);
                    let html = self.code_block(info, &code, span, opts);
                    self.text.push_str(&code);
                    self.text.push('\n');
                    self.out.push(Event::Html(CowStr::from(html)));
                    i = end + 1;
                }
                Event::Start(tag) => {
                    if is_block(tag) {
                        self.depth += 1;
                    }
                    self.out.push(events[i].0.clone());
                    i += 1;
                }
                Event::End(tag) => {
                    match tag {
                        TagEnd::Link | TagEnd::Image => {
                            self.in_link = self.in_link.saturating_sub(1)
                        }
                        TagEnd::Heading(_) => self.in_heading = false,
                        _ => {}
                    }
                    if is_block_end(*tag) {
                        self.depth = self.depth.saturating_sub(1);
                        if !self.text.ends_with('\n') && !self.text.is_empty() {
                            self.text.push('\n');
                        }
                    }
                    self.out.push(events[i].0.clone());
                    i += 1;
                }
                Event::Text(t)
                    if self.in_link == 0 && !self.in_heading && self.hidden_text.is_none() =>
                {
                    let before = self.text.len();
                    // The last few characters read, where a cue such as 拨打 stands.
                    let from = self.text.char_indices().rev().nth(9).map_or(0, |(i, _)| i);
                    self.text.push_str(t);
                    let phones = crate::markdown::paste::phone_numbers(
                        t,
                        &self.text[from..before],
                        &opts.settings.allowed_mobiles,
                    );
                    self.push_with_phones(t, phones);
                    i += 1;
                }
                Event::InlineHtml(h) => {
                    self.inline_html(h, range, opts);
                    self.out.push(events[i].0.clone());
                    i += 1;
                }
                Event::Text(t) | Event::Code(t) => {
                    if self.hidden_text.is_none() {
                        self.text.push_str(t);
                    }
                    self.out.push(events[i].0.clone());
                    i += 1;
                }
                Event::HardBreak => {
                    self.text.push('\n');
                    self.out.push(Event::HardBreak);
                    i += 1;
                }
                _ => {
                    self.out.push(events[i].0.clone());
                    i += 1;
                }
            }
            if boundary {
                self.inline_from = self.out.len();
            }
        }
    }

    /// Text with each telephone number in it made a `tel:` link that does not wrap.
    fn push_with_phones(&mut self, t: &CowStr<'a>, phones: Vec<(Range<usize>, String)>) {
        if phones.is_empty() {
            self.out.push(Event::Text(t.clone()));
            return;
        }
        let mut pos = 0;
        for (range, digits) in phones {
            if range.start > pos {
                self.out
                    .push(Event::Text(CowStr::from(t[pos..range.start].to_string())));
            }
            self.out.push(Event::InlineHtml(CowStr::from(format!(
                "<a href=\"tel:{digits}\" class=\"phone\">"
            ))));
            self.out
                .push(Event::Text(CowStr::from(t[range.clone()].to_string())));
            self.out.push(Event::InlineHtml(CowStr::from("</a>")));
            pos = range.end;
        }
        if pos < t.len() {
            self.out
                .push(Event::Text(CowStr::from(t[pos..].to_string())));
        }
    }

    /// Replaces the inline events since `inline_from` by their sanitised HTML if raw
    /// HTML was among them; Markdown's own inline output passes the allow-list as it is.
    fn flush_inline(&mut self) {
        if self.inline_raw {
            let run: Vec<Event<'a>> = self.out.drain(self.inline_from..).collect();
            let mut html = String::new();
            pulldown_cmark::html::push_html(&mut html, run.into_iter());
            self.out
                .push(Event::Html(CowStr::from(crate::markdown::sanitize::clean(
                    &html,
                ))));
        }
        self.inline_raw = false;
        self.hidden_text = None;
        self.inline_from = self.out.len();
    }

    /// A raw HTML block: reported and sanitised whole, so a tag written over several
    /// lines is judged as one. `<!-- more -->` on its own stays the summary marker.
    fn html_block(
        &mut self,
        events: &[(Event<'a>, Range<usize>)],
        start: usize,
        end: usize,
        opts: &Options,
    ) {
        let mut pieces = crate::markdown::sanitize::Pieces::default();
        for (e, r) in &events[start + 1..end] {
            if let Event::Html(h) = e {
                pieces.push(h, r.start);
            }
        }
        if pieces.text.trim() == "<!-- more -->" {
            self.out.push(Event::Html(CowStr::from("<!-- more -->\n")));
            return;
        }
        for d in crate::markdown::sanitize::inspect(&pieces.text, opts.site_host) {
            let span = d.span.clone().unwrap_or(0..0);
            self.diags.push(d.at(pieces.to_source(span)));
        }
        let mut clean = crate::markdown::sanitize::clean(&pieces.text);
        if !clean.is_empty() && !clean.ends_with('\n') {
            clean.push('\n');
        }
        self.out.push(Event::Html(CowStr::from(clean)));
    }

    /// One inline raw tag: what it drops is reported at its place, and the text of a
    /// dropped `<script>…</script>` is kept out of the plain text.
    fn inline_html(&mut self, h: &str, range: &Range<usize>, opts: &Options) {
        self.inline_raw = true;
        for d in crate::markdown::sanitize::inspect(h, opts.site_host) {
            let span = d.span.clone().unwrap_or(0..0);
            let at =
                (range.start + span.start).min(range.end)..(range.start + span.end).min(range.end);
            self.diags.push(d.at(at));
        }
        hide_dropped_text(&mut self.hidden_text, h);
    }

    /// A refused link or image URL is an error at the link, and is not written out.
    fn check_url(
        &mut self,
        opts: &Options,
        dest: CowStr<'a>,
        span: &Range<usize>,
        is_image: bool,
    ) -> CowStr<'a> {
        match crate::base::url::url_problem(&dest, is_image, opts.site_host) {
            Some(d) => {
                self.diags.push(d.at(span.clone()));
                CowStr::from("")
            }
            None => dest,
        }
    }

    /// A `{#id .class}` heading attribute keeps only ids and classes made of letters,
    /// digits, `-` and `_` (so `{#"><script>}` cannot leave the attribute), and no
    /// `key=value` attribute (it could be an event handler); each refusal is a warning.
    fn heading_attrs<'b>(
        &mut self,
        id: Option<&'b str>,
        classes: &[CowStr<'a>],
        attrs: &[(CowStr<'a>, Option<CowStr<'a>>)],
        span: &Range<usize>,
    ) -> (Option<&'b str>, Vec<CowStr<'a>>) {
        let plain = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        };
        let id = match id {
            Some(id) if !id.trim().is_empty() && !plain(id.trim()) => {
                self.diags.push(
                    crate::base::diagnostic::Diagnostic::warning(crate::text!(
                        zh: "标题的 id `{}` 只能由字母、数字、- 和 _ 组成，已改用标题文字生成的 id",
                        en: "the heading id `{}` may hold only letters, digits, - and _; the id made from the heading text is used",
                        id
                    ))
                    .at(span.clone()),
                );
                None
            }
            other => other,
        };
        let mut kept = Vec::new();
        for c in classes {
            if plain(c) {
                kept.push(c.clone());
            } else {
                self.diags.push(
                    crate::base::diagnostic::Diagnostic::warning(crate::text!(
                        zh: "已删除标题的 class `{}`：只能由字母、数字、- 和 _ 组成",
                        en: "removed the heading class `{}`: it may hold only letters, digits, - and _",
                        c
                    ))
                    .at(span.clone()),
                );
            }
        }
        for (key, _) in attrs {
            self.diags.push(
                crate::base::diagnostic::Diagnostic::warning(crate::text!(
                    zh: "已删除标题的属性 `{}`：标题只保留 {{#id}} 和 {{.class}}",
                    en: "removed the heading attribute `{}`: a heading keeps only {{#id}} and {{.class}}",
                    key
                ))
                .at(span.clone()),
            );
        }
        (id, kept)
    }

    fn resolve(
        &self,
        opts: &mut Options,
        dest: &CowStr<'a>,
        span: &Range<usize>,
        is_image: bool,
    ) -> CowStr<'a> {
        let link = LinkRef {
            dest,
            span: span.clone(),
            is_image,
        };
        match (opts.resolve_link)(&link) {
            Some(url) => CowStr::from(url),
            None => dest.clone(),
        }
    }

    /// A heading's id: `{#id}` as written, else the pinyin slug of its text; repeats
    /// get `-1`, `-2` so every id in a page is unique.
    fn heading_id(&self, explicit: Option<&str>, title: &str) -> String {
        let base = match explicit {
            Some(id) if !id.trim().is_empty() => id.trim().to_string(),
            _ => {
                let s = crate::base::slug::slugify(title);
                if s.is_empty() {
                    "section".to_string()
                } else {
                    s
                }
            }
        };
        let taken = |id: &str| self.headings.iter().any(|h| h.id == id);
        if !taken(&base) {
            return base;
        }
        (1..)
            .map(|n| format!("{base}-{n}"))
            .find(|c| !taken(c))
            .unwrap_or(base)
    }

    fn code_block(
        &mut self,
        info: &str,
        code: &str,
        span: Range<usize>,
        opts: &mut Options,
    ) -> String {
        let lang = info.split_whitespace().next().unwrap_or("");
        if matches!(lang, "table" | "chart") {
            if let Some(cb) = opts.data_block.as_mut() {
                let block = DataBlock {
                    info,
                    body: code,
                    span,
                };
                if let Some(html) = cb(&block) {
                    return html;
                }
            }
        }
        let lang_attr = if lang.is_empty() {
            String::new()
        } else {
            format!(" data-lang=\"{}\"", escape(lang))
        };
        let body = if lang.is_empty() {
            None
        } else {
            highlight(lang, code)
        };
        let body = body.unwrap_or_else(|| escape(code));
        format!("<pre class=\"code\"{lang_attr}><code>{body}</code></pre>\n")
    }
}

fn heading_level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn is_block(tag: &Tag) -> bool {
    !matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

fn is_block_end(tag: TagEnd) -> bool {
    !matches!(
        tag,
        TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::Link
            | TagEnd::Image
    )
}

/// Index of the `End` matching the `Start` at `start` (or the last event if the
/// stream is unbalanced, which pulldown-cmark never produces).
fn find_end(events: &[(Event, Range<usize>)], start: usize) -> usize {
    let mut depth = 0usize;
    for (j, (e, _)) in events.iter().enumerate().skip(start) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return j;
                }
            }
            _ => {}
        }
    }
    events.len().saturating_sub(1)
}

/// The text of inline events as a reader sees it: without the text inside a raw
/// `<script>…</script>` (or another element the sanitiser drops whole).
fn visible_text(events: &[(Event, Range<usize>)]) -> String {
    let mut hidden: Option<String> = None;
    let mut out = String::new();
    for (e, _) in events {
        match e {
            Event::Text(t) | Event::Code(t) if hidden.is_none() => out.push_str(t),
            Event::InlineHtml(h) => hide_dropped_text(&mut hidden, h),
            _ => {}
        }
    }
    out
}

/// Follows one inline raw tag: `hidden` names the dropped-whole element the text is
/// in, from its start tag to its end tag.
fn hide_dropped_text(hidden: &mut Option<String>, tag: &str) {
    match crate::markdown::sanitize::tag_of(tag) {
        Some((name, false))
            if hidden.is_none() && crate::markdown::sanitize::drops_content(&name) =>
        {
            *hidden = Some(name);
        }
        Some((name, true)) if hidden.as_deref() == Some(name.as_str()) => *hidden = None,
        _ => {}
    }
}

fn last_char(s: &str) -> Option<char> {
    s.chars().next_back()
}

/// The first character the reader will see after a soft break, looking through
/// inline markup (`**`, links) but not past the end of the block.
fn next_text_char(rest: &[(Event, Range<usize>)]) -> Option<char> {
    for (e, _) in rest {
        match e {
            Event::Text(t) | Event::Code(t) => return t.chars().next(),
            Event::Start(tag) if !is_block(tag) => continue,
            Event::End(tag) if !is_block_end(*tag) => continue,
            _ => return None,
        }
    }
    None
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Highlights `code` with CSS classes (`hl-…`), or `None` for an unknown language.
/// The syntax set is loaded once, and only by a page that has fenced code.
fn highlight(lang: &str, code: &str) -> Option<String> {
    use syntect::html::{ClassStyle, ClassedHTMLGenerator};
    use syntect::parsing::SyntaxSet;
    use syntect::util::LinesWithEndings;
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    let ss = SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines);
    let syntax = ss.find_syntax_by_token(lang)?;
    let mut gen = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        ss,
        ClassStyle::SpacedPrefixed { prefix: "hl-" },
    );
    for line in LinesWithEndings::from(code) {
        gen.parse_html_for_line_which_includes_newline(line).ok()?;
    }
    Some(gen.finalize())
}

/// One `*` run found in literal text, a candidate emphasis delimiter.
struct Run {
    /// Index of the event holding it, and its byte range inside that event's text.
    event: usize,
    at: Range<usize>,
    len: usize,
    can_open: bool,
    can_close: bool,
    /// The inline scope (paragraph, or a link/emphasis inside it) it sits in.
    scope: usize,
}

/// CommonMark refuses `开展**“百日攻坚”**行动`: a `**` between a letter and
/// punctuation is not left-flanking. pulldown-cmark leaves such runs as literal text.
/// This pass pairs them again with a relaxed rule (open: not followed by whitespace;
/// close: not preceded by whitespace), applied only to runs touching a CJK character,
/// so ordinary text such as `2 * 3 * 4` keeps its meaning. Pairs form only within one
/// inline scope, the nearest opener of the same length winning, so the result nests.
fn recover_cjk_emphasis<'a>(
    body: &'a str,
    events: Vec<(Event<'a>, Range<usize>)>,
) -> Vec<(Event<'a>, Range<usize>)> {
    if !body.contains('*') {
        return events;
    }
    let events = merge_literal_text(body, events);
    let mut runs: Vec<Run> = Vec::new();
    let mut scope_stack: Vec<usize> = vec![0];
    let mut next_scope = 1;
    for (idx, (ev, range)) in events.iter().enumerate() {
        match ev {
            Event::Start(tag) => {
                scope_stack.push(next_scope);
                next_scope += 1;
                let _ = tag;
            }
            Event::End(_) => {
                scope_stack.pop();
                if scope_stack.is_empty() {
                    scope_stack.push(0);
                }
            }
            Event::Text(t) => {
                // Only literal text: an escaped `\*` or an entity never differs from
                // its source by accident, so comparing with the source is exact.
                if body.get(range.clone()) != Some(t.as_ref()) {
                    continue;
                }
                let bytes = t.as_bytes();
                let mut k = 0;
                while k < bytes.len() {
                    if bytes[k] != b'*' {
                        k += 1;
                        continue;
                    }
                    let start = k;
                    while k < bytes.len() && bytes[k] == b'*' {
                        k += 1;
                    }
                    let len = k - start;
                    let src_start = range.start + start;
                    let src_end = range.start + k;
                    let prev = body[..src_start].chars().next_back();
                    let next = body[src_end..].chars().next();
                    let touches_cjk = prev.is_some_and(is_cjk) || next.is_some_and(is_cjk);
                    if len > 3 || !touches_cjk {
                        continue;
                    }
                    runs.push(Run {
                        event: idx,
                        at: start..k,
                        len,
                        can_open: next.is_some_and(|c| !c.is_whitespace()),
                        can_close: prev.is_some_and(|c| !c.is_whitespace()),
                        scope: *scope_stack.last().unwrap_or(&0),
                    });
                }
            }
            _ => {}
        }
    }
    if runs.is_empty() {
        return events;
    }
    // Pair runs: a closer takes the nearest open run of the same length and scope.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for (ri, run) in runs.iter().enumerate() {
        if run.can_close {
            if let Some(pos) = open
                .iter()
                .rposition(|&o| runs[o].len == run.len && runs[o].scope == run.scope)
            {
                let o = open[pos];
                open.truncate(pos);
                pairs.push((o, ri));
                continue;
            }
        }
        if run.can_open {
            open.push(ri);
        }
    }
    if pairs.is_empty() {
        return events;
    }
    // Each matched run becomes tags; the text around it stays text.
    let mut role: Vec<Option<bool>> = vec![None; runs.len()]; // Some(true) opener, Some(false) closer
    for &(o, c) in &pairs {
        role[o] = Some(true);
        role[c] = Some(false);
    }
    let mut by_event: Vec<Vec<usize>> = vec![Vec::new(); events.len()];
    for (ri, run) in runs.iter().enumerate() {
        if role[ri].is_some() {
            by_event[run.event].push(ri);
        }
    }
    let mut out = Vec::with_capacity(events.len() + pairs.len() * 4);
    for (idx, (ev, range)) in events.into_iter().enumerate() {
        if by_event[idx].is_empty() {
            out.push((ev, range));
            continue;
        }
        let Event::Text(t) = ev else {
            out.push((ev, range));
            continue;
        };
        let mut pos = 0;
        for &ri in &by_event[idx] {
            let run = &runs[ri];
            if run.at.start > pos {
                let piece = t[pos..run.at.start].to_string();
                out.push((
                    Event::Text(CowStr::from(piece)),
                    range.start + pos..range.start + run.at.start,
                ));
            }
            let span = range.start + run.at.start..range.start + run.at.end;
            let tags: &[(Tag<'a>, TagEnd)] = match run.len {
                1 => &[(Tag::Emphasis, TagEnd::Emphasis)],
                2 => &[(Tag::Strong, TagEnd::Strong)],
                _ => &[
                    (Tag::Emphasis, TagEnd::Emphasis),
                    (Tag::Strong, TagEnd::Strong),
                ],
            };
            if role[ri] == Some(true) {
                for (tag, _) in tags {
                    out.push((Event::Start(tag.clone()), span.clone()));
                }
            } else {
                for (_, end) in tags.iter().rev() {
                    out.push((Event::End(*end), span.clone()));
                }
            }
            pos = run.at.end;
        }
        if pos < t.len() {
            let piece = t[pos..].to_string();
            out.push((
                Event::Text(CowStr::from(piece)),
                range.start + pos..range.end,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md(src: &str) -> Rendered {
        let mut keep = |_: &LinkRef| None;
        let settings = Settings::default();
        let mut opts = Options {
            resolve_link: &mut keep,
            data_block: None,
            settings: &settings,
            site_host: "x.gov.cn",
        };
        render(src, &mut opts)
    }

    fn html(src: &str) -> String {
        md(src).html
    }

    #[test]
    fn soft_break_between_chinese_is_dropped() {
        assert_eq!(html("第一行\n第二行"), "<p>第一行第二行</p>\n");
        assert_eq!(html("安全。\n注意"), "<p>安全。注意</p>\n");
        assert_eq!(html("word\n第二行"), "<p>word\n第二行</p>\n");
        assert_eq!(html("第一行\nword"), "<p>第一行\nword</p>\n");
        assert_eq!(html("等级高。\nXX市发布"), "<p>等级高。XX市发布</p>\n");
        assert_eq!(
            html("拨打119\n（免费）"),
            "<p>拨打<a href=\"tel:119\" class=\"phone\">119</a>（免费）</p>\n"
        );
        assert_eq!(
            html("要做好\n**防汛**准备"),
            "<p>要做好<strong>防汛</strong>准备</p>\n"
        );
        assert_eq!(md("第一行\n第二行").text, "第一行第二行\n");
    }

    #[test]
    fn emphasis_touching_chinese_punctuation_is_recovered() {
        assert_eq!(
            html("开展**“百日攻坚”**行动"),
            "<p>开展<strong>“百日攻坚”</strong>行动</p>\n"
        );
        assert_eq!(
            html("**“安全”**第一"),
            "<p><strong>“安全”</strong>第一</p>\n"
        );
        assert_eq!(html("*“注意”*事项"), "<p><em>“注意”</em>事项</p>\n");
        assert_eq!(
            html("开展***“攻坚”***行动"),
            "<p>开展<em><strong>“攻坚”</strong></em>行动</p>\n"
        );
        assert_eq!(
            html("开展**“`x`”**行动"),
            "<p>开展<strong>“<code>x</code>”</strong>行动</p>\n"
        );
    }

    #[test]
    fn ordinary_asterisks_are_untouched() {
        assert_eq!(html("a ** b"), "<p>a ** b</p>\n");
        assert_eq!(html("2 * 3 * 4"), "<p>2 * 3 * 4</p>\n");
        assert_eq!(html("\\*\\*“x”\\*\\*"), "<p>**“x”**</p>\n");
        assert_eq!(html("**安全**"), "<p><strong>安全</strong></p>\n");
        assert_eq!(html("单个*星号"), "<p>单个*星号</p>\n");
    }

    #[test]
    fn headings_get_unique_pinyin_ids() {
        let r = md("## 防御指南\n\n## 防御指南\n\n## Custom {#mine}\n\n## ！！\n");
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            ["fang-yu-zhi-nan", "fang-yu-zhi-nan-1", "mine", "section"]
        );
        assert!(
            r.html.contains("<h2 id=\"fang-yu-zhi-nan\">防御指南</h2>"),
            "{}",
            r.html
        );
        assert_eq!(r.headings[0].level, 2);
    }

    #[test]
    fn links_are_resolved_with_their_source_span() {
        let src = "见[统计](@/a.md)和![图](p.png)。";
        let mut seen = Vec::new();
        let mut resolve = |l: &LinkRef| {
            seen.push((l.dest.to_string(), l.span.clone(), l.is_image));
            (l.dest == "@/a.md").then(|| "/a/".to_string())
        };
        let settings = Settings::default();
        let mut opts = Options {
            resolve_link: &mut resolve,
            data_block: None,
            settings: &settings,
            site_host: "x.gov.cn",
        };
        let r = render(src, &mut opts);
        assert!(r.html.contains("<a href=\"/a/\">统计</a>"), "{}", r.html);
        assert!(r.html.contains("src=\"p.png\""), "{}", r.html);
        assert_eq!(&src[seen[0].1.clone()], "[统计](@/a.md)");
        assert_eq!(&src[seen[1].1.clone()], "![图](p.png)");
        assert!(seen[1].2);
    }

    #[test]
    fn code_is_highlighted_with_classes() {
        let r = md("```rust\nlet title = \"防汛\";\n```\n");
        assert!(
            r.html
                .starts_with("<pre class=\"code\" data-lang=\"rust\"><code>"),
            "{}",
            r.html
        );
        assert!(r.html.contains("class=\"hl-"), "{}", r.html);
        assert!(!r.html.contains("style="), "{}", r.html);
        let plain = html("```nosuchlang\n<b>\n```\n");
        assert_eq!(
            plain,
            "<pre class=\"code\" data-lang=\"nosuchlang\"><code>&lt;b&gt;\n</code></pre>\n"
        );
        assert_eq!(
            html("```\nx\n```\n"),
            "<pre class=\"code\"><code>x\n</code></pre>\n"
        );
    }

    #[test]
    fn data_blocks_go_to_the_callback() {
        let src = "前\n\n```table src=a.csv\n```\n\n后";
        let mut keep = |_: &LinkRef| None;
        let mut seen = String::new();
        let mut data = |b: &DataBlock| {
            seen = b.info.to_string();
            Some("<table></table>".to_string())
        };
        let settings = Settings::default();
        let mut opts = Options {
            resolve_link: &mut keep,
            data_block: Some(&mut data),
            settings: &settings,
            site_host: "x.gov.cn",
        };
        let r = render(src, &mut opts);
        assert_eq!(seen, "table src=a.csv");
        assert!(
            r.html.contains("<table></table>") && !r.html.contains("<pre"),
            "{}",
            r.html
        );
    }

    #[test]
    fn a_more_line_stays_a_comment_without_a_warning() {
        let r = md("摘要。\n\n<!-- more -->\n\n正文。");
        assert!(r.html.contains("<!-- more -->") && r.html.contains("正文。"));
        assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    }

    #[test]
    fn template_syntax_is_plain_text() {
        assert_eq!(
            html("{{ site.title }} {% raw %}"),
            "<p>{{ site.title }} {% raw %}</p>\n"
        );
    }

    #[test]
    fn gfm_features() {
        let h = html(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] 完成\n\n~~删~~\n\n注[^1]\n\n[^1]: 脚注。\n",
        );
        for needle in ["<table>", "checkbox", "<del>删</del>", "脚注。"] {
            assert!(h.contains(needle), "{needle}: {h}");
        }
    }

    #[test]
    fn pasted_word_text() {
        assert_eq!(
            html("\t第一段。\n\n    第二段，\n    第三段。\n"),
            "<p>第一段。</p>\n<p>第二段，</p>\n<p>第三段。</p>\n"
        );
        let h = html("项目\t数量\n隐患\t207\n");
        assert!(
            h.contains("<th>项目</th>") && h.contains("<td>207</td>"),
            "{h}"
        );
        let h = html("\t项目\t数量\n\t隐患\t207\n");
        assert!(
            h.contains("<th>项目</th>") && h.contains("<td>207</td>"),
            "{h}"
        );
        let r = md("项目\t数量\n隐患\t207\t多余\n");
        assert!(!r.html.contains("<table>"), "{}", r.html);
        assert_eq!(r.diagnostics.len(), 1);
        let r = md("地质\u{200b}灾害\u{a0}预警`a\u{a0}b`\n\n```\nx\u{200b}y\n```\n");
        assert!(r.text.starts_with("地质灾害 预警"), "{}", r.text);
        assert!(r.html.contains("<code>a\u{a0}b</code>"), "{}", r.html);
        assert!(r.html.contains("x\u{200b}y"), "{}", r.html);
        let h = html("![河道](河道 巡查 照片.jpg)和[附件](通知 2024.pdf)。");
        // pulldown-cmark percent-encodes destinations, so the spaces work in a URL.
        let src = "%E6%B2%B3%E9%81%93%20%E5%B7%A1%E6%9F%A5%20%E7%85%A7%E7%89%87.jpg";
        assert!(h.contains(&format!("src=\"{src}\" alt=\"河道\"")), "{h}");
        assert!(
            h.contains("<a href=\"%E9%80%9A%E7%9F%A5%202024.pdf\">附件</a>"),
            "{h}"
        );
    }

    #[test]
    fn nasty_input_never_panics() {
        let deep = "- ".repeat(200) + "x";
        let stars = "*".repeat(10_000);
        let mixed = "开展**“".repeat(5_000);
        let inputs = [
            "",
            "*",
            "**",
            "***",
            "```",
            "```rust\nfn",
            "# {#}",
            "[x](",
            "![",
            "\0\0",
            "a\r\nb\r\n",
            "**“x",
            "“x”**",
            "<!-- more -->",
            "> - [ ] **“a”**\n>   b",
            "|a|\n|-|\n|**“b”**|",
            "    ",
            "\t\n\t\t\n    a\tb\n\tc",
            "> \ta\tb\n> c\td",
            "- x\n\n      \ty\n      z\tw",
            "![](a b)![](",
            "[](a b.c)](x y.z)",
            "!![x](a b.jpg)",
            "\u{200b}\u{a0}\u{200d}",
            "0851-\n119-",
            "a\tb\n`c`\td",
        ];
        for s in inputs
            .iter()
            .copied()
            .chain([deep.as_str(), stars.as_str(), mixed.as_str()])
        {
            let _ = md(s);
        }
    }
}
