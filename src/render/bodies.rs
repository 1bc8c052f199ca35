//! The rendered bodies of a one-shot build, kept apart from the model so that each
//! goes as soon as the outputs that show it are made (its web page, a leaflet's print
//! page, the Atom feed for the newest pages), not at the end of the build: at 50,000
//! pages the bodies are the largest thing a build holds. A build for `serve` does
//! not use this; its session keeps the model, bodies and all, to patch the next edit.
//!
//! This module must not decide which outputs exist or which of them read a body
//! (`queue` does, [`super::queue::Queue::body_uses`]), and must not render anything.

use std::sync::{Arc, Mutex};

use crate::model::Site;

/// The bodies taken out of a model (see [`Bodies::take`]), by page index.
pub(crate) struct Bodies(Vec<Arc<str>>);

impl Bodies {
    /// Moves every page's rendered body out of `site`, which is left with empty
    /// bodies: a model made for one build and then dropped, whose pages nothing else
    /// shares (a page that is shared is copied, and its other holder keeps the body).
    pub(crate) fn take(site: &mut Site) -> Bodies {
        let empty: Arc<str> = Arc::from("");
        Bodies(
            site.pages
                .iter_mut()
                .map(|p| std::mem::replace(&mut Arc::make_mut(p).html, empty.clone()))
                .collect(),
        )
    }
}

/// The bodies while the render queue runs: each with the number of jobs yet to read
/// it, and dropped when that reaches zero.
pub(super) struct Store {
    slots: Vec<Mutex<(Option<Arc<str>>, usize)>>,
}

impl Store {
    /// `uses[i]` is how many jobs read page `i`'s body; a body no job reads goes at once.
    pub(super) fn new(bodies: Bodies, uses: &[usize]) -> Store {
        let slots = bodies
            .0
            .into_iter()
            .zip(uses)
            .map(|(b, &n)| Mutex::new(((n > 0).then_some(b), n)))
            .collect();
        Store { slots }
    }

    /// Page `i`'s body for one of the jobs counted for it. The last of them gets the
    /// store's own reference, so the body is freed when that job is done with it.
    pub(super) fn take(&self, i: usize) -> Arc<str> {
        let mut slot = match self.slots[i].lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        debug_assert!(slot.1 > 0, "page {i}'s body read more often than counted");
        slot.1 = slot.1.saturating_sub(1);
        let body = match slot.1 {
            0 => slot.0.take(),
            _ => slot.0.clone(),
        };
        body.unwrap_or_else(|| Arc::from(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_goes_when_its_last_reader_is_done() {
        let (a, b): (Arc<str>, Arc<str>) = (Arc::from("<p>甲</p>"), Arc::from("<p>乙</p>"));
        let store = Store::new(Bodies(vec![a.clone(), b.clone()]), &[2, 0]);
        // A body that no job reads is not kept.
        assert_eq!(Arc::strong_count(&b), 1);
        let first = store.take(0);
        assert_eq!(&*first, "<p>甲</p>");
        drop(first);
        assert_eq!(Arc::strong_count(&a), 2, "kept for the second reader");
        let second = store.take(0);
        assert_eq!(&*second, "<p>甲</p>");
        drop(second);
        assert_eq!(Arc::strong_count(&a), 1, "gone from the store");
    }
}
