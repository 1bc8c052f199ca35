//! `anxuan serve`: builds the site for local preview and serves it over HTTP.
//!
//! The preview is built with `base_url` pointing at the preview address, into a
//! folder outside the site, so `public/` never receives localhost links that a clerk
//! might then publish. Requests are confined to that folder: no `..`, no encoded
//! traversal, no backslashes, no symlinks out. A failed build keeps serving the last
//! good one. (Watching and live reload come with the serve issue.)

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::diagnostic::{self, Lang};
use crate::pipeline::{self, BuildOptions};

pub fn content_type(path: &Path) -> &'static str {
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

/// Maps a request path to a file inside `root`, or `None` for anything that could
/// escape it.
pub fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode(path)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let mut out = root.to_path_buf();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            p if p.contains(':') => return None,
            p => out.push(p),
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    let canonical = out.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    canonical.starts_with(&root).then_some(canonical)
}

pub fn run(
    root: &Path,
    bind: &str,
    port: u16,
    now: Option<jiff::Timestamp>,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let server = match tiny_http::Server::http((bind, port)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "{}",
                match lang {
                    Lang::Zh => format!("错误：无法在 {bind}:{port} 上启动预览：{e}；可换一个端口，例如 --port 0 自动选择"),
                    Lang::En => format!("error: cannot listen on {bind}:{port}: {e}; try another port, e.g. --port 0"),
                }
            );
            return Ok(ExitCode::from(1));
        }
    };
    let actual_port = server
        .server_addr()
        .to_ip()
        .map(|a| a.port())
        .unwrap_or(port);
    let host = if bind == "0.0.0.0" { "127.0.0.1" } else { bind };
    let base_url = format!("http://{host}:{actual_port}/");
    let abs_root = std::path::absolute(root)?;
    let out_dir = std::env::temp_dir().join(format!(
        "anxuan-serve-{}",
        crate::render::content_hash(abs_root.to_string_lossy().as_bytes())
    ));
    let report = pipeline::build(&BuildOptions {
        root: root.to_path_buf(),
        output: Some(out_dir.clone()),
        base_url: Some(base_url.clone()),
        now,
        drafts: true,
    });
    for d in &report.diagnostics {
        eprintln!("{}\n", diagnostic::render(d, &report.sources, lang));
    }
    if let Some(old) = report.old_output {
        old.remove_in_background();
    }
    if !report.wrote && !out_dir.join("index.html").exists() {
        match lang {
            Lang::Zh => eprintln!("生成失败，请先修正上面的错误"),
            Lang::En => eprintln!("the build failed; fix the errors above first"),
        }
        return Ok(ExitCode::from(1));
    }
    match lang {
        Lang::Zh => println!("预览地址：{base_url}（按 Ctrl+C 停止）"),
        Lang::En => println!("preview at {base_url} (Ctrl+C to stop)"),
    }
    for request in server.incoming_requests() {
        // One bad request must never stop the server.
        let _ =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| respond(request, &out_dir)));
    }
    Ok(ExitCode::SUCCESS)
}

fn respond(request: tiny_http::Request, out_dir: &Path) {
    use tiny_http::{Header, Response};
    let header = |v: &str| Header::from_bytes("Content-Type", v).expect("static header");
    match resolve(out_dir, request.url()).and_then(|p| std::fs::read(&p).ok().map(|b| (p, b))) {
        Some((path, bytes)) => {
            let _ = request
                .respond(Response::from_data(bytes).with_header(header(content_type(&path))));
        }
        None => {
            let body = std::fs::read(out_dir.join("404.html")).unwrap_or_else(|_| b"404".to_vec());
            let _ = request.respond(
                Response::from_data(body)
                    .with_status_code(404)
                    .with_header(header("text/html; charset=utf-8")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("site/a")).unwrap();
        std::fs::write(tmp.path().join("site/a/index.html"), "x").unwrap();
        std::fs::write(tmp.path().join("secret"), "s").unwrap();
        let root = tmp.path().join("site");
        assert!(resolve(&root, "/a/?from=singlemessage").is_some());
        for bad in [
            "/../secret",
            "/%2e%2e/secret",
            "/a/..%2f..%2fsecret",
            "/..\\secret",
            "/a/%5c..%5csecret",
        ] {
            assert!(resolve(&root, bad).is_none(), "{bad}");
        }
    }
}
