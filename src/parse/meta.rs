//! Validates a page's or section's front matter into typed metadata.
//!
//! Input is the spanned tree from `front_matter`; output is [`PageMeta`] or
//! [`SectionMeta`] plus diagnostics. Which keys a page may carry depends on its kind
//! (the section folder it lives in): a `level` is a warning's, a `paper` a leaflet's.
//! An unknown key is an error with a did-you-mean, and when the key belongs to another
//! kind the help says where it would be accepted. Front matter is data, never a
//! template: nothing here evaluates or interprets text beyond its declared type.

use std::ops::Range;

use jiff::Zoned;

use crate::base::dates::parse_moment;
use crate::base::diagnostic::{Diagnostic, Text};
use crate::parse::front_matter::{Spanned, Table, Value};
use crate::text;

/// What a page is, from the top-level section folder it sits in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Notice,
    Warning,
    Campaign,
    Stats,
    Leaflet,
    Page,
}

impl Kind {
    pub(crate) fn from_section(dir: &str) -> Kind {
        match dir {
            "notices" => Kind::Notice,
            "warnings" => Kind::Warning,
            "campaigns" => Kind::Campaign,
            "stats" => Kind::Stats,
            "leaflets" => Kind::Leaflet,
            _ => Kind::Page,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Notice => "notice",
            Kind::Warning => "warning",
            Kind::Campaign => "campaign",
            Kind::Stats => "stats",
            Kind::Leaflet => "leaflet",
            Kind::Page => "page",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        [
            Kind::Notice,
            Kind::Warning,
            Kind::Campaign,
            Kind::Stats,
            Kind::Leaflet,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }

    /// The section folder pages of this kind live in.
    pub(crate) fn section_dir(self) -> &'static str {
        match self {
            Kind::Notice => "notices",
            Kind::Warning => "warnings",
            Kind::Campaign => "campaigns",
            Kind::Stats => "stats",
            Kind::Leaflet => "leaflets",
            Kind::Page => "",
        }
    }

    /// The Chinese name of the section, used when `_index.md` gives no title.
    pub(crate) fn section_title(self) -> &'static str {
        match self {
            Kind::Notice => "通知公告",
            Kind::Warning => "预警信息",
            Kind::Campaign => "宣传活动",
            Kind::Stats => "数据统计",
            Kind::Leaflet => "宣传单",
            Kind::Page => "",
        }
    }

    /// The front-matter keys this kind has besides [`COMMON_KEYS`].
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Kind::Warning => WARNING_KEYS,
            Kind::Campaign => CAMPAIGN_KEYS,
            Kind::Stats => STATS_KEYS,
            Kind::Leaflet => LEAFLET_KEYS,
            Kind::Notice | Kind::Page => &[],
        }
    }
}

pub const COMMON_KEYS: &[&str] = &[
    "title",
    "date",
    "updated",
    "description",
    "tags",
    "categories",
    "draft",
    "slug",
    "weight",
    "image",
    "aliases",
    "privacy_allow",
    "extra",
];
const WARNING_KEYS: &[&str] = &[
    "level",
    "hazard",
    "issued",
    "expires",
    "lifted",
    "areas",
    "issuer",
    "guidance",
    "contact",
    "sms",
    "broadcast",
];
const CAMPAIGN_KEYS: &[&str] = &["start", "end", "location", "theme"];
const STATS_KEYS: &[&str] = &["figures"];
const LEAFLET_KEYS: &[&str] = &["paper", "qr"];
const SECTION_KEYS: &[&str] = &[
    "title",
    "description",
    "weight",
    "paginate",
    "sort_by",
    "extra",
];

/// What a form field holds: the editor in `serve` draws its input from this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum FieldType {
    /// One line of text.
    Text,
    /// Several lines of text.
    LongText,
    /// A day: `2024-06-01`.
    Date,
    /// A day and time in the site's timezone: `2024-07-10T08:00:00+08:00`.
    DateTime,
    /// A list of lines (areas, guidance, tags).
    List,
    /// One of the site's warning levels, by id.
    Level,
    /// A hazard, from the known ones or typed.
    Hazard,
    /// A4 or A5.
    Paper,
    Bool,
    /// Rows of label, value and unit (a statistics page's `figures`).
    Figures,
}

/// One front-matter key as the editor's form shows it: the same keys the build
/// validates (a test keeps them among [`COMMON_KEYS`] and [`Kind::keys`]).
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub(crate) struct Field {
    pub(crate) key: &'static str,
    #[serde(rename = "type")]
    pub(crate) ty: FieldType,
    pub(crate) zh: &'static str,
    pub(crate) en: &'static str,
    /// The build fails without it.
    pub(crate) required: bool,
}

const fn field(
    key: &'static str,
    ty: FieldType,
    zh: &'static str,
    en: &'static str,
    required: bool,
) -> Field {
    Field {
        key,
        ty,
        zh,
        en,
        required,
    }
}

const TITLE: Field = field("title", FieldType::Text, "标题", "Title", true);
const DATE: Field = field("date", FieldType::Date, "日期", "Date", false);
const DESCRIPTION: Field = field(
    "description",
    FieldType::LongText,
    "摘要（分享时显示）",
    "Summary (shown when shared)",
    false,
);
const TAGS: Field = field(
    "tags",
    FieldType::List,
    "标签（每行一个）",
    "Tags (one per line)",
    false,
);
const DRAFT: Field = field(
    "draft",
    FieldType::Bool,
    "草稿（不发布）",
    "Draft (not published)",
    false,
);

impl Kind {
    /// The form fields of a page of this kind, in the order a clerk fills them in.
    /// Keys left out (`aliases`, `privacy_allow`, `sms`, …) stay as the
    /// file has them and are edited as text.
    pub(crate) fn fields(self) -> Vec<Field> {
        use FieldType as T;
        match self {
            Kind::Warning => vec![
                TITLE,
                field("level", T::Level, "预警级别", "Warning level", true),
                field("hazard", T::Hazard, "灾害种类", "Hazard", true),
                field("issued", T::DateTime, "发布时间", "Issued", true),
                field("expires", T::DateTime, "有效至", "Valid until", true),
                field(
                    "lifted",
                    T::DateTime,
                    "解除时间（解除预警时填）",
                    "Lifted (when the warning is lifted)",
                    false,
                ),
                field("issuer", T::Text, "发布单位", "Issued by", false),
                field(
                    "areas",
                    T::List,
                    "影响区域（每行一个）",
                    "Areas (one per line)",
                    false,
                ),
                field(
                    "guidance",
                    T::List,
                    "防御指南（每行一条）",
                    "What to do (one per line)",
                    false,
                ),
                field("contact", T::Text, "咨询电话", "Contact number", false),
                DESCRIPTION,
                DRAFT,
            ],
            Kind::Campaign => vec![
                TITLE,
                field("start", T::DateTime, "开始时间", "Starts", false),
                field("end", T::DateTime, "结束时间", "Ends", false),
                field("location", T::Text, "地点", "Place", false),
                field("theme", T::Text, "主题", "Theme", false),
                DATE,
                DESCRIPTION,
                TAGS,
                DRAFT,
            ],
            Kind::Leaflet => vec![
                TITLE,
                field("paper", T::Paper, "纸张", "Paper", false),
                DATE,
                DESCRIPTION,
                DRAFT,
            ],
            Kind::Stats => vec![
                TITLE,
                DATE,
                field(
                    "figures",
                    T::Figures,
                    "主要数字（每行：名称、数字、单位）",
                    "Key figures (each row: label, number, unit)",
                    false,
                ),
                DESCRIPTION,
                TAGS,
                DRAFT,
            ],
            Kind::Notice | Kind::Page => vec![TITLE, DATE, DESCRIPTION, TAGS, DRAFT],
        }
    }
}

/// A warning level: one of the four official colours of China's meteorological
/// warning signals, or a level a site adds in config.toml (`[[warnings.levels]]`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct WarningLevel {
    /// English name, used in CSS classes and `data-warning-level`: `red`.
    pub(crate) id: String,
    /// Chinese name with 色: `红色`.
    pub(crate) zh: String,
    /// Severity: blue 1, yellow 2, orange 3, red 4; larger is more severe.
    pub(crate) rank: i32,
}

impl WarningLevel {
    fn new(id: &str, zh: &str, rank: i32) -> WarningLevel {
        WarningLevel {
            id: id.into(),
            zh: zh.into(),
            rank,
        }
    }

    pub(crate) fn en(&self) -> &str {
        &self.id
    }

    pub(crate) fn zh(&self) -> &str {
        &self.zh
    }

    /// `red`, `Red`, `红色`, `红色预警` and `红` all name red.
    fn is_named(&self, s: &str) -> bool {
        let zh = self.zh.as_str();
        s.eq_ignore_ascii_case(&self.id)
            || s == zh
            || s.strip_suffix("预警").is_some_and(|c| c == zh)
            || Some(s) == zh.strip_suffix('色')
    }
}

/// The levels a site accepts, and which of them each hazard may use.
#[derive(Clone, Debug)]
pub struct Levels {
    pub(crate) all: Vec<WarningLevel>,
    /// Hazard → the level ids allowed for it (from `[warnings.hazards]`).
    pub(crate) by_hazard: Vec<(String, Vec<String>)>,
}

impl Default for Levels {
    fn default() -> Levels {
        Levels {
            all: Levels::standard(),
            by_hazard: Vec::new(),
        }
    }
}

impl Levels {
    /// Blue, yellow, orange, red: least severe first.
    pub(crate) fn standard() -> Vec<WarningLevel> {
        vec![
            WarningLevel::new("blue", "蓝色", 1),
            WarningLevel::new("yellow", "黄色", 2),
            WarningLevel::new("orange", "橙色", 3),
            WarningLevel::new("red", "红色", 4),
        ]
    }

    pub(crate) fn parse(&self, s: &str) -> Option<&WarningLevel> {
        let s = s.trim();
        self.all.iter().find(|l| l.is_named(s))
    }

    /// `blue、yellow、orange、red` / `蓝色、黄色、橙色、红色`.
    fn names(&self, levels: &[&WarningLevel]) -> Text {
        Text::new(
            levels
                .iter()
                .map(|l| l.zh.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            levels
                .iter()
                .map(|l| l.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )
    }

    /// The levels whose Chinese name (`红色`) the title of a warning contains.
    pub(crate) fn named_in(&self, title: &str) -> Vec<&WarningLevel> {
        self.all
            .iter()
            .filter(|l| title.contains(l.zh.as_str()))
            .collect()
    }

    /// The level a new warning titled `title` gets: the one the title names, else the
    /// least severe one the hazard may use (so the file builds as written).
    pub(crate) fn for_new_warning(&self, title: &str, hazard: &str) -> &WarningLevel {
        let allowed = self
            .allowed_for(hazard)
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| self.all.iter().collect());
        let named = self.named_in(title);
        named
            .iter()
            .find(|l| allowed.contains(l))
            .or(named.first())
            .copied()
            .or_else(|| allowed.iter().min_by_key(|l| l.rank).copied())
            .unwrap_or(&self.all[0])
    }

    /// The levels `hazard` may use, if the site narrowed them.
    fn allowed_for(&self, hazard: &str) -> Option<Vec<&WarningLevel>> {
        let (_, ids) = self.by_hazard.iter().find(|(h, _)| h == hazard)?;
        Some(self.all.iter().filter(|l| ids.contains(&l.id)).collect())
    }
}

/// Hazards of China's meteorological and emergency warnings, as titles name them.
pub(crate) const HAZARDS: &[&str] = &[
    "地质灾害气象风险",
    "森林火险",
    "草原火险",
    "地质灾害",
    "道路结冰",
    "山洪灾害",
    "强对流",
    "暴雨",
    "暴雪",
    "寒潮",
    "大风",
    "沙尘暴",
    "高温",
    "干旱",
    "雷电",
    "雷雨大风",
    "冰雹",
    "霜冻",
    "大雾",
    "台风",
    "低温",
    "洪水",
    "山洪",
    "霾",
];

/// The hazard a title names, the longest and earliest match (`森林火险黄色预警` → 森林火险).
pub(crate) fn hazard_named_in(title: &str) -> Option<&'static str> {
    HAZARDS
        .iter()
        .filter_map(|h| title.find(h).map(|at| (at, std::cmp::Reverse(h.len()), *h)))
        .min()
        .map(|(_, _, h)| h)
}

#[derive(Clone, Debug)]
pub(crate) struct WarningMeta {
    pub(crate) level: WarningLevel,
    pub(crate) hazard: String,
    pub(crate) issued: Zoned,
    pub(crate) expires: Zoned,
    pub(crate) lifted: Option<Zoned>,
    /// Written as a date without a time: shown as a date. `expires` and `lifted` are
    /// then the end of that day (the next day's 00:00), `issued` its start.
    pub(crate) issued_date_only: bool,
    pub(crate) expires_date_only: bool,
    pub(crate) lifted_date_only: bool,
    pub(crate) areas: Vec<String>,
    pub(crate) issuer: String,
    pub(crate) guidance: Vec<String>,
    pub(crate) contact: String,
    /// The SMS text as the clerk wrote it, instead of the one made from the warning.
    pub(crate) sms: Option<Spanned<String>>,
    /// The loudspeaker script as the clerk wrote it.
    pub(crate) broadcast: Option<Spanned<String>>,
}

impl WarningMeta {
    /// Who issues the warning: its `issuer`, else the township (config.toml).
    pub(crate) fn issuer_or<'a>(&'a self, township: &'a str) -> &'a str {
        if self.issuer.is_empty() {
            township
        } else {
            &self.issuer
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct CampaignMeta {
    pub(crate) start: Option<Zoned>,
    pub(crate) end: Option<Zoned>,
    pub(crate) location: String,
    pub(crate) theme: String,
}

#[derive(Clone, Debug, serde::Serialize)]
pub(crate) struct Figure {
    pub(crate) label: String,
    /// As written, so `207` stays `207` and `97.5` stays `97.5`.
    pub(crate) value: String,
    pub(crate) unit: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) enum Paper {
    #[serde(rename = "A4")]
    A4,
    #[serde(rename = "A5")]
    A5,
    #[serde(rename = "A4-trifold")]
    A4Trifold,
}

#[derive(Clone, Debug)]
pub(crate) struct LeafletMeta {
    pub(crate) paper: Paper,
    pub(crate) qr: bool,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct PageMeta {
    pub(crate) title: String,
    pub(crate) date: Option<Zoned>,
    pub(crate) updated: Option<Zoned>,
    pub(crate) description: Option<String>,
    pub(crate) tags: Vec<Spanned<String>>,
    pub(crate) categories: Vec<Spanned<String>>,
    pub(crate) draft: bool,
    pub(crate) slug: Option<Spanned<String>>,
    pub(crate) weight: i64,
    pub(crate) image: Option<Spanned<String>>,
    pub(crate) aliases: Vec<Spanned<String>>,
    /// Findings of the privacy check this page publishes on purpose (SPEC §6).
    pub(crate) privacy_allow: Vec<Spanned<String>>,
    pub(crate) extra: serde_json::Value,
    /// Boxed, as `campaign`: most pages have neither, and every page's meta is held
    /// to the end of a build.
    pub(crate) warning: Option<Box<WarningMeta>>,
    pub(crate) campaign: Option<Box<CampaignMeta>>,
    pub(crate) figures: Vec<Figure>,
    pub(crate) leaflet: Option<LeafletMeta>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum SortBy {
    #[default]
    Date,
    Weight,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct SectionMeta {
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) weight: i64,
    pub(crate) paginate: Option<usize>,
    pub(crate) sort_by: SortBy,
    pub(crate) extra: serde_json::Value,
}

/// Takes keys out of a table one by one, checking types, and reports the keys nobody took.
struct Reader<'t> {
    table: &'t Table,
    taken: Vec<bool>,
    diags: Vec<Diagnostic>,
    /// Where to point when a required key is missing: the front matter's start.
    anchor: Range<usize>,
}

impl<'t> Reader<'t> {
    fn new(table: &'t Table, anchor: Range<usize>) -> Reader<'t> {
        Reader {
            table,
            taken: vec![false; table.len()],
            diags: Vec::new(),
            anchor,
        }
    }

    fn take(&mut self, key: &str) -> Option<&'t Spanned<Value>> {
        let i = self.table.iter().position(|(k, _)| k.value == key)?;
        self.taken[i] = true;
        Some(&self.table[i].1)
    }

    fn type_error(&mut self, key: &str, v: &Spanned<Value>, want: Text) {
        let (zh, en) = v.value.type_name();
        self.diags.push(
            Diagnostic::error(Text::new(
                format!("`{key}` 应该是{}，这里却是{zh}", want.zh),
                format!("`{key}` must be {}, found {en}", want.en),
            ))
            .at(v.span.clone()),
        );
    }

    fn string(&mut self, key: &str) -> Option<Spanned<String>> {
        let v = self.take(key)?;
        match &v.value {
            Value::String(s) => Some(Spanned {
                value: s.clone(),
                span: v.span.clone(),
            }),
            // Numbers read as text where text is expected (a hotline written as 110).
            Value::Integer(i) => Some(Spanned {
                value: i.to_string(),
                span: v.span.clone(),
            }),
            _ => {
                self.type_error(key, v, Text::new("文字（加双引号）", "text (in quotes)"));
                None
            }
        }
    }

    fn required_string(&mut self, key: &str, what: Text) -> String {
        match self.string(key) {
            Some(s) if !s.value.trim().is_empty() => s.value,
            Some(s) => {
                self.diags.push(
                    Diagnostic::error(Text::new(
                        format!("`{key}`（{}）不能为空", what.zh),
                        format!("`{key}` ({}) must not be empty", what.en),
                    ))
                    .at(s.span),
                );
                String::new()
            }
            None => {
                if !self.table.iter().any(|(k, _)| k.value == key) {
                    self.missing(key, what);
                }
                String::new()
            }
        }
    }

    fn missing(&mut self, key: &str, what: Text) {
        // A misspelt key (`titel`) is reported once, as unknown with a did-you-mean.
        if self
            .table
            .iter()
            .any(|(k, _)| k.value != key && did_you_mean(&k.value, &[key]).is_some())
        {
            return;
        }
        self.diags.push(
            Diagnostic::error(Text::new(
                format!("缺少 `{key}`（{}）", what.zh),
                format!("missing `{key}` ({})", what.en),
            ))
            .at(self.anchor.clone())
            .with_help(text!(
                zh: "在 front matter 中加一行，例如 {key} = \"…\"",
                en: "add a line to the front matter, e.g. {key} = \"…\""
            )),
        );
    }

    fn string_list(&mut self, key: &str) -> Vec<Spanned<String>> {
        let Some(v) = self.take(key) else {
            return Vec::new();
        };
        match &v.value {
            Value::Array(items) => {
                let mut out = Vec::new();
                for item in items {
                    match &item.value {
                        Value::String(s) => out.push(Spanned {
                            value: s.clone(),
                            span: item.span.clone(),
                        }),
                        _ => self.type_error(key, item, Text::new("文字", "text")),
                    }
                }
                out
            }
            // A single string where a list is expected is what people mean: one item.
            Value::String(s) => vec![Spanned {
                value: s.clone(),
                span: v.span.clone(),
            }],
            _ => {
                self.type_error(
                    key,
                    v,
                    Text::new(
                        "文字列表，例如 [\"防汛\", \"安全\"]",
                        "a list of text, e.g. [\"a\", \"b\"]",
                    ),
                );
                Vec::new()
            }
        }
    }

    fn bool(&mut self, key: &str) -> Option<bool> {
        let v = self.take(key)?;
        match v.value {
            Value::Bool(b) => Some(b),
            _ => {
                self.type_error(key, v, Text::new("true 或 false", "true or false"));
                None
            }
        }
    }

    fn integer(&mut self, key: &str) -> Option<i64> {
        let v = self.take(key)?;
        match v.value {
            Value::Integer(i) => Some(i),
            _ => {
                self.type_error(key, v, Text::new("整数", "an integer"));
                None
            }
        }
    }

    fn datetime(&mut self, key: &str, tz: &jiff::tz::TimeZone) -> Option<Spanned<Zoned>> {
        self.moment(key, tz, DayEdge::Start).map(|(at, _)| at)
    }

    /// A date or datetime; a date without a time stands for the `edge` of that day.
    /// The flag says it was written as a date only, so pages show it as one.
    fn moment(
        &mut self,
        key: &str,
        tz: &jiff::tz::TimeZone,
        edge: DayEdge,
    ) -> Option<(Spanned<Zoned>, bool)> {
        let v = self.take(key)?;
        let s = match &v.value {
            Value::Datetime(s) | Value::String(s) => s,
            _ => {
                self.type_error(
                    key,
                    v,
                    Text::new(
                        "日期，例如 2023-06-04 或 2023-06-04T08:00:00+08:00",
                        "a date, e.g. 2023-06-04 or 2023-06-04T08:00:00+08:00",
                    ),
                );
                return None;
            }
        };
        match parse_moment(s, tz) {
            Some((z, date_only)) => {
                let z = match (date_only, edge) {
                    // The end of a day is the first instant of the next: a warning
                    // `expires = 2026-12-04` is in force all of the 4th.
                    (true, DayEdge::End) => z
                        .date()
                        .tomorrow()
                        .ok()
                        .and_then(|d| d.to_zoned(tz.clone()).ok())
                        .unwrap_or(z),
                    _ => z,
                };
                Some((
                    Spanned {
                        value: z,
                        span: v.span.clone(),
                    },
                    date_only,
                ))
            }
            None => {
                self.diags.push(
                    Diagnostic::error(text!(zh: "`{key}` 的日期 `{s}` 无法识别", en: "`{key}`: cannot read the date `{s}`"))
                        .at(v.span.clone())
                        .with_help(text!(
                            zh: "可用的写法：2023-06-04、2023/6/4、2023-06-04 08:00、2023-06-04T08:00:00+08:00、2023年6月4日",
                            en: "accepted forms: 2023-06-04, 2023/6/4, 2023-06-04 08:00, 2023-06-04T08:00:00+08:00"
                        )),
                );
                None
            }
        }
    }

    fn extra(&mut self) -> serde_json::Value {
        match self.take("extra") {
            None => serde_json::Value::Object(Default::default()),
            Some(v) => match &v.value {
                Value::Table(_) => to_json(&v.value),
                _ => {
                    self.type_error(
                        "extra",
                        v,
                        Text::new("表，例如 [extra]", "a table, e.g. [extra]"),
                    );
                    serde_json::Value::Object(Default::default())
                }
            },
        }
    }

    /// Reports every key not taken, suggesting the nearest accepted one.
    fn finish(mut self, allowed: &[&str], kind: Option<Kind>) -> Vec<Diagnostic> {
        for (i, (key, _)) in self.table.iter().enumerate() {
            if self.taken[i] {
                continue;
            }
            let other_kind = [Kind::Warning, Kind::Campaign, Kind::Stats, Kind::Leaflet]
                .into_iter()
                .find(|k| Some(*k) != kind && k.keys().contains(&key.value.as_str()));
            let help = if let Some(k) = other_kind {
                text!(
                    zh: "`{}` 只用于 content/{}/ 里的页面；这里不适用",
                    en: "`{}` is only for pages in content/{}/",
                    key.value,
                    k.section_dir()
                )
            } else if let Some(near) = did_you_mean(&key.value, allowed) {
                text!(zh: "是不是 `{near}`？自定义的内容请写在 [extra] 下", en: "did you mean `{near}`? Free-form keys go under [extra]")
            } else {
                Text::new(
                    format!(
                        "可用的键：{}；自定义的内容请写在 [extra] 下",
                        allowed.join("、")
                    ),
                    format!(
                        "accepted keys: {}; free-form keys go under [extra]",
                        allowed.join(", ")
                    ),
                )
            };
            self.diags.push(
                Diagnostic::error(text!(zh: "未知的键 `{}`", en: "unknown key `{}`", key.value))
                    .at(key.span.clone())
                    .with_help(help),
            );
        }
        self.diags
    }
}

pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn to_json(v: &Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::String(s) | Value::Datetime(s) => J::String(s.clone()),
        Value::Integer(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(J::Number)
            .unwrap_or(J::Null),
        Value::Bool(b) => J::Bool(*b),
        Value::Array(a) => J::Array(a.iter().map(|x| to_json(&x.value)).collect()),
        Value::Table(t) => J::Object(
            t.iter()
                .map(|(k, v)| (k.value.clone(), to_json(&v.value)))
                .collect(),
        ),
        Value::Null => J::Null,
    }
}

/// Which end of the day a date written without a time stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DayEdge {
    /// `issued`, `start`, `date`: from 00:00.
    Start,
    /// `expires`, `lifted`: until the day is over.
    End,
}

/// The sentence `anxuan new` leaves in a new page of `kind` for the clerk to replace.
pub(crate) fn placeholder_for(kind: Kind) -> &'static str {
    match kind {
        Kind::Warning => "在这里写预警的详细内容。",
        Kind::Campaign => "在这里写活动安排。",
        Kind::Stats => "在这里写统计说明。",
        Kind::Leaflet => "在这里写宣传单的内容，字少一些、大一些。",
        Kind::Notice | Kind::Page => "在这里写正文。",
    }
}

/// Warnings for placeholder lines `anxuan new` wrote that are still in `body`, which
/// starts at `offset` in its file. The page builds, but it is not finished.
pub(crate) fn placeholders(body: &str, offset: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in body.split_inclusive('\n') {
        let trimmed = line.trim();
        let kinds = [
            Kind::Notice,
            Kind::Warning,
            Kind::Campaign,
            Kind::Stats,
            Kind::Leaflet,
        ];
        if !trimmed.is_empty() && kinds.iter().any(|k| placeholder_for(*k) == trimmed) {
            let start = offset + at + (line.len() - line.trim_start().len());
            out.push(
                Diagnostic::warning(text!(
                    zh: "“{trimmed}”是 anxuan new 留下的占位文字，还没有换成正文",
                    en: "“{trimmed}” is the placeholder anxuan new wrote; it has not been replaced"
                ))
                .at(start..start + trimmed.len())
                .with_help(text!(
                    zh: "把这一行换成要发布的内容",
                    en: "replace this line with the text to publish"
                )),
            );
        }
        at += line.len();
    }
    out
}

/// Validates a page's front matter for its `kind`. `anchor` is where to point for a
/// missing key (the opening fence, or the file start).
pub(crate) fn page_meta(
    table: &Table,
    kind: Kind,
    tz: &jiff::tz::TimeZone,
    levels: &Levels,
    anchor: Range<usize>,
) -> (PageMeta, Vec<Diagnostic>) {
    let mut r = Reader::new(table, anchor);
    let mut meta = PageMeta {
        title: r.required_string("title", Text::new("标题", "the page title")),
        ..PageMeta::default()
    };
    meta.date = r.datetime("date", tz).map(|s| s.value);
    meta.updated = r.datetime("updated", tz).map(|s| s.value);
    meta.description = r
        .string("description")
        .map(|s| s.value)
        .filter(|s| !s.trim().is_empty());
    meta.tags = r.string_list("tags");
    meta.categories = r.string_list("categories");
    meta.draft = r.bool("draft").unwrap_or(false);
    meta.slug = r.string("slug");
    if let Some(slug) = &meta.slug {
        if !crate::base::slug::is_valid_slug(&slug.value) {
            let suggestion = crate::base::slug::slugify(&slug.value);
            r.diags.push(
                Diagnostic::error(text!(
                    zh: "slug `{}` 只能包含小写英文字母、数字和连字符 -",
                    en: "slug `{}` may only contain lowercase ASCII letters, digits and hyphens",
                    slug.value
                ))
                .at(slug.span.clone())
                .with_help(
                    text!(zh: "例如 slug = \"{suggestion}\"", en: "e.g. slug = \"{suggestion}\""),
                ),
            );
        }
    }
    meta.weight = r.integer("weight").unwrap_or(0);
    meta.image = r.string("image").filter(|s| !s.value.trim().is_empty());
    if let Some(image) = meta
        .image
        .take_if(|i| !crate::base::url::is_safe_link(&i.value))
    {
        r.diags.push(
            Diagnostic::error(text!(
                zh: "分享图片 image `{}` 只能是 https:// 网址或站内路径",
                en: "the share image `{}` must be an https:// URL or a path on the site",
                image.value
            ))
            .at(image.span)
            .with_help(text!(zh: "例如 image = \"share.png\"（放在页面旁边）", en: "e.g. image = \"share.png\" (beside the page)")),
        );
    }
    meta.aliases = r.string_list("aliases");
    // An alias becomes a folder of the output: `https://x/` would make one named
    // `https:`, so only site paths are kept (`..` is refused where aliases are placed).
    meta.aliases.retain(|a| {
        let absolute = crate::base::url::is_absolute(&a.value);
        if absolute {
            r.diags.push(
                Diagnostic::error(text!(
                    zh: "别名 `{}` 是完整网址，别名只能是本站的旧路径",
                    en: "alias `{}` is a full URL; an alias is an old path of this site",
                    a.value
                ))
                .at(a.span.clone())
                .with_help(text!(zh: "例如 aliases = [\"old/fang-xun/\"]", en: "e.g. aliases = [\"old/page/\"]")),
            );
        }
        !absolute
    });
    meta.privacy_allow = r.string_list("privacy_allow");
    meta.extra = r.extra();
    match kind {
        Kind::Warning => meta.warning = warning_meta(&mut r, &meta.title, tz, levels).map(Box::new),
        Kind::Campaign => {
            let start = r.datetime("start", tz);
            let end = r.datetime("end", tz);
            if let (Some(s), Some(e)) = (&start, &end) {
                if e.value < s.value {
                    r.diags.push(
                        Diagnostic::error(text!(zh: "活动结束日期 `end` 早于开始日期 `start`", en: "`end` is before `start`"))
                            .at(e.span.clone()),
                    );
                }
            }
            meta.campaign = Some(Box::new(CampaignMeta {
                start: start.map(|s| s.value),
                end: end.map(|s| s.value),
                location: r.string("location").map(|s| s.value).unwrap_or_default(),
                theme: r.string("theme").map(|s| s.value).unwrap_or_default(),
            }));
        }
        Kind::Stats => meta.figures = figures(&mut r),
        Kind::Leaflet => {
            let paper = match r.string("paper") {
                None => Paper::A4,
                Some(s) => match s.value.trim().to_ascii_uppercase().as_str() {
                    "A4" => Paper::A4,
                    "A5" => Paper::A5,
                    "A4-TRIFOLD" | "A4 TRIFOLD" | "TRIFOLD" => Paper::A4Trifold,
                    _ => {
                        r.diags.push(
                            Diagnostic::error(text!(zh: "未知的纸张 `{}`", en: "unknown paper `{}`", s.value))
                                .at(s.span)
                                .with_help(text!(zh: "可用：A4、A5、A4-trifold（A4 三折页）", en: "accepted: A4, A5, A4-trifold")),
                        );
                        Paper::A4
                    }
                },
            };
            meta.leaflet = Some(LeafletMeta {
                paper,
                qr: r.bool("qr").unwrap_or(true),
            });
        }
        Kind::Notice | Kind::Page => {}
    }
    let allowed: Vec<&str> = COMMON_KEYS.iter().chain(kind.keys()).copied().collect();
    (meta, r.finish(&allowed, Some(kind)))
}

fn warning_meta(
    r: &mut Reader<'_>,
    title: &str,
    tz: &jiff::tz::TimeZone,
    levels: &Levels,
) -> Option<WarningMeta> {
    let all: Vec<&WarningLevel> = levels.all.iter().collect();
    let accepted = levels.names(&all);
    let written = r.string("level");
    let level = match &written {
        Some(s) => {
            match levels.parse(&s.value) {
                Some(l) => Some(l.clone()),
                None => {
                    r.diags.push(
                    Diagnostic::error(text!(zh: "未知的预警级别 `{}`", en: "unknown warning level `{}`", s.value))
                        .at(s.span.clone())
                        .with_help(Text::new(
                            format!("可用：{}（也可以写 {}）", accepted.zh, accepted.en),
                            format!("accepted: {} (or {})", accepted.en, accepted.zh),
                        )),
                );
                    None
                }
            }
        }
        None => {
            r.missing(
                "level",
                Text::new(
                    format!("预警级别：{}", accepted.zh),
                    format!("warning level: {}", accepted.en),
                ),
            );
            None
        }
    };
    let hazard = r.required_string(
        "hazard",
        Text::new(
            "灾害种类，例如 暴雨、地质灾害、森林火险",
            "the hazard, e.g. 暴雨 (rainstorm)",
        ),
    );
    if let (Some(l), Some(w)) = (&level, &written) {
        if let Some(allowed) = levels.allowed_for(&hazard) {
            if !allowed.contains(&l) {
                let names = levels.names(&allowed);
                r.diags.push(
                    Diagnostic::error(text!(
                        zh: "本站的{}预警没有{}这一级",
                        en: "this site's {} warnings have no {} level",
                        hazard, l.zh
                    ))
                    .at(w.span.clone())
                    .with_help(Text::new(
                        format!("{hazard}预警可用的级别：{}（在 config.toml 的 [warnings.hazards] 设置）", names.zh),
                        format!("{hazard} warnings may be: {} (set in config.toml under [warnings.hazards])", names.en),
                    )),
                );
            }
        }
    }
    // A red warning titled red but written `level = "blue"` would put a blue banner
    // on every page: the title, which readers see, must agree with the banner.
    if let (Some(l), Some(w)) = (&level, &written) {
        let named = levels.named_in(title);
        if let Some(first) = named.first() {
            if !named.contains(&l) {
                r.diags.push(
                    Diagnostic::error(Text::new(
                        format!(
                            "标题“{title}”写的是{}预警，但 level 是 `{}`（{}），每个页面的横幅会显示成{}",
                            first.zh, w.value, l.zh, l.zh
                        ),
                        format!(
                            "the title “{title}” names a {} warning, but level is `{}` ({}): every page's banner would be {}",
                            first.en(), w.value, l.en(), l.en()
                        ),
                    ))
                    .at(w.span.clone())
                    .with_help(text!(
                        zh: "改成 level = \"{}\"，或改标题",
                        en: "write level = \"{}\", or change the title",
                        first.en()
                    )),
                );
            }
        }
    }
    let issued = r.moment("issued", tz, DayEdge::Start);
    let expires = r.moment("expires", tz, DayEdge::End);
    if issued.is_none() && !r.table.iter().any(|(k, _)| k.value == "issued") {
        r.missing(
            "issued",
            Text::new("发布时间", "when the warning was issued"),
        );
    }
    if expires.is_none() && !r.table.iter().any(|(k, _)| k.value == "expires") {
        r.missing("expires", Text::new("失效时间", "when the warning expires"));
    }
    if let (Some((i, _)), Some((e, _))) = (&issued, &expires) {
        if e.value <= i.value {
            r.diags.push(
                Diagnostic::error(text!(zh: "失效时间 `expires` 不晚于发布时间 `issued`", en: "`expires` is not after `issued`"))
                    .at(e.span.clone())
                    .with_help(text!(zh: "请检查日期和时间", en: "check the dates and times")),
            );
        }
    }
    let lifted = r.moment("lifted", tz, DayEdge::End);
    let areas = r
        .string_list("areas")
        .into_iter()
        .map(|s| s.value)
        .collect();
    let issuer = match r.string("issuer") {
        Some(s) if s.value.trim().is_empty() => {
            // `anxuan new` writes `issuer = ""` for the clerk to fill in; a warning
            // that names nobody as its source reads as a rumour.
            r.diags.push(
                Diagnostic::warning(text!(
                    zh: "`issuer`（发布单位）是空的，页面上不会写明这条预警是谁发布的",
                    en: "`issuer` is empty: the page will not say who issued this warning"
                ))
                .at(s.span)
                .with_help(text!(
                    zh: "填上发布单位，例如 issuer = \"XX县气象台\"",
                    en: "fill it in, e.g. issuer = \"County Meteorological Office\""
                )),
            );
            String::new()
        }
        Some(s) => s.value,
        None => String::new(),
    };
    let guidance = r
        .string_list("guidance")
        .into_iter()
        .map(|s| s.value)
        .collect();
    let contact = r.string("contact").map(|s| s.value).unwrap_or_default();
    let sms = r.string("sms").filter(|s| !s.value.trim().is_empty());
    let broadcast = r.string("broadcast").filter(|s| !s.value.trim().is_empty());
    Some(WarningMeta {
        level: level?,
        hazard,
        issued_date_only: issued.as_ref().is_some_and(|(_, d)| *d),
        expires_date_only: expires.as_ref().is_some_and(|(_, d)| *d),
        lifted_date_only: lifted.as_ref().is_some_and(|(_, d)| *d),
        issued: issued?.0.value,
        expires: expires?.0.value,
        lifted: lifted.map(|(l, _)| l.value),
        areas,
        issuer,
        guidance,
        contact,
        sms,
        broadcast,
    })
}

fn figures(r: &mut Reader<'_>) -> Vec<Figure> {
    let Some(v) = r.take("figures") else {
        return Vec::new();
    };
    let Value::Array(items) = &v.value else {
        r.type_error(
            "figures",
            v,
            Text::new(
                "列表，例如 [{ label = \"排查隐患\", value = 207, unit = \"项\" }]",
                "a list of { label, value, unit }",
            ),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Value::Table(t) = &item.value else {
            r.type_error(
                "figures",
                item,
                Text::new(
                    "{ label, value, unit } 形式的表",
                    "a { label, value, unit } table",
                ),
            );
            continue;
        };
        let get = |k: &str| t.iter().find(|(key, _)| key.value == k).map(|(_, v)| v);
        let label = match get("label").map(|v| &v.value) {
            Some(Value::String(s)) => s.clone(),
            _ => {
                r.diags.push(
                    Diagnostic::error(text!(zh: "数据卡缺少文字 `label`", en: "figure is missing its text `label`")).at(item.span.clone()),
                );
                continue;
            }
        };
        let value = match get("value").map(|v| &v.value) {
            Some(Value::Integer(i)) => i.to_string(),
            Some(Value::Float(f)) => f.to_string(),
            Some(Value::String(s)) => s.clone(),
            _ => {
                r.diags.push(
                    Diagnostic::error(text!(zh: "数据卡 `{label}` 缺少数值 `value`", en: "figure `{label}` is missing its `value`")).at(item.span.clone()),
                );
                continue;
            }
        };
        let unit = match get("unit").map(|v| &v.value) {
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        };
        for (key, _) in t {
            if !["label", "value", "unit"].contains(&key.value.as_str()) {
                r.diags.push(
                    Diagnostic::error(text!(zh: "数据卡里未知的键 `{}`", en: "unknown key `{}` in a figure", key.value))
                        .at(key.span.clone())
                        .with_help(text!(zh: "可用：label、value、unit", en: "accepted: label, value, unit")),
                );
            }
        }
        out.push(Figure { label, value, unit });
    }
    out
}

pub(crate) fn section_meta(table: &Table, anchor: Range<usize>) -> (SectionMeta, Vec<Diagnostic>) {
    let mut r = Reader::new(table, anchor);
    let mut meta = SectionMeta {
        title: r.string("title").map(|s| s.value),
        description: r
            .string("description")
            .map(|s| s.value)
            .filter(|s| !s.trim().is_empty()),
        weight: r.integer("weight").unwrap_or(0),
        ..SectionMeta::default()
    };
    if let Some(p) = r.integer("paginate") {
        meta.paginate = Some(p.max(1) as usize);
    }
    if let Some(s) = r.string("sort_by") {
        meta.sort_by = match s.value.as_str() {
            "date" => SortBy::Date,
            "weight" => SortBy::Weight,
            _ => {
                r.diags.push(
                    Diagnostic::error(text!(zh: "未知的排序方式 `{}`", en: "unknown sort_by `{}`", s.value))
                        .at(s.span)
                        .with_help(text!(zh: "可用：date（按日期，新的在前）、weight（按 weight 从小到大）", en: "accepted: date, weight")),
                );
                SortBy::Date
            }
        };
    }
    meta.extra = r.extra();
    (meta, r.finish(SECTION_KEYS, None))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_form_field_is_a_key_the_build_validates() {
        for kind in [
            Kind::Notice,
            Kind::Warning,
            Kind::Campaign,
            Kind::Stats,
            Kind::Leaflet,
        ] {
            let fields = kind.fields();
            assert_eq!(fields[0].key, "title");
            for f in &fields {
                assert!(
                    COMMON_KEYS.contains(&f.key) || kind.keys().contains(&f.key),
                    "{} of {kind:?}",
                    f.key
                );
            }
        }
        // A warning's required keys are all on its form.
        let keys: Vec<&str> = Kind::Warning.fields().iter().map(|f| f.key).collect();
        for k in ["level", "hazard", "issued", "expires"] {
            assert!(keys.contains(&k));
        }
    }

    use super::*;
    use crate::base::dates::parse_datetime;
    use crate::parse::front_matter;

    fn meta_of(text: &str, kind: Kind) -> (PageMeta, Vec<Diagnostic>) {
        let mut d = Vec::new();
        let s = front_matter::split(text, &mut d);
        let (front, off) = s.front.unwrap();
        let t = front_matter::parse(front, off, s.format.unwrap(), &mut d);
        assert!(d.is_empty(), "{d:?}");
        page_meta(
            &t,
            kind,
            &jiff::tz::TimeZone::get("Asia/Shanghai").unwrap(),
            &Levels::default(),
            0..3,
        )
    }

    #[test]
    fn unknown_key_suggests_the_nearest() {
        let (_, d) = meta_of("+++\ntitle = \"a\"\ntgas = [\"x\"]\n+++\n", Kind::Notice);
        assert_eq!(d.len(), 1);
        assert!(
            d[0].help.as_ref().unwrap().en.contains("`tags`"),
            "{:?}",
            d[0]
        );
        assert_eq!(d[0].span, Some(16..20));
    }

    #[test]
    fn warning_keys_on_a_notice_say_where_they_belong() {
        let (_, d) = meta_of("+++\ntitle = \"a\"\nlevel = \"red\"\n+++\n", Kind::Notice);
        assert!(
            d[0].help.as_ref().unwrap().en.contains("content/warnings/"),
            "{:?}",
            d[0]
        );
    }

    #[test]
    fn warning_levels_in_both_languages() {
        let levels = Levels::default();
        for (s, l) in [
            ("red", "red"),
            ("橙色", "orange"),
            ("黄色预警", "yellow"),
            ("Blue", "blue"),
            ("红", "red"),
        ] {
            assert_eq!(levels.parse(s).map(|l| l.en()), Some(l), "{s}");
        }
        assert_eq!(levels.parse("purple"), None);
    }

    #[test]
    fn expires_before_issued_is_an_error() {
        let (m, d) = meta_of(
            "+++\ntitle = \"a\"\nlevel = \"red\"\nhazard = \"暴雨\"\nissued = 2023-06-04T08:00:00+08:00\nexpires = 2023-06-03T08:00:00+08:00\n+++\n",
            Kind::Warning,
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.en.contains("expires"));
        assert!(m.warning.is_some());
    }

    #[test]
    fn dates_in_several_forms() {
        let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        for s in [
            "2023-06-04",
            "2023-06-04 08:00",
            "2023-06-04T08:00:00",
            "2023-06-04T08:00:00+08:00",
            "2023年6月4日",
            "2023年6月4日 8:00",
        ] {
            let z = parse_datetime(s, &tz).unwrap_or_else(|| panic!("{s}"));
            assert_eq!(z.date(), jiff::civil::date(2023, 6, 4), "{s}");
        }
        assert!(parse_datetime("2023-13-01", &tz).is_none());
        for (s, date_only) in [
            ("2023-06-04", true),
            ("2023/6/4", true),
            ("2023.6.4", true),
            ("2023年6月4日", true),
            ("2023-6-4 8:00", false),
            ("2023-06-04T08:00:00+08:00", false),
            ("2023年6月4日 8:00", false),
        ] {
            assert_eq!(parse_moment(s, &tz).map(|(_, d)| d), Some(date_only), "{s}");
        }
    }

    #[test]
    fn titles_name_levels_and_hazards() {
        let levels = Levels::default();
        let names = |t: &str| -> Vec<&str> { levels.named_in(t).iter().map(|l| l.en()).collect() };
        assert_eq!(names("暴雨红色预警"), ["red"]);
        assert!(names("暴雨预警").is_empty());
        assert_eq!(hazard_named_in("XX镇森林火险橙色预警"), Some("森林火险"));
        assert_eq!(
            hazard_named_in("地质灾害气象风险红色预警"),
            Some("地质灾害气象风险")
        );
        assert_eq!(levels.for_new_warning("大雾预警", "大雾").en(), "blue");
    }

    #[test]
    fn missing_title_is_an_error() {
        let (_, d) = meta_of("+++\ndate = 2023-06-04\n+++\n", Kind::Notice);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.en.contains("title"));
    }

    #[test]
    fn figures_are_read_as_written() {
        let (m, d) = meta_of(
            "+++\ntitle = \"a\"\nfigures = [{ label = \"排查隐患\", value = 207, unit = \"项\" }, { label = \"整改率\", value = 95.2, unit = \"%\" }]\n+++\n",
            Kind::Stats,
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(m.figures[0].value, "207");
        assert_eq!(m.figures[1].value, "95.2");
    }
}
