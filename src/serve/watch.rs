//! Watching the sources: native file events (notify), debounced, name the changed
//! files to the session and start a rebuild. Where those events do not arrive
//! (network drives, some VMs, WSL mounts: Zola #2266) a background stat pass
//! ([`super::poll`]) finds a change no event named, and the session switches to
//! polling for good, saying so once.
//!
//! It never builds anything but through `rebuild`, never reads a file's bytes, and
//! never lets a file no stage reads (an editor's temporary file) count as a missed
//! event.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender;
use std::time::Duration;

use super::poll::{Looker, WATCHED};
use super::search::Searcher;
use super::{rebuild, Seen, Shared};
use crate::base::diagnostic::Lang;
use crate::pipeline::BuildOptions;
use crate::session::Session;
use crate::text;

/// The environment variable that drops every native file event, for tests only:
/// with it `serve` behaves as on a drive that sends none.
const IGNORE_EVENTS: &str = "ANXUAN_SERVE_IGNORE_EVENTS";

/// Watches the site's sources and rebuilds after a burst of changes settles (editors
/// save by writing a temporary file and renaming it: one save is several events,
/// microseconds apart). With `poll`, or once native events turn out not to arrive,
/// the files are looked at every half second instead.
pub(super) fn watch(
    root: &Path,
    opts: BuildOptions,
    mut session: Session,
    shared: Shared,
    searcher: Searcher,
    poll: bool,
    lang: Lang,
) -> notify::Result<Option<notify::RecommendedWatcher>> {
    use notify::{RecursiveMode, Watcher};
    let (tx, rx) = std::sync::mpsc::channel::<Seen>();
    let watcher = if poll {
        None
    } else {
        let ignore = std::env::var_os(IGNORE_EVENTS).is_some_and(|v| v == "1");
        let events: Sender<Seen> = tx.clone();
        let mut watcher = notify::recommended_watcher(move |e| {
            if !ignore {
                let _ = events.send(Seen::Native(e));
            }
        })?;
        // The root itself, not recursively: config.toml, and folders appearing.
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        for dir in WATCHED {
            let d = root.join(dir);
            if d.is_dir() {
                watcher.watch(&d, RecursiveMode::Recursive)?;
            }
        }
        Some(watcher)
    };
    let looker = Looker::start(root, poll, tx);
    // The forms a path of this site arrives in: as watched (`root` joined), made
    // absolute, or resolved (macOS reports /private/var for /var).
    let prefixes: Vec<PathBuf> = [
        Some(root.to_path_buf()),
        std::path::absolute(root).ok(),
        std::fs::canonicalize(root).ok(),
    ]
    .into_iter()
    .flatten()
    .collect();
    std::thread::spawn(move || {
        let relative = |p: &Path| -> Option<PathBuf> {
            prefixes
                .iter()
                .find_map(|pre| p.strip_prefix(pre).ok())
                .map(Path::to_path_buf)
        };
        let mut changed: Vec<PathBuf> = Vec::new();
        // Set when the watcher lost events (its queue overflowed, say): then the next
        // build looks at every file instead of trusting the names it was given.
        let mut lost = false;
        let mut misses = Misses::default();
        let mut handle = |seen: Seen, changed: &mut Vec<PathBuf>, lost: &mut bool| match seen {
            Seen::Native(Ok(e)) if e.need_rescan() => {
                misses.rescanned();
                *lost = true;
            }
            Seen::Native(Ok(e)) => {
                let paths: Vec<PathBuf> = e.paths.iter().filter_map(|p| relative(p)).collect();
                misses.arrived(&paths);
                if !matches!(e.kind, notify::EventKind::Access(_)) {
                    changed.extend(paths.into_iter().filter(|p| relevant(p)));
                }
            }
            Seen::Native(Err(_)) => {
                misses.rescanned();
                *lost = true;
            }
            Seen::Looked(paths) => {
                let paths: Vec<PathBuf> = paths
                    .iter()
                    .filter_map(|p| relative(p))
                    .filter(|p| relevant(p))
                    .collect();
                if looker.polling.load(Ordering::Relaxed) {
                    changed.extend(paths);
                    return;
                }
                let missed = misses.looked(paths);
                if !missed.is_empty() {
                    eprintln!(
                        "{}",
                        text!(
                            zh: "这里收不到文件变化的通知，预览改为每 0.5 秒自己检查一次文件",
                            en: "file events do not arrive here; serve now checks the files itself every 0.5 s",
                        )
                        .get(lang)
                    );
                    looker.polling.store(true, Ordering::Relaxed);
                    // Names from a watcher that misses events cannot be trusted:
                    // the next build looks at every file.
                    changed.extend(missed);
                    *lost = true;
                }
            }
        };
        while let Ok(first) = rx.recv() {
            handle(first, &mut changed, &mut lost);
            // Debounce: wait until 20 ms pass without another event.
            while let Ok(next) = rx.recv_timeout(Duration::from_millis(20)) {
                handle(next, &mut changed, &mut lost);
            }
            if std::mem::take(&mut lost) {
                session.rescan();
            } else if changed.is_empty() {
                continue;
            }
            // File times are coarse (a few ms): the cache must not trust a stamp
            // for a file the watcher saw change.
            for rel in changed.drain(..) {
                session.forget(&rel);
            }
            rebuild(&opts, &mut session, &shared, &searcher, lang);
        }
    });
    Ok(watcher)
}

/// Whether a change of this path (relative to the site) can matter: not the
/// output folder, not vim's probe and swap files or a backup.
fn relevant(rel: &Path) -> bool {
    let name = rel.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !(name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name == "4913"
        || rel.starts_with("public")
        || rel.starts_with(crate::output::cache::CACHE_DIR))
}

/// Whether no stage reads this file, so that a stat pass seeing it change says
/// nothing about lost events: a name the walk skips that the privacy checks do not
/// read either (the rule `pipeline` keeps for the same files).
fn unread(rel: &Path) -> bool {
    let name = rel.file_name().map(|n| n.to_string_lossy());
    name.is_some_and(|n| crate::input::source::is_ignored(&n)) && !crate::checks::is_scanned(rel)
}

/// Which changes a stat pass found that no native event named. A change found by
/// pass k happened after pass k-1 looked at that file, so its event arrived during
/// pass k-1 at the earliest, and is given until pass k+1 to arrive: a change is
/// missed when no event named it, or a folder above it, in those three passes.
#[derive(Default)]
struct Misses {
    /// The paths native events named since each of the last three passes, newest
    /// first, and whether notify asked for a rescan then (which names everything).
    named: [(HashSet<PathBuf>, bool); 3],
    /// What the last pass found changed, still waiting for its events.
    waiting: Vec<PathBuf>,
}

impl Misses {
    fn arrived(&mut self, paths: &[PathBuf]) {
        self.named[0].0.extend(paths.iter().cloned());
    }

    fn rescanned(&mut self) {
        self.named[0].1 = true;
    }

    fn named(&self, rel: &Path) -> bool {
        self.named.iter().any(|(paths, all)| {
            *all || rel
                .ancestors()
                .filter(|a| !a.as_os_str().is_empty())
                .any(|a| paths.contains(a))
        })
    }

    /// Takes the changes a pass found and returns those of the pass before that no
    /// event named in time.
    fn looked(&mut self, found: Vec<PathBuf>) -> Vec<PathBuf> {
        let missed: Vec<PathBuf> = std::mem::take(&mut self.waiting)
            .into_iter()
            .filter(|p| !self.named(p))
            .collect();
        self.named.rotate_right(1);
        self.named[0] = Default::default();
        self.waiting = found.into_iter().filter(|p| !unread(p)).collect();
        missed
    }
}
