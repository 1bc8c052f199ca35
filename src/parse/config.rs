//! Reads `config.toml` into [`Config`].
//!
//! The file is deserialised into `Raw*` shapes that deny unknown keys (a typo such as
//! `titel` must not be silently ignored), then validated into the model, destructuring
//! every field so that none is dropped by accident (cobalt's habit). Problems are
//! diagnostics with the line in config.toml; a missing file is an error with help.

use std::path::Path;

use serde::Deserialize;

use crate::base::diagnostic::Diagnostic;
use crate::text;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<toml::Spanned<String>>,
    township: Option<String>,
    timezone: Option<String>,
    image: Option<String>,
    paginate: Option<usize>,
    theme: Option<String>,
    #[serde(default)]
    privacy: RawPrivacy,
    #[serde(default)]
    hotlines: Vec<Hotline>,
    #[serde(default)]
    footer: Footer,
    #[serde(default)]
    warnings: RawWarnings,
    #[serde(default)]
    markdown: RawMarkdown,
    #[serde(default)]
    extra: toml::Table,
}

/// `[markdown]`: how bodies are read.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMarkdown {
    /// A block indented four spaces is code (CommonMark); off, it is a paragraph.
    #[serde(default)]
    indented_code: bool,
}

/// `[warnings]`: levels a province adds (white, black, ...) and the levels each
/// hazard may use.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawWarnings {
    /// CAP's `sender`: who the messages come from (default: base_url's host).
    sender: Option<String>,
    /// The 12-digit statistical area code (统计用区划代码) of the township, for CAP's
    /// `geocode` and the first six digits of every message's identifier.
    area_code: Option<String>,
    #[serde(default)]
    levels: Vec<RawLevel>,
    #[serde(default)]
    hazards: std::collections::BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    /// English name: lowercase letters, used in CSS classes.
    id: String,
    /// Chinese name ending in 色.
    name: String,
    /// Severity against blue 1 … red 4.
    rank: i32,
    /// Banner colour and its text colour, `#rrggbb`.
    colour: String,
    text: String,
}

/// A level added in config.toml, with the colours the theme needs for it.
#[derive(Clone, Debug, serde::Serialize)]
pub(crate) struct LevelColours {
    pub(crate) id: String,
    pub(crate) background: String,
    pub(crate) text: String,
}

impl Config {
    /// A level's banner colour and its text colour: the official four as the theme's
    /// style.css draws them, an added one as `[[warnings.levels]]` gives it.
    pub(crate) fn level_colours(&self, id: &str) -> (String, String) {
        let (bg, fg) = match id {
            "blue" => ("#1e5fb4", "#ffffff"),
            "yellow" => ("#f5c400", "#1a1a1a"),
            "orange" => ("#f08c00", "#1a1a1a"),
            "red" => ("#c8102e", "#ffffff"),
            other => {
                return self
                    .extra_levels
                    .iter()
                    .find(|l| l.id == other)
                    .map(|l| (l.background.clone(), l.text.clone()))
                    .unwrap_or_else(|| ("#f2f2f2".into(), "#1a1a1a".into()))
            }
        };
        (bg.into(), fg.into())
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPrivacy {
    #[serde(default)]
    allow: Vec<String>,
}

#[derive(Deserialize, Clone, Debug, Default, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Hotline {
    pub(crate) name: String,
    pub(crate) number: String,
    /// A short note shown on the contacts page, e.g. "24小时值班".
    #[serde(default)]
    pub(crate) note: String,
}

#[derive(Deserialize, Clone, Debug, Default, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Footer {
    /// 主办单位
    pub(crate) sponsor: String,
    /// 网站标识码
    pub(crate) site_code: String,
    /// ICP备案号
    pub(crate) icp: String,
    pub(crate) icp_url: String,
    /// 公网安备号
    pub(crate) police_record: String,
    pub(crate) police_url: String,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) title: String,
    pub(crate) description: String,
    /// Absolute, always ending in `/`.
    pub base_url: String,
    /// The path part of `base_url`, starting and ending with `/`.
    pub(crate) base_path: String,
    /// The host (and port) of `base_url` as config.toml writes it, even when
    /// `--base-url` or `serve` builds for another address: pictures may come from it.
    pub(crate) home_host: String,
    /// `base_url` is a placeholder or this computer (example.*, localhost, 127.x):
    /// a QR code or canonical link made from it leads nowhere for a reader.
    pub preview_address: bool,
    pub(crate) township: String,
    pub timezone: jiff::tz::TimeZone,
    pub(crate) image: Option<String>,
    pub(crate) paginate: usize,
    pub(crate) theme: Option<String>,
    pub(crate) privacy_allow: Vec<String>,
    pub(crate) hotlines: Vec<Hotline>,
    pub(crate) footer: Footer,
    /// Warning levels the site accepts (the four official ones and any added).
    pub levels: crate::parse::meta::Levels,
    /// Colours of the added levels, for the stylesheet.
    pub(crate) extra_levels: Vec<LevelColours>,
    /// `[markdown] indented_code`: indented blocks are code, not Word's indents.
    pub(crate) indented_code: bool,
    pub(crate) extra: serde_json::Value,
    /// CAP `sender` (`[warnings] sender`, else base_url's host).
    pub(crate) cap_sender: String,
    /// `[warnings] area_code`: 12 digits, checked.
    pub(crate) area_code: Option<String>,
}

pub(crate) use crate::input::source::CONFIG_FILE;

/// Makes the settings from config.toml's text as the site's input read it (`None`
/// when it could not be read) in the site folder `root`. `base_url_override` is
/// `--base-url`.
pub fn from_text(
    text: Option<&crate::input::site::Text>,
    root: &Path,
    base_url_override: Option<&str>,
) -> (Option<Config>, String, Vec<Diagnostic>) {
    let decoded = match text {
        Some(t) => t,
        None => {
            let d = Diagnostic::error(text!(
                zh: "找不到站点配置文件 config.toml（在 {}）",
                en: "no config.toml found (in {})",
                root.display()
            ))
            .with_help(text!(
                zh: "请在站点根目录运行，或用 --root 指定站点目录；新建站点可用 `anxuan init 目录`",
                en: "run inside a site, or pass --root; `anxuan init DIR` creates a new site"
            ));
            return (None, String::new(), vec![d]);
        }
    };
    let mut diags: Vec<Diagnostic> = decoded.diagnostics.clone();
    let text = decoded.text.to_string();
    let raw: RawConfig = match toml::from_str(&text) {
        Ok(raw) => raw,
        Err(err) => {
            let mut d = Diagnostic::error(text!(
                zh: "config.toml 有误：{}",
                en: "config.toml is invalid: {}",
                err.message().trim()
            ))
            .in_file(CONFIG_FILE)
            .with_help(text!(
                zh: "可用的设置：title、description、base_url、township、timezone、image、paginate、theme、[privacy]、[[hotlines]]、[footer]、[warnings]、[extra]",
                en: "accepted keys: title, description, base_url, township, timezone, image, paginate, theme, [privacy], [[hotlines]], [footer], [warnings], [extra]"
            ));
            if let Some(span) = err.span() {
                d = d.at(span);
            }
            diags.push(d);
            return (None, text, diags);
        }
    };
    let config = validate(raw, base_url_override, &mut diags);
    (config, text, diags)
}

fn validate(
    raw: RawConfig,
    base_url_override: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Config> {
    let RawConfig {
        title,
        description,
        base_url,
        township,
        timezone,
        image,
        paginate,
        theme,
        privacy,
        hotlines,
        footer,
        warnings,
        markdown,
        extra,
    } = raw;
    let RawMarkdown { indented_code } = markdown;
    let error = |zh: String, en: String| {
        Diagnostic::error(crate::base::diagnostic::Text::new(zh, en)).in_file(CONFIG_FILE)
    };
    let title = title.unwrap_or_default();
    if title.trim().is_empty() {
        diags.push(error(
            "config.toml 缺少 title（网站名称）".into(),
            "config.toml has no title (the site name)".into(),
        ));
    }
    let written: Option<String> = base_url.as_ref().map(|s| s.get_ref().clone());
    // A placeholder address in config.toml is worth a warning only when it is the one
    // used: `--base-url` (and serve's own preview address) replace it.
    if let (None, Some(written)) = (base_url_override, &base_url) {
        if is_reserved_host(written.get_ref()) {
            diags.push(
                Diagnostic::warning(text!(
                    zh: "base_url `{}` 是示例或本机地址，二维码和网页链接会指向一个不存在的网站",
                    en: "base_url `{}` is an example or local address; QR codes and links will point at a site that does not exist",
                    written.get_ref()
                ))
                .in_file(CONFIG_FILE)
                .at(written.span())
                .with_help(text!(
                    zh: "改成网站正式发布的网址，例如 base_url = \"https://anquan.某某镇.gov.cn/\"；或生成时用 --base-url 指定",
                    en: "set it to the address the site is published at, or pass --base-url"
                )),
            );
        }
    }
    let base_url = base_url_override
        .map(str::to_string)
        .or(base_url.map(toml::Spanned::into_inner))
        .unwrap_or_else(|| "http://127.0.0.1:1111/".to_string());
    let Some((base_url, base_path)) = normalise_base_url(&base_url) else {
        diags.push(
            error(
                format!(
                    "base_url 必须是以 http:// 或 https:// 开头的完整网址，现在是 `{base_url}`"
                ),
                format!("base_url must be an absolute http:// or https:// URL, got `{base_url}`"),
            )
            .with_help(text!(
                zh: "例如 base_url = \"https://anquan.example.gov.cn/xxzhen/\"",
                en: "e.g. base_url = \"https://anquan.example.gov.cn/xxzhen/\""
            )),
        );
        return None;
    };
    let preview_address = is_reserved_host(&base_url);
    let timezone_name = timezone.unwrap_or_else(|| "Asia/Shanghai".to_string());
    let tz = match jiff::tz::TimeZone::get(&timezone_name) {
        Ok(tz) => tz,
        Err(_) => {
            diags.push(error(
                format!("未知的时区 `{timezone_name}`"),
                format!("unknown timezone `{timezone_name}`"),
            ).with_help(text!(zh: "中国大陆用 \"Asia/Shanghai\"", en: "mainland China uses \"Asia/Shanghai\"")));
            return None;
        }
    };
    let paginate = paginate.unwrap_or(10);
    if paginate == 0 {
        diags.push(error(
            "paginate 必须大于 0".into(),
            "paginate must be greater than 0".into(),
        ));
    }
    // These become links and pictures on every page: a `javascript:` link in the
    // footer would run on every page of the site.
    for (key, value) in [
        ("image", image.as_deref().unwrap_or("")),
        ("[footer] icp_url", footer.icp_url.as_str()),
        ("[footer] police_url", footer.police_url.as_str()),
    ] {
        if !crate::base::url::is_safe_link(value) {
            diags.push(
                error(
                    format!("config.toml 的 {key} `{value}` 只能是 https:// 网址或站内路径"),
                    format!("config.toml: {key} `{value}` must be an https:// URL or a path on the site"),
                )
                .with_help(text!(
                    zh: "例如 icp_url = \"https://beian.miit.gov.cn/\"",
                    en: "e.g. icp_url = \"https://beian.miit.gov.cn/\""
                )),
            );
        }
    }
    let cap_sender = warnings
        .sender
        .clone()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let area_code = warnings.area_code.clone().map(|s| s.trim().to_string());
    if let Some(code) = &area_code {
        if code.len() != 12 || !code.bytes().all(|b| b.is_ascii_digit()) {
            diags.push(
                Diagnostic::error(text!(
                    zh: "[warnings] 的 area_code `{code}` 要是 12 位数字的统计用区划代码",
                    en: "[warnings] area_code `{code}` must be the 12-digit statistical area code"
                ))
                .in_file(CONFIG_FILE)
                .with_help(text!(
                    zh: "在国家统计局的统计用区划代码里查本乡镇的代码，例如 area_code = \"520322100000\"",
                    en: "look up the township's code in the NBS statistical area codes, e.g. area_code = \"520322100000\""
                )),
            );
        }
    }
    if let Some(sender) = &cap_sender {
        if sender
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, ',' | '<' | '&'))
        {
            diags.push(
                Diagnostic::error(text!(
                    zh: "[warnings] 的 sender `{sender}` 不能有空格、逗号、< 或 &（CAP 的规定）",
                    en: "[warnings] sender `{sender}` must not contain spaces, commas, < or & (CAP's rule)"
                ))
                .in_file(CONFIG_FILE),
            );
        }
    }
    let (levels, extra_levels) = warning_levels(warnings, diags);
    let extra = serde_json::to_value(extra).unwrap_or(serde_json::Value::Null);
    let home_host = host_of_base_url(written.as_deref().unwrap_or(&base_url));
    let cap_sender =
        cap_sender.unwrap_or_else(|| home_host.split(':').next().unwrap_or_default().to_string());
    Some(Config {
        title,
        description: description.unwrap_or_default(),
        base_url,
        base_path,
        home_host,
        preview_address,
        township: township.unwrap_or_default(),
        timezone: tz,
        image: image.filter(|s| !s.trim().is_empty()),
        paginate: paginate.max(1),
        theme: theme.filter(|s| !s.trim().is_empty()),
        privacy_allow: privacy.allow,
        hotlines,
        footer,
        levels,
        extra_levels,
        indented_code,
        extra,
        cap_sender,
        area_code: area_code.filter(|c| c.len() == 12 && c.bytes().all(|b| b.is_ascii_digit())),
    })
}

fn warning_levels(
    raw: RawWarnings,
    diags: &mut Vec<Diagnostic>,
) -> (crate::parse::meta::Levels, Vec<LevelColours>) {
    use crate::parse::meta::{Levels, WarningLevel};
    let mut levels = Levels::default();
    let mut colours = Vec::new();
    let error = |d: Diagnostic| d.in_file(CONFIG_FILE);
    for l in raw.levels {
        let RawLevel {
            id,
            name,
            rank,
            colour,
            text,
        } = l;
        let ok_id = !id.is_empty() && id.chars().all(|c| c.is_ascii_lowercase());
        if !ok_id || levels.all.iter().any(|x| x.id == id || x.zh == name) {
            diags.push(error(Diagnostic::error(text!(
                zh: "[[warnings.levels]] 的 id `{id}`（{name}）不能用：要是小写英文字母，并且不能和已有级别重复",
                en: "[[warnings.levels]] id `{id}` ({name}) cannot be used: it must be lowercase letters and not repeat a level"
            ))));
            continue;
        }
        let (Some(bg), Some(fg)) = (hex_colour(&colour), hex_colour(&text)) else {
            diags.push(error(Diagnostic::error(text!(
                zh: "预警级别 `{id}` 的 colour/text 要写成 #rrggbb，例如 colour = \"#f2f2f2\"",
                en: "warning level `{id}`: colour and text must be #rrggbb, e.g. colour = \"#f2f2f2\""
            ))));
            continue;
        };
        let ratio = contrast(bg, fg);
        if ratio < 4.5 {
            diags.push(error(Diagnostic::error(text!(
                zh: "预警级别 `{id}` 的文字颜色 {text} 在 {colour} 上对比度只有 {ratio:.1}:1，老年人看不清（至少 4.5:1）",
                en: "warning level `{id}`: text {text} on {colour} has a contrast of {ratio:.1}:1; at least 4.5:1 is needed"
            )).with_help(text!(
                zh: "浅底色用深色字（#1a1a1a），深底色用白色字（#ffffff）",
                en: "use dark text (#1a1a1a) on light colours and white (#ffffff) on dark ones"
            ))));
            continue;
        }
        let name = if name.ends_with('色') {
            name
        } else {
            format!("{name}色")
        };
        levels.all.push(WarningLevel {
            id: id.clone(),
            zh: name,
            rank,
        });
        colours.push(LevelColours {
            id,
            background: colour.to_ascii_lowercase(),
            text: text.to_ascii_lowercase(),
        });
    }
    for (hazard, names) in raw.hazards {
        let mut ids = Vec::new();
        for n in &names {
            match levels.parse(n) {
                Some(l) => ids.push(l.id.clone()),
                None => diags.push(error(Diagnostic::error(text!(
                    zh: "[warnings.hazards] 里 `{hazard}` 的级别 `{n}` 不认识",
                    en: "[warnings.hazards]: `{hazard}` lists an unknown level `{n}`"
                )))),
            }
        }
        levels.by_hazard.push((hazard, ids));
    }
    (levels, colours)
}

fn hex_colour(s: &str) -> Option<[u8; 3]> {
    let h = s.strip_prefix('#')?;
    if h.len() != 6 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// WCAG 2 contrast ratio of two sRGB colours.
fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let lum = |c: [u8; 3]| {
        let ch = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
    };
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// `https://x.gov.cn:8080/zhen/` → `x.gov.cn:8080`.
pub(crate) fn host_of_base_url(url: &str) -> String {
    let url = url.trim();
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    rest.split('/').next().unwrap_or("").to_ascii_lowercase()
}

/// `https://x.gov.cn/zhen` → (`https://x.gov.cn/zhen/`, `/zhen/`).
pub(crate) fn normalise_base_url(url: &str) -> Option<(String, String)> {
    let url = url.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if host.is_empty() || path.contains(['?', '#']) {
        return None;
    }
    let mut path = path.to_string();
    if !path.ends_with('/') {
        path.push('/');
    }
    let scheme = &url[..url.len() - rest.len()];
    Some((format!("{scheme}{host}{path}"), path))
}

/// True for an address no reader can reach: a documentation domain (any `example`
/// label, `.test`, `.invalid`, `.localhost`, RFC 2606/6761) or this computer
/// (`localhost`, `127.x`, `0.0.0.0`, `::1`) or the office network (`10.x`,
/// `192.168.x`, `172.16–31.x`, where serve's phone preview lives). Text that is no
/// URL is not judged here.
pub(crate) fn is_reserved_host(url: &str) -> bool {
    let url = url.trim();
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    host == "::1"
        || host == "0.0.0.0"
        || labels.contains(&"example")
        || labels
            .last()
            .is_some_and(|tld| ["localhost", "test", "invalid"].contains(tld))
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_private() || ip.is_link_local())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_matches_wcag() {
        assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 0.01);
        assert!(contrast([0xf5, 0xc4, 0x00], [0x1a, 0x1a, 0x1a]) > 4.5);
        assert!(contrast([0xf5, 0xc4, 0x00], [0xff, 0xff, 0xff]) < 4.5);
        assert_eq!(hex_colour("#C8102E"), Some([0xc8, 0x10, 0x2e]));
        assert_eq!(hex_colour("red"), None);
    }

    #[test]
    fn base_url_gets_a_trailing_slash_and_path() {
        assert_eq!(
            normalise_base_url("https://x.gov.cn/zhen"),
            Some(("https://x.gov.cn/zhen/".into(), "/zhen/".into()))
        );
        assert_eq!(
            normalise_base_url("http://127.0.0.1:1111"),
            Some(("http://127.0.0.1:1111/".into(), "/".into()))
        );
        assert_eq!(normalise_base_url("x.gov.cn"), None);
    }

    #[test]
    fn placeholder_and_local_addresses_are_reserved() {
        for url in [
            "https://anquan.example.gov.cn/xxzhen/",
            "https://example.com",
            "http://localhost:1111/",
            "http://127.0.0.1:1111/",
            "http://127.8.9.1/",
            "http://[::1]:8080/",
            "https://zhen.test/",
            "http://192.168.1.5:1111/",
        ] {
            assert!(is_reserved_host(url), "{url}");
        }
        for url in [
            "https://anquan.ceshi.gov.cn/zhen/",
            "https://examples.gov.cn/",
            "https://127.gov.cn/",
            "http://8.8.8.8/",
        ] {
            assert!(!is_reserved_host(url), "{url}");
        }
    }
}
