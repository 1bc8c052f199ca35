//! What a reader sees, in Debian's headless Chromium at a phone's width. The site is
//! served by `anxuan serve`; a probe page (a fixture file in static/) loads the page
//! under test in a same-origin iframe of 375x740 and writes measurements into its own
//! DOM, which `--dump-dom` prints.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::support::{bin, Site};

const PROBE: &str = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>probe</title></head><body>
<iframe id="f" width="375" height="740" src="TARGET"></iframe><pre id="out">pending</pre>
<script>
document.getElementById("f").addEventListener("load", function () {
  var d = this.contentDocument, w = this.contentWindow;
  var p = d.querySelector(".content p");
  document.getElementById("out").textContent = JSON.stringify({
    text: p ? p.innerText : null,
    fontSize: p ? parseFloat(w.getComputedStyle(p).fontSize) : 0,
    lineHeight: p ? parseFloat(w.getComputedStyle(p).lineHeight) : 0,
    scrollWidth: d.documentElement.scrollWidth,
    clientWidth: d.documentElement.clientWidth,
    css: d.styleSheets.length
  });
});
</script></body></html>"#;

struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(site: &Site) -> Server {
    let mut child = bin()
        .args(["serve", "--port", "0", "--now", "2024-01-01T12:00:00+08:00"])
        .current_dir(site.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
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

/// Loads `path` through the probe and returns its measurements.
fn probe(site: &Site, path: &str) -> serde_json::Value {
    site.file("static/probe.html", &PROBE.replace("TARGET", path));
    let server = serve(site);
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("/usr/bin/chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--virtual-time-budget=5000",
            "--window-size=800,900",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("{}probe.html", server.1))
        .output()
        .expect("run /usr/bin/chromium (apt-get install chromium; .ci/run does)");
    let dom = String::from_utf8_lossy(&out.stdout);
    let json = crate::support::between(&dom, "<pre id=\"out\">", "</pre>")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("probe said {json:?}: {e}"))
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
