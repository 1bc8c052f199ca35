//! The one rule for URLs a clerk writes (Markdown links and images, raw `href`/`src`,
//! front matter `image`, config links, aliases): script and data schemes however
//! disguised, and images from another host. It must not look at HTML structure
//! (that is `markdown::sanitize`) or resolve same-site links (that is `model`).

use crate::base::diagnostic::Diagnostic;
use crate::text;

/// Schemes that run code or smuggle a document in a URL.
const BAD_SCHEMES: &[&str] = &["javascript", "vbscript", "data"];

/// The problem with a URL a clerk wrote, if any, as a diagnostic without a place.
/// `is_image`: the URL is fetched when the page opens, so it must stay on the site.
/// `site_host` is base_url's host (its port aside).
pub(crate) fn url_problem(url: &str, is_image: bool, site_host: &str) -> Option<Diagnostic> {
    let norm = normalise(url);
    let scheme = scheme_of(&norm);
    if let Some(s) = scheme.as_deref().filter(|s| BAD_SCHEMES.contains(s)) {
        return Some(
            Diagnostic::error(text!(
                zh: "不能使用 `{}:` 网址：它会运行脚本或夹带内容",
                en: "a `{}:` URL is not allowed: it runs a script or smuggles content",
                s
            ))
            .with_help(text!(
                zh: "链接写成 https://… 或站内路径；图片放在页面旁边",
                en: "link to an https://… address or a page of the site; put pictures beside the page"
            )),
        );
    }
    if !is_image {
        return None;
    }
    let host = host_of(&norm, scheme.as_deref())?;
    if host == host_without_port(site_host) {
        return None;
    }
    Some(
        Diagnostic::error(text!(
            zh: "图片来自别的网站 `{}`：打开页面时会向那个网站发请求",
            en: "the image is on another host `{}`: opening the page would send a request there",
            host
        ))
        .with_help(text!(
            zh: "把图片下载下来，放在页面旁边（页面包：栏目/页面名/index.md 旁），再写相对路径",
            en: "download it and put it next to the page (in its bundle folder), then use a relative path"
        )),
    )
}

/// Whether a URL from front matter or config is one a page may carry: http(s), a
/// protocol-relative or site path, never `javascript:` and the like.
pub(crate) fn is_safe_link(url: &str) -> bool {
    match scheme_of(&normalise(url)).as_deref() {
        None => true,
        Some(s) => matches!(s, "http" | "https"),
    }
}

/// Whether a URL names another site (`https://…`, `//host/…`, any scheme) rather
/// than a path on this one: an alias must be a path.
pub(crate) fn is_absolute(url: &str) -> bool {
    let n = normalise(url);
    scheme_of(&n).is_some() || n.starts_with("//") || n.starts_with("\\\\")
}

/// The URL as a browser reads it: entities decoded, tabs and line breaks removed,
/// leading spaces and control characters dropped (`" Java&#83;cri\tpt:"` is
/// `javascript:`).
fn normalise(url: &str) -> String {
    decode_entities(url)
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .trim_start_matches(|c: char| c <= ' ')
        .to_string()
}

/// The scheme, lowercased, if the URL has one.
fn scheme_of(url: &str) -> Option<String> {
    let end = url.find([':', '/', '?', '#', '\\'])?;
    if !url[end..].starts_with(':') {
        return None;
    }
    let s = &url[..end];
    let mut chars = s.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then(|| s.to_ascii_lowercase())
}

/// The host a browser would fetch an image from, for http(s) and `//host/` URLs;
/// `None` for a path on the site or another scheme.
fn host_of(url: &str, scheme: Option<&str>) -> Option<String> {
    let rest = match scheme {
        // Browsers read `https:host`, `https:/host` and `https:\\host` as a host too.
        Some("http" | "https") => &url[url.find(':')? + 1..],
        Some(_) => return None,
        None if url.starts_with("//") || url.starts_with("\\\\") => url,
        None => return None,
    };
    let rest = rest.trim_start_matches(['/', '\\']);
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or(authority);
    Some(host_without_port(host))
}

fn host_without_port(host: &str) -> String {
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// Decodes the character references that can hide a scheme (`&#83;`, `&#x53;`,
/// `&colon;`, `&Tab;`, `&NewLine;`); others stay as written.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let body = &rest[1..];
        let (decoded, used) = if let Some(num) = body.strip_prefix('#') {
            let (digits, radix, skip) = match num.strip_prefix(['x', 'X']) {
                Some(hex) => (hex, 16, 2),
                None => (num, 10, 1),
            };
            let len = digits.chars().take_while(|c| c.is_digit(radix)).count();
            let ch = u32::from_str_radix(&digits[..len.min(8)], radix)
                .ok()
                .and_then(char::from_u32);
            match ch {
                Some(c) if len > 0 => {
                    let semi = digits[len..].starts_with(';') as usize;
                    (Some(c), 1 + skip + len + semi)
                }
                _ => (None, 0),
            }
        } else {
            let lower = body.to_ascii_lowercase();
            [("colon;", ':'), ("tab;", '\t'), ("newline;", '\n')]
                .iter()
                .find(|(n, _)| lower.starts_with(n))
                .map(|(n, c)| (Some(*c), 1 + n.len()))
                .unwrap_or((None, 0))
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `%XX` escapes decoded, or `None` when there are none or they do not make UTF-8.
pub(crate) fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return None;
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disguised_schemes_are_seen() {
        for u in [
            "javascript:alert(1)",
            "JaVa&#83;cript:alert(1)",
            "  javascript:x",
            "java\tscript:x",
            "jav&#x61;script&colon;x",
            "&#106;avascript:x",
            "vbscript:x",
            "DATA:text/html;base64,xx",
        ] {
            assert!(
                url_problem(u, false, "x.gov.cn").is_some_and(|d| d.is_error()),
                "{u}"
            );
            assert!(!is_safe_link(u), "{u}");
        }
        for u in [
            "https://a.cn/",
            "/x/",
            "a.md",
            "#h",
            "mailto:a@b.cn",
            "tel:119",
            "a:b/",
        ] {
            assert!(url_problem(u, false, "x.gov.cn").is_none(), "{u}");
        }
    }

    #[test]
    fn images_must_stay_on_the_site() {
        for u in [
            "https://cdn.example.com/a.png",
            "//cdn.example.com/a.png",
            "http:\\\\cdn.example.com/a",
            "https:cdn.example.com/a",
            "https://u@cdn.example.com:8080/a",
        ] {
            assert!(url_problem(u, true, "x.gov.cn").is_some(), "{u}");
        }
        for u in [
            "a.png",
            "/static/a.png",
            "https://X.gov.cn/a.png",
            "http://x.gov.cn:8080/a.png",
        ] {
            assert!(url_problem(u, true, "x.gov.cn:1111").is_none(), "{u}");
        }
    }
}
