//! Gathers the theme a site renders with: templates for Tera and static files.
//!
//! Layers, later ones winning file by file: the default theme built into the binary;
//! the site's `themes/<theme>/` folder (for the repository itself this is the default
//! theme's source, so editing it shows without recompiling); the site's `templates/`
//! folder, which overrides single templates by name, and its `static/` folder, copied
//! to the output root as is. Takes the files from the site's `Input` and reads none
//! itself (the static files' bytes are read by `output` as it copies them);
//! it never renders: rendering happens in `render`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::base::diagnostic::Diagnostic;
use crate::input::site::Input;
use crate::text;

include!(concat!(env!("OUT_DIR"), "/theme_files.rs"));

/// One template: its Tera name, where it came from (for messages), and its text.
#[derive(Clone, Debug)]
pub(crate) struct TemplateSource {
    pub(crate) name: String,
    /// Shown in messages: `templates/page.html` or `(内置主题) templates/base.html`.
    pub(crate) display: PathBuf,
    pub(crate) text: String,
}

#[derive(Clone, Debug)]
pub(crate) enum StaticData {
    Embedded(&'static [u8]),
    File(PathBuf),
}

#[derive(Default)]
pub(crate) struct Theme {
    pub(crate) templates: BTreeMap<String, TemplateSource>,
    /// Path below `static/` → data.
    pub(crate) statics: BTreeMap<String, StaticData>,
}

impl StaticData {
    pub fn bytes(&self) -> std::io::Result<std::borrow::Cow<'static, [u8]>> {
        match self {
            StaticData::Embedded(b) => Ok(std::borrow::Cow::Borrowed(b)),
            StaticData::File(p) => std::fs::read(p).map(std::borrow::Cow::Owned),
        }
    }
}

/// The theme of the site whose files `input` holds; `theme` is config.toml's `theme`.
pub(crate) fn load(input: &Input, theme: Option<&str>) -> (Theme, Vec<Diagnostic>) {
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
    let dir = Path::new("themes").join(name);
    if input.has_theme(name) {
        overlay(
            &mut t,
            input,
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
        input,
        Path::new("templates"),
        Path::new("static"),
        &mut diags,
    );
    (t, diags)
}

/// Lays the templates and static files of two folders (relative to the site) over `t`.
fn overlay(
    t: &mut Theme,
    input: &Input,
    templates: &Path,
    statics: &Path,
    diags: &mut Vec<Diagnostic>,
) {
    for (rel, f) in input.under(templates) {
        // Hidden files are not templates (an editor's swap file); the input decodes
        // only the others.
        let Some(text) = &f.text else { continue };
        let name = rel
            .strip_prefix(templates)
            .unwrap_or(rel)
            .to_string_lossy()
            .replace('\\', "/");
        diags.extend(text.diagnostics.iter().cloned());
        t.templates.insert(
            name.clone(),
            TemplateSource {
                name,
                display: rel.clone(),
                text: text.text.to_string(),
            },
        );
    }
    // Symlinks inside static/ are skipped by the walk, but a static/ that is itself a
    // link would be followed, publishing whatever folder it points at (`/etc`).
    if input.is_link(statics) {
        diags.push(
            Diagnostic::error(text!(
                zh: "{} 是一个链接（快捷方式），不会被发布：它指向的整个文件夹都会公开",
                en: "{} is a symbolic link and is not published: the whole folder it points at would be public",
                statics.display()
            ))
            .in_file(statics)
            .with_help(text!(
                zh: "把要发布的文件复制进一个真正的 static 文件夹",
                en: "copy the files to publish into a real static folder"
            )),
        );
        return;
    }
    for (rel, f) in input.under(statics) {
        let name = rel.strip_prefix(statics).unwrap_or(rel);
        t.statics.insert(
            name.to_string_lossy().replace('\\', "/"),
            StaticData::File(f.abs.clone()),
        );
    }
}
