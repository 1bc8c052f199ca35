//! Renders the model into output files: Tera templates, feed, sitemap, redirects,
//! the search index and the theme's files, as one queue of jobs on rayon.
//!
//! [`render`] makes a whole site, [`rerender`] what shows pages `serve` patched in
//! place; both build a [`queue::Queue`] and run it. What every job shares is made
//! once, in [`Prepared`]: the templates, and the site, the active warnings and the
//! asset URLs as Tera values. Tera values are reference-counted, so each page's list
//! summary is also made once, and a pager of a large tag gets its slice of summaries
//! by reference instead of re-serialising the whole tag (the cause of Zola's 53 s on
//! 10,000 pages). Templates see `*View` shapes only (`views`), never the model;
//! content and titles are data, never template source.
//!
//! The files: `templates` (Tera, template diagnostics), `assets` (the theme's hashed
//! files), `views` (what templates see), `context` (each page kind's context),
//! `paths` (where outputs go), `keys` (what the incremental cache compares), `queue`
//! (the jobs), and `postprocess`, `search`, `qr`, which the jobs call. This stage
//! returns bytes to a sink; it must not write anything itself, and reads no file but
//! a site theme's own static files that `assets` hashes (through `input::theme`).

mod assets;
mod bodies;
pub(crate) mod cap;
pub(crate) mod channels;
mod context;
mod keys;
mod paths;
pub(crate) mod photos;
pub(crate) mod postprocess;
pub(crate) mod qr;
mod queue;
pub(crate) mod search;
mod templates;
mod views;
pub(crate) mod wechat;

use std::collections::HashMap;
use std::time::Instant;

use rayon::prelude::*;
use tera::{Tera, Value};

use crate::base::dates::rfc3339;
use crate::base::diagnostic::Diagnostic;
use crate::input::theme::Theme;
use crate::model::Site;
use crate::output::{OutFile, Sink};

pub(crate) use bodies::Bodies;
use context::Shared;
pub(crate) use keys::RenderCache;
use queue::{Made, Queue};

pub(crate) struct Rendered {
    /// Output paths of every file of the site, in no particular order: those handed
    /// to the sink, and those skipped because their inputs did not change.
    pub(crate) paths: Vec<String>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The input key of every page-like output, for the next [`RenderCache`].
    pub(crate) keys: HashMap<String, u64>,
    /// With a [`RenderCache`], what the jobs shared, for [`rerender`].
    pub(crate) prepared: Option<Prepared>,
}

/// How much of the site to render.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Search {
    /// The search page and its index with the rest (a build).
    Include,
    /// Everything but the search page and index (`serve` shows an edit first and
    /// brings the index up to date after, with `Only`).
    Later,
    /// The search page and index alone.
    Only,
}

/// What every job of a build shares that one page's body cannot change: the
/// templates, and the site's settings, banners and asset URLs as Tera values. `serve`
/// keeps it between builds, so that an edit re-renders its pages without making it
/// again (see [`rerender`]).
pub(crate) struct Prepared {
    tera: Tera,
    site_value: Value,
    assets_value: Value,
    warnings_value: Value,
    now_value: Value,
    /// Absolute URL of the default share image.
    share_image: String,
    /// With a [`RenderCache`]: the hash of what every page shows (site settings,
    /// banners, assets, templates), and of each page's list summary.
    global_key: u64,
    summary_keys: Vec<u64>,
    /// Per template, the hash of its text and of every template it draws on (see
    /// `keys::template_keys`), so that a template edit re-renders only the pages using it.
    template_keys: HashMap<String, u64>,
    /// Whether a template may show `now`, so that every page moves with the clock.
    pub(crate) shows_now: bool,
    /// The site's photos and how pages show them (their files went to the queue).
    pub(crate) photos: photos::PhotoSet,
}

/// Makes what every job shares: the templates, the site's settings, banners and
/// asset URLs as Tera values, the theme's static files (returned), and with `keyed`
/// the keys a [`RenderCache`] compares. `None` when a template does not parse.
fn prepare(
    site: &Site,
    theme: &Theme,
    keyed: bool,
    mut photos: photos::PhotoSet,
) -> (Option<Prepared>, Vec<OutFile>, Vec<Diagnostic>) {
    let (tera, mut diagnostics) = templates::build_tera(theme);
    if !diagnostics.is_empty() {
        // Rendering with a broken template set would only add "template not found"
        // for every page that extends the broken one.
        return (None, Vec::new(), diagnostics);
    }
    let (theme_assets, asset_diagnostics) = assets::theme_assets(site, theme);
    diagnostics.extend(asset_diagnostics);
    let share_image = theme_assets.share_image(site);
    let search_url = search::page_path(site).map(|_| site.url(search::PAGE_PATH));
    let site_view = views::SiteView::of(site, &share_image, search_url);
    let assets_view = theme_assets.view(site);
    let banners = views::banners(site);
    let now_value = rfc3339(&site.now);
    let shows_now = theme.templates.values().any(|t| t.text.contains("now"));
    let (global_key, summary_keys, template_keys) = match keyed {
        true => {
            let global = keys::global_key(
                &[
                    &json(&site_view),
                    &json(&assets_view),
                    &json(&banners),
                    &share_image,
                    &photos.key.to_string(),
                ],
                // The built-in theme does not show `now`; a theme that does is
                // re-rendered whenever it moves.
                shows_now.then_some(now_value.as_str()),
            );
            let summaries = site
                .pages
                .par_iter()
                .map(|p| keys::summary_key(p, &site.now))
                .collect();
            (global, summaries, keys::template_keys(theme))
        }
        false => (0, Vec::new(), HashMap::new()),
    };
    let mut files = theme_assets.files;
    files.append(&mut photos.files);
    let prepared = Prepared {
        tera,
        site_value: Value::from_serializable(&site_view),
        assets_value: Value::from_serializable(&assets_view),
        warnings_value: Value::from_serializable(&banners),
        now_value: Value::from(now_value),
        share_image,
        global_key,
        summary_keys,
        template_keys,
        shows_now,
        photos,
    };
    (Some(prepared), files, diagnostics)
}

/// A view as JSON, for hashing it into a key.
fn json<T: serde::Serialize>(view: &T) -> String {
    serde_json::to_string(view).unwrap_or_default()
}

/// Adds a job's failure to `diagnostics` once: a broken template fails every job
/// that uses it with the same message.
fn note(diagnostics: &mut Vec<Diagnostic>, d: Box<Diagnostic>) {
    if !diagnostics.contains(&d) {
        diagnostics.push(*d);
    }
}

/// Renders the whole site into `sink`. With a cache, a job whose key it holds is
/// skipped (its file from the last build stands) and the keys and the prepared
/// values are returned for the next build. With `bodies` (a one-shot build, whose
/// model no longer holds them), each page's body goes once the files showing it are
/// made. The pages come before the search index, so that the bodies are gone when
/// its posting lists grow.
pub(crate) fn render(
    site: &Site,
    theme: &Theme,
    sink: &dyn Sink,
    cache: Option<&RenderCache>,
    search_mode: Search,
    bodies: Option<Bodies>,
    photos: photos::PhotoSet,
) -> Rendered {
    let (prepared, theme_files, mut diagnostics) = prepare(site, theme, cache.is_some(), photos);
    let Some(prepared) = prepared else {
        return Rendered {
            paths: Vec::new(),
            diagnostics,
            keys: HashMap::new(),
            prepared: None,
        };
    };
    let mut shared = Shared::new(site, &prepared, &prepared.summary_keys);
    let mut results = Vec::new();
    if search_mode != Search::Only {
        let queue = Queue::full(site, theme_files, None, Search::Later);
        shared.bodies = bodies.map(|b| bodies::Store::new(b, &queue.body_uses(site)));
        let t = Instant::now();
        results = queue.run(&shared, sink, cache, theme);
        crate::base::trace::trace("templates", t);
        shared.bodies = None;
    }
    if search_mode != Search::Later {
        let t = Instant::now();
        let search = search::build(site);
        crate::base::trace::trace("search index", t);
        let queue = Queue::full(site, Vec::new(), search, Search::Only);
        results.extend(queue.run(&shared, sink, cache, theme));
    }
    drop(shared);
    let mut paths = Vec::with_capacity(results.len());
    let mut keys = HashMap::new();
    for r in results {
        match r {
            Ok(Made { path, key, .. }) => {
                if let Some(key) = key {
                    keys.insert(path.clone(), key);
                }
                paths.push(path)
            }
            Err(d) => note(&mut diagnostics, d),
        }
    }
    Rendered {
        paths,
        diagnostics,
        keys,
        prepared: cache.map(|_| prepared),
    }
}

/// Renders again what shows the given pages after they changed in place (see
/// `model::patch` and [`Queue::patch`]): for those in `fronts` the front matter
/// changed too. A job whose key is what `cache` holds is skipped. Returns the files
/// made and their keys; `prepared` takes the pages' new summary keys only if every
/// job rendered.
pub(crate) fn rerender(
    site: &Site,
    theme: &Theme,
    prepared: &mut Prepared,
    sink: &dyn Sink,
    cache: &RenderCache,
    pages: &[usize],
    fronts: &[usize],
) -> Rendered {
    let mut summary_keys = prepared.summary_keys.clone();
    for &i in pages {
        summary_keys[i] = keys::summary_key(&site.pages[i], &site.now);
    }
    let shared = Shared::new(site, prepared, &summary_keys);
    let queue = Queue::patch(site, &shared.positions, pages, fronts);
    let results = queue.run(&shared, sink, Some(cache), theme);
    drop(shared);
    let mut out = Rendered {
        paths: Vec::new(),
        diagnostics: Vec::new(),
        keys: HashMap::new(),
        prepared: None,
    };
    for r in results {
        match r {
            Ok(Made {
                path,
                key,
                made: true,
            }) => {
                if let Some(key) = key {
                    out.keys.insert(path.clone(), key);
                }
                out.paths.push(path);
            }
            Ok(_) => {}
            Err(d) => note(&mut out.diagnostics, d),
        }
    }
    if out.diagnostics.is_empty() {
        prepared.summary_keys = summary_keys;
    }
    out
}

/// A small site on disk, loaded as the pipeline loads one, for the render modules'
/// unit tests: five notices (two to a pager), three of them tagged 防汛, one with an
/// alias, and a leaflet.
#[cfg(test)]
pub(crate) mod fixture {
    use std::path::Path;

    use crate::input::theme::Theme;
    use crate::model::{self, Site, Sources};

    pub(crate) const NOW: &str = "2026-12-03T08:00:00+08:00";

    pub(crate) fn site() -> (Site, Theme) {
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = dir.path();
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap_or(Path::new("."))).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write(
            "config.toml",
            "title = \"测试镇安全宣传\"\ndescription = \"测试用站点\"\nbase_url = \"https://anquan.ceshi.gov.cn/zhen/\"\ntownship = \"测试镇\"\npaginate = 2\n",
        );
        write(
            "content/_index.md",
            "+++\ntitle = \"测试镇安全宣传\"\n+++\n首页。\n",
        );
        write(
            "content/notices/_index.md",
            "+++\ntitle = \"通知公告\"\n+++\n",
        );
        for n in 1..=5 {
            let tags = if n <= 3 { "tags = [\"防汛\"]\n" } else { "" };
            let alias = if n == 2 {
                "aliases = [\"old/n2/\"]\n"
            } else {
                ""
            };
            write(
                &format!("content/notices/n{n}.md"),
                &format!("+++\ntitle = \"通知{n}\"\ndate = 2026-01-0{n}T09:00:00+08:00\n{tags}{alias}+++\n正文{n}。\n"),
            );
        }
        write(
            "content/leaflets/_index.md",
            "+++\ntitle = \"宣传单\"\n+++\n",
        );
        write(
            "content/leaflets/l1.md",
            "+++\ntitle = \"燃气安全\"\ndate = 2026-02-01T09:00:00+08:00\npaper = \"A5\"\n+++\n关阀开窗。\n",
        );
        load(root, NOW)
    }

    /// The site at `root` at the time `now`, with its theme, as a build loads it;
    /// it must load without an error.
    pub(crate) fn load(root: &Path, now: &str) -> (Site, Theme) {
        let input = crate::input::site::Input::read(root, None, &Default::default());
        let (config, _, diags) = crate::parse::config::from_text(input.config(), root, None);
        let config = config.unwrap_or_else(|| panic!("config: {diags:?}"));
        let now: jiff::Timestamp = now.parse().expect("a time");
        let opts = model::LoadOptions {
            drafts: false,
            now: now.to_zoned(config.timezone.clone()),
        };
        let (theme, _) = crate::input::theme::load(&input, None);
        let mut sources = Sources::default();
        let (site, _, diags) = model::load(&input, None, config, &opts, &mut sources, None);
        assert!(!diags.iter().any(|d| d.is_error()), "{diags:?}");
        (site, theme)
    }

    /// The index of the page at `path` (`notices/n3/`).
    pub(crate) fn page(site: &Site, path: &str) -> usize {
        site.pages
            .iter()
            .position(|p| p.path == path)
            .unwrap_or_else(|| panic!("no page {path}"))
    }
}
