//! The output folder: atomic replacement, feed, sitemap, 404, hashed assets, share meta.

use crate::support::{walk, Site};

fn snapshot(site: &Site) -> Vec<(String, Vec<u8>)> {
    let root = site.path().join("public");
    let mut v: Vec<(String, Vec<u8>)> = walk(&root)
        .into_iter()
        .map(|p| {
            (
                p.strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_failed_build_leaves_the_previous_output_exactly_as_it_was() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", "正文");
    site.build().assert_clean();
    let before = snapshot(&site);
    assert!(!before.is_empty());
    // A new page with an error, and a change to a good page: neither may show.
    site.page("content/notices/a.md", "title = \"甲（已改）\"", "新正文");
    site.page(
        "content/notices/b.md",
        "title = \"乙\"\nlevel = \"red\"",
        "",
    );
    site.build().assert_code(1);
    assert_eq!(
        snapshot(&site),
        before,
        "public/ changed after a failed build"
    );
    let leftovers: Vec<_> = std::fs::read_dir(site.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().contains("anxuan-") && n != ".anxuan-cache")
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging folders left behind: {leftovers:?}"
    );
    // Fixing it replaces the whole tree, stale files included.
    site.file("content/notices/b.md", "+++\ntitle = \"乙\"\n+++\n");
    std::fs::remove_file(site.path().join("content/notices/a.md")).unwrap();
    site.build().assert_clean();
    assert!(
        !site.out("notices/a/index.html").exists(),
        "a removed page disappears"
    );
    assert!(site.out("notices/b/index.html").exists());
}

#[test]
fn output_never_replaces_the_site_itself() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", "");
    let run = site.run(&["build", "--output", "."]);
    run.assert_code(1);
    assert!(site.path().join("content/notices/a.md").exists());
}

#[test]
fn feed_is_well_formed_atom_newest_first_with_absolute_links() {
    let site = Site::new();
    site.page(
        "content/notices/a.md",
        "title = \"旧通知 & 更多\"\ndate = 2023-06-01\ntags = [\"防汛\"]",
        "正文 <b>粗</b>",
    );
    site.page(
        "content/notices/b.md",
        "title = \"新通知\"\ndate = 2023-06-02\nupdated = 2023-06-03",
        "正文",
    );
    site.page(
        "content/about.md",
        "title = \"关于\"",
        "没有日期的页面不进订阅",
    );
    site.build().assert_clean();
    let xml = site.read("feed.xml");
    let doc = roxmltree::Document::parse(&xml).expect("feed.xml is well-formed XML");
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().name(), "feed");
    assert_eq!(
        feed.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let child = |n: roxmltree::Node, name: &str| {
        n.children()
            .find(|c| c.tag_name().name() == name)
            .map(|c| c.text().unwrap_or("").to_string())
    };
    for required in ["id", "title", "updated"] {
        assert!(child(feed, required).is_some(), "feed lacks {required}");
    }
    assert!(feed.children().any(|c| c.tag_name().name() == "author"));
    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.tag_name().name() == "entry")
        .collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(child(entries[0], "title").unwrap(), "新通知");
    assert_eq!(child(entries[1], "title").unwrap(), "旧通知 & 更多");
    for e in &entries {
        for required in ["id", "title", "updated"] {
            assert!(child(*e, required).is_some(), "entry lacks {required}");
        }
        let href = e
            .children()
            .find(|c| c.tag_name().name() == "link")
            .unwrap()
            .attribute("href")
            .unwrap();
        assert!(
            href.starts_with("https://anquan.ceshi.gov.cn/zhen/notices/"),
            "{href}"
        );
        let updated = child(*e, "updated").unwrap();
        assert!(
            jiff::Timestamp::from_str(&updated).is_ok(),
            "RFC 3339: {updated}"
        );
    }
    assert_eq!(
        child(entries[0], "updated").unwrap(),
        "2023-06-03T00:00:00+08:00"
    );
}

use std::str::FromStr;

#[test]
fn sitemap_lists_every_page_with_absolute_urls() {
    let site = Site::new();
    site.page(
        "content/notices/a.md",
        "title = \"甲\"\ndate = 2023-06-01\ntags = [\"防汛\"]",
        "",
    );
    site.build().assert_clean();
    let xml = site.read("sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed");
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "loc")
        .filter_map(|n| n.text())
        .collect();
    for want in [
        "https://anquan.ceshi.gov.cn/zhen/",
        "https://anquan.ceshi.gov.cn/zhen/notices/a/",
        "https://anquan.ceshi.gov.cn/zhen/tags/fang-xun/",
    ] {
        assert!(locs.contains(&want), "{want} not in {locs:?}");
    }
}

#[test]
fn theme_assets_carry_a_content_hash_and_pages_have_a_404() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"甲\"", "");
    site.build().assert_clean();
    let files = site.files();
    assert!(
        files.iter().any(|f| f.starts_with("style.")
            && f.ends_with(".css")
            && f.len() > "style..css".len()),
        "{files:?}"
    );
    assert!(files.contains(&"404.html".to_string()));
    let html = site.read("notices/a/index.html");
    let css = files.iter().find(|f| f.starts_with("style.")).unwrap();
    assert!(
        html.contains(&format!("/zhen/{css}")),
        "page links the hashed stylesheet"
    );
}

#[test]
fn share_meta_is_absolute_and_the_title_starts_with_the_headline() {
    let site = Site::new();
    site.page(
        "content/notices/a.md",
        "title = \"防汛通知\"\ndescription = \"做好防汛准备\"",
        "",
    );
    site.build().assert_clean();
    let html = site.read("notices/a/index.html");
    assert!(
        html.contains("<title>防汛通知｜测试镇安全宣传</title>"),
        "{html}"
    );
    assert!(html.contains("content=\"做好防汛准备\""), "{html}");
    for prop in [
        "og:title",
        "og:description",
        "og:url",
        "og:image",
        "og:site_name",
    ] {
        assert!(
            html.contains(&format!("property=\"{prop}\"")),
            "missing {prop}"
        );
    }
    assert!(
        html.contains(
            "<link rel=\"canonical\" href=\"https://anquan.ceshi.gov.cn/zhen/notices/a/\">"
        ),
        "{html}"
    );
    let og_image = crate::support::between(&html, "property=\"og:image\" content=\"", "\"");
    assert!(
        og_image.starts_with("https://anquan.ceshi.gov.cn/zhen/"),
        "{og_image}"
    );
    assert!(
        html.contains("itemscope"),
        "itemprop tags need an itemscope"
    );
}

#[test]
fn hotlines_get_a_contacts_page_unless_the_site_has_its_own() {
    let site = Site::new();
    site.file(
        "config.toml",
        &format!(
            "{}\n[[hotlines]]\nname = \"火警\"\nnumber = \"119\"\n\n[[hotlines]]\nname = \"镇应急值班\"\nnumber = \"0875-2123456\"\nnote = \"24小时值班\"\n",
            crate::support::CONFIG
        ),
    );
    site.page("content/notices/a.md", "title = \"通知\"", "正文\n");
    site.build().assert_clean();
    let contacts = site.read("contacts/index.html");
    assert!(contacts.contains("<title>求助电话｜"), "{contacts}");
    assert!(contacts.contains("href=\"tel:119\""), "{contacts}");
    assert!(contacts.contains("href=\"tel:08752123456\""), "{contacts}");
    assert!(contacts.contains("24小时值班"), "{contacts}");
    assert!(
        site.read("notices/a/index.html")
            .contains("href=\"/zhen/contacts/\""),
        "every footer links to it"
    );
    assert!(site
        .read("sitemap.xml")
        .contains("<loc>https://anquan.ceshi.gov.cn/zhen/contacts/</loc>"));

    // A site's own page at /contacts/ wins, and no hotlines means no page.
    site.page(
        "content/contacts/_index.md",
        "title = \"联系我们\"",
        "电话\n",
    );
    site.build().assert_ok();
    assert!(site.read("contacts/index.html").contains("联系我们"));
    let bare = Site::new();
    bare.page("content/notices/a.md", "title = \"通知\"", "正文\n");
    bare.build().assert_clean();
    assert!(!bare.out("contacts/index.html").exists());
}
