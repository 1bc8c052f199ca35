//! What a clerk hits in the first hour (issue 13): a placeholder base_url, a title
//! that names another level than `level`, date-only expiry, invisible characters and
//! full-width punctuation in front matter, and the placeholders `anxuan new` leaves.

use crate::support::{http_get, Site};

const PLACEHOLDER: &str = "title = \"测试镇安全宣传\"\nbase_url = \"https://anquan.example.gov.cn/zhen/\"\ntownship = \"测试镇\"\n";

fn leaflet(site: &Site) {
    site.page(
        "content/leaflets/fang-xun.md",
        "title = \"汛期安全记住这几条\"\ndate = 2023-05-15\npaper = \"A4\"",
        "马上撤离。\n",
    );
}

#[test]
fn build_warns_about_a_placeholder_base_url() {
    let site = Site::new();
    site.file("config.toml", PLACEHOLDER);
    leaflet(&site);
    let run = site.build();
    run.assert_ok();
    assert!(
        run.stderr.contains("config.toml:2:12") && run.stderr.contains("示例或本机地址"),
        "{}",
        run.stderr
    );
    let en = site.run(&["--lang", "en", "build"]);
    assert!(
        en.stderr.contains("is an example or local address"),
        "{}",
        en.stderr
    );
    // `--base-url` gives the real address, and the warning goes.
    site.run(&[
        "build",
        "--now",
        "2024-01-01T12:00:00+08:00",
        "--base-url",
        "https://anquan.ceshi.gov.cn/zhen/",
    ])
    .assert_clean();
    for local in ["http://localhost:8000/", "http://127.0.0.1/zhen/"] {
        site.file(
            "config.toml",
            &PLACEHOLDER.replace("https://anquan.example.gov.cn/zhen/", local),
        );
        let run = site.build();
        assert!(
            run.stderr.contains("示例或本机地址"),
            "{local}: {}",
            run.stderr
        );
    }
}

#[test]
fn print_refuses_a_placeholder_base_url() {
    let site = Site::new();
    site.file("config.toml", PLACEHOLDER);
    leaflet(&site);
    let run = site.run(&["print", "--now", "2024-01-01T12:00:00+08:00"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("没有打印") && run.stderr.contains("--base-url"),
        "{}",
        run.stderr
    );
    assert!(
        !site.path().join("public").exists(),
        "nothing built or printed"
    );
    let en = site.run(&["--lang", "en", "print"]);
    en.assert_code(1);
    assert!(en.stderr.contains("nothing was printed"), "{}", en.stderr);
}

#[test]
fn the_print_page_from_serve_marks_its_qr_as_a_preview() {
    let site = Site::new();
    leaflet(&site);
    site.build().assert_clean();
    let published = site.read("leaflets/fang-xun/print/index.html");
    assert!(published.contains("扫码看网页版"), "{published}");
    assert!(!published.contains("data-preview-address"), "{published}");

    let server = crate::browser::serve_live(&site, "2024-01-01T12:00:00+08:00");
    let (status, _, body) = http_get(&server.1, "/leaflets/fang-xun/print/");
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("data-preview-address")
            && body.contains("预览地址，正式印刷前请设置 base_url"),
        "{body}"
    );
}

#[test]
fn init_quotes_a_folder_with_a_space_in_its_next_step() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("安全 宣传");
    let out = crate::support::bin()
        .arg("init")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("cd '{}' && anxuan serve", dir.display())),
        "{stdout}"
    );
    assert!(stdout.contains("base_url"), "{stdout}");
}

fn warning(site: &Site, name: &str, fm: &str) {
    site.page(
        &format!("content/warnings/{name}.md"),
        &format!("level = \"red\"\nhazard = \"暴雨\"\nareas = [\"全镇\"]\nissuer = \"测试镇应急办\"\n{fm}"),
        "立即转移。\n",
    );
}

fn build_at(site: &Site, now: &str) -> crate::support::Run {
    site.run(&["build", "--now", now])
}

#[test]
fn a_date_only_expiry_lasts_the_whole_day_and_shows_as_a_date() {
    for expires in ["2026-12-04", "\"2026年12月4日\"", "\"2026/12/4\""] {
        let site = Site::new();
        warning(
            &site,
            "bao-yu",
            &format!("title = \"暴雨红色预警\"\nissued = 2026-12-03\nexpires = {expires}"),
        );
        // The evening of the 4th: still in force, on every page.
        build_at(&site, "2026-12-04T20:00:00+08:00").assert_clean();
        let home = site.read("index.html");
        assert!(
            home.contains("data-warning-level=\"red\""),
            "{expires}: {home}"
        );
        assert!(
            home.contains("有效至 <span class=\"nw\">12月4日</span>"),
            "{expires}: {home}"
        );
        let page = site.read("warnings/bao-yu/index.html");
        assert!(page.contains(">2026年12月4日</time>"), "{expires}: {page}");
        assert!(
            page.contains(">2026年12月3日</time>"),
            "issued as written: {page}"
        );
        assert!(!page.contains("00:00</time>"), "{page}");
        // Past midnight it is over.
        build_at(&site, "2026-12-05T00:30:00+08:00").assert_clean();
        assert!(!site.read("index.html").contains("data-warning-level"));
        assert!(site.read("warnings/bao-yu/index.html").contains("已过期"));
    }
}

#[test]
fn a_date_only_lift_lasts_until_the_end_of_that_day() {
    let site = Site::new();
    warning(
        &site,
        "bao-yu",
        "title = \"暴雨红色预警\"\nissued = 2026-12-03T08:00:00+08:00\nexpires = 2026-12-10T08:00:00+08:00\nlifted = 2026-12-04",
    );
    build_at(&site, "2026-12-04T12:00:00+08:00").assert_clean();
    assert!(site
        .read("index.html")
        .contains("data-warning-level=\"red\""));
    build_at(&site, "2026-12-05T01:00:00+08:00").assert_clean();
    let page = site.read("warnings/bao-yu/index.html");
    assert!(page.contains("本预警已于 2026年12月4日 解除"), "{page}");
}

#[test]
fn slashes_and_one_digit_months_are_dates() {
    let site = Site::new();
    site.page(
        "content/notices/a.md",
        "title = \"通知\"\ndate = \"2023/6/1\"",
        "正文\n",
    );
    site.page(
        "content/notices/b.md",
        "title = \"通知二\"\ndate = \"2023-6-1 8:00\"",
        "正文\n",
    );
    site.build().assert_clean();
    assert!(site.read("notices/a/index.html").contains("2023年6月1日"));
    assert!(site
        .read("notices/b/index.html")
        .contains("2023-06-01T08:00:00+08:00"));
}

#[test]
fn new_takes_the_level_and_hazard_from_the_title() {
    let site = Site::new();
    for (title, level, hazard) in [
        ("暴雨红色预警", "red", "暴雨"),
        ("地质灾害气象风险橙色预警", "orange", "地质灾害气象风险"),
        ("道路结冰黄色预警", "yellow", "道路结冰"),
    ] {
        let run = site.run(&["new", "warning", title]);
        run.assert_ok();
        let text = std::fs::read_to_string(site.path().join(run.stdout.trim())).unwrap();
        assert!(
            text.contains(&format!("level = \"{level}\"")),
            "{title}: {text}"
        );
        assert!(
            text.contains(&format!("hazard = \"{hazard}\"")),
            "{title}: {text}"
        );
    }
    let run = site.run(&["build"]);
    run.assert_ok();
    assert!(
        !run.stderr.contains("error") && !run.stderr.contains("错误："),
        "{}",
        run.stderr
    );
    assert!(site
        .read("index.html")
        .contains("data-warning-level=\"red\""));
}

#[test]
fn new_warning_picks_a_level_the_site_allows_for_its_hazard() {
    let site = Site::new();
    site.file(
        "config.toml",
        &format!(
            "{}\n[warnings.hazards]\n\"森林火险\" = [\"黄色\", \"橙色\", \"红色\"]\n",
            crate::support::CONFIG
        ),
    );
    let run = site.run(&["new", "warning", "森林火险预警"]);
    run.assert_ok();
    let text = std::fs::read_to_string(site.path().join(run.stdout.trim())).unwrap();
    assert!(text.contains("level = \"yellow\""), "{text}");
    site.run(&["check"]).assert_ok();
}

#[test]
fn check_stops_a_title_that_names_another_level() {
    let site = Site::new();
    warning(
        &site,
        "bao-yu",
        "title = \"暴雨红色预警\"\nissued = 2023-12-31T08:00:00+08:00\nexpires = 2024-01-02T08:00:00+08:00",
    );
    // The helper writes level = "red"; make it disagree.
    let path = site.path().join("content/warnings/bao-yu.md");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"red\"", "\"blue\"");
    std::fs::write(&path, text).unwrap();
    let run = site.run(&["check", "--now", "2024-01-01T12:00:00+08:00"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("content/warnings/bao-yu.md:2:9")
            && run
                .stderr
                .contains("标题“暴雨红色预警”写的是红色预警，但 level 是 `blue`（蓝色）")
            && run.stderr.contains("level = \"red\""),
        "{}",
        run.stderr
    );
    let en = site.run(&[
        "--lang",
        "en",
        "check",
        "--now",
        "2024-01-01T12:00:00+08:00",
    ]);
    assert!(
        en.stderr
            .contains("names a red warning, but level is `blue`"),
        "{}",
        en.stderr
    );
    // A title naming the level it has, or none, is fine.
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("暴雨红色预警", "暴雨预警");
    std::fs::write(&path, text).unwrap();
    site.run(&["check", "--now", "2024-01-01T12:00:00+08:00"])
        .assert_ok();
}

#[test]
fn placeholders_and_an_empty_issuer_are_warned_about() {
    let site = Site::new();
    let run = site.run(&["new", "notice", "防汛通知"]);
    run.assert_ok();
    let run = site.run(&["check"]);
    run.assert_ok();
    assert!(
        run.stderr
            .contains("content/notices/fang-xun-tong-zhi.md:8:1")
            && run
                .stderr
                .contains("“在这里写正文。”是 anxuan new 留下的占位文字"),
        "{}",
        run.stderr
    );
    warning(
        &site,
        "feng",
        "title = \"大风蓝色预警\"\nissued = 2023-12-31T08:00:00+08:00\nexpires = 2024-01-02T08:00:00+08:00",
    );
    let path = site.path().join("content/warnings/feng.md");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"测试镇应急办\"", "\"\"")
        .replace("\"暴雨\"", "\"大风\"")
        .replace("\"red\"", "\"blue\"");
    std::fs::write(&path, text).unwrap();
    let run = site.run(&[
        "--lang",
        "en",
        "check",
        "--now",
        "2024-01-01T12:00:00+08:00",
    ]);
    run.assert_ok();
    assert!(
        run.stderr.contains("content/warnings/feng.md:5:10")
            && run.stderr.contains("`issuer` is empty"),
        "{}",
        run.stderr
    );
}

/// `anxuan check` on one notice whose whole file is `text`: (exit code, stderr).
fn check_notice(text: &str, lang: &str) -> (i32, String) {
    let site = Site::new();
    site.file("content/notices/a.md", text);
    let run = site.run(&["--lang", lang, "check"]);
    (run.code, run.stderr)
}

#[test]
fn full_width_punctuation_in_toml_is_named_with_the_corrected_line() {
    for (line, col, zh, fixed) in [
        (
            "title：\"防汛通知\"",
            6,
            "中文（全角）的 `：`",
            "title = \"防汛通知\"",
        ),
        (
            "title ＝ \"防汛通知\"",
            7,
            "中文（全角）的 `＝`",
            "title = \"防汛通知\"",
        ),
        (
            "title = “防汛通知”",
            9,
            "中文（全角）的 `“`",
            "title = \"防汛通知\"",
        ),
    ] {
        let (code, stderr) = check_notice(&format!("+++\n{line}\n+++\n正文\n"), "zh");
        assert_eq!(code, 1, "{stderr}");
        assert!(
            stderr.contains(&format!("content/notices/a.md:2:{col}: 错误："))
                && stderr.contains(zh)
                && stderr.contains(&format!("这一行改成：{fixed}")),
            "{line}: {stderr}"
        );
        // The caret stands under the full-width character.
        let caret = stderr
            .lines()
            .find(|l| l.trim_start_matches([' ', '|']).starts_with('^'));
        assert!(caret.is_some(), "{stderr}");
        assert!(
            !stderr.contains("expected"),
            "no English parser message: {stderr}"
        );
    }
    let (_, en) = check_notice("+++\ntitle：\"防汛通知\"\n+++\n", "en");
    assert!(
        en.contains("this is the full-width `：`; TOML needs the ASCII `=`"),
        "{en}"
    );
}

#[test]
fn a_date_written_as_on_paper_gets_the_toml_form() {
    for (value, fixed) in [
        ("2023年6月1日", "date = 2023-06-01"),
        ("2023/6/1", "date = 2023-06-01"),
        ("2023-6-1 8:00", "date = 2023-06-01T08:00:00"),
        ("2023.6.1", "date = 2023-06-01"),
    ] {
        let (code, stderr) = check_notice(
            &format!("+++\ntitle = \"通知\"\ndate = {value}\n+++\n正文\n"),
            "zh",
        );
        assert_eq!(code, 1, "{stderr}");
        assert!(
            stderr.contains("content/notices/a.md:3:8: 错误：日期")
                && stderr.contains(&format!("这一行改成：{fixed}")),
            "{value}: {stderr}"
        );
        // The corrected line builds.
        let site = Site::new();
        site.page(
            "content/notices/a.md",
            &format!("title = \"通知\"\n{fixed}"),
            "正文\n",
        );
        site.build().assert_clean();
    }
}

#[test]
fn yaml_mistakes_are_reported_on_their_own_line() {
    for (front, line, col, fixed) in [
        ("title：防汛通知\ndate: 2023-06-01", 2, 6, "title: 防汛通知"),
        ("title:防汛通知\ndate: 2023-06-01", 2, 6, "title: 防汛通知"),
        (
            "title: 防汛\ntags: [防汛, 安全\ndate: 2023-06-01",
            3,
            7,
            "tags: [防汛, 安全]",
        ),
        ("title:\u{a0}防汛\ndate: 2023-06-01", 2, 7, "title: 防汛"),
    ] {
        let (code, stderr) = check_notice(&format!("---\n{front}\n---\n正文\n"), "zh");
        assert_eq!(code, 1, "{stderr}");
        assert!(
            stderr.contains(&format!("content/notices/a.md:{line}:{col}: 错误："))
                && stderr.contains(&format!("这一行改成：{fixed}")),
            "{front}: {stderr}"
        );
    }
}

#[test]
fn invisible_characters_in_front_matter_are_named_and_dropped_from_titles() {
    let site = Site::new();
    // A no-break space before `=`, a zero-width space between list items, and a title
    // with a zero-width space and a no-break space inside it.
    site.file(
        "content/notices/a.md",
        "+++\ntitle\u{a0}= \"地质\u{200b}灾害\u{a0}防治通知\"\ntags = [\"防汛\",\u{200b}\"地质灾害\"]\n+++\n正文\n",
    );
    let run = site.build();
    run.assert_ok();
    assert!(
        run.stderr.contains(
            "content/notices/a.md:2:6: 警告：这里有一个看不见的字符：不换行空格（U+00A0）"
        ) && run.stderr.contains(
            "content/notices/a.md:3:14: 警告：这里有一个看不见的字符：零宽空格（U+200B）"
        ),
        "{}",
        run.stderr
    );
    let page = site.read("notices/a/index.html");
    assert!(
        page.contains("<h1>地质灾害 防治通知</h1>") || page.contains(">地质灾害 防治通知<"),
        "{page}"
    );
    assert!(!page.contains('\u{200b}'), "{page}");
    let en = site.run(&["--lang", "en", "check"]);
    assert!(
        en.stderr
            .contains("an invisible character here: a no-break space (U+00A0)"),
        "{}",
        en.stderr
    );
}

#[test]
fn a_title_with_a_zero_width_space_is_found_by_search() {
    let site = Site::new();
    site.page(
        "content/notices/a.md",
        "title = \"地质\u{200b}灾害防治\"",
        "正文。\n",
    );
    site.build().assert_clean();
    let files = site.files();
    let index: String = files
        .iter()
        .filter(|f| f.starts_with("search/"))
        .map(|f| std::fs::read_to_string(site.out(f)).unwrap_or_default())
        .collect();
    assert!(
        index.contains("地质灾害防治"),
        "title as one word in the records"
    );
    assert!(!index.contains('\u{200b}'));
}

#[test]
fn utf16_files_from_notepad_are_read_with_one_warning() {
    let site = Site::new();
    let text = "+++\ntitle = \"防汛通知\"\n+++\n\n各村要做好防汛准备。\n";
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    site.bytes("content/notices/le.md", &le);
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    site.bytes("content/notices/be.md", &be);
    // Without a byte order mark too.
    let bare: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    site.bytes("content/notices/bare.md", &bare);
    let run = site.build();
    run.assert_ok();
    assert_eq!(
        run.stderr.matches("UTF-16 编码").count(),
        3,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("共 0 个错误，3 个警告"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains('\0'), "no NUL bytes printed");
    for page in ["le", "be", "bare"] {
        assert!(site
            .read(&format!("notices/{page}/index.html"))
            .contains("各村要做好防汛准备。"));
    }
    let en = site.run(&["--lang", "en", "check"]);
    assert!(en.stderr.contains("encoded as UTF-16"), "{}", en.stderr);
}

#[test]
fn serve_prints_a_gbk_warning_once_not_on_every_save() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let site = Site::new();
    let (gbk, _, _) = encoding_rs::GBK.encode("+++\ntitle = \"旧通知\"\n+++\n\n旧文。\n");
    site.bytes("content/notices/gbk.md", &gbk);
    site.page("content/notices/a.md", "title = \"甲\"", "第0版\n");
    let log = site.path().join("serve.log");
    let mut child = crate::support::bin()
        .args(["serve", "--port", "0", "--now", "2024-01-01T12:00:00+08:00"])
        .current_dir(site.path())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let origin: String = line[line.find("http://").unwrap()..]
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != '（')
        .collect();
    // As the serve tests do: the first page is fetched before anything is edited.
    let (status, _, _) = http_get(&origin, "/notices/a/");
    assert_eq!(status, 200);
    std::thread::sleep(std::time::Duration::from_millis(200));
    for n in 1..=2 {
        site.page(
            "content/notices/a.md",
            "title = \"甲\"",
            &format!("第{n}版\n"),
        );
        let started = std::time::Instant::now();
        loop {
            let (_, _, body) = http_get(&origin, "/notices/a/");
            if String::from_utf8_lossy(&body).contains(&format!("第{n}版")) {
                break;
            }
            assert!(started.elapsed().as_secs() < 15, "edit {n} never showed");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let stderr = std::fs::read_to_string(&log).unwrap();
    assert_eq!(stderr.matches("GBK/GB18030").count(), 1, "{stderr}");
    assert!(
        stderr.contains("已重新生成"),
        "two rebuilds happened: {stderr}"
    );
}

#[test]
fn chinese_text_without_quotes_gets_them() {
    let (code, stderr) = check_notice("+++\ntitle = 防汛通知\n+++\n正文\n", "zh");
    assert_eq!(code, 1);
    assert!(
        stderr.contains("a.md:2:9: 错误：文字 `防汛通知` 没有加引号")
            && stderr.contains("这一行改成：title = \"防汛通知\""),
        "{stderr}"
    );
    // A `：` inside such text is the same mistake, not a separator.
    let (_, stderr) = check_notice("+++\ntitle = 通知：防汛\n+++\n正文\n", "zh");
    assert!(
        stderr.contains("这一行改成：title = \"通知：防汛\""),
        "{stderr}"
    );
}

#[test]
fn a_doubled_byte_order_mark_does_not_hide_the_front_matter() {
    let site = Site::new();
    site.bytes(
        "content/notices/a.md",
        "\u{feff}\u{feff}+++\ntitle = \"防汛通知\"\n+++\n正文\n".as_bytes(),
    );
    site.build().assert_clean();
    assert!(site.read("notices/a/index.html").contains("防汛通知"));
}
