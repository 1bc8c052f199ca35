//! Builds the site model: every published page with its URL, rendered body and
//! relations (section, tags, categories), the sections' ordered lists, and the state of
//! warnings and campaigns at the build's `now`.
//!
//! Loading runs in two parallel passes: first every file is decoded and its front
//! matter validated, which is enough to know every page's URL; then every body is
//! rendered with a link resolver that turns `@/notices/a.md` and relative `.md` links
//! into those URLs. The model is plain data: it does not read templates, write files
//! or know about HTML beyond the Markdown output it holds.

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

/// How a build treats drafts and the clock.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    pub drafts: bool,
    pub now: Zoned,
}

#[derive(Clone, Debug)]
pub struct Section {
    /// `content/notices/_index.md`, if the folder has one.
    pub rel: Option<PathBuf>,
    pub kind: Kind,
    /// Output path below the site root: "" for the home, "notices/" for a section.
    pub path: String,
    pub title: String,
    pub meta: SectionMeta,
    pub html: String,
    /// Links of its body to addresses of this site, checked against the output.
    pub site_links: Vec<SiteLink>,
    /// Published pages, in the order the section lists them.
    pub pages: Vec<usize>,
}

#[derive(Clone)]
pub struct Page {
    pub rel: PathBuf,
    pub kind: Kind,
    pub meta: PageMeta,
    /// Index into `Site::sections`; 0 is the home.
    pub section: usize,
    /// Output path below the site root, ending in `/` ("notices/fang-xun-tong-zhi/").
    pub path: String,
    pub html: Arc<str>,
    pub summary_html: Option<String>,
    pub text: Arc<str>,
    pub headings: Vec<markdown::Heading>,
    pub has_code: bool,
    /// Links and images of the body that point at this site by an address rather
    /// than a source file, checked against the output once it is made.
    pub site_links: Vec<SiteLink>,
    /// Plain-text summary: the description, else the start of the text.
    pub summary: String,
    pub char_count: usize,
    pub reading_minutes: usize,
    pub tags: Vec<usize>,
    pub categories: Vec<usize>,
    /// Changes whenever the page's source or rendered body changes between builds of
    /// one [`Cache`]; 0 in a build without one. Rendering uses it to skip unchanged pages.
    pub version: u64,
}

impl Page {
    /// The date pages are sorted and dated by: `date`, else a warning's `issued`, else a campaign's `start`.
    pub fn sort_date(&self) -> Option<&Zoned> {
        self.meta
            .date
            .as_ref()
            .or(self.meta.warning.as_ref().map(|w| &w.issued))
            .or(self.meta.campaign.as_ref().and_then(|c| c.start.as_ref()))
    }
}

#[derive(Clone, Debug)]
pub struct Term {
    pub name: String,
    pub slug: String,
    pub pages: Vec<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaxonomyKind {
    Tags,
    Categories,
}

impl TaxonomyKind {
    pub fn name(self) -> &'static str {
        match self {
            TaxonomyKind::Tags => "tags",
            TaxonomyKind::Categories => "categories",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            TaxonomyKind::Tags => "标签",
            TaxonomyKind::Categories => "分类",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Taxonomy {
    pub kind: TaxonomyKind,
    /// Sorted by slug, so output order never depends on file order.
    pub terms: Vec<Term>,
}

/// A file copied to the output unchanged: a bundle's picture or CSV, a section's asset.
#[derive(Clone, Debug)]
pub struct AssetCopy {
    pub abs: PathBuf,
    /// Output path below the site root.
    pub out: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WarningStatus {
    Pending,
    Active,
    Expired,
    Lifted,
}

impl WarningStatus {
    pub fn zh(self) -> &'static str {
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
pub enum CampaignStatus {
    Upcoming,
    Ongoing,
    Ended,
}

impl CampaignStatus {
    pub fn zh(self) -> &'static str {
        match self {
            CampaignStatus::Upcoming => "即将开始",
            CampaignStatus::Ongoing => "进行中",
            CampaignStatus::Ended => "已结束",
        }
    }
}

pub fn warning_status(w: &meta::WarningMeta, now: &Zoned) -> WarningStatus {
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

pub fn campaign_status(c: &meta::CampaignMeta, now: &Zoned) -> CampaignStatus {
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
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    pub now: Zoned,
    pub sections: Vec<Section>,
    pub pages: Vec<Arc<Page>>,
    pub taxonomies: Vec<Taxonomy>,
    pub assets: Vec<AssetCopy>,
    /// Output path → page, for aliases and checks.
    pub aliases: Vec<(String, usize)>,
    /// Active warnings, most severe first, then newest.
    pub active_warnings: Vec<usize>,
    /// When the first page that is scheduled (dated after now) comes due.
    pub next_scheduled: Option<Zoned>,
    /// How many pages were left out as drafts, and as scheduled (dated after now).
    pub left_out: (usize, usize),
    /// Output paths of the leaflets whose PDF the site has (`leaflets/<slug>.pdf`),
    /// filled in by the pipeline from the previous output.
    pub leaflet_pdfs: std::collections::BTreeSet<String>,
}

impl Site {
    /// Root-relative URL of an output path ("notices/a/" → "/zhen/notices/a/").
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.config.base_path, path)
    }

    /// Where the built-in page of all hotlines goes (`contacts/`), unless the site has
    /// no hotlines or its own page or section there.
    pub fn contacts_path(&self) -> Option<&'static str> {
        const PATH: &str = "contacts/";
        let taken = self.sections.iter().any(|s| s.path == PATH)
            || self.pages.iter().any(|p| p.path == PATH);
        (!self.config.hotlines.is_empty() && !taken).then_some(PATH)
    }

    /// Absolute URL of an output path.
    pub fn permalink(&self, path: &str) -> String {
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
            summary_html: body.summary_html.clone(),
            text: body.text.clone(),
            headings: body.headings.clone(),
            has_code: body.has_code,
            site_links: body.site_links.clone(),
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

impl Site {
    /// The first moment after `now` at which the site would come out differently with
    /// no file changed: a warning issued, expiring or lifted, a campaign starting or
    /// ending, a scheduled page coming due, or midnight (dates are shown relative to
    /// the day and year).
    pub fn next_change(&self) -> Zoned {
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

/// A published page's file as the build read it.
struct PageSource {
    index: usize,
    file: source::MarkdownFile,
    /// The file's text, of which the front matter is `text[..body_offset]`.
    text: Arc<str>,
    body_offset: usize,
}

/// What the bodies of one build were resolved against, and every link with an
/// anchor: kept by `serve` so that an edit of one body can be rendered and checked on
/// its own (see [`patch`]).
pub struct Links {
    base_path: String,
    base_url: String,
    /// How bodies are read (config.toml `[markdown]`, `[privacy] allow`).
    markdown: markdown::Settings,
    /// config.toml's base_url host: pictures from any other host are refused.
    base_host: String,
    /// Content-relative source path ("notices/a.md") → output path.
    link_index: HashMap<String, String>,
    /// Content-relative asset path → output path.
    asset_index: HashMap<String, String>,
    /// Pages that exist but are drafts or scheduled.
    unpublished: std::collections::HashSet<String>,
    /// Files that unpublished pages link to: those no published page links to are
    /// not copied, so an edit that links to one or stops linking makes a new model.
    draft_refs: std::collections::HashSet<String>,
    /// Published pages by source file, and by output path.
    page_of_rel: HashMap<PathBuf, PageSource>,
    page_of_path: HashMap<String, usize>,
    /// Links with an anchor, by the file they are written in.
    anchors: BTreeMap<PathBuf, Vec<AnchorCheck>>,
}

impl Links {
    fn resolver(&self) -> Resolver<'_> {
        Resolver {
            base_path: &self.base_path,
            base_url: &self.base_url,
            markdown: &self.markdown,
            base_host: &self.base_host,
            link_index: &self.link_index,
            asset_index: &self.asset_index,
            unpublished: &self.unpublished,
        }
    }

    /// Every anchor (#防御指南 or #fang-yu-zhi-nan) must name a heading of the page it
    /// points at. With a patch, the changed files' links are those of their new bodies.
    pub fn anchor_diagnostics(&self, site: &Site, patch: Option<&Patch>) -> Vec<Diagnostic> {
        let replaced: HashMap<&Path, &Vec<AnchorCheck>> = patch
            .map(|p| {
                p.anchors
                    .iter()
                    .map(|(rel, a)| (rel.as_path(), a))
                    .collect()
            })
            .unwrap_or_default();
        let kept = self
            .anchors
            .iter()
            .filter(|(rel, _)| !replaced.contains_key(rel.as_path()))
            .map(|(rel, a)| (rel.as_path(), a));
        let mut diags = Vec::new();
        for (rel, checks) in kept.chain(replaced.iter().map(|(r, a)| (*r, *a))) {
            for a in checks {
                if let Some(d) = self.check_anchor(site, rel, a) {
                    diags.push(d);
                }
            }
        }
        diags
    }

    fn check_anchor(&self, site: &Site, rel: &Path, a: &AnchorCheck) -> Option<Diagnostic> {
        let &target = self.page_of_path.get(&a.target)?;
        let page = &site.pages[target];
        let slug = crate::base::slug::slugify(&a.fragment);
        if page
            .headings
            .iter()
            .any(|h| h.id == a.fragment || h.id == slug)
        {
            return None;
        }
        let ids: Vec<&str> = page.headings.iter().map(|h| h.id.as_str()).collect();
        let mut d = Diagnostic::error(text!(
            zh: "锚点 `#{}` 在目标页面中不存在",
            en: "the anchor `#{}` does not exist in the target page",
            a.fragment
        ))
        .in_file(rel)
        .at(a.span.clone());
        let near = meta::did_you_mean(&slug, &ids).or_else(|| {
            ids.iter()
                .copied()
                .find(|id| !slug.is_empty() && (id.starts_with(&slug) || slug.starts_with(id)))
        });
        if let Some(s) = near {
            d = d.with_help(text!(zh: "是不是 `#{s}`？", en: "did you mean `#{s}`?"));
        } else if !ids.is_empty() {
            let list = ids
                .iter()
                .take(8)
                .map(|i| format!("#{i}"))
                .collect::<Vec<_>>()
                .join(", ");
            d = d.with_help(text!(
                zh: "那个页面的锚点（小标题）有：{list}",
                en: "that page's anchors (headings) are: {list}"
            ));
        } else {
            d = d.with_help(text!(
                zh: "那个页面没有小标题，去掉 # 后面的部分",
                en: "that page has no headings; drop the part after #"
            ));
        }
        Some(d)
    }

    /// Takes in the anchors of a patch that was shown.
    pub fn commit(&mut self, patch: &Patch) {
        for ((rel, text), &body_offset) in patch.texts.iter().zip(&patch.body_offsets) {
            if let Some(p) = self.page_of_rel.get_mut(rel) {
                p.text = text.clone();
                p.body_offset = body_offset;
            }
        }
        for (rel, a) in &patch.anchors {
            if a.is_empty() {
                self.anchors.remove(rel);
            } else {
                self.anchors.insert(rel.clone(), a.clone());
            }
        }
    }
}

/// Every link or image of a body that names an address of this site must name a file
/// the build made (`paths`, every output path): a page, a pager, a tag, the feed, a
/// static file or a page's picture. `pages` limits the check to those pages (a patch);
/// `None` checks every page and section body. Each problem is an error at the link.
pub fn dead_links(site: &Site, pages: Option<&[usize]>, paths: &[String]) -> Vec<Diagnostic> {
    let any = match pages {
        Some(pages) => pages
            .iter()
            .any(|&i| site.pages.get(i).is_some_and(|p| !p.site_links.is_empty())),
        None => true,
    };
    // A build whose templates failed made no pages; its links cannot be judged.
    if !any || !paths.iter().any(|p| p == "index.html") {
        return Vec::new();
    }
    let made: std::collections::HashSet<&str> = paths.iter().map(String::as_str).collect();
    let exists = |p: &str| {
        p.is_empty()
            || made.contains(p)
            || made.contains(format!("{p}index.html").as_str())
            || made.contains(format!("{p}/index.html").as_str())
            // The search index's files are named by their content and made last.
            || (p.starts_with("search/") && made.contains("search/index.html"))
    };
    let all: Vec<usize> = (0..site.pages.len()).collect();
    let pages = pages.unwrap_or(&all);
    let page_links = pages
        .iter()
        .filter_map(|&i| site.pages.get(i))
        .map(|p| (p.rel.as_path(), &p.site_links));
    let section_links = site
        .sections
        .iter()
        .filter(|_| pages.len() == all.len())
        .filter_map(|s| s.rel.as_deref().map(|rel| (rel, &s.site_links)));
    let mut diags = Vec::new();
    let mut addresses: Option<Vec<String>> = None;
    for (rel, links) in page_links.chain(section_links) {
        for link in links.iter().filter(|l| !exists(&l.path)) {
            let msg = if link.is_image {
                text!(
                    zh: "图片 `{}` 在本站不存在：网站里没有 /{} 这个文件",
                    en: "the image `{}` is not on this site: the site has no file /{}",
                    link.dest, link.path
                )
            } else {
                text!(
                    zh: "链接 `{}` 指向本站不存在的地址 /{}",
                    en: "the link `{}` points at /{}, which this site does not have",
                    link.dest, link.path
                )
            };
            // Addresses as a reader writes them: pages and folders end in `/`.
            let addresses = addresses.get_or_insert_with(|| {
                paths
                    .iter()
                    .map(|p| p.strip_suffix("index.html").unwrap_or(p).to_string())
                    .filter(|p| !p.is_empty() && !p.starts_with("search/"))
                    .collect()
            });
            let keys: Vec<&str> = addresses.iter().map(String::as_str).collect();
            // A clerk guesses the start of a pinyin address (`/stats/2024/` for
            // `/stats/2024-nian-yin-huan-pai-cha/`): one address that begins so is meant.
            let stem = link.path.trim_end_matches('/');
            let mut begun = keys.iter().filter(|k| {
                !stem.is_empty()
                    && k.strip_prefix(stem)
                        .is_some_and(|rest| rest.starts_with('-'))
            });
            let begun = match (begun.next(), begun.next()) {
                (Some(only), None) => Some(*only),
                _ => None,
            };
            let help = match meta::did_you_mean(&link.path, &keys).or(begun) {
                Some(near) => text!(
                    zh: "是不是 `{}{near}`？",
                    en: "did you mean `{}{near}`?",
                    site.config.base_path
                ),
                None => text!(
                    zh: "链接本站页面最好写源文件：@/栏目/文件名.md，生成时会检查并换成正确的地址",
                    en: "link a page of this site by its source file, @/section/file.md: the build checks it and writes the right address"
                ),
            };
            diags.push(
                Diagnostic::error(msg)
                    .in_file(rel)
                    .at(link.span.clone())
                    .with_help(help),
            );
        }
    }
    diags
}

/// New versions of pages that stay where they were (see [`patch`]).
pub struct Patch {
    /// Each changed page by index, as it is now.
    pub pages: Vec<(usize, Arc<Page>)>,
    /// Those whose front matter changed, which their neighbours and the sitemap show.
    pub fronts: Vec<usize>,
    /// What reading and rendering each changed file found.
    pub diagnostics: Vec<(PathBuf, Vec<Diagnostic>)>,
    /// Each changed file's text, and where its body starts in it.
    pub texts: Vec<(PathBuf, Arc<str>)>,
    body_offsets: Vec<usize>,
    anchors: Vec<(PathBuf, Vec<AnchorCheck>)>,
}

/// Makes edited pages again on top of the build that made `site`: their bodies
/// rendered against that build's links, their front matter taken in where it does
/// not change the page's place (see [`placement`]: a new title or description is
/// taken, a new date, tag or slug is not). Returns `None`, having changed nothing
/// that matters, when some file is not such an edit: not a published page of that
/// build, gone, a warning in force (its banner is on every page), a page moved or
/// retagged, or a new title that would reorder its section; the whole model is then
/// made again.
pub fn patch(
    site: &Site,
    links: &Links,
    cache: &mut Cache,
    input: &Input,
    changed: &[PathBuf],
) -> Option<Patch> {
    let mut fresh = Vec::with_capacity(changed.len());
    for rel in changed {
        let old = links.page_of_rel.get(rel)?;
        let text = input.file(rel)?.text.as_ref()?;
        let l = load_one(old.file.clone(), text, &site.config);
        let shared = |text: &str, offset: usize| {
            file_refs(text, offset, rel)
                .iter()
                .any(|r| links.draft_refs.contains(r))
        };
        if shared(&l.text, l.body_offset) || shared(&old.text, old.body_offset) {
            return None;
        }
        let same_front = l.text.get(..l.body_offset) == old.text.get(..old.body_offset);
        if !same_front {
            // A banner shows an active warning's every field; otherwise the front
            // matter may change where it does not move the page.
            let meta = l.page.as_ref()?;
            let page = &site.pages[old.index];
            if site.active_warnings.contains(&old.index) || placement(meta) != placement(&page.meta)
            {
                return None;
            }
        }
        fresh.push((old.index, rel.clone(), l, !same_front));
    }
    let resolver = links.resolver();
    let mut patch = Patch {
        fronts: Vec::new(),
        pages: Vec::new(),
        diagnostics: Vec::new(),
        texts: Vec::new(),
        body_offsets: Vec::new(),
        anchors: Vec::new(),
    };
    for (i, rel, l, new_front) in fresh {
        let old = &site.pages[i];
        let mut body = render_body(&l, &old.path, &resolver, input);
        body.version = cache.version();
        let meta = match (new_front, &l.page) {
            (true, Some(m)) => m.clone(),
            _ => old.meta.clone(),
        };
        let mut page = Page::new(
            old.rel.clone(),
            old.kind,
            meta,
            old.section,
            old.path.clone(),
            &body.out,
            body.version,
        );
        page.tags = old.tags.clone();
        page.categories = old.categories.clone();
        if new_front {
            // A new title may move the page among pages of the same date.
            let s = &site.sections[page.section];
            let pos = s.pages.iter().position(|&x| x == i)?;
            let order = |a: &Page, b: &Page| list_order(s.kind, s.meta.sort_by, &site.now, a, b);
            let after_prev = pos == 0 || order(&site.pages[s.pages[pos - 1]], &page).is_lt();
            let before_next = s
                .pages
                .get(pos + 1)
                .is_none_or(|&n| order(&page, &site.pages[n]).is_lt());
            // Two retitled pages of one section could trade places between them.
            let same_section = |&j: &usize| site.pages[j].section == page.section;
            if !(after_prev && before_next) || patch.fronts.iter().any(same_section) {
                return None;
            }
            patch.fronts.push(i);
        }
        patch.pages.push((i, Arc::new(page)));
        let diags = l.diags.iter().chain(&body.out.diags).cloned().collect();
        patch.diagnostics.push((rel.clone(), diags));
        patch.texts.push((rel.clone(), l.text.clone()));
        patch.body_offsets.push(l.body_offset);
        patch.anchors.push((rel.clone(), body.out.anchors.clone()));
        cache.files.insert(
            rel,
            CachedFile {
                loaded: l,
                body: Some(body),
            },
        );
    }
    Some(patch)
}

/// The decoded text of every file the build read, for rendering diagnostics.
#[derive(Default)]
pub struct Sources {
    pub texts: HashMap<PathBuf, Arc<str>>,
}

impl Sources {
    /// The texts of the files these diagnostics name: all that showing them needs.
    pub fn subset(&self, diags: &[Diagnostic]) -> Sources {
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

/// One Markdown file after the first pass.
#[derive(Clone)]
struct Loaded {
    file: source::MarkdownFile,
    text: Arc<str>,
    body_offset: usize,
    kind: Kind,
    page: Option<PageMeta>,
    section: Option<SectionMeta>,
    diags: Vec<Diagnostic>,
    /// Taken from the cache unchanged.
    reused: bool,
}

/// What `serve` keeps between builds, so that an edit re-reads and re-renders only
/// the files it touched. A file's entry holds while the input has the same text for
/// it (the same shared string: the input reads a file again only when it changed);
/// a cached body only while every link in it still resolves to the same place and
/// the files beside it (data blocks read them) are the same readings; anything the
/// cache cannot vouch for is done again.
#[derive(Default)]
pub struct Cache {
    files: HashMap<PathBuf, CachedFile>,
    next_version: u64,
}

impl Cache {
    /// What reading and rendering a Markdown file found when it was last loaded.
    pub fn file_diagnostics(&self, rel: &Path) -> Vec<Diagnostic> {
        let Some(f) = self.files.get(rel) else {
            return Vec::new();
        };
        let body = f.body.iter().flat_map(|b| &b.out.diags);
        f.loaded.diags.iter().chain(body).cloned().collect()
    }

    fn version(&mut self) -> u64 {
        self.next_version += 1;
        self.next_version
    }
}

struct CachedFile {
    loaded: Loaded,
    body: Option<CachedBody>,
}

struct CachedBody {
    page_path: String,
    /// Every link of the body with what it resolved to.
    links: Vec<(String, bool, Resolution)>,
    /// For a body with data blocks: the files it looked for and a fingerprint of
    /// them and of the files beside it (see [`data_fingerprint`]).
    dir: Option<(Vec<PathBuf>, u64)>,
    out: Arc<RenderedBody>,
    version: u64,
}

/// A rendered body and what was found while rendering it.
struct RenderedBody {
    html: Arc<str>,
    summary_html: Option<String>,
    text: Arc<str>,
    headings: Vec<markdown::Heading>,
    has_code: bool,
    /// The start of the text, for pages without a description.
    summary: String,
    char_count: usize,
    diags: Vec<Diagnostic>,
    anchors: Vec<AnchorCheck>,
    site_links: Vec<SiteLink>,
}

/// A link to an address of this site (`/stats/2025/`, `../x/`, a full address under
/// `base_url`, `/images/x.jpg`), with the output path it names and where it is
/// written (bytes of the whole file).
#[derive(Clone, Debug, PartialEq)]
pub struct SiteLink {
    pub dest: String,
    /// Below the output root, decoded, without query or fragment: "stats/2025/".
    pub path: String,
    pub span: std::ops::Range<usize>,
    pub is_image: bool,
}

fn load_one(file: source::MarkdownFile, decoded: &Text, config: &Config) -> Loaded {
    let mut diags = decoded.diagnostics.clone();
    let text: Arc<str> = decoded.text.clone();
    let content_rel = content_rel(&file.rel);
    let first = content_rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    let kind = match (file.role, content_rel.components().count()) {
        // content/a.md and content/_index.md are site pages, not any section's.
        (Role::Page, 1) | (Role::Section, 1) => Kind::Page,
        // content/x/index.md is a bundle at the root.
        (Role::Bundle, 2) => Kind::Page,
        _ => Kind::from_section(first.as_deref().unwrap_or("")),
    };
    let mut fm_diags = Vec::new();
    let split = front_matter::split(&text, &mut fm_diags);
    let body_offset = split.body_offset;
    let table = match (split.front, split.format) {
        (Some((front, off)), Some(fmt)) => front_matter::parse(front, off, fmt, &mut fm_diags),
        _ => Vec::new(),
    };
    let anchor = 0..split.front.map(|_| 3).unwrap_or(0);
    let (page, section) = if file.role == Role::Section {
        let (m, d) = meta::section_meta(&table, anchor);
        fm_diags.extend(d);
        (None, Some(m))
    } else if fm_diags.iter().any(Diagnostic::is_error) {
        // The front matter did not parse: what it lacks would only repeat that.
        (None, None)
    } else if split.front.is_none() {
        fm_diags.push(
            Diagnostic::error(text!(zh: "页面没有 front matter，缺少标题", en: "the page has no front matter and so no title"))
                .at(0..0)
                .with_help(text!(
                    zh: "在文件开头加上：\n+++\ntitle = \"标题\"\n+++",
                    en: "start the file with:\n+++\ntitle = \"Title\"\n+++"
                )),
        );
        (None, None)
    } else {
        let (m, d) = meta::page_meta(&table, kind, &config.timezone, &config.levels, anchor);
        fm_diags.extend(d);
        fm_diags.extend(meta::placeholders(&text[body_offset..], body_offset));
        (Some(m), None)
    };
    diags.extend(fm_diags.into_iter().map(|d| d.in_file(&file.rel)));
    Loaded {
        file,
        text,
        body_offset,
        kind,
        page,
        section,
        diags,
        reused: false,
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

/// Loads and renders the whole site. Returns `None` only when nothing sensible can be
/// built (no config); otherwise a site plus every diagnostic found.
pub fn load(
    input: &Input,
    config: Config,
    opts: &LoadOptions,
    sources: &mut Sources,
    mut cache: Option<&mut Cache>,
) -> (Site, Links, Vec<Diagnostic>) {
    let (found, content_diags) = input.content();
    let mut diags = content_diags.to_vec();
    let t = std::time::Instant::now();
    let cached = cache.as_deref();
    let no_text = Text {
        text: "".into(),
        diagnostics: Vec::new(),
    };
    let loaded: Vec<(Loaded, bool)> = found
        .markdown
        .par_iter()
        .map(|f| {
            // The input decodes every Markdown file it holds.
            let text = input
                .file(&f.rel)
                .and_then(|i| i.text.as_ref())
                .unwrap_or(&no_text);
            let entry = cached.and_then(|c| c.files.get(&f.rel));
            match entry {
                Some(c)
                    if Arc::ptr_eq(&c.loaded.text, &text.text) && c.loaded.file.role == f.role =>
                {
                    let mut l = c.loaded.clone();
                    l.reused = true;
                    (l, true)
                }
                _ => (load_one(f.clone(), text, &config), false),
            }
        })
        .collect();
    if let Some(cache) = cache.as_deref_mut() {
        // Files that are gone are forgotten; changed ones are replaced below.
        let present: std::collections::HashSet<&Path> =
            loaded.iter().map(|(l, _)| l.file.rel.as_path()).collect();
        cache.files.retain(|rel, _| present.contains(rel.as_path()));
        for (l, reused) in &loaded {
            if !reused {
                cache.files.insert(
                    l.file.rel.clone(),
                    CachedFile {
                        loaded: l.clone(),
                        body: None,
                    },
                );
            }
        }
    }
    let loaded: Vec<Loaded> = loaded.into_iter().map(|(l, _)| l).collect();
    crate::base::trace::trace("read + front matter", t);

    // Sections: the home, then one per top-level folder that has pages or an _index.md.
    let mut sections = vec![Section {
        rel: None,
        kind: Kind::Page,
        path: String::new(),
        title: config.title.clone(),
        meta: SectionMeta::default(),
        html: String::new(),
        site_links: Vec::new(),
        pages: Vec::new(),
    }];
    let mut section_of_dir: HashMap<String, usize> = HashMap::new();
    for l in &loaded {
        let crel = content_rel(&l.file.rel);
        let comps: Vec<String> = crel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if l.file.role == Role::Section {
            if comps.len() == 1 {
                let s = &mut sections[0];
                s.rel = Some(l.file.rel.clone());
                if let Some(m) = &l.section {
                    if let Some(t) = &m.title {
                        s.title = t.clone();
                    }
                    s.meta = m.clone();
                }
                continue;
            }
            if comps.len() > 2 {
                diags.push(
                    Diagnostic::warning(text!(
                        zh: "暂不支持多级栏目：这个 _index.md 不会生效，其中的页面归入上一级栏目",
                        en: "nested sections are not supported yet: this _index.md is ignored and its pages belong to the parent section"
                    ))
                    .in_file(&l.file.rel),
                );
                continue;
            }
        }
        let is_root_page = matches!(
            (l.file.role, comps.len()),
            (Role::Page, 1) | (Role::Bundle, 2)
        );
        if is_root_page {
            continue;
        }
        let dir = comps[0].clone();
        let idx = *section_of_dir.entry(dir.clone()).or_insert_with(|| {
            let kind = Kind::from_section(&dir);
            let title = if kind == Kind::Page {
                dir.clone()
            } else {
                kind.section_title().to_string()
            };
            sections.push(Section {
                rel: None,
                kind,
                path: format!("{}/", crate::base::slug::slugify(&dir)),
                title,
                meta: SectionMeta::default(),
                html: String::new(),
                site_links: Vec::new(),
                pages: Vec::new(),
            });
            sections.len() - 1
        });
        if l.file.role == Role::Section {
            let s = &mut sections[idx];
            s.rel = Some(l.file.rel.clone());
            if let Some(m) = &l.section {
                if let Some(t) = &m.title {
                    s.title = t.clone();
                }
                s.meta = m.clone();
            }
        }
    }

    // Pages: decide which are published and compute their URLs.
    struct Pending {
        loaded: usize,
        section: usize,
        path: String,
    }
    let mut pending: Vec<Pending> = Vec::new();
    let mut by_path: HashMap<String, PathBuf> = HashMap::new();
    // Content-relative source path ("notices/a.md") → output path, for link resolution.
    let mut link_index: HashMap<String, String> = HashMap::new();
    let mut unpublished: std::collections::HashSet<String> = std::collections::HashSet::new();
    // The first scheduled page to come due: the site changes then without an edit.
    let mut next_scheduled: Option<Zoned> = None;
    let mut left_out = (0, 0);
    let mut draft_refs: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut published_refs: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, l) in loaded.iter().enumerate() {
        if l.file.role == Role::Section {
            let crel = content_rel(&l.file.rel);
            let path = match crel.parent().and_then(|p| p.components().next()) {
                Some(c) => section_of_dir
                    .get(&*c.as_os_str().to_string_lossy())
                    .map(|&s| sections[s].path.clone()),
                None => Some(String::new()),
            };
            if let Some(p) = path {
                link_index.insert(slash_path(crel), p);
            }
            continue;
        }
        let Some(meta) = &l.page else { continue };
        let refs = file_refs(&l.text, l.body_offset, &l.file.rel);
        if meta.draft && !opts.drafts {
            unpublished.insert(slash_path(content_rel(&l.file.rel)));
            left_out.0 += 1;
            draft_refs.extend(refs);
            continue;
        }
        // A page is due at its date, a warning without one when it is issued.
        let due = meta
            .date
            .as_ref()
            .or(meta.warning.as_ref().map(|w| &w.issued))
            .filter(|d| **d > opts.now);
        if let (Some(due), false) = (due, opts.drafts) {
            unpublished.insert(slash_path(content_rel(&l.file.rel)));
            if next_scheduled.as_ref().is_none_or(|n| due < n) {
                next_scheduled = Some(due.clone());
            }
            left_out.1 += 1;
            draft_refs.extend(refs);
            continue;
        }
        published_refs.extend(refs);
        let crel = content_rel(&l.file.rel);
        let mut dirs: Vec<String> = crel
            .parent()
            .map(|p| {
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        let stem_source = if l.file.role == Role::Bundle {
            dirs.pop().unwrap_or_default()
        } else {
            crel.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let section = match dirs.first() {
            Some(d) => section_of_dir.get(d).copied().unwrap_or(0),
            None => 0,
        };
        let slug = match &meta.slug {
            Some(s) => s.value.clone(),
            None => crate::base::slug::slugify(&stem_source),
        };
        if slug.is_empty() {
            diags.push(
                Diagnostic::error(text!(
                    zh: "无法从文件名 `{stem_source}` 生成网址",
                    en: "cannot make a URL from the file name `{stem_source}`"
                ))
                .in_file(&l.file.rel)
                .with_help(text!(zh: "在 front matter 中加上 slug = \"wang-zhi\"（小写字母、数字和 -）", en: "set slug = \"my-page\" in the front matter")),
            );
            continue;
        }
        let mut path = String::new();
        for d in &dirs {
            let s = crate::base::slug::slugify(d);
            if !s.is_empty() {
                path.push_str(&s);
                path.push('/');
            }
        }
        path.push_str(&slug);
        path.push('/');
        if let Some(other) = by_path.get(&path) {
            diags.push(
                Diagnostic::error(text!(
                    zh: "这个页面的网址 /{path} 与 {} 相同",
                    en: "this page's URL /{path} is the same as {}'s",
                    crate::base::diagnostic::display_path(other)
                ))
                .in_file(&l.file.rel)
                .with_help(text!(zh: "在其中一个页面的 front matter 中设置不同的 slug", en: "set a different slug in one of them")),
            );
            continue;
        }
        by_path.insert(path.clone(), l.file.rel.clone());
        link_index.insert(slash_path(crel), path.clone());
        pending.push(Pending {
            loaded: i,
            section,
            path,
        });
    }

    // Assets: a bundle's files go beside its page; other files keep their folder.
    let bundle_out: HashMap<PathBuf, String> = pending
        .iter()
        .filter(|p| loaded[p.loaded].file.role == Role::Bundle)
        .filter_map(|p| {
            content_rel(&loaded[p.loaded].file.rel)
                .parent()
                .map(|d| (d.to_path_buf(), p.path.clone()))
        })
        .collect();
    let unpublished_bundles: Vec<PathBuf> = loaded
        .iter()
        .filter(|l| l.file.role == Role::Bundle)
        .filter_map(|l| content_rel(&l.file.rel).parent().map(Path::to_path_buf))
        .filter(|d| !bundle_out.contains_key(d))
        .collect();
    let mut assets = Vec::new();
    // Content-relative asset path → output path.
    let mut asset_index: HashMap<String, String> = HashMap::new();
    for a in &found.assets {
        let owner = a
            .content_rel
            .ancestors()
            .skip(1)
            .find_map(|d| bundle_out.get(d).map(|out| (d, out)));
        let out = match owner {
            Some((dir, out)) => format!(
                "{out}{}",
                slash_path(a.content_rel.strip_prefix(dir).unwrap_or(&a.content_rel))
            ),
            None => {
                // A draft's files are published with it, not before.
                let rel = slash_path(&a.content_rel);
                if unpublished_bundles
                    .iter()
                    .any(|d| a.content_rel.starts_with(d))
                    || (draft_refs.contains(&rel) && !published_refs.contains(&rel))
                {
                    continue;
                }
                slash_path(&a.content_rel)
            }
        };
        asset_index.insert(slash_path(&a.content_rel), out.clone());
        assets.push(AssetCopy {
            abs: a.abs.clone(),
            out,
        });
    }

    // Second pass: render every body with links resolved.
    let mut links = Links {
        base_path: config.base_path.clone(),
        base_url: config.base_url.clone(),
        markdown: markdown::Settings {
            indented_code: config.indented_code,
            allowed_mobiles: config
                .privacy_allow
                .iter()
                .map(|a| crate::base::pii::normalise(a))
                .collect(),
        },
        base_host: config.home_host.clone(),
        link_index,
        asset_index,
        unpublished,
        draft_refs,
        page_of_rel: HashMap::new(),
        page_of_path: HashMap::new(),
        anchors: BTreeMap::new(),
    };
    let resolver = links.resolver();
    // A cached body still holds if its file is unchanged, it has the same URL, every
    // link resolves as before and the files beside it are the same.
    let cached = cache.as_deref();
    let still_good = |l: &Loaded, page_path: &str| -> Option<(Arc<RenderedBody>, u64)> {
        let c = cached?.files.get(&l.file.rel)?.body.as_ref()?;
        let dir = slash_path(content_rel(&l.file.rel).parent().unwrap_or(Path::new("")));
        let good = l.reused
            && c.page_path == page_path
            && c.dir
                .as_ref()
                .is_none_or(|(read, fp)| *fp == data_fingerprint(input, &l.file.rel, read))
            && c.links
                .iter()
                .all(|(dest, image, r)| resolver.resolve(dest, &dir, page_path, *image) == *r);
        good.then(|| (c.out.clone(), c.version))
    };
    let body_of = |l: &Loaded, page_path: &str| match still_good(l, page_path) {
        Some((out, version)) => (out, version, None),
        None => {
            let fresh = render_body(l, page_path, &resolver, input);
            (fresh.out.clone(), 0, Some(fresh))
        }
    };

    let t = std::time::Instant::now();
    let section_bodies: Vec<_> = loaded
        .par_iter()
        .enumerate()
        .filter(|(_, l)| l.file.role == Role::Section)
        .map(|(i, l)| (i, body_of(l, "")))
        .collect();
    let rendered_pages: Vec<_> = pending
        .par_iter()
        .map(|p| (p.loaded, body_of(&loaded[p.loaded], &p.path)))
        .collect();
    crate::base::trace::trace("markdown", t);
    // New bodies get a new version and go into the cache.
    let mut remember = |i: usize, fresh: Option<CachedBody>, version: u64| -> u64 {
        let (Some(cache), Some(mut fresh)) = (cache.as_deref_mut(), fresh) else {
            return version;
        };
        let v = cache.version();
        fresh.version = v;
        if let Some(c) = cache.files.get_mut(&loaded[i].file.rel) {
            c.body = Some(fresh);
        }
        v
    };
    let rendered_pages: Vec<(Arc<RenderedBody>, u64)> = rendered_pages
        .into_iter()
        .map(|(i, (out, version, fresh))| (out, remember(i, fresh, version)))
        .collect();

    for (i, (out, version, fresh)) in section_bodies {
        remember(i, fresh, version);
        diags.extend(out.diags.iter().cloned());
        let rel = &loaded[i].file.rel;
        if let Some(s) = sections
            .iter_mut()
            .find(|s| s.rel.as_deref() == Some(rel.as_path()))
        {
            s.html = out.html.to_string();
            s.site_links = out.site_links.clone();
        }
    }

    let mut pages = Vec::with_capacity(pending.len());
    let mut taken: Vec<Option<PageMeta>> = loaded.iter().map(|_| None).collect();
    let mut loaded = loaded;
    for l in loaded.iter_mut() {
        diags.append(&mut l.diags);
    }
    for (i, l) in loaded.iter_mut().enumerate() {
        taken[i] = l.page.take();
    }
    for (p, (body, version)) in pending.into_iter().zip(rendered_pages) {
        diags.extend(body.diags.iter().cloned());
        let rel = loaded[p.loaded].file.rel.clone();
        if !body.anchors.is_empty() {
            links.anchors.insert(rel.clone(), body.anchors.clone());
        }
        let l = &loaded[p.loaded];
        let source = PageSource {
            index: pages.len(),
            file: l.file.clone(),
            text: l.text.clone(),
            body_offset: l.body_offset,
        };
        links.page_of_rel.insert(rel.clone(), source);
        links.page_of_path.insert(p.path.clone(), pages.len());
        let meta = taken[p.loaded].take().unwrap_or_default();
        pages.push(Page::new(
            rel,
            loaded[p.loaded].kind,
            meta,
            p.section,
            p.path,
            &body,
            version,
        ));
    }

    for l in &loaded {
        sources.texts.insert(l.file.rel.clone(), l.text.clone());
    }

    // Section lists.
    for (i, p) in pages.iter().enumerate() {
        sections[p.section].pages.push(i);
    }
    let now = opts.now.clone();
    for s in &mut sections {
        let sort_by = s.meta.sort_by;
        let kind = s.kind;
        s.pages
            .sort_by(|&a, &b| list_order(kind, sort_by, &now, &pages[a], &pages[b]));
    }
    // Keep sections in a stable, meaningful order: home, known kinds, then by weight/name.
    let order = |s: &Section| {
        let known = [
            Kind::Warning,
            Kind::Notice,
            Kind::Campaign,
            Kind::Stats,
            Kind::Leaflet,
        ]
        .iter()
        .position(|k| *k == s.kind)
        .unwrap_or(99);
        (
            if s.path.is_empty() { 0 } else { 1 },
            s.meta.weight,
            known,
            s.path.clone(),
        )
    };
    let mut perm: Vec<usize> = (0..sections.len()).collect();
    perm.sort_by_key(|&i| order(&sections[i]));
    let mut new_index = vec![0; sections.len()];
    for (new, &old) in perm.iter().enumerate() {
        new_index[old] = new;
    }
    let mut slots: Vec<Option<Section>> = sections.into_iter().map(Some).collect();
    let sections: Vec<Section> = perm
        .iter()
        .map(|&i| slots[i].take().expect("each section once"))
        .collect();
    for p in &mut pages {
        p.section = new_index[p.section];
    }

    let t = std::time::Instant::now();
    // Taxonomies: terms keyed by slug, so 防汛 and a later 防汛 are one term.
    let mut taxonomies = Vec::new();
    // Pinyin slugs are slow to make and tags repeat across pages: each name is
    // slugged once.
    let mut slugs: HashMap<&str, String> = HashMap::new();
    // Newest first, then by path: the order of a term's list.
    let dates: Vec<Option<jiff::Timestamp>> = pages
        .iter()
        .map(|p| p.sort_date().map(Zoned::timestamp))
        .collect();
    let mut assigned: Vec<(usize, TaxonomyKind, usize)> = Vec::new();
    for kind in [TaxonomyKind::Tags, TaxonomyKind::Categories] {
        // Terms in order of first use, then sorted by slug below.
        let mut terms: Vec<Term> = Vec::new();
        let mut by_slug: HashMap<String, usize> = HashMap::new();
        let mut assignments: Vec<(usize, usize)> = Vec::new();
        for (pi, p) in pages.iter().enumerate() {
            let names = match kind {
                TaxonomyKind::Tags => &p.meta.tags,
                TaxonomyKind::Categories => &p.meta.categories,
            };
            for n in names {
                let slug = slugs
                    .entry(n.value.as_str())
                    .or_insert_with(|| crate::base::slug::slugify(&n.value));
                if slug.is_empty() {
                    diags.push(
                        Diagnostic::error(text!(zh: "无法从 `{}` 生成网址", en: "cannot make a URL from `{}`", n.value))
                            .in_file(&p.rel)
                            .at(n.span.clone())
                            .with_help(text!(zh: "请用含有汉字、字母或数字的名称", en: "use a name with letters, digits or Chinese characters")),
                    );
                    continue;
                }
                let id = match by_slug.get(slug.as_str()) {
                    Some(&id) => id,
                    None => {
                        terms.push(Term {
                            name: n.value.trim().to_string(),
                            slug: slug.clone(),
                            pages: Vec::new(),
                        });
                        by_slug.insert(slug.clone(), terms.len() - 1);
                        terms.len() - 1
                    }
                };
                assignments.push((pi, id));
            }
        }
        let mut order: Vec<usize> = (0..terms.len()).collect();
        order.sort_by(|&a, &b| terms[a].slug.cmp(&terms[b].slug));
        let mut sorted_at = vec![0; terms.len()];
        for (at, &id) in order.iter().enumerate() {
            sorted_at[id] = at;
        }
        for (pi, id) in assignments {
            let t = &mut terms[id];
            if t.pages.last() != Some(&pi) {
                t.pages.push(pi);
            }
            assigned.push((pi, kind, sorted_at[id]));
        }
        let mut slots: Vec<Option<Term>> = terms.into_iter().map(Some).collect();
        let mut terms: Vec<Term> = order
            .iter()
            .map(|&id| slots[id].take().expect("each term once"))
            .collect();
        for t in &mut terms {
            t.pages.sort_by(|&a, &b| {
                dates[b]
                    .cmp(&dates[a])
                    .then_with(|| pages[a].path.cmp(&pages[b].path))
            });
        }
        taxonomies.push(Taxonomy { kind, terms });
    }
    for (pi, kind, ti) in assigned {
        let list = match kind {
            TaxonomyKind::Tags => &mut pages[pi].tags,
            TaxonomyKind::Categories => &mut pages[pi].categories,
        };
        if !list.contains(&ti) {
            list.push(ti);
        }
    }

    crate::base::trace::trace("taxonomies", t);
    // Aliases: old URLs that redirect to the page.
    let mut aliases = Vec::new();
    for (pi, p) in pages.iter().enumerate() {
        for a in &p.meta.aliases {
            let path = a.value.trim().trim_start_matches('/');
            if path.is_empty() || path.contains("..") || path.contains(['?', '#', '\\']) {
                diags.push(
                    Diagnostic::error(text!(zh: "别名 `{}` 不是有效的站内路径", en: "alias `{}` is not a valid site path", a.value))
                        .in_file(&p.rel)
                        .at(a.span.clone())
                        .with_help(text!(zh: "例如 aliases = [\"old/fang-xun/\"]", en: "e.g. aliases = [\"old/page/\"]")),
                );
                continue;
            }
            let out = if path.ends_with(".html") || path.ends_with('/') {
                path.to_string()
            } else {
                format!("{path}/")
            };
            aliases.push((out, pi));
        }
    }

    let mut active_warnings: Vec<usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.meta
                .warning
                .as_ref()
                .is_some_and(|w| warning_status(w, &now) == WarningStatus::Active)
        })
        .map(|(i, _)| i)
        .collect();
    let level = |i: &usize| {
        pages[*i]
            .meta
            .warning
            .as_ref()
            .map(|w| w.level.rank)
            .unwrap_or(0)
    };
    active_warnings.sort_by(|a, b| {
        level(b)
            .cmp(&level(a))
            .then_with(|| pages[*b].sort_date().cmp(&pages[*a].sort_date()))
    });

    let site = Site {
        root: input.root().to_path_buf(),
        config,
        now,
        sections,
        pages: pages.into_iter().map(Arc::new).collect(),
        taxonomies,
        assets,
        aliases,
        active_warnings,
        next_scheduled,
        left_out,
        leaflet_pdfs: Default::default(),
    };
    diags.extend(links.anchor_diagnostics(&site, None));
    (site, links, diags)
}

/// Renders one body with its links resolved, noting everything the result depends on
/// (its links, and for data blocks the files beside it) so that a cache can tell
/// when it still holds.
fn render_body(l: &Loaded, page_path: &str, resolver: &Resolver<'_>, input: &Input) -> CachedBody {
    let body = &l.text[l.body_offset..];
    let crel = content_rel(&l.file.rel);
    let dir = slash_path(crel.parent().unwrap_or(Path::new("")));
    let mut diags = Vec::new();
    let mut anchors = Vec::new();
    let mut links = Vec::new();
    let mut site_links = Vec::new();
    let mut resolve = |link: &markdown::LinkRef| -> Option<String> {
        let span = link.span.start + l.body_offset..link.span.end + l.body_offset;
        let resolution = resolver.resolve(link.dest, &dir, page_path, link.is_image);
        links.push((link.dest.to_string(), link.is_image, resolution.clone()));
        let by_address = match &resolution {
            Resolution::Keep => true,
            Resolution::Url(_) => link.dest.trim().starts_with('/'),
            _ => false,
        };
        if let Some(path) = by_address
            .then(|| resolver.site_path(link.dest, page_path))
            .flatten()
        {
            site_links.push(SiteLink {
                dest: link.dest.to_string(),
                path,
                span: span.clone(),
                is_image: link.is_image,
            });
        }
        match resolution {
            Resolution::Keep => None,
            Resolution::Url(u) => Some(u),
            Resolution::Page {
                url,
                target,
                fragment,
            } => {
                if let Some(f) = fragment {
                    anchors.push(AnchorCheck {
                        target,
                        fragment: f,
                        span,
                    });
                }
                Some(url)
            }
            Resolution::Broken { what, suggestion } => {
                let help = match (&suggestion, &what) {
                    (Some(s), _) => text!(zh: "是不是 `{s}`？", en: "did you mean `{s}`?"),
                    (None, Broken::Unpublished) => text!(
                        zh: "等那个页面发布后再链接，或去掉它的 draft = true、检查它的 date",
                        en: "link to it once it is published, or remove its draft = true / check its date"
                    ),
                    (None, Broken::Asset) => text!(
                        zh: "把文件放在页面旁边（页面包：栏目/页面名/index.md 旁），并检查文件名的大小写",
                        en: "put the file beside the page (in its bundle folder) and check the name's spelling and case"
                    ),
                    (None, Broken::Page) => text!(
                        zh: "链接写成 @/栏目/文件名.md（相对 content 文件夹），或相对本文件的路径",
                        en: "write links as @/section/file.md (from the content folder) or relative to this file"
                    ),
                };
                let msg = match what {
                    Broken::Unpublished => text!(
                        zh: "链接指向的页面 `{}` 还没有发布（草稿或定时发布）",
                        en: "the linked page `{}` is not published (a draft or scheduled)",
                        link.dest
                    ),
                    Broken::Page => {
                        text!(zh: "链接指向的页面 `{}` 不存在", en: "the linked page `{}` does not exist", link.dest)
                    }
                    Broken::Asset if link.is_image => {
                        text!(zh: "图片 `{}` 不存在", en: "the image `{}` does not exist", link.dest)
                    }
                    Broken::Asset => {
                        text!(zh: "链接的文件 `{}` 不存在", en: "the linked file `{}` does not exist", link.dest)
                    }
                };
                diags.push(
                    Diagnostic::error(msg)
                        .in_file(&l.file.rel)
                        .at(span)
                        .with_help(help),
                );
                None
            }
        }
    };
    let mut data_diags = Vec::new();
    let read = std::cell::RefCell::new(Vec::new());
    let mut has_data = false;
    let mut data_block = |b: &markdown::DataBlock| -> Option<String> {
        has_data = true;
        let span = b.span.start + l.body_offset..b.span.end + l.body_offset;
        // The body starts on the line after the opening fence.
        let body_offset = body[b.span.clone()]
            .find('\n')
            .map(|i| span.start + i + 1)
            .unwrap_or(span.end);
        let place = crate::data::Place {
            page_rel: &l.file.rel,
            input,
            read: &read,
            span,
            body_offset,
        };
        crate::data::render(b.info, b.body, &place, &mut data_diags)
    };
    let mut options = markdown::Options {
        resolve_link: &mut resolve,
        data_block: Some(&mut data_block),
        settings: resolver.markdown,
        site_host: resolver.base_host,
    };
    let rendered = markdown::render(body, &mut options);
    diags.append(&mut data_diags);
    diags.extend(rendered.diagnostics.into_iter().map(|d| {
        let span = d.span.clone().unwrap_or(0..0);
        d.in_file(&l.file.rel)
            .at(span.start + l.body_offset..span.end + l.body_offset)
    }));
    let char_count = rendered.text.chars().filter(|c| !c.is_whitespace()).count();
    CachedBody {
        page_path: page_path.to_string(),
        links,
        dir: has_data.then(|| {
            let read = read.into_inner();
            let fp = data_fingerprint(input, &l.file.rel, &read);
            (read, fp)
        }),
        out: Arc::new(RenderedBody {
            summary: summarise(&rendered.text, 120),
            char_count,
            html: rendered.html.into(),
            summary_html: rendered.summary_html,
            text: rendered.text.into(),
            headings: rendered.headings,
            has_code: rendered.has_code,
            diags,
            anchors,
            site_links,
        }),
        version: 0,
    }
}

/// What a body's data blocks depend on: the readings (see `input::site::File::seq`)
/// of the files they looked for, found or not, and of every file beside the page
/// other than Markdown (a misspelt `src=` names those that are there).
fn data_fingerprint(input: &Input, page_rel: &Path, read: &[PathBuf]) -> u64 {
    use std::hash::{Hash, Hasher};
    let dir = page_rel.parent().unwrap_or(Path::new(""));
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (rel, f) in input.beside(dir) {
        if !source::is_markdown(rel) {
            (rel, f.seq).hash(&mut h);
        }
    }
    for rel in read {
        (rel, input.file(rel).map(|f| f.seq)).hash(&mut h);
    }
    h.finish()
}

/// The order of a section's list: warnings in force first, most severe first; then
/// by date (newest first) or weight, as the section asks; then by title and path.
fn list_order(
    kind: Kind,
    sort_by: SortBy,
    now: &Zoned,
    pa: &Page,
    pb: &Page,
) -> std::cmp::Ordering {
    if kind == Kind::Warning {
        let rank = |p: &Page| {
            p.meta.warning.as_ref().map(|w| {
                (
                    warning_status(w, now) == WarningStatus::Active,
                    w.level.rank,
                )
            })
        };
        let c = rank(pb).cmp(&rank(pa));
        if c.is_ne() {
            return c;
        }
    }
    let by_weight = pa.meta.weight.cmp(&pb.meta.weight);
    let by_date = pb.sort_date().cmp(&pa.sort_date());
    let first = if sort_by == SortBy::Weight {
        by_weight.then(by_date)
    } else {
        by_date.then(by_weight)
    };
    first
        .then_with(|| pa.meta.title.cmp(&pb.meta.title))
        .then_with(|| pa.path.cmp(&pb.path))
}

/// What of a page's front matter decides where it is listed, under which URLs and
/// terms, and what banners and clock-driven states show: a front-matter edit that
/// leaves this alone (a title, a description, figures) changes the page and the
/// lists that show it, nothing else.
fn placement(meta: &PageMeta) -> String {
    let values = |v: &[crate::parse::front_matter::Spanned<String>]| {
        v.iter().map(|s| s.value.clone()).collect::<Vec<_>>()
    };
    format!(
        "{:?}",
        (
            &meta.date,
            values(&meta.tags),
            values(&meta.categories),
            meta.draft,
            meta.slug.as_ref().map(|s| &s.value),
            meta.weight,
            values(&meta.aliases),
            &meta.warning,
            meta.campaign.as_ref().map(|c| (&c.start, &c.end)),
            meta.leaflet.as_ref().map(|l| (l.paper, l.qr)),
        )
    )
}

/// The first `max` characters of `text`, cut at a sentence end where one is near, with
/// an ellipsis when cut.
pub fn summarise(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let at_sentence = cut
        .char_indices()
        .filter(|(_, c)| matches!(c, '。' | '！' | '？' | '；'))
        .map(|(i, c)| i + c.len_utf8())
        .next_back();
    match at_sentence {
        Some(i) if i > cut.len() / 2 => cut[..i].to_string(),
        _ => format!("{cut}…"),
    }
}

#[derive(Clone)]
struct AnchorCheck {
    target: String,
    fragment: String,
    span: std::ops::Range<usize>,
}

#[derive(Clone, PartialEq)]
enum Broken {
    Page,
    /// The page exists but is a draft or dated after now.
    Unpublished,
    Asset,
}

#[derive(Clone, PartialEq)]
enum Resolution {
    Keep,
    Url(String),
    Page {
        url: String,
        target: String,
        fragment: Option<String>,
    },
    Broken {
        what: Broken,
        suggestion: Option<String>,
    },
}

struct Resolver<'a> {
    base_path: &'a str,
    base_url: &'a str,
    markdown: &'a markdown::Settings,
    base_host: &'a str,
    unpublished: &'a std::collections::HashSet<String>,
    link_index: &'a HashMap<String, String>,
    asset_index: &'a HashMap<String, String>,
}

impl Resolver<'_> {
    /// Resolves a link written in a page whose source folder is `dir` (content-relative)
    /// and whose output path is `page_path`.
    fn resolve(&self, dest: &str, dir: &str, page_path: &str, is_image: bool) -> Resolution {
        let dest = dest.trim();
        if dest.is_empty() || has_scheme(dest) || dest.starts_with("//") {
            return Resolution::Keep;
        }
        let (path_part, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f.to_string())),
            None => (dest, None),
        };
        if path_part.is_empty() {
            // `#anchor` in the same page.
            return match fragment {
                Some(f) if !page_path.is_empty() => Resolution::Page {
                    url: format!("#{}", anchor_id(&f)),
                    target: page_path.to_string(),
                    fragment: Some(f),
                },
                _ => Resolution::Keep,
            };
        }
        if let Some(rest) = path_part.strip_prefix("@/") {
            return self.page(&normalise(rest), fragment);
        }
        if let Some(rest) = path_part.strip_prefix('/') {
            // Root-relative links are relative to the site, which may live under a path.
            if rest.starts_with(self.base_path.trim_start_matches('/')) && self.base_path != "/" {
                return Resolution::Keep;
            }
            let mut url = format!("{}{}", self.base_path, rest);
            if let Some(f) = fragment {
                url.push('#');
                url.push_str(&f);
            }
            return Resolution::Url(url);
        }
        let joined = normalise(&if dir.is_empty() {
            path_part.to_string()
        } else {
            format!("{dir}/{path_part}")
        });
        if path_part.ends_with(".md") {
            return self.page(&joined, fragment);
        }
        // `河道%20巡查.jpg` names the file `河道 巡查.jpg`, as it would in a browser.
        let decoded = percent_decode(&joined);
        let asset = self
            .asset_index
            .get(&joined)
            .or_else(|| decoded.as_ref().and_then(|d| self.asset_index.get(d)));
        if let Some(out) = asset {
            let mut url = format!("{}{}", self.base_path, out);
            if let Some(f) = fragment {
                url.push('#');
                url.push_str(&f);
            }
            return Resolution::Url(url);
        }
        // A relative link to something that is neither a page source nor a file:
        // an image must exist; other relative links may point at output paths.
        let looks_like_file = path_part
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'));
        if is_image || looks_like_file {
            let keys: Vec<&str> = self.asset_index.keys().map(String::as_str).collect();
            return Resolution::Broken {
                what: Broken::Asset,
                suggestion: meta::did_you_mean(&joined, &keys)
                    .map(|s| s.rsplit('/').next().unwrap_or(s).to_string()),
            };
        }
        Resolution::Keep
    }

    /// The output path a link names when it is an address of this site rather than a
    /// source file: a full address under `base_url`, a path from the site's root
    /// (with or without `base_url`'s path), or a path relative to the page's URL
    /// (`page_path`; a section body, rendered without one, is not checked for those).
    fn site_path(&self, dest: &str, page_path: &str) -> Option<String> {
        let dest = dest.trim();
        let path = dest.split(['#', '?']).next().unwrap_or("");
        if dest.starts_with('#') || dest.starts_with("//") || dest.is_empty() {
            return None;
        }
        let base_path = self.base_path.trim_start_matches('/');
        let joined = if has_scheme(path) {
            let rest = path.strip_prefix(self.base_url).or_else(|| {
                (path.len() + 1 == self.base_url.len() && self.base_url.starts_with(path))
                    .then_some("")
            })?;
            rest.to_string()
        } else if let Some(rest) = path.strip_prefix('/') {
            let rest = match rest.strip_prefix(base_path) {
                Some(r) if !base_path.is_empty() => r,
                _ => rest,
            };
            rest.to_string()
        } else if page_path.is_empty() || path.is_empty() {
            return None;
        } else {
            format!("{page_path}{path}")
        };
        let dir = joined.ends_with('/') || joined.is_empty();
        let mut out = normalise(&percent_decode(&joined).unwrap_or(joined));
        if dir && !out.is_empty() {
            out.push('/');
        }
        Some(out)
    }

    fn page(&self, content_path: &str, fragment: Option<String>) -> Resolution {
        match self.link_index.get(content_path) {
            Some(out) => {
                let mut url = format!("{}{}", self.base_path, out);
                if let Some(f) = &fragment {
                    url.push('#');
                    url.push_str(&anchor_id(f));
                }
                Resolution::Page {
                    url,
                    target: out.clone(),
                    fragment,
                }
            }
            None if self.unpublished.contains(content_path) => Resolution::Broken {
                what: Broken::Unpublished,
                suggestion: None,
            },
            None => {
                let keys: Vec<&str> = self.link_index.keys().map(String::as_str).collect();
                Resolution::Broken {
                    what: Broken::Page,
                    suggestion: meta::did_you_mean(content_path, &keys).map(|s| format!("@/{s}")),
                }
            }
        }
    }
}

/// Heading ids are slugs; a link may name a heading by its Chinese text.
fn anchor_id(fragment: &str) -> String {
    if crate::base::slug::is_valid_slug(fragment) {
        fragment.to_string()
    } else {
        let s = crate::base::slug::slugify(fragment);
        if s.is_empty() {
            fragment.to_string()
        } else {
            s
        }
    }
}

fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) => {
            s[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && i > 0
        }
        None => false,
    }
}

/// `%XX` escapes decoded, or `None` when there are none or they do not make UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return None;
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Resolves `.` and `..` in a `/`-separated path; `..` above the root is dropped.
/// The content-relative files a page's body links to or shows (`photo.jpg` beside
/// it, `../files/a.pdf`): a first look, before links are resolved, at which files
/// only unpublished pages use.
fn file_refs(text: &str, body_offset: usize, rel: &Path) -> Vec<String> {
    use pulldown_cmark::{Event, Parser, Tag};
    let body = text.get(body_offset..).unwrap_or("");
    let dir = slash_path(content_rel(rel).parent().unwrap_or(Path::new("")));
    Parser::new(body)
        .filter_map(|e| match e {
            Event::Start(Tag::Image { dest_url, .. } | Tag::Link { dest_url, .. }) => {
                Some(dest_url.into_string())
            }
            _ => None,
        })
        .filter_map(|dest| {
            let path = dest
                .trim()
                .split(['#', '?'])
                .next()
                .unwrap_or("")
                .to_string();
            if path.is_empty() || has_scheme(&path) || path.starts_with('/') {
                return None;
            }
            Some(match path.strip_prefix("@/") {
                Some(rest) => normalise(rest),
                None if dir.is_empty() => normalise(&path),
                None => normalise(&format!("{dir}/{path}")),
            })
        })
        .collect()
}

fn normalise(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            p => out.push(p),
        }
    }
    out.join("/")
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
    pub path: String,
    /// Its Markdown file, relative to the site root.
    pub source: PathBuf,
    pub paper: Paper,
}

impl Leaflet {
    /// Sheets the print page has: one, or two for a trifold (outside, inside).
    pub fn sheets(&self) -> usize {
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
