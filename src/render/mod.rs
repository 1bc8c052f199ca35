//! Renders the model into output files through Tera templates.
//!
//! Every output file is one job in a flat list that rayon works through (Zola's queue
//! on `next`). Data shared by many pages — the site, the active warnings, each page's
//! list summary — is turned into Tera values once; Tera values are reference-counted,
//! so a pager of a large tag gets its slice of summaries by reference instead of
//! re-serialising the whole tag (the cause of Zola's 53 s on 10,000 pages). Templates
//! see `*View` shapes only, never the model; content and titles are data, never
//! template source. This stage returns bytes; it writes nothing.

pub mod postprocess;
pub mod qr;
pub mod search;

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::OnceLock;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Kwargs, State, Tera, Value};

use crate::base::dates::{date_zh, datetime_zh, rfc3339};
use crate::base::diagnostic::Diagnostic;
use crate::base::hash::content_hash;
use crate::input::theme::{StaticData, Theme};
use crate::model::{self, Page, Site, TaxonomyKind};
use crate::output::{OutData, OutFile, Sink};
use crate::parse::meta::Kind;
use crate::text;

/// The theme's static files that get content-hashed names (WeChat's browser caches hard).
const HASHED: &[&str] = &[
    "style.css",
    "print.css",
    "anxuan.js",
    "search.js",
    "share.png",
];

pub struct Rendered {
    /// Output paths of every file of the site, in no particular order: those handed
    /// to the sink, and those skipped because their inputs did not change.
    pub paths: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// The input key of every page-like output, for the next [`RenderCache`].
    pub keys: HashMap<String, u64>,
    /// With a [`RenderCache`], what the jobs shared, for [`rerender`].
    pub prepared: Option<Prepared>,
}

/// What `serve` keeps between renders: for each output, a hash of everything it was
/// made from. A job whose key is unchanged is not rendered again; its file from the
/// last build stays. Keys cover the page's own version (see `model::Page::version`),
/// its neighbours, terms and section, the warnings shown in every banner, the site
/// settings and the templates, so a warning edit still re-renders every page.
#[derive(Default)]
pub struct RenderCache {
    pub keys: HashMap<String, u64>,
}

/// How much of the site to render.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// The search page and its index with the rest (a build).
    Include,
    /// Everything but the search page and index (`serve` shows an edit first and
    /// brings the index up to date after, with `Only`).
    Later,
    /// The search page and index alone.
    Only,
}

fn opt_rfc3339(z: Option<&jiff::Zoned>) -> String {
    z.map(rfc3339).unwrap_or_default()
}

/// "6月5日 20:00", the short form banners use; the year is added when it is not this year's.
fn short_datetime_zh(z: &jiff::Zoned, now: &jiff::Zoned) -> String {
    let year = if z.year() == now.year() {
        String::new()
    } else {
        format!("{}年", z.year())
    };
    format!(
        "{year}{}月{}日 {:02}:{:02}",
        z.month(),
        z.day(),
        z.hour(),
        z.minute()
    )
}

/// A warning time as the clerk wrote it: a date-only `expires = 2026-12-04` is held
/// as the next day's 00:00 (`end`), and shown as the day it was written, 2026年12月4日.
fn moment_zh(z: &jiff::Zoned, date_only: bool, end: bool) -> String {
    if !date_only {
        return datetime_zh(&rfc3339(z));
    }
    let day = if end {
        z.date().yesterday().unwrap_or(z.date())
    } else {
        z.date()
    };
    format!("{}年{}月{}日", day.year(), day.month(), day.day())
}

/// The banner's "有效至": [`short_datetime_zh`], or just the day for a date-only expiry.
fn banner_expires_zh(w: &crate::parse::meta::WarningMeta, now: &jiff::Zoned) -> String {
    if !w.expires_date_only {
        return short_datetime_zh(&w.expires, now);
    }
    let day = w.expires.date().yesterday().unwrap_or(w.expires.date());
    let year = if day.year() == now.year() {
        String::new()
    } else {
        format!("{}年", day.year())
    };
    format!("{year}{}月{}日", day.month(), day.day())
}

fn tel_digits(number: &str) -> String {
    number
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect()
}

#[derive(Serialize)]
struct LinkView {
    title: String,
    url: String,
}

#[derive(Serialize)]
struct NameUrl {
    name: String,
    url: String,
}

#[derive(Serialize)]
struct WarningView {
    level: String,
    level_name: String,
    hazard: String,
    issued: String,
    expires: String,
    lifted: String,
    /// The times in Chinese as written: a date alone when no time was given.
    issued_zh: String,
    expires_zh: String,
    lifted_zh: String,
    status: model::WarningStatus,
    status_name: &'static str,
    areas: Vec<String>,
    issuer: String,
    guidance: Vec<String>,
    contact: String,
    /// `contact` as a `tel:` target: digits and `+` only.
    contact_tel: String,
}

#[derive(Serialize)]
struct CampaignView {
    start: String,
    end: String,
    location: String,
    theme: String,
    status: model::CampaignStatus,
    status_name: &'static str,
}

#[derive(Serialize)]
struct LeafletView {
    paper: crate::parse::meta::Paper,
    qr: bool,
    print_url: String,
    /// Its PDF, when `anxuan print` has made one that is still current.
    pdf_url: Option<String>,
}

#[derive(Serialize)]
struct SummaryView<'a> {
    title: &'a str,
    url: String,
    kind: &'static str,
    date: String,
    description: &'a str,
    summary: &'a str,
    warning: Option<WarningView>,
    campaign: Option<CampaignView>,
}

#[derive(Serialize)]
struct TocEntry<'a> {
    level: u8,
    id: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
struct PageView<'a> {
    title: &'a str,
    kind: &'static str,
    url: String,
    permalink: String,
    date: String,
    updated: String,
    description: &'a str,
    summary: &'a str,
    reading_minutes: usize,
    char_count: usize,
    tags: Vec<NameUrl>,
    categories: Vec<NameUrl>,
    section: Option<LinkView>,
    image: String,
    toc: Vec<TocEntry<'a>>,
    lower: Option<LinkView>,
    higher: Option<LinkView>,
    extra: &'a serde_json::Value,
    warning: Option<WarningView>,
    campaign: Option<CampaignView>,
    figures: &'a [crate::parse::meta::Figure],
    leaflet: Option<LeafletView>,
}

#[derive(Serialize)]
struct MetaView<'a> {
    title: String,
    headline: &'a str,
    description: &'a str,
    permalink: String,
    image: String,
    og_type: &'static str,
}

#[derive(Serialize)]
struct PaginatorView {
    current: usize,
    total_pages: usize,
    prev_url: String,
    next_url: String,
}

#[derive(Serialize)]
struct BannerView<'a> {
    title: &'a str,
    url: String,
    level: &'a str,
    level_name: &'a str,
    hazard: &'a str,
    issuer: &'a str,
    issued: String,
    expires: String,
    expires_zh: String,
}

/// Banner and warning-card colours for the levels a site added in config.toml, in the
/// same shape as the theme's rules for the four official ones.
fn level_css(levels: &[crate::parse::config::LevelColours]) -> String {
    let mut css = String::new();
    for l in levels {
        let id = &l.id;
        css.push_str(&format!(
            "\n.banner-{id}, .wcard-{id} .wcard-head, .level-{id} {{ background: {bg}; color: {fg}; }}\n.banner-{id} .banner-icon, .wcard-{id} .wcard-icon {{ background: {fg}; color: {bg}; }}\n",
            bg = l.background,
            fg = l.text
        ));
    }
    css
}

fn warning_view(p: &Page, now: &jiff::Zoned) -> Option<WarningView> {
    let w = p.meta.warning.as_ref()?;
    let status = model::warning_status(w, now);
    Some(WarningView {
        level: w.level.en().to_string(),
        level_name: w.level.zh().to_string(),
        hazard: w.hazard.clone(),
        issued: rfc3339(&w.issued),
        expires: rfc3339(&w.expires),
        lifted: opt_rfc3339(w.lifted.as_ref()),
        issued_zh: moment_zh(&w.issued, w.issued_date_only, false),
        expires_zh: moment_zh(&w.expires, w.expires_date_only, true),
        lifted_zh: w
            .lifted
            .as_ref()
            .map(|l| moment_zh(l, w.lifted_date_only, true))
            .unwrap_or_default(),
        status,
        status_name: status.zh(),
        areas: w.areas.clone(),
        issuer: w.issuer.clone(),
        guidance: w.guidance.clone(),
        contact: w.contact.clone(),
        contact_tel: tel_digits(&w.contact),
    })
}

fn campaign_view(p: &Page, now: &jiff::Zoned) -> Option<CampaignView> {
    let c = p.meta.campaign.as_ref()?;
    let status = model::campaign_status(c, now);
    Some(CampaignView {
        start: c
            .start
            .as_ref()
            .map(|z| z.date().to_string())
            .unwrap_or_default(),
        end: c
            .end
            .as_ref()
            .map(|z| z.date().to_string())
            .unwrap_or_default(),
        location: c.location.clone(),
        theme: c.theme.clone(),
        status,
        status_name: status.zh(),
    })
}

/// What every job of a build shares that one page's body cannot change: the
/// templates, and the site's settings, banners and asset URLs as Tera values. `serve`
/// keeps it between builds, so that an edit re-renders its pages without making it
/// again (see [`rerender`]).
pub struct Prepared {
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
    /// [`template_keys`]), so that a template edit re-renders only the pages using it.
    template_keys: HashMap<String, u64>,
    /// Whether a template may show `now`, so that every page moves with the clock.
    pub shows_now: bool,
}

/// Everything shared by all jobs of one render.
struct Shared<'a> {
    site: &'a Site,
    prep: &'a Prepared,
    /// Each page's list summary, as a Tera value, by page index, made when first used.
    summaries: Vec<OnceLock<Value>>,
    summary_keys: &'a [u64],
    /// Where each page is in its section's list (its neighbours are beside it).
    positions: Vec<Option<usize>>,
}

/// Each page's place in its section's list: looking it up there page by page would
/// take time quadratic in the size of a section.
fn positions(site: &Site) -> Vec<Option<usize>> {
    let mut at = vec![None; site.pages.len()];
    for s in &site.sections {
        for (pos, &i) in s.pages.iter().enumerate() {
            at[i] = Some(pos);
        }
    }
    at
}

impl std::ops::Deref for Shared<'_> {
    type Target = Prepared;
    fn deref(&self) -> &Prepared {
        self.prep
    }
}

impl Shared<'_> {
    fn base_context(&self, current_path: &str, meta: MetaView<'_>) -> Context {
        let mut ctx = Context::new();
        ctx.insert_value("site", self.site_value.clone());
        ctx.insert_value("assets", self.assets_value.clone());
        ctx.insert_value("active_warnings", self.warnings_value.clone());
        ctx.insert_value("now", self.now_value.clone());
        ctx.insert("current_path", &self.site.url(current_path));
        ctx.insert("meta", &meta);
        ctx
    }

    fn meta<'m>(
        &'m self,
        headline: &'m str,
        description: &'m str,
        path: &str,
        image: Option<String>,
        og_type: &'static str,
    ) -> MetaView<'m> {
        let title = if path.is_empty() || headline == self.site.config.title {
            self.site.config.title.clone()
        } else {
            format!("{headline}｜{}", self.site.config.title)
        };
        let description = if description.is_empty() {
            &*self.site.config.description
        } else {
            description
        };
        MetaView {
            title,
            headline,
            description,
            permalink: self.site.permalink(path),
            image: image.unwrap_or_else(|| self.share_image.clone()),
            og_type,
        }
    }

    fn summaries_of(&self, pages: &[usize]) -> Value {
        Value::from(
            pages
                .iter()
                .map(|&i| self.summary(i).clone())
                .collect::<Vec<_>>(),
        )
    }

    fn summary(&self, i: usize) -> &Value {
        self.summaries[i].get_or_init(|| {
            let site = self.site;
            let p = &site.pages[i];
            Value::from_serializable(&SummaryView {
                title: &p.meta.title,
                url: site.url(&p.path),
                kind: p.kind.name(),
                date: opt_rfc3339(p.sort_date()),
                description: p.meta.description.as_deref().unwrap_or(""),
                summary: &p.summary,
                warning: warning_view(p, &site.now),
                campaign: campaign_view(p, &site.now),
            })
        })
    }

    /// Absolute URL of an image named in front matter: a full URL, a site path, or a file beside the page.
    fn image_url(&self, image: &str, page_path: &str) -> String {
        let image = image.trim();
        if image.starts_with("http://") || image.starts_with("https://") {
            image.to_string()
        } else if let Some(rest) = image.strip_prefix('/') {
            self.site.permalink(rest)
        } else {
            self.site.permalink(&format!("{page_path}{image}"))
        }
    }
}

fn build_tera(theme: &Theme) -> (Tera, Vec<Diagnostic>) {
    let mut tera = Tera::new();
    tera.autoescape_on(vec![".html", ".htm", ".xml"]);
    tera.register_filter("date_zh", |s: &str, _: Kwargs, _: &State| date_zh(s));
    tera.register_filter("datetime_zh", |s: &str, _: Kwargs, _: &State| {
        datetime_zh(s)
    });
    let mut diags = Vec::new();
    let all: Vec<(&str, &str)> = theme
        .templates
        .values()
        .map(|t| (t.name.as_str(), t.text.as_str()))
        .collect();
    if let Err(err) = tera.add_raw_templates(all) {
        diags.push(template_diagnostic(&err, theme));
        // Keep going with the templates that do parse, one by one, so every broken
        // template is reported, not just the first.
        let mut t2 = Tera::new();
        for t in theme.templates.values() {
            if let Err(e) = t2.add_raw_template(&t.name, &t.text) {
                let d = template_diagnostic(&e, theme);
                if !diags.contains(&d) {
                    diags.push(d);
                }
            }
        }
    }
    (tera, diags)
}

/// Turns a Tera error into a diagnostic pointing into the template file.
fn template_diagnostic(err: &tera::Error, theme: &Theme) -> Diagnostic {
    use tera::ErrorKind;
    let (report, what) = match err.kind() {
        ErrorKind::SyntaxError(r) => (Some(r), ("模板语法错误", "template syntax error")),
        ErrorKind::RenderingError(r) => (Some(r), ("模板渲染出错", "template rendering failed")),
        _ => (None, ("模板出错", "template error")),
    };
    match report {
        Some(r) => {
            let t = theme.templates.get(r.filename());
            let mut d =
                Diagnostic::error(text!(zh: "{}：{}", en: "{}: {}", what.0, r.message()).clone());
            d.message.en = format!("{}: {}", what.1, r.message());
            if let Some(t) = t {
                d = d.in_file(&t.display).at(r.span().range.clone());
            } else if !r.filename().is_empty() {
                d = d.in_file(r.filename());
            }
            d
        }
        None => {
            let mut msg = err.to_string();
            let mut source = std::error::Error::source(err);
            while let Some(s) = source {
                msg.push_str(": ");
                msg.push_str(&s.to_string());
                source = s.source();
            }
            Diagnostic::error(text!(zh: "模板出错：{msg}", en: "template error: {msg}"))
        }
    }
}

/// What one output file is made from.
enum Job {
    Page(usize),
    Section {
        section: usize,
        pager: usize,
    },
    TaxonomyList(usize),
    Term {
        taxonomy: usize,
        term: usize,
        pager: usize,
    },
    NotFound,
    Contacts,
    /// `/search/`, which reads the index at this URL.
    Search(String),
    /// The print page of a leaflet: `leaflets/<slug>/print/`.
    LeafletPrint(usize),
}

/// Makes what every job shares: the templates, the site's settings, banners and
/// asset URLs as Tera values, the theme's static files (returned), and with `keyed`
/// the keys a [`RenderCache`] compares. `None` when a template does not parse.
fn prepare(
    site: &Site,
    theme: &Theme,
    keyed: bool,
) -> (Option<Prepared>, Vec<OutFile>, Vec<Diagnostic>) {
    let (tera, mut diagnostics) = build_tera(theme);
    let mut files: Vec<OutFile> = Vec::new();
    if !diagnostics.is_empty() {
        // Rendering with a broken template set would only add "template not found"
        // for every page that extends the broken one.
        return (None, files, diagnostics);
    }

    // Theme static files: hashed names for the ones pages reference.
    let mut asset_urls: BTreeMap<&str, String> = BTreeMap::new();
    for (name, data) in &theme.statics {
        let out = if HASHED.contains(&name.as_str()) {
            match data.bytes() {
                Ok(bytes) => {
                    let mut bytes = bytes.into_owned();
                    if name == "style.css" {
                        bytes.extend_from_slice(level_css(&site.config.extra_levels).as_bytes());
                    }
                    let hash = content_hash(&bytes);
                    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
                    let out = format!("{stem}.{hash}.{ext}");
                    asset_urls.insert(name.as_str(), out.clone());
                    files.push(OutFile {
                        path: out.clone(),
                        data: OutData::Bytes(bytes),
                    });
                    continue;
                }
                Err(e) => {
                    diagnostics.push(Diagnostic::error(text!(zh: "无法读取主题文件 {name}：{e}", en: "cannot read theme file {name}: {e}")));
                    continue;
                }
            }
        } else {
            name.clone()
        };
        files.push(OutFile {
            path: out,
            data: match data {
                StaticData::Embedded(b) => OutData::Static(b),
                StaticData::File(p) => OutData::Copy(p.clone()),
            },
        });
    }
    let asset = |name: &str| {
        asset_urls
            .get(name)
            .map(|p| site.url(p))
            .unwrap_or_default()
    };
    let share_image = match &site.config.image {
        Some(img) if img.starts_with("http://") || img.starts_with("https://") => img.clone(),
        Some(img) => site.permalink(img.trim_start_matches('/')),
        None => asset_urls
            .get("share.png")
            .map(|p| site.permalink(p))
            .unwrap_or_default(),
    };

    let config = &site.config;
    let menu: Vec<NameUrl> = site
        .sections
        .iter()
        .skip(1)
        .map(|s| NameUrl {
            name: s.title.clone(),
            url: site.url(&s.path),
        })
        .collect();
    let hotlines: Vec<BTreeMap<&str, String>> = config
        .hotlines
        .iter()
        .map(|h| {
            BTreeMap::from([
                ("name", h.name.clone()),
                ("number", h.number.clone()),
                ("note", h.note.clone()),
                ("tel", tel_digits(&h.number)),
            ])
        })
        .collect();
    let site_json = serde_json::json!({
        "title": config.title,
        "description": config.description,
        "base_url": config.base_url,
        "base_path": config.base_path,
        "preview_address": config.preview_address,
        "township": config.township,
        "language": "zh-CN",
        "image": share_image,
        "hotlines": hotlines,
        "contacts_url": site.contacts_path().map(|p| site.url(p)),
        "search_url": crate::render::search::page_path(site).map(|_| site.url(crate::render::search::PAGE_PATH)),
        "footer": config.footer,
        "menu": menu,
        "extra": config.extra,
    });
    let assets_json = serde_json::json!({ "css": asset("style.css"), "print_css": asset("print.css"), "js": asset("anxuan.js"), "search_js": asset("search.js") });
    let banners: Vec<BannerView> = site
        .active_warnings
        .iter()
        .filter_map(|&i| {
            let p = &site.pages[i];
            let w = p.meta.warning.as_ref()?;
            Some(BannerView {
                title: &p.meta.title,
                url: site.url(&p.path),
                level: w.level.en(),
                level_name: w.level.zh(),
                hazard: &w.hazard,
                issuer: &w.issuer,
                issued: rfc3339(&w.issued),
                expires: rfc3339(&w.expires),
                expires_zh: banner_expires_zh(w, &site.now),
            })
        })
        .collect();
    let now_value = rfc3339(&site.now);
    let shows_now = theme.templates.values().any(|t| t.text.contains("now"));
    let (global_key, summary_keys) = match keyed {
        true => {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            site_json.to_string().hash(&mut h);
            assets_json.to_string().hash(&mut h);
            serde_json::to_string(&banners).ok().hash(&mut h);
            share_image.hash(&mut h);
            // The built-in theme does not show `now`; a theme that does is re-rendered
            // whenever it moves.
            if shows_now {
                now_value.hash(&mut h);
            }
            let keys = site
                .pages
                .par_iter()
                .map(|p| summary_key(p, &site.now))
                .collect();
            (h.finish(), keys)
        }
        false => (0, Vec::new()),
    };
    let prepared = Prepared {
        tera,
        site_value: Value::from_serializable(&site_json),
        assets_value: Value::from_serializable(&assets_json),
        warnings_value: Value::from_serializable(&banners),
        now_value: Value::from(now_value),
        share_image,
        global_key,
        summary_keys,
        template_keys: if keyed {
            template_keys(theme)
        } else {
            HashMap::new()
        },
        shows_now,
    };
    (Some(prepared), files, diagnostics)
}

pub fn render(
    site: &Site,
    theme: &Theme,
    sink: &dyn Sink,
    cache: Option<&RenderCache>,
    search_mode: Search,
) -> Rendered {
    let (prepared, mut files, mut diagnostics) = prepare(site, theme, cache.is_some());
    let Some(prepared) = prepared else {
        return Rendered {
            paths: Vec::new(),
            diagnostics,
            keys: HashMap::new(),
            prepared: None,
        };
    };
    let config = &site.config;
    let t = std::time::Instant::now();
    let search = match search_mode {
        Search::Include | Search::Only => crate::render::search::build(site),
        Search::Later => None,
    };
    crate::base::trace::trace("search index", t);
    let shared = Shared {
        site,
        prep: &prepared,
        summaries: site.pages.iter().map(|_| OnceLock::new()).collect(),
        summary_keys: &prepared.summary_keys,
        positions: positions(site),
    };

    let mut jobs: Vec<Job> = (0..site.pages.len()).map(Job::Page).collect();
    jobs.extend(
        (0..site.pages.len())
            .filter(|&i| site.pages[i].kind == crate::parse::meta::Kind::Leaflet)
            .map(Job::LeafletPrint),
    );
    for (si, s) in site.sections.iter().enumerate() {
        let pagers = s.pages.len().div_ceil(per_pager(site, s)).max(1);
        jobs.extend((1..=pagers).map(|pager| Job::Section { section: si, pager }));
    }
    for (ti, t) in site.taxonomies.iter().enumerate() {
        if t.terms.is_empty() {
            continue;
        }
        jobs.push(Job::TaxonomyList(ti));
        for (term, tm) in t.terms.iter().enumerate() {
            let pagers = tm.pages.len().div_ceil(config.paginate).max(1);
            jobs.extend((1..=pagers).map(|pager| Job::Term {
                taxonomy: ti,
                term,
                pager,
            }));
        }
    }
    jobs.push(Job::NotFound);
    if site.contacts_path().is_some() {
        jobs.push(Job::Contacts);
    }
    let search_files = match search {
        Some(s) => {
            jobs.push(Job::Search(s.meta_url));
            s.files
        }
        None => Vec::new(),
    };
    if search_mode == Search::Only {
        jobs.retain(|j| matches!(j, Job::Search(_)));
    }

    // Each job hands its file to the sink at once; only the path is kept. The search
    // index's many small files are written alongside, in parallel too. With a cache,
    // a job whose inputs are unchanged is skipped and its last file stands.
    let t = std::time::Instant::now();
    type Done = Result<(String, Option<u64>), Box<Diagnostic>>;
    let results: Vec<Done> = jobs
        .par_iter()
        .map(|job| render_job(&shared, job, sink, cache, theme).map(|(p, key, _)| (p, key)))
        .chain(
            search_files
                .into_par_iter()
                .map(|f| put(sink, f).map(|p| (p, None))),
        )
        .collect();
    crate::base::trace::trace("templates", t);
    let mut paths = Vec::with_capacity(results.len() + files.len());
    let mut keys = HashMap::new();
    for r in results {
        match r {
            Ok((p, key)) => {
                if let Some(key) = key {
                    keys.insert(p.clone(), key);
                }
                paths.push(p)
            }
            Err(d) => {
                if !diagnostics.contains(&d) {
                    diagnostics.push(*d);
                }
            }
        }
    }

    // Redirects: the first pager's /page/1/ and every alias.
    for (si, s) in site.sections.iter().enumerate() {
        let _ = si;
        files.push(redirect(site, &format!("{}page/1/", s.path), &s.path));
    }
    for (out, page) in &site.aliases {
        let target = &site.pages[*page].path;
        let file = if out.ends_with(".html") {
            out.clone()
        } else {
            format!("{out}index.html")
        };
        let mut r = redirect(site, out, target);
        r.path = file;
        files.push(r);
    }
    for t in &site.taxonomies {
        for term in &t.terms {
            let base = term_path(t.kind, &term.slug);
            files.push(redirect(site, &format!("{base}page/1/"), &base));
        }
    }

    files.push(OutFile {
        path: "feed.xml".into(),
        data: OutData::Bytes(postprocess::atom_feed(site).into_bytes()),
    });
    files.push(OutFile {
        path: "sitemap.xml".into(),
        data: OutData::Bytes(postprocess::sitemap(site).into_bytes()),
    });
    for a in &site.assets {
        files.push(OutFile {
            path: a.out.clone(),
            data: OutData::Copy(a.abs.clone()),
        });
    }
    if search_mode == Search::Only {
        files.clear();
    }
    for f in files {
        match put(sink, f) {
            Ok(p) => paths.push(p),
            Err(d) => diagnostics.push(*d),
        }
    }
    drop(shared);
    Rendered {
        paths,
        diagnostics,
        keys,
        prepared: cache.map(|_| prepared),
    }
}

/// Renders one job and hands its file to the sink, unless a cache holds its key
/// unchanged (its last file stands). Returns the file's path, with a cache its key,
/// and whether it was rendered.
fn render_job(
    shared: &Shared<'_>,
    job: &Job,
    sink: &dyn Sink,
    cache: Option<&RenderCache>,
    theme: &Theme,
) -> Result<(String, Option<u64>, bool), Box<Diagnostic>> {
    let path = html_path(output_path(shared.site, job));
    let key = cache.map(|c| (c, job_key(shared, job)));
    if let Some((c, key)) = key {
        if c.keys.get(&path) == Some(&key) {
            return Ok((path, Some(key), false));
        }
    }
    match run_job(shared, job) {
        Ok(html) => put(
            sink,
            OutFile {
                path,
                data: OutData::Bytes(html.into_bytes()),
            },
        )
        .map(|p| (p, key.map(|k| k.1), true)),
        Err(e) => Err(Box::new(template_diagnostic(&e, theme))),
    }
}

/// Renders again what shows the given pages after they changed in place (see
/// `model::patch`): each page itself and its print page, the section and term pagers
/// that list it, the home page and the feed; for those in `fronts`, whose front
/// matter changed, also their neighbours (which show their titles) and the sitemap.
/// A job whose key is what `cache` holds is skipped. Returns the files made and their
/// keys; `prepared` takes the pages' new summary keys only if every job rendered.
pub fn rerender(
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
        summary_keys[i] = summary_key(&site.pages[i], &site.now);
    }
    let shared = Shared {
        site,
        prep: prepared,
        summaries: site.pages.iter().map(|_| OnceLock::new()).collect(),
        summary_keys: &summary_keys,
        positions: positions(site),
    };
    let mut jobs = Vec::new();
    // The home page shows the newest notices, campaigns and statistics on every pager.
    let home = &site.sections[0];
    let home_pagers = home.pages.len().div_ceil(per_pager(site, home)).max(1);
    jobs.extend((1..=home_pagers).map(|pager| Job::Section { section: 0, pager }));
    let pager_of = |list: &[usize], i: usize, per: usize| {
        list.iter().position(|&x| x == i).map(|pos| pos / per + 1)
    };
    for &i in pages {
        let p = &site.pages[i];
        jobs.push(Job::Page(i));
        if p.kind == crate::parse::meta::Kind::Leaflet {
            jobs.push(Job::LeafletPrint(i));
        }
        let s = &site.sections[p.section];
        if let Some(pos) = shared.positions[i] {
            jobs.push(Job::Section {
                section: p.section,
                pager: pos / per_pager(site, s) + 1,
            });
            if fronts.contains(&i) {
                let around = [pos.checked_sub(1), Some(pos + 1)];
                for &n in around.iter().flatten().filter_map(|&n| s.pages.get(n)) {
                    jobs.push(Job::Page(n));
                    // A print page has the same page context, neighbours and all.
                    if site.pages[n].kind == crate::parse::meta::Kind::Leaflet {
                        jobs.push(Job::LeafletPrint(n));
                    }
                }
            }
        }
        for (ti, t) in site.taxonomies.iter().enumerate() {
            let terms = match t.kind {
                TaxonomyKind::Tags => &p.tags,
                TaxonomyKind::Categories => &p.categories,
            };
            for &term in terms {
                if let Some(pager) = pager_of(&t.terms[term].pages, i, site.config.paginate) {
                    jobs.push(Job::Term {
                        taxonomy: ti,
                        term,
                        pager,
                    });
                }
            }
        }
    }
    jobs.sort_unstable_by_key(|j| output_path(site, j));
    jobs.dedup_by_key(|j| output_path(site, j));
    let results: Vec<_> = jobs
        .par_iter()
        .map(|job| render_job(&shared, job, sink, Some(cache), theme))
        .collect();
    drop(shared);
    let mut out = Rendered {
        paths: Vec::new(),
        diagnostics: Vec::new(),
        keys: HashMap::new(),
        prepared: None,
    };
    for r in results {
        match r {
            Ok((path, key, rendered)) => {
                if let (Some(key), true) = (key, rendered) {
                    out.keys.insert(path.clone(), key);
                    out.paths.push(path);
                }
            }
            Err(d) => {
                if !out.diagnostics.contains(&d) {
                    out.diagnostics.push(*d);
                }
            }
        }
    }
    let mut files = vec![OutFile {
        path: "feed.xml".into(),
        data: OutData::Bytes(postprocess::atom_feed(site).into_bytes()),
    }];
    if !fronts.is_empty() {
        files.push(OutFile {
            path: "sitemap.xml".into(),
            data: OutData::Bytes(postprocess::sitemap(site).into_bytes()),
        });
    }
    for f in files {
        match put(sink, f) {
            Ok(p) => out.paths.push(p),
            Err(d) => out.diagnostics.push(*d),
        }
    }
    if out.diagnostics.is_empty() {
        prepared.summary_keys = summary_keys;
    }
    out
}

fn put(sink: &dyn Sink, f: OutFile) -> Result<String, Box<Diagnostic>> {
    let path = f.path.clone();
    sink.put(f).map(|_| path).map_err(|e| {
        Box::new(Diagnostic::error(text!(zh: "写入文件失败：{e}；原有的网站文件保持不变", en: "writing a file failed: {e}; the previous output is unchanged")))
    })
}

/// Where a term's list lives: `tags/fang-xun/`.
fn term_path(kind: TaxonomyKind, slug: &str) -> String {
    format!("{}/{}/", kind.name(), slug)
}

/// Pages per pager of a section: its own `paginate`, else the site's.
fn per_pager(site: &Site, s: &model::Section) -> usize {
    s.meta.paginate.unwrap_or(site.config.paginate)
}

/// A section's pager: which of its pages it lists, and its paginator.
fn section_pager(
    site: &Site,
    section: usize,
    pager: usize,
) -> (std::ops::Range<usize>, PaginatorView) {
    let s = &site.sections[section];
    paginate(site, &s.path, &s.pages, per_pager(site, s), pager)
}

/// A term's pager: the term's path, which of its pages the pager lists, and its
/// paginator.
fn term_pager(
    site: &Site,
    taxonomy: usize,
    term: usize,
    pager: usize,
) -> (String, std::ops::Range<usize>, PaginatorView) {
    let t = &site.taxonomies[taxonomy];
    let tm = &t.terms[term];
    let base = term_path(t.kind, &tm.slug);
    let (range, paginator) = paginate(site, &base, &tm.pages, site.config.paginate, pager);
    (base, range, paginator)
}

fn pager_path(base: &str, pager: usize) -> String {
    if pager <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{pager}/")
    }
}

fn paginate(
    site: &Site,
    base: &str,
    pages: &[usize],
    per: usize,
    pager: usize,
) -> (std::ops::Range<usize>, PaginatorView) {
    let total_pages = pages.len().div_ceil(per).max(1);
    let start = ((pager - 1) * per).min(pages.len());
    let end = (start + per).min(pages.len());
    let view = PaginatorView {
        current: pager,
        total_pages,
        prev_url: if pager > 1 {
            site.url(&pager_path(base, pager - 1))
        } else {
            String::new()
        },
        next_url: if pager < total_pages {
            site.url(&pager_path(base, pager + 1))
        } else {
            String::new()
        },
    };
    (start..end, view)
}

fn template_for(tera: &Tera, kind: Kind) -> String {
    let specific = format!("{}.html", kind.name());
    if tera.contains_template(&specific) {
        specific
    } else {
        "page.html".into()
    }
}

/// The file an output path is written to: `notices/a/` → `notices/a/index.html`.
fn html_path(path: String) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    }
}

fn html_file(path: String, html: String) -> OutFile {
    OutFile {
        path: html_path(path),
        data: OutData::Bytes(html.into_bytes()),
    }
}

/// Where a job's page goes, below the site root.
fn output_path(site: &Site, job: &Job) -> String {
    match *job {
        Job::Page(i) => site.pages[i].path.clone(),
        Job::LeafletPrint(i) => format!("{}print/", site.pages[i].path),
        Job::Section { section, pager } => pager_path(&site.sections[section].path, pager),
        Job::TaxonomyList(ti) => format!("{}/", site.taxonomies[ti].kind.name()),
        Job::Term {
            taxonomy,
            term,
            pager,
        } => {
            let t = &site.taxonomies[taxonomy];
            pager_path(&term_path(t.kind, &t.terms[term].slug), pager)
        }
        Job::NotFound => "404.html".into(),
        Job::Contacts => site.contacts_path().unwrap_or("contacts/").into(),
        Job::Search(_) => crate::render::search::PAGE_PATH.into(),
    }
}

/// What a page's list entry is made from besides the site: its version and URL, and
/// its warning or campaign state, which moves with the clock.
fn summary_key(p: &Page, now: &jiff::Zoned) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (p.version, &p.path).hash(&mut h);
    warning_view(p, now)
        .and_then(|w| serde_json::to_string(&w).ok())
        .hash(&mut h);
    campaign_view(p, now)
        .and_then(|c| serde_json::to_string(&c).ok())
        .hash(&mut h);
    h.finish()
}

/// The template a job renders.
fn job_template(tera: &Tera, site: &Site, job: &Job) -> String {
    match *job {
        Job::Page(i) => template_for(tera, site.pages[i].kind),
        Job::LeafletPrint(_) => "leaflet_print.html".into(),
        Job::Section { section: 0, .. } => "index.html".into(),
        Job::Section { .. } => "section.html".into(),
        Job::TaxonomyList(_) => "taxonomy_list.html".into(),
        Job::Term { .. } => "taxonomy_term.html".into(),
        Job::NotFound => "404.html".into(),
        Job::Contacts => "contacts.html".into(),
        Job::Search(_) => "search.html".into(),
    }
}

/// For every template, a hash of its own text and the texts of the templates it
/// draws on: those it extends or includes, through theirs, and every template that
/// defines a component (components can be called from any template). A template
/// this cannot follow (an include of a variable, say) is taken to draw on all.
fn template_keys(theme: &Theme) -> HashMap<String, u64> {
    #[derive(Default)]
    struct Uses {
        names: Vec<String>,
        defines_component: bool,
        unknown: bool,
    }
    let uses: HashMap<&str, Uses> = theme
        .templates
        .values()
        .map(|t| {
            let mut u = Uses::default();
            for tag in t.text.split("{%").skip(1) {
                let tag = tag.split("%}").next().unwrap_or("");
                let tag = tag.trim_start_matches('-').trim();
                let mut words = tag.splitn(2, char::is_whitespace);
                match words.next() {
                    Some("extends" | "include") => {
                        let rest = words.next().unwrap_or("").trim();
                        let quote = rest.chars().next();
                        match quote.filter(|q| matches!(q, '"' | '\'' | '`')) {
                            Some(q) => {
                                let name = rest[1..].split(q).next().unwrap_or("");
                                u.names.push(name.to_string());
                            }
                            None => u.unknown = true,
                        }
                    }
                    Some("component") => u.defines_component = true,
                    _ => {}
                }
            }
            (t.name.as_str(), u)
        })
        .collect();
    let libraries: Vec<&str> = uses
        .iter()
        .filter(|(_, u)| u.defines_component)
        .map(|(n, _)| *n)
        .collect();
    let all: u64 = {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for t in theme.templates.values() {
            (&t.name, &t.text).hash(&mut h);
        }
        h.finish()
    };
    theme
        .templates
        .keys()
        .map(|name| {
            let mut seen: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
            let mut todo: Vec<&str> = vec![name.as_str()];
            todo.extend(&libraries);
            let mut unknown = false;
            while let Some(n) = todo.pop() {
                if !seen.insert(n) {
                    continue;
                }
                // A template that is not there makes its job fail, whatever it was.
                if let Some(u) = uses.get(n) {
                    unknown |= u.unknown;
                    todo.extend(u.names.iter().map(String::as_str));
                }
            }
            let mut h = std::collections::hash_map::DefaultHasher::new();
            if unknown {
                all.hash(&mut h);
            }
            for n in seen {
                (n, theme.templates.get(n).map(|t| &t.text)).hash(&mut h);
            }
            (name.clone(), h.finish())
        })
        .collect()
}

/// The hash of everything a job's page is made from (see [`RenderCache`]).
fn job_key(sh: &Shared<'_>, job: &Job) -> u64 {
    let site = sh.site;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    sh.global_key.hash(&mut h);
    let template = job_template(&sh.tera, site, job);
    sh.template_keys.get(&template).hash(&mut h);
    template.hash(&mut h);
    let link = |h: &mut std::collections::hash_map::DefaultHasher, i: usize| {
        (&site.pages[i].meta.title, &site.pages[i].path).hash(h)
    };
    match *job {
        Job::Page(i) | Job::LeafletPrint(i) => {
            matches!(job, Job::Page(_)).hash(&mut h);
            let p = &site.pages[i];
            sh.summary_keys[i].hash(&mut h);
            site.leaflet_pdfs.contains(&p.path).hash(&mut h);
            let section = &site.sections[p.section];
            (&section.title, &section.path).hash(&mut h);
            let pos = sh.positions[i];
            for j in [pos.map(|x| x + 1), pos.and_then(|x| x.checked_sub(1))] {
                match j.and_then(|j| section.pages.get(j)) {
                    Some(&k) => link(&mut h, k),
                    None => 0.hash(&mut h),
                }
            }
            for (kind, terms) in [
                (TaxonomyKind::Tags, &p.tags),
                (TaxonomyKind::Categories, &p.categories),
            ] {
                for t in term_links(site, kind, terms) {
                    (t.name, t.url).hash(&mut h);
                }
            }
        }
        Job::Section { section, pager } => {
            let s = &site.sections[section];
            (&s.path, &s.title, s.kind.name(), &s.html).hash(&mut h);
            format!("{:?}", s.meta).hash(&mut h);
            let (range, paginator) = section_pager(site, section, pager);
            (pager, paginator.total_pages).hash(&mut h);
            for &i in &s.pages[range] {
                sh.summary_keys[i].hash(&mut h);
            }
            if section == 0 {
                let home = home_selection(site);
                for &i in home.notices.iter().chain(&home.campaigns) {
                    sh.summary_keys[i].hash(&mut h);
                }
                home.stats_page.map(|i| sh.summary_keys[i]).hash(&mut h);
                for s in site.sections.iter().skip(1) {
                    (&s.title, &s.path, s.kind.name(), &s.meta.description).hash(&mut h);
                    s.pages.len().hash(&mut h);
                }
            }
        }
        Job::TaxonomyList(ti) => {
            for t in &site.taxonomies[ti].terms {
                (&t.name, &t.slug, t.pages.len()).hash(&mut h);
            }
        }
        Job::Term {
            taxonomy,
            term,
            pager,
        } => {
            let t = &site.taxonomies[taxonomy];
            let tm = &t.terms[term];
            (t.kind.name(), &tm.name, &tm.slug).hash(&mut h);
            let (_, range, paginator) = term_pager(site, taxonomy, term, pager);
            (pager, paginator.total_pages).hash(&mut h);
            for &i in &tm.pages[range] {
                sh.summary_keys[i].hash(&mut h);
            }
        }
        Job::NotFound | Job::Contacts => {}
        Job::Search(ref index) => index.hash(&mut h),
    }
    h.finish()
}

/// The context of a page's own web page: `page` (with its body) and the base context.
fn page_context(sh: &Shared<'_>, i: usize) -> Context {
    let site = sh.site;
    let p = &site.pages[i];
    let section = &site.sections[p.section];
    let pos = sh.positions[i];
    // Sections list newest first: the next entry is older ("lower").
    let neighbour = |j: Option<usize>| {
        j.and_then(|j| section.pages.get(j)).map(|&k| LinkView {
            title: site.pages[k].meta.title.clone(),
            url: site.url(&site.pages[k].path),
        })
    };
    let image = p
        .meta
        .image
        .as_ref()
        .map(|img| sh.image_url(&img.value, &p.path));
    let view = PageView {
        title: &p.meta.title,
        kind: p.kind.name(),
        url: site.url(&p.path),
        permalink: site.permalink(&p.path),
        date: opt_rfc3339(p.sort_date()),
        updated: opt_rfc3339(p.meta.updated.as_ref()),
        description: p.meta.description.as_deref().unwrap_or(""),
        summary: &p.summary,
        reading_minutes: p.reading_minutes,
        char_count: p.char_count,
        tags: term_links(site, TaxonomyKind::Tags, &p.tags),
        categories: term_links(site, TaxonomyKind::Categories, &p.categories),
        section: (p.section != 0).then(|| LinkView {
            title: section.title.clone(),
            url: site.url(&section.path),
        }),
        image: image.clone().unwrap_or_else(|| sh.share_image.clone()),
        toc: p
            .headings
            .iter()
            .map(|h| TocEntry {
                level: h.level,
                id: &h.id,
                title: &h.title,
            })
            .collect(),
        lower: neighbour(pos.map(|x| x + 1)),
        higher: neighbour(pos.and_then(|x| x.checked_sub(1))),
        extra: &p.meta.extra,
        warning: warning_view(p, &site.now),
        campaign: campaign_view(p, &site.now),
        figures: &p.meta.figures,
        leaflet: p.meta.leaflet.as_ref().map(|l| LeafletView {
            paper: l.paper,
            qr: l.qr,
            print_url: site.url(&format!("{}print/", p.path)),
            pdf_url: site
                .leaflet_pdfs
                .contains(&p.path)
                .then(|| site.url(&format!("{}.pdf", p.path.trim_end_matches('/')))),
        }),
    };
    let mut ctx = sh.base_context(
        &p.path,
        sh.meta(&p.meta.title, &p.summary, &p.path, image, "article"),
    );
    let mut page_value = Value::from_serializable(&view);
    // The body is rendered HTML, so it goes in marked safe, never escaped twice.
    if let Some(map) = page_value.as_map().cloned() {
        let mut map = map;
        map.insert(
            "content".into(),
            Value::safe_string(&postprocess::content(&p.html)),
        );
        page_value = Value::from(map.into_iter().collect::<std::collections::HashMap<_, _>>());
    }
    ctx.insert_value("page", page_value);
    ctx
}

fn run_job(sh: &Shared<'_>, job: &Job) -> Result<String, tera::Error> {
    let site = sh.site;
    let template = job_template(&sh.tera, site, job);
    match *job {
        Job::Page(i) => {
            let ctx = page_context(sh, i);
            sh.tera.render(&template, &ctx)
        }
        Job::LeafletPrint(i) => {
            let p = &site.pages[i];
            let mut ctx = page_context(sh, i);
            let leaflet = p.meta.leaflet.as_ref();
            let paper = leaflet
                .map(|l| l.paper)
                .unwrap_or(crate::parse::meta::Paper::A4);
            let permalink = site.permalink(&p.path);
            let qr = if leaflet.is_none_or(|l| l.qr) {
                crate::render::qr::svg(&permalink, 28.0)
            } else {
                None
            };
            ctx.insert(
                "print",
                &serde_json::json!({
                    "paper": paper,
                    "url": permalink,
                    "qr": qr,
                    "date": p.sort_date().map(|d| d.strftime("%Y年%-m月%-d日").to_string()),
                }),
            );
            sh.tera.render(&template, &ctx)
        }
        Job::Section { section, pager } => {
            let s = &site.sections[section];
            let (range, paginator) = section_pager(site, section, pager);
            let path = pager_path(&s.path, pager);
            let description = s.meta.description.as_deref().unwrap_or("");
            let meta = sh.meta(&s.title, description, &path, None, "website");
            let mut ctx = sh.base_context(&path, meta);
            let mut map: BTreeMap<&str, Value> = BTreeMap::new();
            map.insert("title", Value::from(s.title.as_str()));
            map.insert("url", Value::from(site.url(&s.path)));
            map.insert("permalink", Value::from(site.permalink(&s.path)));
            map.insert("description", Value::from(description));
            map.insert(
                "content",
                Value::safe_string(&postprocess::content(&s.html)),
            );
            map.insert("kind", Value::from(s.kind.name()));
            map.insert("pages", sh.summaries_of(&s.pages[range]));
            map.insert("paginator", Value::from_serializable(&paginator));
            ctx.insert_value("section", Value::from(map));
            ctx.insert("paginator", &paginator);
            if section == 0 {
                ctx.insert_value("home", home_value(sh));
            }
            sh.tera.render(&template, &ctx)
        }
        Job::TaxonomyList(ti) => {
            let t = &site.taxonomies[ti];
            let path = format!("{}/", t.kind.name());
            let mut ctx =
                sh.base_context(&path, sh.meta(t.kind.title(), "", &path, None, "website"));
            ctx.insert("taxonomy", &taxonomy_view(site, t.kind));
            let terms: Vec<serde_json::Value> = t
                .terms
                .iter()
                .map(|term| {
                    serde_json::json!({
                        "name": term.name,
                        "url": site.url(&term_path(t.kind, &term.slug)),
                        "count": term.pages.len(),
                    })
                })
                .collect();
            ctx.insert("terms", &terms);
            sh.tera.render(&template, &ctx)
        }
        Job::Term {
            taxonomy,
            term,
            pager,
        } => {
            let t = &site.taxonomies[taxonomy];
            let tm = &t.terms[term];
            let (base, range, paginator) = term_pager(site, taxonomy, term, pager);
            let path = pager_path(&base, pager);
            let headline = format!("{}：{}", t.kind.title(), tm.name);
            let mut ctx = sh.base_context(&path, sh.meta(&headline, "", &path, None, "website"));
            ctx.insert("taxonomy", &taxonomy_view(site, t.kind));
            let mut map: BTreeMap<&str, Value> = BTreeMap::new();
            map.insert("name", Value::from(tm.name.as_str()));
            map.insert("url", Value::from(site.url(&base)));
            map.insert("pages", sh.summaries_of(&tm.pages[range]));
            ctx.insert_value("term", Value::from(map));
            ctx.insert("paginator", &paginator);
            sh.tera.render(&template, &ctx)
        }
        Job::NotFound => {
            let ctx = sh.base_context(
                "404.html",
                sh.meta("页面不存在", "", "404.html", None, "website"),
            );
            sh.tera.render(&template, &ctx)
        }
        Job::Contacts => {
            let path = site.contacts_path().unwrap_or("contacts/");
            let description = format!("{}的求助和值班电话，点一下即可拨打", site.config.township);
            let ctx = sh.base_context(
                path,
                sh.meta("求助电话", &description, path, None, "website"),
            );
            sh.tera.render(&template, &ctx)
        }
        Job::Search(ref index) => {
            let path = crate::render::search::PAGE_PATH;
            let description = format!("在{}查找通知、预警和宣传材料", site.config.title);
            let mut ctx =
                sh.base_context(path, sh.meta("搜索", &description, path, None, "website"));
            ctx.insert("search", &serde_json::json!({ "index": index }));
            sh.tera.render(&template, &ctx)
        }
    }
}

fn taxonomy_view(site: &Site, kind: TaxonomyKind) -> serde_json::Value {
    serde_json::json!({ "name": kind.name(), "title": kind.title(), "url": site.url(&format!("{}/", kind.name())) })
}

fn term_links(site: &Site, kind: TaxonomyKind, terms: &[usize]) -> Vec<NameUrl> {
    let Some(t) = site.taxonomies.iter().find(|t| t.kind == kind) else {
        return Vec::new();
    };
    terms
        .iter()
        .filter_map(|&i| t.terms.get(i))
        .map(|term| NameUrl {
            name: term.name.clone(),
            url: site.url(&term_path(kind, &term.slug)),
        })
        .collect()
}

/// The pages the home page features: the newest notices, the campaigns not yet
/// over, and the statistics page with figures.
struct HomeSelection {
    notices: Vec<usize>,
    campaigns: Vec<usize>,
    stats_page: Option<usize>,
}

fn home_selection(site: &Site) -> HomeSelection {
    let of_kind = |k: Kind| site.sections.iter().find(|s| s.kind == k);
    let notices: Vec<usize> = of_kind(Kind::Notice)
        .map(|s| s.pages.iter().take(5).copied().collect())
        .unwrap_or_default();
    let campaigns: Vec<usize> = of_kind(Kind::Campaign)
        .map(|s| {
            s.pages
                .iter()
                .copied()
                .filter(|&i| {
                    site.pages[i].meta.campaign.as_ref().is_some_and(|c| {
                        model::campaign_status(c, &site.now) != model::CampaignStatus::Ended
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let stats_page = of_kind(Kind::Stats).and_then(|s| {
        s.pages
            .iter()
            .copied()
            .find(|&i| !site.pages[i].meta.figures.is_empty())
    });
    HomeSelection {
        notices,
        campaigns,
        stats_page,
    }
}

fn home_value(sh: &Shared<'_>) -> Value {
    let site = sh.site;
    let HomeSelection {
        notices,
        campaigns,
        stats_page,
    } = home_selection(site);
    let sections: Vec<serde_json::Value> = site
        .sections
        .iter()
        .skip(1)
        .map(|s| {
            serde_json::json!({
                "title": s.title,
                "url": site.url(&s.path),
                "kind": s.kind.name(),
                "description": s.meta.description.clone().unwrap_or_default(),
                "count": s.pages.len(),
            })
        })
        .collect();
    let mut map: BTreeMap<&str, Value> = BTreeMap::new();
    map.insert("notices", sh.summaries_of(&notices));
    map.insert("campaigns", sh.summaries_of(&campaigns));
    map.insert(
        "figures",
        Value::from_serializable(
            &stats_page
                .map(|i| site.pages[i].meta.figures.clone())
                .unwrap_or_default(),
        ),
    );
    map.insert(
        "figures_page",
        match stats_page {
            Some(i) => Value::from_serializable(&LinkView {
                title: site.pages[i].meta.title.clone(),
                url: site.url(&site.pages[i].path),
            }),
            None => Value::none(),
        },
    );
    map.insert("sections", Value::from_serializable(&sections));
    Value::from(map)
}

/// A small page that sends the reader on, for old URLs and `/page/1/`.
fn redirect(site: &Site, from: &str, to: &str) -> OutFile {
    let url = site.url(to);
    let abs = site.permalink(to);
    let esc = crate::base::xml::xml_escape(&url);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>页面已移动</title>\
<link rel=\"canonical\" href=\"{}\"><meta http-equiv=\"refresh\" content=\"0; url={esc}\">\
<meta name=\"robots\" content=\"noindex\"></head><body><p>页面已移动到 <a href=\"{esc}\">{esc}</a></p></body></html>\n",
        crate::base::xml::xml_escape(&abs)
    );
    html_file(from.to_string(), html)
}

/// For tests and messages: where a page's HTML ends up.
pub fn page_output_path(site: &Site, page: usize) -> PathBuf {
    PathBuf::from(format!("{}index.html", site.pages[page].path))
}
