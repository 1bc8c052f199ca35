//! Reviewed snapshots (STYLE.md: tests are data, review snapshots like code): the
//! key output files of the example site built at a fixed clock, and what the binary
//! prints for a handful of clerks' typical mistakes. A difference fails with the
//! first differing lines; `ANXUAN_BLESS=1 cargo test --test testsuite snapshots::`
//! rewrites the files under tests/snapshots/, to be read before committing.
//!
//! Only what truly varies is normalised (the temporary folder, timings); nothing
//! else, so a change a reader would see is never hidden.

use std::path::{Path, PathBuf};

use crate::support::Site;

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// Compares `actual` with the snapshot `name`, or rewrites it under ANXUAN_BLESS=1.
/// Returns the failure message instead of panicking, so one run reports them all.
fn check(name: &str, actual: &str) -> Option<String> {
    let path = snapshot_dir().join(name);
    if std::env::var_os("ANXUAN_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return None;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected == actual {
        return None;
    }
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let first = (0..e.len().max(a.len()))
        .find(|&i| e.get(i) != a.get(i))
        .unwrap_or(0);
    let show = |lines: &[&str]| {
        lines
            .iter()
            .enumerate()
            .skip(first)
            .take(5)
            .map(|(i, l)| format!("  {:>5} | {l}", i + 1))
            .collect::<Vec<_>>()
            .join("\n")
    };
    Some(format!(
        "tests/snapshots/{name} differs from line {}{}:\n expected:\n{}\n actual:\n{}\n\
         If the new output is right, run `ANXUAN_BLESS=1 cargo test --test testsuite \
         snapshots::` and review the diff of tests/snapshots/ before committing.",
        first + 1,
        if expected.is_empty() {
            " (no snapshot yet)"
        } else {
            ""
        },
        show(&e),
        show(&a)
    ))
}

#[track_caller]
fn all_match(failures: Vec<String>) {
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The example site's build on 2026-11-23, when the forest-fire warning is in force,
/// the 2024 geological-hazard warning was lifted early and the 2023 rainstorm warning
/// expired.
#[test]
fn the_example_site_s_key_pages_match_their_snapshots() {
    let site = Site::example();
    site.run(&["build", "--now", "2026-11-23T10:00:00+08:00"])
        .assert_clean();
    let failures = [
        ("home.html", "index.html"),
        (
            "warning-active.html",
            "warnings/sen-lin-huo-xian-cheng-se-yu-jing/index.html",
        ),
        (
            "warning-lifted.html",
            "warnings/di-zhi-zai-hai-hong-se-yu-jing-2024/index.html",
        ),
        (
            "warning-expired.html",
            "warnings/bao-yu-huang-se-yu-jing-2023/index.html",
        ),
        ("stats-2023.html", "stats/2023/index.html"),
        ("leaflet.html", "leaflets/ran-qi-an-quan/index.html"),
        (
            "leaflet-print.html",
            "leaflets/ran-qi-an-quan/print/index.html",
        ),
        ("feed.xml", "feed.xml"),
        ("sitemap.xml", "sitemap.xml"),
        ("404.html", "404.html"),
    ]
    .into_iter()
    .filter_map(|(name, out)| check(&format!("example/{name}"), &site.read(out)))
    .collect();
    all_match(failures);
}

/// The exit code and stderr of `anxuan build` on a fixture site, with the temporary
/// folder and timings made constant.
fn build_output(site: &Site) -> String {
    let run = site.build();
    let tmp = site.path().to_string_lossy().into_owned();
    let mut text = format!("exit code: {}\n{}", run.code, run.stderr).replace(&tmp, "<site>");
    // "用时 0.06 秒" / "in 0.06 s": the only number that changes from run to run.
    for unit in [" 秒", " s"] {
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(at) = rest.find(unit) {
            let head = &rest[..at];
            let digits = head
                .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
                .len();
            if digits < head.len() {
                out.push_str(&head[..digits]);
                out.push_str("<time>");
            } else {
                out.push_str(head);
            }
            out.push_str(unit);
            rest = &rest[at + unit.len()..];
        }
        out.push_str(rest);
        text = out;
    }
    text
}

#[test]
fn what_the_binary_says_about_typical_mistakes_matches_its_snapshots() {
    let cases: Vec<(&str, Site)> = vec![
        ("full-width-colon", {
            let s = Site::new();
            s.file(
                "content/notices/a.md",
                "+++\ntitle：\"防汛通知\"\ndate = 2023-06-01\n+++\n正文\n",
            );
            s
        }),
        ("mobile-number", {
            let s = Site::new();
            s.page(
                "content/notices/a.md",
                "title = \"防汛通知\"\ndate = 2023-06-01",
                "有情况请联系王主任，电话 13812345678。\n",
            );
            s
        }),
        ("broken-link", {
            let s = Site::new();
            s.page(
                "content/notices/a.md",
                "title = \"防汛通知\"\ndate = 2023-06-01",
                "详见[上一期通知](@/notices/nope.md)。\n",
            );
            s
        }),
        ("chart-missing-column", {
            let s = Site::new();
            s.page(
                "content/stats/2023/index.md",
                "title = \"2023年安全生产数据\"\ndate = 2023-12-31",
                "```chart src=hazards.csv type=bar y=已整改,未整改 title=隐患整改情况\n```\n",
            );
            s.file(
                "content/stats/2023/hazards.csv",
                "行业领域,发现隐患,已整改\n工贸企业,68,66\n危险化学品,31,30\n",
            );
            s
        }),
        ("warning-expires-before-issued", {
            let s = Site::new();
            s.page(
                "content/warnings/a.md",
                "title = \"暴雨黄色预警\"\nlevel = \"yellow\"\nhazard = \"暴雨\"\n\
                 issued = 2023-07-10T16:00:00+08:00\nexpires = 2023-07-09T16:00:00+08:00\n\
                 issuer = \"县气象台\"",
                "预计未来24小时有暴雨。\n",
            );
            s
        }),
    ];
    let failures = cases
        .iter()
        .filter_map(|(name, site)| check(&format!("errors/{name}.txt"), &build_output(site)))
        .collect();
    all_match(failures);
}
