//! The render queue: every output file of a site is one [`Job`] in one flat list
//! that rayon works through (as Zola's `components/site/src/queue.rs` has it). Pages,
//! leaflet print pages, section and term pagers, taxonomy lists, 404, contacts, the
//! search page and its index files, the theme's files, redirects (`page/1/`, aliases),
//! the Atom feed, the sitemap and the files copied from content bundles are all jobs.
//! [`Queue::full`] lists every job of a build, [`Queue::patch`] those that show pages
//! edited in place (`serve`), and [`Queue::run`] makes them and hands each file to the
//! sink at once.
//!
//! Adding a kind of output (a CAP file per warning, an SMS text, an image variant) is
//! four things, all in this file: a `Job` variant; its output path in [`Job::path`];
//! its key in [`Job::key`] (what it is made from, or `None` for a cheap file that is
//! always made); its producer in [`Job::produce`]; and then the constructors that
//! list it (`full`, and `patch` if an in-place edit can change it). No new code path
//! in `render`, `rerender` or the pipeline.
//!
//! This module must not write to disk (the sink does), and must not make a template
//! context or view itself: `context` does.

use std::hash::{Hash, Hasher};

use rayon::prelude::*;

use crate::base::diagnostic::Diagnostic;
use crate::base::xml::xml_escape;
use crate::input::theme::Theme;
use crate::model::{Site, TaxonomyKind};
use crate::output::{OutData, OutFile, Sink};
use crate::parse::meta::Kind;
use crate::text;

use super::context::{home_selection, section_pager, term_pager, Shared};
use super::keys::{KeyHasher, RenderCache};
use super::paths::{html_path, pager_count, pager_path, per_pager, term_path};
use super::search::{SearchIndex, PAGE_PATH as SEARCH_PATH};
use super::templates::{template_diagnostic, template_for};
use super::views::term_links;
use super::{postprocess, Search};

/// One output file and what it is made from.
#[derive(Debug)]
pub(super) enum Job {
    /// A page's own web page.
    Page(usize),
    /// The print page of a leaflet: `leaflets/<slug>/print/`.
    LeafletPrint(usize),
    /// A section's pager, counted from 1; section 0 is the home page.
    Section {
        section: usize,
        pager: usize,
    },
    /// The list of a taxonomy's terms.
    TaxonomyList(usize),
    /// A term's pager, counted from 1.
    Term {
        taxonomy: usize,
        term: usize,
        pager: usize,
    },
    NotFound,
    Contacts,
    /// `/search/`, which reads the index whose `meta.json` is at this URL.
    Search(String),
    /// One file of the search index, made with the index.
    SearchFile(OutFile),
    /// The search index's result record of a page (`search::page_record`) at `path`.
    SearchRecord {
        path: String,
        page: usize,
    },
    /// A file made before the jobs: one of the theme's static files (hashed), or a
    /// photo's copy (`photos::prepare`, which made them in parallel or found them in
    /// the image cache).
    Theme(OutFile),
    /// A small page at `file` that sends the reader on to the output path `to`.
    Redirect {
        file: String,
        to: String,
    },
    Feed,
    Sitemap,
    /// A warning's CAP 1.2 message beside its page (`cap`).
    Cap(usize),
    /// The Atom index of the CAP messages (`cap::feed`).
    CapFeed,
    /// The picture of a page's chart `n` (`data::raster`), for the 公众号 article.
    Chart {
        page: usize,
        n: usize,
    },
    /// A file from a page bundle or `static/`, copied (`Site::assets`).
    Asset(usize),
}

/// What a job left: its path, its key when keyed, and whether it was made (a keyed
/// job whose key the cache holds is skipped; its last file stands).
pub(super) struct Made {
    pub(crate) path: String,
    pub(crate) key: Option<u64>,
    pub(crate) made: bool,
}

pub(super) struct Queue {
    jobs: Vec<Job>,
}

impl Queue {
    /// Every output of a build. With [`Search::Only`], just the search page and its
    /// index; with [`Search::Later`], everything but those.
    pub(crate) fn full(
        site: &Site,
        theme_files: Vec<OutFile>,
        search: Option<SearchIndex>,
        mode: Search,
    ) -> Queue {
        let mut jobs = Vec::new();
        let search_jobs = |jobs: &mut Vec<Job>| {
            if let Some(s) = search {
                jobs.push(Job::Search(s.meta_url));
                jobs.extend(s.files.into_iter().map(Job::SearchFile));
                jobs.extend(
                    s.records
                        .into_iter()
                        .map(|(path, page)| Job::SearchRecord { path, page }),
                );
            }
        };
        if mode == Search::Only {
            search_jobs(&mut jobs);
            return Queue { jobs };
        }
        jobs.extend((0..site.pages.len()).map(Job::Page));
        jobs.extend(
            (0..site.pages.len())
                .filter(|&i| site.pages[i].kind == Kind::Leaflet)
                .map(Job::LeafletPrint),
        );
        jobs.extend(
            (0..site.pages.len())
                .filter(|&i| site.pages[i].kind == Kind::Warning)
                .map(Job::Cap),
        );
        jobs.extend(chart_jobs(site, 0..site.pages.len()));
        for (section, s) in site.sections.iter().enumerate() {
            let pagers = pager_count(s.pages.len(), per_pager(site, s));
            jobs.extend((1..=pagers).map(|pager| Job::Section { section, pager }));
        }
        for (taxonomy, t) in site.taxonomies.iter().enumerate() {
            if t.terms.is_empty() {
                continue;
            }
            jobs.push(Job::TaxonomyList(taxonomy));
            for (term, tm) in t.terms.iter().enumerate() {
                let pagers = pager_count(tm.pages.len(), site.config.paginate);
                jobs.extend((1..=pagers).map(|pager| Job::Term {
                    taxonomy,
                    term,
                    pager,
                }));
            }
        }
        jobs.push(Job::NotFound);
        if site.contacts_path().is_some() {
            jobs.push(Job::Contacts);
        }
        search_jobs(&mut jobs);
        jobs.extend(theme_files.into_iter().map(Job::Theme));
        // Redirects: every list's /page/1/ to the list, and every alias to its page.
        for s in &site.sections {
            jobs.push(Job::Redirect {
                file: html_path(format!("{}page/1/", s.path)),
                to: s.path.clone(),
            });
        }
        for (out, page) in &site.aliases {
            let file = if out.ends_with(".html") {
                out.clone()
            } else {
                format!("{out}index.html")
            };
            jobs.push(Job::Redirect {
                file,
                to: site.pages[*page].path.clone(),
            });
        }
        for t in &site.taxonomies {
            for term in &t.terms {
                let base = term_path(t.kind, &term.slug);
                jobs.push(Job::Redirect {
                    file: html_path(format!("{base}page/1/")),
                    to: base,
                });
            }
        }
        jobs.push(Job::Feed);
        jobs.push(Job::CapFeed);
        jobs.push(Job::Sitemap);
        // Photos beside pages are never copied as they are: their copies are files of
        // `photos` (among `theme_files`).
        jobs.extend(
            (0..site.assets.len())
                .filter(|&a| !crate::photo::is_processed(&site.assets[a].out))
                .map(Job::Asset),
        );
        Queue { jobs }
    }

    /// What shows the given pages after they changed in place (see `model::patch`):
    /// each page and its print page, the section and term pagers that list it, the
    /// home page and the feed; for those in `fronts`, whose front matter changed, also
    /// their neighbours (which show their titles) and the sitemap. `positions` is each
    /// page's place in its section's list.
    pub(crate) fn patch(
        site: &Site,
        positions: &[Option<usize>],
        pages: &[usize],
        fronts: &[usize],
    ) -> Queue {
        let mut jobs = Vec::new();
        // The home page shows the newest notices, campaigns and statistics on every pager.
        let home = &site.sections[0];
        let home_pagers = pager_count(home.pages.len(), per_pager(site, home));
        jobs.extend((1..=home_pagers).map(|pager| Job::Section { section: 0, pager }));
        let pager_of = |list: &[usize], i: usize, per: usize| {
            list.iter().position(|&x| x == i).map(|pos| pos / per + 1)
        };
        let page_jobs = |jobs: &mut Vec<Job>, i: usize| {
            jobs.push(Job::Page(i));
            // A print page has the same page context, neighbours and all.
            if site.pages[i].kind == Kind::Leaflet {
                jobs.push(Job::LeafletPrint(i));
            }
        };
        // A page keeps its number of charts in a patch (see `session`): the pictures
        // are made again under their names.
        jobs.extend(chart_jobs(site, pages.iter().copied()));
        for &i in pages {
            let p = &site.pages[i];
            page_jobs(&mut jobs, i);
            let s = &site.sections[p.section];
            if let Some(pos) = positions[i] {
                jobs.push(Job::Section {
                    section: p.section,
                    pager: pos / per_pager(site, s) + 1,
                });
                if fronts.contains(&i) {
                    let around = [pos.checked_sub(1), Some(pos + 1)];
                    for &n in around.iter().flatten().filter_map(|&n| s.pages.get(n)) {
                        page_jobs(&mut jobs, n);
                    }
                }
            }
            for (taxonomy, t) in site.taxonomies.iter().enumerate() {
                let terms = match t.kind {
                    TaxonomyKind::Tags => &p.tags,
                    TaxonomyKind::Categories => &p.categories,
                };
                for &term in terms {
                    if let Some(pager) = pager_of(&t.terms[term].pages, i, site.config.paginate) {
                        jobs.push(Job::Term {
                            taxonomy,
                            term,
                            pager,
                        });
                    }
                }
            }
        }
        jobs.sort_unstable_by_key(|j| j.path(site));
        jobs.dedup_by_key(|j| j.path(site));
        // No CAP file or index: an edited warning is never patched (see `session`).
        jobs.push(Job::Feed);
        if !fronts.is_empty() {
            jobs.push(Job::Sitemap);
        }
        Queue { jobs }
    }

    /// How many of the jobs read each page's rendered body (see `bodies`): its web
    /// page, its print page, and the feed for the pages it carries. Each of these
    /// jobs reads a body once, through `Shared::body`.
    pub(crate) fn body_uses(&self, site: &Site) -> Vec<usize> {
        let mut uses = vec![0; site.pages.len()];
        for job in &self.jobs {
            match job {
                Job::Page(i) | Job::LeafletPrint(i) => uses[*i] += 1,
                Job::Feed => {
                    for i in postprocess::feed_pages(site) {
                        uses[i] += 1;
                    }
                }
                _ => {}
            }
        }
        uses
    }

    /// The output paths of the jobs, in queue order.
    #[cfg(test)]
    pub(crate) fn paths(&self, site: &Site) -> Vec<String> {
        self.jobs.iter().map(|j| j.path(site)).collect()
    }

    /// Makes every job on rayon, each file handed to the sink as soon as it is made,
    /// so only paths are kept. With a cache, a keyed job whose key is unchanged is
    /// skipped. The results are in queue order.
    pub(crate) fn run(
        self,
        sh: &Shared<'_>,
        sink: &dyn Sink,
        cache: Option<&RenderCache>,
        theme: &Theme,
    ) -> Vec<Result<Made, Box<Diagnostic>>> {
        self.jobs
            .into_par_iter()
            .map(|job| {
                let path = job.path(sh.site);
                let key = cache.and_then(|_| job.key(sh));
                if let (Some(c), Some(k)) = (cache, key) {
                    if c.keys.get(&path) == Some(&k) {
                        return Ok(Made {
                            path,
                            key,
                            made: false,
                        });
                    }
                }
                let data = job.produce(sh, theme)?;
                put(sink, OutFile { path, data }).map(|path| Made {
                    path,
                    key,
                    made: true,
                })
            })
            .collect()
    }
}

/// The chart pictures of the given pages.
fn chart_jobs(site: &Site, pages: impl Iterator<Item = usize>) -> Vec<Job> {
    pages
        .flat_map(|page| (0..site.pages[page].charts.len()).map(move |n| Job::Chart { page, n }))
        .collect()
}

fn put(sink: &dyn Sink, f: OutFile) -> Result<String, Box<Diagnostic>> {
    let path = f.path.clone();
    sink.put(f).map(|_| path).map_err(|e| {
        Box::new(Diagnostic::error(text!(zh: "写入文件失败：{e}；原有的网站文件保持不变", en: "writing a file failed: {e}; the previous output is unchanged")))
    })
}

/// A small page that sends the reader on, for old URLs and `/page/1/`.
fn redirect_html(site: &Site, to: &str) -> String {
    let url = site.url(to);
    let abs = site.permalink(to);
    let esc = xml_escape(&url);
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>页面已移动</title>\
<link rel=\"canonical\" href=\"{}\"><meta http-equiv=\"refresh\" content=\"0; url={esc}\">\
<meta name=\"robots\" content=\"noindex\"></head><body><p>页面已移动到 <a href=\"{esc}\">{esc}</a></p></body></html>\n",
        xml_escape(&abs)
    )
}

impl Job {
    /// The file the job makes, relative to the output folder.
    pub(crate) fn path(&self, site: &Site) -> String {
        let page = |path: String| html_path(path);
        match self {
            Job::Page(i) => page(site.pages[*i].path.clone()),
            Job::LeafletPrint(i) => page(format!("{}print/", site.pages[*i].path)),
            Job::Section { section, pager } => {
                page(pager_path(&site.sections[*section].path, *pager))
            }
            Job::TaxonomyList(ti) => page(format!("{}/", site.taxonomies[*ti].kind.name())),
            Job::Term {
                taxonomy,
                term,
                pager,
            } => {
                let t = &site.taxonomies[*taxonomy];
                page(pager_path(&term_path(t.kind, &t.terms[*term].slug), *pager))
            }
            Job::NotFound => "404.html".into(),
            Job::Contacts => page(site.contacts_path().unwrap_or("contacts/").into()),
            Job::Search(_) => page(SEARCH_PATH.into()),
            Job::SearchFile(f) | Job::Theme(f) => f.path.clone(),
            Job::SearchRecord { path, .. } => path.clone(),
            Job::Redirect { file, .. } => file.clone(),
            Job::Feed => "feed.xml".into(),
            Job::Sitemap => "sitemap.xml".into(),
            Job::Cap(i) => format!("{}{}", site.pages[*i].path, super::cap::FILE),
            Job::CapFeed => super::cap::FEED.into(),
            Job::Chart { page, n } => site.pages[*page].chart_path(*n),
            Job::Asset(a) => site.assets[*a].out.clone(),
        }
    }

    /// The template a job renders, for those made from one.
    fn template(&self, sh: &Shared<'_>) -> Option<String> {
        Some(match self {
            Job::Page(i) => template_for(&sh.tera, sh.site.pages[*i].kind),
            Job::LeafletPrint(_) => "leaflet_print.html".into(),
            Job::Section { section: 0, .. } => "index.html".into(),
            Job::Section { .. } => "section.html".into(),
            Job::TaxonomyList(_) => "taxonomy_list.html".into(),
            Job::Term { .. } => "taxonomy_term.html".into(),
            Job::NotFound => "404.html".into(),
            Job::Contacts => "contacts.html".into(),
            Job::Search(_) => "search.html".into(),
            Job::SearchFile(_)
            | Job::SearchRecord { .. }
            | Job::Theme(_)
            | Job::Redirect { .. }
            | Job::Feed
            | Job::Sitemap
            | Job::Cap(_)
            | Job::CapFeed
            | Job::Chart { .. }
            | Job::Asset(_) => return None,
        })
    }

    /// The hash of everything the job's file is made from (see [`RenderCache`]), or
    /// `None` for a file that is always made: cheap ones, and the feed and sitemap,
    /// which a patch makes anyway.
    pub(crate) fn key(&self, sh: &Shared<'_>) -> Option<u64> {
        let site = sh.site;
        if let Job::Sitemap = self {
            return Some(sitemap_key(sh));
        }
        if let Job::Chart { page, n } = self {
            // A picture is made from its SVG alone.
            let mut h = KeyHasher::new();
            ("chart", &*site.pages[*page].charts[*n]).hash(&mut h);
            return Some(h.finish());
        }
        let template = self.template(sh)?;
        let mut h = KeyHasher::new();
        sh.global_key.hash(&mut h);
        sh.template_keys.get(&template).hash(&mut h);
        template.hash(&mut h);
        let link =
            |h: &mut KeyHasher, i: usize| (&site.pages[i].meta.title, &site.pages[i].path).hash(h);
        match *self {
            Job::Page(i) | Job::LeafletPrint(i) => {
                matches!(self, Job::Page(_)).hash(&mut h);
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
            Job::SearchFile(_)
            | Job::SearchRecord { .. }
            | Job::Theme(_)
            | Job::Redirect { .. }
            | Job::Feed
            | Job::Sitemap
            | Job::Cap(_)
            | Job::CapFeed
            | Job::Chart { .. }
            | Job::Asset(_) => return None,
        }
        Some(h.finish())
    }

    /// Makes the job's file.
    fn produce(self, sh: &Shared<'_>, theme: &Theme) -> Result<OutData, Box<Diagnostic>> {
        let site = sh.site;
        let template = self.template(sh);
        let ctx = match self {
            Job::Page(i) => sh.page(i),
            Job::LeafletPrint(i) => sh.print(i),
            Job::Section { section, pager } => sh.section(section, pager),
            Job::TaxonomyList(ti) => sh.taxonomy_list(ti),
            Job::Term {
                taxonomy,
                term,
                pager,
            } => sh.term(taxonomy, term, pager),
            Job::NotFound => sh.not_found(),
            Job::Contacts => sh.contacts(),
            Job::Search(index) => sh.search(&index),
            Job::SearchFile(f) | Job::Theme(f) => return Ok(f.data),
            Job::SearchRecord { page, .. } => {
                return Ok(OutData::Bytes(super::search::page_record(site, page)));
            }
            Job::Redirect { to, .. } => {
                return Ok(OutData::Bytes(redirect_html(site, &to).into_bytes()));
            }
            Job::Feed => {
                let feed = postprocess::atom_feed(site, |i| sh.body(i));
                return Ok(OutData::Bytes(feed.into_bytes()));
            }
            Job::Sitemap => return Ok(OutData::Bytes(postprocess::sitemap(site).into_bytes())),
            Job::Cap(i) => {
                let xml = super::cap::message(site, i).unwrap_or_default();
                return Ok(OutData::Bytes(xml.into_bytes()));
            }
            Job::CapFeed => return Ok(OutData::Bytes(super::cap::feed(site).into_bytes())),
            Job::Chart { page, n } => {
                let p = &site.pages[page];
                return crate::data::raster::chart_png(&p.charts[n])
                    .map(OutData::Bytes)
                    .ok_or_else(|| {
                        Box::new(
                            Diagnostic::error(crate::text!(
                                zh: "图表 {} 画不成图片（这是 anxuan 的错误，请报告）",
                                en: "chart {} could not be drawn as a picture (a bug in anxuan; please report it)",
                                n + 1
                            ))
                            .in_file(&p.rel),
                        )
                    });
            }
            Job::Asset(a) => return Ok(OutData::Copy(site.assets[a].abs.clone())),
        };
        match sh.tera.render(&template.unwrap_or_default(), &ctx) {
            Ok(html) => Ok(OutData::Bytes(html.into_bytes())),
            Err(e) => Err(Box::new(template_diagnostic(&e, theme))),
        }
    }
}

/// What the sitemap is made from: every address and its date. At 50,000 pages the
/// sitemap takes tens of milliseconds to write, so a title edit in `serve`, which
/// changes neither, must not make it again. It hashes what `postprocess::sitemap`
/// reads, and must change with it.
fn sitemap_key(sh: &Shared<'_>) -> u64 {
    let site = sh.site;
    let mut h = KeyHasher::new();
    "sitemap".hash(&mut h);
    sh.global_key.hash(&mut h);
    for s in &site.sections {
        (&s.path, &s.pages).hash(&mut h);
    }
    for p in &site.pages {
        p.path.hash(&mut h);
        p.sort_date().map(|d| d.timestamp()).hash(&mut h);
        p.meta.updated.as_ref().map(|d| d.timestamp()).hash(&mut h);
    }
    for t in &site.taxonomies {
        t.kind.name().hash(&mut h);
        for term in &t.terms {
            term.slug.hash(&mut h);
        }
    }
    site.contacts_path().hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::super::fixture::{page, site};
    use super::super::{prepare, Prepared};
    use super::*;

    fn full(site: &Site, mode: Search) -> Vec<String> {
        Queue::full(site, Vec::new(), None, mode).paths(site)
    }

    #[test]
    fn every_kind_of_output_has_its_path() {
        let (site, theme) = site();
        let (_, files, _) = prepare(&site, &theme, false, Default::default());
        let search = super::super::search::build(&site);
        let paths = Queue::full(&site, files, search, Search::Include).paths(&site);
        let set: BTreeSet<&str> = paths.iter().map(String::as_str).collect();
        assert_eq!(set.len(), paths.len(), "a path twice: {paths:?}");
        for want in [
            "index.html",
            "notices/n3/index.html",
            "leaflets/l1/index.html",
            "leaflets/l1/print/index.html",
            "notices/index.html",
            "notices/page/2/index.html",
            "notices/page/3/index.html",
            "tags/index.html",
            "tags/fang-xun/index.html",
            "tags/fang-xun/page/2/index.html",
            "404.html",
            "search/index.html",
            // Redirects: a list's first pager, and an alias.
            "notices/page/1/index.html",
            "tags/fang-xun/page/1/index.html",
            "old/n2/index.html",
            "feed.xml",
            "sitemap.xml",
        ] {
            assert!(set.contains(want), "no {want} in {paths:?}");
        }
        // The theme's files with their hashed names, and the search index's files.
        for prefix in ["style.", "anxuan.", "search/"] {
            assert!(
                paths
                    .iter()
                    .any(|p| p.starts_with(prefix) && p != "search/index.html"),
                "no {prefix}… in {paths:?}"
            );
        }
        assert!(!set.contains("notices/page/4/index.html"));
        assert!(!set.contains("tags/fang-xun/page/3/index.html"));
    }

    #[test]
    fn pagers_are_as_many_as_their_lists_fill() {
        let (site, _) = site();
        let paths = full(&site, Search::Later);
        // A list's pagers: its own address and `page/<n>/` below it, but not the
        // `page/1/` redirect.
        let count = |prefix: &str| {
            let page = format!("{prefix}page/");
            paths
                .iter()
                .filter(|p| **p == format!("{prefix}index.html") || p.starts_with(&page))
                .filter(|p| !p.starts_with(&format!("{page}1/")))
                .count()
        };
        // Five notices, two to a pager; three pages tagged 防汛.
        assert_eq!(count("notices/"), 3);
        assert_eq!(count("tags/fang-xun/"), 2);
        // The home page lists only pages directly under content/: none here.
        assert!(paths.contains(&"index.html".to_string()));
        assert!(!paths.contains(&"page/2/index.html".to_string()));
    }

    #[test]
    fn search_modes_split_the_site_in_two() {
        let (site, theme) = site();
        let index = || super::super::search::build(&site);
        let only = Queue::full(&site, Vec::new(), index(), Search::Only).paths(&site);
        assert!(only.iter().all(|p| p.starts_with("search/")), "{only:?}");
        assert!(only.len() > 1, "the page and its index: {only:?}");
        let (_, files, _) = prepare(&site, &theme, false, Default::default());
        let later = Queue::full(&site, files, None, Search::Later).paths(&site);
        assert!(!later.iter().any(|p| p.starts_with("search/")), "{later:?}");
    }

    fn patch(site: &Site, theme: &Theme, pages: &[usize], fronts: &[usize]) -> Vec<String> {
        let prep = keyed(site, theme);
        let sh = Shared::new(site, &prep, &prep.summary_keys);
        Queue::patch(site, &sh.positions, pages, fronts).paths(site)
    }

    #[test]
    fn a_body_edit_remakes_what_lists_the_page_and_no_neighbour() {
        let (site, theme) = site();
        let n3 = page(&site, "notices/n3/");
        let got = patch(&site, &theme, &[n3], &[]);
        // Newest first: n5 n4 | n3 n2 | n1, so n3 is on the second notices pager and
        // the first 防汛 one (n3 n2 | n1); the home page shows the newest notices.
        assert_eq!(
            got,
            [
                "index.html",
                "notices/n3/index.html",
                "notices/page/2/index.html",
                "tags/fang-xun/index.html",
                "feed.xml",
            ]
        );
    }

    #[test]
    fn a_front_matter_edit_also_remakes_the_neighbours_and_the_sitemap() {
        let (site, theme) = site();
        let n3 = page(&site, "notices/n3/");
        let got = patch(&site, &theme, &[n3], &[n3]);
        for want in [
            "notices/n2/index.html",
            "notices/n3/index.html",
            "notices/n4/index.html",
            "sitemap.xml",
        ] {
            assert!(got.contains(&want.to_string()), "no {want} in {got:?}");
        }
        assert!(!got.contains(&"notices/n1/index.html".to_string()));
        assert!(!got.contains(&"notices/n5/index.html".to_string()));
        let l1 = page(&site, "leaflets/l1/");
        let got = patch(&site, &theme, &[l1], &[]);
        assert!(got.contains(&"leaflets/l1/print/index.html".to_string()));
        assert!(got.contains(&"leaflets/index.html".to_string()));
    }

    /// Every keyed job's key, by path.
    fn keys(site: &Site, prep: &Prepared) -> BTreeMap<String, u64> {
        let sh = Shared::new(site, prep, &prep.summary_keys);
        Queue::full(site, Vec::new(), None, Search::Later)
            .jobs
            .iter()
            .filter_map(|j| Some((j.path(site), j.key(&sh)?)))
            .collect()
    }

    fn changed(a: &BTreeMap<String, u64>, b: &BTreeMap<String, u64>) -> Vec<String> {
        a.iter()
            .filter(|(p, k)| b.get(*p) != Some(k))
            .map(|(p, _)| p.clone())
            .collect()
    }

    fn keyed(site: &Site, theme: &Theme) -> Prepared {
        prepare(site, theme, true, Default::default())
            .0
            .expect("templates parse")
    }

    #[test]
    fn keys_change_with_a_pages_body_and_only_where_it_shows() {
        let (mut site, theme) = site();
        let before = keys(&site, &keyed(&site, &theme));
        assert_eq!(before, keys(&site, &keyed(&site, &theme)), "not stable");
        let n1 = page(&site, "notices/n1/");
        std::sync::Arc::make_mut(&mut site.pages[n1]).version += 1;
        let after = keys(&site, &keyed(&site, &theme));
        assert_eq!(
            changed(&before, &after),
            [
                // The home page shows the five newest notices.
                "index.html",
                "notices/n1/index.html",
                "notices/page/3/index.html",
                "tags/fang-xun/page/2/index.html",
            ]
        );
    }

    #[test]
    fn keys_of_neighbours_change_with_a_title() {
        let (mut site, theme) = site();
        let before = keys(&site, &keyed(&site, &theme));
        let n3 = page(&site, "notices/n3/");
        std::sync::Arc::make_mut(&mut site.pages[n3]).meta.title = "新标题".into();
        let after = keys(&site, &keyed(&site, &theme));
        let got = changed(&before, &after);
        // The page's own key follows its version, which a real edit also moves.
        assert_eq!(got, ["notices/n2/index.html", "notices/n4/index.html"]);
    }

    #[test]
    fn the_sitemap_is_made_again_for_a_new_date_not_for_a_title() {
        let (mut site, theme) = site();
        let before = keys(&site, &keyed(&site, &theme));
        assert!(before.contains_key("sitemap.xml"), "the sitemap has a key");
        let n3 = page(&site, "notices/n3/");
        std::sync::Arc::make_mut(&mut site.pages[n3]).meta.title = "新标题".into();
        let retitled = keys(&site, &keyed(&site, &theme));
        assert_eq!(before["sitemap.xml"], retitled["sitemap.xml"]);
        let updated: jiff::Zoned = "2026-06-01T08:00:00+08:00[Asia/Shanghai]".parse().unwrap();
        std::sync::Arc::make_mut(&mut site.pages[n3]).meta.updated = Some(updated);
        let after = keys(&site, &keyed(&site, &theme));
        assert_ne!(
            before["sitemap.xml"], after["sitemap.xml"],
            "lastmod follows `updated`"
        );
    }

    #[test]
    fn keys_change_with_a_template_and_only_for_its_pages() {
        let (site, mut theme) = site();
        let before = keys(&site, &keyed(&site, &theme));
        if let Some(t) = theme.templates.get_mut("404.html") {
            t.text.push('\n');
        }
        let after = keys(&site, &keyed(&site, &theme));
        assert_eq!(changed(&before, &after), ["404.html"]);
        if let Some(t) = theme.templates.get_mut("base.html") {
            t.text.push('\n');
        }
        let all = keys(&site, &keyed(&site, &theme));
        // The print page has a layout of its own, and the sitemap no template.
        let not: Vec<&String> = all
            .keys()
            .filter(|p| !changed(&after, &all).contains(p))
            .collect();
        assert_eq!(not, ["leaflets/l1/print/index.html", "sitemap.xml"]);
    }
}
