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
    site.bytes("content/notices/site-photo.jpg", b"jpg");
    site.bytes("content/notices/shared.jpg", b"jpg");
    site.bytes("content/notices/trip/p.jpg", b"jpg");
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
