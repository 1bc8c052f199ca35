//! Looking at the files instead of waiting for file events: one thread stats every
//! watched file each pass and sends what changed to the watching thread, as often
//! as [`Looker`] is told (0.5 s when polling, 2 s when it only checks that native
//! events arrive).
//!
//! It never decides what a change means (whether events are lost, whether to
//! rebuild): the watching thread does, in `watch`. It reads only file sizes and
//! times, never a file's bytes, and never runs on the build's thread.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::Seen;

/// The folders of a site that `serve` watches, besides config.toml at its root.
pub(super) const WATCHED: [&str; 4] = ["content", "static", "templates", "themes"];

/// How often `--poll`, or the fallback once native events turned out missing,
/// looks at the files.
pub(super) const POLL_EVERY: Duration = Duration::from_millis(500);

/// How often the files are looked at while native events are trusted, only to
/// find out whether they arrive. One pass is a walk of the four folders and one
/// `stat` per file: at 50,000 files about 0.1 s of one core on a warm Linux dentry
/// cache (measured with `find -printf '%s %T@'`, which makes the same calls) and a
/// map of about 7 MB, so every 2 s it costs about 5 % of a core, on its own thread,
/// never the build's.
pub(super) const CHECK_EVERY: Duration = Duration::from_secs(2);

type Stamp = (u64, Option<SystemTime>);

/// Every file `serve` watches with its size and modification time, to the
/// nanosecond where the file system keeps them. notify's own PollWatcher compares
/// whole seconds, so it would miss a second save within the same second.
fn file_times(root: &Path) -> HashMap<PathBuf, Stamp> {
    let stamp = |m: std::fs::Metadata| (m.len(), m.modified().ok());
    let mut files = HashMap::new();
    if let Ok(m) = std::fs::metadata(root.join("config.toml")) {
        files.insert(root.join("config.toml"), stamp(m));
    }
    for dir in WATCHED {
        for entry in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
            if entry.file_type().is_file() {
                if let Ok(m) = entry.metadata() {
                    files.insert(entry.into_path(), stamp(m));
                }
            }
        }
    }
    files
}

/// The thread that looks at the files. `polling` says which pace it keeps; the
/// watching thread sets it when it switches to polling for the rest of the session.
pub(super) struct Looker {
    pub(super) polling: Arc<AtomicBool>,
}

impl Looker {
    /// Starts looking: after every pass, the files whose size or time changed, and
    /// those that came or went since the pass before, are sent as one
    /// [`Seen::Looked`] (nothing is sent for a pass that found no change). Ends when
    /// the watching thread is gone.
    pub(super) fn start(root: &Path, polling: bool, tx: Sender<Seen>) -> Looker {
        let polling = Arc::new(AtomicBool::new(polling));
        let (root, pace) = (root.to_path_buf(), polling.clone());
        // The first look is taken before this returns, so that a change made just
        // after is a change.
        let mut last = file_times(&root);
        std::thread::spawn(move || loop {
            let polling = pace.load(Ordering::Relaxed);
            std::thread::sleep(if polling { POLL_EVERY } else { CHECK_EVERY });
            let now = file_times(&root);
            let mut paths: Vec<PathBuf> = now
                .iter()
                .filter(|(p, stamp)| last.get(*p) != Some(*stamp))
                .map(|(p, _)| p.clone())
                .collect();
            paths.extend(last.keys().filter(|p| !now.contains_key(*p)).cloned());
            last = now;
            // A pass that found nothing still counts when checking: the
            // watching thread gives native events one pass to arrive.
            if (polling && paths.is_empty()) || tx.send(Seen::Looked(paths)).is_ok() {
                continue;
            }
            return;
        });
        Looker { polling }
    }
}
