//! How a built output folder is served over HTTP, for `serve` and for `print`'s
//! loopback server: a request path to a file inside the folder (no `..`, no encoded
//! traversal, no backslashes, no symlinks out) and its content type. It must not
//! serve anything outside the folder it is given.

use std::path::{Path, PathBuf};

pub(crate) fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") => "application/xml; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("pdf") => "application/pdf",
        Some("woff2") => "font/woff2",
        Some("txt" | "csv" | "md") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The path a request names, decoded, as `a/b/` parts joined by `/` without a
/// leading slash, or `None` for anything that could escape the site: `..` (also
/// percent-encoded), backslashes, NUL, drive letters.
pub(crate) fn request_path(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let mut parts = Vec::new();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p if p.contains(':') => return None,
            p => parts.push(p),
        }
    }
    let mut out = parts.join("/");
    if decoded.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// Maps a request path to a file inside `root`, or `None` for anything that could
/// escape it (symlinks out of `root` included).
pub(crate) fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let mut out = root.join(request_path(url)?);
    if out.is_dir() {
        out.push("index.html");
    }
    let canonical = out.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    canonical.starts_with(&root).then_some(canonical)
}
