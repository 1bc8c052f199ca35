//! Tags and categories: terms keyed by their pinyin slug, each listing its pages
//! newest first, and each page knowing its terms. It only groups what the pages'
//! front matter names, and must not invent a term a page does not name.

use super::*;

/// The site's taxonomies, with every page's `tags` and `categories` filled in with
/// the index of its terms; a name that makes no URL is an error at its place.
pub(super) fn taxonomies(pages: &mut [Arc<Page>], diags: &mut Vec<Diagnostic>) -> Vec<Taxonomy> {
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
            TaxonomyKind::Tags => &mut Arc::make_mut(&mut pages[pi]).tags,
            TaxonomyKind::Categories => &mut Arc::make_mut(&mut pages[pi]).categories,
        };
        if !list.contains(&ti) {
            list.push(ti);
        }
    }
    taxonomies
}
