//! `anxuan print`: every leaflet's print page (`leaflets/<slug>/print/`) to
//! `public/leaflets/<slug>.pdf` through a headless Chromium found on the system.
//!
//! The built output is served on a loopback port at its base_url path, so the print
//! page loads its stylesheet and images exactly as on the web; the QR code in it was
//! made from the real base_url at build time. For each leaflet Chromium runs twice:
//! once to read how far the text overflows its sheet (the page measures itself and
//! writes `data-overflow-mm` on `<html>`), once to print. A leaflet that does not fit
//! is an error naming it and by how much; its PDF is not written. `anxuan check`
//! runs the first step alone when a browser is found.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use crate::base::diagnostic::{Diagnostic, Text};
use crate::model::Leaflet;
use crate::parse::meta::Paper;
use crate::text;

/// Chromium, Chrome or Edge: `ANXUAN_CHROMIUM`, then the usual names on PATH, then
/// where Windows keeps Edge (every office PC has it) and Chrome.
pub fn find_chromium() -> Result<PathBuf, Diagnostic> {
    if let Some(p) = std::env::var_os("ANXUAN_CHROMIUM").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
        return Err(Diagnostic::error(text!(
            zh: "ANXUAN_CHROMIUM 指向的 {} 不存在",
            en: "ANXUAN_CHROMIUM points to {}, which does not exist",
            p.display()
        )));
    }
    const NAMES: &[&str] = &[
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
        "microsoft-edge",
        "microsoft-edge-stable",
        "msedge",
    ];
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in NAMES {
            for candidate in [dir.join(name), dir.join(format!("{name}.exe"))] {
                if candidate.is_file() {
                    return Ok(candidate);
                }
            }
        }
    }
    const KNOWN: &[&str] = &[
        r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
        r"C:\Program Files\Microsoft\Edge\Application\msedge.exe",
        r"C:\Program Files\Google\Chrome\Application\chrome.exe",
        r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
        "/Applications/Chromium.app/Contents/MacOS/Chromium",
    ];
    KNOWN
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .ok_or_else(|| {
            Diagnostic::error(text!(
                zh: "找不到可以打印 PDF 的浏览器（Chromium、Chrome 或 Edge）",
                en: "no browser found to print PDFs with (Chromium, Chrome or Edge)"
            ))
            .with_help(text!(
                zh: "Windows 自带 Edge；Linux 上安装 chromium（Debian/Ubuntu：apt-get install chromium fonts-noto-cjk）；或用 ANXUAN_CHROMIUM=浏览器程序路径 指定",
                en: "Windows has Edge; on Linux install chromium (Debian/Ubuntu: apt-get install chromium fonts-noto-cjk); or set ANXUAN_CHROMIUM to the browser's path"
            ))
        })
}

/// Serves `out_dir` at `base_path` on 127.0.0.1 until dropped.
struct LocalServer {
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
    url: String,
}

impl LocalServer {
    fn start(out_dir: &Path, base_path: &str) -> std::io::Result<LocalServer> {
        let server = tiny_http::Server::http(("127.0.0.1", 0))
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or(0);
        let server = Arc::new(server);
        let (s, dir, base) = (server.clone(), out_dir.to_path_buf(), base_path.to_string());
        let thread = std::thread::spawn(move || {
            for request in s.incoming_requests() {
                let path = request
                    .url()
                    .strip_prefix(base.as_str())
                    .map(str::to_string);
                let file = path.and_then(|p| crate::output::serving::resolve(&dir, &p));
                let response = match file.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
                    Some((f, bytes)) => tiny_http::Response::from_data(bytes).with_header(
                        tiny_http::Header::from_bytes(
                            "Content-Type",
                            crate::output::serving::content_type(&f),
                        )
                        .expect("static header"),
                    ),
                    None => {
                        tiny_http::Response::from_data(b"not found".to_vec()).with_status_code(404)
                    }
                };
                let _ = request.respond(response);
            }
        });
        Ok(LocalServer {
            server,
            thread: Some(thread),
            url: format!("http://127.0.0.1:{port}{base_path}"),
        })
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn chromium(browser: &Path, profile: &Path) -> Command {
    let mut c = Command::new(browser);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--hide-scrollbars",
        "--run-all-compositor-stages-before-draw",
        "--virtual-time-budget=5000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// What printing one leaflet came to.
pub struct Printed {
    pub pdf: PathBuf,
    pub pages: usize,
}

/// Prints `leaflets` from the built `out_dir` (served at `base_path`) with `browser`.
pub fn print_all(
    out_dir: &Path,
    base_path: &str,
    leaflets: &[Leaflet],
    browser: &Path,
) -> Vec<Result<Printed, Diagnostic>> {
    let server = match LocalServer::start(out_dir, base_path) {
        Ok(s) => s,
        Err(e) => {
            return vec![Err(Diagnostic::error(text!(
                zh: "无法在本机启动打印用的服务：{e}",
                en: "cannot start the local server for printing: {e}"
            )))]
        }
    };
    leaflets
        .iter()
        .map(|l| print_one(&server.url, out_dir, l, browser))
        .collect()
}

fn print_one(
    base_url: &str,
    out_dir: &Path,
    leaflet: &Leaflet,
    browser: &Path,
) -> Result<Printed, Diagnostic> {
    let profile = tempdir()?;
    let result = print_with(&profile, base_url, out_dir, leaflet, browser);
    let _ = std::fs::remove_dir_all(&profile);
    result
}

fn print_with(
    profile: &Path,
    base_url: &str,
    out_dir: &Path,
    leaflet: &Leaflet,
    browser: &Path,
) -> Result<Printed, Diagnostic> {
    let url = format!("{base_url}{}print/", leaflet.path);
    let in_file = |d: Diagnostic| d.in_file(&leaflet.source);
    let failed = |step: Step, detail: Text| browser_failed(leaflet, step, detail);

    // 1. Does it fit? The print page measures itself.
    measure(profile, &url, leaflet, browser)?;

    // 2. Print, into a temporary file first: a failed print never leaves half a PDF.
    let dir = out_dir.join("leaflets");
    std::fs::create_dir_all(&dir).map_err(|e| failed(Step::Write, Text::same(e.to_string())))?;
    let pdf = dir.join(format!("{}.pdf", leaflet.slug));
    let partial = dir.join(format!(".{}.pdf.partial", leaflet.slug));
    let status = chromium(browser, profile)
        .args(["--no-pdf-header-footer", "--print-to-pdf-no-header"])
        .arg(format!("--print-to-pdf={}", partial.display()))
        .arg(&url)
        .output()
        .map_err(|e| failed(Step::Print, Text::same(e.to_string())))?;
    let bytes = std::fs::read(&partial).map_err(|_| {
        let said = String::from_utf8_lossy(&status.stderr);
        failed(
            Step::Print,
            match said.lines().last() {
                Some(line) => Text::same(line.to_string()),
                None => text!(zh: "没有生成 PDF", en: "no PDF was made"),
            },
        )
    })?;
    let pages = count_pages(&bytes);
    if pages != leaflet.sheets() {
        let _ = std::fs::remove_file(&partial);
        return Err(in_file(Diagnostic::error(text!(
            zh: "宣传单 `{}` 打印出 {} 页，应该是 {} 页",
            en: "leaflet `{}` printed as {} pages instead of {}",
            leaflet.slug,
            pages,
            leaflet.sheets()
        ))));
    }
    std::fs::rename(&partial, &pdf).map_err(|e| failed(Step::Write, Text::same(e.to_string())))?;
    Ok(Printed { pdf, pages })
}

/// What the browser was doing when it failed, named in the message.
#[derive(Clone, Copy)]
enum Step {
    Start,
    Open,
    Print,
    Write,
}

fn browser_failed(leaflet: &Leaflet, step: Step, detail: Text) -> Diagnostic {
    let (zh, en) = match step {
        Step::Start => ("启动", "start"),
        Step::Open => ("打开打印页", "open the print page"),
        Step::Print => ("打印", "print"),
        Step::Write => ("写文件", "write the file"),
    };
    Diagnostic::error(Text::new(
        format!("宣传单 `{}`：浏览器{zh}失败：{}", leaflet.slug, detail.zh),
        format!(
            "leaflet `{}`: the browser failed to {en}: {}",
            leaflet.slug, detail.en
        ),
    ))
    .in_file(&leaflet.source)
}

/// Opens a leaflet's print page (`url`) and reads how far it runs past its sheet:
/// an error naming the leaflet when it does not fit.
fn measure(profile: &Path, url: &str, leaflet: &Leaflet, browser: &Path) -> Result<(), Diagnostic> {
    let in_file = |d: Diagnostic| d.in_file(&leaflet.source);
    let failed = |step: Step, detail: Text| browser_failed(leaflet, step, detail);
    let dom = chromium(browser, profile)
        .args(["--window-size=1200,1600", "--dump-dom"])
        .arg(url)
        .output()
        .map_err(|e| failed(Step::Start, Text::same(e.to_string())))?;
    let dom = String::from_utf8_lossy(&dom.stdout);
    let overflow: Option<u32> = dom
        .split("data-overflow-mm=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok());
    let Some(overflow) = overflow else {
        return Err(failed(
            Step::Open,
            text!(zh: "{} 没有给出排版结果", en: "{} did not report its layout", url),
        ));
    };
    if overflow == 0 {
        return Ok(());
    }
    // The address printing used is gone when the command ends; the preview's is not.
    let preview = format!("http://127.0.0.1:1111/{}print/", leaflet.path);
    Err(in_file(
        Diagnostic::error(text!(
            zh: "宣传单 `{}` 放不下：内容超出 {} 纸约 {} 毫米",
            en: "leaflet `{}` does not fit: its text runs about {} mm past the {} sheet",
            leaflet.slug,
            if leaflet.paper == Paper::A4Trifold { "A4 三折页".to_string() } else { leaflet.paper_name().to_string() },
            overflow
        ))
        .with_help(text!(
            zh: "删减文字（宣传单宜短），或在 front matter 里换大一号的纸：paper = \"A4\"；运行 anxuan serve 后在浏览器打开 {} 可以看到超出的地方",
            en: "cut the text (leaflets should be short) or choose a larger paper in the front matter: paper = \"A4\"; run anxuan serve and open {} in a browser to see where it overflows",
            preview
        )),
    ))
}

/// Checks that every leaflet fits its paper, as `print` would, without printing:
/// for `anxuan check`, from a build in `out_dir` served at `base_path`.
pub fn measure_all(
    out_dir: &Path,
    base_path: &str,
    leaflets: &[Leaflet],
    browser: &Path,
) -> Vec<Diagnostic> {
    let server = match LocalServer::start(out_dir, base_path) {
        Ok(s) => s,
        Err(e) => {
            return vec![Diagnostic::error(text!(
                zh: "无法在本机启动检查用的服务：{e}",
                en: "cannot start the local server for checking: {e}"
            ))]
        }
    };
    leaflets
        .iter()
        .filter_map(|l| {
            let profile = match tempdir() {
                Ok(p) => p,
                Err(d) => return Some(d),
            };
            let url = format!("{}{}print/", server.url, l.path);
            let result = measure(&profile, &url, l, browser);
            let _ = std::fs::remove_dir_all(&profile);
            result.err()
        })
        .collect()
}

pub fn tempdir() -> Result<PathBuf, Diagnostic> {
    let dir = std::env::temp_dir().join(format!(
        "anxuan-print-{}-{}",
        std::process::id(),
        crate::base::hash::content_hash(format!("{:?}", std::time::SystemTime::now()).as_bytes())
    ));
    std::fs::create_dir_all(&dir).map_err(|e| {
        Diagnostic::error(Text::new(
            format!("无法建立临时文件夹：{e}"),
            format!("cannot create a temporary folder: {e}"),
        ))
    })?;
    Ok(dir)
}

/// Pages of a PDF: `/Type /Page` objects (not `/Pages`).
pub(crate) fn count_pages(pdf: &[u8]) -> usize {
    let mut n = 0;
    for pat in [&b"/Type /Page"[..], &b"/Type/Page"[..]] {
        let mut i = 0;
        while let Some(at) = find(&pdf[i..], pat) {
            let end = i + at + pat.len();
            if pdf.get(end) != Some(&b's') {
                n += 1;
            }
            i = end;
        }
    }
    n
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    #[test]
    fn pages_are_counted_not_the_page_tree() {
        let pdf = b"<< /Type /Pages /Count 2 >> << /Type /Page >> <</Type/Page/Parent 1 0 R>>";
        assert_eq!(super::count_pages(pdf), 2);
    }
}
