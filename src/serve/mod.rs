//! `anxuan serve`: builds the site for local preview and serves it over HTTP.
//!
//! The preview is built with `base_url` pointing at the preview address, into a
//! folder outside the site, so `public/` never receives localhost links that a clerk
//! might then publish. Requests are confined to that folder: no `..`, no encoded
//! traversal, no backslashes, no symlinks out. A failed build keeps serving the last
//! good one, and the browser shows its errors over it. The sources are watched
//! (notify, debounced) and every change rebuilds the preview and reloads open pages
//! through Server-Sent Events; the reload script is injected into the HTML as it is
//! served, never written to disk.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::base::diagnostic::{self, Lang};
use crate::output::serving::{content_type, request_path};
use crate::output::OutData;
use crate::pipeline::{BuildOptions, Session};

/// The preview: every file of the last good build, by output path, in memory. Pages
/// are bytes; a picture or other file copied unchanged is read from its source when
/// asked for.
type Site = HashMap<String, Arc<OutData>>;

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

/// What the browser is told: the build generation, and the errors of the last build
/// (rendered, in the user's language) if it failed; and the site being served.
#[derive(Default)]
struct Status {
    generation: u64,
    error: Option<String>,
    /// Changed in place under the lock, a few files per edit: a request takes the
    /// file it wants and lets go.
    site: Site,
    /// The search index files of the build before the current index: kept one
    /// generation longer, for a search page opened just before it was replaced.
    old_search: Vec<String>,
    /// The generation of the site being served: a failed build counts a generation
    /// but leaves this one showing, whose search index is still wanted.
    shown: u64,
    /// The warnings the last build printed: a save prints only the new ones, so a
    /// GBK file's warning is not repeated on every edit of another page.
    warned: std::collections::HashSet<String>,
}

type Shared = Arc<(Mutex<Status>, Condvar)>;

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

pub fn run(
    root: &Path,
    bind: &str,
    port: u16,
    now: Option<jiff::Timestamp>,
    live_reload: bool,
    poll: bool,
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
    let lan = if bind == "0.0.0.0" {
        lan_address()
    } else {
        None
    };
    let host = match (&lan, bind) {
        (Some(ip), _) => ip.clone(),
        (None, "0.0.0.0") => "127.0.0.1".to_string(),
        (None, b) => b.to_string(),
    };
    let base_url = format!("http://{host}:{actual_port}/");
    // The preview is built with the preview's own address as base_url and kept in
    // memory: never in public/, where a clerk might publish localhost links.
    let opts = BuildOptions {
        root: root.to_path_buf(),
        output: None,
        base_url: Some(base_url.clone()),
        now,
        drafts: true,
    };
    let shared: Shared = Arc::new((Mutex::new(Status::default()), Condvar::new()));
    let searcher = Searcher::start(shared.clone());
    let mut session = Session::default();
    rebuild(&opts, &mut session, &shared, &searcher, lang);
    match lang {
        Lang::Zh => println!("预览地址：{base_url}（按 Ctrl+C 停止）"),
        Lang::En => println!("preview at {base_url} (Ctrl+C to stop)"),
    }
    if bind == "0.0.0.0" {
        print_lan_qr(&base_url, lan.is_some(), lang);
    }
    let _watcher = match watch(root, opts, session, shared.clone(), searcher, poll, lang) {
        Ok(w) => Some(w),
        Err(e) => {
            match lang {
                Lang::Zh => {
                    eprintln!("警告：无法监视文件变化（{e}），修改后需要重新运行 anxuan serve")
                }
                Lang::En => eprintln!(
                    "warning: cannot watch for changes ({e}); restart anxuan serve after editing"
                ),
            }
            None
        }
    };
    // A few threads answer requests, so that a slow client (or a phone on poor
    // Wi-Fi) never holds up the others; the event streams have a thread each.
    let server = Arc::new(server);
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (server, shared) = (server.clone(), shared.clone());
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    // One bad request must never stop the server.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        respond(request, &shared, live_reload)
                    }));
                }
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
    Ok(ExitCode::SUCCESS)
}

/// Rebuilds the preview. Only what the change affects is read, rendered and
/// replaced (see [`Session`]); a failed build keeps the last good site and records
/// its errors for the browser. The search index follows on another thread.
fn rebuild(
    opts: &BuildOptions,
    session: &mut Session,
    shared: &Shared,
    searcher: &Searcher,
    lang: Lang,
) {
    let started = std::time::Instant::now();
    // A panic anywhere in a build must not take the server down with it.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| session.build(opts)));
    let (lock, changed) = &**shared;
    let Ok(mut build) = result else {
        // What the caches hold after a panic is not to be trusted.
        *session = Session::default();
        let mut status = lock.lock().unwrap_or_else(|e| e.into_inner());
        status.generation += 1;
        status.error = Some(match lang {
            Lang::Zh => "anxuan 生成时出现内部错误（程序缺陷），请把终端里的信息报告给开发者".into(),
            Lang::En => "anxuan hit an internal error while building (a bug); please report the terminal output".into(),
        });
        changed.notify_all();
        return;
    };
    let mut errors = String::new();
    let mut warned = std::collections::HashSet::new();
    let rendered: Vec<(bool, String)> = build
        .report
        .diagnostics
        .iter()
        .chain(&build.moved)
        .map(|d| {
            (
                d.is_error(),
                diagnostic::render(d, &build.report.sources, lang),
            )
        })
        .collect();
    let before = std::mem::take(&mut lock.lock().unwrap_or_else(|e| e.into_inner()).warned);
    for (is_error, text) in rendered {
        if is_error {
            eprintln!("{text}\n");
            errors.push_str(&text);
            errors.push_str("\n\n");
        } else {
            if !before.contains(&text) {
                eprintln!("{text}\n");
            }
            warned.insert(text);
        }
    }
    lock.lock().unwrap_or_else(|e| e.into_inner()).warned = warned;
    let first = lock
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .site
        .is_empty();
    if first && errors.is_empty() {
        // Nothing is shown yet: the whole site, search included, comes at once.
        build.files.extend(build.search().unwrap_or_default());
    }
    let mut status = lock.lock().unwrap_or_else(|e| e.into_inner());
    status.generation += 1;
    if !errors.is_empty() {
        status.error = Some(errors);
        changed.notify_all();
        return;
    }
    // The search index is replaced by the searcher, once it is made.
    for gone in std::mem::take(&mut build.removed) {
        status.site.remove(&gone);
    }
    let made = build.files.len();
    for f in std::mem::take(&mut build.files) {
        status.site.insert(f.path, Arc::new(f.data));
    }
    status.error = None;
    status.shown = status.generation;
    let generation = status.generation;
    drop(status);
    changed.notify_all();
    let ms = started.elapsed().as_millis();
    match (lang, first) {
        (Lang::Zh, true) => eprintln!("已生成 {} 个页面（{ms} 毫秒）", build.report.pages),
        (Lang::Zh, false) => eprintln!("已重新生成 {made} 个文件（{ms} 毫秒）"),
        (Lang::En, true) => eprintln!("built {} pages in {ms} ms", build.report.pages),
        (Lang::En, false) => eprintln!("rebuilt {made} files in {ms} ms"),
    }
    if !first {
        searcher.submit(generation, build);
    }
}

/// How long the edits must pause before the search index is brought up to date.
const SEARCH_PAUSE: Duration = Duration::from_millis(500);

/// Makes the search index of the newest good build on its own thread once the edits
/// pause, so that a page edit is shown without waiting for it; a build that is
/// already superseded is skipped.
#[derive(Clone)]
struct Searcher(Arc<(Mutex<Option<SearchJob>>, Condvar)>);

/// A good build waiting for its search index, with the generation it was shown as.
type SearchJob = (u64, crate::pipeline::Incremental);

impl Searcher {
    fn start(shared: Shared) -> Searcher {
        let searcher = Searcher(Arc::new((Mutex::new(None), Condvar::new())));
        let slot = searcher.0.clone();
        std::thread::spawn(move || loop {
            let (generation, build) = {
                let (lock, ready) = &*slot;
                let mut job = lock.lock().unwrap_or_else(|e| e.into_inner());
                while job.is_none() {
                    job = ready.wait(job).unwrap_or_else(|e| e.into_inner());
                }
                // Wait for the edits to pause, so that the index does not take the
                // processor from the rebuild of the next save.
                loop {
                    let (j, waited) = ready
                        .wait_timeout(job, SEARCH_PAUSE)
                        .unwrap_or_else(|e| e.into_inner());
                    job = j;
                    if waited.timed_out() {
                        break;
                    }
                }
                match job.take() {
                    Some(j) => j,
                    None => continue,
                }
            };
            let files = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build.search()))
                .ok()
                .flatten();
            let (lock, _) = &*shared;
            let mut status = lock.lock().unwrap_or_else(|e| e.into_inner());
            if status.shown != generation {
                continue;
            }
            let pages: HashSet<&str> = build.paths.iter().map(String::as_str).collect();
            let files = files.unwrap_or_default();
            let new: HashSet<String> = files.iter().map(|f| f.path.clone()).collect();
            let status = &mut *status;
            for old in std::mem::take(&mut status.old_search) {
                if !new.contains(&old) && !pages.contains(old.as_str()) {
                    status.site.remove(&old);
                }
            }
            status.old_search = status
                .site
                .keys()
                .filter(|p| p.starts_with(crate::render::search::PAGE_PATH))
                .filter(|p| !new.contains(*p) && !pages.contains(p.as_str()))
                .cloned()
                .collect();
            for f in files {
                status.site.insert(f.path, Arc::new(f.data));
            }
        });
        searcher
    }

    fn submit(&self, generation: u64, build: crate::pipeline::Incremental) {
        let (lock, ready) = &*self.0;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = Some((generation, build));
        ready.notify_one();
    }
}

/// Watches the site's sources and rebuilds after a burst of changes settles (editors
/// save by writing a temporary file and renaming it: one save is several events,
/// microseconds apart).
fn watch(
    root: &Path,
    opts: BuildOptions,
    mut session: Session,
    shared: Shared,
    searcher: Searcher,
    poll: bool,
    lang: Lang,
) -> notify::Result<Option<notify::RecommendedWatcher>> {
    use notify::{RecursiveMode, Watcher};
    let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
    // Native file events do not arrive from network drives, some VMs and WSL mounts
    // (Zola #2266); `--poll` looks at the files every half second instead.
    let watcher = if poll {
        let (root, tx) = (root.to_path_buf(), tx.clone());
        std::thread::spawn(move || poll_files(&root, &tx));
        None
    } else {
        let mut watcher = notify::recommended_watcher(tx)?;
        // The root itself, not recursively: config.toml, and folders appearing.
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        for dir in WATCHED {
            let d = root.join(dir);
            if d.is_dir() {
                watcher.watch(&d, RecursiveMode::Recursive)?;
            }
        }
        Some(watcher)
    };
    let abs_root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    std::thread::spawn(move || {
        let relevant = |p: &Path| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            // Editor droppings: vim's 4913 probe and swap files, backups.
            !(name.ends_with('~')
                || name.ends_with(".swp")
                || name.ends_with(".swx")
                || name == "4913"
                || p.starts_with(opts.root.join("public"))
                || p.starts_with(abs_root.join("public")))
        };
        let mut changed: Vec<PathBuf> = Vec::new();
        // Set when the watcher lost events (its queue overflowed, say): then the next
        // build looks at every file instead of trusting the names it was given.
        let mut lost = false;
        let collect = |e: notify::Result<notify::Event>,
                       changed: &mut Vec<PathBuf>,
                       lost: &mut bool| match e {
            Ok(e) if e.need_rescan() => *lost = true,
            Ok(e) => {
                if !matches!(e.kind, notify::EventKind::Access(_)) {
                    changed.extend(e.paths.into_iter().filter(|p| relevant(p)));
                }
            }
            Err(_) => *lost = true,
        };
        while let Ok(first) = rx.recv() {
            collect(first, &mut changed, &mut lost);
            // Debounce: wait until 20 ms pass without another event.
            while let Ok(next) = rx.recv_timeout(Duration::from_millis(20)) {
                collect(next, &mut changed, &mut lost);
            }
            if std::mem::take(&mut lost) {
                session.rescan();
            } else if changed.is_empty() {
                continue;
            }
            // File times are coarse (a few ms): the cache must not trust a stamp
            // for a file the watcher saw change.
            for p in changed.drain(..) {
                let rel = p
                    .strip_prefix(&abs_root)
                    .or_else(|_| p.strip_prefix(&opts.root));
                if let Ok(rel) = rel {
                    session.forget(rel);
                }
            }
            rebuild(&opts, &mut session, &shared, &searcher, lang);
        }
    });
    Ok(watcher)
}

/// The folders of a site that `serve` watches, besides config.toml at its root.
const WATCHED: [&str; 4] = ["content", "static", "templates", "themes"];

/// Every file `serve` watches with its size and modification time, to the
/// nanosecond where the file system keeps them. notify's own PollWatcher compares
/// whole seconds, so it would miss a second save within the same second.
fn file_times(root: &Path) -> HashMap<PathBuf, (u64, Option<std::time::SystemTime>)> {
    let stamp = |m: std::fs::Metadata| (m.len(), m.modified().ok());
    let mut files = HashMap::new();
    if let Ok(m) = std::fs::metadata(root.join("config.toml")) {
        files.insert(root.join("config.toml"), stamp(m));
    }
    for dir in WATCHED {
        for entry in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
            if entry.file_type().is_file() {
                if let Ok(m) = entry.metadata() {
                    files.insert(entry.into_path(), stamp(m));
                }
            }
        }
    }
    files
}

/// `serve --poll`: every half second, the files whose size or time changed, and
/// those that came or went, are sent as one event, as a native watcher would send
/// them. Ends when the watching thread is gone.
fn poll_files(root: &Path, tx: &std::sync::mpsc::Sender<notify::Result<notify::Event>>) {
    let mut last = file_times(root);
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = file_times(root);
        let mut paths: Vec<PathBuf> = now
            .iter()
            .filter(|(p, stamp)| last.get(*p) != Some(*stamp))
            .map(|(p, _)| p.clone())
            .collect();
        paths.extend(last.keys().filter(|p| !now.contains_key(*p)).cloned());
        if !paths.is_empty() {
            let mut event = notify::Event::new(notify::EventKind::Any);
            event.paths = paths;
            if tx.send(Ok(event)).is_err() {
                return;
            }
        }
        last = now;
    }
}

fn respond(request: tiny_http::Request, shared: &Shared, live_reload: bool) {
    use tiny_http::{Header, Response};
    let header = |v: &str| Header::from_bytes("Content-Type", v).expect("static header");
    let url = request.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or("");
    let (lock, _) = &**shared;
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
    let bytes = if live_reload && kind.starts_with("text/html") {
        inject_live_reload(bytes)
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

fn inject_live_reload(html: Vec<u8>) -> Vec<u8> {
    use lol_html::{element, html_content::ContentType, rewrite_str, RewriteStrSettings};
    let Ok(text) = String::from_utf8(html) else {
        return Vec::new();
    };
    let settings =
        RewriteStrSettings::new().append_element_content_handler(element!("body", |el| {
            el.append(
                "<script src=\"/__anxuan/live.js\"></script>",
                ContentType::Html,
            );
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

/// The address other devices on the LAN reach this computer by: the local side of a
/// UDP socket "connected" to a public address (no packet is sent).
fn lan_address() -> Option<String> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("223.5.5.5:53").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then(|| ip.to_string())
}

/// The LAN URL and a QR code of it drawn with half blocks, for a phone's camera.
fn print_lan_qr(url: &str, found: bool, lang: Lang) {
    if !found {
        match lang {
            Lang::Zh => println!("没有找到本机的局域网地址；手机预览请用本机的 IP 地址加端口访问"),
            Lang::En => println!(
                "no LAN address found; open this computer's IP address and port on the phone"
            ),
        }
        return;
    }
    match lang {
        Lang::Zh => println!("手机预览（同一 Wi-Fi 下用手机扫码）：{url}"),
        Lang::En => println!("preview on a phone on the same Wi-Fi (scan): {url}"),
    }
    if let Some(qr) = crate::render::qr::terminal(url) {
        println!("{qr}");
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
