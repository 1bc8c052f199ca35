//! The image cache: photo variants made by earlier builds, kept in `.anxuan-cache/`
//! at the site's root (git-ignored, shared by `build`, `check`, `print` and `serve`),
//! so an unchanged photo is never decoded or encoded twice. A variant's file name is
//! its original's content hash and length, the variant's shape and the encoder
//! settings; a small table (`stamps.tsv`) remembers, for each original's path, size,
//! modification time and inode, its hash and size as shown, so a warm build does not
//! even read the originals.
//!
//! This module must not decide what a variant is (`photo` makes them), and must
//! never make a build fail: a cache that cannot be read or written is an empty one,
//! and a build without it is only slower.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What the cache knows of an original by its stamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Known {
    /// `content_hash` of its bytes.
    pub(crate) hash: u64,
    pub(crate) len: u64,
    /// Its size as shown (orientation applied).
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) png: bool,
}

pub(crate) struct ImageCache {
    /// `None` once the folder could not be made: everything is made afresh.
    dir: Option<PathBuf>,
    stamps: Mutex<HashMap<String, Known>>,
    changed: Mutex<bool>,
}

/// The folder at the site's root; `.gitignore` files made by `init` name it.
pub const CACHE_DIR: &str = ".anxuan-cache";

impl ImageCache {
    /// The cache of the site at `root` for variants made with `settings`. The folder
    /// is made when the first copy is kept, so a site without photos gets none.
    pub(crate) fn open(root: &Path, settings: &str) -> ImageCache {
        let dir = root.join(CACHE_DIR).join("images").join(settings);
        ImageCache {
            stamps: Mutex::new(read_stamps(&dir.join("stamps.tsv"))),
            dir: Some(dir),
            changed: Mutex::new(false),
        }
    }

    /// What the cache knows of the file at `abs`, if the file is as it was then.
    pub(crate) fn known(&self, abs: &Path) -> Option<Known> {
        let key = stamp_key(abs)?;
        self.stamps.lock().ok()?.get(&key).copied()
    }

    /// Remembers what the file at `abs` is, as it is now.
    pub(crate) fn remember(&self, abs: &Path, known: Known) {
        if let (Some(key), Ok(mut s)) = (stamp_key(abs), self.stamps.lock()) {
            if s.insert(key, known) != Some(known) {
                if let Ok(mut c) = self.changed.lock() {
                    *c = true;
                }
            }
        }
    }

    /// The file holding the variant `name`, if an earlier build made it.
    pub(crate) fn get(&self, name: &str) -> Option<PathBuf> {
        let p = self.dir.as_ref()?.join(name);
        p.is_file().then_some(p)
    }

    /// The cache's folder, made (with a `.gitignore` saying the cache must never be
    /// committed) if it is not there yet.
    fn folder(&self) -> Option<&PathBuf> {
        let dir = self.dir.as_ref()?;
        if !dir.is_dir() {
            std::fs::create_dir_all(dir).ok()?;
            let top = dir.parent()?.parent()?;
            let _ = std::fs::write(top.join(".gitignore"), "*\n");
        }
        Some(dir)
    }

    /// Keeps a variant; the file it went to, or `None` if it could not be kept.
    pub(crate) fn put(&self, name: &str, bytes: &[u8]) -> Option<PathBuf> {
        let dir = self.folder()?;
        let target = dir.join(name);
        // Written beside and renamed, so a build stopped half-way leaves no torn file
        // that a later build would take for a variant.
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let written = std::fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(bytes))
            .and_then(|_| std::fs::rename(&tmp, &target));
        match written {
            Ok(()) => Some(target),
            Err(_) => {
                let _ = std::fs::remove_file(&tmp);
                None
            }
        }
    }

    /// Writes the stamp table if it changed. Called once at the end of a build.
    pub(crate) fn save(&self) {
        let (Some(dir), Ok(changed)) = (&self.dir, self.changed.lock()) else {
            return;
        };
        if !*changed {
            return;
        }
        let Ok(stamps) = self.stamps.lock() else {
            return;
        };
        if self.folder().is_none() {
            return;
        }
        let mut rows: Vec<String> = stamps
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}\t{:016x}\t{}\t{}\t{}\t{}\n",
                    v.hash, v.len, v.width, v.height, v.png as u8
                )
            })
            .collect();
        rows.sort();
        let tmp = dir.join(format!(".stamps.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, rows.concat()).is_ok() {
            let _ = std::fs::rename(&tmp, dir.join("stamps.tsv"));
        }
    }
}

/// The path, size, modification time and inode of a file, as one key: an edit, a
/// copy over it or a save by renaming all change it.
fn stamp_key(abs: &Path) -> Option<String> {
    let m = std::fs::metadata(abs).ok()?;
    let modified = m
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&m);
    #[cfg(not(unix))]
    let inode = 0;
    // Tabs and newlines cannot be in the key's path: they separate the table's fields.
    let path = abs.to_string_lossy().replace(['\t', '\n'], " ");
    Some(format!("{path}|{}|{modified}|{inode}", m.len()))
}

fn read_stamps(file: &Path) -> HashMap<String, Known> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return HashMap::new();
    };
    text.lines()
        .filter_map(|line| {
            let mut f = line.split('\t');
            let key = f.next()?.to_string();
            let hash = u64::from_str_radix(f.next()?, 16).ok()?;
            let len = f.next()?.parse().ok()?;
            let width = f.next()?.parse().ok()?;
            let height = f.next()?.parse().ok()?;
            let png = f.next()? == "1";
            Some((
                key,
                Known {
                    hash,
                    len,
                    width,
                    height,
                    png,
                },
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_variants_and_stamps_between_openings() {
        let root = tempfile::tempdir().unwrap();
        let photo = root.path().join("p.jpg");
        std::fs::write(&photo, b"original").unwrap();
        let known = Known {
            hash: 7,
            len: 8,
            width: 30,
            height: 40,
            png: false,
        };
        {
            let c = ImageCache::open(root.path(), "s1");
            assert!(c.known(&photo).is_none());
            c.remember(&photo, known);
            assert!(c.put("a-800w.jpg", b"variant").is_some());
            c.save();
        }
        let c = ImageCache::open(root.path(), "s1");
        assert_eq!(c.known(&photo), Some(known));
        assert_eq!(
            std::fs::read(c.get("a-800w.jpg").unwrap()).unwrap(),
            b"variant"
        );
        // Other settings: another cache.
        assert!(ImageCache::open(root.path(), "s2")
            .get("a-800w.jpg")
            .is_none());
        // An edited original is not known any more.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&photo, b"edited!!").unwrap();
        assert!(c.known(&photo).is_none());
    }
}
