//! The command line: help in both languages, exit codes, `init`, `new`, `check`.

use crate::support::{bin, Site};

#[test]
fn help_is_chinese_by_default_and_english_on_request() {
    let zh = bin().arg("--help").output().unwrap();
    let zh = String::from_utf8_lossy(&zh.stdout);
    assert!(zh.contains("生成网站"), "{zh}");
    let en = bin().args(["--lang", "en", "--help"]).output().unwrap();
    let en = String::from_utf8_lossy(&en.stdout);
    assert!(en.contains("build the site"), "{en}");
    let env = bin()
        .env("ANXUAN_LANG", "en")
        .args(["build", "--help"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&env.stdout).contains("override base_url"));
}

#[test]
fn bad_usage_exits_2() {
    let site = Site::new();
    site.run(&["build", "--no-such-flag"]).assert_code(2);
    site.run(&["build", "--now", "yesterday"]).assert_code(2);
    site.run(&["new", "poster", "标题"]).assert_code(2);
}

#[test]
fn init_makes_a_site_that_builds_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("新站点");
    let out = bin().args(["init"]).arg(&dir).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The starter's base_url is a placeholder the clerk must replace: the one warning.
    let run = bin().args(["build", "--root"]).arg(&dir).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains("base_url") && stderr.contains("共 0 个错误，1 个警告"),
        "{stderr}"
    );
    let run = bin()
        .args([
            "build",
            "--base-url",
            "https://anquan.ceshi.gov.cn/",
            "--root",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&run.stderr).trim(),
        "",
        "no other warnings"
    );
    assert!(dir.join("public/index.html").exists());
    // init never overwrites an existing site.
    let again = bin().args(["init"]).arg(&dir).output().unwrap();
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn new_pages_of_every_kind_build_as_written() {
    let site = Site::new();
    for (kind, title) in [
        ("notice", "防汛通知"),
        ("warning", "暴雨蓝色预警"),
        ("campaign", "安全生产月活动"),
        ("stats", "2024年隐患排查"),
        ("leaflet", "防汛宣传单"),
    ] {
        let run = site.run(&["new", kind, title]);
        run.assert_ok();
        let path = site.path().join(run.stdout.trim());
        assert!(path.exists(), "{}", path.display());
    }
    assert!(site
        .path()
        .join("content/notices/fang-xun-tong-zhi.md")
        .exists());
    // Statistics get a folder of their own, where the CSV from Excel goes.
    let stats = site.path().join("content/stats/2024-nian-yin-huan-pai-cha");
    assert!(stats.join("index.md").exists());
    assert!(
        std::fs::read_to_string(stats.join("index.md"))
            .unwrap()
            .contains("CSV 放在这个文件夹里"),
        "the page says where the CSV goes"
    );
    // No --now: new files are dated now, so they must be published now. What the
    // clerk must still fill in is a warning, not an error: the placeholder sentence
    // of each page and the new warning's empty issuer.
    let run = site.run(&["build"]);
    run.assert_ok();
    assert_eq!(run.stderr.matches("占位文字").count(), 5, "{}", run.stderr);
    assert!(
        run.stderr.contains("共 0 个错误，6 个警告"),
        "{}",
        run.stderr
    );
    assert!(site
        .out("warnings/bao-yu-lan-se-yu-jing/index.html")
        .exists());
    // The new warning is active, so every page carries its banner.
    assert!(site
        .read("index.html")
        .contains("data-warning-level=\"blue\""));
    // A CSV saved next to the new statistics page draws its chart.
    std::fs::write(stats.join("data.csv"), "村,隐患\n东村,3\n西村,4\n").unwrap();
    let page = std::fs::read_to_string(stats.join("index.md")).unwrap();
    std::fs::write(
        stats.join("index.md"),
        page.replace("在这里写统计说明。", "```chart src=data.csv type=bar\n```"),
    )
    .unwrap();
    site.run(&["build"]).assert_ok();
    assert!(site
        .read("stats/2024-nian-yin-huan-pai-cha/index.html")
        .contains("<svg"));
    // A second page with the same title gets its own file.
    let run = site.run(&["new", "notice", "防汛通知"]);
    assert!(
        run.stdout.contains("fang-xun-tong-zhi-1.md"),
        "{}",
        run.stdout
    );
}

#[test]
fn check_reports_without_writing() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"通知\"", "正文");
    let run = site.run(&["check"]);
    run.assert_ok();
    assert!(!site.path().join("public").exists());
    site.page("content/notices/b.md", "titel = \"通知\"", "正文");
    site.run(&["check"]).assert_code(1);
}

#[test]
fn build_prints_a_one_line_summary() {
    let site = Site::new();
    site.page("content/notices/a.md", "title = \"通知\"", "正文");
    let run = site.build();
    run.assert_clean();
    assert_eq!(run.stdout.trim().lines().count(), 1, "{}", run.stdout);
    assert!(run.stdout.contains("1 个页面"), "{}", run.stdout);
    let en = site.run(&["--lang", "en", "build"]);
    assert!(en.stdout.contains("built 1 pages"), "{}", en.stdout);
}

/// Every command's `--help`, in the language asked for.
fn helps(lang: &str) -> Vec<String> {
    ["", "build", "serve", "check", "init", "new", "print"]
        .into_iter()
        .map(|sub| {
            let mut args = vec!["--lang", lang];
            args.extend(Some(sub).filter(|s| !s.is_empty()));
            args.push("--help");
            let out = bin().args(&args).output().unwrap();
            assert!(out.status.success(), "{args:?}");
            String::from_utf8_lossy(&out.stdout).into_owned()
        })
        .collect()
}

#[test]
fn help_speaks_one_language_and_explains_every_argument() {
    for help in helps("zh") {
        for english in [
            "Usage",
            "Options",
            "Commands",
            "Arguments",
            "Print help",
            "[default",
            "<ROOT>",
        ] {
            assert!(!help.contains(english), "`{english}` in:\n{help}");
        }
        assert!(
            help.contains("用法：anxuan") && help.contains("显示这份帮助"),
            "{help}"
        );
        // An argument line always has its explanation after it.
        for line in help
            .lines()
            .filter(|l| l.trim_start().starts_with(['-', '<']))
        {
            let explained = line
                .trim()
                .split("  ")
                .filter(|p| !p.trim().is_empty())
                .count()
                >= 2;
            assert!(explained, "no help for `{line}` in:\n{help}");
        }
    }
    for help in helps("en") {
        assert!(
            help.contains("Usage: anxuan") && help.contains("show this help"),
            "{help}"
        );
        assert!(!help.contains("用法") && !help.contains("选项"), "{help}");
    }
}

#[test]
fn a_mistyped_command_gets_a_suggestion() {
    let site = Site::new();
    let run = site.run(&["biuld"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("没有 `biuld` 这个命令。是不是 `build`？"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("error:"), "{}", run.stderr);
    let run = site.run(&["build", "--ruut", "."]);
    run.assert_code(2);
    assert!(run.stderr.contains("是不是 `--root`？"), "{}", run.stderr);
    let en = site.run(&["--lang", "en", "biuld"]);
    en.assert_code(2);
    assert!(en.stderr.contains("'build'"), "{}", en.stderr);
    // `anxuan help build` is `anxuan build --help`, in Chinese.
    let help = site.run(&["help", "build"]);
    help.assert_ok();
    assert!(
        help.stdout.contains("用法：anxuan build"),
        "{}",
        help.stdout
    );
}
