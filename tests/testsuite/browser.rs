//! What a reader sees, in Debian's headless Chromium at a phone's width. The site is
//! served by `anxuan serve`; a probe page (a fixture file in static/) loads the page
//! under test in a same-origin iframe of 375x740 and writes measurements into its own
//! DOM, which `--dump-dom` prints.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::support::{bin, Site};

/// The probe page: loads `?t=PATH` in a same-origin iframe `w` px wide and 740 high,
/// measures what a reader meets, and writes it as JSON into `#out`: the first body
/// paragraph's text, font size and line height; page and viewport width; visible touch
/// targets per kind and those under 44px; the warning banners in the HTML and whether
/// they show. With `big=1` it then presses 大字 and measures again; with `axe=1` it
/// also runs axe-core (copied into the site's static/ as /axe.min.js) on the page.
const PROBE: &str = r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>probe</title></head><body>
<iframe id="f" width="375" height="740"></iframe><pre id="out">pending</pre>
<script>
var q = {};
location.search.slice(1).split("&").forEach(function (kv) { var p = kv.split("="); q[p[0]] = decodeURIComponent(p[1] || ""); });
var f = document.getElementById("f");
f.width = q.w || "375";
function report(r) { document.getElementById("out").textContent = JSON.stringify(r); }
f.addEventListener("load", function () {
  var d = f.contentDocument, w = f.contentWindow;
  var p = d.querySelector(".content p") || d.querySelector("main p");
  // Touch targets by kind: how many are visible, and which are under 44px tall.
  var groups = { nav: ".site-nav a", tel: "a[href^='tel:']", toggle: "#big-text-toggle", banner: "a.banner", more: ".more a, .pager a" };
  var counts = {}, small = [];
  for (var g in groups) {
    var els = d.querySelectorAll(groups[g]);
    counts[g] = 0;
    for (var i = 0; i < els.length; i++) {
      var r = els[i].getBoundingClientRect();
      if (r.width === 0 || r.height === 0) { continue; }
      counts[g]++;
      if (r.height < 44) { small.push(g + " " + els[i].textContent.trim() + " " + r.height); }
    }
  }
  // The smallest body text (the article's paragraphs and list items, a warning's
  // facts and guidance, a list's introduction) and the tightest line height relative
  // to its font size. Bylines, dates and labels are not body text.
  var body = { count: 0 }, texts = d.querySelectorAll(".content p, .content li, .content dd, .guidance li, .facts dd, main .intro, main > p, main > ol > li");
  for (var k = 0; k < texts.length; k++) {
    var t = texts[k], said = t.tagName + " " + t.innerText.trim().slice(0, 20);
    if (!t.innerText.trim() || !t.getClientRects().length) { continue; }
    var st = w.getComputedStyle(t), fs = parseFloat(st.fontSize), ratio = parseFloat(st.lineHeight) / fs || 0;
    if (!body.count || fs < body.fontSize) { body.fontSize = fs; body.smallest = said; }
    if (!body.count || ratio < body.lineHeight) { body.lineHeight = ratio; body.tightest = said; }
    body.count++;
  }
  var banners = [];
  var bs = d.querySelectorAll("[data-warning-level]");
  for (var j = 0; j < bs.length; j++) {
    banners.push({ level: bs[j].getAttribute("data-warning-level"), expires: bs[j].getAttribute("data-expires"),
      hidden: bs[j].hidden, display: w.getComputedStyle(bs[j]).display, shown: bs[j].getClientRects().length > 0 });
  }
  var m = {
    text: p ? p.innerText : null,
    fontSize: p ? parseFloat(w.getComputedStyle(p).fontSize) : 0,
    lineHeight: p ? parseFloat(w.getComputedStyle(p).lineHeight) : 0,
    scrollWidth: d.documentElement.scrollWidth,
    clientWidth: d.documentElement.clientWidth,
    css: d.styleSheets.length,
    body: body,
    targets: counts,
    smallTargets: small,
    banners: banners
  };
  var button = d.getElementById("big-text-toggle");
  if (q.big && button && p) {
    button.click();
    m.bigFontSize = parseFloat(w.getComputedStyle(p).fontSize);
    m.bigScrollWidth = d.documentElement.scrollWidth;
    m.bigPressed = button.getAttribute("aria-pressed");
  }
  if (!q.axe) { report(m); return; }
  var s = d.createElement("script");
  s.src = "/axe.min.js";
  s.onerror = function () { m.axe = "axe.min.js did not load"; report(m); };
  s.onload = function () {
    w.axe.run(d, { resultTypes: ["violations"] }).then(function (r) {
      m.violations = r.violations.map(function (v) {
        return { id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(function (n) { return n.target.join(" "); }).slice(0, 5) };
      });
      report(m);
    }, function (e) { m.axe = String(e); report(m); });
  };
  d.head.appendChild(s);
});
f.src = q.t;
</script></body></html>"##;

pub struct Server(pub Child, pub String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `anxuan serve --port 0 --now NOW --no-reload` on `site`, with the probe page in
/// its static/. Without live reload: its open event stream would keep Chromium's
/// virtual clock (`--virtual-time-budget`) from ever running out.
pub fn serve(site: &Site, now: &str) -> Server {
    start(site, &["serve", "--port", "0", "--now", now, "--no-reload"])
}

/// `anxuan serve --port 0 --now NOW` with live reload, as a clerk runs it.
pub fn serve_live(site: &Site, now: &str) -> Server {
    start(site, &["serve", "--port", "0", "--now", now])
}

pub fn start(site: &Site, args: &[&str]) -> Server {
    site.file("static/probe.html", PROBE);
    let mut child = bin()
        .args(args)
        .current_dir(site.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start anxuan serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let start = line
        .find("http://")
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    let url: String = line[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '（')
        .collect();
    Server(child, url)
}

/// Loads `path` through the probe (`query` adds e.g. `&w=320&axe=1`) in Debian's
/// headless Chromium and returns the measurements.
pub fn probe_at(server: &Server, path: &str, query: &str) -> serde_json::Value {
    let json = chromium_probe(&format!("{}probe.html?t={path}{query}", server.1), 15_000);
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("probe of {path} said {json:?}: {e}"))
}

/// Opens a probe page in headless Chromium (the flags CI uses, a fresh profile, a
/// virtual clock of `budget_ms`) and returns the JSON it left in `<pre id="out">`.
pub fn chromium_probe(url: &str, budget_ms: u32) -> String {
    chromium_probe_with(url, budget_ms, &[])
}

/// [`chromium_probe`] with more Chromium flags (`--force-device-scale-factor=2`).
pub fn chromium_probe_with(url: &str, budget_ms: u32, extra: &[&str]) -> String {
    // One Chromium at a time: two at once on a 2-core machine, beside the other
    // tests, take minutes where one alone takes seconds, and a slow run cannot be
    // told from a hung one.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // Headless Chromium's virtual clock now and then never runs out (about one
    // load in five here): such a run is stopped after 90 s and tried again.
    let mut attempt = 0;
    let out = loop {
        attempt += 1;
        if let Some(out) = chromium_once(url, budget_ms, extra) {
            break out;
        }
        assert!(attempt < 3, "Chromium hung three times on {url}");
    };
    let dom = String::from_utf8_lossy(&out);
    crate::support::between(&dom, "<pre id=\"out\">", "</pre>")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Opens a probe page in headless Chromium over the DevTools protocol
/// (tests/browser/cdp_probe.js: real time, the clipboard granted) and returns the JSON
/// it left in `<pre id="out">`.
pub fn cdp_probe(url: &str) -> serde_json::Value {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/cdp_probe.js");
    let out = Command::new("node")
        .arg("--experimental-websocket")
        .arg(&script)
        .arg(url)
        .output()
        .expect("run node");
    let json = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{json} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

/// One run of Chromium: its standard output, or `None` if it hung.
fn chromium_once(url: &str, budget_ms: u32, extra: &[&str]) -> Option<Vec<u8>> {
    use std::io::Read;
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new("/usr/bin/chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--window-size=800,900",
            "--dump-dom",
        ])
        .args(extra)
        .arg(format!("--virtual-time-budget={budget_ms}"))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run /usr/bin/chromium (apt-get install chromium; .ci/run does)");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Some(reader.join().unwrap())
}

/// Loads `path` through the probe and returns its measurements.
fn probe(site: &Site, path: &str) -> serde_json::Value {
    let server = serve(site, "2024-01-01T12:00:00+08:00");
    probe_at(&server, path, "")
}

#[test]
fn chinese_line_breaks_show_no_space_and_the_page_fits_a_phone() {
    let site = Site::new();
    site.page(
        "content/notices/a.md",
        "title = \"防汛通知\"",
        "各村（社区）要做好\n防汛准备，开展**“百日攻坚”**行动，\n确保安全。一个很长的网址https://anquan.example.gov.cn/xxzhen/notices/fang-xun-tong-zhi/index.html?from=singlemessage也不能撑破页面。\n",
    );
    let m = probe(&site, "/notices/a/");
    let text = m["text"].as_str().expect("paragraph text");
    assert!(
        text.starts_with("各村（社区）要做好防汛准备，开展“百日攻坚”行动，确保安全。"),
        "{text:?}"
    );
    assert!(m["css"].as_u64().unwrap() >= 1, "the stylesheet loads: {m}");
    assert!(
        m["fontSize"].as_f64().unwrap() >= 18.0,
        "body text at least 18px: {m}"
    );
    assert!(
        m["lineHeight"].as_f64().unwrap() >= 1.3 * m["fontSize"].as_f64().unwrap(),
        "{m}"
    );
    assert!(
        m["scrollWidth"].as_u64().unwrap() <= m["clientWidth"].as_u64().unwrap(),
        "no horizontal scroll at 375px: {m}"
    );
}
