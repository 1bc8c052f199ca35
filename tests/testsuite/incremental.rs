//! The incremental builds behind `serve`: after every kind of edit, the site a
//! [`Session`] keeps up to date must be byte for byte the site a fresh build makes,
//! and a page edit must re-render only the few pages it shows on.

use std::collections::BTreeMap;
use std::path::Path;

use anxuan::output::OutFile;
use anxuan::pipeline::{BuildOptions, Session};

use crate::support::Site;

type Files = BTreeMap<String, Vec<u8>>;

fn options(site: &Site) -> BuildOptions {
    BuildOptions {
        root: site.path().to_path_buf(),
        output: None,
        base_url: Some("http://127.0.0.1:1111/".into()),
        now: anxuan::pipeline::parse_now("2026-11-23T10:00:00+08:00"),
        drafts: true,
    }
}

fn bytes(f: &OutFile) -> Vec<u8> {
    f.data.bytes().expect("readable output").into_owned()
}

/// The whole site from a fresh session: what an incremental build must equal.
fn fresh(site: &Site) -> Files {
    let build = Session::default().build(&options(site));
    assert!(!build.report.has_errors(), "the fixture should build");
    let mut files: Files = build
        .files
        .iter()
        .map(|f| (f.path.clone(), bytes(f)))
        .collect();
    for f in build.search().unwrap_or_default() {
        files.insert(f.path.clone(), bytes(&f));
    }
    files
}

/// Applies one incremental build to the files kept from the last, as `serve` does.
/// Returns the HTML pages that were rendered again.
fn step(session: &mut Session, site: &Site, kept: &mut Files, changed: &[&str]) -> Vec<String> {
    for rel in changed {
        session.forget(Path::new(rel));
    }
    let build = session.build(&options(site));
    assert!(!build.report.has_errors(), "{:?}", build.report.diagnostics);
    let rendered: Vec<String> = build
        .files
        .iter()
        .map(|f| f.path.clone())
        // Pages, not the small redirects of `…/page/1/`, which are always made.
        .filter(|p| p.ends_with(".html") && !p.ends_with("page/1/index.html"))
        .collect();
    let search: Vec<OutFile> = build.search().unwrap_or_default();
    let keep: std::collections::HashSet<&String> = build.paths.iter().collect();
    kept.retain(|p, _| keep.contains(p));
    for f in build.files.iter().chain(&search) {
        kept.insert(f.path.clone(), bytes(f));
    }
    rendered
}

fn assert_same(kept: &Files, site: &Site, after: &str) {
    let want = fresh(site);
    let extra: Vec<&String> = kept.keys().filter(|p| !want.contains_key(*p)).collect();
    let missing: Vec<&String> = want.keys().filter(|p| !kept.contains_key(*p)).collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "after {after}: stale files {extra:?}, missing files {missing:?}"
    );
    for (path, bytes) in &want {
        assert!(
            kept[path] == *bytes,
            "after {after}: {path} differs from a fresh build"
        );
    }
}

#[test]
fn every_kind_of_edit_gives_the_same_site_as_a_fresh_build() {
    let site = Site::example();
    let mut session = Session::default();
    let mut kept = Files::new();
    let all = step(&mut session, &site, &mut kept, &[]);
    assert_same(&kept, &site, "the first build");
    let pages = all.len();
    assert!(pages > 30, "{pages}");

    // A page's body: that page alone, and the lists that show its summary.
    let notice = "content/notices/ran-qi-an-quan.md";
    let text = std::fs::read_to_string(site.path().join(notice)).unwrap();
    site.file(
        notice,
        &format!("{text}\n新增一段：检查燃气软管是否老化。\n"),
    );
    let again = step(&mut session, &site, &mut kept, &[notice]);
    assert_same(&kept, &site, "a body edit");
    assert!(
        again.contains(&"notices/ran-qi-an-quan/index.html".to_string()),
        "{again:?}"
    );
    assert!(
        again.len() < 10,
        "a body edit re-rendered {} of {pages} pages: {again:?}",
        again.len()
    );

    // A title: the page, its neighbours, its section, home, tags.
    site.file(
        notice,
        &text.replacen("title = \"", "title = \"（更新）", 1),
    );
    let again = step(&mut session, &site, &mut kept, &[notice]);
    assert_same(&kept, &site, "a title edit");
    assert!(again.len() < pages / 2, "{again:?}");

    // A warning's level shows in the banner of every page.
    let warning = "content/warnings/sen-lin-huo-xian-cheng-se-yu-jing.md";
    let w = std::fs::read_to_string(site.path().join(warning)).unwrap();
    site.file(warning, &w.replace("level = \"orange\"", "level = \"red\""));
    let again = step(&mut session, &site, &mut kept, &[warning]);
    assert_same(&kept, &site, "a warning edit");
    assert!(again.len() >= pages - 5, "{} of {pages}", again.len());

    // A new page with a new tag, then a rename, then a delete.
    let new = "content/notices/xin-tong-zhi.md";
    site.page(new, "title = \"新通知\"\ntags = [\"新标签\"]", "正文。\n");
    step(&mut session, &site, &mut kept, &[new]);
    assert_same(&kept, &site, "a new page");
    let renamed = "content/notices/gai-ming-tong-zhi.md";
    std::fs::rename(site.path().join(new), site.path().join(renamed)).unwrap();
    step(&mut session, &site, &mut kept, &[new, renamed]);
    assert_same(&kept, &site, "a rename");
    std::fs::remove_file(site.path().join(renamed)).unwrap();
    step(&mut session, &site, &mut kept, &[renamed]);
    assert_same(&kept, &site, "a delete");

    // A data file read by a chart.
    let csv = "content/stats/2023/hazards.csv";
    let data = std::fs::read_to_string(site.path().join(csv)).unwrap();
    site.file(csv, &data.replace("工贸企业,68,66", "工贸企业,70,66"));
    step(&mut session, &site, &mut kept, &[csv]);
    assert_same(&kept, &site, "a CSV edit");

    // A template and the config change what every page looks like.
    let base = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/404.html"),
    )
    .unwrap();
    site.file(
        "templates/404.html",
        &base.replace("</main>", "<p>模板改动</p></main>"),
    );
    step(&mut session, &site, &mut kept, &["templates/404.html"]);
    assert_same(&kept, &site, "a template edit");
    let config = std::fs::read_to_string(site.path().join("config.toml")).unwrap();
    site.file(
        "config.toml",
        &config.replacen("XX镇安全生产宣传", "XX镇安全宣传", 1),
    );
    step(&mut session, &site, &mut kept, &["config.toml"]);
    assert_same(&kept, &site, "a config edit");
}

#[test]
fn a_link_broken_by_another_file_is_caught_although_its_page_is_cached() {
    let site = Site::new();
    site.page(
        "content/notices/a.md",
        "title = \"甲\"",
        "见[乙](@/notices/b.md)。\n",
    );
    site.page("content/notices/b.md", "title = \"乙\"", "正文。\n");
    let mut session = Session::default();
    let mut kept = Files::new();
    step(&mut session, &site, &mut kept, &[]);
    std::fs::remove_file(site.path().join("content/notices/b.md")).unwrap();
    session.forget(Path::new("content/notices/b.md"));
    let build = session.build(&options(&site));
    let errors: Vec<String> = build
        .report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{:?} {}", d.file, d.message.en))
        .collect();
    assert!(
        errors.len() == 1 && errors[0].contains("a.md") && errors[0].contains("does not exist"),
        "{errors:?}"
    );
    // Put back, the page is whole again and equal to a fresh build.
    site.page("content/notices/b.md", "title = \"乙\"", "正文。\n");
    step(&mut session, &site, &mut kept, &["content/notices/b.md"]);
    assert_same(&kept, &site, "restoring the linked page");
}
