//! What a build leaves out or leaves behind: drafts and scheduled pages named in the
//! summary line (and their files kept back), renamed pages, and leaflet PDFs.

use crate::support::Site;

fn with_drafts(site: &Site) {
    site.page(
        "content/notices/open.md",
        "title = \"已发布\"\ndate = 2023-12-01",
        "\n![公开照片](shared.jpg)\n",
    );
    site.page(
        "content/notices/plan.md",
        "title = \"草稿\"\ndraft = true",
        "\n![现场照片](site-photo.jpg) 和 ![共用](shared.jpg)\n",
    );
    site.page(
        "content/notices/trip/index.md",
        "title = \"草稿包\"\ndraft = true",
        "\n![照片](p.jpg)\n",
    );
    site.page(
        "content/notices/later.md",
        "title = \"明年的通知\"\ndate = 2099-01-01",
        "\n![附件](later.pdf)\n",
    );
    site.bytes(
        "content/notices/site-photo.jpg",
        &crate::support::tiny_jpeg(),
    );
    site.bytes("content/notices/shared.jpg", &crate::support::tiny_jpeg());
    site.bytes("content/notices/trip/p.jpg", &crate::support::tiny_jpeg());
    site.bytes("content/notices/later.pdf", b"pdf");
}

#[test]
fn the_summary_names_drafts_and_scheduled_pages_left_out() {
    let site = Site::new();
    with_drafts(&site);
    let run = site.build();
    run.assert_clean();
    assert!(
        run.stdout.contains(
            "（2 个草稿、1 个定时发布的页面未发布：草稿用 --drafts 预览，定时的到日期才发布）"
        ),
        "{}",
        run.stdout
    );
    let en = site.run(&[
        "build",
        "--lang",
        "en",
        "--now",
        "2024-01-01T12:00:00+08:00",
    ]);
    assert!(
        en.stdout
            .contains("(2 draft(s) and 1 scheduled page(s) left out:"),
        "{}",
        en.stdout
    );
    let all = site.run(&["build", "--drafts", "--now", "2024-01-01T12:00:00+08:00"]);
    assert!(!all.stdout.contains("未发布"), "{}", all.stdout);
}

#[test]
fn a_drafts_files_are_not_published_before_it() {
    let site = Site::new();
    with_drafts(&site);
    site.build().assert_clean();
    assert!(site.out("notices/open/index.html").exists());
    assert!(
        site.out("notices/shared.jpg").exists(),
        "a published page shows it"
    );
    for gone in [
        "notices/site-photo.jpg",
        "notices/later.pdf",
        "notices/trip/p.jpg",
    ] {
        assert!(!site.out(gone).exists(), "{gone} is a draft's file");
    }
    site.run(&["build", "--drafts", "--now", "2024-01-01T12:00:00+08:00"])
        .assert_clean();
    assert!(site.out("notices/site-photo.jpg").exists());
    assert!(site.out("notices/later.pdf").exists());
}

#[test]
fn a_renamed_page_is_named_with_the_alias_that_keeps_old_links() {
    let site = Site::new();
    let fm = "title = \"关于做好汛期防范工作的通知\"\ndate = 2023-05-01";
    site.page("content/notices/fang-xun.md", fm, "\n各村做好准备。\n");
    site.page(
        "content/notices/other.md",
        "title = \"另一篇\"\ndate = 2023-05-02",
        "\n正文。\n",
    );
    site.build().assert_clean();

    std::fs::remove_file(site.path().join("content/notices/fang-xun.md")).unwrap();
    site.page("content/notices/fang-xun-2023.md", fm, "\n各村做好准备。\n");
    std::fs::remove_file(site.path().join("content/notices/other.md")).unwrap();
    let run = site.build();
    run.assert_ok();
    assert!(
        run.stderr.contains(
            "content/notices/fang-xun-2023.md: 警告：页面《关于做好汛期防范工作的通知》的网址变了：原来是 /notices/fang-xun/，现在是 /notices/fang-xun-2023/"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("aliases = [\"/notices/fang-xun/\"]，旧链接会自动跳到新网址"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("另一篇"),
        "a page deleted for good is not a rename: {}",
        run.stderr
    );

    // Renamed again, in English; then renamed with its alias, which says nothing.
    std::fs::rename(
        site.path().join("content/notices/fang-xun-2023.md"),
        site.path().join("content/notices/fx.md"),
    )
    .unwrap();
    let en = site.run(&[
        "--lang",
        "en",
        "build",
        "--now",
        "2024-01-01T12:00:00+08:00",
    ]);
    assert!(
        en.stderr.contains(
            "content/notices/fx.md: warning: the page “关于做好汛期防范工作的通知” has a new address: it was /notices/fang-xun-2023/, now /notices/fx/"
        ),
        "{}",
        en.stderr
    );
    std::fs::remove_file(site.path().join("content/notices/fx.md")).unwrap();
    site.page(
        "content/notices/fx2.md",
        &format!("{fm}\naliases = [\"/notices/fx/\"]"),
        "\n各村做好准备。\n",
    );
    site.build().assert_clean();
    assert!(
        site.out("notices/fx/index.html").exists(),
        "the old link leads on"
    );
}

#[test]
fn an_edit_that_starts_showing_a_drafts_photo_publishes_it_in_serve_too() {
    use anxuan::pipeline::BuildOptions;
    use anxuan::session::Session;
    let site = Site::new();
    with_drafts(&site);
    let opts = BuildOptions {
        root: site.path().to_path_buf(),
        output: None,
        base_url: Some("http://127.0.0.1:1111/".into()),
        now: anxuan::pipeline::parse_now("2024-01-01T12:00:00+08:00"),
        drafts: false,
    };
    let mut session = Session::default();
    let first = session.build(&opts);
    assert!(!first.paths.contains(&"notices/site-photo.jpg".to_string()));
    for (edit, shown) in [
        ("\n![公开照片](shared.jpg) ![现场](site-photo.jpg)\n", true),
        ("\n![公开照片](shared.jpg)\n", false),
    ] {
        site.page(
            "content/notices/open.md",
            "title = \"已发布\"\ndate = 2023-12-01",
            edit,
        );
        session.forget(std::path::Path::new("content/notices/open.md"));
        let step = session.build(&opts);
        let fresh = Session::default().build(&opts);
        assert_eq!(step.paths, fresh.paths, "{edit}");
        assert_eq!(
            step.paths.contains(&"notices/site-photo.jpg".to_string()),
            shown,
            "{edit}"
        );
    }
}

/// `serve` compares with the site it showed last, not with public/: a rename while
/// previewing is named once, and the build's own diagnostics stay those of a fresh
/// build (which has nothing to compare with).
#[test]
fn a_page_renamed_while_serving_is_named_with_its_alias() {
    use anxuan::base::diagnostic::Lang;
    use anxuan::pipeline::BuildOptions;
    use anxuan::session::Session;
    let site = Site::new();
    let fm = "title = \"关于做好汛期防范工作的通知\"\ndate = 2023-05-01";
    site.page("content/notices/fang-xun.md", fm, "\n各村做好准备。\n");
    let options = BuildOptions {
        root: site.path().to_path_buf(),
        output: None,
        base_url: Some("http://127.0.0.1:1111/".into()),
        now: anxuan::pipeline::parse_now("2024-01-01T12:00:00+08:00"),
        drafts: false,
    };
    let mut session = Session::default();
    let first = session.build(&options);
    assert!(first.moved.is_empty() && first.report.diagnostics.is_empty());

    std::fs::rename(
        site.path().join("content/notices/fang-xun.md"),
        site.path().join("content/notices/fang-xun-2023.md"),
    )
    .unwrap();
    session.forget(std::path::Path::new("content/notices/fang-xun.md"));
    session.forget(std::path::Path::new("content/notices/fang-xun-2023.md"));
    let renamed = session.build(&options);
    let moved: Vec<String> = renamed
        .moved
        .iter()
        .map(|d| anxuan::base::diagnostic::render(d, &renamed.report.sources, Lang::Zh))
        .collect();
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert!(
        moved[0].contains("content/notices/fang-xun-2023.md: 警告：页面《关于做好汛期防范工作的通知》的网址变了：原来是 /notices/fang-xun/")
            && moved[0].contains("aliases = [\"/notices/fang-xun/\"]"),
        "{moved:?}"
    );
    let fresh = Session::default().build(&options);
    assert_eq!(
        renamed.report.diagnostics.len(),
        fresh.report.diagnostics.len(),
        "the rename is not one of the build's own diagnostics"
    );

    // The next edit compares with the renamed site: nothing moved.
    site.page(
        "content/notices/fang-xun-2023.md",
        fm,
        "\n各村做好准备。补充。\n",
    );
    session.forget(std::path::Path::new("content/notices/fang-xun-2023.md"));
    assert!(session.build(&options).moved.is_empty());
}

/// Two pages may share a title (a notice reissued each year). Deleting one is not a
/// rename to the other, which was there all along: no alias is suggested, neither by
/// `build` nor by `serve`.
#[test]
fn deleting_one_of_two_pages_with_one_title_is_not_a_rename() {
    use anxuan::pipeline::BuildOptions;
    use anxuan::session::Session;
    let site = Site::new();
    let fm = "title = \"防汛通知\"\ndate = 2023-05-01";
    site.page("content/notices/a.md", fm, "\n去年的。\n");
    site.page("content/notices/b.md", fm, "\n今年的。\n");
    site.build().assert_ok();
    let options = BuildOptions {
        root: site.path().to_path_buf(),
        output: None,
        base_url: Some("http://127.0.0.1:1111/".into()),
        now: anxuan::pipeline::parse_now("2024-01-01T12:00:00+08:00"),
        drafts: false,
    };
    let mut session = Session::default();
    session.build(&options);

    std::fs::remove_file(site.path().join("content/notices/a.md")).unwrap();
    session.forget(std::path::Path::new("content/notices/a.md"));
    assert!(
        session.build(&options).moved.is_empty(),
        "serve: not a rename"
    );
    let run = site.build();
    run.assert_ok();
    assert!(
        !run.stderr.contains("网址变了"),
        "build: not a rename: {}",
        run.stderr
    );
}
