//! Runs the stages in order: config → theme → model (source, front matter, markdown)
//! → render (templates, postprocess) → output. `build`, `check` and `serve` all call
//! [`build`]; none has a private copy of a stage. Errors found anywhere are collected,
//! and output is written only when there are none.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use jiff::Zoned;

use crate::base::diagnostic::{self, Diagnostic};
use crate::base::trace::trace;
use crate::model::{self, Sources};
use crate::output::{self, OldOutput};
use crate::text;

#[derive(Clone, Debug, Default, PartialEq)]
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
    /// Pages left out: drafts, and scheduled (dated after now).
    pub left_out: (usize, usize),
    pub files: usize,
    pub elapsed: Duration,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: Sources,
    /// Set when the output was replaced; the caller decides when to delete it.
    pub old_output: Option<OldOutput>,
    pub wrote: bool,
    /// The site's leaflets, for `anxuan print`.
    pub leaflets: Vec<crate::model::Leaflet>,
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
    crate::base::dates::parse_datetime(s, &tz).map(|z| z.timestamp())
}

/// What the privacy checks found in each file, kept by `serve` between builds: a
/// Markdown file's findings hold while its text (the same shared string from the
/// model's cache) and its waivers are the same; another file's while its stamp is.
#[derive(Default)]
pub struct PrivacyCache {
    markdown: HashMap<PathBuf, CheckedMarkdown>,
    other: HashMap<PathBuf, (crate::input::source::Stamp, Vec<Diagnostic>)>,
}

/// A Markdown file's text, the waivers it was checked with and the findings.
type CheckedMarkdown = (Arc<str>, Vec<String>, Vec<Diagnostic>);

/// A Markdown file's privacy findings: those of `old` if it checked the same text
/// (the same shared string) with the same waivers, else found afresh.
fn check_markdown(
    rel: &Path,
    text: &Arc<str>,
    waivers: &[crate::parse::front_matter::Spanned<String>],
    allow: &[String],
    old: Option<&CheckedMarkdown>,
) -> CheckedMarkdown {
    let names: Vec<String> = waivers.iter().map(|s| s.value.clone()).collect();
    match old {
        Some((t, n, d)) if Arc::ptr_eq(t, text) && *n == names => (t.clone(), names, d.clone()),
        _ => {
            let file = crate::checks::FileToCheck { rel, text, waivers };
            let mut d = crate::checks::check_name(rel, allow);
            d.extend(crate::checks::check_files(
                std::slice::from_ref(&file),
                allow,
            ));
            (text.clone(), names, d)
        }
    }
}

/// Personal data and leftovers in everything that gets published: the Markdown (all
/// of it, drafts too: they are published one day), every file of page bundles,
/// static/, templates/ and the theme folders (`checks::is_scanned`), every file's
/// name, and all of config.toml with its hotlines.
///
/// With `changed` (the watcher named every change since the last check), the files
/// other than Markdown are those checked last time and the changed ones, instead of
/// a walk of content/ and static/.
fn privacy_checks(
    root: &Path,
    site: &model::Site,
    sources: &Sources,
    cache: Option<&mut PrivacyCache>,
    changed: Option<&BTreeSet<PathBuf>>,
) -> Vec<Diagnostic> {
    use crate::checks::{self, FileToCheck};
    use crate::parse::config::CONFIG_FILE;
    let mut fresh = PrivacyCache::default();
    let cache = cache.unwrap_or(&mut fresh);
    let no_waivers = Vec::new();
    let waivers: HashMap<&Path, &Vec<_>> = site
        .pages
        .iter()
        .map(|p| (p.rel.as_path(), &p.meta.privacy_allow))
        .collect();
    let allow = &site.config.privacy_allow;

    let markdown: Vec<(&PathBuf, &Arc<str>)> = sources
        .texts
        .iter()
        .filter(|(rel, _)| rel.starts_with("content") && crate::input::source::is_markdown(rel))
        .collect();
    let old = &cache.markdown;
    let checked: Vec<_> = markdown
        .par_iter()
        .map(|&(rel, text)| {
            let w = waivers.get(rel.as_path()).copied().unwrap_or(&no_waivers);
            (
                rel.clone(),
                check_markdown(rel, text, w, allow, old.get(rel)),
            )
        })
        .collect();
    cache.markdown = checked.into_iter().collect();

    let others: Vec<(PathBuf, PathBuf)> = match changed {
        Some(changed) => {
            let published = |rel: &&PathBuf| checks::is_scanned(rel) && root.join(rel).is_file();
            let mut rels: BTreeSet<&PathBuf> = cache.other.keys().collect();
            rels.extend(changed.iter().filter(published));
            rels.into_iter()
                .map(|rel| (root.join(rel), rel.clone()))
                .collect()
        }
        None => checks::scanned_files(root),
    };
    let old = &cache.other;
    let checked: Vec<_> = others
        .into_par_iter()
        .filter_map(|(abs, rel)| {
            let stamp = crate::input::source::Stamp::of(&abs)?;
            match old.get(&rel) {
                Some((s, d)) if *s == stamp => Some((rel, (stamp, d.clone()))),
                _ => {
                    // A file that cannot be read is not published either.
                    let bytes = crate::input::source::read_bytes(&abs, checks::FILE_LIMIT)
                        .unwrap_or_default();
                    let d = checks::check_published(&rel, &bytes, allow);
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
    let allowed: Vec<String> = allow
        .iter()
        .map(|a| crate::base::pii::normalise(a))
        .collect();
    // All of config.toml is published somewhere (title, description, footer,
    // [extra] reach the pages); a hotline's number has its own message below.
    let config =
        crate::input::source::read_text(&root.join(CONFIG_FILE), Path::new(CONFIG_FILE)).text;
    let mut config_allow = allow.clone();
    config_allow.extend(
        site.config
            .hotlines
            .iter()
            .flat_map(|h| crate::base::pii::scan(&h.number))
            .map(|f| f.value),
    );
    let file = FileToCheck {
        rel: Path::new(CONFIG_FILE),
        text: &config,
        waivers: &no_waivers,
    };
    diags.extend(checks::check_files(
        std::slice::from_ref(&file),
        &config_allow,
    ));
    for h in &site.config.hotlines {
        for f in crate::base::pii::scan(&h.number) {
            if f.kind == crate::base::pii::Kind::Mobile && !allowed.contains(&f.value) {
                diags.push(
                    Diagnostic::error(text!(
                        zh: "求助电话“{}”用的是手机号 {}，没有列在 [privacy] allow 里",
                        en: "hotline “{}” is a mobile number ({}) that is not on [privacy] allow",
                        h.name,
                        f.masked
                    ))
                    .in_file(CONFIG_FILE)
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

/// Diagnostics about files other than Markdown (a data block's CSV, say) need that
/// file's text to show a line and column.
fn read_named_files(root: &Path, diags: &[Diagnostic], sources: &mut Sources) {
    for d in diags {
        if let (Some(file), Some(_)) = (&d.file, &d.span) {
            if !sources.texts.contains_key(file) {
                let text = crate::input::source::read_text(&root.join(file), file).text;
                sources.texts.insert(file.clone(), text.into());
            }
        }
    }
}

/// Whether no stage reads this file (relative to the site), so that its change
/// cannot change the site: a name the walk of content/ skips (an editor's temporary
/// or swap file, see `source::is_ignored`) that the privacy checks do not read either.
fn never_read(root: &Path, rel: &Path) -> bool {
    never_read_name(rel) && !root.join(rel).is_dir()
}

fn never_read_name(rel: &Path) -> bool {
    let name = rel.file_name().map(|n| n.to_string_lossy());
    name.is_some_and(|n| crate::input::source::is_ignored(&n)) && !crate::checks::is_scanned(rel)
}

/// Whether a path under content/ is gone and nothing of the last good build came
/// from it or from below it: a temporary file that an editor (or `sed -i`) wrote and
/// renamed over a page, under a name the walk does not skip.
fn gone_unread(good: &Good, privacy: &PrivacyCache, root: &Path, rel: &Path) -> bool {
    let abs = root.join(rel);
    rel.starts_with("content")
        && !crate::input::source::is_markdown(rel)
        && std::fs::symlink_metadata(&abs).is_err()
        && !good.site.assets.iter().any(|a| a.abs.starts_with(&abs))
        && !good.sources.texts.keys().any(|f| f.starts_with(rel))
        && !privacy.other.keys().any(|f| f.starts_with(rel))
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
    /// Files (relative to the site) the watcher saw change since the last good build.
    changed: BTreeSet<PathBuf>,
    /// Something changed that the watcher could not name (its queue overflowed, say).
    rescan: bool,
    /// The last good build, onto which an edit that keeps its pages in place is
    /// patched (see [`Session::patch`]).
    last: Option<Good>,
}

/// A build that was shown, with what [`Session::patch`] needs to make the next one
/// from it.
struct Good {
    opts: BuildOptions,
    site: Arc<model::Site>,
    theme: Arc<crate::input::theme::Theme>,
    links: model::Links,
    prepared: crate::render::Prepared,
    /// Every diagnostic of the build (warnings only: it had no errors) ...
    diagnostics: Vec<Diagnostic>,
    /// ... and those that reading, rendering and checking each Markdown page found.
    per_file: HashMap<PathBuf, Vec<Diagnostic>>,
    /// The text of every file read, for showing a diagnostic's line.
    sources: Sources,
    /// Every file of the site but the search index, sorted.
    paths: Arc<Vec<String>>,
    /// When the clock alone would change the site (see `model::Site::next_change`).
    next_change: jiff::Timestamp,
}

/// One build of a [`Session`].
pub struct Incremental {
    pub report: BuildReport,
    /// The files made this time; every other file of the site is as it was.
    pub files: Vec<output::OutFile>,
    /// Files of the last good build that this build no longer has.
    pub removed: Vec<String>,
    /// Every file of the site (but the search index, see [`Incremental::search`]), sorted.
    pub paths: Arc<Vec<String>>,
    /// Whether the build was patched onto the last good one ([`Session::patch`]).
    pub patched: bool,
    /// The model and theme, kept to make the search index from once the pages show.
    site: Option<(Arc<model::Site>, Arc<crate::input::theme::Theme>)>,
    /// Pages that moved to a new address since the last good build of the session,
    /// each a warning showing the alias that keeps old links working. `serve` shows
    /// them; they are not in `report` because a fresh build has no earlier build of
    /// the session to compare with (`build` compares with the old `public/` instead).
    pub moved: Vec<Diagnostic>,
}

impl Incremental {
    /// The search page and its index for this build (SPEC §5: the index is part of
    /// the site), made after the pages so that an edit shows first. `None` when the
    /// site has its own page at /search/.
    pub fn search(&self) -> Option<Vec<output::OutFile>> {
        let (site, theme) = self.site.as_ref()?;
        crate::render::search::page_path(site)?;
        let memory = output::Memory::default();
        crate::render::render(site, theme, &memory, None, crate::render::Search::Only);
        Some(memory.into_files())
    }
}

impl Session {
    /// Notes that the watcher saw a file (relative to the site) change, and forgets
    /// what the caches hold about it: file times are too coarse to tell two quick
    /// saves apart.
    pub fn forget(&mut self, rel: &Path) {
        // An editor's temporary file is never read; forgetting it would forget the
        // pages beside it (see `model::Cache::forget`).
        if !never_read_name(rel) {
            self.model.forget(rel);
            self.privacy.other.remove(rel);
        }
        self.changed.insert(rel.to_path_buf());
    }

    /// Notes that files may have changed without the watcher naming them: the next
    /// build checks every file.
    pub fn rescan(&mut self) {
        self.rescan = true;
    }

    /// Builds like [`build`] but keeps what is unchanged from the last build of this
    /// session, and hands back the files instead of writing them. When the watcher
    /// named only pages that stay in place, the last good site is patched (see
    /// [`Session::patch`]); otherwise the site is assembled again from the caches. The
    /// render cache moves on only when the build is good: the caller shows its files,
    /// and the next build may then skip what did not change since.
    pub fn build(&mut self, opts: &BuildOptions) -> Incremental {
        if let Some(out) = self.patch(opts) {
            return out;
        }
        let trusted = self.can_trust(&opts.root);
        self.model.trust(trusted);
        let before = self.last.as_ref().map(|good| good.site.clone());
        let memory = output::Memory::default();
        let mut out = build_inner(opts, Some(self), Some(&memory));
        out.files = memory.into_files();
        if let (Some(before), Some((site, _))) = (before, &out.site) {
            let kept = published_paths(site);
            let gone: Vec<(String, String)> = before
                .pages
                .iter()
                .filter(|p| !kept.contains(p.path.as_str()))
                .map(|p| (p.path.clone(), shown_title(&before, &p.meta.title)))
                .collect();
            if !gone.is_empty() {
                let had: HashSet<&str> = before.pages.iter().map(|p| p.path.as_str()).collect();
                out.moved = renamed_pages(&gone, |p| had.contains(p), site);
            }
        }
        out
    }

    /// Whether the files the watcher named are all that changed since the last build
    /// and none under content/ came or went, so that the walk, the stats and the
    /// privacy scan of the other files can be skipped: there was a build before,
    /// nothing was lost, and each changed path under content/ is one the last walk
    /// found and still a file, or one no stage reads.
    fn can_trust(&self, root: &Path) -> bool {
        !self.rescan
            && self.model.has_walked()
            && self.changed.iter().all(|rel| {
                !rel.starts_with("content")
                    || never_read(root, rel)
                    || self
                        .last
                        .as_ref()
                        .is_some_and(|good| gone_unread(good, &self.privacy, root, rel))
                    || (root.join(rel).is_file() && self.model.found(rel) == Some(true))
            })
    }

    /// The fast path for the commonest edits, typing in a page or retitling it: when
    /// every file the watcher named since the last good build is a page of it that
    /// stays where it was (same URL, date, terms, place in its list; see
    /// `model::patch`), or a file no stage reads (an editor's temporary file),
    /// nothing but those pages can differ: no URL, list order, term, banner or
    /// template. So those pages are made and checked again and the pages that show
    /// them re-rendered, all on top of the last good build, without walking,
    /// stat-ing or assembling the other pages. `None` when that does not hold, or the
    /// clock has moved past something the site shows; the caller then builds in full.
    fn patch(&mut self, opts: &BuildOptions) -> Option<Incremental> {
        let started = Instant::now();
        let good = self.last.as_mut()?;
        let same_options = BuildOptions {
            now: None,
            ..opts.clone()
        } == BuildOptions {
            now: None,
            ..good.opts.clone()
        };
        // An edited leaflet's PDF goes out of date, which only a full build checks.
        let edits_printed_leaflet = self.changed.iter().any(|rel| {
            good.site
                .pages
                .iter()
                .any(|p| &p.rel == rel && good.site.leaflet_pdfs.contains(&p.path))
        });
        if self.rescan
            || edits_printed_leaflet
            || self.changed.is_empty()
            || !same_options
            || opts.output.is_some()
            || good.prepared.shows_now
        {
            return None;
        }
        let tz = good.site.config.timezone.clone();
        let now = match opts.now {
            Some(ts) => ts.to_zoned(tz),
            None => Zoned::now().with_time_zone(tz),
        };
        if now < good.site.now || now.timestamp() >= good.next_change {
            return None;
        }
        let mut pages = Vec::new();
        for rel in &self.changed {
            if never_read(&opts.root, rel) || gone_unread(good, &self.privacy, &opts.root, rel) {
                continue;
            }
            if !(rel.starts_with("content") && crate::input::source::is_markdown(rel)) {
                return None;
            }
            pages.push(rel.clone());
        }
        let patch = model::patch(&good.site, &good.links, &mut self.model, &pages)?;
        let mut site = (*good.site).clone();
        site.now = now;
        for (i, page) in &patch.pages {
            site.pages[*i] = page.clone();
        }

        // The diagnostics are the last good build's, with those of the changed files
        // found again.
        let waivers: Vec<&[crate::parse::front_matter::Spanned<String>]> = patch
            .pages
            .iter()
            .map(|(_, p)| p.meta.privacy_allow.as_slice())
            .collect();
        let mut per_file = Vec::new();
        for (((rel, text), (_, found)), waivers) in
            patch.texts.iter().zip(&patch.diagnostics).zip(waivers)
        {
            let checked = check_markdown(
                rel,
                text,
                waivers,
                &site.config.privacy_allow,
                self.privacy.markdown.get(rel),
            );
            let mut diags = found.clone();
            diags.extend(checked.2.iter().cloned());
            // The patched pages stay where they were, so the last build's files are
            // still the whole output their links are checked against.
            let index: Vec<usize> = patch
                .pages
                .iter()
                .filter(|(_, p)| &p.rel == rel)
                .map(|(i, _)| *i)
                .collect();
            diags.extend(model::dead_links(&site, Some(&index), &good.paths));
            self.privacy.markdown.insert(rel.clone(), checked);
            per_file.push((rel.clone(), diags));
        }
        let mut diags = good.diagnostics.clone();
        for (rel, _) in &per_file {
            for old in good.per_file.get(rel).into_iter().flatten() {
                if let Some(at) = diags.iter().position(|d| d == old) {
                    diags.remove(at);
                }
            }
        }
        diags.extend(per_file.iter().flat_map(|(_, d)| d.iter().cloned()));
        diags.extend(good.links.anchor_diagnostics(&site, Some(&patch)));

        let memory = output::Memory::default();
        let changed: Vec<usize> = patch.pages.iter().map(|(i, _)| *i).collect();
        if !diags.iter().any(Diagnostic::is_error) {
            let t = Instant::now();
            let rendered = crate::render::rerender(
                &site,
                &good.theme,
                &mut good.prepared,
                &memory,
                &self.render,
                &changed,
                &patch.fronts,
            );
            trace("rerender", t);
            diags.extend(rendered.diagnostics);
            if !diags.iter().any(Diagnostic::is_error) {
                self.render.keys.extend(rendered.keys);
            }
        }
        diagnostic::sort(&mut diags);
        diags.dedup();
        for (rel, text) in &patch.texts {
            good.sources.texts.insert(rel.clone(), text.clone());
        }
        read_named_files(&opts.root, &diags, &mut good.sources);
        let report = BuildReport {
            pages: site.pages.len(),
            left_out: site.left_out,
            files: good.paths.len(),
            elapsed: started.elapsed(),
            sources: good.sources.subset(&diags),
            diagnostics: diags,
            old_output: None,
            wrote: false,
            leaflets: leaflets(&site),
            base_path: site.config.base_path.clone(),
        };
        let mut out = Incremental {
            report,
            files: Vec::new(),
            removed: Vec::new(),
            paths: good.paths.clone(),
            patched: true,
            site: None,
            moved: Vec::new(),
        };
        if out.report.has_errors() {
            // The last good build stays what the next build patches; the files
            // changed since stay noted.
            return Some(out);
        }
        let site = Arc::new(site);
        good.links.commit(&patch);
        for (rel, d) in per_file {
            if d.is_empty() {
                good.per_file.remove(&rel);
            } else {
                good.per_file.insert(rel, d);
            }
        }
        good.diagnostics = out.report.diagnostics.clone();
        good.site = site.clone();
        self.changed.clear();
        out.files = memory.into_files();
        out.site = Some((site, good.theme.clone()));
        out.report.elapsed = started.elapsed();
        Some(out)
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
            left_out: (0, 0),
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
        removed: Vec::new(),
        paths: Arc::default(),
        patched: false,
        site: None,
        moved: Vec::new(),
    };
    let (config, config_text, mut diags) =
        crate::parse::config::load(&opts.root, opts.base_url.as_deref());
    let config_text: Arc<str> = config_text.into();
    sources.texts.insert(
        PathBuf::from(crate::parse::config::CONFIG_FILE),
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
    let (theme, theme_diags) = crate::input::theme::load(&opts.root, config.theme.as_deref());
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
    let (mut site, links, model_diags) = model::load(
        &opts.root,
        config,
        &load_opts,
        &mut sources,
        session.as_deref_mut().map(|s| &mut s.model),
    );
    trace("model", t_model);
    diags.extend(model_diags);
    let pdfs = carry_leaflet_pdfs(opts, &mut site, &mut diags);
    if let Some(dir) = &opts.output {
        let kept = published_paths(&site);
        let previous = output::previous_pages(dir, &site.config.base_url, |p| kept.contains(p));
        diags.extend(renamed_pages(
            &previous.gone,
            |p| previous.paths.contains(p),
            &site,
        ));
    }
    let t = Instant::now();
    let (privacy, changed) = match session.as_deref_mut() {
        Some(s) => (
            Some(&mut s.privacy),
            s.model.trusted().then_some(&s.changed),
        ),
        None => (None, None),
    };
    diags.extend(privacy_checks(
        &opts.root, &site, &sources, privacy, changed,
    ));
    trace("privacy", t);
    read_named_files(&opts.root, &diags, &mut sources);
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
    for pdf in pdfs {
        paths.push(pdf.out.clone());
        if let Err(e) = sink.put(output::OutFile {
            path: pdf.out,
            data: output::OutData::Copy(pdf.file),
        }) {
            diags.push(Diagnostic::error(text!(
                zh: "无法写入宣传单的 PDF：{e}",
                en: "cannot write a leaflet's PDF: {e}"
            )));
        }
    }

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
    // Dead links are errors, so a build that goes on to be kept has none: they need
    // no place among a page's diagnostics in `per_file` below.
    diags.extend(model::dead_links(&site, None, &paths));

    diagnostic::sort(&mut diags);
    diags.dedup();
    let mut out = BuildReport {
        pages: site.pages.len(),
        left_out: site.left_out,
        files: paths.len(),
        elapsed: started.elapsed(),
        diagnostics: diags,
        sources,
        old_output: None,
        wrote: false,
        leaflets: leaflets(&site),
        base_path: site.config.base_path.clone(),
    };
    let finish = |report: BuildReport, paths: Vec<String>| Incremental {
        report,
        files: Vec::new(),
        removed: Vec::new(),
        paths: Arc::new(paths),
        patched: false,
        site: None,
        moved: Vec::new(),
    };
    if out.has_errors() {
        // Dropping the staging folder deletes it; the old output was never touched.
        drop(staging);
        return finish(out, paths);
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
    let (Some(s), Some(prepared)) = (session, rendered.prepared) else {
        return finish(out, paths);
    };

    // A good build of a session: what the next edit is patched onto.
    // Freeing the last build's model (tens of thousands of small allocations) is left
    // to another thread, so that it does not hold up showing this one.
    let old = (std::mem::replace(&mut s.render.keys, keys), s.last.take());
    let paths = Arc::new(paths);
    let removed = match &old.1 {
        Some(last) => sorted_difference(&last.paths, &paths),
        None => Vec::new(),
    };
    std::thread::spawn(move || drop(old));
    let mut per_file = HashMap::new();
    for p in &site.pages {
        let mut d = s.model.file_diagnostics(&p.rel);
        if let Some((_, _, found)) = s.privacy.markdown.get(&p.rel) {
            d.extend(found.iter().cloned());
        }
        if !d.is_empty() {
            per_file.insert(p.rel.clone(), d);
        }
    }
    let sources = std::mem::take(&mut out.sources);
    out.sources = sources.subset(&out.diagnostics);
    let site = Arc::new(site);
    let theme = Arc::new(theme);
    s.last = Some(Good {
        opts: opts.clone(),
        next_change: site.next_change().timestamp(),
        site: site.clone(),
        theme: theme.clone(),
        links,
        prepared,
        diagnostics: out.diagnostics.clone(),
        per_file,
        sources,
        paths: paths.clone(),
    });
    s.changed.clear();
    s.rescan = false;
    Incremental {
        report: out,
        files: Vec::new(),
        removed,
        paths,
        patched: false,
        site: Some((site, theme)),
        moved: Vec::new(),
    }
}

/// Pages whose address changed: `gone` holds the pages (path and shown title) of an
/// earlier build that `site` no longer has, and `had` tells the paths that build had.
/// A gone page while a page new to `site` has its title was renamed, and links to it
/// shared in WeChat now fail. A warning on the new file shows the alias that keeps
/// them working.
fn renamed_pages(
    gone: &[(String, String)],
    had: impl Fn(&str) -> bool,
    site: &model::Site,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (path, title) in gone {
        let mut same = site
            .pages
            .iter()
            .filter(|p| !had(&p.path) && shown_title(site, &p.meta.title) == *title);
        let (Some(page), None) = (same.next(), same.next()) else {
            continue;
        };
        diags.push(
            Diagnostic::warning(text!(
                zh: "页面《{}》的网址变了：原来是 /{path}，现在是 /{}；已经转发到微信群的旧链接会打不开",
                en: "the page “{}” has a new address: it was /{path}, now /{}; links already shared in WeChat will break",
                page.meta.title,
                page.path
            ))
            .in_file(&page.rel)
            .with_help(text!(
                zh: "在这个页面的 front matter 里加上 aliases = [\"/{path}\"]，旧链接会自动跳到新网址",
                en: "add aliases = [\"/{path}\"] to this page's front matter: the old link then leads to the new address"
            )),
        );
    }
    diags
}

/// The addresses a site answers at: its pages, sections and aliases.
fn published_paths(site: &model::Site) -> HashSet<&str> {
    site.pages
        .iter()
        .map(|p| p.path.as_str())
        .chain(site.sections.iter().map(|s| s.path.as_str()))
        .chain(site.aliases.iter().map(|(a, _)| a.as_str()))
        .collect()
}

/// A page's `<title>` as the theme writes it (headline, then the site name).
fn shown_title(site: &model::Site, title: &str) -> String {
    if title == site.config.title {
        title.to_string()
    } else {
        format!("{title}｜{}", site.config.title)
    }
}

/// The PDFs `anxuan print` left in the output (public/, which serve reads too)
/// that are still current go into this build, and their leaflets' pages link them;
/// a PDF older than its leaflet is a warning and is left out.
fn carry_leaflet_pdfs(
    opts: &BuildOptions,
    site: &mut model::Site,
    diags: &mut Vec<Diagnostic>,
) -> Vec<output::LeafletPdf> {
    let dir = default_output(&opts.root, opts.output.as_deref());
    let wanted: Vec<(String, String, PathBuf)> = leaflets(site)
        .into_iter()
        .map(|l| (l.path, l.slug, l.source))
        .collect();
    let (carried, stale) = output::leaflet_pdfs(&dir, &opts.root, &wanted);
    for (pdf, source) in stale {
        diags.push(
            Diagnostic::warning(text!(
                zh: "宣传单改过了，原来的 PDF（{pdf}）已过时，这次没有发布",
                en: "the leaflet was edited after its PDF ({pdf}) was printed; the old PDF is left out"
            ))
            .in_file(source)
            .with_help(text!(
                zh: "运行 anxuan print 重新生成 PDF",
                en: "run anxuan print to make the PDF again"
            )),
        );
    }
    site.leaflet_pdfs = carried.iter().map(|p| p.page.clone()).collect();
    carried
}

/// The site's leaflets, for `anxuan print`.
fn leaflets(site: &model::Site) -> Vec<crate::model::Leaflet> {
    site.pages
        .iter()
        .filter_map(|p| {
            let l = p.meta.leaflet.as_ref()?;
            Some(crate::model::Leaflet {
                slug: p.path.trim_end_matches('/').rsplit('/').next()?.to_string(),
                path: p.path.clone(),
                source: p.rel.clone(),
                paper: l.paper,
            })
        })
        .collect()
}

/// What is in `old` but not in `new`, both sorted.
fn sorted_difference(old: &[String], new: &[String]) -> Vec<String> {
    let mut gone = Vec::new();
    let mut rest = new.iter().peekable();
    for p in old {
        while rest.next_if(|n| *n < p).is_some() {}
        if rest.peek() != Some(&p) {
            gone.push(p.clone());
        }
    }
    gone
}

/// The folder a command writes to: `--output`, else `public/` in the site.
pub fn default_output(root: &Path, output: Option<&Path>) -> PathBuf {
    output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join("public"))
}
