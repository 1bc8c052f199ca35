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
//!
//! It must not write preview URLs or the reload script into `public/`, and must not
//! stop on a bad build or a panic in one: the last good site stays served.
//!
//! The files: `http` answers requests, `edit` the editor's requests (reading and
//! saving a page's source, behind a Host, Origin and token check), `search` makes the search index after the
//! pages are shown, `watch` turns file events into rebuilds, `poll` looks at the
//! files itself (`--poll`, and the automatic fallback where native events do not
//! arrive). For tests only, `ANXUAN_SERVE_IGNORE_EVENTS=1` drops every native
//! file event, as on a drive that sends none.

mod edit;
mod http;
mod poll;
mod search;
mod watch;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Condvar, Mutex};

use crate::base::diagnostic::{self, Lang};
use crate::output::OutData;
use crate::pipeline::BuildOptions;
use crate::session::Session;
use search::Searcher;

/// The preview: every file of the last good build, by output path, in memory. Pages
/// are bytes; a picture or other file copied unchanged is read from its source when
/// asked for.
type Site = HashMap<String, Arc<OutData>>;

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
    /// Each warning's staff texts by its page's output path (`warnings/a/`), for the
    /// staff panel `http` adds to its preview page.
    staff: std::collections::HashMap<String, crate::pipeline::ChannelTexts>,
    /// The model of the site being served (the session holds it anyway), for the
    /// editor: each page's source file, title and address.
    model: Option<Arc<crate::model::Site>>,
}

type Shared = Arc<(Mutex<Status>, Condvar)>;

/// What the watching thread is told.
enum Seen {
    /// A native file event, or notify's report that it lost some.
    Native(notify::Result<notify::Event>),
    /// The files a stat pass found changed, came or gone since the pass before
    /// (see `poll::Looker`); a pass that found nothing also sends one while checking.
    Looked(Vec<PathBuf>),
}

/// How the preview behaves.
pub struct Preview {
    /// Reload open pages on each build (the script is injected as pages are served).
    pub live_reload: bool,
    /// Stat the files instead of waiting for native file events.
    pub poll: bool,
    /// Let computers on the LAN edit, with a one-time code (`edit::Guard`).
    pub edit_on_lan: bool,
}

pub fn run(
    root: &Path,
    bind: &str,
    port: u16,
    now: Option<jiff::Timestamp>,
    preview: Preview,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let Preview {
        live_reload,
        poll,
        edit_on_lan,
    } = preview;
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
    // Watching starts before the address is shown: an edit made as soon as it
    // appears must not be missed.
    let _watcher = match watch::watch(root, opts, session, shared.clone(), searcher, poll, lang) {
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
    {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = match lang {
            Lang::Zh => writeln!(out, "预览地址：{base_url}（按 Ctrl+C 停止）"),
            Lang::En => writeln!(out, "preview at {base_url} (Ctrl+C to stop)"),
        };
        let _ = out.flush();
    }
    if bind == "0.0.0.0" {
        print_lan_qr(&base_url, lan.is_some(), lang);
    }
    // A few threads answer requests, so that a slow client (or a phone on poor
    // Wi-Fi) never holds up the others; the event streams have a thread each.
    let server = Arc::new(server);
    let guard = edit::Guard::new(bind, actual_port, lan.as_deref(), edit_on_lan);
    if let Some(code) = guard.lan_code() {
        use std::io::Write;
        let _ = match lang {
            Lang::Zh => writeln!(std::io::stdout(), "局域网编辑码（只能用一次）：{code}"),
            Lang::En => writeln!(std::io::stdout(), "LAN edit code (works once): {code}"),
        };
    } else if edit_on_lan {
        match lang {
            Lang::Zh => {
                eprintln!("注意：--edit-on-lan 要和 --bind 0.0.0.0 一起用；现在只有本机能编辑")
            }
            Lang::En => eprintln!(
                "note: --edit-on-lan goes with --bind 0.0.0.0; only this computer can edit now"
            ),
        }
    }
    let editing = Arc::new(edit::Editing {
        guard,
        root: root.to_path_buf(),
        lang,
    });
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (server, shared, editing) = (server.clone(), shared.clone(), editing.clone());
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    // One bad request must never stop the server.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        http::respond(request, &shared, live_reload, &editing)
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
    status.staff = std::mem::take(&mut build.report.channels)
        .into_iter()
        .map(|t| (t.path.clone(), t))
        .collect();
    if let Some((site, _)) = &build.site {
        status.model = Some(site.clone());
    }
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

/// The address other devices on the LAN reach this computer by: the local side of a
/// UDP socket "connected" to a public address (no packet is sent).
fn lan_address() -> Option<String> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("223.5.5.5:53").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then(|| ip.to_string())
}

/// The LAN URL and a QR code of it drawn with half blocks, for a phone's camera.
/// Written without `println!`: a closed standard output (a launcher that does not
/// read it) must not stop the preview.
fn print_lan_qr(url: &str, found: bool, lang: Lang) {
    use std::io::Write;
    let mut out = std::io::stdout();
    if !found {
        let _ = writeln!(
            out,
            "{}",
            match lang {
                Lang::Zh => "没有找到本机的局域网地址；手机预览请用本机的 IP 地址加端口访问",
                Lang::En =>
                    "no LAN address found; open this computer's IP address and port on the phone",
            }
        );
        return;
    }
    let _ = match lang {
        Lang::Zh => writeln!(out, "手机预览（同一 Wi-Fi 下用手机扫码）：{url}"),
        Lang::En => writeln!(out, "preview on a phone on the same Wi-Fi (scan): {url}"),
    };
    if let Some(qr) = crate::render::qr::terminal(url) {
        let _ = writeln!(out, "{qr}");
    }
}
