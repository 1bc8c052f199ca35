//! What `serve` keeps from one build to the next: the caches a build may use
//! (`pipeline::Caches`), the files the watcher named, and the last good build, onto
//! which an edit that keeps its pages in place is patched ([`Session::patch`])
//! instead of assembling the whole site again. Every build it makes must equal a
//! fresh `pipeline::build`, byte for byte and diagnostic for diagnostic; it must not
//! run a stage of its own, only the pipeline's and the model's patch.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use jiff::Zoned;

use crate::base::diagnostic::{self, Diagnostic};
use crate::base::trace::trace;
use crate::input::site::{present, Input, Present};
use crate::model::{self, Sources};
use crate::output;
use crate::pipeline::{
    build_inner, check_markdown, leaflets, published_paths, read_named_files, renamed_pages,
    shown_title, BuildOptions, BuildReport, Caches, PrivacyCache,
};

/// Whether no stage reads this file (relative to the site), so that its change
/// cannot change the site: a name the walk of content/ skips (an editor's temporary
/// or swap file, see `source::is_ignored`) that the privacy checks do not read either.
fn never_read(root: &Path, rel: &Path) -> bool {
    never_read_name(rel) && present(root, rel) != Present::Folder
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
        && present(root, rel) == Present::Gone
        && !good.site.assets.iter().any(|a| a.abs.starts_with(&abs))
        && !good.sources.texts.keys().any(|f| f.starts_with(rel))
        && !privacy.other.keys().any(|f| f.starts_with(rel))
}

/// What `serve` keeps from one build to the next, so that an edit re-reads,
/// re-checks and re-renders only what it affects.
#[derive(Default)]
pub struct Session {
    caches: Caches,
    /// The site's files as the last build read them.
    input: Option<Input>,
    /// Files (relative to the site) the watcher saw change since the input was read.
    unread: BTreeSet<PathBuf>,
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
    pub(crate) site: Option<(Arc<model::Site>, Arc<crate::input::theme::Theme>)>,
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
        crate::render::render(
            site,
            theme,
            &memory,
            None,
            crate::render::Search::Only,
            None,
            Default::default(),
        );
        Some(memory.into_files())
    }
}

impl Session {
    /// Notes that the watcher saw a file (relative to the site) change: the next
    /// build reads it again, whatever its stamp says (file times are too coarse to
    /// tell two quick saves apart), and what the caches hold about it no longer
    /// matches the new reading.
    pub fn forget(&mut self, rel: &Path) {
        self.unread.insert(rel.to_path_buf());
        self.changed.insert(rel.to_path_buf());
    }

    /// Notes that files may have changed without the watcher naming them: the next
    /// build checks every file.
    pub fn rescan(&mut self) {
        self.rescan = true;
    }

    /// Builds like `pipeline::build` but keeps what is unchanged from the last build of this
    /// session, and hands back the files instead of writing them. When the watcher
    /// named only pages that stay in place, the last good site is patched (see
    /// [`Session::patch`]); otherwise the site is assembled again from the caches. The
    /// render cache moves on only when the build is good: the caller shows its files,
    /// and the next build may then skip what did not change since.
    pub fn build(&mut self, opts: &BuildOptions) -> Incremental {
        self.read_input(&opts.root);
        if let Some(out) = self.patch(opts) {
            return out;
        }
        let before = self.last.as_ref().map(|good| good.site.clone());
        let memory = output::Memory::default();
        let mut out = self.assemble(opts, &memory);
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

    /// Brings the input up to date: only the files the watcher named are read again
    /// when [`Session::can_trust`] says they are all that changed; otherwise the site
    /// is walked afresh (files with an unchanged stamp keep their reading).
    fn read_input(&mut self, root: &Path) {
        let trusted = self.input.as_ref().is_some_and(|i| i.root() == root) && self.can_trust(root);
        match self.input.as_mut() {
            Some(input) if trusted => input.refresh(&self.unread),
            _ => self.input = Some(Input::read(root, self.input.as_ref(), &self.unread)),
        }
        self.unread.clear();
    }

    /// Whether the files the watcher named are all that changed since the input was
    /// read and none under content/ came or went, so that the walk can be skipped:
    /// nothing was lost, and each named path under content/ is one the input holds
    /// and still a file, or one no stage reads.
    fn can_trust(&self, root: &Path) -> bool {
        let Some(input) = &self.input else {
            return false;
        };
        !self.rescan
            && self.unread.iter().all(|rel| {
                !rel.starts_with("content")
                    || never_read(root, rel)
                    || self
                        .last
                        .as_ref()
                        .is_some_and(|good| gone_unread(good, &self.caches.privacy, root, rel))
                    || (present(root, rel) == Present::File && input.file(rel).is_some())
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
            if never_read(&opts.root, rel)
                || gone_unread(good, &self.caches.privacy, &opts.root, rel)
            {
                continue;
            }
            if !(rel.starts_with("content") && crate::input::source::is_markdown(rel)) {
                return None;
            }
            pages.push(rel.clone());
        }
        let input = self.input.as_ref()?;
        let patch = model::patch(
            &good.site,
            &good.links,
            &mut self.caches.model,
            input,
            &pages,
        )?;
        let mut site = (*good.site).clone();
        site.now = now;
        for (i, page) in &patch.pages {
            site.pages[*i] = page.clone();
        }
        // A warning's channel texts and their checks are made with the model: an
        // edited warning (even an expired one) is assembled.
        if patch
            .pages
            .iter()
            .any(|(_, p)| p.kind == crate::parse::meta::Kind::Warning)
        {
            return None;
        }
        // A chart more or fewer: a picture to make or to remove, under another name.
        // (A chart that fails is an error, and a build with errors writes nothing.)
        let errors = patch
            .diagnostics
            .iter()
            .any(|(_, d)| d.iter().any(Diagnostic::is_error));
        if !errors
            && patch
                .pages
                .iter()
                .any(|(i, p)| p.charts.len() != good.site.pages[*i].charts.len())
        {
            return None;
        }
        // A new photo on the page, another first photo (its share picture) or a photo
        // now on a leaflet needs copies the last build did not make.
        if crate::render::photos::plan(&site, &good.theme) != good.prepared.photos.plan {
            return None;
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
                self.caches.privacy.markdown.get(rel),
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
            self.caches.privacy.markdown.insert(rel.clone(), checked);
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
                &self.caches.render,
                &changed,
                &patch.fronts,
            );
            trace("rerender", t);
            diags.extend(rendered.diagnostics);
            if !diags.iter().any(Diagnostic::is_error) {
                self.caches.render.keys.extend(rendered.keys);
            }
        }
        diagnostic::sort(&mut diags);
        diags.dedup();
        for (rel, text) in &patch.texts {
            good.sources.texts.insert(rel.clone(), text.clone());
        }
        read_named_files(input, &diags, &mut good.sources);
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
            channels: crate::render::channels::all(&site).0,
            wechat: Vec::new(),
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
    /// Assembles the site again with the session's caches (`pipeline::build_inner`);
    /// a good build becomes the one the next edit is patched onto.
    fn assemble(&mut self, opts: &BuildOptions, memory: &output::Memory) -> Incremental {
        let input = self
            .input
            .as_ref()
            .expect("the input is read before each build");
        let built = build_inner(opts, input, Some(&mut self.caches), Some(memory));
        if built.config_changed {
            // config.toml changed: nothing of the builds before is kept.
            self.last = None;
            self.changed.clear();
            self.rescan = false;
        }
        let mut out = Incremental {
            report: built.report,
            files: Vec::new(),
            removed: Vec::new(),
            paths: Arc::new(built.paths),
            patched: false,
            site: None,
            moved: Vec::new(),
        };
        let Some(kept) = built.kept else {
            return out;
        };

        // A good build of a session: what the next edit is patched onto.
        // Freeing the last build's model (tens of thousands of small allocations) is left
        // to another thread, so that it does not hold up showing this one.
        let old = (
            std::mem::replace(&mut self.caches.render.keys, kept.keys),
            self.last.take(),
        );
        out.removed = match &old.1 {
            Some(last) => sorted_difference(&last.paths, &out.paths),
            None => Vec::new(),
        };
        std::thread::spawn(move || drop(old));
        let site = kept.site;
        let mut per_file = HashMap::new();
        for p in &site.pages {
            let mut d = self.caches.model.file_diagnostics(&p.rel);
            if let Some((_, _, found)) = self.caches.privacy.markdown.get(&p.rel) {
                d.extend(found.iter().cloned());
            }
            if !d.is_empty() {
                per_file.insert(p.rel.clone(), d);
            }
        }
        let sources = std::mem::take(&mut out.report.sources);
        out.report.sources = sources.subset(&out.report.diagnostics);
        let site = Arc::new(site);
        let theme = Arc::new(kept.theme);
        self.last = Some(Good {
            opts: opts.clone(),
            next_change: site.next_change().timestamp(),
            site: site.clone(),
            theme: theme.clone(),
            links: kept.links,
            prepared: kept.prepared,
            diagnostics: out.report.diagnostics.clone(),
            per_file,
            sources,
            paths: out.paths.clone(),
        });
        self.changed.clear();
        self.rescan = false;
        out.site = Some((site, theme));
        out
    }
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
