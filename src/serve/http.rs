//! The preview's HTTP side: finds a request's file in the in-memory site, serves
//! it with its type, injects the live-reload script into HTML as it goes out, and
//! streams build events (Server-Sent Events) to open pages.
//!
//! It must not serve anything outside the preview (no `..`, encoded traversal,
//! backslashes or drive letters: `output::serving::request_path` decides), never
//! writes the reload script or preview URLs to disk, and never holds the lock while
//! it reads a file or writes to a client.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::{Shared, Site};
use crate::output::serving::{content_type, request_path};
use crate::output::OutData;

/// Finds a request's file: `a/` and `a` serve `a/index.html`.
fn lookup<'s>(site: &'s Site, url: &str) -> Option<(String, &'s Arc<OutData>)> {
    let path = request_path(url)?;
    let index = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        format!("{path}/index.html")
    };
    [path, index]
        .into_iter()
        .find_map(|p| site.get(&p).map(|d| (p, d)))
}

/// The live-reload client, served at /__anxuan/live.js and injected into every HTML
/// page of the preview (never into public/): reloads on a new build, shows the
/// errors of a failed one over the last good page.
const LIVE_JS: &str = r#"(function () {
  if (!window.EventSource) { return; }
  var box = null;
  function overlay(text) {
    if (!box) {
      box = document.createElement("div");
      box.id = "anxuan-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:70%;overflow:auto;z-index:99999;margin:0;padding:12px 16px;background:#8b0000;color:#fff;font:16px/1.5 monospace;white-space:pre-wrap;box-shadow:0 -4px 12px rgba(0,0,0,.4)";
      document.body.appendChild(box);
    }
    box.textContent = "生成出错，显示的是上一次成功生成的页面。改好文件并保存后会自动刷新。\n\n" + text;
  }
  var seen = null;
  var es = new EventSource("/__anxuan/events");
  es.addEventListener("reload", function (e) {
    if (seen !== null && e.data !== seen) { location.reload(); }
    seen = e.data;
    if (box) { box.parentNode.removeChild(box); box = null; }
  });
  es.addEventListener("error-report", function (e) {
    var d = JSON.parse(e.data);
    seen = String(d.generation);
    overlay(d.error);
  });
})();
"#;

pub(super) fn respond(
    request: tiny_http::Request,
    shared: &Shared,
    live_reload: bool,
    editing: &super::edit::Editing,
) {
    use tiny_http::{Header, Response};
    let header = |v: &str| Header::from_bytes("Content-Type", v).expect("static header");
    let url = request.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or("");
    let (lock, _) = &**shared;
    // While editing is on, only the preview's own address is answered (DNS rebinding:
    // a page of another site must not read the edit token out of a page).
    let host = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_string());
    if !editing.guard.host_ok(host.as_deref()) {
        let _ = request.respond(
            Response::from_string("this preview answers only to its own address")
                .with_status_code(403),
        );
        return;
    }
    if path.starts_with("/__anxuan/edit/") {
        let model = lock.lock().unwrap_or_else(|e| e.into_inner()).model.clone();
        super::edit::respond(request, editing, model.as_deref());
        return;
    }
    match path {
        "/__anxuan/events" => {
            let shared = shared.clone();
            std::thread::spawn(move || events(request, &shared));
            return;
        }
        "/__anxuan/live.js" => {
            let _ = request.respond(
                Response::from_data(LIVE_JS.as_bytes().to_vec())
                    .with_header(header("text/javascript; charset=utf-8")),
            );
            return;
        }
        "/__anxuan/status" => {
            let status = lock.lock().unwrap_or_else(|e| e.into_inner());
            let body =
                serde_json::json!({ "generation": status.generation, "error": status.error });
            let _ = request.respond(
                Response::from_data(body.to_string().into_bytes())
                    .with_header(header("application/json")),
            );
            return;
        }
        _ => {}
    }
    // The file is taken under the lock and read after it, so that a picture read from
    // disk never holds up a rebuild.
    let find = |url: &str| {
        let status = lock.lock().unwrap_or_else(|e| e.into_inner());
        lookup(&status.site, url).map(|(path, data)| (path, data.clone()))
    };
    let read = |found: Option<(String, Arc<OutData>)>| {
        let (path, data) = found?;
        Some((path, data.bytes().ok()?.into_owned()))
    };
    let (status, path, bytes) = match read(find(&url)) {
        Some((path, bytes)) => (200, path, bytes),
        None => match read(find("/404.html")) {
            Some((path, bytes)) => (404, path, bytes),
            None => (404, "404.html".into(), NO_SITE.as_bytes().to_vec()),
        },
    };
    let kind = content_type(Path::new(&path));
    let staff = path.strip_suffix("index.html").and_then(|page| {
        let status = lock.lock().unwrap_or_else(|e| e.into_inner());
        status.staff.get(page).map(staff_panel)
    });
    // The token goes into pages for this computer's own browser only.
    let peer = request.remote_addr().copied();
    let token = editing.guard.token_for(peer);
    // While editing is on: 编辑 on a page with a source file, 新建 on the home page.
    let edit_bar = editing
        .guard
        .editable_for(peer)
        .then_some(())
        .and_then(|_| {
            let page = path.strip_suffix("index.html")?;
            let model = lock.lock().unwrap_or_else(|e| e.into_inner()).model.clone();
            let source = model
                .as_deref()
                .and_then(|m| m.pages.iter().find(|p| p.path == page))
                .map(|p| super::edit::source_of(p));
            (source.is_some() || page.is_empty())
                .then(|| edit_bar(source.as_deref(), page.is_empty(), editing.lang))
        });
    let bytes = if kind.starts_with("text/html")
        && (live_reload || staff.is_some() || token.is_some() || edit_bar.is_some())
    {
        inject(
            bytes,
            live_reload,
            staff.as_deref(),
            token,
            edit_bar.as_deref(),
        )
    } else {
        bytes
    };
    let _ = request.respond(
        Response::from_data(bytes)
            .with_status_code(status)
            .with_header(header(kind))
            .with_header(Header::from_bytes("Cache-Control", "no-store").expect("static header")),
    );
}

/// Shown before any build has succeeded, with the error overlay on top.
const NO_SITE: &str = "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>anxuan 预览</title></head><body><p>网站还没有生成成功，错误见下方。</p></body></html>";

/// Copies a staff panel's text when its button is pressed: the Clipboard API where
/// the page may use it (localhost is a secure context), else the old `execCommand`.
const STAFF_JS: &str = r##"(function () {
  var buttons = document.querySelectorAll("#anxuan-staff button[data-copy]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function () {
      var b = this, box = document.getElementById(b.getAttribute("data-copy"));
      function done() { b.textContent = "已复制"; b.setAttribute("data-copied", "1"); }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(box.value).then(done, function () { box.select(); document.execCommand("copy"); done(); });
      } else { box.select(); document.execCommand("copy"); done(); }
    });
  }
})();"##;

/// The staff panel of a warning's preview page: its SMS and loudspeaker script with
/// copy buttons, and its CAP file. Only `serve` shows it, never `public/`.
fn staff_panel(t: &crate::pipeline::ChannelTexts) -> String {
    use crate::base::xml::xml_escape;
    let n = t.sms.chars().count();
    let shortened = if t.sms_shortened {
        "<p style=\"margin:4px 0;color:#8b0000\">完整的短信超过70字，已省去部分内容（如涉及的村），发之前请看一遍。</p>"
    } else {
        ""
    };
    let polyphones = if t.polyphones.is_empty() {
        String::new()
    } else {
        format!(
            "<p style=\"margin:4px 0\">读前请确认多音字：{}</p>",
            xml_escape(&t.polyphones.join("、"))
        )
    };
    format!(
        "<aside id=\"anxuan-staff\" aria-label=\"工作人员专用\" style=\"margin:24px auto;max-width:46rem;padding:12px 16px;border:3px dashed #555;background:#fffbe6;color:#1a1a1a;font-size:17px;line-height:1.6\">\
<h2 style=\"margin:0 0 8px;font-size:20px\">工作人员专用（只在预览里显示，不会发布）</h2>\
<label for=\"anxuan-sms\"><strong>短信</strong>（{n} 字，最多 70 字）</label>{shortened}\
<textarea id=\"anxuan-sms\" readonly rows=\"3\" style=\"display:block;width:100%;box-sizing:border-box;font-size:17px\">{sms}</textarea>\
<button type=\"button\" data-copy=\"anxuan-sms\" style=\"display:block;min-height:44px;margin:6px 0 12px;font-size:17px\">复制短信</button>\
<label for=\"anxuan-broadcast\"><strong>广播稿</strong>（农村大喇叭）</label>{polyphones}\
<textarea id=\"anxuan-broadcast\" readonly rows=\"10\" style=\"display:block;width:100%;box-sizing:border-box;font-size:17px\">{script}</textarea>\
<button type=\"button\" data-copy=\"anxuan-broadcast\" style=\"display:block;min-height:44px;margin:6px 0 12px;font-size:17px\">复制广播稿</button>\
<p style=\"margin:4px 0\"><a href=\"cap.xml\">CAP 1.2 文件</a>（给县、市预警平台）；公众号版用 <code>anxuan channels</code> 生成。</p>\
<script>{STAFF_JS}</script></aside>",
        sms = xml_escape(&t.sms),
        script = xml_escape(&t.script),
    )
}

/// The editor's links on a preview page: 编辑 for its source, 新建 on the home page.
fn edit_bar(source: Option<&str>, home: bool, lang: crate::base::diagnostic::Lang) -> String {
    use crate::base::xml::xml_escape;
    let en = lang == crate::base::diagnostic::Lang::En;
    let link = "display:inline-block;margin:2px;padding:8px 12px;border-radius:4px;background:#1e5fb4;color:#fff;font:bold 17px/1.3 system-ui,sans-serif;text-decoration:none";
    let mut links = String::new();
    if let Some(rel) = source {
        let q: String = rel
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        links.push_str(&format!(
            "<a href=\"/__anxuan/edit/?page={}\" style=\"{link}\">{}</a>",
            xml_escape(&q),
            if en { "Edit this page" } else { "编辑本页" }
        ));
    }
    if home {
        // One button that opens the five kinds, so the bar stays one small row on a phone.
        let mut kinds = String::new();
        for (kind, zh, en_name) in [
            ("notice", "通知", "notice"),
            ("warning", "预警", "warning"),
            ("campaign", "活动", "campaign"),
            ("stats", "数据", "statistics"),
            ("leaflet", "宣传单", "leaflet"),
        ] {
            let name = if en {
                format!("New {en_name}")
            } else {
                format!("新建{zh}")
            };
            kinds.push_str(&format!(
                "<a href=\"/__anxuan/edit/?new={kind}\" style=\"{link};display:block\">{name}</a>"
            ));
        }
        links.push_str(&format!(
            "<details style=\"display:inline-block;margin:2px\"><summary style=\"{link};margin:0;cursor:pointer;list-style:none\">{}</summary><div style=\"position:absolute;bottom:100%;left:0;padding:4px;background:#fff;border:2px solid #1e5fb4;border-radius:4px\">{kinds}</div></details>",
            if en { "New page ▴" } else { "新建页面 ▴" }
        ));
    }
    // The spacer lets the end of the page scroll out from under the bar.
    format!(
        "<div style=\"height:64px\"></div><nav id=\"anxuan-edit\" aria-label=\"{}\" style=\"position:fixed;left:8px;bottom:8px;z-index:9998;max-width:calc(100% - 16px);display:flex;flex-wrap:wrap\">{links}</nav>",
        if en { "Edit (in the preview only)" } else { "编辑（只在预览里显示）" }
    )
}

fn inject(
    html: Vec<u8>,
    live_reload: bool,
    staff: Option<&str>,
    token: Option<&str>,
    edit_bar: Option<&str>,
) -> Vec<u8> {
    use lol_html::{element, html_content::ContentType, rewrite_str, RewriteStrSettings};
    let Ok(text) = String::from_utf8(html) else {
        return Vec::new();
    };
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("head", |el| {
            // The edit API's token, for the preview's own scripts (`edit`).
            if let Some(t) = token {
                el.append(
                    &format!("<meta name=\"anxuan-edit-token\" content=\"{t}\">"),
                    ContentType::Html,
                );
            }
            Ok(())
        }))
        .append_element_content_handler(element!("body", |el| {
            if let Some(panel) = staff {
                el.append(panel, ContentType::Html);
            }
            if let Some(bar) = edit_bar {
                el.append(bar, ContentType::Html);
            }
            if live_reload {
                el.append(
                    "<script src=\"/__anxuan/live.js\"></script>",
                    ContentType::Html,
                );
            }
            Ok(())
        }));
    rewrite_str(&text, settings).unwrap_or(text).into_bytes()
}

/// Server-Sent Events: the current state at once, then every new build.
fn events(request: tiny_http::Request, shared: &Shared) {
    use std::io::Write;
    let mut w = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
    if w.write_all(head.as_bytes()).is_err() {
        return;
    }
    let (lock, changed) = &**shared;
    let mut sent: Option<u64> = None;
    loop {
        let message = {
            let mut status = lock.lock().unwrap_or_else(|e| e.into_inner());
            if sent == Some(status.generation) {
                let (s, _) = changed
                    .wait_timeout(status, Duration::from_secs(15))
                    .unwrap_or_else(|e| e.into_inner());
                status = s;
            }
            if sent == Some(status.generation) {
                ": ping\n\n".to_string()
            } else {
                sent = Some(status.generation);
                match &status.error {
                    None => format!("event: reload\ndata: {}\n\n", status.generation),
                    Some(e) => format!(
                        "event: error-report\ndata: {}\n\n",
                        serde_json::json!({ "generation": status.generation, "error": e })
                    ),
                }
            }
        };
        if w.write_all(message.as_bytes())
            .and_then(|_| w.flush())
            .is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::serving::resolve;

    #[test]
    fn traversal_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("site/a")).unwrap();
        std::fs::write(tmp.path().join("site/a/index.html"), "x").unwrap();
        std::fs::write(tmp.path().join("secret"), "s").unwrap();
        let root = tmp.path().join("site");
        assert!(resolve(&root, "/a/?from=singlemessage").is_some());
        let mut site = Site::new();
        site.insert(
            "a/index.html".into(),
            Arc::new(OutData::Bytes(b"x".to_vec())),
        );
        assert!(lookup(&site, "/a/?from=singlemessage").is_some());
        assert!(lookup(&site, "/a").is_some());
        for bad in [
            "/../secret",
            "/%2e%2e/secret",
            "/a/..%2f..%2fsecret",
            "/..\\secret",
            "/a/%5c..%5csecret",
            "/c:/secret",
        ] {
            assert!(resolve(&root, bad).is_none(), "{bad}");
            assert!(request_path(bad).is_none(), "{bad}");
        }
        assert_eq!(request_path("/a/./b/").as_deref(), Some("a/b/"));
        assert_eq!(request_path("/").as_deref(), Some(""));
    }
}
