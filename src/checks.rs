//! Publish safety (SPEC §6): personal data and document leftovers that must never
//! reach a public site.
//!
//! [`scan`] finds, in any text, 18-digit resident ID numbers that are real (a valid
//! birth date and GB 11643 check character), unmasked mainland mobile numbers (also
//! written `138 1234 5678`, `138-1234-5678`, `+86…`), `密码：…`-style lines and the
//! `##paidbegin##` markers document-sharing sites leave behind. Digits inside a
//! longer run of digits or letters (a credit code, an order number) do not count.
//! [`check_files`] turns findings into diagnostics with the text masked, honouring the
//! site's `[privacy] allow` list and a page's `privacy_allow` waiver, which is
//! reported as a warning so it is never silent.

use std::ops::Range;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Text};
use crate::front_matter::Spanned;
use crate::text;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    IdNumber,
    Mobile,
    Password,
    PaidMarker,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    /// Byte range in the scanned text.
    pub span: Range<usize>,
    /// The number's digits (`13812345678`, `53010219900101123X`), or the text found.
    pub value: String,
    /// What a message may show: `138****5678`.
    pub masked: String,
}

/// Every finding in `text`, in order.
pub fn scan(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if let Some(f) = id_at(b, i).or_else(|| mobile_at(b, i)) {
            i = f.span.end;
            out.push(f);
            continue;
        }
        i += 1;
    }
    out.extend(secret_lines(text));
    out.extend(paid_markers(text));
    out.sort_by_key(|f| f.span.start);
    out
}

fn is_word(b: Option<&u8>) -> bool {
    b.is_some_and(|c| c.is_ascii_alphanumeric())
}

/// An 18-character resident ID number starting at `i`.
fn id_at(b: &[u8], i: usize) -> Option<Finding> {
    if i > 0 && is_word(b.get(i - 1)) {
        return None;
    }
    let s = b.get(i..i + 18)?;
    if !s[..17].iter().all(u8::is_ascii_digit)
        || !(s[17].is_ascii_digit() || s[17] == b'X' || s[17] == b'x')
        || is_word(b.get(i + 18))
    {
        return None;
    }
    let digits = std::str::from_utf8(s).ok()?.to_ascii_uppercase();
    if !valid_birth_date(&digits[6..14]) || check_char(&digits) != Some(digits.as_bytes()[17]) {
        return None;
    }
    Some(Finding {
        kind: Kind::IdNumber,
        span: i..i + 18,
        masked: format!("{}********{}", &digits[..6], &digits[14..]),
        value: digits,
    })
}

fn valid_birth_date(ymd: &str) -> bool {
    let n = |r: Range<usize>| ymd[r].parse::<i16>().ok();
    match (n(0..4), n(4..6), n(6..8)) {
        (Some(y), Some(m), Some(d)) if (1900..=2100).contains(&y) => {
            jiff::civil::Date::new(y, m as i8, d as i8).is_ok()
        }
        _ => false,
    }
}

/// The GB 11643-1999 check character of an ID number's first 17 digits.
pub fn check_char(id: &str) -> Option<u8> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let digits: Vec<u32> = id
        .bytes()
        .take(17)
        .map(|c| (c as char).to_digit(10))
        .collect::<Option<_>>()?;
    if digits.len() != 17 {
        return None;
    }
    let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
    Some(b"10X98765432"[(sum % 11) as usize])
}

/// A mainland mobile number starting at `i`: `13812345678`, `138 1234 5678`,
/// `138-1234-5678`, with an optional `+86`/`86` prefix.
fn mobile_at(b: &[u8], i: usize) -> Option<Finding> {
    if i > 0 && (is_word(b.get(i - 1)) || b[i - 1] == b'+') {
        return None;
    }
    let after_prefix = |j: usize| {
        if matches!(b.get(j), Some(b' ' | b'-')) {
            j + 1
        } else {
            j
        }
    };
    let start = match (b.get(i), b.get(i + 1..i + 3)) {
        (Some(b'+'), Some(b"86")) => after_prefix(i + 3),
        (Some(b'+'), _) => return None,
        (Some(b'8'), Some([b'6', _])) if b.get(i..i + 2) == Some(b"86") => after_prefix(i + 2),
        _ => i,
    };
    let (digits, end) = mobile_digits(b, start)?;
    Some(Finding {
        kind: Kind::Mobile,
        span: i..end,
        masked: format!("{}****{}", &digits[..3], &digits[7..]),
        value: digits,
    })
}

/// Eleven digits `1[3-9]…` from `j`, one separator style allowed between the 3-4-4
/// groups, not followed by another digit or letter.
fn mobile_digits(b: &[u8], mut j: usize) -> Option<(String, usize)> {
    let mut digits = String::with_capacity(11);
    let mut sep: Option<u8> = None;
    while digits.len() < 11 {
        let c = *b.get(j)?;
        if c.is_ascii_digit() {
            digits.push(c as char);
            j += 1;
        } else if (c == b' ' || c == b'-') && (digits.len() == 3 || digits.len() == 7) {
            if sep.is_some_and(|s| s != c) || !b.get(j + 1).is_some_and(u8::is_ascii_digit) {
                return None;
            }
            sep = Some(c);
            j += 1;
        } else {
            return None;
        }
    }
    let d = digits.as_bytes();
    if is_word(b.get(j)) || d[0] != b'1' || !(b'3'..=b'9').contains(&d[1]) {
        return None;
    }
    Some((digits, j))
}

/// `密码：abc123`, `口令: 8848`, `提取码：x1y2`, `password: …` — a secret written down.
fn secret_lines(text: &str) -> Vec<Finding> {
    const WORDS: &[&str] = &["密码", "口令", "提取码", "password", "Password", "PASSWORD"];
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        for w in WORDS {
            let Some(at) = line.find(w) else { continue };
            let rest = &line[at + w.len()..];
            let trimmed = rest.trim_start_matches([' ', '\t', '　']);
            let Some(after_colon) = trimmed
                .strip_prefix('：')
                .or_else(|| trimmed.strip_prefix(':'))
            else {
                continue;
            };
            let secret = after_colon.trim();
            if secret.is_empty() {
                continue;
            }
            let start = offset + at;
            let end = offset + line.trim_end().len();
            out.push(Finding {
                kind: Kind::Password,
                span: start..end.max(start + w.len()),
                masked: format!("{w}：******"),
                value: line[at..].trim_end().to_string(),
            });
            break;
        }
        offset += line.len();
    }
    out
}

/// `##paidbegin##`, `##paidend##` and kin, in any case.
fn paid_markers(text: &str) -> Vec<Finding> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = lower[from..].find("##paid") {
        let start = from + at;
        let rest = &lower[start + 6..];
        let end = match rest.find("##") {
            Some(k) if k <= 16 && rest[..k].bytes().all(|c| c.is_ascii_alphabetic()) => {
                start + 6 + k + 2
            }
            _ => start + 6,
        };
        out.push(Finding {
            kind: Kind::PaidMarker,
            span: start..end,
            masked: text[start..end].to_string(),
            value: text[start..end].to_string(),
        });
        from = end;
    }
    out
}

/// Digits (and a trailing X) of a number as written in an allow-list.
pub fn normalise(number: &str) -> String {
    let s: String = number
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'X' || *c == 'x')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    // +86 / 0086 before a mobile number.
    if s.len() == 13 && s.starts_with("861") {
        return s[2..].to_string();
    }
    if s.len() == 15 && s.starts_with("00861") {
        return s[4..].to_string();
    }
    s
}

/// One file to check: its path for messages, its text, and the page's waivers.
pub struct FileToCheck<'a> {
    pub rel: &'a Path,
    pub text: &'a str,
    pub waivers: &'a [Spanned<String>],
}

/// Diagnostics for every finding in `files` not allowed by `site_allow` (config.toml
/// `[privacy] allow`) or waived by the page; a waiver in use is a warning.
pub fn check_files(files: &[FileToCheck<'_>], site_allow: &[String]) -> Vec<Diagnostic> {
    let allowed: Vec<String> = site_allow.iter().map(|a| normalise(a)).collect();
    files
        .par_iter()
        .flat_map_iter(|f| check_file(f, &allowed))
        .collect()
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
        let numeric = matches!(finding.kind, Kind::IdNumber | Kind::Mobile);
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

/// Whether the privacy checks read a file of this name, when it is in content/ or
/// static/ (they read hidden files too: those are published by a plain copy).
pub fn is_published_text(path: &Path) -> bool {
    const EXT: &[&str] = &[
        "csv", "tsv", "json", "toml", "txt", "html", "htm", "xml", "yaml", "yml",
    ];
    path.extension()
        .and_then(|x| x.to_str())
        .is_some_and(|x| EXT.contains(&x.to_ascii_lowercase().as_str()))
}

/// Text files under `dir` that are published as they are (data files, static pages).
pub fn published_text_files(dir: &Path, root: &Path) -> Vec<(PathBuf, PathBuf)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| is_published_text(e.path()))
        .filter_map(|e| {
            let rel = e.path().strip_prefix(root).ok()?.to_path_buf();
            Some((e.path().to_path_buf(), rel))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        scan(text).into_iter().map(|f| (f.kind, f.masked)).collect()
    }

    #[test]
    fn id_numbers_need_a_real_birth_date_and_check_character() {
        // 11010519491231002X is the standard's own example.
        assert_eq!(check_char("11010519491231002"), Some(b'X'));
        assert_eq!(
            kinds("身份证号11010519491231002X。"),
            [(Kind::IdNumber, "110105********002X".to_string())]
        );
        assert!(
            kinds("身份证号110105194912310021。").is_empty(),
            "wrong check digit"
        );
        assert!(kinds("110105194913310028").is_empty(), "month 13");
        assert!(
            kinds("编号911101051949123100X").is_empty(),
            "inside a longer code"
        );
        assert!(kinds("91110105MA01234567").is_empty(), "a credit code");
    }

    #[test]
    fn mobiles_in_the_ways_people_write_them() {
        for s in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "+86 13812345678",
            "+86-138-1234-5678",
            "8613812345678",
        ] {
            let k = kinds(&format!("电话：{s}。"));
            assert_eq!(k, [(Kind::Mobile, "138****5678".to_string())], "{s}");
        }
        for s in [
            "138****5678",
            "12812345678",
            "1381234567",
            "138123456789",
            "0875-2123456",
            "12350",
            "No.13812345678A",
            "138 1234-5678",
        ] {
            assert!(kinds(&format!("电话：{s}。")).is_empty(), "{s}");
        }
    }

    #[test]
    fn passwords_and_paywall_markers() {
        assert_eq!(kinds("附件\n密码：abc123\n")[0].0, Kind::Password);
        assert_eq!(kinds("提取码: x1y2")[0].0, Kind::Password);
        assert!(kinds("不要把银行卡密码告诉陌生人。").is_empty());
        assert!(kinds("密码：\n").is_empty());
        let k = kinds("正文##PaidBegin##内容##paidend##");
        assert_eq!(k.len(), 2);
        assert_eq!(k[0].1, "##PaidBegin##");
    }

    #[test]
    fn spans_point_at_the_text() {
        let text = "联系人：张三 138-1234-5678";
        let f = &scan(text)[0];
        assert_eq!(&text[f.span.clone()], "138-1234-5678");
        assert_eq!(normalise("+86 138-1234-5678"), "13812345678");
    }
}
