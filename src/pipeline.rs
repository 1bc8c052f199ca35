//! Runs the stages in order: config → theme → model (source, front matter, markdown)
//! → render (templates, postprocess) → output. `build`, `check` and `serve` all call
//! [`build`]; none has a private copy of a stage. Errors found anywhere are collected,
//! and output is written only when there are none.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::Zoned;

use crate::diagnostic::{self, Diagnostic};
use crate::model::{self, Sources};
use crate::output::{self, OldOutput};
use crate::text;

#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Where to write; `None` checks without writing.
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    /// `--now`; `None` is the system clock.
    pub now: Option<jiff::Timestamp>,
    pub drafts: bool,
}

pub struct BuildReport {
    pub pages: usize,
    pub files: usize,
    pub elapsed: Duration,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: Sources,
    /// Set when the output was replaced; the caller decides when to delete it.
    pub old_output: Option<OldOutput>,
    pub wrote: bool,
    /// The site's leaflets, for `anxuan print`.
    pub leaflets: Vec<crate::print::Leaflet>,
    /// The path part of base_url (`/xxzhen/`), where the output is served from.
    pub base_path: String,
}

impl BuildReport {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses `--now`: RFC 3339 with an offset, or a local date/time in the site's zone later.
pub fn parse_now(s: &str) -> Option<jiff::Timestamp> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts);
    }
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").ok()?;
    crate::meta::parse_datetime(s, &tz).map(|z| z.timestamp())
}

/// Personal data and leftovers in everything that gets published: the Markdown (all
/// of it, drafts too: they are published one day), text files in page bundles and
/// static/, and the hotlines in config.toml.
fn privacy_checks(
    root: &std::path::Path,
    site: &model::Site,
    sources: &Sources,
) -> Vec<Diagnostic> {
    use crate::checks::{self, FileToCheck};
    let no_waivers = Vec::new();
    let waivers: std::collections::HashMap<&std::path::Path, &Vec<_>> = site
        .pages
        .iter()
        .map(|p| (p.rel.as_path(), &p.meta.privacy_allow))
        .collect();
    let extra: Vec<(PathBuf, String)> = ["content", "static"]
        .iter()
        .flat_map(|d| checks::published_text_files(&root.join(d), root))
        .map(|(abs, rel)| {
            let text = crate::source::read_text(&abs, &rel).text;
            (rel, text)
        })
        .collect();
    let mut files: Vec<FileToCheck> = sources
        .texts
        .iter()
        .filter(|(rel, _)| rel.starts_with("content") && rel.extension().is_some_and(|e| e == "md"))
        .map(|(rel, text)| FileToCheck {
            rel,
            text,
            waivers: waivers.get(rel.as_path()).copied().unwrap_or(&no_waivers),
        })
        .collect();
    files.extend(extra.iter().map(|(rel, text)| FileToCheck {
        rel,
        text,
        waivers: &no_waivers,
    }));
    let mut diags = checks::check_files(&files, &site.config.privacy_allow);
    let allowed: Vec<String> = site
        .config
        .privacy_allow
        .iter()
        .map(|a| checks::normalise(a))
        .collect();
    for h in &site.config.hotlines {
        for f in checks::scan(&h.number) {
            if f.kind == checks::Kind::Mobile && !allowed.contains(&f.value) {
                diags.push(
                    Diagnostic::error(text!(
                        zh: "求助电话“{}”用的是手机号 {}，没有列在 [privacy] allow 里",
                        en: "hotline “{}” is a mobile number ({}) that is not on [privacy] allow",
                        h.name,
                        f.masked
                    ))
                    .in_file(crate::config::CONFIG_FILE)
                    .with_help(text!(
                        zh: "确认这是公开的值班手机后，把号码加到 config.toml 的 [privacy] allow",
                        en: "if it is a public duty phone, add it to [privacy] allow in config.toml"
                    )),
                );
            }
        }
    }
    diags
}

pub fn build(opts: &BuildOptions) -> BuildReport {
    let started = Instant::now();
    let mut sources = Sources::default();
    let report = |diagnostics: Vec<Diagnostic>, sources: Sources| BuildReport {
        pages: 0,
        files: 0,
        elapsed: started.elapsed(),
        diagnostics,
        sources,
        old_output: None,
        wrote: false,
        leaflets: Vec::new(),
        base_path: String::new(),
    };
    let (config, config_text, mut diags) =
        crate::config::load(&opts.root, opts.base_url.as_deref());
    sources.texts.insert(
        PathBuf::from(crate::config::CONFIG_FILE),
        config_text.into(),
    );
    let Some(config) = config else {
        return report(diags, sources);
    };
    if let Some(out) = &opts.output {
        if let Err(why) = output::check_output_dir(&opts.root, out) {
            diags.push(
                Diagnostic::error(text!(zh: "不能把网站输出到这个文件夹：{why}", en: "refusing to write the site there: {why}"))
                    .with_help(text!(zh: "用 --output 指定一个单独的文件夹，例如 public", en: "pass a separate folder with --output, e.g. public")),
            );
            return report(diags, sources);
        }
    }
    let now = match opts.now {
        Some(ts) => ts.to_zoned(config.timezone.clone()),
        None => Zoned::now().with_time_zone(config.timezone.clone()),
    };
    let (theme, theme_diags) = crate::theme::load(&opts.root, config.theme.as_deref());
    diags.extend(theme_diags);
    for t in theme.templates.values() {
        sources
            .texts
            .insert(t.display.clone(), t.text.as_str().into());
    }
    let load_opts = model::LoadOptions {
        drafts: opts.drafts,
        now,
    };
    let (site, model_diags) = model::load(&opts.root, config, &load_opts, &mut sources);
    diags.extend(model_diags);
    diags.extend(privacy_checks(&opts.root, &site, &sources));
    // Diagnostics about files other than Markdown (a data block's CSV, say) need that
    // file's text to show a line and column.
    for d in &diags {
        if let (Some(file), Some(_)) = (&d.file, &d.span) {
            if !sources.texts.contains_key(file) {
                let text = crate::source::read_text(&opts.root.join(file), file).text;
                sources.texts.insert(file.clone(), text.into());
            }
        }
    }
    // Files are written into a staging folder as they are rendered, and swapped in
    // only if the whole build is free of errors; otherwise the staging folder goes.
    let staging = match (&opts.output, diags.iter().any(Diagnostic::is_error)) {
        (Some(dir), false) => match output::Staging::create(dir) {
            Ok(s) => Some(s),
            Err(e) => {
                diags.push(Diagnostic::error(text!(
                    zh: "无法在 {} 旁边建立临时文件夹：{e}",
                    en: "cannot create a staging folder beside {}: {e}",
                    dir.display()
                )));
                None
            }
        },
        _ => None,
    };
    let sink: &dyn output::Sink = match &staging {
        Some(s) => s,
        None => &output::Discard,
    };
    let rendered = crate::render::render(&site, &theme, sink);
    diags.extend(rendered.diagnostics);
    let mut paths = rendered.paths;

    // Two things wanting the same URL (an alias over a page, a file over a page) is an error, not a silent overwrite.
    paths.sort_unstable();
    for w in paths.windows(2) {
        if w[0] == w[1] {
            diags.push(Diagnostic::error(text!(
                zh: "两个内容都要生成同一个文件 {}（检查 aliases、slug 和同名文件）",
                en: "two things would be written to the same file {} (check aliases, slugs and files of the same name)",
                w[0]
            )));
        }
    }
    paths.dedup();

    diagnostic::sort(&mut diags);
    diags.dedup();
    let mut out = BuildReport {
        pages: site.pages.len(),
        files: paths.len(),
        elapsed: started.elapsed(),
        diagnostics: diags,
        sources,
        old_output: None,
        wrote: false,
        leaflets: site
            .pages
            .iter()
            .filter_map(|p| {
                let l = p.meta.leaflet.as_ref()?;
                Some(crate::print::Leaflet {
                    slug: p.path.trim_end_matches('/').rsplit('/').next()?.to_string(),
                    path: p.path.clone(),
                    source: p.rel.clone(),
                    paper: l.paper,
                })
            })
            .collect(),
        base_path: site.config.base_path.clone(),
    };
    if out.has_errors() {
        // Dropping the staging folder deletes it; the old output was never touched.
        drop(staging);
        return out;
    }
    if let (Some(staging), Some(dir)) = (staging, &opts.output) {
        match staging.commit() {
            Ok(old) => {
                out.old_output = Some(old);
                out.wrote = true;
            }
            Err(e) => out.diagnostics.push(Diagnostic::error(text!(
                zh: "替换 {} 失败：{e}；原有的网站文件保持不变",
                en: "replacing {} failed: {e}; the previous output is unchanged",
                dir.display()
            ))),
        }
    }
    out.elapsed = started.elapsed();
    out
}

/// The folder a command writes to: `--output`, else `public/` in the site.
pub fn default_output(root: &Path, output: Option<&Path>) -> PathBuf {
    output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join("public"))
}
