//! What a clerk pastes from Word or WPS into the editor's text: the browser reads
//! the clipboard's HTML into blocks (headings, paragraphs with their bold and
//! italic runs, list items with their depth, tables as cells; Word's styles, list
//! markers and `<o:p>` left behind) and this turns them into Markdown with the same
//! 公文 rules as `anxuan import` (`rules`): 一、 → `##`, （一） → `###`, 1. → `####`,
//! （1） → a list item, Word's first-line indents removed.
//!
//! It is a pure function of the blocks; it never sees HTML (the browser parsed it)
//! and keeps no style.

use serde::Deserialize;

use super::rules::{self, escape, Block, Outline};

/// A run of text as the clipboard had it.
#[derive(Debug, Deserialize)]
pub struct Run {
    pub text: String,
    #[serde(default)]
    pub bold: bool,
    #[serde(default)]
    pub italic: bool,
}

/// A block of the pasted HTML, as the editor's script reads it.
#[derive(Debug, Deserialize)]
#[serde(tag = "t", rename_all = "lowercase")]
pub enum Pasted {
    /// `<h1>`…`<h6>` (Word writes its heading styles so).
    H { level: usize, runs: Vec<Run> },
    /// A paragraph.
    P { runs: Vec<Run> },
    /// A list item (`<li>`, or Word's `mso-list` paragraph), from depth 0.
    Li {
        depth: usize,
        ordered: bool,
        runs: Vec<Run>,
    },
    /// A table's rows of cell texts.
    Table { rows: Vec<Vec<String>> },
}

/// The runs as plain text and as Markdown inline text (bold and italic marked),
/// the leading indent (full-width spaces, NBSP) removed from both.
fn inline(runs: &[Run]) -> (String, String) {
    let mut plain = String::new();
    let mut md = String::new();
    for r in runs {
        let text = r.text.replace(['\n', '\r'], "");
        let text = if plain.trim().is_empty() {
            rules::strip_indent(&text).to_string()
        } else {
            text
        };
        if plain.trim().is_empty() {
            plain.clear();
            md.clear();
        }
        plain.push_str(&text);
        let core = text.trim();
        if core.is_empty() {
            md.push_str(&text);
            continue;
        }
        let mark = match (r.bold, r.italic) {
            (true, true) => "***",
            (true, false) => "**",
            (false, true) => "*",
            (false, false) => "",
        };
        // The marks hug the text: `** 加粗**` would not read as bold.
        let lead = &text[..text.len() - text.trim_start().len()];
        let tail = &text[text.trim_end().len()..];
        md.push_str(&format!("{lead}{mark}{}{mark}{tail}", escape(core)));
    }
    // Marks of two runs that meet (`**a****b**`) read as one.
    let md = md.replace("****", "");
    (plain.trim().to_string(), md.trim().to_string())
}

/// A GFM table of the cells, the header the first row; `|` escaped.
fn table(rows: &[Vec<String>]) -> Option<String> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    if columns == 0 {
        return None;
    }
    let cell = |s: &str| {
        escape(s.split_whitespace().collect::<Vec<_>>().join(" ").as_str()).replace('|', "\\|")
    };
    let line = |r: &Vec<String>| {
        let mut s = String::from("|");
        for i in 0..columns {
            let c = cell(r.get(i).map_or("", String::as_str));
            s.push(' ');
            s.push_str(&c);
            s.push_str(if c.is_empty() { "|" } else { " |" });
        }
        s
    };
    let mut out = vec![line(&rows[0])];
    out.push(format!("|{}", " --- |".repeat(columns)));
    out.extend(rows[1..].iter().map(line));
    Some(out.join("\n"))
}

/// The pasted blocks as Markdown.
pub fn markdown(pasted: &[Pasted]) -> String {
    let mut outline = Outline::default();
    let mut blocks = Vec::new();
    for p in pasted {
        match p {
            Pasted::H { level, runs } => {
                let (plain, _) = inline(runs);
                if plain.is_empty() {
                    continue;
                }
                outline.interrupt();
                // The page's title is its `#`: a pasted heading is one level below.
                blocks.push(Block::Heading((level + 1).clamp(2, 6), escape(&plain)));
            }
            Pasted::P { runs } => {
                let (plain, md) = inline(runs);
                if plain.is_empty() {
                    continue;
                }
                // A literal `*` is escaped already: one at the start is a bold or italic mark.
                let md = if md.starts_with('*') {
                    md
                } else {
                    rules::escape_start(&md)
                };
                blocks.push(outline.block(&plain, md, escape(&plain)));
            }
            Pasted::Li {
                depth,
                ordered,
                runs,
            } => {
                let (plain, md) = inline(runs);
                if plain.is_empty() {
                    continue;
                }
                blocks.push(Block::Item {
                    depth: (*depth).min(5),
                    marker: if *ordered { "1." } else { "-" }.to_string(),
                    text: md,
                });
            }
            Pasted::Table { rows } => {
                if let Some(t) = table(rows) {
                    outline.interrupt();
                    blocks.push(Block::Table(t));
                }
            }
        }
    }
    if blocks.is_empty() {
        return String::new();
    }
    rules::assemble(&blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(texts: &[(&str, bool)]) -> Vec<Run> {
        texts
            .iter()
            .map(|(t, b)| Run {
                text: t.to_string(),
                bold: *b,
                italic: false,
            })
            .collect()
    }

    #[test]
    fn official_levels_tables_and_lists_as_import_reads_them() {
        let md = markdown(&[
            Pasted::P {
                runs: runs(&[("\u{3000}\u{3000}一、", false), ("基本情况", false)]),
            },
            Pasted::P {
                runs: runs(&[("（一）高度重视", false)]),
            },
            Pasted::P {
                runs: runs(&[
                    ("\u{3000}\u{3000}各村要", false),
                    ("立即", true),
                    ("转移群众。", false),
                ]),
            },
            Pasted::Li {
                depth: 0,
                ordered: true,
                runs: runs(&[("检查排水沟", false)]),
            },
            Pasted::Li {
                depth: 1,
                ordered: false,
                runs: runs(&[("清理杂物", false)]),
            },
            Pasted::Table {
                rows: vec![
                    vec!["村".into(), "隐患（处）".into()],
                    vec!["东村".into(), "3".into()],
                    vec!["西村|北组".into(), "".into()],
                ],
            },
            Pasted::H {
                level: 1,
                runs: runs(&[("附件", false)]),
            },
            Pasted::P {
                runs: runs(&[("", false)]),
            },
        ]);
        assert_eq!(
            md,
            "## 一、基本情况\n\n### （一）高度重视\n\n各村要**立即**转移群众。\n\n1. 检查排水沟\n    - 清理杂物\n\n| 村 | 隐患（处） |\n| --- | --- |\n| 东村 | 3 |\n| 西村\\|北组 | |\n\n## 附件\n"
        );
    }

    #[test]
    fn the_script_s_json_is_read() {
        let blocks: Vec<Pasted> = serde_json::from_str(
            r#"[{"t":"p","runs":[{"text":"1.压实责任","bold":true}]},{"t":"li","depth":0,"ordered":false,"runs":[{"text":"a"}]}]"#,
        )
        .unwrap();
        assert_eq!(markdown(&blocks), "#### 1.压实责任\n\n- a\n");
    }
}
