//! Runs the stages in order: config → theme → model (source, front matter, markdown)
//! → render (templates, postprocess) → output. `build`, `check` and `serve` all call
//! [`build`]; none has a private copy of a stage. Errors found anywhere are collected,
//! and output is written only when there are none.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

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

/// What the privacy checks found in each file, kept by `serve` between builds: a
/// Markdown file's findings hold while its text (the same shared string from the
/// model's cache) and its waivers are the same; another file's while its stamp is.
#[derive(Default)]
pub struct PrivacyCache {
    markdown: HashMap<PathBuf, CheckedMarkdown>,
    other: HashMap<PathBuf, (crate::source::Stamp, Vec<Diagnostic>)>,
}

/// A Markdown file's text, the waivers it was checked with and the findings.
type CheckedMarkdown = (Arc<str>, Vec<String>, Vec<Diagnostic>);

/// Personal data and leftovers in everything that gets published: the Markdown (all
/// of it, drafts too: they are published one day), text files in page bundles and
/// static/, and the hotlines in config.toml.
fn privacy_checks(
    root: &Path,
    site: &model::Site,
    sources: &Sources,
    cache: Option<&mut PrivacyCache>,
) -> Vec<Diagnostic> {
    use crate::checks::{self, FileToCheck};
    let mut fresh = PrivacyCache::default();
    let cache = cache.unwrap_or(&mut fresh);
    let no_waivers = Vec::new();
    let waivers: HashMap<&Path, &Vec<_>> = site
        .pages
        .iter()
        .map(|p| (p.rel.as_path(), &p.meta.privacy_allow))
        .collect();
    let allow = &site.config.privacy_allow;
    let check_one = |f: FileToCheck| checks::check_files(std::slice::from_ref(&f), allow);

    let markdown: Vec<(&PathBuf, &Arc<str>)> = sources
        .texts
        .iter()
        .filter(|(rel, _)| rel.starts_with("content") && rel.extension().is_some_and(|e| e == "md"))
        .collect();
    let old = &cache.markdown;
    let checked: Vec<_> = markdown
        .par_iter()
        .map(|&(rel, text)| {
            let w = waivers.get(rel.as_path()).copied().unwrap_or(&no_waivers);
            let names: Vec<String> = w.iter().map(|s| s.value.clone()).collect();
            match old.get(rel) {
                Some((t, n, d)) if Arc::ptr_eq(t, text) && *n == names => {
                    (rel.clone(), (t.clone(), names, d.clone()))
                }
                _ => {
                    let d = check_one(FileToCheck {
                        rel,
                        text,
                        waivers: w,
                    });
                    (rel.clone(), (text.clone(), names, d))
                }
            }
        })
        .collect();
    cache.markdown = checked.into_iter().collect();

    let others: Vec<(PathBuf, PathBuf)> = ["content", "static"]
        .iter()
        .flat_map(|d| checks::published_text_files(&root.join(d), root))
        .collect();
    let old = &cache.other;
    let checked: Vec<_> = others
        .into_par_iter()
        .filter_map(|(abs, rel)| {
            let stamp = crate::source::Stamp::of(&abs)?;
            match old.get(&rel) {
                Some((s, d)) if *s == stamp => Some((rel, (stamp, d.clone()))),
                _ => {
                    let text = crate::source::read_text(&abs, &rel).text;
                    let d = check_one(FileToCheck {
                        rel: &rel,
                        text: &text,
                        waivers: &no_waivers,
                    });
                    Some((rel, (stamp, d)))
                }
            }
        })
        .collect();
    cache.other = checked.into_iter().collect();

    let mut diags: Vec<Diagnostic> = cache
        .markdown
        .values()
        .flat_map(|(_, _, d)| d.iter().cloned())
        .chain(cache.other.values().flat_map(|(_, d)| d.iter().cloned()))
        .collect();
    let allowed: Vec<String> = allow.iter().map(|a| checks::normalise(a)).collect();
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

/// `ANXUAN_TRACE=1` prints how long each stage took, for performance work.
pub fn trace(stage: &str, since: Instant) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("ANXUAN_TRACE").is_some()) {
        eprintln!(
            "[trace] {stage}: {:.1} ms",
            since.elapsed().as_secs_f64() * 1000.0
        );
    }
}

pub fn build(opts: &BuildOptions) -> BuildReport {
    build_inner(opts, None, None).report
}

/// What `serve` keeps from one build to the next, so that an edit re-reads,
/// re-checks and re-renders only what it affects.
#[derive(Default)]
pub struct Session {
    model: model::Cache,
    privacy: PrivacyCache,
    render: crate::render::RenderCache,
    /// config.toml as last read: every file depends on it, so a change starts afresh.
    config_text: Option<Arc<str>>,
}

/// One build of a [`Session`].
pub struct Incremental {
    pub report: BuildReport,
    /// The files made this time; every other file of the site is as it was.
    pub files: Vec<output::OutFile>,
    /// Every file of the site (but the search index, see [`Incremental::search`]).
    pub paths: Vec<String>,
    /// The model and theme, kept to make the search index from once the pages show.
    site: Option<(model::Site, crate::theme::Theme)>,
}

impl Incremental {
    /// The search page and its index for this build (SPEC §5: the index is part of
    /// the site), made after the pages so that an edit shows first. `None` when the
    /// site has its own page at /search/.
    pub fn search(&self) -> Option<Vec<output::OutFile>> {
        let (site, theme) = self.site.as_ref()?;
        crate::search::page_path(site)?;
        let memory = output::Memory::default();
        crate::render::render(site, theme, &memory, None, crate::render::Search::Only);
        Some(memory.into_files())
    }
}

impl Session {
    /// Forgets what the caches hold about a file (relative to the site) the watcher
    /// saw change: file times are too coarse to tell two quick saves apart.
    pub fn forget(&mut self, rel: &Path) {
        self.model.forget(rel);
        self.privacy.other.remove(rel);
    }

    /// Builds like [`build`] but keeps what is unchanged from the last build of this
    /// session, and hands back the files instead of writing them. The render cache
    /// moves on only when the build is good: the caller shows its files, and the next
    /// build may then skip what did not change since.
    pub fn build(&mut self, opts: &BuildOptions) -> Incremental {
        let memory = output::Memory::default();
        let mut out = build_inner(opts, Some(self), Some(&memory));
        out.files = memory.into_files();
        out
    }
}

fn build_inner(
    opts: &BuildOptions,
    mut session: Option<&mut Session>,
    memory: Option<&output::Memory>,
) -> Incremental {
    let started = Instant::now();
    let mut sources = Sources::default();
    let report = |diagnostics: Vec<Diagnostic>, sources: Sources| Incremental {
        report: BuildReport {
            pages: 0,
            files: 0,
            elapsed: started.elapsed(),
            diagnostics,
            sources,
            old_output: None,
            wrote: false,
            leaflets: Vec::new(),
            base_path: String::new(),
        },
        files: Vec::new(),
        paths: Vec::new(),
        site: None,
    };
    let (config, config_text, mut diags) =
        crate::config::load(&opts.root, opts.base_url.as_deref());
    let config_text: Arc<str> = config_text.into();
    sources.texts.insert(
        PathBuf::from(crate::config::CONFIG_FILE),
        config_text.clone(),
    );
    if let Some(s) = session.as_deref_mut() {
        if s.config_text.as_ref() != Some(&config_text) {
            *s = Session {
                config_text: Some(config_text.clone()),
                ..Session::default()
            };
        }
    }
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
    let t_model = Instant::now();
    let (site, model_diags) = model::load(
        &opts.root,
        config,
        &load_opts,
        &mut sources,
        session.as_deref_mut().map(|s| &mut s.model),
    );
    trace("model", t_model);
    diags.extend(model_diags);
    let t = Instant::now();
    diags.extend(privacy_checks(
        &opts.root,
        &site,
        &sources,
        session.as_deref_mut().map(|s| &mut s.privacy),
    ));
    trace("privacy", t);
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
    let sink: &dyn output::Sink = match (&staging, memory) {
        (Some(s), _) => s,
        (None, Some(m)) => m,
        (None, None) => &output::Discard,
    };
    let t = Instant::now();
    let rendered = crate::render::render(
        &site,
        &theme,
        sink,
        session.as_deref().map(|s| &s.render),
        match session {
            Some(_) => crate::render::Search::Later,
            None => crate::render::Search::Include,
        },
    );
    trace("render", t);
    diags.extend(rendered.diagnostics);
    let mut paths = rendered.paths;
    let keys = rendered.keys;

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
    let finish = |report: BuildReport, paths: Vec<String>, site| Incremental {
        report,
        files: Vec::new(),
        paths,
        site,
    };
    if out.has_errors() {
        // Dropping the staging folder deletes it; the old output was never touched.
        drop(staging);
        return finish(out, paths, None);
    }
    if let Some(s) = session {
        s.render.keys = keys;
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
    finish(out, paths, memory.map(|_| (site, theme)))
}

/// The folder a command writes to: `--output`, else `public/` in the site.
pub fn default_output(root: &Path, output: Option<&Path>) -> PathBuf {
    output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join("public"))
}
