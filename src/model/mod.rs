//! Builds the site model: every published page with its URL, rendered body and
//! relations (section, tags, categories), the sections' ordered lists, and the state of
//! warnings and campaigns at the build's `now`.
//!
//! Loading runs in two parallel passes: first every file is decoded and its front
//! matter validated, which is enough to know every page's URL; then every body is
//! rendered with a link resolver that turns `@/notices/a.md` and relative `.md` links
//! into those URLs. The model is plain data and a function of the site's `Input` and
//! `now`: it does not read files, templates or the clock, write files, or know about
//! HTML beyond the Markdown output it holds.
//!
//! The types are here; `load` is the full load (`taxonomy` its tags and
//! categories), `body` renders one body, `links` resolves links and checks anchors,
//! `cache` is what `serve` keeps between builds, and `patch` its fast path.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Zoned;
use rayon::prelude::*;

use crate::base::diagnostic::{Diagnostic, SourceLookup};
use crate::input::site::{Input, Text};
use crate::input::source::{self, Role};
use crate::markdown;
use crate::parse::config::Config;
use crate::parse::front_matter;
use crate::parse::meta::Paper;
use crate::parse::meta::{self, Kind, PageMeta, SectionMeta, SortBy};
use crate::text;

mod body;
mod cache;
mod links;
mod load;
mod patch;
mod taxonomy;

use body::*;
use cache::*;
use links::*;
use load::*;
use taxonomy::*;

pub(crate) use cache::Cache;
pub(crate) use links::{dead_links, Links, SiteLink};
pub(crate) use load::load;
pub(crate) use patch::{patch, Patch};

/// How a build treats drafts and the clock.
#[derive(Clone, Debug)]
pub(crate) struct LoadOptions {
    pub(crate) drafts: bool,
    pub(crate) now: Zoned,
}

#[derive(Clone, Debug)]
pub(crate) struct Section {
    /// `content/notices/_index.md`, if the folder has one.
    pub(crate) rel: Option<PathBuf>,
    pub(crate) kind: Kind,
    /// Output path below the site root: "" for the home, "notices/" for a section.
    pub(crate) path: String,
    pub(crate) title: String,
    pub(crate) meta: SectionMeta,
    pub(crate) html: String,
    /// Links of its body to addresses of this site, checked against the output.
    pub(crate) site_links: Vec<SiteLink>,
    /// Published pages, in the order the section lists them.
    pub(crate) pages: Vec<usize>,
}

#[derive(Clone)]
pub(crate) struct Page {
    pub(crate) rel: PathBuf,
    pub(crate) kind: Kind,
    pub(crate) meta: PageMeta,
    /// Index into `Site::sections`; 0 is the home.
    pub(crate) section: usize,
    /// Output path below the site root, ending in `/` ("notices/fang-xun-tong-zhi/").
    pub(crate) path: String,
    pub(crate) html: Arc<str>,
    pub(crate) text: Arc<str>,
    pub(crate) headings: Vec<markdown::Heading>,
    /// Links and images of the body that point at this site by an address rather
    /// than a source file, checked against the output once it is made.
    pub(crate) site_links: Vec<SiteLink>,
    /// Output paths of the same-site images the body shows, in order.
    pub(crate) images: Vec<String>,
    /// The SVG of each chart the body draws, in order; each is also a picture,
    /// `anxuan-chart-N.png` beside the page (see [`Page::chart_path`]).
    pub(crate) charts: Vec<Arc<str>>,
    /// Plain-text summary: the description, else the start of the text.
    pub(crate) summary: String,
    pub(crate) char_count: usize,
    pub(crate) reading_minutes: usize,
    pub(crate) tags: Vec<usize>,
    pub(crate) categories: Vec<usize>,
    /// Changes whenever the page's source or rendered body changes between builds of
    /// one [`Cache`]; 0 in a build without one. Rendering uses it to skip unchanged pages.
    pub(crate) version: u64,
}

impl Page {
    /// Where the picture of the body's chart `n` (from 0) is published: beside the
    /// page, `anxuan-chart-1.png` for the first (a name no clerk gives a file). The
    /// name stays when the chart changes, so a patch in `serve` replaces it.
    pub(crate) fn chart_path(&self, n: usize) -> String {
        format!("{}anxuan-chart-{}.png", self.path, n + 1)
    }

    /// The date pages are sorted and dated by: `date`, else a warning's `issued`, else a campaign's `start`.
    pub(crate) fn sort_date(&self) -> Option<&Zoned> {
        self.meta
            .date
            .as_ref()
            .or(self.meta.warning.as_ref().map(|w| &w.issued))
            .or(self.meta.campaign.as_ref().and_then(|c| c.start.as_ref()))
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Term {
    pub(crate) name: String,
    pub(crate) slug: String,
    pub(crate) pages: Vec<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TaxonomyKind {
    Tags,
    Categories,
}

impl TaxonomyKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            TaxonomyKind::Tags => "tags",
            TaxonomyKind::Categories => "categories",
        }
    }
    pub(crate) fn title(self) -> &'static str {
        match self {
            TaxonomyKind::Tags => "标签",
            TaxonomyKind::Categories => "分类",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Taxonomy {
    pub(crate) kind: TaxonomyKind,
    /// Sorted by slug, so output order never depends on file order.
    pub(crate) terms: Vec<Term>,
}

/// A file copied to the output unchanged: a bundle's picture or CSV, a section's asset.
#[derive(Clone, Debug)]
pub(crate) struct AssetCopy {
    pub(crate) abs: PathBuf,
    /// Output path below the site root.
    pub(crate) out: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum WarningStatus {
    Pending,
    Active,
    Expired,
    Lifted,
}

impl WarningStatus {
    pub(crate) fn zh(self) -> &'static str {
        match self {
            WarningStatus::Pending => "未生效",
            WarningStatus::Active => "生效中",
            WarningStatus::Expired => "已过期",
            WarningStatus::Lifted => "已解除",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum CampaignStatus {
    Upcoming,
    Ongoing,
    Ended,
}

impl CampaignStatus {
    pub(crate) fn zh(self) -> &'static str {
        match self {
            CampaignStatus::Upcoming => "即将开始",
            CampaignStatus::Ongoing => "进行中",
            CampaignStatus::Ended => "已结束",
        }
    }
}

pub(crate) fn warning_status(w: &meta::WarningMeta, now: &Zoned) -> WarningStatus {
    if w.lifted.as_ref().is_some_and(|l| l <= now) {
        WarningStatus::Lifted
    } else if *now < w.issued {
        WarningStatus::Pending
    } else if *now >= w.expires {
        WarningStatus::Expired
    } else {
        WarningStatus::Active
    }
}

pub(crate) fn campaign_status(c: &meta::CampaignMeta, now: &Zoned) -> CampaignStatus {
    if c.start.as_ref().is_some_and(|s| now < s) {
        return CampaignStatus::Upcoming;
    }
    if let Some(end) = &c.end {
        // An end given as a plain date means the whole of that day.
        let end = if end.time() == jiff::civil::Time::midnight() {
            end.tomorrow().unwrap_or_else(|_| end.clone())
        } else {
            end.clone()
        };
        if *now >= end {
            return CampaignStatus::Ended;
        }
    }
    CampaignStatus::Ongoing
}

/// The model of one build. Pages are shared, so that `serve` can make the next
/// site from this one by replacing the pages an edit changed (see [`patch`]).
#[derive(Clone)]
pub(crate) struct Site {
    pub(crate) config: Config,
    pub(crate) now: Zoned,
    pub(crate) sections: Vec<Section>,
    pub(crate) pages: Vec<Arc<Page>>,
    pub(crate) taxonomies: Vec<Taxonomy>,
    pub(crate) assets: Vec<AssetCopy>,
    /// Output path → page, for aliases and checks.
    pub(crate) aliases: Vec<(String, usize)>,
    /// Active warnings, most severe first, then newest.
    pub(crate) active_warnings: Vec<usize>,
    /// When the first page that is scheduled (dated after now) comes due.
    pub(crate) next_scheduled: Option<Zoned>,
    /// How many pages were left out as drafts, and as scheduled (dated after now).
    pub(crate) left_out: (usize, usize),
    /// Output paths of the leaflets whose PDF the site has (`leaflets/<slug>.pdf`),
    /// filled in by the pipeline from the previous output.
    pub(crate) leaflet_pdfs: std::collections::BTreeSet<String>,
}

impl Site {
    /// Root-relative URL of an output path ("notices/a/" → "/zhen/notices/a/").
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.config.base_path, path)
    }

    /// Where the built-in page of all hotlines goes (`contacts/`), unless the site has
    /// no hotlines or its own page or section there.
    pub(crate) fn contacts_path(&self) -> Option<&'static str> {
        const PATH: &str = "contacts/";
        let taken = self.sections.iter().any(|s| s.path == PATH)
            || self.pages.iter().any(|p| p.path == PATH);
        (!self.config.hotlines.is_empty() && !taken).then_some(PATH)
    }

    /// Absolute URL of an output path.
    pub(crate) fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.config.base_url, path)
    }
}

impl Page {
    /// A page with its rendered body; tags and categories are filled in later.
    fn new(
        rel: PathBuf,
        kind: Kind,
        meta: PageMeta,
        section: usize,
        path: String,
        body: &RenderedBody,
        version: u64,
    ) -> Page {
        let summary = meta
            .description
            .clone()
            .unwrap_or_else(|| body.summary.clone());
        Page {
            rel,
            kind,
            meta,
            section,
            path,
            html: body.html.clone(),
            text: body.text.clone(),
            headings: body.headings.clone(),
            site_links: body.site_links.clone(),
            images: body.images.clone(),
            charts: body.charts.clone(),
            summary,
            char_count: body.char_count,
            // About 400 Chinese characters a minute for an unhurried reader.
            reading_minutes: body.char_count.div_ceil(400).max(1),
            tags: Vec::new(),
            categories: Vec::new(),
            version,
        }
    }
}

/// How long the CAP index lists a lifted warning's Cancel: long enough for an alert
/// hub that polls daily to see it.
pub(crate) const CANCEL_LISTED_HOURS: i64 = 72;

impl Site {
    /// The first moment after `now` at which the site would come out differently with
    /// no file changed: a warning issued, expiring or lifted, a campaign starting or
    /// ending, a scheduled page coming due, or midnight (dates are shown relative to
    /// the day and year).
    pub(crate) fn next_change(&self) -> Zoned {
        let midnight = self
            .now
            .tomorrow()
            .and_then(|d| d.start_of_day())
            .unwrap_or_else(|_| self.now.clone());
        let mut next = midnight;
        let mut consider = |t: &Zoned| {
            if *t > self.now && *t < next {
                next = t.clone();
            }
        };
        if let Some(t) = &self.next_scheduled {
            consider(t);
        }
        for p in &self.pages {
            if let Some(w) = &p.meta.warning {
                consider(&w.issued);
                consider(&w.expires);
                if let Some(l) = &w.lifted {
                    consider(l);
                    // The CAP index stops listing a Cancel then.
                    if let Ok(t) = l.checked_add(jiff::Span::new().hours(CANCEL_LISTED_HOURS)) {
                        consider(&t);
                    }
                }
                // A warning's CAP message becomes an Update then.
                if let Some(u) = &p.meta.updated {
                    consider(u);
                }
            }
            if let Some(c) = &p.meta.campaign {
                for t in c.start.iter().chain(&c.end) {
                    consider(t);
                    // An end given as a date lasts the whole day (see campaign_status).
                    if let Ok(t) = t.tomorrow() {
                        consider(&t);
                    }
                }
            }
        }
        next
    }
}

/// The decoded text of every file the build read, for rendering diagnostics.
#[derive(Default)]
pub struct Sources {
    pub(crate) texts: HashMap<PathBuf, Arc<str>>,
}

impl Sources {
    /// The texts of the files these diagnostics name: all that showing them needs.
    pub(crate) fn subset(&self, diags: &[Diagnostic]) -> Sources {
        let texts = diags
            .iter()
            .filter_map(|d| d.file.as_ref())
            .filter_map(|f| Some((f.clone(), self.texts.get(f)?.clone())))
            .collect();
        Sources { texts }
    }
}

impl SourceLookup for Sources {
    fn text_of(&self, file: &Path) -> Option<&str> {
        self.texts.get(file).map(|t| &**t)
    }
}

/// `content/notices/a.md` → `notices/a.md`.
fn content_rel(rel: &Path) -> &Path {
    rel.strip_prefix("content").unwrap_or(rel)
}

fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_cut_at_a_sentence() {
        let s = summarise(
            "第一句话说明情况。第二句话比较长，会被截断在这里之后的位置上",
            15,
        );
        assert_eq!(s, "第一句话说明情况。");
        // A sentence end in the first half is too early: cut with an ellipsis instead.
        let s = summarise("短句。后面是一段很长很长很长很长很长的文字", 15);
        assert_eq!(s, "短句。后面是一段很长很长很长很…");
        assert_eq!(summarise("短", 20), "短");
    }

    #[test]
    fn normalise_paths() {
        assert_eq!(
            normalise("notices/../stats/2023/index.md"),
            "stats/2023/index.md"
        );
        assert_eq!(normalise("./a.md"), "a.md");
    }

    #[test]
    fn schemes() {
        assert!(has_scheme("https://x"));
        assert!(has_scheme("tel:119"));
        assert!(!has_scheme("@/a.md"));
        assert!(!has_scheme("a.md"));
    }
}

/// A leaflet to print: where its pages are and what paper it is for.
#[derive(Clone, Debug)]
pub struct Leaflet {
    pub slug: String,
    /// Output path of its web page, `leaflets/<slug>/`.
    pub(crate) path: String,
    /// Its Markdown file, relative to the site root.
    pub(crate) source: PathBuf,
    pub(crate) paper: Paper,
}

impl Leaflet {
    /// Sheets the print page has: one, or two for a trifold (outside, inside).
    pub(crate) fn sheets(&self) -> usize {
        match self.paper {
            Paper::A4Trifold => 2,
            Paper::A4 | Paper::A5 => 1,
        }
    }

    pub fn paper_name(&self) -> &'static str {
        match self.paper {
            Paper::A4 => "A4",
            Paper::A5 => "A5",
            Paper::A4Trifold => "A4 三折页",
        }
    }
}
