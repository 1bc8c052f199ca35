//! Bad input never crashes or hangs a build (SPEC §6). A small grammar-based fuzzer
//! writes random pages (front matter in TOML or YAML, Markdown with CJK emphasis,
//! links, tables and data blocks, numbers that look like phones and ID numbers, byte
//! noise) into a fixture site and runs the real pipeline on it in-process, then
//! renders every diagnostic. A panic or a build over 20 s fails the test and prints
//! the input, which then belongs in tests/fuzz-corpus/ as a regression case.
//!
//! `cargo test` fuzzes for 3 s; `ANXUAN_FUZZ_SECS=60` (as .ci/run sets) for longer;
//! `ANXUAN_FUZZ_SEED` replays a run.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anxuan::base::diagnostic::{self, Lang};
use anxuan::pipeline::{self, BuildOptions};

use crate::support::Rng;

const TEXT: &[&str] = &[
    "各村（社区）要做好",
    "防汛准备",
    "。",
    "，",
    "“百日攻坚”",
    "**",
    "*",
    "_",
    "~~",
    "`",
    "\n",
    "\n\n",
    "开展**“百日攻坚”**行动",
    "山洪\n滑坡",
    "  \n",
    "\r\n",
    "\t",
    "{{ page.title }}",
    "{% if %}",
    "<b>",
    "</div>",
    "<script>alert(1)</script>",
    "&amp;",
    "&#x0;",
    "\u{0}",
    "\u{feff}",
    "\u{200b}",
    "🚒",
    "a",
    "1",
    "-",
    "# ",
    "## 标题",
    "> ",
    "- [ ] ",
    "1. ",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "[^1]",
    "[^1]: 注\n",
    "<!-- more -->\n",
    "[链接](@/notices/a.md)",
    "[链接](@/notices/a.md#biao-ti)",
    "[x](../notices/a.md)",
    "[x](./data.csv)",
    "![图](tu.png)",
    "[x](@/)",
    "[x](@/../../etc/passwd)",
    "[x](#)",
    "[x](<>)",
    "13812345678",
    "138 1234 5678",
    "+86-138-1234-5678",
    "11010519491231002X",
    "110105194912310021",
    "密码：abc",
    "提取码:",
    "##paidbegin##",
    "##paid",
    "0875-2123456",
    "```\n",
    "```table\n",
    "```chart\n",
    "```chart src=data.csv type=bar\n```\n",
    "```table src=../x.csv\n```\n",
    "```chart type=ring y=a,b\na,b\n1,2\n```\n",
    "```table sum=true\n村,人数\n东,3\n西,\"4,5\"\n```\n",
    "```chart x=无 y=\n\"\n```\n",
    "```rust\nfn main() {}\n```\n",
    "    缩进代码\n",
    "***\n",
    "$$",
    "\\",
    "[",
    "]",
    "(",
    ")",
];

/// Every front-matter key the build knows (so the fuzzer keeps up with new ones),
/// plus a misspelt, a Chinese and an empty one.
static KEYS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    use anxuan::parse::meta::{Kind, COMMON_KEYS};
    let kinds = [Kind::Warning, Kind::Campaign, Kind::Stats, Kind::Leaflet];
    let mut keys = COMMON_KEYS.to_vec();
    keys.extend(kinds.iter().flat_map(|k| k.keys()));
    keys.extend(["titel", "标题", ""]);
    keys
});

const TOML_VALUES: &[&str] = &[
    "\"防汛通知\"",
    "\"\"",
    "\"red\"",
    "\"红色\"",
    "\"purple\"",
    "2023-06-04",
    "2023-13-45",
    "2023-06-04T08:00:00+08:00",
    "\"2023年6月4日\"",
    "\"昨天\"",
    "true",
    "1",
    "-1",
    "9999999999999999999",
    "1.5",
    "[]",
    "[\"a\", \"b\"]",
    "[1, 2]",
    "{ label = \"隐患\", value = 207, unit = \"项\" }",
    "[{ label = \"隐患\", value = \"x\" }]",
    "{}",
    "\"A4\"",
    "\"A4-trifold\"",
    "\"../../etc\"",
    "\"a\\u0000b\"",
    "'''多行\n文字'''",
    "\"{{ x }}\"",
    "[\"13812345678\"]",
    "[[1]]",
    "nan",
    "inf",
];

const YAML_VALUES: &[&str] = &[
    "防汛通知",
    "\"\"",
    "red",
    "红色",
    "2023-06-04",
    "2023-02-30",
    "[a, b",
    "[]",
    "{}",
    "- a\n  - b",
    "&a x",
    "*a",
    "!!binary x",
    "|\n  多行\n  文字",
    "~",
    "null",
    "yes",
    "0x1F",
    "'单引号'",
    "\"a\\x00b\"",
    "[{label: 隐患, value: 207, unit: 项}]",
    ":",
];

const SECTIONS: &[&str] = &[
    "notices",
    "warnings",
    "campaigns",
    "stats",
    "leaflets",
    "other",
];

const CSV: &[&str] = &[
    "村,人数\n东村,3\n",
    "a,b\n1\n",
    "\"a\nb\",c\n1,2\n",
    "",
    "\u{feff}a,b\r\n1,2\r\n",
    ",,,\n,,,\n",
    "a\n1\n2\n3\n",
];

fn front_matter(rng: &mut Rng) -> String {
    let toml = rng.chance(60);
    let mut fm = String::new();
    for _ in 0..rng.below(8) {
        let key = rng.pick(&KEYS);
        if toml {
            fm.push_str(&format!("{key} = {}\n", rng.pick(TOML_VALUES)));
        } else {
            fm.push_str(&format!("{key}: {}\n", rng.pick(YAML_VALUES)));
        }
    }
    if rng.chance(80) {
        let title = if toml {
            "title = \"标题\"\n"
        } else {
            "title: 标题\n"
        };
        fm.insert_str(0, title);
    }
    let fence = if toml { "+++" } else { "---" };
    match rng.below(10) {
        0 => String::new(),
        1 => format!("{fence}\n{fm}"),
        _ => format!("{fence}\n{fm}{fence}\n"),
    }
}

fn body(rng: &mut Rng) -> String {
    let mut s = String::new();
    for _ in 0..rng.below(40) {
        s.push_str(rng.pick(TEXT));
    }
    s
}

/// Flips, drops or duplicates a few characters.
fn mutate(rng: &mut Rng, text: String) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..rng.below(4) {
        if chars.is_empty() {
            break;
        }
        let at = rng.below(chars.len());
        match rng.below(3) {
            0 => {
                chars.remove(at);
            }
            1 => chars.insert(at, chars[at]),
            _ => chars[at] = ['"', '\n', '*', '`', '#', '|', '[', '=', ':', '，'][rng.below(10)],
        }
    }
    chars.into_iter().collect()
}

/// One random site: a config and a few pages, maybe bundles with data files.
fn site(rng: &mut Rng, dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![(
        "config.toml".to_string(),
        b"title = \"\xe6\xb5\x8b\"\nbase_url = \"https://x.gov.cn/zhen/\"\ntownship = \"T\"\n"
            .to_vec(),
    )];
    for n in 0..1 + rng.below(4) {
        let section = rng.pick(SECTIONS);
        let page = format!("{}{}", front_matter(rng), body(rng));
        let text = mutate(rng, page);
        let mut bytes = text.into_bytes();
        if rng.chance(5) {
            // Not UTF-8: a GBK-looking or truncated byte sequence.
            bytes.extend_from_slice(&[0xb7, 0xc0, 0xd1, 0xb4, 0xe6]);
        }
        if rng.chance(40) {
            let dir = format!("content/{section}/p{n}");
            files.push((format!("{dir}/data.csv"), rng.pick(CSV).as_bytes().to_vec()));
            files.push((format!("{dir}/index.md"), bytes));
        } else {
            files.push((format!("content/{section}/p{n}.md"), bytes));
        }
        if rng.chance(30) {
            files.push((
                format!("content/{section}/_index.md"),
                front_matter(rng).into_bytes(),
            ));
        }
    }
    for (rel, bytes) in &files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    files
}

/// Builds `dir` in-process on another thread; `Err` on a panic or after 20 s.
fn build_survives(dir: &Path) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let root = dir.to_path_buf();
    std::thread::spawn(move || {
        let result = std::panic::catch_unwind(|| {
            let report = pipeline::build(&BuildOptions {
                root,
                output: None,
                base_url: None,
                now: "2024-01-01T04:00:00Z".parse().ok(),
                drafts: true,
            });
            for d in &report.diagnostics {
                diagnostic::render(d, &report.sources, Lang::Zh);
                diagnostic::render(d, &report.sources, Lang::En);
            }
        });
        let _ = tx.send(result.map_err(|e| {
            e.downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".into())
        }));
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(r) => r,
        Err(_) => Err("the build did not finish within 20 s".into()),
    }
}

#[test]
fn random_pages_never_crash_or_hang_the_build() {
    let secs: u64 = std::env::var("ANXUAN_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let seed: u64 = std::env::var("ANXUAN_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
                | 1
        });
    let mut rng = Rng(seed);
    let started = Instant::now();
    let mut cases = 0;
    while started.elapsed() < Duration::from_secs(secs) || cases < 20 {
        let dir = tempfile::tempdir().unwrap();
        let files = site(&mut rng, dir.path());
        if let Err(e) = build_survives(dir.path()) {
            let shown: Vec<String> = files
                .iter()
                .map(|(rel, b)| format!("--- {rel}\n{}", String::from_utf8_lossy(b)))
                .collect();
            panic!(
                "seed {seed}, case {cases}: {e}\nadd this site to tests/fuzz-corpus/:\n{}",
                shown.join("\n")
            );
        }
        cases += 1;
    }
    eprintln!(
        "fuzz: {cases} random sites in {:.1} s (seed {seed})",
        started.elapsed().as_secs_f64()
    );
}

/// Every case in tests/fuzz-corpus/ (a folder per site) builds without crashing.
#[test]
fn the_regression_corpus_builds_without_crashing() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus");
    let mut n = 0;
    for case in std::fs::read_dir(&corpus).expect("tests/fuzz-corpus") {
        let case = case.unwrap().path();
        if case.is_dir() {
            build_survives(&case).unwrap_or_else(|e| panic!("{}: {e}", case.display()));
            n += 1;
        }
    }
    assert!(n >= 3, "the corpus has {n} cases");
}
