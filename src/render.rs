//! Renders the model into output files through Tera templates.
//!
//! Every output file is one job in a flat list that rayon works through (Zola's queue
//! on `next`). Data shared by many pages — the site, the active warnings, each page's
//! list summary — is turned into Tera values once; Tera values are reference-counted,
//! so a pager of a large tag gets its slice of summaries by reference instead of
//! re-serialising the whole tag (the cause of Zola's 53 s on 10,000 pages). Templates
//! see `*View` shapes only, never the model; content and titles are data, never
//! template source. This stage returns bytes; it writes nothing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Kwargs, State, Tera, Value};

use crate::diagnostic::Diagnostic;
use crate::meta::Kind;
use crate::model::{self, Page, Site, TaxonomyKind};
use crate::output::{OutData, OutFile, Sink};
use crate::postprocess;
use crate::text;
use crate::theme::{StaticData, Theme};

/// The theme's static files that get content-hashed names (WeChat's browser caches hard).
const HASHED: &[&str] = &[
    "style.css",
    "print.css",
    "anxuan.js",
    "search.js",
    "share.png",
];

pub struct Rendered {
    /// Output paths of every file handed to the sink, in no particular order.
    pub paths: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// 64-bit FNV-1a: tiny, stable across Rust versions, plenty for cache-busting names.
pub fn content_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{:010x}", h & 0xff_ffff_ffff)
}

pub fn rfc3339(z: &jiff::Zoned) -> String {
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

fn opt_rfc3339(z: Option<&jiff::Zoned>) -> String {
    z.map(rfc3339).unwrap_or_default()
}

/// "2023-06-04T08:00:00+08:00" → "2023年6月4日"; anything unreadable comes back as is.
pub fn date_zh(s: &str) -> String {
    let parts: Vec<&str> = s.get(..10).unwrap_or("").split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => match (m.parse::<u32>(), d.parse::<u32>()) {
            (Ok(m), Ok(d)) => format!("{y}年{m}月{d}日"),
            _ => s.to_string(),
        },
        _ => s.to_string(),
    }
}

pub fn datetime_zh(s: &str) -> String {
    let date = date_zh(s);
    match s.get(11..16) {
        Some(hm) if date != s => format!("{date} {hm}"),
        _ => date,
    }
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
    paper: crate::meta::Paper,
    qr: bool,
    print_url: String,
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
    figures: &'a [crate::meta::Figure],
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
fn level_css(levels: &[crate::config::LevelColours]) -> String {
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

/// Everything shared by all jobs, computed once.
struct Shared<'a> {
    site: &'a Site,
    tera: Tera,
    site_value: Value,
    assets_value: Value,
    warnings_value: Value,
    now_value: Value,
    /// Each page's list summary, as a Tera value, by page index.
    summaries: Vec<Value>,
    /// Absolute URL of the default share image.
    share_image: String,
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
                .map(|&i| self.summaries[i].clone())
                .collect::<Vec<_>>(),
        )
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

pub fn render(site: &Site, theme: &Theme, sink: &dyn Sink) -> Rendered {
    let (tera, mut diagnostics) = build_tera(theme);
    let mut files: Vec<OutFile> = Vec::new();
    if !diagnostics.is_empty() {
        // Rendering with a broken template set would only add "template not found"
        // for every page that extends the broken one.
        return Rendered {
            paths: Vec::new(),
            diagnostics,
        };
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
    let search = crate::search::build(site);
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
    let site_value = Value::from_serializable(&serde_json::json!({
        "title": config.title,
        "description": config.description,
        "base_url": config.base_url,
        "base_path": config.base_path,
        "township": config.township,
        "language": "zh-CN",
        "image": share_image,
        "hotlines": hotlines,
        "contacts_url": site.contacts_path().map(|p| site.url(p)),
        "search_url": search.as_ref().map(|_| site.url(crate::search::PAGE_PATH)),
        "footer": config.footer,
        "menu": menu,
        "extra": config.extra,
    }));
    let assets_value = Value::from_serializable(
        &serde_json::json!({ "css": asset("style.css"), "print_css": asset("print.css"), "js": asset("anxuan.js"), "search_js": asset("search.js") }),
    );
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
                expires_zh: short_datetime_zh(&w.expires, &site.now),
            })
        })
        .collect();
    let warnings_value = Value::from_serializable(&banners);
    let summaries: Vec<Value> = site
        .pages
        .par_iter()
        .map(|p| {
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
        .collect();
    let shared = Shared {
        site,
        tera,
        site_value,
        assets_value,
        warnings_value,
        now_value: Value::from(rfc3339(&site.now)),
        summaries,
        share_image,
    };

    let mut jobs: Vec<Job> = (0..site.pages.len()).map(Job::Page).collect();
    jobs.extend(
        (0..site.pages.len())
            .filter(|&i| site.pages[i].kind == crate::meta::Kind::Leaflet)
            .map(Job::LeafletPrint),
    );
    for (si, s) in site.sections.iter().enumerate() {
        let per = s.meta.paginate.unwrap_or(config.paginate);
        let pagers = s.pages.len().div_ceil(per).max(1);
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

    // Each job hands its file to the sink at once; only the path is kept. The search
    // index's many small files are written alongside, in parallel too.
    let results: Vec<Result<String, Box<Diagnostic>>> = jobs
        .par_iter()
        .map(|job| match run_job(&shared, job) {
            Ok(f) => put(sink, f),
            Err(e) => Err(Box::new(template_diagnostic(&e, theme))),
        })
        .chain(search_files.into_par_iter().map(|f| put(sink, f)))
        .collect();
    let mut paths = Vec::with_capacity(results.len() + files.len());
    for r in results {
        match r {
            Ok(p) => paths.push(p),
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
            let base = format!("{}/{}/", t.kind.name(), term.slug);
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
    for f in files {
        match put(sink, f) {
            Ok(p) => paths.push(p),
            Err(d) => diagnostics.push(*d),
        }
    }
    Rendered { paths, diagnostics }
}

fn put(sink: &dyn Sink, f: OutFile) -> Result<String, Box<Diagnostic>> {
    let path = f.path.clone();
    sink.put(f).map(|_| path).map_err(|e| {
        Box::new(Diagnostic::error(text!(zh: "写入文件失败：{e}；原有的网站文件保持不变", en: "writing a file failed: {e}; the previous output is unchanged")))
    })
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

fn html_file(path: String, html: String) -> OutFile {
    let file = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    };
    OutFile {
        path: file,
        data: OutData::Bytes(html.into_bytes()),
    }
}

/// The context of a page's own web page: `page` (with its body) and the base context.
fn page_context(sh: &Shared<'_>, i: usize) -> Context {
    let site = sh.site;
    let p = &site.pages[i];
    let section = &site.sections[p.section];
    let pos = section.pages.iter().position(|&x| x == i);
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

fn run_job(sh: &Shared<'_>, job: &Job) -> Result<OutFile, tera::Error> {
    let site = sh.site;
    match *job {
        Job::Page(i) => {
            let p = &site.pages[i];
            let ctx = page_context(sh, i);
            let html = sh.tera.render(&template_for(&sh.tera, p.kind), &ctx)?;
            Ok(html_file(p.path.clone(), html))
        }
        Job::LeafletPrint(i) => {
            let p = &site.pages[i];
            let mut ctx = page_context(sh, i);
            let leaflet = p.meta.leaflet.as_ref();
            let paper = leaflet.map(|l| l.paper).unwrap_or(crate::meta::Paper::A4);
            let permalink = site.permalink(&p.path);
            let qr = if leaflet.is_none_or(|l| l.qr) {
                crate::qr::svg(&permalink, 28.0)
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
            let html = sh.tera.render("leaflet_print.html", &ctx)?;
            Ok(html_file(format!("{}print/", p.path), html))
        }
        Job::Section { section, pager } => {
            let s = &site.sections[section];
            let per = s.meta.paginate.unwrap_or(site.config.paginate);
            let (range, paginator) = paginate(site, &s.path, &s.pages, per, pager);
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
            let template = if section == 0 {
                ctx.insert_value("home", home_value(sh));
                "index.html"
            } else {
                "section.html"
            };
            let html = sh.tera.render(template, &ctx)?;
            Ok(html_file(path, html))
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
                        "url": site.url(&format!("{}/{}/", t.kind.name(), term.slug)),
                        "count": term.pages.len(),
                    })
                })
                .collect();
            ctx.insert("terms", &terms);
            let html = sh.tera.render("taxonomy_list.html", &ctx)?;
            Ok(html_file(path, html))
        }
        Job::Term {
            taxonomy,
            term,
            pager,
        } => {
            let t = &site.taxonomies[taxonomy];
            let tm = &t.terms[term];
            let base = format!("{}/{}/", t.kind.name(), tm.slug);
            let (range, paginator) = paginate(site, &base, &tm.pages, site.config.paginate, pager);
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
            let html = sh.tera.render("taxonomy_term.html", &ctx)?;
            Ok(html_file(path, html))
        }
        Job::NotFound => {
            let ctx = sh.base_context(
                "404.html",
                sh.meta("页面不存在", "", "404.html", None, "website"),
            );
            let html = sh.tera.render("404.html", &ctx)?;
            Ok(OutFile {
                path: "404.html".into(),
                data: OutData::Bytes(html.into_bytes()),
            })
        }
        Job::Contacts => {
            let path = site.contacts_path().unwrap_or("contacts/");
            let description = format!("{}的求助和值班电话，点一下即可拨打", site.config.township);
            let ctx = sh.base_context(
                path,
                sh.meta("求助电话", &description, path, None, "website"),
            );
            let html = sh.tera.render("contacts.html", &ctx)?;
            Ok(html_file(path.to_string(), html))
        }
        Job::Search(ref index) => {
            let path = crate::search::PAGE_PATH;
            let description = format!("在{}查找通知、预警和宣传材料", site.config.title);
            let mut ctx =
                sh.base_context(path, sh.meta("搜索", &description, path, None, "website"));
            ctx.insert("search", &serde_json::json!({ "index": index }));
            let html = sh.tera.render("search.html", &ctx)?;
            Ok(html_file(path.to_string(), html))
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
            url: site.url(&format!("{}/{}/", kind.name(), term.slug)),
        })
        .collect()
}

fn home_value(sh: &Shared<'_>) -> Value {
    let site = sh.site;
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
    let esc = postprocess::xml_escape(&url);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>页面已移动</title>\
<link rel=\"canonical\" href=\"{}\"><meta http-equiv=\"refresh\" content=\"0; url={esc}\">\
<meta name=\"robots\" content=\"noindex\"></head><body><p>页面已移动到 <a href=\"{esc}\">{esc}</a></p></body></html>\n",
        postprocess::xml_escape(&abs)
    );
    html_file(from.to_string(), html)
}

/// For tests and messages: where a page's HTML ends up.
pub fn page_output_path(site: &Site, page: usize) -> PathBuf {
    PathBuf::from(format!("{}index.html", site.pages[page].path))
}
