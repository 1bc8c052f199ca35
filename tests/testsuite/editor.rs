//! The preview's edit API (issue 18, first step): a page's source read and saved
//! back through `anxuan serve`, and every request a web page of another site could
//! make refused: no token, a foreign Origin, a rebound Host, a path out of content/.

use std::time::{Duration, Instant};

use crate::browser::{serve_live, start, Server};
use crate::support::Site;

/// One HTTP request with the given headers (Host is the preview's unless given).
fn request(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    use std::io::{Read, Write};
    let addr = server.1.trim_start_matches("http://").trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.0\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

/// The edit token a preview page carries.
fn token(server: &Server) -> String {
    let (status, _, page) = request(server, "GET", "/", &[], "");
    assert_eq!(status, 200);
    crate::support::between(&page, "<meta name=\"anxuan-edit-token\" content=\"", "\"").to_string()
}

fn site() -> Site {
    let site = Site::new();
    site.page(
        "content/notices/a.md",
        "# 这行注释要留着\ntitle = \"防汛通知\"\ndate = 2024-06-01",
        "\n各村做好防汛准备。\n",
    );
    site
}

/// Waits until the preview serves `path` with `text` in it.
fn shown(server: &Server, path: &str, text: &str) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        let (_, _, body) = request(server, "GET", path, &[], "");
        if body.contains(text) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

#[test]
fn a_page_read_and_saved_through_the_preview_keeps_its_comments_and_shows_at_once() {
    let site = site();
    let server = serve_live(&site, "2024-07-01T12:00:00+08:00");
    let t = token(&server);
    assert_eq!(t.len(), 32, "{t}");
    let auth = [("X-Anxuan-Token", t.as_str())];
    let (status, head, body) = request(
        &server,
        "GET",
        "/__anxuan/edit/source?page=content%2Fnotices%2Fa.md",
        &auth,
        "",
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        !head.to_ascii_lowercase().contains("access-control"),
        "{head}"
    );
    let source: serde_json::Value = serde_json::from_str(&body).unwrap();
    let text = source["text"].as_str().unwrap();
    assert!(text.contains("# 这行注释要留着"), "{text}");
    let version = source["version"].as_str().unwrap();
    // The clerk changes the title; the browser sends its own Origin.
    let origin = server.1.trim_end_matches('/').to_string();
    let edited = text.replace("防汛通知", "防汛紧急通知");
    let save =
        serde_json::json!({ "page": "content/notices/a.md", "base": version, "text": edited });
    let (status, _, body) = request(
        &server,
        "POST",
        "/__anxuan/edit/save",
        &[
            ("X-Anxuan-Token", &t),
            ("Origin", &origin),
            ("Content-Type", "application/json"),
        ],
        &save.to_string(),
    );
    assert_eq!(status, 200, "{body}");
    let on_disk = std::fs::read_to_string(site.path().join("content/notices/a.md")).unwrap();
    assert_eq!(
        on_disk, edited,
        "saved as sent: comments and key order kept"
    );
    assert!(
        shown(&server, "/notices/a/", "防汛紧急通知"),
        "the preview rebuilt"
    );

    // Saving again from the version first read: the file changed since, so both
    // texts come back and the disk keeps the newer one.
    let stale =
        serde_json::json!({ "page": "content/notices/a.md", "base": version, "text": "旧的" });
    let (status, _, body) = request(
        &server,
        "POST",
        "/__anxuan/edit/save",
        &auth,
        &stale.to_string(),
    );
    assert_eq!(status, 409, "{body}");
    let conflict: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(conflict["disk"].as_str(), Some(edited.as_str()));
    assert_eq!(
        std::fs::read_to_string(site.path().join("content/notices/a.md")).unwrap(),
        edited
    );

    // Deleting moves the page into the recycle folder; the preview drops it.
    let now = conflict["version"].as_str().unwrap();
    let delete = serde_json::json!({ "page": "content/notices/a.md", "base": now });
    let (status, _, body) = request(
        &server,
        "POST",
        "/__anxuan/edit/delete",
        &auth,
        &delete.to_string(),
    );
    assert_eq!(status, 200, "{body}");
    let moved: serde_json::Value = serde_json::from_str(&body).unwrap();
    let to = site.path().join(moved["moved_to"].as_str().unwrap());
    assert!(
        to.starts_with(site.path().join(".anxuan-recycle")),
        "{}",
        to.display()
    );
    assert_eq!(std::fs::read_to_string(&to).unwrap(), edited);
    assert!(!site.path().join("content/notices/a.md").exists());
    let started = Instant::now();
    while request(&server, "GET", "/notices/a/", &[], "").0 != 404 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the page is still served"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A request: method, path, headers, body, and the status it must get.
type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, String, u16);

#[test]
fn requests_another_site_could_make_are_refused_and_change_nothing() {
    let site = site();
    site.file("secret.md", "不在 content 里");
    let server = serve_live(&site, "2024-07-01T12:00:00+08:00");
    let t = token(&server);
    let before = std::fs::read_to_string(site.path().join("content/notices/a.md")).unwrap();
    let read = "/__anxuan/edit/source?page=content/notices/a.md";
    let save = serde_json::json!({ "page": "content/notices/a.md", "base": "", "text": "被改了" })
        .to_string();
    let tk = t.as_str();
    let evil_host = [("Host", "evil.example"), ("X-Anxuan-Token", tk)];
    let cases: Vec<Case> = vec![
        // No token: what a form on any page the clerk has open could post.
        ("POST", "/__anxuan/edit/save", vec![], save.clone(), 403),
        ("GET", read, vec![], String::new(), 403),
        (
            "POST",
            "/__anxuan/edit/save",
            vec![("X-Anxuan-Token", "0123456789abcdef0123456789abcdef")],
            save.clone(),
            403,
        ),
        // The right token from a foreign page's script.
        (
            "POST",
            "/__anxuan/edit/save",
            vec![("X-Anxuan-Token", tk), ("Origin", "http://evil.example")],
            save.clone(),
            403,
        ),
        // DNS rebinding: evil.example resolved to 127.0.0.1; not even pages answer.
        (
            "POST",
            "/__anxuan/edit/save",
            evil_host.to_vec(),
            save.clone(),
            403,
        ),
        (
            "GET",
            "/",
            vec![("Host", "evil.example")],
            String::new(),
            403,
        ),
        // Paths out of content/.
        (
            "GET",
            "/__anxuan/edit/source?page=content/../secret.md",
            vec![("X-Anxuan-Token", tk)],
            String::new(),
            400,
        ),
        (
            "GET",
            "/__anxuan/edit/source?page=..%2Fsecret.md",
            vec![("X-Anxuan-Token", tk)],
            String::new(),
            400,
        ),
        (
            "GET",
            "/__anxuan/edit/source?page=config.toml",
            vec![("X-Anxuan-Token", tk)],
            String::new(),
            400,
        ),
    ];
    for (method, path, headers, body, want) in &cases {
        let (status, head, answer) = request(&server, method, path, headers, body);
        assert_eq!(status, *want, "{method} {path} {headers:?}: {answer}");
        assert!(
            !head.to_ascii_lowercase().contains("access-control"),
            "{head}"
        );
        assert!(!answer.contains("不在 content 里"), "{answer}");
    }
    // A foreign Host never gets a page, so never the token.
    let (_, _, page) = request(
        &server,
        "GET",
        "/notices/a/",
        &[("Host", "evil.example")],
        "",
    );
    assert!(!page.contains(&t));
    assert_eq!(
        std::fs::read_to_string(site.path().join("content/notices/a.md")).unwrap(),
        before
    );
}

#[test]
fn a_preview_open_to_the_lan_is_read_only() {
    let site = site();
    let server = start(
        &site,
        &[
            "serve",
            "--port",
            "0",
            "--bind",
            "0.0.0.0",
            "--now",
            "2024-07-01T12:00:00+08:00",
            "--no-reload",
        ],
    );
    let (status, _, page) = request(&server, "GET", "/notices/a/", &[], "");
    assert_eq!(status, 200);
    assert!(!page.contains("anxuan-edit-token"), "no token for phones");
    let (status, _, body) = request(
        &server,
        "GET",
        "/__anxuan/edit/source?page=content/notices/a.md",
        &[("X-Anxuan-Token", "anything")],
        "",
    );
    assert_eq!(status, 403, "{body}");
}

/// Drives the editor in an iframe of the preview's own origin: fills the new
/// warning's form and saves it, waits for the home page to show it, then edits a
/// notice's title, then makes a save conflict; reports what it saw.
const FORM_PROBE: &str = r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>editor probe</title></head><body>
<iframe id="f" width="1000" height="900"></iframe><pre id="out">pending</pre>
<script>
var f = document.getElementById("f"), r = {};
function report() { document.getElementById("out").textContent = JSON.stringify(r); }
function fail(why) { r.failed = why; report(); }
function until(test, then, tries) {
  tries = tries === undefined ? 200 : tries;
  var v; try { v = test(); } catch (e) { v = null; }
  if (v) { then(v); return; }
  if (tries <= 0) { fail("waited in vain: " + test); return; }
  setTimeout(function () { until(test, then, tries - 1); }, 100);
}
function doc() { return f.contentDocument; }
function open(url, then) {
  f.src = url;
  until(function () { return doc() && doc().location.href.indexOf(url) >= 0 && !doc().getElementById("save").disabled && doc(); }, then);
}
function set(id, v) { doc().getElementById(id).value = v; }
function homeShows(text, then) {
  var tries = 200;
  (function poll() {
    fetch("/").then(function (x) { return x.text(); }).then(function (h) {
      if (h.indexOf(text) >= 0) { then(h); } else if (--tries > 0) { setTimeout(poll, 100); } else { fail("home never showed " + text); }
    });
  })();
}
function axe(d, then) {
  var s = d.createElement("script");
  s.src = "/axe.min.js";
  s.onerror = function () { fail("axe.min.js did not load"); };
  s.onload = function () {
    f.contentWindow.axe.run(d, { resultTypes: ["violations"] }).then(function (res) {
      r.violations = res.violations.map(function (v) { return v.impact + " " + v.id + " " + v.nodes.map(function (n) { return n.target.join(" "); }).slice(0, 3).join(", "); });
      then();
    }, function (e) { fail(String(e)); });
  };
  d.head.appendChild(s);
}
open("/__anxuan/edit/?new=warning", function (d) { axe(d, function () { fill(d); }); });
function fill(d) {
  r.levels = [].map.call(d.querySelectorAll(".levels label"), function (l) { return l.textContent + "|" + getComputedStyle(l).backgroundColor; });
  set("f-title", "暴雨红色预警");
  d.querySelector('input[name="level"][value="red"]').click();
  set("f-hazard", "暴雨");
  set("f-issued", "2024-07-10T08:00");
  set("f-expires", "2024-07-11T08:00");
  set("f-areas", "东村\n西村");
  set("f-guidance", "立即转移到安全地带\n不要靠近河道");
  set("body", "县气象台发布暴雨红色预警。");
  d.getElementById("save").click();
  until(function () { return doc().location.search.indexOf("saved=1") >= 0 && doc().location.search; }, function (q) {
    r.created = decodeURIComponent(q);
    homeShows("暴雨红色预警", function (home) {
      r.banner = /data-warning-level="red"/.test(home) || home.indexOf("banner-red") >= 0;
      // A notice's title, edited through its 编辑 link.
      fetch("/notices/a/").then(function (x) { return x.text(); }).then(function (page) {
        var m = page.match(/href="(\/__anxuan\/edit\/\?page=[^"]+)"/);
        r.editLink = m ? m[1] : null;
        open(m[1].replace(/&amp;/g, "&"), function (d2) {
          r.titleBefore = d2.getElementById("f-title").value;
          set("f-title", "防汛紧急通知");
          d2.getElementById("save").click();
          until(function () { return /已保存/.test(d2.getElementById("status").textContent); }, function () {
            homeShows("防汛紧急通知", function () {
              // Someone else saves the file meanwhile; this form's save must not win.
              var token = d2.querySelector('meta[name="anxuan-edit-token"]').content;
              fetch("/__anxuan/edit/source?page=content/notices/a.md", { headers: { "X-Anxuan-Token": token } })
                .then(function (x) { return x.json(); }).then(function (src) {
                  return fetch("/__anxuan/edit/save", { method: "POST", headers: { "X-Anxuan-Token": token, "Content-Type": "application/json" },
                    body: JSON.stringify({ page: "content/notices/a.md", base: src.version, text: src.text.replace("各村", "各村（社区）") }) });
                }).then(function () {
                  set("f-title", "第三次改的标题");
                  d2.getElementById("save").click();
                  until(function () { return !d2.getElementById("conflict").hidden; }, function () {
                    r.conflictShown = true;
                    r.disk = d2.getElementById("disk").value;
                    r.formKept = d2.getElementById("f-title").value;
                    r.status = d2.getElementById("status").textContent;
                    report();
                  });
                });
            });
          });
        });
      });
    });
  });
}
</script></body></html>"##;

#[test]
fn a_clerk_creates_a_red_warning_and_edits_a_notice_through_the_form_in_chromium() {
    let site = site();
    site.file("static/editor-probe.html", FORM_PROBE);
    let axe = crate::support::npm_package("axe-core", "axe.min.js").join("axe.min.js");
    std::fs::copy(axe, site.path().join("static/axe.min.js")).unwrap();
    let server = crate::browser::serve(&site, "2024-07-10T12:00:00+08:00");
    let m = crate::browser::cdp_probe(&format!("{}editor-probe.html", server.1));
    assert!(m.get("failed").is_none(), "{m}");
    // The form meets the reader rules too: axe finds nothing on it.
    assert_eq!(m["violations"], serde_json::json!([]), "{m}");
    // The levels are coloured choices, named in words.
    let levels = m["levels"].as_array().unwrap();
    assert!(
        levels.iter().any(|l| l == "红色预警|rgb(200, 16, 46)"),
        "{m}"
    );
    // The warning was written where `anxuan new` puts it, and the home page shows it.
    let created = m["created"].as_str().unwrap();
    let rel = created
        .split("page=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    assert!(rel.starts_with("content/warnings/"), "{created}");
    let text = std::fs::read_to_string(site.path().join(rel)).unwrap();
    for line in [
        "title = \"暴雨红色预警\"",
        "level = \"red\"",
        "hazard = \"暴雨\"",
        "issued = 2024-07-10T08:00:00+08:00",
        "expires = 2024-07-11T08:00:00+08:00",
        "areas = [\"东村\", \"西村\"]",
        "guidance = [\"立即转移到安全地带\", \"不要靠近河道\"]",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    assert!(text.ends_with("县气象台发布暴雨红色预警。\n"), "{text}");
    assert_eq!(m["banner"], true, "the home page's banner is red: {m}");
    // The notice: its 编辑 link, its title changed, its comment kept.
    assert_eq!(
        m["editLink"], "/__anxuan/edit/?page=content/notices/a.md",
        "{m}"
    );
    assert_eq!(m["titleBefore"], "防汛通知");
    let notice = std::fs::read_to_string(site.path().join("content/notices/a.md")).unwrap();
    assert!(notice.contains("# 这行注释要留着"), "{notice}");
    // The conflict: the other save stands, both texts are shown, the form is kept.
    assert_eq!(m["conflictShown"], true, "{m}");
    assert!(m["disk"].as_str().unwrap().contains("各村（社区）"), "{m}");
    assert_eq!(m["formKept"], "第三次改的标题");
    assert!(
        notice.contains("title = \"防汛紧急通知\"") && notice.contains("各村（社区）"),
        "{notice}"
    );
}

/// Word's clipboard HTML for a few lines of a 通知: its styles, a centred bold title,
/// a hand-typed 一、 and （一） indented by full-width spaces, a list Word numbered
/// (its marker in an `mso-list:Ignore` span between conditional comments), `<o:p>`,
/// and a table.
const WORD_HTML: &str = r#"<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word"><head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=Generator content="Microsoft Word 15"><style><!-- p.MsoNormal {mso-style-parent:""; font-size:16.0pt; font-family:仿宋_GB2312;} @page WordSection1 {size:595.3pt 841.9pt;} --></style></head><body lang=ZH-CN style='tab-interval:21.0pt'><!--StartFragment--><p class=MsoNormal align=center style='text-align:center'><b><span style='font-size:22.0pt;font-family:方正小标宋简体'>关于做好汛期安全工作的通知<o:p></o:p></span></b></p><p class=MsoNormal style='text-indent:32.0pt'><span style='font-family:黑体'>　　一、基本情况<o:p></o:p></span></p><p class=MsoNormal style='text-indent:32.0pt'><span style='font-family:楷体'>（一）高度重视<o:p></o:p></span></p><p class=MsoNormal style='text-indent:32.0pt'><span>各村要<b>立即</b>转移危险区群众。<o:p></o:p></span></p><p class=MsoListParagraph style='margin-left:21.0pt;text-indent:-21.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='mso-list:Ignore'>1.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp; </span></span><![endif]><span>检查排水沟<o:p></o:p></span></p><p class=MsoListParagraph style='margin-left:21.0pt;text-indent:-21.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span style='mso-list:Ignore'>2.<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp; </span></span><![endif]><span>清理河道杂物<o:p></o:p></span></p><table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none'><tr><td width=100 style='border:solid windowtext 1.0pt'><p class=MsoNormal><span>村<o:p></o:p></span></p></td><td width=100 style='border:solid windowtext 1.0pt'><p class=MsoNormal><span>隐患（处）<o:p></o:p></span></p></td></tr><tr><td><p class=MsoNormal><span>东村<o:p></o:p></span></p></td><td><p class=MsoNormal><span>3<o:p></o:p></span></p></td></tr></table><!--EndFragment--></body></html>"#;

const PASTE_PROBE: &str = r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>paste probe</title></head><body>
<iframe id="f" width="1000" height="900"></iframe><pre id="out">pending</pre>
<script>
var f = document.getElementById("f");
function report(r) { document.getElementById("out").textContent = JSON.stringify(r); }
f.src = "/__anxuan/edit/?page=content/notices/a.md";
(function wait(tries) {
  var d = f.contentDocument;
  if (!d || !d.getElementById("save") || d.getElementById("save").disabled) {
    if (tries > 0) { setTimeout(function () { wait(tries - 1); }, 100); } else { report({ failed: "no form" }); }
    return;
  }
  fetch("/word.html").then(function (x) { return x.text(); }).then(function (html) {
    var body = d.getElementById("body");
    body.value = "";
    body.focus();
    var dt = new DataTransfer();
    dt.setData("text/html", html);
    dt.setData("text/plain", "关于做好汛期安全工作的通知");
    body.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
    (function pasted(n) {
      if (/已粘贴/.test(d.getElementById("status").textContent)) {
        d.getElementById("save").click();
        (function saved(k) {
          if (/已保存/.test(d.getElementById("status").textContent)) { report({ body: body.value }); return; }
          if (k > 0) { setTimeout(function () { saved(k - 1); }, 100); } else { report({ failed: "not saved", body: body.value }); }
        })(100);
        return;
      }
      if (n > 0) { setTimeout(function () { pasted(n - 1); }, 100); } else { report({ failed: "not pasted: " + d.getElementById("status").textContent }); }
    })(100);
  });
})(200);
</script></body></html>"##;

#[test]
fn word_s_clipboard_html_pasted_into_the_text_becomes_headings_a_list_and_a_table() {
    let site = site();
    site.file("static/paste-probe.html", PASTE_PROBE);
    site.file("static/word.html", WORD_HTML);
    let server = crate::browser::serve(&site, "2024-07-10T12:00:00+08:00");
    let m = crate::browser::cdp_probe(&format!("{}paste-probe.html", server.1));
    assert!(m.get("failed").is_none(), "{m}");
    let body = m["body"].as_str().unwrap();
    assert_eq!(
        body,
        "**关于做好汛期安全工作的通知**\n\n## 一、基本情况\n\n### （一）高度重视\n\n各村要**立即**转移危险区群众。\n\n1. 检查排水沟\n1. 清理河道杂物\n\n| 村 | 隐患（处） |\n| --- | --- |\n| 东村 | 3 |\n"
    );
    // Saved and built: a heading, a list and a table, none of Word's styles.
    assert!(
        shown(&server, "/notices/a/", "<table"),
        "the page shows the table"
    );
    let (_, _, page) = request(&server, "GET", "/notices/a/", &[], "");
    for want in ["一、基本情况</h2>", "<ol>", "<li>检查排水沟</li>"] {
        assert!(page.contains(want), "{want}: {page}");
    }
    for junk in ["MsoNormal", "mso-", "o:p", "仿宋"] {
        assert!(!page.contains(junk), "{junk}");
    }
}

/// Draws a 3000×2000 photo on a canvas, puts the EXIF block `?exif=HEX` (a phone's:
/// make, model, GPS position) into it as a camera does, and drops it onto the
/// editor's text; then saves.
const DROP_PROBE: &str = r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>drop probe</title></head><body>
<iframe id="f" width="1000" height="900"></iframe><pre id="out">pending</pre>
<script>
var f = document.getElementById("f");
function report(r) { document.getElementById("out").textContent = JSON.stringify(r); }
var hex = new URLSearchParams(location.search).get("exif");
function photo(then) {
  var c = document.createElement("canvas");
  c.width = 3000; c.height = 2000;
  var g = c.getContext("2d"), grad = g.createLinearGradient(0, 0, 3000, 2000);
  grad.addColorStop(0, "#2a6b3a"); grad.addColorStop(1, "#8fb3d9");
  g.fillStyle = grad; g.fillRect(0, 0, 3000, 2000);
  for (var i = 0; i < 400; i++) { g.fillStyle = "hsl(" + (i * 37 % 360) + ",50%,50%)"; g.fillRect((i * 97) % 2900, (i * 53) % 1900, 60, 40); }
  c.toBlob(function (b) {
    b.arrayBuffer().then(function (buf) {
      var jpeg = new Uint8Array(buf), tiff = new Uint8Array(hex.match(/../g).map(function (h) { return parseInt(h, 16); }));
      var app1 = new Uint8Array(4 + 6 + tiff.length), len = 2 + 6 + tiff.length;
      app1.set([0xFF, 0xE1, len >> 8, len & 255, 0x45, 0x78, 0x69, 0x66, 0, 0]);
      app1.set(tiff, 10);
      then(new File([jpeg.slice(0, 2), app1, jpeg.slice(2)], "IMG_20240710_083015.jpg", { type: "image/jpeg" }));
    });
  }, "image/jpeg", 0.9);
}
f.src = "/__anxuan/edit/?page=content/notices/a.md";
(function wait(tries) {
  var d = f.contentDocument;
  if (!d || !d.getElementById("save") || d.getElementById("save").disabled) {
    if (tries > 0) { setTimeout(function () { wait(tries - 1); }, 100); } else { report({ failed: "no form" }); }
    return;
  }
  photo(function (file) {
    var body = d.getElementById("body"), dt = new DataTransfer();
    dt.items.add(file);
    body.selectionStart = body.selectionEnd = body.value.length;
    body.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    (function added(n) {
      if (/照片已加上/.test(d.getElementById("status").textContent)) {
        var alt = body.value.slice(body.selectionStart, body.selectionEnd);
        d.getElementById("save").click();
        (function saved(k) {
          if (/已保存/.test(d.getElementById("status").textContent)) { report({ body: body.value, selected: alt, size: file.size }); return; }
          if (k > 0) { setTimeout(function () { saved(k - 1); }, 100); } else { report({ failed: "not saved" }); }
        })(100);
        return;
      }
      if (n > 0) { setTimeout(function () { added(n - 1); }, 100); } else { report({ failed: "not added: " + d.getElementById("status").textContent }); }
    })(150);
  });
})(200);
</script></body></html>"##;

#[test]
fn a_phone_photo_dropped_onto_the_text_is_published_resized_and_without_its_position() {
    let site = site();
    site.file("static/drop-probe.html", DROP_PROBE);
    let server = crate::browser::serve(&site, "2024-07-10T12:00:00+08:00");
    let hex: String = crate::photos::exif_block()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let m = crate::browser::cdp_probe(&format!("{}drop-probe.html?exif={hex}", server.1));
    assert!(m.get("failed").is_none(), "{m}");
    // Saved beside the page under a name of its own, the description selected to type over.
    let body = m["body"].as_str().unwrap();
    assert!(
        body.contains("![照片说明（写照片里是什么）](a-photo-1.jpg)"),
        "{body}"
    );
    assert_eq!(m["selected"], "照片说明（写照片里是什么）");
    let original = site.path().join("content/notices/a-photo-1.jpg");
    assert_eq!(
        std::fs::metadata(&original).unwrap().len(),
        m["size"].as_u64().unwrap()
    );
    let tags = crate::photos::exiftool(&original);
    assert!(
        tags.keys().any(|k| k.contains("GPSLatitude")),
        "the dropped photo has a position: {tags:?}"
    );
    // Published: the page shows it, its address holds a 1280 px copy with no EXIF.
    assert!(
        shown(&server, "/notices/a/", "a-photo-1.800w."),
        "the page shows the photo's copies"
    );
    let (status, _, _) = request(&server, "GET", "/notices/a-photo-1.jpg", &[], "");
    assert_eq!(status, 200);
    let (_, _, bytes) = crate::support::http_get(&server.1, "/notices/a-photo-1.jpg");
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!(
        img.width(),
        1280,
        "resized (and turned upright: {}×{})",
        img.width(),
        img.height()
    );
    assert!(
        img.height() > img.width(),
        "turned upright as the EXIF said"
    );
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "no EXIF left");
    // A HEIC or something not a photo is refused, and nothing is written.
    let t = token(&server);
    let (status, _, body) = request(
        &server,
        "POST",
        "/__anxuan/edit/upload?page=content/notices/a.md",
        &[("X-Anxuan-Token", &t)],
        "<svg onload=alert(1)>",
    );
    assert_eq!(status, 400, "{body}");
    assert!(!site.path().join("content/notices/a-photo-2.jpg").exists());
}

#[test]
fn the_builds_checks_are_shown_at_their_fields_before_saving_with_numbers_masked() {
    let site = site();
    site.file(
        "static/check-probe.html",
        r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>check probe</title></head><body>
<iframe id="f" width="1000" height="900"></iframe><pre id="out">pending</pre>
<script>
var f = document.getElementById("f");
function report(r) { document.getElementById("out").textContent = JSON.stringify(r); }
f.src = "/__anxuan/edit/?page=content/notices/a.md";
(function wait(tries) {
  var d = f.contentDocument;
  if (!d || !d.getElementById("save") || d.getElementById("save").disabled) {
    if (tries > 0) { setTimeout(function () { wait(tries - 1); }, 100); } else { report({ failed: "the form never came" }); }
    return;
  }
  d.getElementById("f-title").value = "";
  // The number is made here: written in this file, it would stop the build.
  var mobile = String(6906172839 * 2);
  d.getElementById("body").value = '## 联系方式\n\n有事请找**张三**，手机' + mobile + "。";
  d.getElementById("body").dispatchEvent(new Event("input", { bubbles: true }));
  (function shown(n) {
    var t = d.getElementById("p-title"), b = d.getElementById("p-body"), live = d.getElementById("live").srcdoc;
    if (t && b && t.textContent && b.textContent && live.indexOf("联系方式") >= 0) {
      report({ title: t.textContent, body: b.textContent, summary: d.getElementById("checks").textContent,
        described: d.getElementById("body").getAttribute("aria-describedby"), shown: [].map.call(d.querySelectorAll(".problem, #checks, #status"), function (p) { return p.textContent; }).join("").split(mobile).length - 1,
        live: live, sandbox: d.getElementById("live").getAttribute("sandbox") });
      return;
    }
    if (n > 0) { setTimeout(function () { shown(n - 1); }, 100); } else { report({ failed: "no problems shown", status: d.getElementById("status").textContent }); }
  })(100);
})(200);
</script></body></html>"##,
    );
    let server = crate::browser::serve(&site, "2024-07-10T12:00:00+08:00");
    let before = std::fs::read_to_string(site.path().join("content/notices/a.md")).unwrap();
    let m = crate::browser::cdp_probe(&format!("{}check-probe.html", server.1));
    assert!(m.get("failed").is_none(), "{m}");
    // The title the build requires, at the title; the mobile number, masked, at the text.
    assert!(m["title"].as_str().unwrap().contains("错误"), "{m}");
    let body = m["body"].as_str().unwrap();
    assert!(
        body.contains("138****5678") && !body.contains("13812345678"),
        "{m}"
    );
    assert_eq!(m["described"], "p-body");
    // Beside the form, the text as it will read, as typed: a heading and bold, with
    // the site's stylesheet, in a frame where no script runs.
    let live = m["live"].as_str().unwrap();
    assert!(
        live.contains("联系方式</h2>") && live.contains("<strong>张三</strong>"),
        "{live}"
    );
    assert!(live.contains("rel=\"stylesheet\""), "{live}");
    assert_eq!(m["sandbox"], "");
    // Only the textarea holds the whole number (the clerk typed it), no message.
    assert_eq!(
        m["shown"], 0,
        "the textarea's value is not in the markup: {m}"
    );
    assert!(m["summary"].as_str().unwrap().contains("错误"), "{m}");
    // Nothing was saved by checking.
    assert_eq!(
        std::fs::read_to_string(site.path().join("content/notices/a.md")).unwrap(),
        before
    );
}

#[test]
fn a_link_is_chosen_from_the_sites_pages_and_delete_moves_the_page_to_the_recycle_folder() {
    let site = site();
    site.page(
        "content/notices/b.md",
        "title = \"停水通知\"\ndate = 2024-06-02",
        "\n明天停水。\n",
    );
    site.file(
        "static/link-probe.html",
        r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>link probe</title></head><body>
<iframe id="f" width="1000" height="900"></iframe><pre id="out">pending</pre>
<script>
var f = document.getElementById("f"), r = {};
function report() { document.getElementById("out").textContent = JSON.stringify(r); }
function until(test, then, n) {
  if (test()) { then(); return; }
  if (n <= 0) { r.failed = String(test); report(); return; }
  setTimeout(function () { until(test, then, n - 1); }, 100);
}
f.src = "/__anxuan/edit/?page=content/notices/a.md";
until(function () { var d = f.contentDocument; return d && d.getElementById("save") && !d.getElementById("save").disabled; }, function () {
  var d = f.contentDocument, sel = d.getElementById("link-to"), body = d.getElementById("body");
  r.options = [].map.call(sel.options, function (o) { return o.value + "|" + o.textContent; });
  body.selectionStart = body.selectionEnd = body.value.length;
  sel.value = "@/notices/b.md";
  sel.dispatchEvent(new Event("change", { bubbles: true }));
  r.body = body.value;
  d.getElementById("save").click();
  until(function () { return /已保存/.test(d.getElementById("status").textContent); }, function () {
    f.contentWindow.confirm = function () { return true; };
    d.getElementById("delete").click();
    until(function () { return /回收站/.test(d.getElementById("status").textContent); }, function () {
      r.status = d.getElementById("status").textContent;
      report();
    }, 100);
  }, 100);
}, 200);
</script></body></html>"##,
    );
    let server = crate::browser::serve(&site, "2024-07-10T12:00:00+08:00");
    let m = crate::browser::cdp_probe(&format!("{}link-probe.html", server.1));
    assert!(m.get("failed").is_none(), "{m}");
    // The list has the other page, by its file, and not the page itself.
    assert_eq!(
        m["options"],
        serde_json::json!(["|（选一个页面）", "@/notices/b.md|停水通知"]),
        "{m}"
    );
    assert!(
        m["body"]
            .as_str()
            .unwrap()
            .ends_with("[停水通知](@/notices/b.md)"),
        "{m}"
    );
    // Deleted: moved into the recycle folder with the link saved, never removed.
    assert!(!site.path().join("content/notices/a.md").exists());
    let recycled: Vec<_> = crate::support::walk(&site.path().join(".anxuan-recycle"))
        .into_iter()
        .filter(|p| p.ends_with("content/notices/a.md"))
        .collect();
    assert_eq!(recycled.len(), 1, "{m}");
    let text = std::fs::read_to_string(&recycled[0]).unwrap();
    assert!(text.contains("[停水通知](@/notices/b.md)") && text.contains("# 这行注释要留着"));
    assert!(
        m["status"].as_str().unwrap().contains(".anxuan-recycle"),
        "{m}"
    );
}

#[test]
fn with_edit_on_lan_another_computer_trades_the_one_time_code_for_the_token() {
    use std::io::BufRead;
    let site = site();
    let mut child = crate::support::bin()
        .args([
            "serve",
            "--port",
            "0",
            "--bind",
            "0.0.0.0",
            "--edit-on-lan",
            "--no-reload",
            "--now",
            "2024-07-10T12:00:00+08:00",
        ])
        .current_dir(site.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut url = String::new();
    let mut code = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(at) = line.find("http://") {
            if url.is_empty() {
                url = line[at..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '（')
                    .collect();
            }
        }
        if let Some(c) = line.strip_prefix("局域网编辑码（只能用一次）：") {
            code = c.trim().to_string();
            break;
        }
    }
    let server = Server(child, url);
    assert_eq!(code.len(), 6, "the terminal shows a code");
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    // The page a computer on the LAN opens: 编辑 links, but no token in it.
    let (status, _, page) = request(&server, "GET", "/notices/a/", &[], "");
    assert_eq!(status, 200);
    assert!(
        page.contains("编辑本页") && !page.contains("anxuan-edit-token"),
        "{page}"
    );
    let unlock = |c: &str| {
        request(
            &server,
            "POST",
            "/__anxuan/edit/unlock",
            &[("Content-Type", "application/json")],
            &serde_json::json!({ "code": c }).to_string(),
        )
    };
    let wrong = if code == "000000" { "000001" } else { "000000" };
    assert_eq!(unlock(wrong).0, 403);
    let (status, _, body) = unlock(&code);
    assert_eq!(status, 200, "{body}");
    let token = serde_json::from_str::<serde_json::Value>(&body).unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    // Once: the code does not work again.
    assert_eq!(unlock(&code).0, 403);
    // With the token, the LAN computer edits; a foreign Host still gets nothing.
    let (status, _, body) = request(
        &server,
        "GET",
        "/__anxuan/edit/source?page=content/notices/a.md",
        &[("X-Anxuan-Token", &token)],
        "",
    );
    assert_eq!(status, 200, "{body}");
    let (status, _, _) = request(
        &server,
        "GET",
        "/notices/a/",
        &[("Host", "evil.example")],
        "",
    );
    assert_eq!(status, 403);
}

#[test]
fn five_wrong_codes_and_the_lan_code_stops_working() {
    use std::io::BufRead;
    let site = site();
    let mut child = crate::support::bin()
        .args([
            "serve",
            "--port",
            "0",
            "--bind",
            "0.0.0.0",
            "--edit-on-lan",
            "--no-reload",
        ])
        .current_dir(site.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    let mut code = String::new();
    for line in std::io::BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let (true, Some(at)) = (url.is_empty(), line.find("http://")) {
            url = line[at..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '（')
                .collect();
        }
        if let Some(c) = line.strip_prefix("局域网编辑码（只能用一次）：") {
            code = c.trim().to_string();
            break;
        }
    }
    let server = Server(child, url);
    let unlock = |c: &str| {
        request(
            &server,
            "POST",
            "/__anxuan/edit/unlock",
            &[],
            &serde_json::json!({ "code": c }).to_string(),
        )
        .0
    };
    let wrong: Vec<String> = (0..5)
        .map(|i| format!("{:06}", (code.parse::<u32>().unwrap() + 1 + i) % 1_000_000))
        .collect();
    for w in &wrong {
        assert_eq!(unlock(w), 403);
    }
    assert_eq!(unlock(&code), 403, "guessing ends the code");
}

#[test]
fn with_lang_en_the_editor_and_its_checks_are_in_english() {
    let site = site();
    site.file(
        "static/en-probe.html",
        r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>en probe</title></head><body>
<iframe id="f" width="1000" height="900"></iframe><pre id="out">pending</pre>
<script>
var f = document.getElementById("f");
function report(r) { document.getElementById("out").textContent = JSON.stringify(r); }
f.src = "/__anxuan/edit/?new=warning";
(function wait(n) {
  var d = f.contentDocument;
  var ready = d && d.getElementById("save") && !d.getElementById("save").disabled && d.getElementById("p-title");
  if (!ready) { if (n > 0) { setTimeout(function () { wait(n - 1); }, 100); } else { report({ failed: "never ready" }); } return; }
  report({
    lang: d.documentElement.lang,
    title: d.querySelector('label[for="f-title"]').textContent,
    levels: [].map.call(d.querySelectorAll(".levels label"), function (l) { return l.textContent; }),
    save: d.getElementById("save").textContent,
    problem: d.getElementById("p-title").textContent,
    home: null
  });
})(200);
</script></body></html>"##,
    );
    let server = start(
        &site,
        &[
            "--lang",
            "en",
            "serve",
            "--port",
            "0",
            "--no-reload",
            "--now",
            "2024-07-10T12:00:00+08:00",
        ],
    );
    let m = crate::browser::cdp_probe(&format!("{}en-probe.html", server.1));
    assert_eq!(m["lang"], "en", "{m}");
    assert_eq!(m["title"], "Title (required)", "{m}");
    assert_eq!(m["levels"][3], "Red warning (红色)", "{m}");
    assert_eq!(m["save"], "Save");
    // The new warning has no title yet: the build's message, in English.
    assert!(m["problem"].as_str().unwrap().starts_with("Error: "), "{m}");
    let (_, _, home) = request(&server, "GET", "/", &[], "");
    assert!(
        home.contains(">New warning</a>") && !home.contains(">Edit this page</a>"),
        "the home page has no file of its own"
    );
}

#[test]
fn a_statistics_page_s_figures_are_rows_of_the_form_and_the_preview_below_follows_the_save() {
    let site = site();
    site.page(
        "content/stats/2024/index.md",
        "title = \"2024年数据\"\ndate = 2024-06-20\nfigures = [\n  { label = \"排查问题隐患\", value = 207, unit = \"项\" },\n]",
        "\n全年数据。\n",
    );
    site.file(
        "static/figures-probe.html",
        r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>figures probe</title></head><body>
<iframe id="f" width="1000" height="1400"></iframe><pre id="out">pending</pre>
<script>
var f = document.getElementById("f"), r = {};
function report() { document.getElementById("out").textContent = JSON.stringify(r); }
function until(test, then, n) {
  var ok = false; try { ok = test(); } catch (e) {}
  if (ok) { then(); return; }
  if (n <= 0) { r.failed = String(test); report(); return; }
  setTimeout(function () { until(test, then, n - 1); }, 100);
}
f.src = "/__anxuan/edit/?page=content/stats/2024/index.md";
until(function () { var d = f.contentDocument; return d && d.getElementById("save") && !d.getElementById("save").disabled; }, function () {
  var d = f.contentDocument;
  var rows = function () { return d.querySelectorAll("#f-figures .figure-row"); };
  r.before = [].map.call(rows()[0].querySelectorAll("input"), function (i) { return i.value; });
  rows()[0].querySelector('[data-part="value"]').value = "208";
  d.querySelector("#f-figures button").click();
  var last = rows()[rows().length - 1].querySelectorAll("input");
  last[0].value = "完成整改"; last[1].value = "197"; last[2].value = "项";
  r.previewShown = !d.getElementById("preview-box").hidden;
  d.getElementById("save").click();
  until(function () { return /已保存/.test(d.getElementById("status").textContent); }, function () {
    until(function () {
      var p = d.getElementById("preview").contentDocument;
      return p && p.body && p.body.textContent.indexOf("完成整改") >= 0;
    }, function () { r.previewUpdated = true; report(); }, 150);
  }, 100);
}, 200);
</script></body></html>"##,
    );
    let server = crate::browser::serve(&site, "2024-07-10T12:00:00+08:00");
    let m = crate::browser::cdp_probe(&format!("{}figures-probe.html", server.1));
    assert!(m.get("failed").is_none(), "{m}");
    assert_eq!(
        m["before"],
        serde_json::json!(["排查问题隐患", "207", "项"])
    );
    assert_eq!(m["previewShown"], true);
    assert_eq!(
        m["previewUpdated"], true,
        "the preview below shows the new figure"
    );
    let text = std::fs::read_to_string(site.path().join("content/stats/2024/index.md")).unwrap();
    assert!(
        text.contains("figures = [\n  { label = \"排查问题隐患\", value = 208, unit = \"项\" },\n  { label = \"完成整改\", value = 197, unit = \"项\" },\n]"),
        "{text}"
    );
}

#[test]
fn the_editor_page_uses_nothing_chromium_78_lacks() {
    let site = site();
    let server = crate::browser::serve(&site, "2024-07-10T12:00:00+08:00");
    let (status, _, page) = request(
        &server,
        "GET",
        "/__anxuan/edit/?page=content/notices/a.md",
        &[],
        "",
    );
    assert_eq!(status, 200);
    // WeChat's XWeb and older phones run Chromium 78: no optional chaining or `??`
    // (Chromium 80), no flex `gap` (84), no `:has()` (105).
    for newer in ["?.", "??", "gap:", ":has(", "replaceAll("] {
        assert!(!page.contains(newer), "{newer} in the editor's page");
    }
    assert!(page.contains("<html lang=\"zh-CN\">"));
}
