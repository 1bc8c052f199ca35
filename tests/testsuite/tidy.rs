//! Keeps ARCHITECTURE.md true, as rust-analyzer's `xtask/src/tidy.rs` does: reads
//! src/ as text (test modules left out) and fails, naming file and line, when a
//! module touches the disk outside the edges, a lower stage uses a higher one or
//! files import each other in a circle, the dependency table and Cargo.toml
//! disagree, a module's `//!` does not say what it must not do, or a CLI argument
//! lacks help in one of the two languages.
//!
//! It never changes a file; every list of exceptions here must stay true, so a
//! module that no longer needs its exception fails the test too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The folders and files that may touch the disk, the network or other processes
/// (ARCHITECTURE.md, "Architecture invariants").
const DISK_ALLOWED: [&str; 7] = [
    "src/input/",
    "src/output/",
    "src/serve/",
    "src/print.rs",
    "src/scaffold.rs",
    "src/import/mod.rs",
    "src/main.rs",
];

/// What touching the disk, the network or another process looks like in the text.
const DISK_WORDS: [&str; 14] = [
    "std::fs",
    "fs::",
    "File::",
    "walkdir",
    "read_dir",
    "canonicalize",
    "symlink_metadata",
    ".metadata()",
    ".exists()",
    ".is_file()",
    ".is_dir()",
    "Command::new",
    "TcpListener",
    "tiny_http",
];

/// `input`'s functions that read the disk. Calling one is reading the disk through
/// it, which only the edges and the two runners of the stages may do (`pipeline`
/// reads the input once per build, `session` refreshes it from watcher events):
/// every stage below them is a function of the input it is given.
const INPUT_READS: [&str; 7] = [
    "Input::read(",
    "read_config(",
    "site::present(",
    ".refresh(",
    ".read_bytes(",
    "text_for_message(",
    "source::read_text(",
];

/// Where `input`'s reading functions may be called from, besides the edges.
const RUNNERS: [&str; 2] = ["src/pipeline.rs", "src/session.rs"];

/// The stage folders from the bottom up: a folder may use the folders before it,
/// never one after it or beside it. `output` sits below `render` because `render`
/// hands its files to an `output` sink (checked with /work/tools/graph.py).
const LAYERS: [&[&str]; 15] = [
    &["base"],
    &["input"],
    &["parse"],
    &["markdown"],
    &["data"],
    &["photo"],
    &["checks"],
    &["model"],
    &["output"],
    &["render"],
    &["pipeline"],
    &["session"],
    // What a new page looks like, for `anxuan new` and the editor in `serve`.
    &["scaffold"],
    // The 公文 rules, for `anxuan import` and what the editor in `serve` is pasted.
    &["import"],
    &["serve", "print"],
];

/// Words by which a module's opening `//!` says what it must not do.
const MUST_NOT: [&str; 7] = [
    "must not", "may not", "never", "does not", "do not", "nothing", "cannot",
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A source file: its path (`src/serve/watch.rs`), its module path (`serve::watch`),
/// and its lines with any `#[cfg(test)]` module blanked out, so line
/// numbers stay those of the file.
struct Source {
    rel: String,
    module: Vec<String>,
    lines: Vec<String>,
}

fn sources() -> Vec<Source> {
    let mut files = Vec::new();
    let mut dirs = vec![repo().join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(repo())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let mut module: Vec<String> = rel
                .trim_start_matches("src/")
                .trim_end_matches(".rs")
                .split('/')
                .map(str::to_string)
                .collect();
            if matches!(
                module.last().map(String::as_str),
                Some("mod" | "main" | "lib")
            ) {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            Source {
                rel,
                module,
                lines: without_tests(&text),
            }
        })
        .collect()
}

/// The lines of a file, with each `#[cfg(test)] mod … { … }` block (rustfmt
/// closes it with a `}` at the start of a line) and comment lines blanked.
fn without_tests(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_tests = false;
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() == "#[cfg(test)]"
            && lines
                .get(i + 1)
                .is_some_and(|l| l.split_whitespace().any(|w| w == "mod"))
        {
            in_tests = true;
        }
        let comment = line.trim_start().starts_with("//");
        out.push(if in_tests || comment {
            String::new()
        } else {
            line.to_string()
        });
        if in_tests && *line == "}" {
            in_tests = false;
        }
    }
    out
}

fn allowed(rel: &str, list: &[&str]) -> bool {
    list.iter()
        .any(|a| rel == *a || (a.ends_with('/') && rel.starts_with(a)))
}

/// Every place outside `allowed` that uses one of `words`, as `file:line: word`.
fn disk_uses(sources: &[Source], allowed_modules: &[&str], words: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for s in sources {
        if allowed(&s.rel, allowed_modules) {
            continue;
        }
        for (n, line) in s.lines.iter().enumerate() {
            if let Some(word) = words.iter().find(|w| line.contains(*w)) {
                found.push(format!("{}:{}: `{word}`: {}", s.rel, n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn only_the_edges_touch_the_disk() {
    let sources = sources();
    let mut found = disk_uses(&sources, &DISK_ALLOWED, &DISK_WORDS);
    let runners: Vec<&str> = DISK_ALLOWED.iter().chain(&RUNNERS).copied().collect();
    found.extend(disk_uses(&sources, &runners, &INPUT_READS));
    assert!(
        found.is_empty(),
        "only {} may touch the disk, the network or other processes \
         (ARCHITECTURE.md, \"Architecture invariants\"); move these reads into `input` \
         and pass the data down:\n{}",
        DISK_ALLOWED.join(", "),
        found.join("\n")
    );
}

/// The module paths a line names through `crate::`, `super::` or `self::`, with
/// `use` groups (`crate::{a::b, c}`) spread out, resolved against `module`.
fn named_paths(line: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let bytes = line.as_bytes();
    for (at, _) in line.match_indices("::") {
        // The segment before `::`, if it is one of the three roots.
        let start = line[..at]
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
            .map_or(0, |i| i + 1);
        let root = &line[start..at];
        let base: Vec<String> = match root {
            "crate" => Vec::new(),
            "self" => module.to_vec(),
            "super" => {
                // `super::super::` counts from the first `super`.
                if start >= 7 && line[..start].ends_with("super::") {
                    continue;
                }
                let mut base = module.to_vec();
                let mut rest = &line[at + 2..];
                base.pop();
                while let Some(r) = rest.strip_prefix("super::") {
                    base.pop();
                    rest = r;
                }
                let tail = &line[line.len() - rest.len()..];
                spread(tail, &base, &mut paths);
                continue;
            }
            _ => continue,
        };
        if start > 0 && bytes[start - 1] == b':' {
            continue;
        }
        spread(&line[at + 2..], &base, &mut paths);
    }
    paths
}

/// Reads a use tree (`a::b`, `a::{b, c::d}`, `*`) from the start of `text`.
fn spread(text: &str, base: &[String], out: &mut Vec<Vec<String>>) {
    let mut path = base.to_vec();
    let mut rest = text;
    loop {
        if let Some(group) = rest.strip_prefix('{') {
            // Split the group at top-level commas.
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        spread(item.trim(), &path, out);
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            if !item.trim().is_empty() {
                spread(item.trim(), &path, out);
            }
            return;
        }
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        if &rest[..end] != "self" {
            path.push(rest[..end].to_string());
        }
        match rest[end..].strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    out.push(path);
}

/// Every file's uses of other files: (file, line, used file).
fn file_edges(sources: &[Source]) -> Vec<(usize, usize, usize)> {
    let by_module: BTreeMap<&[String], usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.module.as_slice(), i))
        .collect();
    let mut edges = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        if s.module.is_empty() {
            // main.rs and lib.rs are the crate's roots, above every layer.
            continue;
        }
        for (n, line) in s.lines.iter().enumerate() {
            for path in named_paths(line, &s.module) {
                // The longest prefix that is a file.
                let used = (1..=path.len())
                    .rev()
                    .find_map(|k| by_module.get(&path[..k]).copied());
                if let Some(used) = used.filter(|&u| u != i) {
                    edges.push((i, n + 1, used));
                }
            }
        }
    }
    edges
}

fn layer(folder: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&folder))
}

#[test]
fn a_lower_stage_never_uses_a_higher_one_and_files_import_no_circle() {
    let sources = sources();
    let edges = file_edges(&sources);
    let mut wrong = Vec::new();
    for &(from, line, to) in &edges {
        let (a, b) = (&sources[from].module[0], &sources[to].module[0]);
        if a == b {
            continue;
        }
        let (Some(la), Some(lb)) = (layer(a), layer(b)) else {
            wrong.push(format!(
                "{}:{line}: `{a}` or `{b}` is in no layer: add it to LAYERS in \
                 tests/testsuite/tidy.rs and to ARCHITECTURE.md",
                sources[from].rel
            ));
            continue;
        };
        if lb >= la {
            wrong.push(format!(
                "{}:{line}: `{a}` uses `{}`, which is {} it",
                sources[from].rel,
                sources[to].module.join("::"),
                if lb == la { "beside" } else { "above" }
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "stage folders are layered {} (ARCHITECTURE.md): a folder uses only those \
         below it; move what both need down (into base/ if two stages share it):\n{}",
        LAYERS
            .iter()
            .map(|l| l.join("/"))
            .collect::<Vec<_>>()
            .join(" → "),
        wrong.join("\n")
    );
    // No circle between files: a depth-first search for a back edge.
    let mut next: BTreeMap<usize, BTreeMap<usize, usize>> = BTreeMap::new();
    for &(from, line, to) in &edges {
        next.entry(from).or_default().entry(to).or_insert(line);
    }
    let mut state = vec![0u8; sources.len()];
    let mut stack = Vec::new();
    fn visit(
        v: usize,
        next: &BTreeMap<usize, BTreeMap<usize, usize>>,
        state: &mut [u8],
        stack: &mut Vec<usize>,
        sources: &[Source],
    ) {
        state[v] = 1;
        stack.push(v);
        for (&w, _) in next.get(&v).into_iter().flatten() {
            if state[w] == 1 {
                let at = stack.iter().position(|&x| x == w).unwrap();
                let mut circle: Vec<String> = stack[at..]
                    .iter()
                    .zip(stack[at + 1..].iter().chain([&w]))
                    .map(|(&a, b)| format!("{}:{}", sources[a].rel, next[&a][b]))
                    .collect();
                circle.push(sources[w].rel.clone());
                panic!(
                    "files import each other in a circle (each uses the next at that \
                     line); move what they share into one of them or below both:\n{}",
                    circle.join("\n  → ")
                );
            }
            if state[w] == 0 {
                visit(w, next, state, stack, sources);
            }
        }
        stack.pop();
        state[v] = 2;
    }
    for v in 0..sources.len() {
        if state[v] == 0 {
            visit(v, &next, &mut state, &mut stack, &sources);
        }
    }
}

#[test]
fn the_dependency_table_names_every_dependency_and_no_other() {
    let cargo = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let mut deps = BTreeSet::new();
    let mut in_deps = false;
    for line in cargo.lines() {
        if line.starts_with('[') {
            in_deps = line.trim() == "[dependencies]";
        } else if in_deps {
            if let Some((name, _)) = line.split_once('=') {
                if !name.trim().is_empty() && !line.trim_start().starts_with('#') {
                    deps.insert(name.trim().to_string());
                }
            }
        }
    }
    let doc = std::fs::read_to_string(repo().join("ARCHITECTURE.md")).unwrap();
    let start = doc
        .find("## Dependencies and why")
        .expect("ARCHITECTURE.md has a \"Dependencies and why\" section");
    let mut table = BTreeMap::new();
    for (n, line) in doc[start..].lines().enumerate().skip(1) {
        if line.starts_with("## ") {
            break;
        }
        let Some(cell) = line.strip_prefix('|').and_then(|l| l.split('|').next()) else {
            continue;
        };
        let cell = cell.trim();
        if cell == "crate" || cell.starts_with("---") {
            continue;
        }
        // `serde, serde_json`, `tera 2`, `syntect (features…)`: the names before any
        // parenthesis, each the first word of its comma-separated part.
        let names = cell.split('(').next().unwrap_or("");
        for part in names.split(',') {
            if let Some(name) = part.split_whitespace().next() {
                let line_no = doc[..start].lines().count() + n + 1;
                table.insert(name.to_string(), line_no);
            }
        }
    }
    let missing: Vec<&String> = deps.iter().filter(|d| !table.contains_key(*d)).collect();
    let stale: Vec<String> = table
        .iter()
        .filter(|(name, _)| !deps.contains(*name))
        .map(|(name, line)| format!("ARCHITECTURE.md:{line}: {name}"))
        .collect();
    assert!(
        missing.is_empty(),
        "Cargo.toml's [dependencies] has crates that ARCHITECTURE.md's \"Dependencies \
         and why\" table does not explain; add a row saying why: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "ARCHITECTURE.md's dependency table names crates that are no longer in \
         Cargo.toml's [dependencies]; remove their rows:\n{}",
        stale.join("\n")
    );
}

/// Each module's opening `//!` block (its first lines), and whether it says what
/// the module must not do.
fn docs_without_a_must_not(sources: &[Source]) -> Vec<String> {
    let mut wrong = Vec::new();
    for s in sources {
        let text = std::fs::read_to_string(repo().join(&s.rel)).unwrap();
        let doc: Vec<&str> = text
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| l.trim_start_matches("//!").trim())
            .collect();
        let doc = doc.join(" ").to_lowercase();
        if doc.is_empty() {
            wrong.push(format!("{}:1: no `//!` paragraph opens the file", s.rel));
        } else if !MUST_NOT.iter().any(|w| doc.contains(w)) {
            wrong.push(format!(
                "{}:1: its `//!` says what the module does but not what it must not do \
                 (none of {MUST_NOT:?})",
                s.rel
            ));
        }
    }
    wrong
}

#[test]
fn every_module_opens_with_what_it_does_and_must_not_do() {
    let wrong = docs_without_a_must_not(&sources());
    assert!(
        wrong.is_empty(),
        "every module opens with a `//!` paragraph saying what it does and what it must \
         not do (ARCHITECTURE.md, STYLE.md):\n{}",
        wrong
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The help lines of `anxuan [cmd] --help` in one language: for each listed
/// argument, option or command (its first column), the help text beside it.
fn help_items(args: &[&str]) -> Vec<(String, String)> {
    let run = crate::support::bin().args(args).output().unwrap();
    assert!(run.status.success(), "anxuan {args:?}");
    let out = String::from_utf8(run.stdout).unwrap();
    let mut items = Vec::new();
    let mut in_list = false;
    for line in out.lines() {
        if !line.starts_with(' ') {
            // A heading (`选项:`, `Options:`, `参数:`…) starts a list; usage and the
            // description do not end with a colon.
            in_list = line.trim_end().ends_with(':') || line.trim_end().ends_with('：');
            continue;
        }
        if !in_list || line.trim().is_empty() {
            continue;
        }
        let body = line.trim_start();
        match body.split_once("  ") {
            Some((name, help)) => items.push((name.trim().to_string(), help.trim().to_string())),
            None => items.push((body.to_string(), String::new())),
        }
    }
    items
}

fn chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn every_argument_has_help_in_chinese_and_in_english() {
    let commands: Vec<String> = help_items(&["--help"])
        .into_iter()
        .filter(|(name, _)| !name.starts_with('-'))
        .map(|(name, _)| name)
        .collect();
    assert!(
        commands.len() >= 6,
        "the top-level help lists the commands: {commands:?}"
    );
    let mut wrong = Vec::new();
    let mut runs: Vec<Vec<&str>> = vec![vec![]];
    runs.extend(commands.iter().map(|c| vec![c.as_str()]));
    for cmd in runs {
        let zh_args: Vec<&str> = cmd.iter().copied().chain(["--help"]).collect();
        let en_args: Vec<&str> = zh_args.iter().copied().chain(["--lang", "en"]).collect();
        let (zh, en) = (help_items(&zh_args), help_items(&en_args));
        let shown = format!("anxuan {}", cmd.join(" "));
        for (name, help) in &zh {
            if !chinese(help) {
                wrong.push(format!(
                    "{shown} --help: `{name}` has no Chinese help: {help:?}"
                ));
            }
        }
        // An English help left untranslated would be the Chinese one (examples such
        // as `暴雨红色预警` may stay Chinese inside an English sentence).
        for (i, (name, help)) in en.iter().enumerate() {
            let same = zh.get(i).is_some_and(|(_, z)| z == help);
            if same || !help.chars().any(|c| c.is_ascii_alphabetic()) {
                wrong.push(format!(
                    "{shown} --help --lang en: `{name}` has no English help: {help:?}"
                ));
            }
        }
        if zh.len() != en.len() {
            wrong.push(format!(
                "{shown}: {} items in Chinese help, {} in English: {zh:?} / {en:?}",
                zh.len(),
                en.len()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "every argument needs help in both languages (main.rs: the `///` doc is the \
         Chinese help, `english` the English one):\n{}",
        wrong.join("\n")
    );
}
