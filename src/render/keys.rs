//! What `serve`'s incremental render compares: for every output a hash of what it is
//! made from, kept in a [`RenderCache`] between builds. Here are the parts every job
//! key is made of: the global part (site settings, banners, assets, templates), each
//! page's list summary, and each template with the templates it draws on. The key of
//! one job kind is next to its path and producer in `queue`.
//!
//! A key must change whenever its output would, and should not change otherwise: a
//! key that misses an input shows a stale page in the preview, which
//! `tests/testsuite/incremental.rs` catches only for the edits it makes. Keys live in
//! memory for one session; they must not be written anywhere or compared across
//! versions of anxuan.

use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};

use crate::input::theme::Theme;
use crate::model::Page;

use super::views::{CampaignView, WarningView};

/// The hasher of every key: std's, seeded the same in every process of one build.
pub(super) type KeyHasher = std::collections::hash_map::DefaultHasher;

/// What `serve` keeps between renders: for each output, a hash of everything it was
/// made from. A job whose key is unchanged is not rendered again; its file from the
/// last build stays. Keys cover the page's own version (see `model::Page::version`),
/// its neighbours, terms and section, the warnings shown in every banner, the site
/// settings and the templates, so a warning edit still re-renders every page.
#[derive(Default)]
pub(crate) struct RenderCache {
    pub(crate) keys: HashMap<String, u64>,
}

/// The part of every key that no one page changes: the serialised site, assets and
/// banners as templates see them, the share image, and `now` when a template may
/// show it.
pub(super) fn global_key(parts: &[&str], now: Option<&str>) -> u64 {
    let mut h = KeyHasher::new();
    parts.hash(&mut h);
    now.hash(&mut h);
    h.finish()
}

/// What a page's list entry is made from besides the site: its version and URL, and
/// its warning or campaign state, which moves with the clock.
pub(super) fn summary_key(p: &Page, now: &jiff::Zoned) -> u64 {
    let mut h = KeyHasher::new();
    (p.version, &p.path).hash(&mut h);
    WarningView::of(p, now)
        .and_then(|w| serde_json::to_string(&w).ok())
        .hash(&mut h);
    CampaignView::of(p, now)
        .and_then(|c| serde_json::to_string(&c).ok())
        .hash(&mut h);
    h.finish()
}

/// For every template, a hash of its own text and the texts of the templates it
/// draws on: those it extends or includes, through theirs, and every template that
/// defines a component (components can be called from any template). A template
/// this cannot follow (an include of a variable, say) is taken to draw on all.
pub(super) fn template_keys(theme: &Theme) -> HashMap<String, u64> {
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
        let mut h = KeyHasher::new();
        for t in theme.templates.values() {
            (&t.name, &t.text).hash(&mut h);
        }
        h.finish()
    };
    theme
        .templates
        .keys()
        .map(|name| {
            let mut seen: BTreeSet<&str> = BTreeSet::new();
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
            let mut h = KeyHasher::new();
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
