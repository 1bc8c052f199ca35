//! `anxuan import` of a `.docx` (Word, WPS): the file's bytes (a zip of XML parts,
//! read with `zip`, parsed with `roxmltree`) into a page. Styles are matched by
//! their *name* (`heading 1`, `标题 1`, `Title`) or outline level, never by their id,
//! which Chinese Word and WPS write as `1`, `2`; a heading-styled paragraph stays a
//! heading when it carries numbering (WPS writes it on every heading), and the
//! number Word shows is put before its text. Hand-typed 公文 levels in 正文 go through
//! the same rules as `.txt` (`rules`). Bold and italic, lists from numbering.xml
//! (bullet or numbered, nested by level), footnotes and endnotes as Markdown
//! footnotes, tables as GFM tables, pictures as files beside the page with their
//! alternative text. Headers, footers, page breaks, field instructions, deleted text,
//! comments and hidden text are left out; field results and inserted text are kept.
//!
//! It is a pure function of the bytes: it never reads or writes a file, and never
//! panics on a broken document (it says what is wrong instead).

use std::collections::HashMap;
use std::io::{Cursor, Read};

use roxmltree::{Document, Node};

use super::rules::{self, escape, Block, Converted, Image, Outline};
use crate::base::diagnostic::Text;
use crate::text;

const W: [&str; 2] = [
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
];
const R: [&str; 2] = [
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
];

/// The most a part may hold once inflated: a document's XML is a few MB, a photo
/// tens; a zip bomb stops here.
const MAX_PART: u64 = 256 << 20;

/// Whether `n` is the WordprocessingML element `name`.
fn is_w(n: Node, name: &str) -> bool {
    n.is_element()
        && n.tag_name().name() == name
        && n.tag_name().namespace().is_some_and(|ns| W.contains(&ns))
}

/// A `w:` attribute.
fn w_attr<'a>(n: Node<'a, '_>, name: &str) -> Option<&'a str> {
    W.iter().find_map(|ns| n.attribute((*ns, name)))
}

/// An `r:` attribute (a relationship id).
fn r_attr<'a>(n: Node<'a, '_>, name: &str) -> Option<&'a str> {
    R.iter().find_map(|ns| n.attribute((*ns, name)))
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| is_w(*c, name))
}

/// `w:val` of the child `name`.
fn child_val<'a>(n: Node<'a, '_>, name: &str) -> Option<&'a str> {
    child(n, name).and_then(|c| w_attr(c, "val"))
}

/// A toggle property (`<w:b/>`, `<w:b w:val="0"/>`) of a `w:rPr`.
fn toggle(rpr: Option<Node>, name: &str) -> Option<bool> {
    let el = child(rpr?, name)?;
    Some(!matches!(
        w_attr(el, "val"),
        Some("0" | "false" | "off" | "none")
    ))
}

/// The zip, and the parts read from it.
struct Package {
    zip: zip::ZipArchive<Cursor<Vec<u8>>>,
}

impl Package {
    fn part(&mut self, name: &str) -> Option<Vec<u8>> {
        let name = name.trim_start_matches('/');
        let file = self.zip.by_name(name).ok()?;
        let mut bytes = Vec::new();
        file.take(MAX_PART).read_to_end(&mut bytes).ok()?;
        Some(bytes)
    }

    fn text(&mut self, name: &str) -> Option<String> {
        let bytes = self.part(name)?;
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        Some(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// A relationship of a part: its target in the package (or outside it).
struct Relation {
    kind: String,
    target: String,
    external: bool,
}

/// The relationships in a `.rels` part, by id; targets made absolute against `dir`.
fn relations(xml: Option<&str>, dir: &str) -> HashMap<String, Relation> {
    let mut map = HashMap::new();
    let Some(doc) = xml.and_then(|x| Document::parse(x).ok()) else {
        return map;
    };
    for r in doc
        .descendants()
        .filter(|n| n.tag_name().name() == "Relationship")
    {
        let (Some(id), Some(target)) = (r.attribute("Id"), r.attribute("Target")) else {
            continue;
        };
        let external = r.attribute("TargetMode") == Some("External");
        let target = if external {
            target.to_string()
        } else {
            resolve(dir, target)
        };
        let kind = r.attribute("Type").unwrap_or("");
        let kind = kind.rsplit('/').next().unwrap_or("").to_string();
        map.insert(
            id.to_string(),
            Relation {
                kind,
                target,
                external,
            },
        );
    }
    map
}

/// `media/image1.png` against `word`: `word/media/image1.png` (`..` and `/` handled).
fn resolve(dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// What a paragraph style makes of a paragraph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Title,
    /// Word's heading level, 1 for `heading 1`.
    Heading(usize),
    /// A table of contents line: Word makes it from the headings, so it is dropped.
    Contents,
    Body,
}

#[derive(Default)]
struct Style {
    name: String,
    based_on: Option<String>,
    outline: Option<usize>,
    num: Option<(Option<String>, Option<usize>)>,
    centred: Option<bool>,
    bold: Option<bool>,
    italic: Option<bool>,
}

/// styles.xml: every style by id.
#[derive(Default)]
struct Styles {
    by_id: HashMap<String, Style>,
    default_paragraph: Option<String>,
}

/// A paragraph's numbering: `w:numId` and `w:ilvl`.
fn num_pr(ppr: Option<Node>) -> Option<(Option<String>, Option<usize>)> {
    let num = child(ppr?, "numPr")?;
    Some((
        child_val(num, "numId").map(str::to_string),
        child_val(num, "ilvl").and_then(|v| v.parse().ok()),
    ))
}

fn outline_level(ppr: Option<Node>) -> Option<usize> {
    child_val(ppr?, "outlineLvl").and_then(|v| v.parse().ok())
}

fn centred(ppr: Option<Node>) -> Option<bool> {
    child_val(ppr?, "jc").map(|v| v == "center")
}

impl Styles {
    fn parse(xml: Option<&str>) -> Styles {
        let mut styles = Styles::default();
        let Some(doc) = xml.and_then(|x| Document::parse(x).ok()) else {
            return styles;
        };
        for s in doc.root_element().children().filter(|n| is_w(*n, "style")) {
            let Some(id) = w_attr(s, "styleId") else {
                continue;
            };
            let ppr = child(s, "pPr");
            let rpr = child(s, "rPr");
            if w_attr(s, "type") == Some("paragraph")
                && matches!(w_attr(s, "default"), Some("1" | "true"))
            {
                styles.default_paragraph = Some(id.to_string());
            }
            styles.by_id.insert(
                id.to_string(),
                Style {
                    name: child_val(s, "name").unwrap_or("").to_lowercase(),
                    based_on: child_val(s, "basedOn").map(str::to_string),
                    outline: outline_level(ppr),
                    num: num_pr(ppr),
                    centred: centred(ppr),
                    bold: toggle(rpr, "b"),
                    italic: toggle(rpr, "i"),
                },
            );
        }
        styles
    }

    /// The style and those it is based on, nearest first (a loop ends after 20).
    fn chain<'s>(&'s self, id: Option<&'s str>) -> impl Iterator<Item = &'s Style> + 's {
        let mut next = id;
        std::iter::from_fn(move || {
            let s = self.by_id.get(next?)?;
            next = s.based_on.as_deref();
            Some(s)
        })
        .take(20)
    }

    /// The role a style gives by its name (`heading 1`, `标题 1`, `title`, `标题`,
    /// `toc 1`) or outline level, the nearest style in the chain that says one.
    fn role(&self, id: Option<&str>) -> Role {
        for s in self.chain(id) {
            let name: String = s.name.chars().filter(|c| !c.is_whitespace()).collect();
            if name == "title" || name == "标题" {
                return Role::Title;
            }
            for prefix in ["heading", "标题"] {
                if let Some(n) = name.strip_prefix(prefix).and_then(|n| n.parse().ok()) {
                    if (1..=9).contains(&n) {
                        return Role::Heading(n);
                    }
                }
            }
            for prefix in ["toc", "目录"] {
                if name
                    .strip_prefix(prefix)
                    .is_some_and(|n| n.parse::<u8>().is_ok())
                {
                    return Role::Contents;
                }
            }
            if let Some(l) = s.outline.filter(|l| *l < 9) {
                return Role::Heading(l + 1);
            }
        }
        Role::Body
    }

    fn find<T>(&self, id: Option<&str>, f: impl Fn(&Style) -> Option<T>) -> Option<T> {
        self.chain(id).find_map(f)
    }
}

/// A level of a list in numbering.xml.
#[derive(Clone)]
struct Level {
    format: String,
    text: String,
    start: u32,
}

/// numbering.xml, and the counters of the lists met so far.
#[derive(Default)]
struct Numbering {
    /// `w:num` id → its abstract numbering's levels (with start overrides applied).
    lists: HashMap<String, Vec<Level>>,
    counters: HashMap<String, [Option<u32>; 9]>,
}

impl Numbering {
    fn parse(xml: Option<&str>) -> Numbering {
        let mut numbering = Numbering::default();
        let Some(doc) = xml.and_then(|x| Document::parse(x).ok()) else {
            return numbering;
        };
        let root = doc.root_element();
        let mut abstracts: HashMap<&str, Vec<Level>> = HashMap::new();
        for a in root.children().filter(|n| is_w(*n, "abstractNum")) {
            let Some(id) = w_attr(a, "abstractNumId") else {
                continue;
            };
            let mut levels = vec![
                Level {
                    format: "decimal".into(),
                    text: String::new(),
                    start: 1,
                };
                9
            ];
            for l in a.children().filter(|n| is_w(*n, "lvl")) {
                let Some(i) = w_attr(l, "ilvl").and_then(|v| v.parse::<usize>().ok()) else {
                    continue;
                };
                if let Some(level) = levels.get_mut(i) {
                    *level = Level {
                        format: child_val(l, "numFmt").unwrap_or("decimal").to_string(),
                        text: child_val(l, "lvlText").unwrap_or("").to_string(),
                        start: child_val(l, "start")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(1),
                    };
                }
            }
            abstracts.insert(id, levels);
        }
        for n in root.children().filter(|n| is_w(*n, "num")) {
            let (Some(id), Some(abs)) = (w_attr(n, "numId"), child_val(n, "abstractNumId")) else {
                continue;
            };
            let Some(mut levels) = abstracts.get(abs).cloned() else {
                continue;
            };
            for o in n.children().filter(|c| is_w(*c, "lvlOverride")) {
                let i = w_attr(o, "ilvl").and_then(|v| v.parse::<usize>().ok());
                let start = child_val(o, "startOverride").and_then(|v| v.parse().ok());
                if let (Some(i), Some(start)) = (i, start) {
                    if let Some(l) = levels.get_mut(i) {
                        l.start = start;
                    }
                }
            }
            numbering.lists.insert(id.to_string(), levels);
        }
        numbering
    }

    /// The next number of list `id` at `level`: its format and the label Word shows
    /// (`一、`, `（二）`, `3.`, a bullet's character).
    fn next(&mut self, id: &str, level: usize) -> Option<(String, String, u32)> {
        let levels = self.lists.get(id)?;
        let level = level.min(8);
        let counters = self.counters.entry(id.to_string()).or_default();
        let n = counters[level].map_or(levels[level].start, |n| n + 1);
        counters[level] = Some(n);
        for c in counters.iter_mut().skip(level + 1) {
            *c = None;
        }
        let this = &levels[level];
        let mut label = this.text.clone();
        for (i, l) in levels.iter().enumerate().take(level + 1) {
            let value = counters[i].unwrap_or(l.start);
            label = label.replace(&format!("%{}", i + 1), &number(value, &l.format));
        }
        Some((this.format.clone(), label, n))
    }
}

/// `n` in a numbering format Word offers.
fn number(n: u32, format: &str) -> String {
    const CN: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match format {
        f if f.starts_with("chinese") || f.starts_with("ideographDigital") => {
            if n < 10 {
                CN[n as usize].to_string()
            } else if n < 100 {
                let (t, o) = (n / 10, n % 10);
                format!(
                    "{}十{}",
                    if t == 1 { "" } else { CN[t as usize] },
                    if o == 0 { "" } else { CN[o as usize] }
                )
            } else {
                n.to_string()
            }
        }
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(0x2460 + n - 1).map_or(n.to_string(), String::from)
        }
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
            .collect(),
        "lowerLetter" | "upperLetter" if (1..=26).contains(&n) => {
            let c = (b'a' + (n - 1) as u8) as char;
            if format == "upperLetter" {
                c.to_ascii_uppercase().to_string()
            } else {
                c.to_string()
            }
        }
        "lowerRoman" | "upperRoman" if (1..40).contains(&n) => {
            let mut s = String::new();
            let mut n = n;
            for (v, r) in [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")] {
                while n >= v {
                    s.push_str(r);
                    n -= v;
                }
            }
            if format == "upperRoman" {
                s.to_uppercase()
            } else {
                s
            }
        }
        "none" => String::new(),
        _ => n.to_string(),
    }
}

/// A piece of a paragraph's text.
#[derive(Debug)]
enum Piece {
    Text {
        text: String,
        /// Bold or italic from the run itself or its character style; `None` when
        /// neither says (the paragraph's style decides, for the title).
        bold: Option<bool>,
        italic: Option<bool>,
    },
    /// Markdown made already: a picture, a footnote reference, a link.
    Markdown(String),
    /// A line break inside the paragraph (Shift+Enter).
    Break,
}

/// A field being read: its instruction, then its result.
enum Field {
    Instruction(String),
    Result { shown: bool },
}

/// Whether a field's result belongs on the page: a table of contents and page
/// numbers do not.
fn shown(instruction: &str) -> bool {
    let word = instruction
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    !matches!(
        word.as_str(),
        "TOC" | "PAGE" | "NUMPAGES" | "PAGEREF" | "SECTIONPAGES"
    )
}

/// A paragraph as read, before the outline rules.
struct Paragraph {
    role: Role,
    pieces: Vec<Piece>,
    centred: bool,
    /// The paragraph style's bold, for pieces that do not say.
    style_bold: bool,
    /// The numbering Word shows for it: format, label and number.
    number: Option<(String, String, u32)>,
    level: usize,
}

impl Paragraph {
    /// Its text without formatting, the indent removed.
    fn plain(&self) -> String {
        let mut s = String::new();
        for p in &self.pieces {
            match p {
                Piece::Text { text, .. } => s.push_str(text),
                Piece::Break => s.push(' '),
                Piece::Markdown(_) => {}
            }
        }
        rules::strip_indent(s.trim_end()).to_string()
    }

    /// Whether every word of it is bold (a title's mark when no style says).
    fn all_bold(&self) -> bool {
        let mut any = false;
        for p in &self.pieces {
            if let Piece::Text { text, bold, .. } = p {
                if text.trim().is_empty() {
                    continue;
                }
                if !bold.unwrap_or(self.style_bold) {
                    return false;
                }
                any = true;
            }
        }
        any
    }
}

/// The pieces as lines of Markdown inline text (a `Break` starts a new line), the
/// indent removed from each, bold as `**`, italic as `*`, with any space at an
/// emphasis' edge moved outside it (CommonMark refuses `** a**`). `emphasis` false
/// leaves the formatting out (a heading is bold already).
fn markdown_lines(pieces: &[Piece], emphasis: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut at_start = true;
    // Runs of text with the same formatting are joined before they are wrapped.
    let mut pending: Option<(String, bool, bool)> = None;
    for p in pieces {
        match p {
            Piece::Text { text, bold, italic } => {
                let (b, i) = (
                    emphasis && bold.unwrap_or(false),
                    emphasis && italic.unwrap_or(false),
                );
                match &mut pending {
                    Some((t, pb, pi)) if *pb == b && *pi == i => t.push_str(text),
                    _ => {
                        flush(&mut line, pending.take(), &mut at_start);
                        pending = Some((text.clone(), b, i));
                    }
                }
            }
            Piece::Markdown(md) => {
                flush(&mut line, pending.take(), &mut at_start);
                line.push_str(md);
                at_start = false;
            }
            Piece::Break => {
                flush(&mut line, pending.take(), &mut at_start);
                lines.push(std::mem::take(&mut line));
                at_start = true;
            }
        }
    }
    flush(&mut line, pending.take(), &mut at_start);
    lines.push(line);
    lines
        .into_iter()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Appends a run of text with one formatting to `line` (see `markdown_lines`).
fn flush(line: &mut String, run: Option<(String, bool, bool)>, at_start: &mut bool) {
    let Some((text, bold, italic)) = run else {
        return;
    };
    let text = if *at_start {
        rules::strip_indent(&text).to_string()
    } else {
        text
    };
    if text.is_empty() {
        return;
    }
    let core = text.trim();
    let lead = &text[..text.len() - text.trim_start().len()];
    let trail = &text[text.trim_end().len()..];
    let marker = match (bold, italic) {
        _ if core.is_empty() => "",
        (true, true) => "***",
        (true, false) => "**",
        (false, true) => "*",
        (false, false) => "",
    };
    let mut escaped = escape(core);
    if *at_start && lead.is_empty() && marker.is_empty() {
        escaped = rules::escape_start(&escaped);
    }
    line.push_str(lead);
    line.push_str(marker);
    line.push_str(&escaped);
    line.push_str(marker);
    line.push_str(trail);
    *at_start = false;
}

/// A body's item: a paragraph, or a table already made into Markdown.
enum Item {
    Paragraph(Paragraph),
    Table(String),
}

/// What reading the document needs and collects.
struct Reader<'a, 'i> {
    package: Package,
    styles: Styles,
    numbering: Numbering,
    relations: HashMap<String, Relation>,
    /// Footnotes and endnotes by (is an endnote, id).
    notes: HashMap<(bool, String), Node<'a, 'i>>,
    /// The notes referred to, in order: their number is their place + 1.
    referred: Vec<(bool, String)>,
    fields: Vec<Field>,
    images: Vec<Image>,
    /// A picture's part → the name it was written under.
    image_names: HashMap<String, String>,
    messages: Vec<Text>,
    /// How deep `inline` is: elements nested deeper than any editor writes are
    /// skipped, so a crafted file cannot overflow the stack.
    depth: usize,
}

impl<'a, 'i> Reader<'a, 'i> {
    /// Whether text read now is shown: not inside a field's instruction or a result
    /// left out.
    fn showing(&self) -> bool {
        self.fields.iter().all(|f| match f {
            Field::Instruction(_) => false,
            Field::Result { shown } => *shown,
        })
    }

    fn body(&mut self, parent: Node<'a, 'i>, items: &mut Vec<Item>) {
        if self.depth > 64 {
            return;
        }
        self.depth += 1;
        for n in parent.children().filter(Node::is_element) {
            if is_w(n, "p") {
                let p = self.paragraph(n);
                items.push(Item::Paragraph(p));
            } else if is_w(n, "tbl") {
                if let Some(t) = self.table(n) {
                    items.push(Item::Table(t));
                }
            } else if is_w(n, "sdt") || is_w(n, "customXml") {
                if let Some(content) = child(n, "sdtContent") {
                    self.body(content, items);
                } else {
                    self.body(n, items);
                }
            }
        }
        self.depth -= 1;
    }

    fn paragraph(&mut self, p: Node<'a, 'i>) -> Paragraph {
        let ppr = child(p, "pPr");
        let style = ppr
            .and_then(|ppr| child_val(ppr, "pStyle"))
            .map(str::to_string)
            .or_else(|| self.styles.default_paragraph.clone());
        let style = style.as_deref();
        let mut role = self.styles.role(style);
        if let Some(l) = outline_level(ppr).filter(|l| *l < 9) {
            if role == Role::Body {
                role = Role::Heading(l + 1);
            }
        }
        let (mut id, mut level) = num_pr(ppr).unwrap_or((None, None));
        if id.is_none() || level.is_none() {
            if let Some((sid, slevel)) = self.styles.find(style, |s| s.num.clone()) {
                id = id.or(sid);
                level = level.or(slevel);
            }
        }
        let level = level.unwrap_or(0);
        let number = id
            .filter(|id| id != "0")
            .and_then(|id| self.numbering.next(&id, level));
        let centred = centred(ppr)
            .or_else(|| self.styles.find(style, |s| s.centred))
            .unwrap_or(false);
        let style_bold = self.styles.find(style, |s| s.bold).unwrap_or(false);
        let mut pieces = Vec::new();
        self.inline(p, None, &mut pieces);
        // An instruction ends in its own paragraph (only a result, a table of
        // contents', runs on): one left open by a damaged file hides nothing more.
        for f in &mut self.fields {
            if let Field::Instruction(i) = f {
                *f = Field::Result { shown: shown(i) };
            }
        }
        Paragraph {
            role,
            pieces,
            centred,
            style_bold,
            number,
            level,
        }
    }

    /// The pieces inside `n`; `rpr` is the run's properties when inside a run.
    fn inline(&mut self, n: Node<'a, 'i>, rpr: Option<Node<'a, 'i>>, out: &mut Vec<Piece>) {
        if self.depth > 64 {
            return;
        }
        self.depth += 1;
        self.inline_children(n, rpr, out);
        self.depth -= 1;
    }

    fn inline_children(
        &mut self,
        n: Node<'a, 'i>,
        rpr: Option<Node<'a, 'i>>,
        out: &mut Vec<Piece>,
    ) {
        for c in n.children().filter(Node::is_element) {
            let name = c.tag_name().name();
            let ns = c.tag_name().namespace().unwrap_or("");
            if !W.contains(&ns) {
                if name == "AlternateContent" {
                    // The first choice a reader understands; its fallback repeats it.
                    let choice = c
                        .children()
                        .find(|x| x.tag_name().name() == "Choice")
                        .or_else(|| c.children().find(|x| x.tag_name().name() == "Fallback"));
                    if let Some(choice) = choice {
                        self.inline(choice, rpr, out);
                    }
                } else if name == "imagedata" {
                    if let Some(id) = r_attr(c, "id") {
                        let alt = c.attribute("title").unwrap_or("");
                        self.picture(id, alt, out);
                    }
                } else {
                    self.inline(c, rpr, out);
                }
                continue;
            }
            match name {
                "pPr"
                | "rPr"
                | "del"
                | "moveFrom"
                | "delText"
                | "rt"
                | "commentReference"
                | "annotationRef"
                | "footnoteRef"
                | "endnoteRef"
                | "separator"
                | "continuationSeparator" => {}
                "r" => {
                    let r = child(c, "rPr");
                    self.inline(c, r, out);
                }
                "t" => {
                    // Hidden text (Word's 隐藏文字) is not what the clerk sees printed.
                    if self.showing() && toggle(rpr, "vanish") != Some(true) {
                        let text = c.text().unwrap_or("");
                        let (bold, italic) = self.run_format(rpr);
                        out.push(Piece::Text {
                            text: text.to_string(),
                            bold,
                            italic,
                        });
                    }
                }
                "tab" | "ptab" => {
                    if self.showing() {
                        out.push(Piece::Text {
                            text: " ".into(),
                            bold: None,
                            italic: None,
                        });
                    }
                }
                "noBreakHyphen" => out.push(Piece::Text {
                    text: "-".into(),
                    bold: None,
                    italic: None,
                }),
                "br" | "cr" => {
                    // A page or column break is layout; a line break is a new line.
                    if !matches!(w_attr(c, "type"), Some("page" | "column")) && self.showing() {
                        out.push(Piece::Break);
                    }
                }
                "fldChar" => match w_attr(c, "fldCharType") {
                    Some("begin") => self.fields.push(Field::Instruction(String::new())),
                    Some("separate") => {
                        if let Some(f) = self.fields.last_mut() {
                            if let Field::Instruction(i) = f {
                                *f = Field::Result { shown: shown(i) };
                            }
                        }
                    }
                    Some("end") => {
                        self.fields.pop();
                    }
                    _ => {}
                },
                "instrText" => {
                    if let Some(Field::Instruction(i)) = self.fields.last_mut() {
                        i.push_str(c.text().unwrap_or(""));
                    }
                }
                "fldSimple" => {
                    if shown(w_attr(c, "instr").unwrap_or("")) {
                        self.inline(c, rpr, out);
                    }
                }
                "footnoteReference" | "endnoteReference" => {
                    let endnote = name == "endnoteReference";
                    if let Some(id) = w_attr(c, "id") {
                        let key = (endnote, id.to_string());
                        if self.notes.contains_key(&key) {
                            let n = match self.referred.iter().position(|k| *k == key) {
                                Some(at) => at + 1,
                                None => {
                                    self.referred.push(key);
                                    self.referred.len()
                                }
                            };
                            out.push(Piece::Markdown(format!("[^{n}]")));
                        }
                    }
                }
                "drawing" => self.drawing(c, out),
                "hyperlink" => {
                    let mut inner = Vec::new();
                    self.inline(c, rpr, &mut inner);
                    let url = r_attr(c, "id")
                        .and_then(|id| self.relations.get(id))
                        .filter(|r| r.external)
                        .map(|r| r.target.clone())
                        .filter(|u| u.starts_with("http://") || u.starts_with("https://"));
                    match url {
                        Some(url) if !inner.is_empty() => {
                            let text = markdown_lines(&inner, true).join(" ");
                            let url = url.replace(['<', '>', ' '], "");
                            out.push(Piece::Markdown(format!("[{text}](<{url}>)")));
                        }
                        _ => out.extend(inner),
                    }
                }
                _ => self.inline(c, rpr, out),
            }
        }
    }

    /// Bold and italic of a run: its own properties, then its character style.
    fn run_format(&self, rpr: Option<Node>) -> (Option<bool>, Option<bool>) {
        let style = rpr.and_then(|r| child_val(r, "rStyle"));
        let bold = toggle(rpr, "b").or_else(|| self.styles.find(style, |s| s.bold));
        let italic = toggle(rpr, "i").or_else(|| self.styles.find(style, |s| s.italic));
        (bold, italic)
    }

    /// A `w:drawing`: its picture (`a:blip r:embed`) with `wp:docPr`'s description
    /// as the alternative text, and the text of a text box.
    fn drawing(&mut self, d: Node<'a, 'i>, out: &mut Vec<Piece>) {
        let alt = d
            .descendants()
            .find(|n| n.tag_name().name() == "docPr")
            .and_then(|n| {
                n.attribute("descr")
                    .filter(|s| !s.trim().is_empty())
                    .or_else(|| n.attribute("title"))
            })
            .unwrap_or("");
        for blip in d.descendants().filter(|n| n.tag_name().name() == "blip") {
            if let Some(id) = r_attr(blip, "embed").or_else(|| r_attr(blip, "link")) {
                self.picture(id, alt, out);
            }
        }
        for text_box in d.descendants().filter(|n| is_w(*n, "txbxContent")) {
            for p in text_box.children().filter(|n| is_w(*n, "p")) {
                out.push(Piece::Break);
                self.inline(p, None, out);
            }
            out.push(Piece::Break);
        }
    }

    /// The picture of relationship `id`, written beside the page under a safe name
    /// (once, however often it is shown), as `![alt](name)`.
    fn picture(&mut self, id: &str, alt: &str, out: &mut Vec<Piece>) {
        let Some(rel) = self.relations.get(id) else {
            return;
        };
        if rel.external {
            self.messages.push(text!(
                zh: "文档里有一张链接到外部的图片（{}），没有导入：请把图片文件放进页面文件夹再插入",
                en: "a picture linked from outside the document ({}) was not imported: put the picture file in the page's folder and add it",
                rel.target
            ));
            return;
        }
        let target = rel.target.clone();
        let name = match self.image_names.get(&target) {
            Some(name) => name.clone(),
            None => {
                let ext = target
                    .rsplit_once('.')
                    .map(|(_, e)| e.to_ascii_lowercase())
                    .unwrap_or_default();
                let ext = match ext.as_str() {
                    "jpg" | "jpeg" | "jpe" => "jpg",
                    "png" => "png",
                    "gif" => "gif",
                    "webp" => "webp",
                    _ => {
                        self.messages.push(text!(
                            zh: "文档里的图片 {} 是网页不能显示的格式（.{}），没有导入：在 Word 或 WPS 里把它另存为 JPEG 或 PNG 图片，放进页面文件夹再插入",
                            en: "the picture {} of the document is in a format web pages cannot show (.{}) and was not imported: save it as a JPEG or PNG picture from Word or WPS, put it in the page's folder and add it",
                            target, ext
                        ));
                        return;
                    }
                };
                let Some(bytes) = self.package.part(&target) else {
                    return;
                };
                let name = format!("image-{}.{ext}", self.images.len() + 1);
                self.images.push(Image {
                    name: name.clone(),
                    bytes,
                });
                self.image_names.insert(target, name.clone());
                name
            }
        };
        let alt: String = alt
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .flat_map(|c| {
                let esc = matches!(c, '[' | ']' | '\\').then_some('\\');
                esc.into_iter().chain([c])
            })
            .collect();
        out.push(Piece::Markdown(format!("![{alt}]({name})")));
    }

    /// A table as a GFM table: each cell's paragraphs joined, `|` escaped, a cell
    /// merged across columns followed by empty cells, one merged down rows empty
    /// below its first.
    fn table(&mut self, t: Node<'a, 'i>) -> Option<String> {
        let mut rows: Vec<Vec<String>> = Vec::new();
        for tr in t.descendants().filter(|n| is_w(*n, "tr")) {
            // Only this table's rows, not a nested table's.
            if tr.ancestors().find(|a| is_w(*a, "tbl")) != Some(t) {
                continue;
            }
            let mut row = Vec::new();
            let before = child(tr, "trPr")
                .and_then(|p| child_val(p, "gridBefore"))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            row.extend(std::iter::repeat_n(String::new(), before.min(64)));
            for tc in tr
                .descendants()
                .filter(|n| is_w(*n, "tc"))
                .filter(|tc| tc.ancestors().find(|a| is_w(*a, "tr")) == Some(tr))
            {
                let pr = child(tc, "tcPr");
                let span = pr
                    .and_then(|p| child_val(p, "gridSpan"))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, 64);
                let continued = pr
                    .and_then(|p| child(p, "vMerge"))
                    .is_some_and(|m| w_attr(m, "val") != Some("restart"));
                let text = if continued {
                    String::new()
                } else {
                    self.cell_text(tc)
                };
                row.push(text);
                row.extend(std::iter::repeat_n(String::new(), span - 1));
            }
            rows.push(row);
        }
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        if columns == 0 {
            return None;
        }
        let line = |cells: &[String]| {
            let mut s = String::from("|");
            for i in 0..columns {
                let cell = cells.get(i).map_or("", String::as_str);
                s.push(' ');
                s.push_str(cell);
                s.push_str(if cell.is_empty() { "|" } else { " |" });
            }
            s
        };
        let mut out = vec![line(&rows[0])];
        out.push(format!("|{}", " --- |".repeat(columns)));
        out.extend(rows[1..].iter().map(|r| line(r)));
        Some(out.join("\n"))
    }

    /// A cell's paragraphs (and nested tables' cells) as one line.
    fn cell_text(&mut self, tc: Node<'a, 'i>) -> String {
        let mut parts = Vec::new();
        for p in tc.descendants().filter(|n| is_w(*n, "p")).filter(|p| {
            p.ancestors()
                .find(|a| is_w(*a, "p"))
                .is_none_or(|a| a == *p)
        }) {
            let para = self.paragraph(p);
            let mut lines = markdown_lines(&para.pieces, true);
            if let Some((format, label, _)) = &para.number {
                if format != "bullet" && !label.is_empty() {
                    if let Some(first) = lines.first_mut() {
                        *first = format!("{}{first}", escape(label));
                    }
                }
            }
            parts.extend(lines);
        }
        parts.join(" ").replace('|', "\\|")
    }

    /// A footnote's paragraphs as one line.
    fn note_text(&mut self, key: &(bool, String)) -> String {
        let Some(note) = self.notes.get(key).copied() else {
            return String::new();
        };
        let mut parts = Vec::new();
        for p in note.children().filter(|n| is_w(*n, "p")) {
            let para = self.paragraph(p);
            parts.extend(markdown_lines(&para.pieces, true));
        }
        parts.join(" ")
    }
}

/// The `.docx` file's bytes as a page: see the module's comment.
pub fn convert_docx(bytes: &[u8]) -> Result<Converted, Text> {
    let zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).map_err(|e| {
        text!(
            zh: "这不是一个能读的 Word 文档（.docx）：{}；如果它是 .doc 或 .wps 改了扩展名，请在 Word 或 WPS 里另存为 .docx",
            en: "this is not a Word document (.docx) that can be read: {}; if it is a .doc or .wps renamed, save it as .docx from Word or WPS",
            e
        )
    })?;
    let mut package = Package { zip };
    // The main part, as the package's relationships name it.
    let root_rels = package.text("_rels/.rels");
    let main = relations(root_rels.as_deref(), "")
        .into_values()
        .find(|r| r.kind == "officeDocument" && !r.external)
        .map_or("word/document.xml".to_string(), |r| r.target);
    let dir = main.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let file = main.rsplit('/').next().unwrap_or("document.xml");
    let Some(document) = package.text(&main) else {
        return Err(text!(
            zh: "这个 .docx 里没有正文（{}）：文件可能已损坏；请在 Word 或 WPS 里打开后重新保存",
            en: "this .docx has no document body ({}): the file may be damaged; open it in Word or WPS and save it again",
            main
        ));
    };
    let rels_xml = package.text(&format!("{dir}/_rels/{file}.rels"));
    let relations = relations(rels_xml.as_deref(), &dir);
    let part_of = |kind: &str| {
        relations
            .values()
            .find(|r| r.kind == kind && !r.external)
            .map(|r| r.target.clone())
    };
    let (styles_at, numbering_at, footnotes_at, endnotes_at) = (
        part_of("styles"),
        part_of("numbering"),
        part_of("footnotes"),
        part_of("endnotes"),
    );
    let mut read = |at: Option<String>| at.and_then(|at| package.text(&at));
    let styles = Styles::parse(read(styles_at).as_deref());
    let numbering = Numbering::parse(read(numbering_at).as_deref());
    let footnotes = read(footnotes_at);
    let endnotes = read(endnotes_at);
    let doc = parse(&document)?;
    let footnotes = footnotes.as_deref().map(parse).transpose()?;
    let endnotes = endnotes.as_deref().map(parse).transpose()?;
    let mut notes = HashMap::new();
    for (endnote, d) in [(false, &footnotes), (true, &endnotes)] {
        let Some(d) = d else { continue };
        for n in d
            .root_element()
            .children()
            .filter(|n| is_w(*n, "footnote") || is_w(*n, "endnote"))
        {
            if w_attr(n, "type").is_some_and(|t| t != "normal") {
                continue;
            }
            if let Some(id) = w_attr(n, "id") {
                notes.insert((endnote, id.to_string()), n);
            }
        }
    }
    let mut reader = Reader {
        package,
        styles,
        numbering,
        relations,
        notes,
        referred: Vec::new(),
        fields: Vec::new(),
        images: Vec::new(),
        image_names: HashMap::new(),
        messages: Vec::new(),
        depth: 0,
    };
    let Some(body) = child(doc.root_element(), "body") else {
        return Err(text!(
            zh: "这个 .docx 里没有正文：文件可能已损坏；请在 Word 或 WPS 里打开后重新保存",
            en: "this .docx has no document body: the file may be damaged; open it in Word or WPS and save it again"
        ));
    };
    let mut items = Vec::new();
    reader.body(body, &mut items);
    let converted = page(&mut reader, items);
    Ok(converted)
}

/// How deeply the elements of `xml` nest, counted to `limit`: roxmltree parses
/// recursively, so a crafted part nested tens of thousands deep would overflow the
/// stack (Word nests a few dozen).
fn deeper_than(xml: &str, limit: usize) -> bool {
    let bytes = xml.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(at) = bytes[i..].iter().position(|&b| b == b'<') {
        i += at + 1;
        match bytes.get(i) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b'!') if bytes[i..].starts_with(b"!--") => {
                // A comment may hold `<` and `>`.
                match xml[i..].find("-->") {
                    Some(end) => i += end + 3,
                    None => return false,
                }
                continue;
            }
            Some(b'?' | b'!') => {}
            Some(_) => {
                // To the tag's end, past quoted attribute values.
                let mut quote = None;
                let mut last = 0u8;
                while let Some(&b) = bytes.get(i) {
                    match quote {
                        Some(q) if b == q => quote = None,
                        Some(_) => {}
                        None if b == b'"' || b == b'\'' => quote = Some(b),
                        None if b == b'>' => break,
                        None => last = b,
                    }
                    i += 1;
                }
                if last != b'/' {
                    depth += 1;
                    if depth > limit {
                        return true;
                    }
                }
            }
            None => break,
        }
    }
    false
}

/// A part's XML, or what to tell the clerk.
fn parse(xml: &str) -> Result<Document<'_>, Text> {
    if deeper_than(xml, 1000) {
        return Err(text!(
            zh: "这个 .docx 的内容嵌套过深，不像 Word 或 WPS 保存的文件；请在 Word 或 WPS 里打开后重新保存",
            en: "the content of this .docx is nested too deeply for a file Word or WPS saved; open it in Word or WPS and save it again"
        ));
    }
    Document::parse(xml).map_err(|e| {
        text!(
            zh: "这个 .docx 的内容读不了（{}）：文件可能已损坏；请在 Word 或 WPS 里打开后重新保存",
            en: "the content of this .docx cannot be read ({}): the file may be damaged; open it in Word or WPS and save it again",
            e
        )
    })
}

/// The items of the body as a page: the title found and taken out, the rest through
/// the outline rules, the footnotes at the end.
fn page(reader: &mut Reader, items: Vec<Item>) -> Converted {
    let plain: Vec<String> = items
        .iter()
        .map(|i| match i {
            Item::Paragraph(p) if p.role != Role::Contents => p.plain(),
            _ => String::new(),
        })
        .collect();
    let paragraph = |i: usize| match &items[i] {
        Item::Paragraph(p) => Some(p),
        Item::Table(_) => None,
    };
    // The title: the Title style's paragraphs (one after another), else the first
    // centred bold paragraph near the top that is not the issuing body's mark or the
    // 发文字号, else the first line if it reads as one.
    let non_empty: Vec<usize> = (0..items.len()).filter(|&i| !plain[i].is_empty()).collect();
    let mut title_at: Vec<usize> = Vec::new();
    if let Some(&first) = non_empty
        .iter()
        .find(|&&i| paragraph(i).is_some_and(|p| p.role == Role::Title))
    {
        title_at.push(first);
        title_at.extend(
            non_empty
                .iter()
                .copied()
                .skip_while(|&i| i != first)
                .skip(1)
                .take_while(|&i| paragraph(i).is_some_and(|p| p.role == Role::Title)),
        );
    } else if let Some(&i) = non_empty.iter().take(8).find(|&&i| {
        paragraph(i).is_some_and(|p| {
            p.centred
                && p.all_bold()
                && p.role != Role::Contents
                && !rules::is_document_number(&plain[i])
                && !plain[i].ends_with("文件")
                && plain[i].chars().count() <= 80
        })
    }) {
        title_at.push(i);
    } else if let Some(&i) = non_empty.first() {
        if paragraph(i).is_some_and(|p| p.number.is_none()) && rules::reads_as_title(&plain[i]) {
            title_at.push(i);
        }
    }
    let title = title_at
        .iter()
        .map(|&i| plain[i].as_str())
        .collect::<Vec<_>>()
        .join("");
    let date = rules::date_line(&plain).and_then(|i| rules::written_date(&plain[i]));
    let mut outline = Outline::default();
    let mut blocks = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if title_at.contains(&i) {
            continue;
        }
        let p = match item {
            Item::Table(t) => {
                outline.interrupt();
                blocks.push(Block::Table(t.clone()));
                continue;
            }
            Item::Paragraph(p) => p,
        };
        let label = match &p.number {
            Some((format, label, _)) if format != "bullet" => label.clone(),
            _ => String::new(),
        };
        let heading = || {
            let text = markdown_lines(&p.pieces, false).join(" ");
            if label.is_empty() || plain[i].starts_with(&label) {
                text
            } else {
                format!("{}{text}", escape(&label))
            }
        };
        match p.role {
            Role::Contents => {}
            Role::Heading(level) => {
                let text = heading();
                if !text.is_empty() {
                    outline.interrupt();
                    blocks.push(Block::Heading(level + 1, text));
                }
            }
            _ => {
                let lines = markdown_lines(&p.pieces, true);
                let chinese_number = p.number.as_ref().is_some_and(|(f, _, _)| {
                    f.starts_with("chinese") || f.starts_with("ideograph")
                });
                match &p.number {
                    // A list Word numbers 一、 or （一） is the document's outline.
                    Some(_) if chinese_number && !lines.is_empty() => {
                        let text = format!("{label}{}", plain[i]);
                        let md = format!("{}{}", escape(&label), lines.join(" "));
                        blocks.push(outline.block(&text, md, heading()));
                    }
                    Some((format, _, n)) if !lines.is_empty() => {
                        outline.interrupt();
                        blocks.push(Block::Item {
                            depth: p.level,
                            marker: if format == "bullet" {
                                "-".to_string()
                            } else {
                                format!("{n}.")
                            },
                            text: lines.join(" "),
                        });
                    }
                    _ => {
                        for line in lines {
                            let plain_line = plain_of(&line);
                            let heading = without_emphasis(&line);
                            blocks.push(outline.block(&plain_line, line, heading));
                        }
                    }
                }
            }
        }
    }
    let mut body = rules::assemble(&blocks);
    let referred = reader.referred.clone();
    if !referred.is_empty() {
        body.push('\n');
        for (n, key) in referred.iter().enumerate() {
            let text = reader.note_text(key);
            body.push_str(&format!("[^{}]: {}\n", n + 1, text.trim()));
        }
    }
    Converted {
        title,
        date,
        body,
        images: std::mem::take(&mut reader.images),
        notes: std::mem::take(&mut reader.messages),
    }
}

/// A Markdown line without its emphasis markers (escaped characters kept), as a
/// heading's text.
fn without_emphasis(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                out.extend(chars.next());
            }
            '*' => {}
            c => out.push(c),
        }
    }
    out
}

/// A Markdown line's text as the outline rules read it: emphasis markers and
/// escapes taken out.
fn plain_of(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '*' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;

    /// A .docx of these parts (document.xml's body is `body`).
    fn docx(body: &str, parts: &[(&str, &str)]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let document = format!("<w:document {NS}><w:body>{body}</w:body></w:document>");
        let mut all = vec![("word/document.xml", document.as_str())];
        all.extend_from_slice(parts);
        for (name, text) in all {
            zip.start_file(name, options).unwrap();
            zip.write_all(text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn rels(items: &str) -> String {
        format!(
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{items}</Relationships>"#
        )
    }

    #[test]
    fn what_is_not_the_document_is_left_out() {
        let body = r#"<w:p><w:r><w:t>标题行</w:t></w:r></w:p>
            <w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> TOC \o "1-3" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>目录一行 1</w:t></w:r></w:p>
            <w:p><w:r><w:t>目录二行 2</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
            <w:p><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏的话</w:t></w:r><w:r><w:t>正文</w:t></w:r><w:r><w:br w:type="page"/></w:r><w:hyperlink r:id="rId2"><w:r><w:t>应急管理部</w:t></w:r></w:hyperlink><w:r><w:endnoteReference w:id="2"/></w:r><w:r><w:t>&amp;amp;</w:t></w:r></w:p>
            <w:p><w:r><w:drawing><a:blip xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" r:embed="rId1"/></w:drawing></w:r></w:p>"#;
        let document_rels = rels(
            r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.emf"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://www.mem.gov.cn/" TargetMode="External"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes" Target="endnotes.xml"/>"#,
        );
        let endnotes = format!(
            r#"<w:endnotes {NS}><w:endnote w:id="2"><w:p><w:r><w:t>尾注文字</w:t></w:r></w:p></w:endnote></w:endnotes>"#
        );
        let bytes = docx(
            body,
            &[
                ("word/_rels/document.xml.rels", &document_rels),
                ("word/media/image1.emf", "EMF"),
                ("word/endnotes.xml", &endnotes),
            ],
        );
        let c = convert_docx(&bytes).unwrap();
        assert_eq!(c.title, "标题行");
        assert_eq!(
            c.body,
            "正文[应急管理部](<https://www.mem.gov.cn/>)[^1]\\&amp;\n\n[^1]: 尾注文字\n"
        );
        assert!(c.images.is_empty());
        assert_eq!(c.notes.len(), 1, "{:?}", c.notes);
        assert!(c.notes[0].en.contains(".emf"), "{:?}", c.notes);
    }

    #[test]
    fn strict_namespaces_breaks_and_escapes() {
        let body = r#"<w:p><w:r><w:t>题目</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">　　# 不是标题 *星号* 1. 项</w:t><w:br/><w:t>一、第二行是标题</w:t></w:r></w:p>"#
            .replace("<w:", "<s:")
            .replace("</w:", "</s:");
        let document = format!(
            r#"<s:document xmlns:s="http://purl.oclc.org/ooxml/wordprocessingml/main"><s:body>{body}</s:body></s:document>"#
        );
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(document.as_bytes()).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let c = convert_docx(&bytes).unwrap();
        assert_eq!(
            c.body,
            "\\# 不是标题 \\*星号\\* 1. 项\n\n## 一、第二行是标题\n"
        );
    }

    #[test]
    fn numbers_as_word_shows_them() {
        assert_eq!(number(3, "chineseCounting"), "三");
        assert_eq!(number(10, "chineseCountingThousand"), "十");
        assert_eq!(number(21, "chineseCounting"), "二十一");
        assert_eq!(number(2, "decimalEnclosedCircle"), "②");
        assert_eq!(number(14, "upperRoman"), "XIV");
        assert_eq!(number(12, "decimalFullWidth"), "１２");
        assert_eq!(number(7, "none"), "");
    }

    #[test]
    fn a_damaged_file_is_an_error_never_a_panic() {
        assert!(convert_docx(b"not a zip").is_err());
        assert!(convert_docx(&docx("<w:p>", &[])).is_err());
        let real = include_bytes!("../../tests/fixtures/docx/notice.docx");
        for cut in (0..real.len()).step_by(997) {
            let _ = convert_docx(&real[..cut]);
            let mut flipped = real.to_vec();
            flipped[cut] ^= 0x5a;
            let _ = convert_docx(&flipped);
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!(
            "<w:p>{}{}</w:p>",
            "<w:ins>".repeat(5000),
            "</w:ins>".repeat(5000)
        );
        assert!(convert_docx(&docx(&deep, &[])).is_err());
        // As deep as our own reading goes, with attributes holding `>` and `/`.
        let deep = format!(
            "<w:p>{}<w:r><w:t a=\"/>\">深处</w:t></w:r><!-- <x> -->{}</w:p>",
            "<w:ins>".repeat(900),
            "</w:ins>".repeat(900)
        );
        assert!(!deeper_than(&deep, 905));
        assert!(deeper_than(&deep, 899));
        let c = convert_docx(&docx(&deep, &[])).unwrap();
        assert_eq!(c.title, "");
    }
}
