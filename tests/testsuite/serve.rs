//! `anxuan serve` as a clerk uses it: edits, new, renamed and deleted files show up
//! without a restart, a bad edit keeps the last good page and reports the error to
//! the browser, open pages get a reload event, and nothing outside the preview is
//! ever served.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};

use crate::browser::{serve_live as serve, Server};
use crate::support::Site;

/// A running preview: its address.
trait Preview {
    fn url(&self) -> &str;
}

impl Preview for Server {
    fn url(&self) -> &str {
        &self.1
    }
}

/// A raw HTTP/1.0 GET: (status, head, body as text).
fn get(server: &impl Preview, path: &str) -> (u16, String, String) {
    let (status, head, body) = crate::support::http_get(server.url(), path);
    (status, head, String::from_utf8_lossy(&body).into_owned())
}

/// Polls `path` until `ok` holds (the rebuild after a change takes a moment).
#[track_caller]
fn eventually(server: &impl Preview, path: &str, what: &str, ok: impl Fn(u16, &str) -> bool) {
    let started = Instant::now();
    loop {
        let (status, _, body) = get(server, path);
        if ok(status, &body) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{path}: {what} never happened; last {status}: {body}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn status_json(server: &Server) -> serde_json::Value {
    serde_json::from_str(&get(server, "/__anxuan/status").2).unwrap()
}

const NOW: &str = "2024-01-01T12:00:00+08:00";

#[test]
fn edits_new_renamed_and_deleted_files_show_up() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", "第一版\n");
    let server = serve(&site, NOW);
    let (status, _, body) = get(&server, "/notices/a/");
    assert_eq!(status, 200);
    assert!(body.contains("第一版"));
    assert!(
        body.contains("<script src=\"/__anxuan/live.js\"></script></body>"),
        "live reload injected"
    );

    site.page("content/notices/a.md", "title = \"甲\"", "第二版\n");
    eventually(&server, "/notices/a/", "the edit", |_, b| {
        b.contains("第二版")
    });

    // An editor saving by writing a temporary file and renaming it over the page.
    site.file(
        "content/notices/.a.md.tmp",
        "+++\ntitle = \"甲\"\n+++\n第三版\n",
    );
    std::fs::rename(
        site.path().join("content/notices/.a.md.tmp"),
        site.path().join("content/notices/a.md"),
    )
    .unwrap();
    eventually(&server, "/notices/a/", "save by rename", |_, b| {
        b.contains("第三版")
    });
    // `sed -i` and some editors use a temporary name the walk does not skip.
    for (n, temp) in [(4, "sedAb12Cd"), (5, "a.md___jb_tmp___")] {
        let from = site.path().join("content/notices").join(temp);
        std::fs::write(&from, format!("+++\ntitle = \"甲\"\n+++\n第{n}版\n")).unwrap();
        std::fs::rename(&from, site.path().join("content/notices/a.md")).unwrap();
        eventually(&server, "/notices/a/", temp, |_, b| {
            b.contains(&format!("第{n}版"))
        });
    }
    // Had a build caught one of them in passing, it went with it.
    for temp in ["sedAb12Cd", "a.md___jb_tmp___"] {
        let path = format!("/notices/{temp}");
        eventually(&server, &path, "no temporary file", |s, _| s == 404);
    }

    site.page("content/notices/b.md", "title = \"乙\"", "新的\n");
    eventually(&server, "/notices/b/", "a new page", |s, b| {
        s == 200 && b.contains("新的")
    });
    eventually(&server, "/notices/", "the list", |_, b| b.contains("乙"));

    std::fs::rename(
        site.path().join("content/notices/b.md"),
        site.path().join("content/notices/c.md"),
    )
    .unwrap();
    eventually(&server, "/notices/c/", "the renamed page", |s, _| s == 200);
    eventually(&server, "/notices/b/", "the old name gone", |s, b| {
        s == 404 && b.contains("页面不存在")
    });

    std::fs::remove_file(site.path().join("content/notices/c.md")).unwrap();
    eventually(&server, "/notices/c/", "the deleted page gone", |s, _| {
        s == 404
    });

    site.file(
        "config.toml",
        &format!(
            "{}\n[footer]\nsponsor = \"新主办单位\"\n",
            crate::support::CONFIG
        ),
    );
    eventually(&server, "/notices/a/", "a config change", |_, b| {
        b.contains("新主办单位")
    });
}

#[test]
fn a_bad_edit_keeps_the_last_good_page_and_reports_the_error() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", "好的版本\n");
    let server = serve(&site, NOW);
    assert!(status_json(&server)["error"].is_null());
    site.file("content/notices/a.md", "+++\ntitle = 甲\n+++\n坏的版本\n");
    let started = Instant::now();
    let error = loop {
        if let Some(e) = status_json(&server)["error"].as_str() {
            break e.to_string();
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no error reported"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        error.contains("content/notices/a.md:2:9: 错误：文字 `甲` 没有加引号"),
        "{error}"
    );
    let (status, _, body) = get(&server, "/notices/a/");
    assert_eq!(status, 200);
    assert!(
        body.contains("好的版本") && !body.contains("坏的版本"),
        "the last good page stays"
    );

    site.page("content/notices/a.md", "title = \"甲\"", "改好了\n");
    eventually(&server, "/notices/a/", "the fix", |_, b| {
        b.contains("改好了")
    });
    assert!(
        status_json(&server)["error"].is_null(),
        "fixing the file clears the error"
    );
}

/// The number of pages in the search index the preview serves now.
fn indexed_pages(server: &Server) -> u64 {
    let page = get(server, "/search/").2;
    let index = crate::support::between(&page, "data-index=\"", "\"").to_string();
    serde_json::from_str::<serde_json::Value>(&get(server, &index).2)
        .map_or(0, |m| m["docs"].as_u64().unwrap_or(0))
}

#[test]
fn the_search_index_follows_the_site_shown_even_after_a_failed_build() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", "正文\n");
    let server = serve(&site, NOW);
    let before = indexed_pages(&server);
    assert!(before >= 1, "{before}");
    // A good edit, then at once a bad one: the index is made once edits pause, and
    // must still be made for the site that stays shown.
    site.page("content/notices/b.md", "title = \"乙\"", "正文\n");
    eventually(&server, "/notices/b/", "the new page", |s, _| s == 200);
    site.file("content/notices/c.md", "+++\ntitle = \"丙\n+++\n");
    eventually(&server, "/__anxuan/status", "the error", |_, b| {
        b.contains("c.md")
    });
    let started = Instant::now();
    while indexed_pages(&server) != before + 1 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the index never took in the new page"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn open_pages_get_a_reload_event_and_errors_as_an_overlay_event() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", "一\n");
    let server = serve(&site, NOW);
    let addr = server
        .1
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(s, "GET /__anxuan/events HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut lines = BufReader::new(s).lines().map_while(Result::ok);
    let mut next_event = || -> (String, String) {
        let mut event = String::new();
        for line in lines.by_ref() {
            if let Some(e) = line.strip_prefix("event: ") {
                event = e.to_string();
            } else if let Some(d) = line.strip_prefix("data: ") {
                return (event, d.to_string());
            }
        }
        panic!("the event stream ended");
    };
    let (event, first) = next_event();
    assert_eq!(event, "reload", "the current state on connect");
    site.page("content/notices/a.md", "title = \"甲\"", "二\n");
    let (event, data) = next_event();
    assert_eq!(event, "reload");
    assert!(data.parse::<u64>().unwrap() > first.parse::<u64>().unwrap());
    site.file("content/notices/a.md", "+++\ntitle = \n+++\n");
    let (event, data) = next_event();
    assert_eq!(event, "error-report");
    assert!(data.contains("content/notices/a.md:2"), "{data}");
    let js = get(&server, "/__anxuan/live.js").2;
    assert!(js.contains("EventSource") && js.contains("location.reload()"));
}

#[test]
fn nothing_outside_the_preview_is_served_and_types_are_right() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", "正文\n");
    site.file("secret.txt", "机密");
    let server = serve(&site, NOW);
    for path in [
        "/../secret.txt",
        "/../../etc/passwd",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/notices/..%2f..%2fsecret.txt",
        "/..\\secret.txt",
        "/notices/%5c..%5c..%5csecret.txt",
        "/C:/Windows/win.ini",
    ] {
        let (status, _, body) = get(&server, path);
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("机密") && !body.contains("root:"), "{path}");
    }
    let home = get(&server, "/").2;
    let css = home
        .split("href=\"")
        .find(|p| p.starts_with("/style."))
        .unwrap();
    let css = &css[..css.find('"').unwrap()];
    for (path, kind) in [
        ("/notices/a/", "text/html; charset=utf-8"),
        ("/notices/a/?from=singlemessage", "text/html; charset=utf-8"),
        (css, "text/css; charset=utf-8"),
        ("/feed.xml", "application/xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
    ] {
        let (status, head, _) = get(&server, path);
        assert_eq!(status, 200, "{path}");
        assert!(
            head.contains(&format!("Content-Type: {kind}")),
            "{path}: {head}"
        );
    }
    let (status, _, body) = get(&server, "/nope/");
    assert_eq!(status, 404);
    assert!(body.contains("页面不存在"), "the site's own 404 page");
}

#[test]
fn bind_all_prints_the_lan_address_and_a_qr_code() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", "正文\n");
    let mut child = crate::support::bin()
        .args(["serve", "--bind", "0.0.0.0", "--port", "0"])
        .current_dir(site.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    // The two address lines, then, if there is a LAN address, enough of its QR code
    // to be past the quiet zone (rows of full blocks). Nothing more is printed until
    // a rebuild, so reading further would wait for ever.
    let mut read = |lines: usize, text: &mut String| {
        for _ in 0..lines {
            let mut line = String::new();
            out.read_line(&mut line).unwrap();
            text.push_str(&line);
        }
    };
    read(2, &mut text);
    if text.contains("手机预览") {
        read(6, &mut text);
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(text.starts_with("预览地址：http://"), "{text}");
    if text.contains("手机预览") {
        let url = text.lines().nth(1).unwrap().split("：").nth(1).unwrap();
        assert!(
            !url.contains("127.0.0.1") && !url.contains("0.0.0.0"),
            "{text}"
        );
        assert!(
            text.contains('█') && text.contains('▀'),
            "a QR code: {text}"
        );
    } else {
        // A machine with no network route has no LAN address to show.
        assert!(text.contains("没有找到本机的局域网地址"), "{text}");
    }
}

/// `anxuan serve` with its stderr kept, for the tests of how it watches: `args`
/// after `serve --port 0 --now NOW`; with `deaf`, native file events are dropped
/// (`ANXUAN_SERVE_IGNORE_EVENTS`), as on a network drive, a VM's or WSL's mount.
struct Watched {
    child: Child,
    url: String,
    stderr: Arc<Mutex<String>>,
}

impl Preview for Watched {
    fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Watched {
    fn start(site: &Site, args: &[&str], deaf: bool) -> Watched {
        let mut cmd = crate::support::bin();
        cmd.args(["serve", "--port", "0", "--now", NOW])
            .args(args)
            .current_dir(site.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if deaf {
            cmd.env("ANXUAN_SERVE_IGNORE_EVENTS", "1");
        }
        let mut child = cmd.spawn().expect("start anxuan serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (err, keep) = (child.stderr.take().unwrap(), stderr.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let mut all = keep.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_once("http://")
            .map(|(_, rest)| format!("http://{}", rest.split('（').next().unwrap().trim()))
            .unwrap_or_else(|| panic!("no URL in {line:?}"));
        Watched { child, url, stderr }
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// How often stderr says serve switched to polling.
    fn fallbacks(&self) -> usize {
        self.stderr().matches(FALLBACK).count()
    }
}

/// The line serve prints, once, when it finds that file events do not arrive.
const FALLBACK: &str = "这里收不到文件变化的通知，预览改为每 0.5 秒自己检查一次文件";

/// Where file events never arrive (network drives, VMs, WSL mounts), `--poll` finds
/// edits, new files and deletions by looking at the files.
#[test]
fn serve_poll_finds_edits_new_and_deleted_files_by_looking() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", "第一版\n");
    let server = Watched::start(&site, &["--poll"], true);
    assert!(get(&server, "/notices/a/").2.contains("第一版"));
    site.page("content/notices/a.md", "title = \"甲\"", "第二版\n");
    eventually(&server, "/notices/a/", "the edit, polled", |_, b| {
        b.contains("第二版")
    });
    site.page("content/notices/b.md", "title = \"乙\"", "新的一篇\n");
    eventually(&server, "/notices/b/", "the new page, polled", |s, b| {
        s == 200 && b.contains("新的一篇")
    });
    std::fs::remove_file(site.path().join("content/notices/b.md")).unwrap();
    eventually(&server, "/notices/b/", "the deletion, polled", |s, _| {
        s == 404
    });
    // Asked to poll, it has nothing to fall back from.
    assert_eq!(server.fallbacks(), 0, "{}", server.stderr());
}

/// Without `--poll`, where no file event arrives: the background check finds the
/// edit no event named, says once that it now looks at the files itself, shows the
/// edit, and keeps finding edits after that. An editor's temporary file, which no
/// stage reads, does not count as a missed event.
#[test]
fn serve_falls_back_to_polling_once_where_file_events_do_not_arrive() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", "第一版\n");
    let server = Watched::start(&site, &[], true);
    assert!(get(&server, "/notices/a/").2.contains("第一版"));
    site.file("content/notices/.a.md.swp", "vim");
    site.file("content/notices/#a.md#", "emacs");
    // Two check passes (2 s apart) would have found those and given up on them.
    std::thread::sleep(Duration::from_millis(4500));
    assert_eq!(
        server.fallbacks(),
        0,
        "a temporary file: {}",
        server.stderr()
    );
    site.page("content/notices/a.md", "title = \"甲\"", "第二版\n");
    eventually(
        &server,
        "/notices/a/",
        "the edit, after the fallback",
        |_, b| b.contains("第二版"),
    );
    assert_eq!(server.fallbacks(), 1, "{}", server.stderr());
    // Now polling: the next edit comes within about half a second.
    site.page("content/notices/a.md", "title = \"甲\"", "第三版\n");
    eventually(&server, "/notices/a/", "the edit, polled", |_, b| {
        b.contains("第三版")
    });
    assert_eq!(server.fallbacks(), 1, "said once: {}", server.stderr());
}

/// Where file events do arrive, an edit is shown by them and the background check
/// finds nothing to complain about.
#[test]
fn serve_with_working_file_events_does_not_fall_back() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", "第一版\n");
    let server = Watched::start(&site, &[], false);
    site.page("content/notices/a.md", "title = \"甲\"", "第二版\n");
    eventually(&server, "/notices/a/", "the edit", |_, b| {
        b.contains("第二版")
    });
    site.page("content/notices/b.md", "title = \"乙\"", "新的\n");
    eventually(&server, "/notices/b/", "a new page", |s, _| s == 200);
    // The passes that found those changes, and the one after, have run.
    std::thread::sleep(Duration::from_millis(4500));
    assert_eq!(server.fallbacks(), 0, "{}", server.stderr());
    assert!(
        server.stderr().contains("已重新生成"),
        "{}",
        server.stderr()
    );
}
