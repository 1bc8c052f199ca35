//! Publish safety (SPEC §6): personal data and document leftovers that must never
//! reach a public site.
//!
//! [`scan`] finds, in any text, resident ID numbers that are real (18 digits with a
//! valid birth date and GB 11643 check character; 15 digits of before 1999 with a
//! province that exists and a valid date), unmasked mainland mobile numbers, secrets
//! written down (`密码：abc123`, `密码是123456`, `pwd=…`: a keyword and a value that
//! looks like one) and the `##paidbegin##` markers document-sharing sites leave
//! behind. It reads the text as a reader sees it (full-width digits, character
//! references, zero-width characters and odd spaces undone, separators between digit
//! groups allowed) and maps findings back to the original bytes. Digits inside a
//! longer run of digits or letters (a credit code, an order number) and amounts
//! (`15600000000元`) do not count; a short label glued on (`TEL138…`) does.
//! [`check_files`] turns findings into diagnostics with the text masked, honouring the
//! site's `[privacy] allow` list and a page's `privacy_allow` waiver, which is
//! reported as a warning so it is never silent. [`check_published`] does the same
//! for a file published as it is, whatever its kind, from its bytes, and
//! [`check_name`] for a file's name.

use std::path::Path;

use rayon::prelude::*;

use crate::base::diagnostic::{Diagnostic, Text};
use crate::base::pii::{normalise, scan, scan_unplaced, Finding, Kind};
use crate::parse::front_matter::Spanned;
use crate::text;

/// One file to check: its path for messages, its text, and the page's waivers.
pub(crate) struct FileToCheck<'a> {
    pub(crate) rel: &'a Path,
    pub(crate) text: &'a str,
    pub(crate) waivers: &'a [Spanned<String>],
}

/// Diagnostics for every finding in `files` not allowed by `site_allow` (config.toml
/// `[privacy] allow`) or waived by the page; a waiver in use is a warning.
pub(crate) fn check_files(files: &[FileToCheck<'_>], site_allow: &[String]) -> Vec<Diagnostic> {
    let allowed: Vec<String> = site_allow.iter().map(|a| normalise(a)).collect();
    files
        .par_iter()
        .flat_map_iter(|f| check_file(f, &allowed))
        .collect()
}

/// A Markdown file's findings: in its name and in its text, with its page's waivers
/// (none for a draft or a section's `_index.md`).
pub(crate) fn check_markdown(
    rel: &Path,
    text: &str,
    waivers: &[Spanned<String>],
    site_allow: &[String],
) -> Vec<Diagnostic> {
    let file = FileToCheck { rel, text, waivers };
    let mut d = check_name(rel, site_allow);
    d.extend(check_files(std::slice::from_ref(&file), site_allow));
    d
}

fn check_file(f: &FileToCheck<'_>, allowed: &[String]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut used = vec![false; f.waivers.len()];
    for finding in scan(f.text) {
        // The waiver list itself names what it allows.
        if f.waivers
            .iter()
            .any(|w| w.span.start <= finding.span.start && finding.span.end <= w.span.end)
        {
            continue;
        }
        let numeric = is_number(finding.kind);
        if numeric && allowed.contains(&finding.value) {
            continue;
        }
        let waiver = f.waivers.iter().position(|w| {
            if numeric {
                normalise(&w.value) == finding.value
            } else {
                !w.value.trim().is_empty() && finding.value.contains(w.value.trim())
            }
        });
        if let Some(k) = waiver {
            used[k] = true;
            out.push(
                Diagnostic::warning(text!(
                    zh: "按本页的 privacy_allow 公开了 {}（{}）",
                    en: "published because this page's privacy_allow lists it: {} ({})",
                    finding.masked,
                    what(finding.kind).zh
                ))
                .in_file(f.rel)
                .at(finding.span.clone())
                .sensitive()
                .with_help(text!(
                    zh: "确认已经取得本人同意；不再需要时删掉 privacy_allow 里的这一项",
                    en: "make sure the person agreed; remove the entry from privacy_allow when no longer needed"
                )),
            );
            continue;
        }
        out.push(finding_error(&finding, f.rel));
    }
    for (w, used) in f.waivers.iter().zip(used) {
        if !used {
            out.push(
                Diagnostic::warning(text!(
                    zh: "privacy_allow 里的 `{}` 在本页没有用到",
                    en: "privacy_allow lists `{}`, which this page does not contain",
                    w.value
                ))
                .in_file(f.rel)
                .at(w.span.clone())
                .with_help(text!(zh: "删掉这一项", en: "remove the entry")),
            );
        }
    }
    out
}

fn what(kind: Kind) -> Text {
    match kind {
        Kind::IdNumber => Text::new("身份证号", "a resident ID number"),
        Kind::Mobile => Text::new("手机号", "a mobile number"),
        Kind::Password => Text::new("密码", "a password"),
        Kind::PaidMarker => Text::new("文档网站的付费标记", "a document site's paywall marker"),
    }
}

fn finding_error(f: &Finding, rel: &Path) -> Diagnostic {
    let (message, help) = match f.kind {
        Kind::IdNumber => (
            text!(
                zh: "公民身份证号不能公开：{}",
                en: "a resident ID number must not be published: {}",
                f.masked
            ),
            text!(
                zh: "删掉这个号码，或只写成 {} 这样的打码形式；确需公开时在本页 front matter 写 privacy_allow = [\"号码\"]",
                en: "remove the number or write it masked like {}; if it must be published, add privacy_allow = [\"number\"] to this page's front matter",
                f.masked
            ),
        ),
        Kind::Mobile => (
            text!(
                zh: "个人手机号不能公开：{}",
                en: "a personal mobile number must not be published: {}",
                f.masked
            ),
            text!(
                zh: "写成 {} 这样的打码形式，或换成单位座机；单位的公开号码请加到 config.toml 的 [privacy] allow",
                en: "write it masked like {} or use an office landline; an office's public number goes in config.toml [privacy] allow",
                f.masked
            ),
        ),
        Kind::Password => (
            text!(
                zh: "文中写着密码或口令：{}",
                en: "the text contains a password: {}",
                f.masked
            ),
            text!(
                zh: "删掉这一行（从文档里复制过来的密码不能发布）",
                en: "remove this line (passwords copied from documents must not be published)"
            ),
        ),
        Kind::PaidMarker => (
            text!(
                zh: "文中留有文档网站的标记 `{}`",
                en: "a document site's marker `{}` was left in the text",
                f.masked
            ),
            text!(
                zh: "删掉这个标记，并检查前后的内容是否完整",
                en: "remove the marker and check the text around it is complete"
            ),
        ),
    };
    Diagnostic::error(message)
        .in_file(rel)
        .at(f.span.clone())
        .with_help(help)
        .sensitive()
}

/// Whether the privacy checks read this file (relative to the site) byte by byte:
/// every file of static/ and of a theme's static/ (copied as they are, hidden files
/// too), the templates of templates/ and of a theme's templates/ (but hidden ones,
/// which are not loaded either: an editor's swap file), and every file under
/// content/ that the walk finds (`source::is_ignored` names are skipped there, as
/// by the walk) but Markdown, whose text is checked with the page's waivers.
pub(crate) fn is_scanned(rel: &Path) -> bool {
    let parts: Vec<_> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    let hidden = parts.last().is_some_and(|n| n.starts_with('.'));
    match parts.iter().map(|p| p.as_ref()).collect::<Vec<&str>>()[..] {
        ["static", _, ..] => true,
        ["themes", _, "static", _, ..] => true,
        ["templates", _, ..] | ["themes", _, "templates", _, ..] => !hidden,
        ["content", ref rest @ ..] => {
            !crate::input::source::is_markdown(rel)
                && !rest.is_empty()
                && rest.iter().all(|p| !crate::input::source::is_ignored(p))
        }
        _ => false,
    }
}

/// Errors for personal data in a file's name (relative to the site): the name is
/// part of a public URL. Messages show the name masked (`diagnostic::display_path`).
pub(crate) fn check_name(rel: &Path, site_allow: &[String]) -> Vec<Diagnostic> {
    let name = rel.to_string_lossy().replace('\\', "/");
    let allowed: Vec<String> = site_allow.iter().map(|a| normalise(a)).collect();
    let found: Vec<Finding> = scan(&name)
        .into_iter()
        .filter(|f| !(is_number(f.kind) && allowed.contains(&f.value)))
        .collect();
    found
        .iter()
        .map(|f| {
            let w = what(f.kind);
            Diagnostic::error(Text::new(
                format!("文件名里有{}：{}", w.zh, f.masked),
                format!("the file name contains {}: {}", w.en, f.masked),
            ))
            .in_file(rel)
            .with_help(text!(
                zh: "给文件改个名字：文件名会出现在公开的网址里",
                en: "rename the file: its name is part of a public address"
            ))
        })
        .collect()
}

fn is_number(kind: Kind) -> bool {
    matches!(kind, Kind::IdNumber | Kind::Mobile)
}

/// Diagnostics for a file published as it is (in a page bundle, static/, a theme)
/// or read into pages (a template), from its bytes: its name, then what it holds.
/// Text (UTF-8, UTF-16 with a BOM, GB18030) is checked with line and column; a
/// gzip file's content, a PDF's text and compressed streams, a JPEG's EXIF text and
/// the readable strings of any other binary file are checked without a position;
/// a JPEG that records where it was taken is an error of its own.
pub(crate) fn check_published(rel: &Path, bytes: &[u8], site_allow: &[String]) -> Vec<Diagnostic> {
    let mut out = check_name(rel, site_allow);
    match contents(bytes, 0) {
        Contents::Text(text) => {
            let file = FileToCheck {
                rel,
                text: &text,
                waivers: &[],
            };
            out.extend(check_files(std::slice::from_ref(&file), site_allow));
        }
        Contents::Opaque { texts, located } => {
            if located {
                out.push(
                    Diagnostic::error(text!(
                        zh: "照片里记着拍摄地点（GPS 位置）",
                        en: "the photo records where it was taken (a GPS location)"
                    ))
                    .in_file(rel)
                    .with_help(text!(
                        zh: "拍摄地点可能就是群众的家，而这里的文件会原样公开。把照片放到用它的页面旁边（页面包文件夹里，和 index.md 放在一起），anxuan 会重新压缩并去掉位置信息；或用相册、修图软件去掉位置后重新导出",
                        en: "the place may be a resident's home, and this file is published as it is. Put the photo beside the page that shows it (in the page's bundle folder, next to index.md), where anxuan re-encodes it without its location; or export it again without the location"
                    )),
                );
            }
            let allowed: Vec<String> = site_allow.iter().map(|a| normalise(a)).collect();
            let mut seen = Vec::new();
            for t in &texts {
                for f in scan_unplaced(t) {
                    if (is_number(f.kind) && allowed.contains(&f.value))
                        || seen.contains(&(f.kind, f.value.clone()))
                    {
                        continue;
                    }
                    seen.push((f.kind, f.value.clone()));
                    let mut d = finding_error(&f, rel);
                    d.span = None;
                    out.push(d);
                }
            }
        }
    }
    out
}

/// What the checks read of a file.
enum Contents {
    /// Text whose offsets are those of `source::decode`, which shows the lines.
    Text(String),
    /// Texts found inside a binary file, and whether it records a GPS location.
    Opaque { texts: Vec<String>, located: bool },
}

/// How much of a binary file (or a decompressed stream) is read: metadata sits at
/// the start or in small streams; this bounds the time a large video takes.
const READ_LIMIT: usize = 32 << 20;

/// How much of a file the checks are given: more than any text file a township
/// site publishes, while a video is not read whole every build.
pub(crate) const FILE_LIMIT: u64 = 64 << 20;

fn contents(bytes: &[u8], depth: u8) -> Contents {
    let opaque = |texts| Contents::Opaque {
        texts,
        located: false,
    };
    let head = &bytes[..bytes.len().min(READ_LIMIT)];
    // Photos: only their metadata is read, not the image data, which holds no
    // text and is most of every file.
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) || bytes.starts_with(PNG) {
        let exif = if bytes.starts_with(PNG) {
            png(head)
        } else {
            jpeg(head)
        };
        let mut texts = exif.texts;
        texts.push(String::from_utf8_lossy(&exif.metadata).into_owned());
        return Contents::Opaque {
            texts,
            located: exif.located,
        };
    }
    if bytes.starts_with(&[0x1F, 0x8B]) && depth == 0 {
        let inner = inflate(flate2::read::MultiGzDecoder::new(bytes));
        return match contents(&inner, 1) {
            Contents::Text(t) => opaque(vec![t]),
            other => other,
        };
    }
    if bytes.starts_with(b"%PDF") {
        return opaque(pdf_texts(head));
    }
    // Office files (.docx, .xlsx, .pptx, .odt) are zip files of XML.
    if bytes.starts_with(b"PK\x03\x04") {
        return opaque(zip_texts(head));
    }
    // WebP, HEIC/HEIF and TIFF keep EXIF in containers of their own: kamadak-exif
    // (through `photo`) finds their GPS tags. Their other text (comments, XMP) is
    // found in their bytes, as for any binary file.
    let webp = bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP";
    let tiff = bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*");
    if webp || tiff || crate::photo::is_heif(bytes) {
        return Contents::Opaque {
            texts: vec![String::from_utf8_lossy(head).into_owned()],
            located: crate::photo::has_gps(head),
        };
    }
    // Fonts hold compressed data whose bytes say nothing; GIF is read as bytes below,
    // which finds the text of its comment and XMP chunks.
    const SKIPPED: &[&[u8]] = &[b"wOFF", b"wOF2", b"OTTO", &[0, 1, 0, 0]];
    if SKIPPED.iter().any(|m| bytes.starts_with(m)) {
        return opaque(Vec::new());
    }
    if is_text(bytes) {
        return Contents::Text(crate::input::source::decode(bytes, Path::new("")).text);
    }
    let utf16: Vec<u16> = head
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    opaque(vec![
        String::from_utf8_lossy(head).into_owned(),
        String::from_utf16_lossy(&utf16),
    ])
}

/// Whether a file is text: a UTF-16 BOM, or no control characters a text file does
/// not have and UTF-8 or GB18030 that decodes.
fn is_text(bytes: &[u8]) -> bool {
    // UTF-16 as `source::decode` recognises it, with a byte-order mark or without.
    if crate::input::source::utf16(bytes).is_some() {
        return true;
    }
    if bytes
        .iter()
        .any(|&c| matches!(c, 0..=8 | 0x0E..=0x1A | 0x1C..=0x1F))
    {
        return false;
    }
    std::str::from_utf8(bytes).is_ok() || !encoding_rs::GB18030.decode_without_bom_handling(bytes).1
}

fn inflate(mut r: impl std::io::Read) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    // A damaged stream gives what came before the damage.
    let _ = (&mut r).take(READ_LIMIT as u64).read_to_end(&mut out);
    out
}

/// A PDF's bytes as text (its literal strings are there when it is not
/// compressed), and the text of each of its compressed streams.
fn pdf_texts(bytes: &[u8]) -> Vec<String> {
    let mut texts = vec![String::from_utf8_lossy(bytes).into_owned()];
    let mut from = 0;
    let mut budget = READ_LIMIT;
    while let Some(at) = find(&bytes[from..], b"stream") {
        let mut start = from + at + b"stream".len();
        if bytes.get(start) == Some(&b'\r') {
            start += 1;
        }
        if bytes.get(start) == Some(&b'\n') {
            start += 1;
        }
        let end = find(&bytes[start..], b"endstream").map_or(bytes.len(), |k| start + k);
        let data = inflate(flate2::read::ZlibDecoder::new(&bytes[start..end]));
        // Many small streams that inflate to a lot stop at the same bound as one.
        budget = budget.saturating_sub(data.len().max(1));
        if !data.is_empty() {
            texts.push(String::from_utf8_lossy(&data).into_owned());
        }
        if budget == 0 {
            break;
        }
        from = (end + b"endstream".len()).min(bytes.len());
    }
    texts
}

/// The text of each member of a zip file (stored or deflated), found by its local
/// header; XML (an office document's body, a sheet's cells) as its text, with a
/// paragraph or cell ending in a blank line so that neighbours do not join into one
/// number. A damaged member gives what could be read.
fn zip_texts(zip: &[u8]) -> Vec<String> {
    let mut texts = Vec::new();
    let mut budget = READ_LIMIT;
    let mut from = 0;
    while let Some(at) = find(&zip[from..], b"PK\x03\x04") {
        let h = from + at;
        from = h + 4;
        let u16_at = |k: usize| {
            zip.get(h + k..h + k + 2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
        };
        let u32_at = |k: usize| {
            zip.get(h + k..h + k + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        };
        let (Some(method), Some(size), Some(name), Some(extra)) =
            (u16_at(8), u32_at(18), u16_at(26), u16_at(28))
        else {
            break;
        };
        let start = h + 30 + name + extra;
        let Some(rest) = zip.get(start..) else { break };
        let data = match method {
            0 => rest[..size.min(rest.len())].to_vec(),
            8 => inflate(flate2::read::DeflateDecoder::new(rest)),
            _ => continue,
        };
        budget = budget.saturating_sub(data.len().max(1));
        let text = String::from_utf8_lossy(&data);
        texts.push(if text.trim_start().starts_with('<') {
            xml_text(&text)
        } else {
            text.into_owned()
        });
        if budget == 0 {
            break;
        }
    }
    texts
}

/// The text of an XML document: tags dropped, a blank line for the end of a
/// paragraph, table cell, row or shared string (Word, Excel, WPS, OpenDocument).
fn xml_text(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() / 2);
    let mut rest = xml;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        let name = tag
            .trim_start_matches('/')
            .split([' ', '/'])
            .next()
            .unwrap_or("");
        let local = name.rsplit(':').next().unwrap_or(name);
        if tag.starts_with('/')
            && matches!(local, "p" | "tc" | "tr" | "c" | "si" | "row" | "table-cell")
        {
            out.push_str("\n\n");
        }
        rest = &rest[open + close + 1..];
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// What a photo's metadata says that matters here.
#[derive(Default)]
struct Exif {
    /// The EXIF text tags, decoded.
    texts: Vec<String>,
    /// It has GPS latitude or longitude.
    located: bool,
    /// The bytes of every metadata segment or chunk (XMP, comments, text chunks).
    metadata: Vec<u8>,
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Reads a JPEG's segments up to the image data: each one's bytes, and the EXIF
/// block (APP1 `Exif\0\0`, a TIFF structure). A file that ends or breaks before
/// the image data has the rest read as bytes.
fn jpeg(jpeg: &[u8]) -> Exif {
    let mut out = Exif::default();
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
        let marker = jpeg[i + 1];
        let len = u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]) as usize;
        // Start of scan: the image data follows, no more metadata.
        if marker == 0xDA {
            return out;
        }
        if len < 2 {
            break;
        }
        let data = jpeg.get(i + 4..i + 2 + len).unwrap_or(&[]);
        if let Some(tiff) = data.strip_prefix(b"Exif\0\0") {
            read_tiff(tiff, &mut out);
        }
        out.metadata.extend_from_slice(data);
        i += 2 + len;
    }
    out.metadata.extend_from_slice(jpeg.get(i..).unwrap_or(&[]));
    out
}

/// Reads a PNG's chunks but the image data: text chunks (zTXt inflated) and an
/// eXIf chunk, which is a TIFF structure as in a JPEG.
fn png(png: &[u8]) -> Exif {
    let mut out = Exif::default();
    let mut i = PNG.len();
    while let Some(len) = png.get(i..i + 4) {
        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
        let kind = png.get(i + 4..i + 8).unwrap_or(&[]);
        let Some(data) = png.get(i + 8..(i + 8).saturating_add(len)) else {
            break;
        };
        match kind {
            b"IDAT" => {}
            b"eXIf" => read_tiff(data, &mut out),
            b"zTXt" => {
                let k = data.iter().position(|&c| c == 0).unwrap_or(data.len());
                let text = inflate(flate2::read::ZlibDecoder::new(
                    data.get(k + 2..).unwrap_or(&[]),
                ));
                out.texts.push(String::from_utf8_lossy(&text).into_owned());
            }
            _ => out.metadata.extend_from_slice(data),
        }
        i += 12 + len;
    }
    out.metadata.extend_from_slice(png.get(i..).unwrap_or(&[]));
    out
}

fn read_tiff(t: &[u8], out: &mut Exif) {
    let little = match t.get(..2) {
        Some(b"II") => true,
        Some(b"MM") => false,
        _ => return,
    };
    let u16_at = |k: usize| {
        t.get(k..k + 2).map(|b| {
            let b = [b[0], b[1]];
            if little {
                u16::from_le_bytes(b)
            } else {
                u16::from_be_bytes(b)
            }
        })
    };
    let u32_at = |k: usize| {
        t.get(k..k + 4).map(|b| {
            let b = [b[0], b[1], b[2], b[3]];
            if little {
                u32::from_le_bytes(b)
            } else {
                u32::from_be_bytes(b)
            }
        })
    };
    // (tag, value bytes) of the IFD at `at`.
    let ifd = |at: usize| -> Vec<(u16, &[u8])> {
        let n = u16_at(at).unwrap_or(0) as usize;
        (0..n.min(512))
            .filter_map(|k| {
                let e = at + 2 + 12 * k;
                let (tag, kind, count) = (u16_at(e)?, u16_at(e + 2)?, u32_at(e + 4)? as usize);
                let size = match kind {
                    1 | 2 | 6 | 7 => 1,
                    3 | 8 => 2,
                    4 | 9 | 11 => 4,
                    _ => 8,
                };
                let len = count.checked_mul(size)?;
                let start = if len <= 4 {
                    e + 8
                } else {
                    u32_at(e + 8)? as usize
                };
                Some((tag, t.get(start..start.checked_add(len)?)?))
            })
            .collect()
    };
    let pointer = |v: &[u8]| {
        let b: [u8; 4] = v.get(..4)?.try_into().ok()?;
        let n = if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        };
        Some(n as usize)
    };
    let utf16 = |v: &[u8], little: bool| {
        let units: Vec<u16> = v
            .chunks_exact(2)
            .map(|c| {
                if little {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    let Some(first) = u32_at(4) else { return };
    let mut todo = vec![first as usize];
    let mut done = Vec::new();
    while let Some(at) = todo.pop() {
        if done.contains(&at) || done.len() > 8 {
            continue;
        }
        done.push(at);
        for (tag, v) in ifd(at) {
            match tag {
                // Exif and GPS IFD pointers.
                0x8769 => todo.extend(pointer(v)),
                0x8825 => {
                    if let Some(gps) = pointer(v) {
                        out.located |= ifd(gps).iter().any(|(t, _)| matches!(t, 2 | 4));
                    }
                }
                0x010E | 0x013B | 0x8298 => out.texts.push(String::from_utf8_lossy(v).into_owned()),
                0x9C9B..=0x9C9F => out.texts.push(utf16(v, true)),
                0x9286 => {
                    let (code, text) = v.split_at(v.len().min(8));
                    out.texts.push(if code.starts_with(b"UNICODE") {
                        utf16(text, little)
                    } else {
                        String::from_utf8_lossy(text).into_owned()
                    });
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A little-endian TIFF structure: IFD0 with `entries` (tag, type, bytes), each
    /// value stored after the IFD.
    fn tiff(entries: &[(u16, u16, Vec<u8>)]) -> Vec<u8> {
        let mut t = b"II*\0\x08\0\0\0".to_vec();
        t.extend((entries.len() as u16).to_le_bytes());
        let mut data_at = 8 + 2 + 12 * entries.len() + 4;
        let mut data: Vec<u8> = Vec::new();
        for (tag, kind, v) in entries {
            t.extend(tag.to_le_bytes());
            t.extend(kind.to_le_bytes());
            let unit = if *kind == 4 { 4 } else { 1 };
            t.extend(((v.len() / unit) as u32).to_le_bytes());
            if v.len() <= 4 {
                let mut inline = v.clone();
                inline.resize(4, 0);
                t.extend(inline);
            } else {
                t.extend((data_at as u32).to_le_bytes());
                data.extend(v);
                data_at += v.len();
            }
        }
        t.extend(0u32.to_le_bytes());
        t.extend(data);
        t
    }

    #[test]
    fn photo_metadata_text_and_location_are_read() {
        let utf16: Vec<u8> = "联系13812345678"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let mut comment = b"ASCII\0\0\0".to_vec();
        comment.extend(b"ID 11010519491231002X");
        // XPComment in IFD0; UserComment in an Exif IFD that only a pointer reaches.
        let exif_ifd = tiff(&[(0x9286, 7, comment)]);
        let mut t = tiff(&[(0x9C9C, 1, utf16), (0x8769, 4, 0u32.to_le_bytes().to_vec())]);
        let at = t.len() as u32;
        // Point the Exif IFD pointer at a copy of `exif_ifd` appended, its own
        // offsets moved by `at - 8`.
        let ptr = 8 + 2 + 12 + 8;
        t[ptr..ptr + 4].copy_from_slice(&at.to_le_bytes());
        let ifd = &exif_ifd[8..];
        let mut moved = ifd.to_vec();
        let off = u32::from_le_bytes(moved[10..14].try_into().unwrap()) + at - 8;
        moved[10..14].copy_from_slice(&off.to_le_bytes());
        t.extend(moved);
        let mut out = Exif::default();
        read_tiff(&t, &mut out);
        let found: Vec<Kind> = out
            .texts
            .iter()
            .flat_map(|t| scan(t))
            .map(|f| f.kind)
            .collect();
        assert_eq!(found, [Kind::Mobile, Kind::IdNumber], "{:?}", out.texts);
        assert!(!out.located);

        // A PNG with an eXIf chunk whose GPS IFD has a longitude.
        let gps = tiff(&[(0x8825, 4, 26u32.to_le_bytes().to_vec())]);
        let mut gps = gps;
        gps.extend(1u16.to_le_bytes());
        gps.extend([4, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        gps.extend(0u32.to_le_bytes());
        let mut png_bytes = PNG.to_vec();
        png_bytes.extend((gps.len() as u32).to_be_bytes());
        png_bytes.extend(b"eXIf");
        png_bytes.extend(&gps);
        png_bytes.extend([0; 4]);
        assert!(png(&png_bytes).located);
        // Damaged offsets and loops never panic.
        for cut in 0..t.len() {
            read_tiff(&t[..cut], &mut Exif::default());
        }
        let _ = jpeg(&[0xFF, 0xD8, 0xFF, 0xE1, 0, 0]);
    }

    #[test]
    fn which_files_are_read_byte_by_byte() {
        for rel in [
            "static/.env",
            "static/a/b.swp",
            "themes/t/static/x.txt",
            "templates/page.html",
            "themes/t/templates/partials/x.html",
            "content/notices/b/x.dat",
        ] {
            assert!(is_scanned(Path::new(rel)), "{rel}");
        }
        for rel in [
            "content/notices/a.md",
            "content/notices/.a.md.swp",
            "content/.git/config",
            "templates/.page.html.swp",
            "themes/t/README.md",
            "config.toml",
            "public/index.html",
        ] {
            assert!(!is_scanned(Path::new(rel)), "{rel}");
        }
    }
}
