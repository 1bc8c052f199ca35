//! Gathers the theme a site renders with: templates for Tera and static files.
//!
//! Layers, later ones winning file by file: the default theme built into the binary;
//! the site's `themes/<theme>/` folder (for the repository itself this is the default
//! theme's source, so editing it shows without recompiling); the site's `templates/`
//! folder, which overrides single templates by name, and its `static/` folder, copied
//! to the output root as is. It reads files only and never renders: rendering
//! happens in `render`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::base::diagnostic::Diagnostic;
use crate::text;

include!(concat!(env!("OUT_DIR"), "/theme_files.rs"));

/// One template: its Tera name, where it came from (for messages), and its text.
#[derive(Clone, Debug)]
pub struct TemplateSource {
    pub name: String,
    /// Shown in messages: `templates/page.html` or `(内置主题) templates/base.html`.
    pub display: PathBuf,
    pub text: String,
}

#[derive(Clone, Debug)]
pub enum StaticData {
    Embedded(&'static [u8]),
    File(PathBuf),
}

#[derive(Default)]
pub struct Theme {
    pub templates: BTreeMap<String, TemplateSource>,
    /// Path below `static/` → data.
    pub statics: BTreeMap<String, StaticData>,
}

impl StaticData {
    pub fn bytes(&self) -> std::io::Result<std::borrow::Cow<'static, [u8]>> {
        match self {
            StaticData::Embedded(b) => Ok(std::borrow::Cow::Borrowed(b)),
            StaticData::File(p) => std::fs::read(p).map(std::borrow::Cow::Owned),
        }
    }
}

pub fn load(root: &Path, theme: Option<&str>) -> (Theme, Vec<Diagnostic>) {
    let mut t = Theme::default();
    let mut diags = Vec::new();
    for (rel, bytes) in THEME_FILES {
        if let Some(name) = rel.strip_prefix("templates/") {
            t.templates.insert(
                name.to_string(),
                TemplateSource {
                    name: name.to_string(),
                    display: PathBuf::from(format!("(built-in theme) themes/default/{rel}")),
                    text: String::from_utf8_lossy(bytes).into_owned(),
                },
            );
        } else if let Some(name) = rel.strip_prefix("static/") {
            t.statics
                .insert(name.to_string(), StaticData::Embedded(bytes));
        }
    }
    let name = theme.unwrap_or("default");
    let dir = root.join("themes").join(name);
    if dir.is_dir() {
        overlay(
            &mut t,
            root,
            &dir.join("templates"),
            &dir.join("static"),
            &mut diags,
        );
    } else if theme.is_some() {
        diags.push(
            Diagnostic::error(text!(zh: "找不到主题文件夹 themes/{name}", en: "no theme folder themes/{name}"))
                .in_file(crate::input::source::CONFIG_FILE)
                .with_help(text!(zh: "删除 config.toml 中的 theme 一行即可使用内置主题", en: "remove the theme line from config.toml to use the built-in theme")),
        );
    }
    // The site's own templates/ and static/ come last: they win over any theme.
    overlay(
        &mut t,
        root,
        &root.join("templates"),
        &root.join("static"),
        &mut diags,
    );
    (t, diags)
}

fn overlay(
    t: &mut Theme,
    root: &Path,
    templates: &Path,
    statics: &Path,
    diags: &mut Vec<Diagnostic>,
) {
    if templates.is_dir() {
        for e in walkdir::WalkDir::new(templates)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if !e.file_type().is_file() || e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let rel = e.path().strip_prefix(templates).unwrap_or(e.path());
            let name = rel.to_string_lossy().replace('\\', "/");
            let display = e
                .path()
                .strip_prefix(root)
                .unwrap_or(e.path())
                .to_path_buf();
            let decoded = crate::input::source::read_text(e.path(), &display);
            diags.extend(decoded.diagnostics);
            t.templates.insert(
                name.clone(),
                TemplateSource {
                    name,
                    display,
                    text: decoded.text,
                },
            );
        }
    }
    // Symlinks inside static/ are skipped by the walk, but a static/ that is itself a
    // link would be followed, publishing whatever folder it points at (`/etc`).
    let linked = std::fs::symlink_metadata(statics).is_ok_and(|m| m.file_type().is_symlink());
    if linked {
        let shown = statics.strip_prefix(root).unwrap_or(statics).to_path_buf();
        diags.push(
            Diagnostic::error(text!(
                zh: "{} 是一个链接（快捷方式），不会被发布：它指向的整个文件夹都会公开",
                en: "{} is a symbolic link and is not published: the whole folder it points at would be public",
                shown.display()
            ))
            .in_file(&shown)
            .with_help(text!(
                zh: "把要发布的文件复制进一个真正的 static 文件夹",
                en: "copy the files to publish into a real static folder"
            )),
        );
    } else if !statics.as_os_str().is_empty() && statics.is_dir() {
        for e in walkdir::WalkDir::new(statics)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if e.file_type().is_file() {
                let rel = e.path().strip_prefix(statics).unwrap_or(e.path());
                t.statics.insert(
                    rel.to_string_lossy().replace('\\', "/"),
                    StaticData::File(e.path().to_path_buf()),
                );
            }
        }
    }
}
