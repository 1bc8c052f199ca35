//! Where outputs go: a term's list, a pager's `page/<n>/`, how many pagers a list
//! has, and the file an output directory is written to. Both the queue (which files
//! there are) and the contexts (which URLs a paginator links) ask here, so the two
//! cannot disagree. It must not look at templates or make any output.

use crate::model::{Section, Site, TaxonomyKind};

/// Where a term's list lives: `tags/fang-xun/`.
pub(super) fn term_path(kind: TaxonomyKind, slug: &str) -> String {
    format!("{}/{}/", kind.name(), slug)
}

/// Pages per pager of a section: its own `paginate`, else the site's.
pub(super) fn per_pager(site: &Site, s: &Section) -> usize {
    s.meta.paginate.unwrap_or(site.config.paginate)
}

/// How many pagers a list of `len` pages has: at least one, so an empty section
/// still has its page.
pub(super) fn pager_count(len: usize, per: usize) -> usize {
    len.div_ceil(per).max(1)
}

/// The `pager`th pager of the list at `base` (counted from 1): the first is the
/// list's own address, the others `page/<n>/` below it.
pub(super) fn pager_path(base: &str, pager: usize) -> String {
    if pager <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{pager}/")
    }
}

/// The file an output path is written to: `notices/a/` → `notices/a/index.html`.
pub(super) fn html_path(path: String) -> String {
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagers_after_the_first_live_below_the_list() {
        assert_eq!(pager_path("notices/", 1), "notices/");
        assert_eq!(pager_path("notices/", 2), "notices/page/2/");
        assert_eq!(pager_path("", 3), "page/3/");
        assert_eq!(pager_path("tags/fang-xun/", 10), "tags/fang-xun/page/10/");
    }

    #[test]
    fn a_list_has_as_many_pagers_as_it_fills_and_never_none() {
        assert_eq!(pager_count(0, 10), 1);
        assert_eq!(pager_count(1, 10), 1);
        assert_eq!(pager_count(10, 10), 1);
        assert_eq!(pager_count(11, 10), 2);
        assert_eq!(pager_count(21, 10), 3);
        assert_eq!(pager_count(5, 1), 5);
    }

    #[test]
    fn directories_get_their_index_file() {
        assert_eq!(html_path(String::new()), "index.html");
        assert_eq!(html_path("notices/a/".into()), "notices/a/index.html");
        assert_eq!(html_path("404.html".into()), "404.html");
        assert_eq!(
            term_path(TaxonomyKind::Categories, "yu-jing"),
            "categories/yu-jing/"
        );
    }
}
