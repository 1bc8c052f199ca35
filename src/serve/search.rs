//! The search index of the preview, made on its own thread once edits pause, so
//! that an edited page is shown without waiting for it.
//!
//! It never makes an index for a build that is no longer shown, and never removes
//! a file of the pages themselves, only index files of an older build.

use std::collections::HashSet;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use super::Shared;

/// How long the edits must pause before the search index is brought up to date.
const SEARCH_PAUSE: Duration = Duration::from_millis(500);

/// Makes the search index of the newest good build on its own thread once the edits
/// pause, so that a page edit is shown without waiting for it; a build that is
/// already superseded is skipped.
#[derive(Clone)]
pub(super) struct Searcher(Arc<(Mutex<Option<SearchJob>>, Condvar)>);

/// A good build waiting for its search index, with the generation it was shown as.
type SearchJob = (u64, crate::session::Incremental);

impl Searcher {
    pub(super) fn start(shared: Shared) -> Searcher {
        let searcher = Searcher(Arc::new((Mutex::new(None), Condvar::new())));
        let slot = searcher.0.clone();
        // The index is made in a pool of its own with one thread. In rayon's global
        // pool, the rebuild of the next save would queue behind the index's tasks
        // (2–3 s at 50,000 pages) instead of taking the other core at once.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "anxuan-search".into())
            .build()
            .ok();
        std::thread::spawn(move || loop {
            let (generation, build) = {
                let (lock, ready) = &*slot;
                let mut job = lock.lock().unwrap_or_else(|e| e.into_inner());
                while job.is_none() {
                    job = ready.wait(job).unwrap_or_else(|e| e.into_inner());
                }
                // Wait for the edits to pause, so that the index does not take the
                // processor from the rebuild of the next save.
                loop {
                    let (j, waited) = ready
                        .wait_timeout(job, SEARCH_PAUSE)
                        .unwrap_or_else(|e| e.into_inner());
                    job = j;
                    if waited.timed_out() {
                        break;
                    }
                }
                match job.take() {
                    Some(j) => j,
                    None => continue,
                }
            };
            let search = || build.search();
            let files = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match &pool {
                Some(pool) => pool.install(search),
                None => search(),
            }))
            .ok()
            .flatten();
            let (lock, _) = &*shared;
            let mut status = lock.lock().unwrap_or_else(|e| e.into_inner());
            if status.shown != generation {
                continue;
            }
            let pages: HashSet<&str> = build.paths.iter().map(String::as_str).collect();
            let files = files.unwrap_or_default();
            let new: HashSet<String> = files.iter().map(|f| f.path.clone()).collect();
            let status = &mut *status;
            for old in std::mem::take(&mut status.old_search) {
                if !new.contains(&old) && !pages.contains(old.as_str()) {
                    status.site.remove(&old);
                }
            }
            status.old_search = status
                .site
                .keys()
                .filter(|p| p.starts_with(crate::render::search::PAGE_PATH))
                .filter(|p| !new.contains(*p) && !pages.contains(p.as_str()))
                .cloned()
                .collect();
            for f in files {
                status.site.insert(f.path, Arc::new(f.data));
            }
        });
        searcher
    }

    pub(super) fn submit(&self, generation: u64, build: crate::session::Incremental) {
        let (lock, ready) = &*self.0;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = Some((generation, build));
        ready.notify_one();
    }
}
