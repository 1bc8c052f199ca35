//! `anxuan import`: a document a clerk has (a Word or WPS `.docx`, a report saved as
//! text, a page copied from a document website) as a new page bundle, with the
//! structure of a Chinese official document (GB/T 9704-2012) understood: the title,
//! the levels 一、 → `##`, （一） → `###`, 1. → `####`, （1） → a list item, the
//! 成文日期 at the end as `date`, the 发文字号 (〔2023〕12号), 主送机关 and 附件 kept as
//! lines, Word's first-line indents of full-width spaces removed (`rules`, shared by
//! `text` for `.txt` and `docx` for `.docx`, which are pure functions of what was read).
//!
//! This module is the edge: it reads the document and writes the bundle (`index.md`
//! and the document's pictures beside it). It must never overwrite a file, and never
//! writes a page that hides what the checks find: the caller builds the site after
//! writing, so passwords, paywall markers and personal numbers are reported at the
//! new file's lines.

mod docx;
pub mod paste;
mod rules;
mod text;

use std::path::{Path, PathBuf};

use crate::base::diagnostic::Text;
use crate::parse::meta::Kind;
use crate::text;

pub use self::docx::convert_docx;
pub use self::rules::{Converted, Image};
pub use self::text::convert_text;

/// The kinds of file `import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Docx,
}

/// The format of `path` by its extension, or what to tell the clerk: a `.doc` or
/// `.wps` (the old binary formats) is saved again as `.docx` first.
pub fn format(path: &Path) -> Result<Format, Text> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "txt" => Ok(Format::Text),
        "docx" => Ok(Format::Docx),
        "doc" | "wps" | "rtf" | "odt" => Err(text!(
            zh: "不能直接导入 .{} 文件：在 Word 或 WPS 里打开它，“另存为” Word 文档（.docx）后再导入",
            en: "a .{} file cannot be imported directly: open it in Word or WPS and save it as a Word document (.docx), then import that",
            ext
        )),
        _ => Err(text!(
            zh: "只能导入 Word 文档（.docx）或纯文本（.txt）；{} 不是",
            en: "only Word documents (.docx) and plain text (.txt) can be imported; {} is neither",
            path.display()
        )),
    }
}

/// Reads and converts the document.
pub fn read(path: &Path, format: Format) -> Result<Converted, Text> {
    let cannot = |e: std::io::Error| text!(zh: "无法读取 {}：{}", en: "cannot read {}: {}", path.display(), e);
    match format {
        Format::Text => Ok(convert_text(&read_text(path).map_err(cannot)?)),
        Format::Docx => convert_docx(&std::fs::read(path).map_err(cannot)?),
    }
}

/// A text file's content as a clerk's editor saved it (UTF-8, GBK, UTF-16), and
/// whether it had to be converted.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    Ok(crate::input::source::decode(&bytes, path).text.to_string())
}

/// Where the imported page goes: `content/<section>/<slug>/index.md` (a bundle, so
/// pictures can sit beside it); `None` when that folder exists: an import never
/// writes over a page (importing the same document twice is a mistake to name).
pub fn page_path(root: &Path, kind: Kind, title: &str) -> (PathBuf, bool) {
    let slug = crate::base::slug::slugify(title);
    let slug = if slug.is_empty() {
        "import".to_string()
    } else {
        slug
    };
    let dir = root.join("content").join(kind.section_dir()).join(slug);
    let free = !dir.exists();
    (dir.join("index.md"), free)
}

/// Writes the bundle: `index.md` (at `index`, whose folder is made) and the
/// pictures beside it, each with `create_new`, so nothing that appeared meanwhile
/// is ever written over.
pub fn write_bundle(index: &Path, text: &str, images: &[Image]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = index.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let new = |path: &Path| {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    };
    new(index)?.write_all(text.as_bytes())?;
    for image in images {
        new(&dir.join(&image.name))?.write_all(&image.bytes)?;
    }
    Ok(())
}

/// The page's text: the front matter `anxuan new` writes for its kind (`template`,
/// from `scaffold::new_page_text`), with the document's date, and the converted body.
pub fn page_text(template: &str, c: &Converted) -> String {
    let (front, _) = template.rsplit_once("+++\n").unwrap_or((template, ""));
    let mut front = front.to_string();
    if let Some(d) = &c.date {
        front = front
            .lines()
            .map(|l| {
                if l.starts_with("date = ") {
                    format!("date = {d}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        front.push('\n');
    }
    format!("{front}+++\n\n{}", c.body)
}
