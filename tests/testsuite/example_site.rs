//! The repository root is the example site: it must build with no warnings and use
//! what it shows off.

use crate::support::bin;

fn build_example(now: &str) -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    let run = bin()
        .args([
            "build",
            "--root",
            env!("CARGO_MANIFEST_DIR"),
            "--now",
            now,
            "--output",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "{stderr}");
    (tmp, stderr)
}

#[test]
fn the_example_site_builds_with_no_warnings() {
    let (tmp, stderr) = build_example("2026-11-23T10:00:00+08:00");
    assert_eq!(stderr.trim(), "", "the example site must build clean");
    let out = tmp.path().join("public");
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    // One warning is active on that date, and its banner is on every page.
    assert!(
        home.contains("data-warning-level="),
        "active warning banner on the home page"
    );
    assert!(out.join("feed.xml").exists() && out.join("sitemap.xml").exists());
    for f in crate::support::walk(&out) {
        let rel = f.strip_prefix(&out).unwrap().to_string_lossy().into_owned();
        assert!(
            rel.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()),
            "{rel}"
        );
    }
    let notices = std::fs::read_dir(out.join("notices")).unwrap().count();
    assert!(
        notices >= 4,
        "at least 3 notices plus the section's own pages"
    );
}

#[test]
fn the_example_warnings_show_active_and_expired() {
    let (tmp, _) = build_example("2026-11-23T10:00:00+08:00");
    let list = std::fs::read_to_string(tmp.path().join("public/warnings/index.html")).unwrap();
    assert!(list.contains("已过期"), "the expired warning is marked");
    assert!(list.contains("生效中"), "the active warning is marked");
}
