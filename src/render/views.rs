//! The shapes templates see. Every value a template reads is one of these `*View`
//! structs, or a Tera value made from one, built here from the model; their field
//! names are the themes' contract, so renaming one breaks a site's own templates.
//!
//! A view holds a Tera [`Value`] where many pages share one (a pager's list of
//! summaries, a body already marked safe): Tera 2 copies such a value by reference
//! when it serialises the view around it, so nothing shared is serialised twice.
//! This module must not decide which pages a view shows (that is `context`), and must
//! not hand a model or config type to a template: a change there would change what
//! every theme sees without anyone noticing.

use serde::Serialize;
use tera::Value;

use crate::base::dates::{datetime_zh, rfc3339};
use crate::model::{self, CampaignStatus, Page, Site, TaxonomyKind, WarningStatus};
use crate::parse::meta::{Figure, Paper, WarningMeta};

pub(super) fn opt_rfc3339(z: Option<&jiff::Zoned>) -> String {
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
fn banner_expires_zh(w: &WarningMeta, now: &jiff::Zoned) -> String {
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

pub(super) fn tel_digits(number: &str) -> String {
    number
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect()
}

/// The names templates compare a status with (`warning.status == "active"`).
fn warning_status_name(s: WarningStatus) -> &'static str {
    match s {
        WarningStatus::Pending => "pending",
        WarningStatus::Active => "active",
        WarningStatus::Expired => "expired",
        WarningStatus::Lifted => "lifted",
    }
}

fn campaign_status_name(s: CampaignStatus) -> &'static str {
    match s {
        CampaignStatus::Upcoming => "upcoming",
        CampaignStatus::Ongoing => "ongoing",
        CampaignStatus::Ended => "ended",
    }
}

/// The paper names front matter uses and print.css selects on (`paper-A4-trifold`).
pub(super) fn paper_name(p: Paper) -> &'static str {
    match p {
        Paper::A4 => "A4",
        Paper::A5 => "A5",
        Paper::A4Trifold => "A4-trifold",
    }
}

#[derive(Serialize)]
pub(super) struct LinkView {
    pub(crate) title: String,
    pub(crate) url: String,
}

impl LinkView {
    pub(crate) fn page(site: &Site, i: usize) -> LinkView {
        LinkView {
            title: site.pages[i].meta.title.clone(),
            url: site.url(&site.pages[i].path),
        }
    }
}

#[derive(Serialize)]
pub(super) struct NameUrl {
    pub(crate) name: String,
    pub(crate) url: String,
}

#[derive(Serialize)]
pub(super) struct WarningView {
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
    status: &'static str,
    status_name: &'static str,
    areas: Vec<String>,
    issuer: String,
    guidance: Vec<String>,
    contact: String,
    /// `contact` as a `tel:` target: digits and `+` only.
    contact_tel: String,
}

impl WarningView {
    pub(crate) fn of(p: &Page, now: &jiff::Zoned) -> Option<WarningView> {
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
            status: warning_status_name(status),
            status_name: status.zh(),
            areas: w.areas.clone(),
            issuer: w.issuer.clone(),
            guidance: w.guidance.clone(),
            contact: w.contact.clone(),
            contact_tel: tel_digits(&w.contact),
        })
    }
}

#[derive(Serialize)]
pub(super) struct CampaignView {
    start: String,
    end: String,
    location: String,
    theme: String,
    status: &'static str,
    status_name: &'static str,
}

impl CampaignView {
    pub(crate) fn of(p: &Page, now: &jiff::Zoned) -> Option<CampaignView> {
        let c = p.meta.campaign.as_ref()?;
        let status = model::campaign_status(c, now);
        let day = |z: Option<&jiff::Zoned>| z.map(|z| z.date().to_string()).unwrap_or_default();
        Some(CampaignView {
            start: day(c.start.as_ref()),
            end: day(c.end.as_ref()),
            location: c.location.clone(),
            theme: c.theme.clone(),
            status: campaign_status_name(status),
            status_name: status.zh(),
        })
    }
}

#[derive(Serialize)]
pub(super) struct LeafletView {
    pub(crate) paper: &'static str,
    pub(crate) qr: bool,
    pub(crate) print_url: String,
    /// Its PDF, when `anxuan print` has made one that is still current.
    pub(crate) pdf_url: Option<String>,
}

/// A page as lists show it: pagers, the home page, term pages.
#[derive(Serialize)]
pub(super) struct SummaryView<'a> {
    title: &'a str,
    url: String,
    kind: &'static str,
    date: String,
    description: &'a str,
    summary: &'a str,
    warning: Option<WarningView>,
    campaign: Option<CampaignView>,
}

impl SummaryView<'_> {
    pub(crate) fn of<'a>(site: &Site, p: &'a Page) -> SummaryView<'a> {
        SummaryView {
            title: &p.meta.title,
            url: site.url(&p.path),
            kind: p.kind.name(),
            date: opt_rfc3339(p.sort_date()),
            description: p.meta.description.as_deref().unwrap_or(""),
            summary: &p.summary,
            warning: WarningView::of(p, &site.now),
            campaign: CampaignView::of(p, &site.now),
        }
    }
}

#[derive(Serialize)]
pub(super) struct TocEntry<'a> {
    pub(crate) level: u8,
    pub(crate) id: &'a str,
    pub(crate) title: &'a str,
}

/// One figure of a statistics page: its value exactly as written (`97.5`).
#[derive(Serialize)]
pub(super) struct FigureView<'a> {
    label: &'a str,
    value: &'a str,
    unit: &'a str,
}

pub(super) fn figures(figures: &[Figure]) -> Vec<FigureView<'_>> {
    figures
        .iter()
        .map(|f| FigureView {
            label: &f.label,
            value: &f.value,
            unit: &f.unit,
        })
        .collect()
}

#[derive(Serialize)]
pub(super) struct PageView<'a> {
    pub(crate) title: &'a str,
    pub(crate) kind: &'static str,
    pub(crate) url: String,
    pub(crate) permalink: String,
    pub(crate) date: String,
    pub(crate) updated: String,
    pub(crate) description: &'a str,
    pub(crate) summary: &'a str,
    pub(crate) reading_minutes: usize,
    pub(crate) char_count: usize,
    pub(crate) tags: Vec<NameUrl>,
    pub(crate) categories: Vec<NameUrl>,
    pub(crate) section: Option<LinkView>,
    pub(crate) image: String,
    pub(crate) toc: Vec<TocEntry<'a>>,
    pub(crate) lower: Option<LinkView>,
    pub(crate) higher: Option<LinkView>,
    /// The page's `[extra]` table, the clerk's own data, as written.
    pub(crate) extra: &'a serde_json::Value,
    pub(crate) warning: Option<WarningView>,
    pub(crate) campaign: Option<CampaignView>,
    pub(crate) figures: Vec<FigureView<'a>>,
    pub(crate) leaflet: Option<LeafletView>,
    /// The rendered body, marked safe: it is HTML, never escaped twice.
    pub(crate) content: Value,
}

/// What a leaflet's print page adds to its page: the paper, the QR code to the page.
#[derive(Serialize)]
pub(super) struct PrintView {
    pub(crate) paper: &'static str,
    pub(crate) url: String,
    pub(crate) qr: Option<String>,
    pub(crate) date: Option<String>,
}

#[derive(Serialize)]
pub(super) struct MetaView<'a> {
    pub(crate) title: String,
    pub(crate) headline: &'a str,
    pub(crate) description: &'a str,
    pub(crate) permalink: String,
    pub(crate) image: String,
    pub(crate) og_type: &'static str,
}

#[derive(Serialize, Clone)]
pub(super) struct PaginatorView {
    pub(crate) current: usize,
    pub(crate) total_pages: usize,
    pub(crate) prev_url: String,
    pub(crate) next_url: String,
}

#[derive(Serialize)]
pub(super) struct SectionView<'a> {
    pub(crate) title: &'a str,
    pub(crate) url: String,
    pub(crate) permalink: String,
    pub(crate) description: &'a str,
    pub(crate) content: Value,
    pub(crate) kind: &'static str,
    /// This pager's summaries, shared with every other list showing them.
    pub(crate) pages: Value,
    pub(crate) paginator: PaginatorView,
}

#[derive(Serialize)]
pub(super) struct TaxonomyView {
    name: &'static str,
    title: &'static str,
    url: String,
}

impl TaxonomyView {
    pub(crate) fn of(site: &Site, kind: TaxonomyKind) -> TaxonomyView {
        TaxonomyView {
            name: kind.name(),
            title: kind.title(),
            url: site.url(&format!("{}/", kind.name())),
        }
    }
}

/// A term on its taxonomy's list page.
#[derive(Serialize)]
pub(super) struct TermEntryView<'a> {
    pub(crate) name: &'a str,
    pub(crate) url: String,
    pub(crate) count: usize,
}

#[derive(Serialize)]
pub(super) struct TermView<'a> {
    pub(crate) name: &'a str,
    pub(crate) url: String,
    pub(crate) pages: Value,
}

#[derive(Serialize)]
pub(super) struct HomeSectionView<'a> {
    pub(crate) title: &'a str,
    pub(crate) url: String,
    pub(crate) kind: &'static str,
    pub(crate) description: &'a str,
    pub(crate) count: usize,
}

#[derive(Serialize)]
pub(super) struct HomeView<'a> {
    pub(crate) notices: Value,
    pub(crate) campaigns: Value,
    pub(crate) figures: Vec<FigureView<'a>>,
    pub(crate) figures_page: Option<LinkView>,
    pub(crate) sections: Vec<HomeSectionView<'a>>,
}

#[derive(Serialize)]
pub(super) struct SearchView<'a> {
    /// Root-relative URL of the index's `meta.json`.
    pub(crate) index: &'a str,
}

#[derive(Serialize)]
pub(super) struct BannerView<'a> {
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

/// The banner of every warning in force, most severe first, as every page shows them.
pub(super) fn banners(site: &Site) -> Vec<BannerView<'_>> {
    site.active_warnings
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
        .collect()
}

#[derive(Serialize)]
pub(super) struct HotlineView<'a> {
    name: &'a str,
    number: &'a str,
    note: &'a str,
    /// `number` as a `tel:` target.
    tel: String,
}

#[derive(Serialize)]
pub(super) struct FooterView<'a> {
    sponsor: &'a str,
    site_code: &'a str,
    icp: &'a str,
    icp_url: &'a str,
    police_record: &'a str,
    police_url: &'a str,
}

/// `site` in every template: config.toml's settings and the menu.
#[derive(Serialize)]
pub(super) struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    preview_address: bool,
    township: &'a str,
    language: &'static str,
    image: &'a str,
    hotlines: Vec<HotlineView<'a>>,
    contacts_url: Option<String>,
    search_url: Option<String>,
    footer: FooterView<'a>,
    menu: Vec<NameUrl>,
    extra: &'a serde_json::Value,
}

impl SiteView<'_> {
    /// `search_url` is where the search page goes, when the site has one.
    pub(crate) fn of<'a>(
        site: &'a Site,
        share_image: &'a str,
        search_url: Option<String>,
    ) -> SiteView<'a> {
        let config = &site.config;
        let f = &config.footer;
        SiteView {
            title: &config.title,
            description: &config.description,
            base_url: &config.base_url,
            base_path: &config.base_path,
            preview_address: config.preview_address,
            township: &config.township,
            language: "zh-CN",
            image: share_image,
            hotlines: config
                .hotlines
                .iter()
                .map(|h| HotlineView {
                    name: &h.name,
                    number: &h.number,
                    note: &h.note,
                    tel: tel_digits(&h.number),
                })
                .collect(),
            contacts_url: site.contacts_path().map(|p| site.url(p)),
            search_url,
            footer: FooterView {
                sponsor: &f.sponsor,
                site_code: &f.site_code,
                icp: &f.icp,
                icp_url: &f.icp_url,
                police_record: &f.police_record,
                police_url: &f.police_url,
            },
            menu: site
                .sections
                .iter()
                .skip(1)
                .map(|s| NameUrl {
                    name: s.title.clone(),
                    url: site.url(&s.path),
                })
                .collect(),
            extra: &config.extra,
        }
    }
}

/// `assets`: root-relative URLs of the theme's content-hashed files.
#[derive(Serialize)]
pub(super) struct AssetsView {
    pub(crate) css: String,
    pub(crate) print_css: String,
    pub(crate) js: String,
    pub(crate) search_js: String,
}

/// A page's tags or categories, each with its list's URL.
pub(super) fn term_links(site: &Site, kind: TaxonomyKind, terms: &[usize]) -> Vec<NameUrl> {
    let Some(t) = site.taxonomies.iter().find(|t| t.kind == kind) else {
        return Vec::new();
    };
    terms
        .iter()
        .filter_map(|&i| t.terms.get(i))
        .map(|term| NameUrl {
            name: term.name.clone(),
            url: site.url(&super::paths::term_path(kind, &term.slug)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names are written out here, not taken from the model's serde attributes, so
    /// the two must agree: templates and print.css compare with these strings.
    #[test]
    fn status_and_paper_names_are_what_the_model_serialises() {
        let json = |v: serde_json::Value| v.as_str().unwrap_or_default().to_string();
        for s in [
            WarningStatus::Pending,
            WarningStatus::Active,
            WarningStatus::Expired,
            WarningStatus::Lifted,
        ] {
            assert_eq!(warning_status_name(s), json(serde_json::json!(s)));
        }
        for s in [
            CampaignStatus::Upcoming,
            CampaignStatus::Ongoing,
            CampaignStatus::Ended,
        ] {
            assert_eq!(campaign_status_name(s), json(serde_json::json!(s)));
        }
        for p in [Paper::A4, Paper::A5, Paper::A4Trifold] {
            assert_eq!(paper_name(p), json(serde_json::json!(p)));
        }
    }

    #[test]
    fn tel_targets_keep_digits_and_plus_only() {
        assert_eq!(tel_digits("0571-8888 1234（值班）"), "057188881234");
        assert_eq!(tel_digits("+86 138 0000 0000"), "+8613800000000");
    }

    /// A view holding Tera values passes them through as they are: a body stays
    /// marked safe (it would be escaped twice otherwise) and a pager's shared list
    /// arrives whole.
    #[test]
    fn tera_values_pass_through_views_unchanged() {
        let pages = Value::from(vec![Value::from("a"), Value::from("b")]);
        let view = SectionView {
            title: "通知公告",
            url: "/notices/".into(),
            permalink: String::new(),
            description: "",
            content: Value::safe_string("<p>x</p>"),
            kind: "notice",
            pages: pages.clone(),
            paginator: PaginatorView {
                current: 1,
                total_pages: 1,
                prev_url: String::new(),
                next_url: String::new(),
            },
        };
        let v = Value::from_serializable(&view);
        assert_eq!(v.get_from_path("pages"), Some(&pages));
        let content = v.get_from_path("content").expect("content");
        assert!(content.is_safe());
        assert!(!v.get_from_path("title").expect("title").is_safe());
        assert_eq!(
            v.get_from_path("paginator.total_pages"),
            Some(&Value::from(1usize))
        );
    }
}
