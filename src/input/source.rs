//! What the site's files are and how their text is decoded. It must not interpret
//! Markdown or front matter, and does not walk the disk: `input::site` does.
//!
//! The walk (`input::site`) sorts content/ into sections (`_index.md`), pages
//! (`*.md`, or `index.md` of a page bundle) and assets (every other file, owned by
//! the bundle or section folder it sits in) with the types and name rules here. Text is decoded from UTF-8 (a BOM is dropped silently) or, failing that, from
//! GB18030/GBK, which Windows editors in China still save by default; that case is a
//! warning naming the file. CRLF becomes LF, so every later byte offset, and so every
//! reported line, refers to one normalised text.

use std::path::{Path, PathBuf};

use crate::base::diagnostic::Diagnostic;
use crate::text;

/// The site's settings file, at the root of the site folder.
pub(crate) const CONFIG_FILE: &str = "config.toml";

/// What a Markdown file is, from its name and place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// `_index.md`: the text and settings of the folder's section (the home for `content/`).
    Section,
    /// `name.md`: a page named after its file.
    Page,
    /// `name/index.md`: a page bundle; the files beside it belong to it.
    Bundle,
}

#[derive(Clone, Debug)]
pub(crate) struct MarkdownFile {
    /// Relative to the site root, e.g. `content/notices/a.md`.
    pub(crate) rel: PathBuf,
    pub(crate) role: Role,
}

#[derive(Clone, Debug)]
pub(crate) struct AssetFile {
    pub(crate) abs: PathBuf,
    /// Path of the asset relative to `content/`, e.g. `stats/2023/hazards.csv`.
    pub(crate) content_rel: PathBuf,
}

#[derive(Default, Debug)]
pub(crate) struct Discovered {
    pub(crate) markdown: Vec<MarkdownFile>,
    pub(crate) assets: Vec<AssetFile>,
}

/// Editor back-ups, swap files and hidden files are never content.
pub(crate) fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.starts_with('#')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
        || name.eq_ignore_ascii_case("thumbs.db")
        || name.eq_ignore_ascii_case("desktop.ini")
}

/// Whether a file is a Markdown page by its name: `.md`, `.MD` or `.markdown`. The
/// walk and everything that reads the watcher's names decide it here, alike.
pub(crate) fn is_markdown(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy());
    name.is_some_and(|n| n.ends_with(".md") || n.ends_with(".MD") || n.ends_with(".markdown"))
}

/// When a file last changed, as far as the file system tells: size, modification
/// time and inode (an editor that saves by renaming gives a new inode).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    inode: u64,
}

impl Stamp {
    /// The stamp of what `metadata` describes.
    pub(crate) fn from_metadata(m: &std::fs::Metadata) -> Stamp {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(m);
        #[cfg(not(unix))]
        let inode = 0;
        Stamp {
            len: m.len(),
            modified: m.modified().ok(),
            inode,
        }
    }
}

/// The outcome of decoding one file.
pub(crate) struct Decoded {
    pub(crate) text: String,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Decodes `bytes` read from `rel`: UTF-8 (BOM dropped), else GB18030 with a warning,
/// else lossy UTF-8 with an error. CRLF and lone CR become LF.
pub(crate) fn decode(bytes: &[u8], rel: &Path) -> Decoded {
    let mut diagnostics = Vec::new();
    // Files glued together, or saved twice by editors that add a BOM, can start with
    // more than one: a second would hide the front-matter fence.
    let mut bytes = bytes;
    while let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        bytes = rest;
    }
    if let Some(encoding) = utf16(bytes) {
        // Notepad's "Unicode" is UTF-16: read as GBK it would be NUL bytes between
        // every character, and the next stage's error would print them.
        let (cow, _, had_errors) = encoding.decode(bytes);
        if had_errors {
            diagnostics.push(
                Diagnostic::error(text!(
                    zh: "文件看起来是 UTF-16 编码（记事本的“Unicode”），但其中有无法识别的字符",
                    en: "the file looks like UTF-16 (Notepad's \"Unicode\") but holds characters that cannot be read"
                ))
                .in_file(rel)
                .with_help(text!(
                    zh: "请用记事本或 WPS 打开，选择“另存为”，编码选 UTF-8",
                    en: "open it in an editor and save it as UTF-8"
                )),
            );
            return Decoded {
                text: String::new(),
                diagnostics,
            };
        }
        diagnostics.push(
            Diagnostic::warning(text!(
                zh: "文件是 UTF-16 编码（记事本的“Unicode”），已自动转换；建议另存为 UTF-8",
                en: "the file is encoded as UTF-16 (Notepad's \"Unicode\") and was converted; consider saving it as UTF-8"
            ))
            .in_file(rel)
            .with_help(text!(
                zh: "用记事本打开，选择“另存为”，编码选 UTF-8，可消除此警告",
                en: "save it as UTF-8 in your editor to silence this warning"
            )),
        );
        let text = normalise_newlines(cow.trim_start_matches('\u{FEFF}'));
        return Decoded { text, diagnostics };
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => normalise_newlines(s),
        Err(_) => {
            let (cow, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                diagnostics.push(
                    Diagnostic::error(text!(
                        zh: "文件既不是 UTF-8 也不是 GBK/GB18030 编码，无法读取其中的文字",
                        en: "the file is neither UTF-8 nor GBK/GB18030 and cannot be read as text"
                    ))
                    .in_file(rel)
                    .with_help(text!(
                        zh: "请用记事本或 WPS 打开，选择“另存为”，编码选 UTF-8",
                        en: "open it in an editor and save it as UTF-8"
                    )),
                );
                normalise_newlines(&String::from_utf8_lossy(bytes))
            } else {
                diagnostics.push(
                    Diagnostic::warning(text!(
                        zh: "文件是 GBK/GB18030 编码，已自动转换；建议另存为 UTF-8",
                        en: "the file is encoded as GBK/GB18030 and was converted; consider saving it as UTF-8"
                    ))
                    .in_file(rel)
                    .with_help(text!(
                        zh: "用记事本打开，选择“另存为”，编码选 UTF-8，可消除此警告",
                        en: "save it as UTF-8 in your editor to silence this warning"
                    )),
                );
                normalise_newlines(&cow)
            }
        }
    };
    Decoded { text, diagnostics }
}

/// UTF-16 by its byte order mark, or, without one, by the zero byte every ASCII
/// character has beside it (front matter and Markdown are mostly ASCII punctuation).
pub(crate) fn utf16(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if bytes.starts_with(b"\xFF\xFE") {
        return Some(encoding_rs::UTF_16LE);
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Some(encoding_rs::UTF_16BE);
    }
    let head = &bytes[..bytes.len().min(64) & !1];
    if head.len() < 4 {
        return None;
    }
    let zeros = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let half = head.len() / 2;
    match (zeros(0), zeros(1)) {
        (0, odd) if odd * 2 >= half => Some(encoding_rs::UTF_16LE),
        (even, 0) if even * 2 >= half => Some(encoding_rs::UTF_16BE),
        _ => None,
    }
}

fn normalise_newlines(s: &str) -> String {
    if !s.contains('\r') {
        return s.to_string();
    }
    s.replace("\r\n", "\n").replace('\r', "\n")
}

/// The first `limit` bytes of a file, for the checks that read files of any kind
/// (a video in static/ need not be read whole); `None` when it cannot be read.
pub(crate) fn read_bytes(abs: &Path, limit: u64) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    std::fs::File::open(abs)
        .ok()?
        .take(limit)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

/// Reads and decodes one file; an unreadable file is an error diagnostic, never a panic.
pub(crate) fn read_text(abs: &Path, rel: &Path) -> Decoded {
    match std::fs::read(abs) {
        Ok(bytes) => decode(&bytes, rel),
        Err(err) => Decoded {
            text: String::new(),
            diagnostics: vec![Diagnostic::error(text!(
                zh: "无法读取文件：{err}",
                en: "cannot read the file: {err}"
            ))
            .in_file(rel)],
        },
    }
}

/// Characters a Word or WPS paste leaves in text that a reader cannot see but that
/// split a word for search: zero-width space, non-joiner, joiner, word joiner and a
/// stray byte-order mark.
const INVISIBLE: [char; 5] = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'];

/// A no-break space (also the narrow one), which is a plain space to a reader.
fn is_no_break_space(c: char) -> bool {
    matches!(c, '\u{A0}' | '\u{202F}')
}

/// Whether `text` holds a no-break space or an invisible character.
pub(crate) fn has_invisible(text: &str) -> bool {
    text.chars()
        .any(|c| is_no_break_space(c) || INVISIBLE.contains(&c))
}

fn is_pictograph(c: char) -> bool {
    matches!(c as u32, 0x2600..=0x27BF | 0x1F000..=0x1FAFF)
}

/// Text as readers and search should see it, one rule for titles, front-matter
/// values and bodies: no-break spaces made spaces and invisible characters dropped,
/// so 地质\u{200B}灾害 is found by a search for 地质灾害; `None` when there are none.
/// A zero-width joiner between two pictographs is kept: it builds one emoji out of
/// several.
pub(crate) fn clean_invisible(text: &str) -> Option<String> {
    if !has_invisible(text) {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            c if is_no_break_space(c) => out.push(' '),
            '\u{200D}'
                if i > 0
                    && chars.get(i + 1).is_some_and(|&n| is_pictograph(n))
                    && is_pictograph(chars[i - 1]) =>
            {
                out.push(c)
            }
            c if INVISIBLE.contains(&c) => {}
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_and_crlf_are_silent() {
        let d = decode(
            b"\xEF\xBB\xBF+++\r\ntitle = \"a\"\r\n+++\r\n",
            Path::new("a.md"),
        );
        assert_eq!(d.text, "+++\ntitle = \"a\"\n+++\n");
        assert!(d.diagnostics.is_empty());
    }

    #[test]
    fn gbk_is_decoded_with_a_warning() {
        let (bytes, _, _) = encoding_rs::GBK.encode("标题 = \"防汛通知\"");
        let d = decode(&bytes, Path::new("content/a.md"));
        assert_eq!(d.text, "标题 = \"防汛通知\"");
        assert_eq!(d.diagnostics.len(), 1);
        assert!(!d.diagnostics[0].is_error());
    }
}
