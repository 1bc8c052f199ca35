//! Edited pages made again on top of the last good build ([`patch`]), for `serve`'s
//! fast path: only while an edit does not move a page (see [`placement`]). It must
//! give what a full load would give for those pages, or `None`.

use super::*;

/// New versions of pages that stay where they were (see [`patch`]).
pub(crate) struct Patch {
    /// Each changed page by index, as it is now.
    pub(crate) pages: Vec<(usize, Arc<Page>)>,
    /// Those whose front matter changed, which their neighbours and the sitemap show.
    pub(crate) fronts: Vec<usize>,
    /// What reading and rendering each changed file found.
    pub(crate) diagnostics: Vec<(PathBuf, Vec<Diagnostic>)>,
    /// Each changed file's text, and where its body starts in it.
    pub(crate) texts: Vec<(PathBuf, Arc<str>)>,
    pub(super) body_offsets: Vec<usize>,
    pub(super) anchors: Vec<(PathBuf, Vec<AnchorCheck>)>,
}

/// Makes edited pages again on top of the build that made `site`: their bodies
/// rendered against that build's links, their front matter taken in where it does
/// not change the page's place (see [`placement`]: a new title or description is
/// taken, a new date, tag or slug is not). Returns `None`, having changed nothing
/// that matters, when some file is not such an edit: not a published page of that
/// build, gone, a warning in force (its banner is on every page), a page moved or
/// retagged, or a new title that would reorder its section; the whole model is then
/// made again.
pub(crate) fn patch(
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
            (true, Some(m)) => PageMeta::clone(m),
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

/// What of a page's front matter decides where it is listed, under which URLs and
/// terms, and what banners and clock-driven states show: a front-matter edit that
/// leaves this alone (a title, a description, figures) changes the page and the
/// lists that show it, nothing else.
pub(super) fn placement(meta: &PageMeta) -> String {
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
