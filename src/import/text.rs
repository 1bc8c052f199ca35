//! `anxuan import` of a `.txt` (a Word report saved as text, a page copied from a
//! document website): each line through the shared 公文 rules, the first line as
//! the title unless it reads as body text, the 成文日期 near the end as the date.
//! It gets the text already decoded: it never reads a file.

use super::rules::{self, Block, Converted, Outline};

/// The document's text as a page: see the module's comment.
pub fn convert_text(text: &str) -> Converted {
    let lines: Vec<String> = text
        .lines()
        .map(|l| rules::strip_indent(l).trim_end().to_string())
        .collect();
    let mut title = String::new();
    let mut start = 0;
    for (i, l) in lines.iter().enumerate() {
        if l.is_empty() {
            continue;
        }
        // The first line is the title unless it already reads as body text.
        if rules::reads_as_title(l) {
            title = l.clone();
            start = i + 1;
        }
        break;
    }
    let date_at = rules::date_line(&lines);
    let date = date_at.and_then(|i| rules::written_date(&lines[i]));
    let mut outline = Outline::default();
    let blocks: Vec<Block> = lines
        .iter()
        .enumerate()
        .skip(start)
        .filter(|&(i, l)| !l.is_empty() && Some(i) != date_at)
        .map(|(_, l)| outline.block(l, rules::escape_start(l), l.clone()))
        .collect();
    let mut body = rules::assemble(&blocks);
    if let Some(i) = date_at {
        // The date stays at the end, where the document had it, as text.
        body.push_str(&format!("\n{}\n", lines[i]));
    }
    Converted {
        title,
        date,
        body,
        ..Converted::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_document_levels_become_headings_and_items() {
        let c = convert_text(
            "XX镇关于做好汛期安全工作的通知\n各村（社区）：\n\u{3000}\u{3000}为切实做好汛期安全工作，现通知如下。\n一、基本情况\n（一）高度重视\n1.压实责任\n（1）村级自查；\n（2）镇级复查。\n1.5万元用于购置设备。\n\nXX镇人民政府\n2023年6月5日\n",
        );
        assert_eq!(c.title, "XX镇关于做好汛期安全工作的通知");
        assert_eq!(c.date.as_deref(), Some("2023-06-05"));
        assert!(c.body.contains("\n\n## 一、基本情况\n\n### （一）高度重视\n\n#### 1.压实责任\n\n- （1）村级自查；\n- （2）镇级复查。\n\n1.5万元"), "{}", c.body);
        assert!(
            c.body.starts_with("各村（社区）：\n\n为切实做好"),
            "indent removed: {}",
            c.body
        );
        assert!(
            c.body.ends_with("XX镇人民政府\n\n2023年6月5日\n"),
            "{}",
            c.body
        );
    }
}
