//! User-facing problems: what went wrong in which file, where, and how to fix it.
//!
//! Every stage reports problems as [`Diagnostic`] values and keeps going, so one build
//! shows all problems at once (ripgrep's habit), and the caller decides the exit code
//! at the end. A diagnostic carries a byte span into the decoded text of its file;
//! only [`LineIndex`] turns that into a 1-based `line:column`, and only when the
//! diagnostic is rendered. Messages exist in Chinese and English side by side so a
//! message is never added in one language only. Nothing here touches the disk.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The language messages are rendered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// `--lang` wins, then `ANXUAN_LANG`, then Chinese.
    pub fn detect(flag: Option<&str>) -> Lang {
        let env = std::env::var("ANXUAN_LANG").ok();
        match flag.or(env.as_deref()) {
            Some(v) if v.trim().to_ascii_lowercase().starts_with("en") => Lang::En,
            _ => Lang::Zh,
        }
    }
}

/// A message in both languages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    pub(crate) zh: String,
    pub en: String,
}

impl Text {
    pub(crate) fn new(zh: impl Into<String>, en: impl Into<String>) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The same words in both languages: what the system said (an OS error, a
    /// browser's last line), which anxuan cannot translate.
    pub(crate) fn same(s: String) -> Text {
        Text {
            zh: s.clone(),
            en: s,
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// Builds a [`Text`] from two format strings sharing the same arguments.
#[macro_export]
macro_rules! text {
    (zh: $zh:expr, en: $en:expr $(, $arg:expr)* $(,)?) => {
        $crate::base::diagnostic::Text::new(format!($zh $(, $arg)*), format!($en $(, $arg)*))
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub(crate) severity: Severity,
    /// Path relative to the site root, with `/` separators, as the user knows it.
    pub file: Option<PathBuf>,
    /// Byte range in the decoded text of `file` (BOM already removed).
    pub(crate) span: Option<Range<usize>>,
    pub message: Text,
    pub(crate) help: Option<Box<Text>>,
    /// The spanned text is private (a phone or ID number, a password): the source
    /// line shown under the message has it replaced by `*`.
    pub(crate) sensitive: bool,
}

impl Diagnostic {
    pub(crate) fn error(message: Text) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: None,
            span: None,
            message,
            help: None,
            sensitive: false,
        }
    }

    pub(crate) fn warning(message: Text) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub(crate) fn in_file(mut self, file: impl Into<PathBuf>) -> Diagnostic {
        self.file = Some(file.into());
        self
    }

    pub(crate) fn at(mut self, span: Range<usize>) -> Diagnostic {
        self.span = Some(span);
        self
    }

    pub(crate) fn with_help(mut self, help: Text) -> Diagnostic {
        self.help = Some(Box::new(help));
        self
    }

    pub(crate) fn sensitive(mut self) -> Diagnostic {
        self.sensitive = true;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Maps byte offsets of one text to 1-based line and column (columns count characters,
/// so a Chinese character is one column, as editors show it).
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> LineIndex<'a> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, line_starts }
    }

    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        // An offset inside a multi-byte character counts from that character.
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text[start..end].chars().count() + 1;
        (line + 1, col)
    }

    /// Byte offset of a 1-based line and 0-based character column (as YAML parsers report).
    pub(crate) fn offset_of(&self, line: usize, char_col: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let line_text = rest.split('\n').next().unwrap_or("");
        start
            + line_text
                .char_indices()
                .nth(char_col)
                .map(|(i, _)| i)
                .unwrap_or(line_text.len())
    }

    pub(crate) fn line_text(&self, line: usize) -> &'a str {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .map(|&e| e - 1)
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches('\r')
    }
}

/// Gives the decoded text of a file named in a diagnostic, if it is known.
pub trait SourceLookup {
    fn text_of(&self, file: &Path) -> Option<&str>;
}

impl SourceLookup for () {
    fn text_of(&self, _: &Path) -> Option<&str> {
        None
    }
}

/// Sorts diagnostics the way users read them: by file, then position, errors first on a tie.
pub(crate) fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        let ka = (&a.file, a.span.as_ref().map(|s| s.start), a.severity);
        let kb = (&b.file, b.span.as_ref().map(|s| s.start), b.severity);
        ka.cmp(&kb)
    });
}

/// Renders one diagnostic as `file:line:col: 错误：message`, the offending line with a
/// caret under it, and the help on its own line.
pub fn render(d: &Diagnostic, sources: &dyn SourceLookup, lang: Lang) -> String {
    let mut out = String::new();
    let label = match (d.severity, lang) {
        (Severity::Error, Lang::Zh) => "错误",
        (Severity::Error, Lang::En) => "error",
        (Severity::Warning, Lang::Zh) => "警告",
        (Severity::Warning, Lang::En) => "warning",
    };
    let mut snippet = None;
    if let Some(file) = &d.file {
        out.push_str(&display_path(file));
        if let (Some(span), Some(text)) = (&d.span, sources.text_of(file)) {
            let index = LineIndex::new(text);
            let (line, col) = index.line_col(span.start);
            let _ = write!(out, ":{line}:{col}");
            let mut shown = index.line_text(line).to_string();
            if d.sensitive {
                let private = text.get(span.clone()).unwrap_or("");
                let private = private.split('\n').next().unwrap_or("");
                if !private.is_empty() {
                    shown = shown.replace(private, &"*".repeat(private.chars().count()));
                }
                // Other findings on the same line have messages of their own, but
                // must not show here.
                mask_findings(&mut shown);
            }
            snippet = Some((line, col, shown));
        }
        out.push_str(": ");
    }
    let sep = if lang == Lang::Zh { "：" } else { ": " };
    let _ = write!(out, "{label}{sep}{}", d.message.get(lang));
    if let Some((line, col, text)) = snippet {
        let num = line.to_string();
        let pad = " ".repeat(num.len());
        let caret_pad: String = text
            .chars()
            .take(col - 1)
            .map(|c| {
                if c == '\t' {
                    '\t'
                } else if is_wide(c) {
                    '　'
                } else {
                    ' '
                }
            })
            .collect();
        let _ = write!(out, "\n{pad} |\n{num} | {text}\n{pad} | {caret_pad}^");
    }
    if let Some(help) = &d.help {
        let word = if lang == Lang::Zh { "提示" } else { "help" };
        let _ = write!(out, "\n  {word}{sep}{}", help.get(lang));
    }
    out
}

/// Replaces every personal-data finding in `line` with stars. Findings can overlap
/// (a password whose value is a mobile number, full-width digits inside an ID), and
/// starring one shortens the line when it held multi-byte characters, so the spans
/// are merged first and replaced from the end.
fn mask_findings(line: &mut String) {
    let mut spans: Vec<std::ops::Range<usize>> = crate::base::pii::scan(line)
        .into_iter()
        .map(|f| f.span)
        .collect();
    spans.sort_by_key(|s| s.start);
    let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(spans.len());
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    for s in merged.into_iter().rev() {
        let Some(found) = line.get(s.clone()) else {
            continue;
        };
        let stars = "*".repeat(found.chars().count());
        line.replace_range(s, &stars);
    }
}

/// Wide characters take two terminal cells; an ideographic space keeps the caret aligned.
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Paths print with `/` on every platform so messages read the same on Windows, and
/// with a number in a name masked (`content/138****5678.md`): every message about
/// such a file would show it otherwise.
pub(crate) fn display_path(p: &Path) -> String {
    let mut shown = p.to_string_lossy().replace('\\', "/");
    let mut found = crate::base::pii::scan(&shown);
    found.sort_by_key(|f| f.span.start);
    // From the end. A finding overlapping one already masked is left out: the
    // overlaps the detector makes (a password whose value is a mobile number) end
    // where the later finding ends, so the later one's masked form covers the digits.
    let mut limit = shown.len();
    for f in found.into_iter().rev() {
        if f.span.end <= limit {
            limit = f.span.start;
            shown.replace_range(f.span, &f.masked);
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_findings_are_masked_without_a_panic() {
        for line in [
            "密码：１３８１２３４５６７８",
            "pwd=13812345678 身份证 11010519491231002X",
            "提取码：１３８　１２３４　５６７８，密码是１３８１２３４５６７８",
        ] {
            let mut shown = line.to_string();
            mask_findings(&mut shown);
            assert!(
                !shown.contains("5678") && !shown.contains("５６７８"),
                "{line} → {shown}"
            );
            let path = display_path(Path::new(&format!("content/{line}.md")));
            assert!(
                !path.contains("1234") && !path.contains("１２３４"),
                "{line} → {path}"
            );
        }
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "第一行\n标题 = 安全\nthird";
        let idx = LineIndex::new(text);
        let off = text.find("安全").unwrap();
        assert_eq!(idx.line_col(off), (2, 6));
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(text.len()), (3, 6));
        assert_eq!(idx.offset_of(2, 5), off);
    }

    #[test]
    fn render_names_file_line_and_column() {
        struct One(String);
        impl SourceLookup for One {
            fn text_of(&self, _: &Path) -> Option<&str> {
                Some(&self.0)
            }
        }
        let src = One("+++\ntitel = \"x\"\n+++\n".into());
        let d = Diagnostic::error(text!(zh: "未知的键 `titel`", en: "unknown key `titel`"))
            .in_file("content/a.md")
            .at(4..9)
            .with_help(text!(zh: "是不是 `title`？", en: "did you mean `title`?"));
        let zh = render(&d, &src, Lang::Zh);
        assert!(
            zh.starts_with("content/a.md:2:1: 错误：未知的键 `titel`"),
            "{zh}"
        );
        assert!(zh.contains("2 | titel = \"x\""), "{zh}");
        assert!(zh.contains("提示：是不是 `title`？"), "{zh}");
        let en = render(&d, &src, Lang::En);
        assert!(
            en.starts_with("content/a.md:2:1: error: unknown key `titel`"),
            "{en}"
        );
    }
}
