//! The theme's static files as outputs: the ones pages reference get names with a
//! hash of their content (WeChat's browser caches hard, so a changed stylesheet must
//! get a new URL), and the stylesheet gets the colours of the warning levels a site
//! added. The URLs go into every page, so this runs before any job. It must not read
//! a copied file's bytes it does not hash, nor write anything: the queue hands the
//! files to the sink.

use std::collections::BTreeMap;

use crate::base::diagnostic::Diagnostic;
use crate::base::hash::content_hash;
use crate::input::theme::{StaticData, Theme};
use crate::model::Site;
use crate::output::{OutData, OutFile};
use crate::text;

use super::views::AssetsView;

/// The theme's static files that get content-hashed names.
const HASHED: &[&str] = &[
    "style.css",
    "print.css",
    "anxuan.js",
    "search.js",
    "share.png",
];

/// The theme's files for the output, and where the hashed ones went.
pub(super) struct ThemeAssets {
    pub(crate) files: Vec<OutFile>,
    /// Theme file name → output path, for the hashed ones.
    out: BTreeMap<String, String>,
}

impl ThemeAssets {
    /// Root-relative URL of a hashed theme file, empty when the theme has none.
    fn url(&self, site: &Site, name: &str) -> String {
        self.out.get(name).map(|p| site.url(p)).unwrap_or_default()
    }

    pub(crate) fn view(&self, site: &Site) -> AssetsView {
        AssetsView {
            css: self.url(site, "style.css"),
            print_css: self.url(site, "print.css"),
            js: self.url(site, "anxuan.js"),
            search_js: self.url(site, "search.js"),
        }
    }

    /// Absolute URL of the picture a shared link shows: config.toml's `image`, else
    /// the theme's.
    pub(crate) fn share_image(&self, site: &Site) -> String {
        match &site.config.image {
            Some(img) if img.starts_with("http://") || img.starts_with("https://") => img.clone(),
            Some(img) => site.permalink(img.trim_start_matches('/')),
            None => self
                .out
                .get("share.png")
                .map(|p| site.permalink(p))
                .unwrap_or_default(),
        }
    }
}

/// Banner and warning-card colours for the levels a site added in config.toml, in the
/// same shape as the theme's rules for the four official ones.
fn level_css(levels: &[crate::parse::config::LevelColours]) -> String {
    let mut css = String::new();
    for l in levels {
        let id = &l.id;
        css.push_str(&format!(
            "\n.banner-{id}, .wcard-{id} .wcard-head, .level-{id} {{ background: {bg}; color: {fg}; }}\n.banner-{id} .banner-icon, .wcard-{id} .wcard-icon {{ background: {fg}; color: {bg}; }}\n",
            bg = l.background,
            fg = l.text
        ));
    }
    css
}

pub(super) fn theme_assets(site: &Site, theme: &Theme) -> (ThemeAssets, Vec<Diagnostic>) {
    let mut assets = ThemeAssets {
        files: Vec::new(),
        out: BTreeMap::new(),
    };
    let mut diagnostics = Vec::new();
    for (name, data) in &theme.statics {
        if !HASHED.contains(&name.as_str()) {
            assets.files.push(OutFile {
                path: name.clone(),
                data: match data {
                    StaticData::Embedded(b) => OutData::Static(b),
                    StaticData::File(p) => OutData::Copy(p.clone()),
                },
            });
            continue;
        }
        match data.bytes() {
            Ok(bytes) => {
                let mut bytes = bytes.into_owned();
                if name == "style.css" {
                    bytes.extend_from_slice(level_css(&site.config.extra_levels).as_bytes());
                }
                let hash = content_hash(&bytes);
                let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
                let out = format!("{stem}.{hash}.{ext}");
                assets.out.insert(name.clone(), out.clone());
                assets.files.push(OutFile {
                    path: out,
                    data: OutData::Bytes(bytes),
                });
            }
            Err(e) => diagnostics.push(Diagnostic::error(
                text!(zh: "无法读取主题文件 {name}：{e}", en: "cannot read theme file {name}: {e}"),
            )),
        }
    }
    (assets, diagnostics)
}
