//! What `serve` keeps of the model between builds ([`Cache`]): each Markdown file's
//! first pass and rendered body, reused only while the input holds the same text and
//! the body's links and data files are unchanged. It decides nothing about the site.

use super::*;

/// What `serve` keeps between builds, so that an edit re-reads and re-renders only
/// the files it touched. A file's entry holds while the input has the same text for
/// it (the same shared string: the input reads a file again only when it changed);
/// a cached body only while every link in it still resolves to the same place and
/// the files beside it (data blocks read them) are the same readings; anything the
/// cache cannot vouch for is done again.
#[derive(Default)]
pub(crate) struct Cache {
    pub(super) files: HashMap<PathBuf, CachedFile>,
    pub(super) next_version: u64,
}

impl Cache {
    /// What reading and rendering a Markdown file found when it was last loaded.
    pub(crate) fn file_diagnostics(&self, rel: &Path) -> Vec<Diagnostic> {
        let Some(f) = self.files.get(rel) else {
            return Vec::new();
        };
        let body = f.body.iter().flat_map(|b| &b.out.diags);
        f.loaded.diags.iter().chain(body).cloned().collect()
    }

    pub(super) fn version(&mut self) -> u64 {
        self.next_version += 1;
        self.next_version
    }
}

pub(super) struct CachedFile {
    pub(super) loaded: Loaded,
    pub(super) body: Option<CachedBody>,
}

pub(super) struct CachedBody {
    pub(super) page_path: String,
    /// Every link of the body with what it resolved to.
    pub(super) links: Vec<(String, bool, Resolution)>,
    /// For a body with data blocks: the files it looked for and a fingerprint of
    /// them and of the files beside it (see [`data_fingerprint`]).
    pub(super) dir: Option<(Vec<PathBuf>, u64)>,
    pub(super) out: Arc<RenderedBody>,
    pub(super) version: u64,
}
