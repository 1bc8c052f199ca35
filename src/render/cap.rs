//! Each warning as a CAP 1.2 message (OASIS Common Alerting Protocol, namespace
//! `urn:oasis:names:tc:emergency:cap:1.2`, shaped as China's meteorological files
//! are: one zh-CN `<info>`, the level as 红色[Ⅰ级/特别严重] in the headline, the area's
//! 12-digit statistical code as `geocode`), published as `cap.xml` beside the
//! warning's page, so that county and provincial platforms and alert hubs can take
//! the township's warnings without anyone typing them again.
//!
//! A warning in force or expired is an `Alert`; one with an `updated` time after its
//! issue an `Update`, and a lifted one a `Cancel`, each a new message sent at that
//! time whose `references` names the alert (`sender,identifier,sent`). Identifiers follow the national pattern
//! `ZZZZZZDDDUUUXX_YYYYMMDDhhmmss`: the area code's first six digits, `000` for the
//! organisation, `000`, `00`, then the time in the site's zone; they are stable
//! across builds because they are made from the warning's own times. Times carry
//! their offset (`+08:00`), never `Z`, which the schema refuses.
//!
//! This module must not write files (the queue hands the text to the sink) and must
//! not guess what the clerk did not write: urgency and certainty are `Unknown`, as
//! the China Meteorological Administration's files have them.

use jiff::Zoned;

use crate::base::dates::rfc3339;
use crate::base::xml::xml_escape;
use crate::model::{Site, WarningStatus};
use crate::parse::meta::Kind;

/// The file beside a warning's page.
pub(crate) const FILE: &str = "cap.xml";

/// The index of the CAP messages, as alert hubs and Google Public Alerts read one.
pub(crate) const FEED: &str = "warnings/cap-feed.xml";

use crate::model::CANCEL_LISTED_HOURS as CANCEL_SHOWN_HOURS;

/// CAP's `category` for a hazard as clerks name it; `Safety` for anything else
/// (a gas leak, a closed bridge).
pub(crate) fn category(hazard: &str) -> &'static str {
    const TABLE: &[(&str, &[&str])] = &[
        (
            "Met",
            &[
                "暴雨",
                "暴雪",
                "大风",
                "寒潮",
                "高温",
                "干旱",
                "雷电",
                "雷雨大风",
                "冰雹",
                "霜冻",
                "大雾",
                "霾",
                "道路结冰",
                "台风",
                "沙尘暴",
                "低温",
                "山洪",
                "洪水",
                "洪涝",
                "强降雨",
                "强对流",
                "降温",
            ],
        ),
        (
            "Geo",
            &["地质灾害", "滑坡", "泥石流", "崩塌", "地面塌陷", "地震"],
        ),
        (
            "Fire",
            &["森林火险", "森林火灾", "火险", "火灾", "草原火险"],
        ),
        ("Health", &["疫情", "传染病", "食物中毒"]),
        ("Env", &["污染", "水污染", "大气污染"]),
    ];
    TABLE
        .iter()
        .find(|(_, names)| names.iter().any(|n| hazard.contains(n)))
        .map_or("Safety", |(c, _)| c)
}

/// CAP's `severity` for a level's rank: blue 1 → Minor … red 4 → Extreme; a level a
/// province added takes the severity of its rank.
pub(crate) fn severity(rank: i32) -> &'static str {
    match rank {
        i32::MIN..=1 => "Minor",
        2 => "Moderate",
        3 => "Severe",
        _ => "Extreme",
    }
}

/// The level as Chinese warnings write it in headlines: 红色[Ⅰ级/特别严重].
fn level_words(zh: &str, rank: i32) -> String {
    let grade = match rank {
        4 => Some("Ⅰ级/特别严重"),
        3 => Some("Ⅱ级/严重"),
        2 => Some("Ⅲ级/较重"),
        1 => Some("Ⅳ级/一般"),
        _ => None,
    };
    match grade {
        Some(g) => format!("{zh}[{g}]"),
        None => zh.to_string(),
    }
}

/// `YYYYMMDDhhmmss` in the site's zone.
fn stamp(t: &Zoned) -> String {
    t.strftime("%Y%m%d%H%M%S").to_string()
}

/// The identifier of a message sent at `sent`.
fn identifier(site: &Site, sent: &Zoned) -> String {
    let area = site
        .config
        .area_code
        .as_deref()
        .map_or("000000", |c| &c[..6]);
    format!("{area}00000000_{}", stamp(sent))
}

fn rank_of(site: &Site, w: &crate::parse::meta::WarningMeta) -> i32 {
    let level = site.config.levels.all.iter().find(|l| l.id == w.level.id);
    level.map_or(w.level.rank, |l| l.rank)
}

/// 某镇人民政府发布暴雨红色[Ⅰ级/特别严重]预警, or 解除 for a Cancel.
fn headline(site: &Site, w: &crate::parse::meta::WarningMeta, cancel: bool) -> String {
    let issuer = w.issuer_or(&site.config.township);
    if cancel {
        format!("{issuer}解除{}{}预警", w.hazard, w.level.zh)
    } else {
        let level = level_words(&w.level.zh, rank_of(site, w));
        format!("{issuer}发布{}{level}预警", w.hazard)
    }
}

/// The CAP message of page `i`, if it is a warning.
pub(crate) fn message(site: &Site, i: usize) -> Option<String> {
    let p = &site.pages[i];
    if p.kind != Kind::Warning {
        return None;
    }
    let w = p.meta.warning.as_ref()?;
    let status = crate::model::warning_status(w, &site.now);
    let c = &site.config;
    let sender = &c.cap_sender;
    let alert_id = identifier(site, &w.issued);
    let original = format!("{sender},{alert_id},{}", rfc3339(&w.issued));
    // An `updated` time after the issue makes the message an Update of the alert
    // (Google's rule: never change an alert in place).
    let updated = p
        .meta
        .updated
        .as_ref()
        .filter(|u| **u > w.issued && **u <= site.now);
    let (msg_type, sent, id, references) = match (&w.lifted, status, updated) {
        (Some(lifted), WarningStatus::Lifted, _) => {
            ("Cancel", lifted, identifier(site, lifted), Some(original))
        }
        (_, _, Some(u)) => ("Update", u, identifier(site, u), Some(original)),
        _ => ("Alert", &w.issued, alert_id, None),
    };
    let rank = rank_of(site, w);
    let issuer = w.issuer_or(&site.config.township);
    let headline = headline(site, w, msg_type == "Cancel");
    let area_desc = if w.areas.is_empty() {
        c.township.clone()
    } else {
        w.areas.join("、")
    };
    let contact = if w.contact.is_empty() {
        c.hotlines
            .first()
            .map(|h| format!("{} {}", h.name, h.number))
            .unwrap_or_default()
    } else {
        w.contact.clone()
    };
    let description: String = p.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let description = if description.is_empty() {
        p.meta.title.clone()
    } else {
        description
    };
    let el = |name: &str, value: &str| format!("    <{name}>{}</{name}>\n", xml_escape(value));
    let mut x = String::with_capacity(2048 + description.len());
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n");
    let top = |x: &mut String, name: &str, value: &str| {
        x.push_str(&format!("  <{name}>{}</{name}>\n", xml_escape(value)))
    };
    top(&mut x, "identifier", &id);
    top(&mut x, "sender", sender);
    top(&mut x, "sent", &rfc3339(sent));
    top(&mut x, "status", "Actual");
    top(&mut x, "msgType", msg_type);
    top(&mut x, "scope", "Public");
    if let Some(r) = &references {
        top(&mut x, "references", r);
    }
    x.push_str("  <info>\n");
    x.push_str(&el("language", "zh-CN"));
    x.push_str(&el("category", category(&w.hazard)));
    // Google's alert hub shows events under 35 characters.
    let event: String = w.hazard.chars().take(34).collect();
    x.push_str(&el("event", &event));
    if msg_type == "Cancel" {
        x.push_str(&el("responseType", "AllClear"));
    }
    x.push_str(&el("urgency", "Unknown"));
    x.push_str(&el("severity", severity(rank)));
    x.push_str(&el("certainty", "Unknown"));
    x.push_str(&el("effective", &rfc3339(&w.issued)));
    x.push_str(&el("onset", &rfc3339(&w.issued)));
    x.push_str(&el("expires", &rfc3339(&w.expires)));
    x.push_str(&el("senderName", issuer));
    x.push_str(&el("headline", &headline));
    x.push_str(&el("description", &description));
    if !w.guidance.is_empty() {
        x.push_str(&el("instruction", &w.guidance.join("\n")));
    }
    x.push_str(&el("web", &site.permalink(&p.path)));
    if !contact.is_empty() {
        x.push_str(&el("contact", &contact));
    }
    x.push_str("    <area>\n");
    x.push_str(&format!(
        "      <areaDesc>{}</areaDesc>\n",
        xml_escape(&area_desc)
    ));
    if let Some(code) = &c.area_code {
        x.push_str(&format!(
            "      <geocode>\n        <valueName>CPEAS Geographic Code</valueName>\n        <value>{code}</value>\n      </geocode>\n"
        ));
    }
    x.push_str("    </area>\n  </info>\n</alert>\n");
    Some(x)
}

/// The Atom index of the CAP messages of warnings in force and of those lifted in
/// the last three days, newest first; each entry links its `cap.xml`.
pub(crate) fn feed(site: &Site) -> String {
    let mut entries: Vec<(Zoned, usize)> = site
        .pages
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let w = p.meta.warning.as_ref()?;
            match crate::model::warning_status(w, &site.now) {
                WarningStatus::Active => {
                    let sent = match &p.meta.updated {
                        Some(u) if *u > w.issued && *u <= site.now => u.clone(),
                        _ => w.issued.clone(),
                    };
                    Some((sent, i))
                }
                WarningStatus::Lifted => {
                    let lifted = w.lifted.clone()?;
                    let age = site.now.timestamp().as_second() - lifted.timestamp().as_second();
                    (age <= CANCEL_SHOWN_HOURS * 3600).then_some((lifted, i))
                }
                _ => None,
            }
        })
        .collect();
    entries.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let c = &site.config;
    let updated = entries
        .first()
        .map(|(t, _)| rfc3339(t))
        .unwrap_or_else(|| rfc3339(&site.now));
    let mut x = String::with_capacity(1024 + entries.len() * 1024);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n");
    x.push_str(&format!(
        "  <title>{}预警信息（CAP）</title>\n",
        xml_escape(&c.township)
    ));
    x.push_str(&format!(
        "  <id>{}</id>\n  <updated>{updated}</updated>\n",
        xml_escape(&site.permalink(FEED))
    ));
    x.push_str(&format!(
        "  <link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>\n",
        xml_escape(&site.permalink(FEED))
    ));
    x.push_str(&format!(
        "  <author><name>{}</name></author>\n",
        xml_escape(&c.cap_sender)
    ));
    for (sent, i) in entries {
        let p = &site.pages[i];
        let cap = site.permalink(&format!("{}{FILE}", p.path));
        let Some(w) = p.meta.warning.as_ref() else {
            continue;
        };
        let cancel = crate::model::warning_status(w, &site.now) == WarningStatus::Lifted;
        let headline = xml_escape(&headline(site, w, cancel));
        x.push_str("  <entry>\n");
        x.push_str(&format!("    <id>{}</id>\n", xml_escape(&cap)));
        x.push_str(&format!("    <title>{headline}</title>\n"));
        x.push_str(&format!("    <updated>{}</updated>\n", rfc3339(&sent)));
        x.push_str(&format!(
            "    <link rel=\"alternate\" type=\"application/cap+xml\" href=\"{}\"/>\n",
            xml_escape(&cap)
        ));
        x.push_str(&format!(
            "    <link rel=\"related\" type=\"text/html\" href=\"{}\"/>\n",
            xml_escape(&site.permalink(&p.path))
        ));
        x.push_str("  </entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_hazards_map_as_the_china_profile_has_them() {
        assert_eq!(severity(1), "Minor");
        assert_eq!(severity(2), "Moderate");
        assert_eq!(severity(3), "Severe");
        assert_eq!(severity(4), "Extreme");
        assert_eq!(level_words("红色", 4), "红色[Ⅰ级/特别严重]");
        assert_eq!(level_words("白色", 0), "白色");
        assert_eq!(category("暴雨"), "Met");
        assert_eq!(category("地质灾害"), "Geo");
        assert_eq!(category("森林火险"), "Fire");
        assert_eq!(category("燃气泄漏"), "Safety");
    }
}
