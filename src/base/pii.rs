//! What counts as personal data or a document leftover in a piece of text: the
//! detector behind publish safety (`checks`) and the masking of every message that
//! shows a source line (`diagnostic`). It must not read files or make diagnostics:
//! it returns findings with byte spans, and callers decide what they mean.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    IdNumber,
    Mobile,
    Password,
    PaidMarker,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) kind: Kind,
    /// Byte range in the scanned text.
    pub(crate) span: Range<usize>,
    /// The number's digits (`13812345678`, `53010219900101123X`), or the text found.
    pub(crate) value: String,
    /// What a message may show: `138****5678`.
    pub(crate) masked: String,
}

/// Every finding in `text`, in order, with spans into `text`.
pub(crate) fn scan(text: &str) -> Vec<Finding> {
    scan_view(text, true)
}

/// Findings in text whose positions no message shows (from inside a binary file):
/// spared the map back to the original, which a large file would make large.
pub(crate) fn scan_unplaced(text: &str) -> Vec<Finding> {
    scan_view(text, false)
}

fn scan_view(text: &str, spans: bool) -> Vec<Finding> {
    let view = View::of(text, spans);
    let b = view.text.as_bytes();
    let mut out = Vec::new();
    // Every number starts at a digit or a `+`: the bytes between are skipped at once.
    let starts = |c: &u8| c.is_ascii_digit() || *c == b'+';
    let next = |from: usize| from + b[from..].iter().position(starts).unwrap_or(b.len() - from);
    let mut i = next(0);
    while i < b.len() {
        if let Some(f) = id_at(b, i)
            .or_else(|| old_id_at(b, i))
            .or_else(|| mobile_at(&view.text, i))
        {
            i = f.span.end;
            out.push(f);
        } else {
            i += 1;
        }
        i = next(i);
    }
    // The keywords are matched without case, on one lowercase copy for both.
    let lower = view.text.to_ascii_lowercase();
    out.extend(secrets(&view.text, &lower));
    out.extend(paid_markers(&view.text, &lower));
    for f in &mut out {
        f.span = view.original(f.span.start)..view.original(f.span.end);
    }
    out.sort_by_key(|f| f.span.start);
    out
}

/// The text as the scan reads it, the way a reader sees it rather than the way an
/// IME, Word or an HTML editor wrote it: full-width forms (`１３８`, `：`) as ASCII,
/// character references (`&#49;`, `&nbsp;`) decoded, every kind of space as a plain
/// space and zero-width characters gone. Findings keep pointing at the original
/// file:line:column through `marks`: (offset in `text`, offset in the original) at
/// each end of every character that changed length, between which the two run
/// alike.
struct View {
    text: String,
    marks: Vec<(usize, usize)>,
}

impl View {
    fn of(original: &str, spans: bool) -> View {
        let mut view = View {
            text: String::with_capacity(original.len()),
            marks: vec![(0, 0)],
        };
        let bytes = original.as_bytes();
        let mut i = 0;
        loop {
            // Only a `&` and characters whose first byte is one of these read differently
            // (see [`plain`]): the runs between them are copied as they are.
            let run = bytes[i..]
                .iter()
                .position(|b| matches!(b, b'&' | 0xC2 | 0xE2 | 0xE3 | 0xEF))
                .unwrap_or(bytes.len() - i);
            view.text.push_str(&original[i..i + run]);
            i += run;
            let Some(c) = original[i..].chars().next() else {
                break;
            };
            let (c, len) = match c {
                '&' => reference(&original[i..]).unwrap_or((Some('&'), 1)),
                c => (Some(c), c.len_utf8()),
            };
            let c = c.and_then(plain);
            let out = c.map_or(0, char::len_utf8);
            if spans && out != len {
                view.marks.push((view.text.len(), i));
                view.marks.push((view.text.len() + out, i + len));
            }
            view.text.extend(c);
            i += len;
        }
        view
    }

    /// The offset in the original of an offset of the view (a character boundary).
    fn original(&self, at: usize) -> usize {
        let k = self.marks.partition_point(|m| m.0 <= at).saturating_sub(1);
        let (v, o) = self.marks[k];
        o + (at - v)
    }
}

/// A character as the scan reads it, or `None` for one that shows as nothing.
fn plain(c: char) -> Option<char> {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        '\u{3000}' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => Some(' '),
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => None,
        c => Some(c),
    }
}

/// A character reference at the start of `s` (`&#49;`, `&#x31;`, `&nbsp;`) and its
/// length; `None` for a `&` that starts none.
fn reference(s: &str) -> Option<(Option<char>, usize)> {
    let end = s.bytes().take(12).position(|c| c == b';')?;
    let name = &s[1..end];
    let c = if let Some(num) = name.strip_prefix('#') {
        let n = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        Some(char::from_u32(n)?)
    } else {
        match name {
            "nbsp" | "ensp" | "emsp" | "thinsp" => Some(' '),
            "zwj" | "zwnj" | "shy" => None,
            "amp" => Some('&'),
            _ => return None,
        }
    };
    Some((c, end + 1))
}

fn is_word(b: Option<&u8>) -> bool {
    b.is_some_and(|c| c.is_ascii_alphanumeric())
}

/// Whether what comes before `i` lets a number start there: not a digit or a `+`,
/// and letters only as a short label glued on (`TEL13812345678`, `wx…`, `QQ…`), not
/// as part of a longer code (`91110105MA…`, `No.…`).
fn starts_number(b: &[u8], i: usize) -> bool {
    let letters = b[..i]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    let before = i.checked_sub(letters + 1).map(|k| b[k]);
    if letters > 4 || before.is_some_and(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    // A decimal point: `0.13812345678` is a fraction.
    let decimal = letters == 0 && before == Some(b'.') && i >= 2 && b[i - 2].is_ascii_digit();
    !(decimal || (letters == 0 && before == Some(b'+')))
}

/// `n` characters of a number from `j` (digits, and an `X` last if `x_last`), with
/// a run of separators (spaces, `-`, `.`, a tab, one line break) allowed before the
/// characters at `groups`; the characters and where they end.
fn number_at(
    b: &[u8],
    mut j: usize,
    n: usize,
    groups: &[usize],
    x_last: bool,
) -> Option<(String, usize)> {
    let mut s = String::with_capacity(n);
    while s.len() < n {
        if groups.contains(&s.len()) {
            j = after_separators(b, j);
        }
        let c = *b.get(j)?;
        if c.is_ascii_digit() || (x_last && s.len() == n - 1 && (c == b'X' || c == b'x')) {
            s.push(c.to_ascii_uppercase() as char);
            j += 1;
        } else {
            return None;
        }
    }
    Some((s, j))
}

/// Where a run of at most three separators from `j` ends (`j` itself when none).
fn after_separators(b: &[u8], j: usize) -> usize {
    let mut k = j;
    let mut breaks = 0;
    while k < b.len() && k - j < 3 {
        match b[k] {
            b' ' | b'-' | b'.' | b'\t' => {}
            b'\n' if breaks == 0 => breaks += 1,
            _ => break,
        }
        k += 1;
    }
    if b.get(k).is_some_and(u8::is_ascii_digit) {
        k
    } else {
        j
    }
}

/// Whether a number ending at `j` ends there: no digit or letter follows, nor a
/// decimal point and digit.
fn ends_number(b: &[u8], j: usize) -> bool {
    let decimal = b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(u8::is_ascii_digit);
    !(is_word(b.get(j)) || decimal)
}

/// An 18-character resident ID number starting at `i`, also written in groups
/// (`110105 19491231 002X`).
fn id_at(b: &[u8], i: usize) -> Option<Finding> {
    if !b[i].is_ascii_digit() || !starts_number(b, i) {
        return None;
    }
    let (digits, end) = number_at(b, i, 18, &[6, 10, 14], true)?;
    if !ends_number(b, end)
        || !valid_birth_date(&digits[6..14])
        || check_char(&digits) != Some(digits.as_bytes()[17])
    {
        return None;
    }
    Some(Finding {
        kind: Kind::IdNumber,
        span: i..end,
        masked: format!("{}********{}", &digits[..6], &digits[14..]),
        value: digits,
    })
}

/// A 15-digit ID number of before 1999 (GB 11643-1989: area, `YYMMDD`, sequence; no
/// check character), so only with a province that exists and a real date of birth.
fn old_id_at(b: &[u8], i: usize) -> Option<Finding> {
    if !b[i].is_ascii_digit() || !starts_number(b, i) {
        return None;
    }
    let (digits, end) = number_at(b, i, 15, &[6, 12], false)?;
    let province: u8 = digits[..2].parse().ok()?;
    let known = matches!(province, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81 | 82);
    if !ends_number(b, end)
        || !known
        || &digits[2..6] == "0000"
        || !valid_birth_date(&format!("19{}", &digits[6..12]))
    {
        return None;
    }
    Some(Finding {
        kind: Kind::IdNumber,
        span: i..end,
        masked: format!("{}******{}", &digits[..6], &digits[12..]),
        value: digits,
    })
}

fn valid_birth_date(ymd: &str) -> bool {
    let n = |r: Range<usize>| ymd.get(r)?.parse::<i16>().ok();
    match (n(0..4), n(4..6), n(6..8)) {
        (Some(y), Some(m), Some(d)) if (1900..=2100).contains(&y) => {
            jiff::civil::Date::new(y, m as i8, d as i8).is_ok()
        }
        _ => false,
    }
}

/// The GB 11643-1999 check character of an ID number's first 17 digits.
pub(crate) fn check_char(id: &str) -> Option<u8> {
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

/// A mainland mobile number starting at `i`: `13812345678`, in 3-4-4 groups with any
/// separators (`138 1234-5678`, `138.1234.5678`, across a line break), with an
/// optional `+86`/`0086`/`86` prefix, or a short label glued on (`TEL138…`). Not an
/// amount: `15600000000元`, `￥15600000000`.
fn mobile_at(text: &str, i: usize) -> Option<Finding> {
    let b = text.as_bytes();
    if !(b[i].is_ascii_digit() || b[i] == b'+') || !starts_number(b, i) {
        return None;
    }
    let start = if b[i..].starts_with(b"+86") {
        after_separators(b, i + 3)
    } else if b[i] == b'+' {
        return None;
    } else if b[i..].starts_with(b"0086") {
        after_separators(b, i + 4)
    } else if b[i..].starts_with(b"86") && b.get(i + 2) == Some(&b'1') {
        i + 2
    } else {
        i
    };
    let (digits, end) = number_at(b, start, 11, &[3, 7], false)?;
    let d = digits.as_bytes();
    if !ends_number(b, end) || d[0] != b'1' || !(b'3'..=b'9').contains(&d[1]) {
        return None;
    }
    const UNITS: &[char] = &[
        '元', '万', '亿', '人', '户', '次', '块', '千', '百', '余', '多', '美',
    ];
    let before = text[..i].trim_end_matches(' ');
    if text[end..].trim_start_matches(' ').starts_with(UNITS) || before.ends_with(['¥', '￥']) {
        return None;
    }
    Some(Finding {
        kind: Kind::Mobile,
        span: i..end,
        masked: format!("{}****{}", &digits[..3], &digits[7..]),
        value: digits,
    })
}

/// `密码：abc123`, `密码是123456`, `口令: 8848`, `提取码：x1y2`, `pwd=…` — a secret
/// written down, anywhere in a line: a keyword, then perhaps `是`/`为`/`:`/`=`, then a
/// value that looks like a secret (3-16 ASCII letters, digits or symbols, ending the
/// phrase). Advice about secrets (`银行卡密码：任何人索要都是诈骗`, `设置密码：至少8位`,
/// `防汛口令`) has words there, not a value, and passes.
fn secrets(text: &str, lower: &str) -> Vec<Finding> {
    const WORDS: &[&str] = &[
        "密码",
        "密碼",
        "口令",
        "提取码",
        "提取碼",
        "password",
        "passwd",
        "pwd",
    ];
    let b = text.as_bytes();
    let mut found: Vec<Finding> = Vec::new();
    // `contains` is a vectorised search and most texts hold no keyword at all: the
    // slower search for each place runs only where one is.
    for w in WORDS.iter().filter(|w| lower.contains(**w)) {
        for (at, _) in lower.match_indices(w) {
            let ascii = w.is_ascii();
            if ascii && at > 0 && b[at - 1].is_ascii_alphabetic() {
                continue;
            }
            let Some(end) = secret_value(text, at + w.len(), ascii) else {
                continue;
            };
            if found.iter().any(|f| f.span.start < end && at < f.span.end) {
                continue;
            }
            found.push(Finding {
                kind: Kind::Password,
                span: at..end,
                masked: format!("{}：******", &text[at..at + w.len()]),
                value: text[at..end].to_string(),
            });
        }
    }
    found
}

/// Where a secret's value after a keyword (ending at `from`) ends, if one follows.
fn secret_value(text: &str, from: usize, ascii_word: bool) -> Option<usize> {
    let rest = &text[from..];
    if ascii_word && rest.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    let r = rest.trim_start_matches([' ', '\t']);
    let r = ["是", "为", "為", ":", "="]
        .iter()
        .find_map(|c| r.strip_prefix(c))
        .unwrap_or(r);
    let r = r.trim_start_matches([' ', '\t']);
    let r = r.strip_prefix(['"', '\'', '“', '‘', '「']).unwrap_or(r);
    let start = text.len() - r.len();
    let len = r
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || b"!@#$%^&*_+-.~".contains(c))
        .count();
    let value = &r[..len];
    // A full stop or a dash ends a sentence more often than it ends a password.
    let value = value.trim_end_matches(['.', '-']);
    let next = r[value.len()..].chars().next();
    let letters_only = value.bytes().all(|c| c.is_ascii_alphabetic());
    // Letters, then two more words: an English sentence, not a password.
    let prose = letters_only && {
        let after = &r[value.len()..];
        let words = after
            .split(' ')
            .skip(1)
            .take(2)
            .filter(|w| !w.is_empty() && w.bytes().all(|c| c.is_ascii_alphabetic()))
            .count();
        after.starts_with(' ') && words == 2
    };
    let ends_phrase = next.is_none_or(|c| !c.is_alphanumeric());
    ((3..=16).contains(&value.len())
        && value.bytes().any(|c| c.is_ascii_alphanumeric())
        && ends_phrase
        && !prose)
        .then_some(start + value.len())
}

/// `##paidbegin##`, `##paidend##` and kin, in any case.
fn paid_markers(text: &str, lower: &str) -> Vec<Finding> {
    if !lower.contains("##paid") {
        return Vec::new();
    }
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
pub(crate) fn normalise(number: &str) -> String {
    let s: String = number
        .chars()
        .filter_map(plain)
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
            "0086 138 1234 5678",
            "１３８１２３４５６７８",
            "138.1234.5678",
            "138\u{a0}1234\u{a0}5678",
            "138\u{3000}1234\u{3000}5678",
            "138  1234  5678",
            "138 1234-5678",
            "138\n1234 5678",
            "138\u{200b}1234\u{feff}5678",
            "&#49;&#51;&#56;&#49;&#50;&#51;&#52;&#53;&#54;&#55;&#56;",
            "13812345&#x36;78",
            "TEL13812345678",
            "wx13812345678",
            "QQ:13812345678",
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
            "15600000000元",
            "15600000000 万元",
            "￥15600000000",
            "0.13812345678",
            "13812345678.5",
            "ORDER13812345678",
            "9wx13812345678",
        ] {
            assert!(kinds(&format!("电话：{s}。")).is_empty(), "{s}");
        }
    }

    #[test]
    fn id_numbers_in_groups_full_width_and_of_before_1999() {
        for s in [
            "110105 19491231 002X",
            "110105-1949-1231-002X",
            "１１０１０５１９４９１２３１００２Ｘ",
        ] {
            assert_eq!(
                kinds(&format!("身份证：{s}。")),
                [(Kind::IdNumber, "110105********002X".to_string())],
                "{s}"
            );
        }
        assert_eq!(
            kinds("老身份证 110105491231002。"),
            [(Kind::IdNumber, "110105******002".to_string())]
        );
        for s in [
            "990105491231002",
            "110000491231002",
            "110105491331002",
            "1101054912310021",
        ] {
            assert!(kinds(&format!("编号 {s}。")).is_empty(), "{s}");
        }
    }

    #[test]
    fn spans_of_rewritten_digits_point_at_the_original() {
        let text = "电话 &#49;38１２３４5678 完";
        let f = &scan(text)[0];
        assert_eq!(&text[f.span.clone()], "&#49;38１２３４5678");
        assert_eq!(f.value, "13812345678");
        assert_eq!(normalise("１３８-1234-5678"), "13812345678");
    }

    /// The view copies runs of characters that read as they are and rewrites the
    /// others one by one: numbers after, inside and between both kinds are found at
    /// their place in the original.
    #[test]
    fn numbers_among_every_kind_of_rewritten_character_keep_their_place() {
        // Lead bytes 0xC2 (NBSP, soft hyphen), 0xE2 (zero-width, thin space), 0xE3
        // (ideographic space, 。), 0xEF (full-width digits, BOM) and `&`, and bytes
        // that lead nothing rewritten (Han, é, an emoji).
        let text =
            "é\u{a0}甲\u{ad}乙\u{200b}。\u{3000}丙😀１３８\u{2009}1234\u{feff}5678，&amp;又 \
                    &#x31;３９-8765-4321。身份证11010519491231002X完";
        let found: Vec<(&str, String)> = scan(text)
            .into_iter()
            .map(|f| (&text[f.span], f.masked))
            .collect();
        assert_eq!(
            found,
            [
                ("１３８\u{2009}1234\u{feff}5678", "138****5678".into()),
                ("&#x31;３９-8765-4321", "139****4321".into()),
                ("11010519491231002X", "110105********002X".into()),
            ]
        );
    }

    #[test]
    fn secrets_are_values_after_a_keyword_and_advice_is_not() {
        for s in [
            "密码：abc123",
            "密码是123456",
            "口令: 8848",
            "说明。密碼：x9y8z7",
            "pwd:abc123",
            "Password = s3cret!",
            "密码 = xxx",
            "wifi 密码为 \"88889999\"。",
        ] {
            assert_eq!(kinds(s).len(), 1, "{s}");
            assert_eq!(kinds(s)[0].0, Kind::Password, "{s}");
        }
        assert_eq!(kinds("账号 a1，密码：abc123，备用密码：def456").len(), 2);
        let line = "密码是123456 密码：abc 备用密码：x9y8z7 密碼：abcd pwd:abc123 密码 = xxx";
        assert_eq!(kinds(line).len(), 6, "{:?}", scan(line));
        for s in [
            "验证码、密码：一律不要告诉他人",
            "银行卡密码：任何人索要都是诈骗",
            "设置密码：至少8位",
            "设置密码：6-20位字母和数字",
            "防汛口令：人人知晓，户户参与",
            "密码：******",
            "never tell your password: banks never ask",
            "passwords are secret",
        ] {
            assert!(kinds(s).is_empty(), "{s}: {:?}", kinds(s));
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
