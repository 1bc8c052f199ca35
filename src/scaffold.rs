//! `anxuan init` and `anxuan new`: files a clerk starts from.
//!
//! It must not write anything that does not build: the tests build every file they
//! produce.
//! A new page builds with warnings only for what the clerk must still fill in (the
//! placeholder sentence, a warning's `issuer`); the starter site only for its
//! placeholder `base_url`. Dates are filled in from the clock so a new warning is
//! active and a new notice is published at once. A new warning takes its level and
//! hazard from the title when it names them (`暴雨红色预警`).

use std::path::{Path, PathBuf};

use jiff::Zoned;

use crate::base::dates::rfc3339;
use crate::parse::meta::{placeholder_for, Kind, Levels};

/// Front matter and body for a new page of `kind`.
pub fn new_page_text(kind: Kind, title: &str, now: &Zoned, levels: &Levels) -> String {
    let esc = title.replace('\\', "\\\\").replace('"', "\\\"");
    let date = rfc3339(now);
    let ph = placeholder_for(kind);
    match kind {
        Kind::Warning => {
            let hazard = crate::parse::meta::hazard_named_in(title).unwrap_or("暴雨");
            let level = &levels.for_new_warning(title, hazard).id;
            let names = levels
                .all
                .iter()
                .map(|l| format!("{} {}", l.id, l.zh))
                .collect::<Vec<_>>()
                .join("、");
            let expires = now.checked_add(jiff::SignedDuration::from_hours(24)).map(|z| rfc3339(&z)).unwrap_or_else(|_| date.clone());
            format!(
                "+++\ntitle = \"{esc}\"\n# 预警级别：{names}；要和标题一致\nlevel = \"{level}\"\nhazard = \"{hazard}\"\nissued = {date}\n# 失效时间：过了这个时间，横幅自动消失，页面显示“已过期”\nexpires = {expires}\nareas = [\"全镇\"]\nissuer = \"\"\nguidance = [\n  \"减少外出，远离河道、沟渠和山体边坡。\",\n  \"注意收听广播和村（社区）通知，听从转移安排。\",\n]\n+++\n\n{ph}\n"
            )
        }
        Kind::Campaign => {
            let day = now.date();
            format!(
                "+++\ntitle = \"{esc}\"\ndate = {date}\nstart = {day}\nend = {day}\nlocation = \"镇政府广场\"\ntheme = \"人人讲安全、个个会应急\"\n+++\n\n{ph}\n"
            )
        }
        Kind::Stats => format!(
            "+++\ntitle = \"{esc}\"\ndate = {date}\n# 从 Excel 或 WPS 另存的 CSV 放在这个文件夹里。画图：正文里写一行\n# ```chart src=文件名.csv type=bar ，下一行写 ``` ；出表格把 chart 换成 table\nfigures = [\n  {{ label = \"排查隐患\", value = 0, unit = \"项\" }},\n  {{ label = \"完成整改\", value = 0, unit = \"项\" }},\n]\n+++\n\n{ph}\n"
        ),
        Kind::Leaflet => format!(
            "+++\ntitle = \"{esc}\"\ndate = {date}\n# 纸张：A4、A5 或 A4-trifold（A4 三折页）\npaper = \"A4\"\nqr = true\n+++\n\n{ph}\n"
        ),
        Kind::Notice | Kind::Page => format!("+++\ntitle = \"{esc}\"\ndate = {date}\ndescription = \"\"\ntags = []\n+++\n\n{ph}\n"),
    }
}

/// Where `anxuan new` puts a page: `content/<section>/<slug>.md`, or for statistics
/// `content/stats/<slug>/index.md`, never overwriting.
pub fn new_page_path(root: &Path, kind: Kind, title: &str) -> Option<PathBuf> {
    let slug = crate::base::slug::slugify(title);
    let slug = if slug.is_empty() {
        kind.name().to_string()
    } else {
        slug
    };
    let dir = root.join("content").join(kind.section_dir());
    (0..100)
        .map(|n| {
            let name = if n == 0 {
                slug.clone()
            } else {
                format!("{slug}-{n}")
            };
            // Statistics come with the CSV saved from Excel, which sits next to the
            // page: a folder of its own (a page bundle) from the start.
            if kind == Kind::Stats {
                dir.join(name).join("index.md")
            } else {
                dir.join(format!("{name}.md"))
            }
        })
        .find(|p| {
            !p.exists()
                && !p
                    .parent()
                    .is_some_and(|d| kind == Kind::Stats && d.exists())
        })
}

/// The starter site of `anxuan init`: (path, text) pairs.
pub fn starter_site(now: &Zoned) -> Vec<(&'static str, String)> {
    let date = rfc3339(now);
    let yesterday = now
        .yesterday()
        .map(|z| rfc3339(&z))
        .unwrap_or_else(|_| date.clone());
    let two_days_ago = now
        .checked_sub(jiff::SignedDuration::from_hours(48))
        .map(|z| rfc3339(&z))
        .unwrap_or_else(|_| date.clone());
    vec![
        (
            "config.toml",
            "title = \"XX镇安全生产宣传\"\ndescription = \"XX镇安全生产、防灾减灾和应急消防宣传\"\n# 网站正式发布的网址（末尾带 /）\nbase_url = \"https://anquan.example.gov.cn/xxzhen/\"\ntownship = \"XX镇\"\ntimezone = \"Asia/Shanghai\"\n\n[privacy]\n# 允许公开的电话号码\nallow = []\n\n[[hotlines]]\nname = \"火警\"\nnumber = \"119\"\n\n[[hotlines]]\nname = \"急救\"\nnumber = \"120\"\n\n[[hotlines]]\nname = \"报警\"\nnumber = \"110\"\n\n[footer]\nsponsor = \"XX镇人民政府\"\n"
                .to_string(),
        ),
        ("content/_index.md", "+++\ntitle = \"XX镇安全生产宣传\"\n+++\n\n欢迎访问。这里发布本镇的安全通知、预警信息和宣传资料。\n".to_string()),
        ("content/notices/_index.md", "+++\ntitle = \"通知公告\"\n+++\n".to_string()),
        (
            "content/notices/an-quan-ti-xing.md",
            format!("+++\ntitle = \"安全生产提醒\"\ndate = {date}\ntags = [\"安全生产\"]\n+++\n\n请各村（社区）、各企业落实安全生产责任，\n做好隐患排查整改。\n"),
        ),
        ("content/warnings/_index.md", "+++\ntitle = \"预警信息\"\n+++\n".to_string()),
        (
            "content/warnings/da-feng-lan-se-yu-jing.md",
            format!(
                "+++\ntitle = \"大风蓝色预警\"\nlevel = \"blue\"\nhazard = \"大风\"\nissued = {two_days_ago}\nexpires = {yesterday}\nareas = [\"全镇\"]\nguidance = [\"加固围板、棚架等易被风吹动的搭建物。\"]\n+++\n\n这是一条示例预警，已经过期。\n"
            ),
        ),
    ]
}
