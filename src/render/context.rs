//! The Tera context of each kind of page: what the page of a page, a print page, a
//! section or term pager, a taxonomy list, the home page, 404, contacts and search
//! hand their template, all through `views`. Shared values (the site, banners,
//! assets, every page's list summary) are Tera values made once and cloned by
//! reference here; a pager of a 10,000-page tag gets its ten summaries that way.
//! It must not render or decide which outputs exist (that is `queue`), and must not
//! put a model type or an ad-hoc map into a context.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use tera::{Context, Value};

use crate::model::{self, Site, TaxonomyKind};
use crate::parse::meta::{Kind, Paper};

use super::bodies::Store;
use super::paths::{pager_count, pager_path, per_pager, term_path};
use super::postprocess;
use super::views::{
    figures, opt_rfc3339, paper_name, term_links, CampaignView, HomeSectionView, HomeView,
    LeafletView, LinkView, MetaView, PageView, PaginatorView, PrintView, SearchView, SectionView,
    SummaryView, TaxonomyView, TermEntryView, TermView, TocEntry, WarningView,
};
use super::Prepared;

/// Everything shared by all jobs of one render.
pub(super) struct Shared<'a> {
    pub(crate) site: &'a Site,
    pub(crate) prep: &'a Prepared,
    /// Each page's list summary, as a Tera value, by page index, made when first used.
    summaries: Vec<OnceLock<Value>>,
    pub(crate) summary_keys: &'a [u64],
    /// Where each page is in its section's list (its neighbours are beside it).
    pub(crate) positions: Vec<Option<usize>>,
    /// In a one-shot build, the pages' bodies, which the model no longer holds.
    pub(crate) bodies: Option<Store>,
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

/// The pages the home page features: the newest notices, the campaigns not yet
/// over, and the statistics page with figures.
pub(super) struct HomeSelection {
    pub(crate) notices: Vec<usize>,
    pub(crate) campaigns: Vec<usize>,
    pub(crate) stats_page: Option<usize>,
}

pub(super) fn home_selection(site: &Site) -> HomeSelection {
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

/// Which of `pages` the `pager`th pager of the list at `base` shows, and its paginator.
fn paginate(
    site: &Site,
    base: &str,
    pages: &[usize],
    per: usize,
    pager: usize,
) -> (Range<usize>, PaginatorView) {
    let total_pages = pager_count(pages.len(), per);
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

/// A section's pager: which of its pages it lists, and its paginator.
pub(super) fn section_pager(
    site: &Site,
    section: usize,
    pager: usize,
) -> (Range<usize>, PaginatorView) {
    let s = &site.sections[section];
    paginate(site, &s.path, &s.pages, per_pager(site, s), pager)
}

/// A term's pager: the term's path, which of its pages the pager lists, and its
/// paginator.
pub(super) fn term_pager(
    site: &Site,
    taxonomy: usize,
    term: usize,
    pager: usize,
) -> (String, Range<usize>, PaginatorView) {
    let t = &site.taxonomies[taxonomy];
    let tm = &t.terms[term];
    let base = term_path(t.kind, &tm.slug);
    let (range, paginator) = paginate(site, &base, &tm.pages, site.config.paginate, pager);
    (base, range, paginator)
}

impl<'a> Shared<'a> {
    pub(crate) fn new(site: &'a Site, prep: &'a Prepared, summary_keys: &'a [u64]) -> Shared<'a> {
        Shared {
            site,
            prep,
            summaries: site.pages.iter().map(|_| OnceLock::new()).collect(),
            summary_keys,
            positions: positions(site),
            bodies: None,
        }
    }

    /// Page `i`'s rendered body, from the store in a one-shot build (each job that
    /// reads it asks once: see `Queue::body_uses`), else from the model.
    pub(crate) fn body(&self, i: usize) -> Arc<str> {
        match &self.bodies {
            Some(store) => store.take(i),
            None => self.site.pages[i].html.clone(),
        }
    }

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

    /// The summaries of `pages` as one list value; each summary is shared, not copied.
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
            Value::from_serializable(&SummaryView::of(self.site, &self.site.pages[i]))
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

    /// The context of a page's own web page: `page` (with its body) and the base context.
    pub(crate) fn page(&self, i: usize) -> Context {
        self.page_for(i, false)
    }

    /// A page's context, its photos in their web copies or (`print`) print copies.
    fn page_for(&self, i: usize, print: bool) -> Context {
        let site = self.site;
        let p = &site.pages[i];
        let section = &site.sections[p.section];
        let pos = self.positions[i];
        // Sections list newest first: the next entry is older ("lower").
        let neighbour = |j: Option<usize>| {
            j.and_then(|j| section.pages.get(j))
                .map(|&k| LinkView::page(site, k))
        };
        // The share picture made of the page's `image` or first photo, else `image`
        // as written (a full address, or a file that is not a photo).
        let image = self.prep.photos.share_of(site, i).or_else(|| {
            p.meta
                .image
                .as_ref()
                .map(|img| self.image_url(&img.value, &p.path))
        });
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
            image: image.clone().unwrap_or_else(|| self.share_image.clone()),
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
            warning: WarningView::of(p, &site.now),
            campaign: CampaignView::of(p, &site.now),
            figures: figures(&p.meta.figures),
            leaflet: p.meta.leaflet.as_ref().map(|l| LeafletView {
                paper: paper_name(l.paper),
                qr: l.qr,
                print_url: site.url(&format!("{}print/", p.path)),
                pdf_url: site
                    .leaflet_pdfs
                    .contains(&p.path)
                    .then(|| site.url(&format!("{}.pdf", p.path.trim_end_matches('/')))),
            }),
            content: Value::safe_string(&postprocess::content(
                &self.body(i),
                site,
                &self.prep.photos,
                print,
            )),
        };
        let mut ctx = self.base_context(
            &p.path,
            self.meta(&p.meta.title, &p.summary, &p.path, image, "article"),
        );
        ctx.insert("page", &view);
        ctx
    }

    /// A leaflet's print page: its page's context and `print`, with the QR code to it.
    pub(crate) fn print(&self, i: usize) -> Context {
        let site = self.site;
        let p = &site.pages[i];
        let mut ctx = self.page_for(i, true);
        let leaflet = p.meta.leaflet.as_ref();
        let paper = leaflet.map(|l| l.paper).unwrap_or(Paper::A4);
        let permalink = site.permalink(&p.path);
        let qr = if leaflet.is_none_or(|l| l.qr) {
            super::qr::svg(&permalink, 28.0)
        } else {
            None
        };
        let view = PrintView {
            paper: paper_name(paper),
            url: permalink,
            qr,
            date: p
                .sort_date()
                .map(|d| d.strftime("%Y年%-m月%-d日").to_string()),
        };
        ctx.insert("print", &view);
        ctx
    }

    /// A section's pager; the home page's (section 0) also gets `home`.
    pub(crate) fn section(&self, section: usize, pager: usize) -> Context {
        let site = self.site;
        let s = &site.sections[section];
        let (range, paginator) = section_pager(site, section, pager);
        let path = pager_path(&s.path, pager);
        let description = s.meta.description.as_deref().unwrap_or("");
        let meta = self.meta(&s.title, description, &path, None, "website");
        let mut ctx = self.base_context(&path, meta);
        ctx.insert("paginator", &paginator);
        let view = SectionView {
            title: &s.title,
            url: site.url(&s.path),
            permalink: site.permalink(&s.path),
            description,
            content: Value::safe_string(&postprocess::content(
                &s.html,
                site,
                &self.prep.photos,
                false,
            )),
            kind: s.kind.name(),
            pages: self.summaries_of(&s.pages[range]),
            paginator,
        };
        ctx.insert("section", &view);
        if section == 0 {
            ctx.insert("home", &self.home());
        }
        ctx
    }

    fn home(&self) -> HomeView<'a> {
        let site = self.site;
        let HomeSelection {
            notices,
            campaigns,
            stats_page,
        } = home_selection(site);
        HomeView {
            notices: self.summaries_of(&notices),
            campaigns: self.summaries_of(&campaigns),
            figures: stats_page
                .map(|i| figures(&site.pages[i].meta.figures))
                .unwrap_or_default(),
            figures_page: stats_page.map(|i| LinkView::page(site, i)),
            sections: site
                .sections
                .iter()
                .skip(1)
                .map(|s| HomeSectionView {
                    title: &s.title,
                    url: site.url(&s.path),
                    kind: s.kind.name(),
                    description: s.meta.description.as_deref().unwrap_or(""),
                    count: s.pages.len(),
                })
                .collect(),
        }
    }

    /// The list of a taxonomy's terms: `tags/`.
    pub(crate) fn taxonomy_list(&self, ti: usize) -> Context {
        let site = self.site;
        let t = &site.taxonomies[ti];
        let path = format!("{}/", t.kind.name());
        let mut ctx =
            self.base_context(&path, self.meta(t.kind.title(), "", &path, None, "website"));
        ctx.insert("taxonomy", &TaxonomyView::of(site, t.kind));
        let terms: Vec<TermEntryView> = t
            .terms
            .iter()
            .map(|term| TermEntryView {
                name: &term.name,
                url: site.url(&term_path(t.kind, &term.slug)),
                count: term.pages.len(),
            })
            .collect();
        ctx.insert("terms", &terms);
        ctx
    }

    /// A term's pager: `tags/fang-xun/page/2/`.
    pub(crate) fn term(&self, taxonomy: usize, term: usize, pager: usize) -> Context {
        let site = self.site;
        let t = &site.taxonomies[taxonomy];
        let tm = &t.terms[term];
        let (base, range, paginator) = term_pager(site, taxonomy, term, pager);
        let path = pager_path(&base, pager);
        let headline = format!("{}：{}", t.kind.title(), tm.name);
        let mut ctx = self.base_context(&path, self.meta(&headline, "", &path, None, "website"));
        ctx.insert("taxonomy", &TaxonomyView::of(site, t.kind));
        let view = TermView {
            name: &tm.name,
            url: site.url(&base),
            pages: self.summaries_of(&tm.pages[range]),
        };
        ctx.insert("term", &view);
        ctx.insert("paginator", &paginator);
        ctx
    }

    pub(crate) fn not_found(&self) -> Context {
        self.base_context(
            "404.html",
            self.meta("页面不存在", "", "404.html", None, "website"),
        )
    }

    pub(crate) fn contacts(&self) -> Context {
        let site = self.site;
        let path = site.contacts_path().unwrap_or("contacts/");
        let description = format!("{}的求助和值班电话，点一下即可拨打", site.config.township);
        self.base_context(
            path,
            self.meta("求助电话", &description, path, None, "website"),
        )
    }

    /// `/search/`, which reads the index whose `meta.json` is at `index`.
    pub(crate) fn search(&self, index: &str) -> Context {
        let site = self.site;
        let path = super::search::PAGE_PATH;
        let description = format!("在{}查找通知、预警和宣传材料", site.config.title);
        let mut ctx =
            self.base_context(path, self.meta("搜索", &description, path, None, "website"));
        ctx.insert("search", &SearchView { index });
        ctx
    }
}
