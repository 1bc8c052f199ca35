//! Turns titles, file names and terms into URL path segments.
//!
//! Every URL anxuan writes is lowercase ASCII, because WeChat and older phone browsers
//! mangle percent-encoded Chinese paths when a link is copied or shared. Chinese
//! characters become their toneless pinyin syllables, one segment word each
//! (`防汛通知` → `fang-xun-tong-zhi`). Automatic pinyin cannot know which reading a
//! polyphonic character takes in context (重庆 is read chóng, not zhòng), so pages and
//! terms may set `slug` by hand; this module never guesses beyond the dictionary.
//! This module does no I/O and never fails: an input with nothing sluggable gives "".

use pinyin::ToPinyin;

/// Slugifies `text`: ASCII letters and digits are kept (lowercased), each CJK
/// character becomes one pinyin word, and everything else separates words.
pub(crate) fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    // true while the last thing pushed was part of an ASCII word that may continue
    let mut in_ascii_word = false;
    for ch in text.chars() {
        if ch.is_ascii_alphanumeric() {
            if !in_ascii_word && !out.is_empty() {
                out.push('-');
            }
            out.push(ch.to_ascii_lowercase());
            in_ascii_word = true;
        } else if let Some(py) = ch.to_pinyin() {
            if !out.is_empty() {
                out.push('-');
            }
            push_ascii_syllable(&mut out, py.plain());
            in_ascii_word = false;
        } else if let Some(digit) = fullwidth_ascii(ch) {
            // Full-width letters and digits (２０２３) are common in text typed with a
            // Chinese input method; treat them as their ASCII forms.
            if !in_ascii_word && !out.is_empty() {
                out.push('-');
            }
            out.push(digit.to_ascii_lowercase());
            in_ascii_word = true;
        } else {
            in_ascii_word = false;
        }
    }
    out
}

/// Pinyin's `ü` (绿 lü, 女 nü) is written `v` in ASCII, as every Chinese input method does.
fn push_ascii_syllable(out: &mut String, syllable: &str) {
    for c in syllable.chars() {
        match c {
            'ü' => out.push('v'),
            c if c.is_ascii() => out.push(c),
            _ => {}
        }
    }
}

fn fullwidth_ascii(ch: char) -> Option<char> {
    let c = ch as u32;
    if (0xFF10..=0xFF19).contains(&c)
        || (0xFF21..=0xFF3A).contains(&c)
        || (0xFF41..=0xFF5A).contains(&c)
    {
        char::from_u32(c - 0xFEE0)
    } else {
        None
    }
}

/// True when `slug` is already a valid anxuan URL segment: lowercase ASCII letters,
/// digits and single hyphens, not starting or ending with a hyphen.
pub(crate) fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_becomes_toneless_pinyin_words() {
        assert_eq!(slugify("防汛通知"), "fang-xun-tong-zhi");
        assert_eq!(slugify("地质灾害"), "di-zhi-zai-hai");
    }

    #[test]
    fn ascii_words_and_numbers_stay_whole() {
        assert_eq!(
            slugify("2023年安全生产月"),
            "2023-nian-an-quan-sheng-chan-yue"
        );
        assert_eq!(slugify("Flood Season 2023"), "flood-season-2023");
        assert_eq!(slugify("a_b.md"), "a-b-md");
    }

    #[test]
    fn umlaut_u_is_written_v() {
        assert_eq!(slugify("绿色"), "lv-se");
    }

    #[test]
    fn fullwidth_digits_and_punctuation() {
        assert_eq!(
            slugify("２０２３年“百日攻坚”"),
            "2023-nian-bai-ri-gong-jian"
        );
    }

    #[test]
    fn nothing_sluggable_is_empty() {
        assert_eq!(slugify("——！"), "");
        assert!(!is_valid_slug(""));
        assert!(is_valid_slug("fang-xun"));
        assert!(!is_valid_slug("Fang"));
    }
}
