//! A warning's texts for the other channels staff relay it through, made from the
//! same front matter as its page so that nobody retypes a warning under time
//! pressure: the SMS (at most 70 characters as Chinese carriers count them: every
//! character, digit and punctuation mark is one, the 【signature】 included) and the
//! loudspeaker script (广播稿: spoken Chinese, numbers and times as they are said,
//! telephone numbers digit by digit, the key action repeated, at most two minutes at
//! about 220 characters a minute). A warning's texts follow its state: none for an
//! expired warning, a 解除 text for a lifted one. Front-matter `sms` and `broadcast`
//! override them; an `sms` over 70 is an error at its line.
//!
//! These texts are for staff, never part of the public site: this module must not
//! hand them to the render queue (`anxuan channels` writes them beside the site,
//! `serve` shows them to staff).

use std::path::PathBuf;

use jiff::Zoned;

use crate::base::diagnostic::Diagnostic;
use crate::model::{Site, WarningStatus};
use crate::parse::meta::WarningMeta;
use crate::text;

/// Chinese carriers bill a longer text as two messages, and phones may show them
/// apart or out of order.
pub(crate) const SMS_LIMIT: usize = 70;

/// About 220 characters a minute when read aloud slowly; two minutes at most.
pub(crate) const SCRIPT_LIMIT: usize = 440;

/// The texts of one warning.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Texts {
    /// The page's source file, and its output path (`warnings/bao-yu/`).
    pub rel: PathBuf,
    pub path: String,
    pub title: String,
    pub sms: String,
    /// The made SMS had to leave something out to fit (the areas, say).
    pub sms_shortened: bool,
    pub script: String,
    /// Words of the script a reader should check (多音字), with the reading.
    pub polyphones: Vec<String>,
}

/// The SMS signature: 【XX镇】.
fn signature(site: &Site) -> String {
    let name = if site.config.township.is_empty() {
        &site.config.title
    } else {
        &site.config.township
    };
    format!("【{name}】")
}

/// How many characters a carrier counts.
pub(crate) fn sms_length(text: &str) -> usize {
    text.chars().count()
}

/// 7月11日8时 / 7月11日8时30分, in the site's zone.
fn written_time(t: &Zoned) -> String {
    if t.minute() == 0 {
        format!("{}月{}日{}时", t.month(), t.day(), t.hour())
    } else {
        format!("{}月{}日{}时{}分", t.month(), t.day(), t.hour(), t.minute())
    }
}

/// The telephone number staff give: the warning's `contact`, else the site's duty
/// line (a hotline named 值班 or 应急), else its first hotline.
fn hotline(site: &Site, w: &WarningMeta) -> Option<(String, String)> {
    if !w.contact.is_empty() {
        return Some(("咨询电话".into(), w.contact.clone()));
    }
    let h = &site.config.hotlines;
    h.iter()
        .find(|h| h.name.contains("值班") || h.name.contains("应急"))
        .or(h.first())
        .map(|h| (h.name.clone(), h.number.clone()))
}

/// The SMS made from a warning: the first candidate that fits, from the fullest
/// (areas, issuer, the hotline's name) to the barest; `true` if it is not the first.
fn made_sms(site: &Site, w: &WarningMeta, lifted: Option<&Zoned>) -> (String, bool) {
    let sig = signature(site);
    let who = w.issuer_or(&site.config.township);
    let what = format!("{}{}预警", w.hazard, w.level.zh);
    let phone = hotline(site, w);
    let tel = |named: bool| match &phone {
        Some((name, number)) if named => format!("{name}{number}"),
        Some((_, number)) => format!("电话{number}"),
        None => String::new(),
    };
    let mut candidates = Vec::new();
    match lifted {
        Some(at) => {
            let when = written_time(at);
            candidates.push(format!(
                "{sig}{who}于{when}解除{what}，请恢复正常生产生活。{}",
                tel(true)
            ));
            candidates.push(format!("{sig}{who}于{when}解除{what}。{}", tel(true)));
            candidates.push(format!("{sig}{when}解除{what}。{}", tel(false)));
        }
        None => {
            let until = written_time(&w.expires);
            let action = w
                .guidance
                .first()
                .map(|a| a.trim_end_matches(['。', '；', ';']))
                .unwrap_or("注意防范");
            let areas = if w.areas.is_empty() {
                String::new()
            } else {
                format!("{}：", w.areas.join("、"))
            };
            candidates.push(format!(
                "{sig}{who}发布{what}，有效至{until}。{areas}{action}。{}",
                tel(true)
            ));
            candidates.push(format!(
                "{sig}{who}发布{what}，有效至{until}。{action}。{}",
                tel(true)
            ));
            candidates.push(format!(
                "{sig}{what}，有效至{until}。{action}。{}",
                tel(false)
            ));
            // The barest: the action cut to what is left, so the hotline stays. `bare`
            // is that text without the action (its two 。 kept), to measure the room.
            let bare = format!("{sig}{what}，至{until}。。{}", tel(false));
            let room = SMS_LIMIT.saturating_sub(sms_length(&bare));
            let cut: String = action.chars().take(room).collect();
            candidates.push(format!("{sig}{what}，至{until}。{cut}。{}", tel(false)));
        }
    }
    let fits = candidates.iter().position(|c| sms_length(c) <= SMS_LIMIT);
    match fits {
        Some(i) => (candidates[i].clone(), i > 0),
        None => {
            let last = candidates.last().cloned().unwrap_or_default();
            (last.chars().take(SMS_LIMIT).collect(), true)
        }
    }
}

/// A clerk's `sms`, with the signature put in front when it does not start with one.
fn written_sms(site: &Site, text: &str) -> String {
    let text = text.trim();
    if text.starts_with('【') {
        text.to_string()
    } else {
        format!("{}{text}", signature(site))
    }
}

const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// A whole number as it is said: 50 → 五十, 105 → 一百零五, 2000 → 两千.
pub(crate) fn spoken_number(n: u64) -> String {
    if n < 10 {
        return DIGITS[n as usize].to_string();
    }
    if n >= 100_000_000 {
        return n
            .to_string()
            .chars()
            .map(|c| DIGITS[c as usize - '0' as usize])
            .collect();
    }
    if n >= 10_000 {
        let (high, low) = (n / 10_000, n % 10_000);
        let mut s = format!("{}万", spoken_number(high));
        if low > 0 {
            if low < 1000 {
                s.push('零');
            }
            s.push_str(&spoken_number(low));
        }
        return s;
    }
    let units = [(1000, "千"), (100, "百"), (10, "十")];
    let mut s = String::new();
    let mut rest = n;
    let mut zero = false;
    for (u, name) in units {
        let d = rest / u;
        rest %= u;
        if d > 0 {
            if zero {
                s.push('零');
                zero = false;
            }
            // 两千, 两百 but 十 alone at the start (十五, not 一十五).
            let digit = match (d, u) {
                (2, 1000) | (2, 100) => "两",
                (1, 10) if s.is_empty() => "",
                _ => DIGITS[d as usize],
            };
            s.push_str(digit);
            s.push_str(name);
        } else if !s.is_empty() {
            zero = true;
        }
    }
    if rest > 0 {
        if zero {
            s.push('零');
        }
        s.push_str(DIGITS[rest as usize]);
    }
    s
}

/// A telephone number said digit by digit, 1 as 幺 (as dispatchers say it, so it is
/// not heard as 七), groups apart: 0875-2123456 → 零八七五，二幺二三四五六.
pub(crate) fn spoken_phone(number: &str) -> String {
    let mut out = String::new();
    for c in number.chars() {
        match c {
            '1' => out.push('幺'),
            '0'..='9' => out.push_str(DIGITS[c as usize - '0' as usize]),
            '-' | ' ' => {
                if !out.ends_with('，') && !out.is_empty() {
                    out.push('，')
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// When a time is said: 7月10日晚上8点, 早上6点半.
fn spoken_time(t: &Zoned) -> String {
    let h = t.hour();
    let part = match h {
        0..=4 => "凌晨",
        5..=7 => "早上",
        8..=10 => "上午",
        11..=12 => "中午",
        13..=17 => "下午",
        _ => "晚上",
    };
    let h12 = if h > 12 { h - 12 } else { h };
    let minutes = match t.minute() {
        0 => String::new(),
        30 => "半".into(),
        m => format!("{}分", spoken_number(m as u64)),
    };
    format!(
        "{}月{}日{part}{}点{minutes}",
        spoken_number(t.month() as u64),
        spoken_number(t.day() as u64),
        spoken_number(h12 as u64)
    )
}

/// Numbers residents dial, said digit by digit wherever they stand.
const SERVICE_NUMBERS: &[&str] = &[
    "110", "119", "120", "122", "12345", "12350", "12315", "12395", "12379", "95598",
];

/// Arabic numbers in a text said as Chinese numbers (50毫米 → 五十毫米; 3.5 → 三点五),
/// since a reader stumbles over "50" in the middle of a sentence.
pub(crate) fn spoken_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let digits: String = chars[start..i].iter().collect();
            // A number to dial (a long run, a service number, one after 拨打 or 电话)
            // and a year are said digit by digit.
            let before: String = chars[start.saturating_sub(4)..start].iter().collect();
            let dialled = SERVICE_NUMBERS.contains(&digits.as_str())
                || digits.starts_with('0')
                || chars.get(i) == Some(&'-')
                || (start > 0 && chars[start - 1] == '-')
                || ["拨打", "电话", "热线", "打"]
                    .iter()
                    .any(|w| before.trim_end().ends_with(w));
            if digits.len() > 4 || dialled || chars.get(i) == Some(&'年') {
                out.push_str(&spoken_phone(&digits));
            } else {
                out.push_str(&spoken_number(digits.parse().unwrap_or(0)));
            }
            if i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit() {
                out.push('点');
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    out.push_str(DIGITS[chars[i] as usize - '0' as usize]);
                    i += 1;
                }
            }
            if i < chars.len() && chars[i] == '%' {
                // 95% → 百分之九十五: the number moves after 百分之.
                let said_from =
                    out.rfind(|c: char| !"零一二三四五六七八九十百千万两点".contains(c));
                let at =
                    said_from.map_or(0, |p| p + out[p..].chars().next().map_or(0, char::len_utf8));
                out.insert_str(at, "百分之");
                i += 1;
            }
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// Words in which a character has a reading other than its commonest, that a reader
/// on the loudspeaker should check before reading.
const POLYPHONES: &[(&str, &str)] = &[
    ("镇长", "长 zhǎng"),
    ("村长", "长 zhǎng"),
    ("组长", "长 zhǎng"),
    ("重新", "重 chóng"),
    ("行人", "行 xíng"),
    ("银行", "行 háng"),
    ("降雨", "降 jiàng"),
    ("降水", "降 jiàng"),
    ("着火", "着 zháo"),
    ("冲刷", "冲 chōng"),
    ("地处", "处 chǔ"),
    ("处置", "处 chǔ"),
    ("处理", "处 chǔ"),
    ("转移", "转 zhuǎn"),
    ("背包", "背 bēi"),
    ("称重", "称 chēng"),
    ("蔓延", "蔓 màn"),
    ("暴露", "露 lù"),
    ("露天", "露 lù"),
    ("调度", "调 diào"),
    ("供电", "供 gōng"),
];

/// The loudspeaker script made from a warning (or the 解除 script of a lifted one).
fn made_script(site: &Site, w: &WarningMeta, body: &str, lifted: Option<&Zoned>) -> String {
    let who = w.issuer_or(&site.config.township);
    let what = format!("{}{}预警", w.hazard, w.level.zh);
    let call = "各位村民请注意，各位村民请注意！";
    let phone = hotline(site, w);
    let mut s = String::new();
    s.push_str(call);
    s.push('\n');
    match lifted {
        Some(at) => {
            s.push_str(&format!("{who}在{}解除了{what}。", spoken_time(at)));
            s.push_str("请大家恢复正常生产生活，外出时仍要注意安全。\n");
            s.push_str(&format!("我再重复一遍：{what}已经解除。\n"));
        }
        None => {
            s.push_str(&format!("{who}发布{what}。"));
            s.push_str(&format!(
                "预警从{}开始，到{}结束。\n",
                spoken_time(&w.issued),
                spoken_time(&w.expires)
            ));
            let body = spoken_text(body.trim());
            if !body.is_empty() {
                // The body's first sentences: what is coming.
                let mut said = String::new();
                for sentence in body.split_inclusive(['。', '！', '\n']) {
                    if said.chars().count() + sentence.chars().count() > 120 {
                        break;
                    }
                    said.push_str(sentence.trim());
                }
                if !said.is_empty() {
                    s.push_str(&said);
                    s.push('\n');
                }
            }
            if !w.areas.is_empty() {
                s.push_str(&format!("请{}的村民特别注意。\n", w.areas.join("、")));
            }
            for (n, g) in w.guidance.iter().enumerate() {
                s.push_str(&format!(
                    "第{}，{}。\n",
                    spoken_number(n as u64 + 1),
                    spoken_text(g.trim_end_matches('。'))
                ));
            }
            let key = w
                .guidance
                .first()
                .map(|g| spoken_text(g.trim_end_matches('。')));
            s.push_str(&format!("我再重复一遍：{what}。"));
            if let Some(k) = key {
                s.push_str(&format!("{k}。"));
            }
            s.push('\n');
        }
    }
    if let Some((name, number)) = phone {
        s.push_str(&format!("有情况请打{name}：{}。\n", spoken_phone(&number)));
    }
    s
}

/// The texts of every warning that has any (not expired, not scheduled for later
/// than now... a pending warning gets its texts ahead), and the diagnostics of
/// clerks' overrides: an `sms` over 70 characters is an error at its line.
pub(crate) fn all(site: &Site) -> (Vec<Texts>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for p in &site.pages {
        let Some(w) = &p.meta.warning else { continue };
        if let Some(sms) = &w.sms {
            let text = written_sms(site, &sms.value);
            let n = sms_length(&text);
            if n > SMS_LIMIT {
                diags.push(
                    Diagnostic::error(text!(
                        zh: "短信有 {n} 个字（连同签名），超过 {SMS_LIMIT} 个字会被拆成两条",
                        en: "the SMS has {n} characters (with its signature); over {SMS_LIMIT} carriers split it in two"
                    ))
                    .in_file(&p.rel)
                    .at(sms.span.clone())
                    .with_help(text!(
                        zh: "删短一些：签名、预警名称、截止时间、一件最要紧的事和电话就够了",
                        en: "shorten it: the signature, the warning, until when, the one action and a number are enough"
                    )),
                );
            }
        }
        let status = crate::model::warning_status(w, &site.now);
        let lifted = match status {
            WarningStatus::Expired => continue,
            WarningStatus::Lifted => w.lifted.as_ref(),
            _ => None,
        };
        let (sms, sms_shortened) = match (&w.sms, lifted) {
            (Some(s), None) => (written_sms(site, &s.value), false),
            _ => made_sms(site, w, lifted),
        };
        let script = match (&w.broadcast, lifted) {
            (Some(b), None) => b.value.clone(),
            _ => made_script(site, w, &p.text, lifted),
        };
        let n = script.chars().filter(|c| !c.is_whitespace()).count();
        if n > SCRIPT_LIMIT {
            let d = Diagnostic::warning(text!(
                zh: "广播稿有 {n} 个字，按每分钟约220字要读两分钟以上，村民听不完",
                en: "the loudspeaker script has {n} characters: over two minutes at about 220 a minute"
            ))
            .in_file(&p.rel);
            diags.push(match (&w.broadcast, lifted) {
                (Some(b), None) => d.at(b.span.clone()),
                _ => d.with_help(text!(
                    zh: "防御指南（guidance）写短一些，或用 broadcast = \"...\" 自己写广播稿",
                    en: "shorten the guidance, or write the script yourself with broadcast = \"...\""
                )),
            });
        }
        // The texts come from checked front matter and body, but are checked again as
        // they go out: a number that is allowed on the page is allowed here too.
        for text in [&sms, &script] {
            for f in crate::base::pii::scan(text) {
                let allowed = site
                    .config
                    .privacy_allow
                    .iter()
                    .chain(p.meta.privacy_allow.iter().map(|a| &a.value))
                    .any(|a| crate::base::pii::normalise(a) == f.value);
                if !allowed {
                    diags.push(
                        Diagnostic::error(text!(
                            zh: "预警的短信或广播稿里有个人信息：{}",
                            en: "the warning's SMS or loudspeaker script holds personal data: {}",
                            f.masked
                        ))
                        .in_file(&p.rel),
                    );
                }
            }
        }
        let polyphones = POLYPHONES
            .iter()
            .filter(|(word, _)| script.contains(word))
            .map(|(word, reading)| format!("{word}（{reading}）"))
            .collect();
        out.push(Texts {
            rel: p.rel.clone(),
            path: p.path.clone(),
            title: p.meta.title.clone(),
            sms,
            sms_shortened,
            script,
            polyphones,
        });
    }
    (out, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_said_as_chinese_readers_say_them() {
        assert_eq!(spoken_number(5), "五");
        assert_eq!(spoken_number(15), "十五");
        assert_eq!(spoken_number(50), "五十");
        assert_eq!(spoken_number(105), "一百零五");
        assert_eq!(spoken_number(2000), "两千");
        assert_eq!(spoken_number(2023), "两千零二十三");
        assert_eq!(spoken_text("2023年"), "二零二三年");
        assert_eq!(spoken_number(12000), "一万两千");
        assert_eq!(
            spoken_text("降雨量50毫米，风力8级，整改率95%，3.5米"),
            "降雨量五十毫米，风力八级，整改率百分之九十五，三点五米"
        );
        assert_eq!(spoken_phone("0875-2123456"), "零八七五，二幺二三四五六");
        assert_eq!(spoken_phone("119"), "幺幺九");
        assert_eq!(
            spoken_text("立即拨打119，或拨打 0875-2123456"),
            "立即拨打幺幺九，或拨打 零八七五-二幺二三四五六"
        );
    }
}
