//! Offline Chinese search (SPEC §4, issue 7): `/search/` in headless Chromium finds the
//! pages that contain a word, and only those, under a base_url with a path; ranks title
//! hits first; marks the hit; reads and writes `?q=`; fetches only a few small index
//! files; and `anxuan serve` serves the page and its index.
//!
//! The built site is served here by a small static server at its base path
//! (`/zhen/`), with a probe page that loads the search page in a same-origin iframe,
//! waits for the search to finish and writes what a reader sees as JSON.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::support::Site;

/// The probe: loads `?t=PATH` in a 375px iframe, waits until the search form says
/// `data-state="done"` (or "error"), optionally types `s=` into the box and submits,
/// optionally runs axe-core, and reports the results, the status line, the URL and
/// every file the page fetched with its size.
const PROBE: &str = r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>probe</title></head><body>
<iframe id="f" width="375" height="740"></iframe><pre id="out">pending</pre>
<script>
var q = {};
location.search.slice(1).split("&").forEach(function (kv) { var i = kv.indexOf("="); q[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); });
var f = document.getElementById("f"), started = false;
function report(r) { document.getElementById("out").textContent = JSON.stringify(r); }
function when(ok, then) {
  var tries = 0, t = setInterval(function () {
    if (ok()) { clearInterval(t); then(); } else if (++tries > 200) { clearInterval(t); report({ error: "timed out", html: f.contentDocument.body.innerHTML.slice(0, 2000) }); }
  }, 50);
}
function state() { var form = f.contentDocument.getElementById("search-form"); return form && form.getAttribute("data-state"); }
function done() { var s = state(); return s === "done" || s === "error"; }
function collect() {
  var d = f.contentDocument, w = f.contentWindow;
  var items = [].map.call(d.querySelectorAll("#search-results li"), function (li) {
    return {
      title: li.querySelector(".item-title").textContent,
      titleTags: [].map.call(li.querySelectorAll(".item-title *, .item-summary *"), function (e) { return e.tagName; }),
      url: li.querySelector("a").getAttribute("href"),
      meta: li.querySelector(".item-date").textContent,
      summary: li.querySelector(".item-summary").innerHTML,
      marks: [].map.call(li.querySelectorAll("mark"), function (m) { return m.textContent; })
    };
  });
  var small = [];
  [].forEach.call(d.querySelectorAll("a, button, input"), function (e) {
    var r = e.getBoundingClientRect();
    if (r.width && r.height && r.height < 44) { small.push(e.outerHTML.slice(0, 80) + " " + r.height); }
  });
  var nav = w.performance.getEntriesByType("navigation")[0];
  return {
    state: state(),
    status: d.getElementById("search-status").textContent,
    input: d.getElementById("search-q").value,
    search: w.location.search,
    more: !d.getElementById("search-more").hidden,
    results: items,
    smallTargets: small,
    ran: [w.x, w.y, w.z].filter(Boolean).length,
    scrollWidth: d.documentElement.scrollWidth,
    clientWidth: d.documentElement.clientWidth,
    page: nav ? nav.encodedBodySize : -1,
    fetched: w.performance.getEntriesByType("resource").map(function (e) { return [e.name.replace(/^https?:\/\/[^\/]+/, ""), e.encodedBodySize]; })
  };
}
function audit(m) {
  if (!q.axe) { report(m); return; }
  var d = f.contentDocument, s = d.createElement("script");
  s.src = "/axe.min.js";
  s.onerror = function () { m.axe = "axe.min.js did not load"; report(m); };
  s.onload = function () {
    f.contentWindow.axe.run(d, { resultTypes: ["violations"] }).then(function (r) {
      m.violations = r.violations.filter(function (v) { return v.impact !== "minor"; }).map(function (v) {
        return v.id + " (" + v.impact + "): " + v.help + " at " + v.nodes.map(function (n) { return n.target.join(" "); }).slice(0, 3).join(", ");
      });
      report(m);
    }, function (e) { m.axe = String(e); report(m); });
  };
  d.head.appendChild(s);
}
f.addEventListener("load", function () {
  if (started) { return; }
  started = true;
  when(done, function () {
    if (!q.s) { audit(collect()); return; }
    var first = collect(), d = f.contentDocument;
    d.getElementById("search-q").value = q.s;
    d.getElementById("search-form").requestSubmit();
    when(done, function () { var m = collect(); m.first = first; audit(m); });
  });
});
f.src = q.t;
</script></body></html>"##;

/// The base path the test sites are built for and served at.
const BASE: &str = "/zhen/";

/// The build's clock: after every date in the example site, so all its pages are out.
const NOW: &str = "2026-11-23T12:00:00+08:00";

/// A static server for a built site at [`BASE`], plus the probe and axe-core at the root.
struct Static {
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
    origin: String,
}

impl Drop for Static {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// Builds `site` for `http://127.0.0.1:PORT/zhen/` into a folder and serves it.
fn build_and_serve(site: &Site) -> Static {
    let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("bind loopback"));
    let port = server.server_addr().to_ip().unwrap().port();
    let origin = format!("http://127.0.0.1:{port}");
    let out = site.path().join("served");
    site.run(&[
        "build",
        "--now",
        NOW,
        "--base-url",
        &format!("{origin}{BASE}"),
        "--output",
        out.to_str().unwrap(),
    ])
    .assert_ok();
    let axe = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/axe-core/axe.min.js");
    let srv = server.clone();
    let thread = std::thread::spawn(move || {
        for request in srv.incoming_requests() {
            // One thread per request: a response that waits on one connection must
            // not hold up the others (Chromium stalled for minutes on a serial loop).
            let (out, axe) = (out.clone(), axe.clone());
            std::thread::spawn(move || respond(request, &out, &axe));
        }
    });
    Static {
        server,
        thread: Some(thread),
        origin,
    }
}

/// A file of the site at [`BASE`], the probe, or axe-core.
fn respond(request: tiny_http::Request, out: &Path, axe: &Path) {
    let url = request.url().split('?').next().unwrap_or("").to_string();
    let file: Option<PathBuf> = match url.as_str() {
        "/axe.min.js" => Some(axe.to_path_buf()),
        _ => url.strip_prefix(BASE).map(|rel| {
            let rel = percent_decode(rel);
            let p = out.join(&rel);
            if rel.is_empty() || rel.ends_with('/') {
                p.join("index.html")
            } else {
                p
            }
        }),
    };
    let header = |v: &str| tiny_http::Header::from_bytes("Content-Type", v).unwrap();
    let _ = if url == "/probe-search.html" {
        request.respond(
            tiny_http::Response::from_string(PROBE).with_header(header("text/html; charset=utf-8")),
        )
    } else {
        match file.filter(|p| !p.components().any(|c| c.as_os_str() == "..")) {
            Some(p) => match std::fs::read(&p) {
                Ok(bytes) => request.respond(
                    tiny_http::Response::from_data(bytes).with_header(header(content_type(&p))),
                ),
                Err(_) => request.respond(not_found()),
            },
            None => request.respond(not_found()),
        }
    };
}

/// A 404 with a body and its length (an empty one kept a connection busy).
fn not_found() -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    tiny_http::Response::from_string("not found").with_status_code(404)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match (
            bytes[i],
            s.get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok()),
        ) {
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
    String::from_utf8_lossy(&out).into_owned()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Opens `/zhen/search/?q=QUERY` (`extra` adds probe options such as `&s=` or `&axe=1`)
/// in headless Chromium and returns what the probe saw.
fn search(server: &Static, query: &str, extra: &str) -> Value {
    search_at(&server.origin, BASE, query, extra)
}

/// [`search`] on any server that has the probe at `/probe-search.html`.
fn search_at(origin: &str, base: &str, query: &str, extra: &str) -> Value {
    let target = encode(&format!("{base}search/?q={}", encode(query)));
    let json = crate::browser::chromium_probe(
        &format!("{origin}/probe-search.html?t={target}{extra}"),
        20_000,
    );
    let m: Value = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("probe of {query:?} said {json:?}: {e}"));
    assert!(m["error"].is_null(), "{query:?}: {m}");
    assert_eq!(m["state"], "done", "{query:?}: {m}");
    m
}

fn titles(m: &Value) -> Vec<String> {
    m["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_string())
        .collect()
}

/// The example site's pages: every Markdown file but the sections' `_index.md`.
fn example_pages(site: &Site) -> Vec<PathBuf> {
    crate::support::walk(&site.path().join("content"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter(|p| p.file_name().is_some_and(|n| n != "_index.md"))
        .collect()
}

/// The titles of the example site's pages whose source contains every one of `words`
/// (front matter included: a warning's guidance and areas are searched too), found
/// with plain substring search over the Markdown files, independently of the index.
fn pages_containing(site: &Site, words: &[&str]) -> BTreeSet<String> {
    example_pages(site)
        .into_iter()
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            if !words.iter().all(|w| text.contains(w)) {
                return None;
            }
            let line = text
                .lines()
                .find(|l| l.starts_with("title"))
                .unwrap_or_else(|| panic!("{} has no title", p.display()));
            let value = line.split_once(['=', ':']).unwrap().1.trim();
            Some(value.trim_matches('"').to_string())
        })
        .collect()
}

#[test]
fn the_example_site_finds_chinese_words_and_nothing_else() {
    let site = Site::example();
    let server = build_and_serve(&site);
    let meta = std::fs::read_dir(site.path().join("served/search"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("meta.json"))
        .find(|p| p.exists())
        .expect("search/<hash>/meta.json");
    let meta: Value = serde_json::from_str(&std::fs::read_to_string(meta).unwrap()).unwrap();
    assert_eq!(
        meta["docs"].as_u64().unwrap() as usize,
        example_pages(&site).len(),
        "every page of the example site is published at {NOW} and indexed (no drafts, nothing scheduled)"
    );
    for query in ["地质灾害", "燃气", "防汛", "森林防火", "滑坡", "燃气 119"] {
        let words: Vec<&str> = query.split(' ').collect();
        let expected = pages_containing(&site, &words);
        assert!(
            !expected.is_empty(),
            "{query}: the example site has pages with it"
        );
        let m = search(&server, query, "");
        let found: BTreeSet<String> = titles(&m).into_iter().collect();
        assert_eq!(
            found, expected,
            "{query}: the pages found are exactly those that contain it: {m}"
        );
        assert!(
            m["status"]
                .as_str()
                .unwrap()
                .contains(&format!("找到 {} 篇", expected.len())),
            "{query}: {m}"
        );
        assert_eq!(m["input"], query, "the box shows the query from ?q=");
        // Title hits first: no page with the word in its title after one without.
        let title_hit: Vec<bool> = titles(&m)
            .iter()
            .map(|t| words.iter().all(|w| t.contains(w)))
            .collect();
        assert!(
            title_hit.windows(2).all(|w| w[0] || !w[1]),
            "{query}: title hits rank first: {:?}",
            titles(&m)
        );
        for r in m["results"].as_array().unwrap() {
            let url = r["url"].as_str().unwrap();
            assert!(
                url.starts_with(BASE),
                "{query}: {url} is under the base path"
            );
            let marks: Vec<&str> = r["marks"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert!(
                !marks.is_empty() && marks.iter().all(|k| words.contains(k)),
                "{query}: the hit is marked in the title or snippet, and only the hit: {r}"
            );
        }
    }
    // The 地质灾害 warning has the phrase in its title: it comes first, with its
    // section and date.
    let m = search(&server, "地质灾害", "");
    let first = &m["results"][0];
    assert_eq!(first["title"], "地质灾害气象风险红色预警", "{m}");
    assert!(
        first["meta"].as_str().unwrap().contains("预警信息")
            && first["meta"].as_str().unwrap().contains("2024年"),
        "section and date: {first}"
    );
    assert!(
        first["summary"]
            .as_str()
            .unwrap()
            .contains("<mark>地质灾害</mark>"),
        "the snippet marks the hit: {first}"
    );

    // A word the site does not have finds nothing and says so.
    let m = search(&server, "核电站", "");
    assert!(titles(&m).is_empty(), "{m}");
    assert!(m["status"].as_str().unwrap().contains("没有找到"), "{m}");
}

#[test]
fn a_search_is_a_link_and_fetches_little() {
    let site = Site::example();
    let server = build_and_serve(&site);
    // Typing a new query and pressing 搜索 puts it into the address, so the link can
    // be shared; the results follow the new query.
    let m = search(&server, "燃气", "&s=防汛");
    assert_eq!(
        m["search"].as_str().unwrap(),
        format!("?q={}", encode("防汛")),
        "{m}"
    );
    assert_eq!(
        titles(&m).into_iter().collect::<BTreeSet<_>>(),
        pages_containing(&site, &["防汛"]),
        "{m}"
    );
    assert_ne!(titles(&m), titles(&m["first"]), "{m}");

    // What the search fetched: the page, its CSS and scripts, meta.json, one chunk per
    // key at most, and one record per result shown — nothing else, and nothing from
    // another host.
    let fetched = m["first"]["fetched"].as_array().unwrap();
    let index: Vec<&str> = fetched
        .iter()
        .filter_map(|f| f[0].as_str())
        .filter(|u| u.starts_with(&format!("{BASE}search/")))
        .collect();
    let count = |part: &str| index.iter().filter(|u| u.contains(part)).count();
    assert_eq!(count("/meta.json"), 1, "{index:?}");
    assert_eq!(count("/c/"), 1, "燃气 is one key: {index:?}");
    assert_eq!(
        count("/d/"),
        m["first"]["results"].as_array().unwrap().len(),
        "{index:?}"
    );
    assert!(
        fetched
            .iter()
            .all(|f| f[0].as_str().unwrap().starts_with('/')),
        "{fetched:?}"
    );
}

#[test]
fn the_search_page_reads_well_on_a_phone_and_passes_axe() {
    let site = Site::example();
    let server = build_and_serve(&site);
    let m = search(&server, "燃气", "&axe=1");
    assert!(m["axe"].is_null(), "axe did not run: {m}");
    assert_eq!(
        m["violations"].as_array().map_or(1, Vec::len),
        0,
        "accessibility problems on the search page: {m}"
    );
    assert_eq!(
        m["smallTargets"].as_array().map_or(1, Vec::len),
        0,
        "touch targets under 44px: {m}"
    );
    assert!(
        m["scrollWidth"].as_u64().unwrap() <= m["clientWidth"].as_u64().unwrap(),
        "no sideways scroll at 375px: {m}"
    );
}

#[test]
fn phrases_are_matched_whole_and_title_hits_rank_first() {
    let site = Site::new();
    // The title hit is the oldest page; the body hits are newer.
    site.page(
        "content/notices/title.md",
        "title = \"生产安全检查通知\"\ndate = 2023-01-01",
        "请各单位做好准备。\n",
    );
    site.page(
        "content/notices/body.md",
        "title = \"工作通知\"\ndate = 2023-06-01",
        "各企业要抓好生产安全，落实责任。\n",
    );
    site.page(
        "content/notices/frequent.md",
        "title = \"月度通知\"\ndate = 2023-03-01",
        &"生产安全是头等大事。\n\n".repeat(10),
    );
    // Every bigram of 生产安全 (生产, 产安, 安全) but not the phrase.
    site.page(
        "content/notices/near.md",
        "title = \"安排通知\"\ndate = 2023-07-01",
        "今年生产安排已定。请注意安全。\n",
    );
    // 地质 and 灾害, never 地质灾害.
    site.page(
        "content/notices/apart.md",
        "title = \"地质勘查\"\ndate = 2023-07-02",
        "地质勘查队进驻。自然灾害保险。\n",
    );
    site.page(
        "content/notices/geo.md",
        "title = \"防范通知\"\ndate = 2023-07-03",
        "做好地质灾害防范。拨打１１９或119。\n",
    );
    let server = build_and_serve(&site);

    let m = search(&server, "生产安全", "");
    assert_eq!(
        titles(&m),
        ["生产安全检查通知", "月度通知", "工作通知"],
        "title hit, then the frequent mention, then the rest; never the page with only the bigrams: {m}"
    );
    assert!(m["status"].as_str().unwrap().contains("找到 3 篇"), "{m}");

    let m = search(&server, "地质灾害", "");
    assert_eq!(titles(&m), ["防范通知"], "{m}");

    // One character finds every page that has it, at the end of a run too.
    let m = search(&server, "险", "");
    assert_eq!(titles(&m), ["地质勘查"], "{m}");
    let m = search(&server, "患", "");
    assert!(titles(&m).is_empty(), "{m}");

    // Full-width digits and letters are the ASCII ones.
    let m = search(&server, "１１９", "");
    assert_eq!(titles(&m), ["防范通知"], "{m}");
}

/// Issue 19: a title or text holding markup stays text on the search page; the index
/// is never parsed as HTML, so no script in it runs.
#[test]
fn markup_in_a_title_stays_text_in_the_results() {
    let site = Site::new();
    let title = r#""><script>window.x=1</script><img src=x onerror="window.y=1">防汛通知"#;
    site.page(
        "content/notices/xss.md",
        &format!("title = '{title}'\ndate = 2023-06-01"),
        "防汛要点：`<img src=x onerror=\"window.z=1\">` 照原样显示。\n",
    );
    let server = build_and_serve(&site);
    let m = search(&server, "防汛", "");
    let r = &m["results"][0];
    assert_eq!(r["title"], title, "{m}");
    assert!(
        r["titleTags"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t == "MARK"),
        "only the hit marks are elements: {m}"
    );
    assert!(
        r["summary"].as_str().unwrap().contains("&lt;img src=x"),
        "{m}"
    );
    assert_eq!(m["ran"], 0, "no script from the index ran: {m}");
}

/// A raw HTTP/1.0 GET against `anxuan serve`: (status, body bytes).
fn get(server: &crate::browser::Server, path: &str) -> (u16, Vec<u8>) {
    let (status, _, body) = crate::support::http_get(&server.1, path);
    (status, body)
}

fn attr<'a>(html: &'a str, name: &str) -> &'a str {
    crate::support::between(html, &format!("{name}=\""), "\"")
}

#[test]
fn serve_serves_the_search_page_and_its_index() {
    let site = Site::example();
    site.file("static/probe-search.html", PROBE);
    let server = crate::browser::serve(&site, NOW);
    // In the browser, from the preview (served at the root, not the base path).
    let m = search_at(server.1.trim_end_matches('/'), "/", "燃气", "");
    assert_eq!(
        titles(&m).into_iter().collect::<BTreeSet<_>>(),
        pages_containing(&site, &["燃气"]),
        "{m}"
    );

    let (status, page) = get(&server, "/search/?q=%E7%87%83%E6%B0%94");
    assert_eq!(status, 200);
    let page = String::from_utf8(page).unwrap();
    let script = page
        .split("<script src=\"")
        .filter_map(|s| s.split('"').next())
        .find(|s| s.contains("search."))
        .unwrap_or_else(|| panic!("no search script in {page}"));
    let index = attr(&page, "data-index");
    for url in [script, index] {
        assert!(url.starts_with('/'), "{url}");
        assert_eq!(get(&server, url).0, 200, "{url}");
    }
    let meta: Value = serde_json::from_slice(&get(&server, index).1).unwrap();
    let dir = &index[..index.rfind('/').unwrap() + 1];
    let chunks = meta["chunks"].as_array().unwrap().len();
    assert!(chunks >= 1, "{meta}");
    for part in [format!("c/{}.bin", chunks - 1), "d/0.json".to_string()] {
        assert_eq!(get(&server, &format!("{dir}{part}")).0, 200, "{dir}{part}");
    }
    let docs = meta["docs"].as_u64().unwrap();
    assert_eq!(get(&server, &format!("{dir}d/{docs}.json")).0, 404);
    // Without JavaScript the page still has a working form and says what it needs.
    assert!(page.contains("method=\"get\"") && page.contains("name=\"q\""));
    assert!(page.contains("<noscript>") && page.contains("JavaScript"));
}

#[test]
fn every_page_links_to_search_unless_the_site_has_its_own() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"通知\"", "正文\n");
    site.build().assert_clean();
    assert!(site
        .read("notices/a/index.html")
        .contains("href=\"/zhen/search/\""));
    assert!(site
        .read("search/index.html")
        .contains("id=\"search-form\""));

    site.page("content/search.md", "title = \"查询\"", "本站的查询页。\n");
    site.build().assert_clean();
    assert!(site.read("search/index.html").contains("本站的查询页"));
    assert!(!site.read("notices/a/index.html").contains("search-link"));
}
