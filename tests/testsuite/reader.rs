//! The reader's view in headless Chromium at a phone's width: legible text, no
//! sideways scrolling, large touch targets, warning banners that retire on time, the
//! 大字 switch, and an axe-core audit of the example site's pages.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::browser::{probe_at, serve};
use crate::support::Site;

/// The example site (config.toml, content/ and the site's static/ if any) copied
/// into a fixture, so the probe page can be added to it.
fn example_site() -> Site {
    let site = Site::bare();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(root.join("config.toml"), site.path().join("config.toml")).unwrap();
    for dir in ["content", "static", "templates"] {
        if root.join(dir).is_dir() {
            copy_dir(&root.join(dir), &site.path().join(dir));
        }
    }
    site
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// axe-core from tests/browser (npm). Installed on first use, so a plain `cargo test`
/// works on a fresh machine with npm; never skipped.
fn axe_js() -> PathBuf {
    static INSTALL: Mutex<()> = Mutex::new(());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    let js = dir.join("node_modules/axe-core/axe.min.js");
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    if !js.exists() {
        let status = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .status()
            .expect("run npm (apt-get install npm; .ci/run does) to install axe-core");
        assert!(status.success(), "npm ci in tests/browser failed");
    }
    assert!(js.exists(), "{} is missing after npm ci", js.display());
    js
}

#[track_caller]
fn assert_reads_well(m: &serde_json::Value, page: &str) {
    let size = m["fontSize"].as_f64().unwrap();
    assert!(
        m["css"].as_u64().unwrap() >= 1,
        "{page}: no stylesheet: {m}"
    );
    assert!(
        size >= 18.0,
        "{page}: body text {size}px, at least 18px: {m}"
    );
    assert!(
        m["lineHeight"].as_f64().unwrap() >= 1.3 * size,
        "{page}: line height: {m}"
    );
    assert!(
        m["scrollWidth"].as_u64().unwrap() <= m["clientWidth"].as_u64().unwrap(),
        "{page}: scrolls sideways: {m}"
    );
    assert_eq!(
        m["smallTargets"].as_array().unwrap().len(),
        0,
        "{page}: touch targets under 44px: {m}"
    );
}

const PAGES: &[(&str, &str)] = &[
    ("home", "/"),
    (
        "red warning",
        "/warnings/di-zhi-zai-hai-hong-se-yu-jing-2024/",
    ),
    (
        "orange warning",
        "/warnings/sen-lin-huo-xian-cheng-se-yu-jing/",
    ),
    ("statistics", "/stats/2023/"),
    ("notice", "/notices/fang-xun-tong-zhi/"),
    ("contacts", "/contacts/"),
];

#[test]
fn the_example_pages_read_well_on_a_phone_and_pass_axe() {
    let site = example_site();
    let axe = axe_js();
    std::fs::create_dir_all(site.path().join("static")).unwrap();
    std::fs::copy(axe, site.path().join("static/axe.min.js")).unwrap();
    // The red warning is in force on this date, so its banner is on every page.
    let server = serve(&site, "2024-07-15T08:00:00+08:00");
    let mut problems = Vec::new();
    for (name, path) in PAGES {
        let m = probe_at(&server, path, "&w=375&axe=1");
        assert_reads_well(&m, name);
        assert!(m["axe"].is_null(), "{name}: axe did not run: {m}");
        for v in m["violations"].as_array().expect("axe results") {
            if matches!(v["impact"].as_str(), Some("serious" | "critical")) {
                problems.push(format!("{name} {path}: {v}"));
            }
        }
        let narrow = probe_at(&server, path, "&w=320");
        assert!(
            narrow["scrollWidth"].as_u64().unwrap() <= narrow["clientWidth"].as_u64().unwrap(),
            "{name}: scrolls sideways at 320px: {narrow}"
        );
    }
    assert!(
        problems.is_empty(),
        "serious or critical accessibility problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn a_banner_hides_itself_once_the_browser_clock_passes_its_expiry() {
    let site = Site::new();
    // Built on 2025-06-01 (--now), read in the browser today: the first warning has
    // expired since the build, the second is still in force.
    site.page(
        "content/warnings/old.md",
        "title = \"大风蓝色预警\"\nlevel = \"blue\"\nhazard = \"大风\"\nissued = 2025-06-01T08:00:00+08:00\nexpires = 2025-06-02T08:00:00+08:00",
        "正文\n",
    );
    site.page(
        "content/warnings/new.md",
        "title = \"地质灾害红色预警\"\nlevel = \"red\"\nhazard = \"地质灾害\"\nissued = 2025-06-01T08:00:00+08:00\nexpires = 2099-01-01T08:00:00+08:00",
        "正文\n",
    );
    site.page("content/notices/a.md", "title = \"通知\"", "正文\n");
    let server = serve(&site, "2025-06-01T12:00:00+08:00");
    let m = probe_at(&server, "/notices/a/", "&big=1");
    let banners = m["banners"].as_array().unwrap();
    let shown = |level: &str| {
        banners
            .iter()
            .find(|b| b["level"] == level)
            .unwrap_or_else(|| panic!("no {level} banner in the HTML: {m}"))["shown"]
            .as_bool()
            .unwrap()
    };
    assert!(shown("red"), "the warning still in force stays: {m}");
    assert!(
        !shown("blue"),
        "the expired one is hidden by the script: {m}"
    );
    assert!(
        m["bigFontSize"].as_f64().unwrap() > m["fontSize"].as_f64().unwrap(),
        "大字 enlarges the text: {m}"
    );

    // Without JavaScript the build decides: rebuilt after the expiry, no banner.
    site.run(&["build", "--now", "2025-06-03T08:00:00+08:00"])
        .assert_ok();
    let html = site.read("notices/a/index.html");
    assert!(html.contains("data-warning-level=\"red\""), "{html}");
    assert!(!html.contains("data-warning-level=\"blue\""), "{html}");
}
