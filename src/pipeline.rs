//! Runs the stages in order: config → theme → model (source, front matter, markdown)
//! → render (templates, postprocess) → output. `build`, `check` and `serve` all call
//! [`build`]; none has a private copy of a stage. Errors found anywhere are collected,
//! and output is written only when there are none. It must not read a file
//! itself (`input` reads the site once, at the start) or keep anything between
//! builds: that is `session`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use jiff::Zoned;

use crate::base::diagnostic::{self, Diagnostic};
use crate::base::trace::trace;
use crate::input::site::Input;
use crate::model::{self, Sources};
use crate::output::{self, OldOutput};
use crate::text;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Where to write; `None` checks without writing.
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    /// `--now`; `None` is the system clock.
    pub now: Option<jiff::Timestamp>,
    pub drafts: bool,
}

pub struct BuildReport {
    pub pages: usize,
    /// Pages left out: drafts, and scheduled (dated after now).
    pub left_out: (usize, usize),
    pub files: usize,
    pub elapsed: Duration,
    pub diagnostics: Vec<Diagnostic>,
    pub sources: Sources,
    /// Set when the output was replaced; the caller decides when to delete it.
    pub old_output: Option<OldOutput>,
    pub(crate) wrote: bool,
    /// The site's leaflets, for `anxuan print`.
    pub leaflets: Vec<crate::model::Leaflet>,
    /// The path part of base_url (`/xxzhen/`), where the output is served from.
    pub base_path: String,
    /// Each warning's SMS and loudspeaker script, for `anxuan channels` and staff.
    pub channels: Vec<ChannelTexts>,
    /// With [`build_for_staff`]: each article page for the 公众号 editor.
    pub wechat: Vec<WechatArticle>,
}

pub use crate::render::wechat::Article as WechatArticle;

pub use crate::render::channels::Texts as ChannelTexts;

impl BuildReport {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses `--now`: RFC 3339 with an offset, or a local date/time in the site's zone later.
pub fn parse_now(s: &str) -> Option<jiff::Timestamp> {
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(ts);
    }
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").ok()?;
    crate::base::dates::parse_datetime(s, &tz).map(|z| z.timestamp())
}

/// What the privacy checks found in each file, kept by `serve` between builds: a
/// Markdown file's findings hold while its text (the same shared string from the
/// input) and its waivers are the same; another file's while the input holds the
/// same reading of it (`input::site::File::seq`).
#[derive(Default)]
pub(crate) struct PrivacyCache {
    pub(crate) markdown: HashMap<PathBuf, CheckedMarkdown>,
    pub(crate) other: HashMap<PathBuf, (u64, Vec<Diagnostic>)>,
}

/// A Markdown file's text, the waivers it was checked with and the findings.
pub(crate) type CheckedMarkdown = (Arc<str>, Vec<String>, Vec<Diagnostic>);

/// A Markdown file's privacy findings: those of `old` if it checked the same text
/// (the same shared string) with the same waivers, else found afresh.
pub(crate) fn check_markdown(
    rel: &Path,
    text: &Arc<str>,
    waivers: &[crate::parse::front_matter::Spanned<String>],
    allow: &[String],
    old: Option<&CheckedMarkdown>,
) -> CheckedMarkdown {
    let names: Vec<String> = waivers.iter().map(|s| s.value.clone()).collect();
    match old {
        Some((t, n, d)) if Arc::ptr_eq(t, text) && *n == names => (t.clone(), names, d.clone()),
        _ => {
            let d = crate::checks::check_markdown(rel, text, waivers, allow);
            (text.clone(), names, d)
        }
    }
}

/// Personal data and leftovers in everything that gets published: the Markdown (all
/// of it, drafts too: they are published one day), every file of page bundles,
/// static/, templates/ and the theme folders (`checks::is_scanned`), every file's
/// name, and all of config.toml with its hotlines. The bytes of a file other than
/// Markdown are read (through the input) only when the cache has no findings for
/// this reading of it. The Markdown is that of `markdown`; `None` when the model
/// checked it as it went (a one-shot build: see `model::load`).
fn privacy_checks(
    input: &Input,
    site: &model::Site,
    markdown: Option<&Sources>,
    cache: Option<&mut PrivacyCache>,
) -> Vec<Diagnostic> {
    use crate::checks::{self, FileToCheck};
    use crate::parse::config::CONFIG_FILE;
    let mut fresh = PrivacyCache::default();
    let cache = cache.unwrap_or(&mut fresh);
    let no_waivers = Vec::new();
    let waivers: HashMap<&Path, &Vec<_>> = site
        .pages
        .iter()
        .map(|p| (p.rel.as_path(), &p.meta.privacy_allow))
        .collect();
    let allow = &site.config.privacy_allow;

    let markdown: Vec<(&PathBuf, &Arc<str>)> = markdown
        .iter()
        .flat_map(|s| s.texts.iter())
        .filter(|(rel, _)| rel.starts_with("content") && crate::input::source::is_markdown(rel))
        .collect();
    let old = &cache.markdown;
    let checked: Vec<_> = markdown
        .par_iter()
        .map(|&(rel, text)| {
            let w = waivers.get(rel.as_path()).copied().unwrap_or(&no_waivers);
            (
                rel.clone(),
                check_markdown(rel, text, w, allow, old.get(rel)),
            )
        })
        .collect();
    cache.markdown = checked.into_iter().collect();

    let markdown =
        |rel: &Path| rel.starts_with("content") && crate::input::source::is_markdown(rel);
    let others: Vec<(&PathBuf, u64)> = input
        .files()
        .filter(|(rel, _)| !markdown(rel) && checks::is_scanned(rel))
        .map(|(rel, f)| (rel, f.seq))
        .collect();
    let old = &cache.other;
    let checked: Vec<_> = others
        .into_par_iter()
        .map(|(rel, seq)| match old.get(rel) {
            Some((s, d)) if *s == seq => (rel.clone(), (seq, d.clone())),
            _ if rel.starts_with("content")
                && crate::photo::is_processed(&rel.to_string_lossy()) =>
            {
                // A photo beside a page is published only as copies made without its
                // metadata (`render::photos`): what it holds never reaches a reader,
                // but its name is in their addresses.
                (rel.clone(), (seq, checks::check_name(rel, allow)))
            }
            _ => {
                // A file that cannot be read is not published either.
                let bytes = input
                    .read_bytes(rel, checks::FILE_LIMIT)
                    .unwrap_or_default();
                let d = checks::check_published(rel, &bytes, allow);
                (rel.clone(), (seq, d))
            }
        })
        .collect();
    cache.other = checked.into_iter().collect();

    let mut diags: Vec<Diagnostic> = cache
        .markdown
        .values()
        .flat_map(|(_, _, d)| d.iter().cloned())
        .chain(cache.other.values().flat_map(|(_, d)| d.iter().cloned()))
        .collect();
    let allowed: Vec<String> = allow
        .iter()
        .map(|a| crate::base::pii::normalise(a))
        .collect();
    // All of config.toml is published somewhere (title, description, footer,
    // [extra] reach the pages); a hotline's number has its own message below.
    let config = input.config().map(|t| t.text.clone()).unwrap_or_default();
    let mut config_allow = allow.clone();
    config_allow.extend(
        site.config
            .hotlines
            .iter()
            .flat_map(|h| crate::base::pii::scan(&h.number))
            .map(|f| f.value),
    );
    let file = FileToCheck {
        rel: Path::new(CONFIG_FILE),
        text: &config,
        waivers: &no_waivers,
    };
    diags.extend(checks::check_files(
        std::slice::from_ref(&file),
        &config_allow,
    ));
    for h in &site.config.hotlines {
        for f in crate::base::pii::scan(&h.number) {
            if f.kind == crate::base::pii::Kind::Mobile && !allowed.contains(&f.value) {
                diags.push(
                    Diagnostic::error(text!(
                        zh: "求助电话“{}”用的是手机号 {}，没有列在 [privacy] allow 里",
                        en: "hotline “{}” is a mobile number ({}) that is not on [privacy] allow",
                        h.name,
                        f.masked
                    ))
                    .in_file(CONFIG_FILE)
                    .with_help(text!(
                        zh: "确认这是公开的值班手机后，把号码加到 config.toml 的 [privacy] allow",
                        en: "if it is a public duty phone, add it to [privacy] allow in config.toml"
                    )),
                );
            }
        }
    }
    diags
}

/// Diagnostics about files other than Markdown (a data block's CSV, say) need that
/// file's text to show a line and column.
pub(crate) fn read_named_files(input: &Input, diags: &[Diagnostic], sources: &mut Sources) {
    for d in diags {
        if let (Some(file), Some(_)) = (&d.file, &d.span) {
            if !sources.texts.contains_key(file) {
                sources
                    .texts
                    .insert(file.clone(), input.text_for_message(file));
            }
        }
    }
}

pub fn build(opts: &BuildOptions) -> BuildReport {
    let mut input = Input::read(&opts.root, None, &BTreeSet::new());
    // Nothing is kept after this build, so each Markdown text can go once its page
    // is rendered and checked (see `model::load`).
    let texts = input.take_markdown();
    build_with(opts, &input, Some(texts), None, None, false).report
}

/// A build that also makes the texts only staff need (`anxuan channels`): each
/// article page for the 公众号 editor (`BuildReport::wechat`).
pub fn build_for_staff(opts: &BuildOptions) -> BuildReport {
    let input = Input::read(&opts.root, None, &BTreeSet::new());
    build_with(opts, &input, None, None, None, true).report
}

/// What a build may keep from the builds before it (`serve`'s [`Session`] owns them):
/// each is a cache whose entries are checked against this build's input before use.
#[derive(Default)]
pub(crate) struct Caches {
    pub(crate) model: model::Cache,
    pub(crate) privacy: PrivacyCache,
    pub(crate) render: crate::render::RenderCache,
    /// config.toml as last read: every file depends on it, so a change starts afresh.
    pub(crate) config_text: Option<Arc<str>>,
}

/// One build of [`build_inner`]: what it reports, and for a good build with caches,
/// the model and what rendering prepared, from which the next edit is patched.
pub(crate) struct Built {
    pub(crate) report: BuildReport,
    /// Every file of the site but the search index, sorted.
    pub(crate) paths: Vec<String>,
    pub(crate) kept: Option<Kept>,
    /// config.toml changed, so the caches were emptied before this build.
    pub(crate) config_changed: bool,
}

/// What a good build hands its session (see [`Built`]).
pub(crate) struct Kept {
    pub(crate) site: model::Site,
    pub(crate) theme: crate::input::theme::Theme,
    pub(crate) links: model::Links,
    pub(crate) prepared: crate::render::Prepared,
    pub(crate) keys: std::collections::HashMap<String, u64>,
}

/// The full build of the site whose files `input` holds, with `caches` (`serve`'s)
/// when there are any, rendering into `memory` (`serve`'s) or the output folder.
pub(crate) fn build_inner(
    opts: &BuildOptions,
    input: &Input,
    lent: Option<&mut Caches>,
    memory: Option<&output::Memory>,
) -> Built {
    build_with(opts, input, None, lent, memory, false)
}

/// [`build_inner`], and for a one-shot build the Markdown texts taken out of `input`
/// (`Input::take_markdown`), which the model frees as it goes and privacy-checks;
/// with `staff`, also the texts only staff need (`build_for_staff`).
fn build_with(
    opts: &BuildOptions,
    input: &Input,
    texts: Option<HashMap<PathBuf, crate::input::site::Text>>,
    mut lent: Option<&mut Caches>,
    memory: Option<&output::Memory>,
    staff: bool,
) -> Built {
    let started = Instant::now();
    let mut sources = Sources::default();
    let mut config_changed = false;
    let report = |diagnostics: Vec<Diagnostic>, sources: Sources| BuildReport {
        pages: 0,
        left_out: (0, 0),
        files: 0,
        elapsed: started.elapsed(),
        diagnostics,
        sources,
        old_output: None,
        wrote: false,
        leaflets: Vec::new(),
        base_path: String::new(),
        channels: Vec::new(),
        wechat: Vec::new(),
    };
    let (config, config_text, mut diags) =
        crate::parse::config::from_text(input.config(), &opts.root, opts.base_url.as_deref());
    let config_text: Arc<str> = config_text.into();
    sources.texts.insert(
        PathBuf::from(crate::parse::config::CONFIG_FILE),
        config_text.clone(),
    );
    if let Some(l) = lent.as_mut() {
        if l.config_text.as_ref() != Some(&config_text) {
            **l = Caches {
                config_text: Some(config_text.clone()),
                ..Caches::default()
            };
            config_changed = true;
        }
    }
    let built = |report: BuildReport, paths: Vec<String>| Built {
        report,
        paths,
        kept: None,
        config_changed,
    };
    let Some(config) = config else {
        return built(report(diags, sources), Vec::new());
    };
    if let Some(out) = &opts.output {
        if let Err(why) = output::check_output_dir(&opts.root, out) {
            diags.push(
                Diagnostic::error(text!(zh: "不能把网站输出到这个文件夹：{why}", en: "refusing to write the site there: {why}"))
                    .with_help(text!(zh: "用 --output 指定一个单独的文件夹，例如 public", en: "pass a separate folder with --output, e.g. public")),
            );
            return built(report(diags, sources), Vec::new());
        }
    }
    let now = match opts.now {
        Some(ts) => ts.to_zoned(config.timezone.clone()),
        None => Zoned::now().with_time_zone(config.timezone.clone()),
    };
    let (theme, theme_diags) = crate::input::theme::load(input, config.theme.as_deref());
    diags.extend(theme_diags);
    for t in theme.templates.values() {
        sources
            .texts
            .insert(t.display.clone(), t.text.as_str().into());
    }
    let load_opts = model::LoadOptions {
        drafts: opts.drafts,
        now,
    };
    let t_model = Instant::now();
    let one_shot = texts.is_some();
    let (mut site, links, model_diags) = model::load(
        input,
        texts,
        config,
        &load_opts,
        &mut sources,
        lent.as_mut().map(|l| &mut l.model),
    );
    trace("model", t_model);
    diags.extend(model_diags);
    let (channels, channel_diags) = crate::render::channels::all(&site);
    diags.extend(channel_diags);
    let pdfs = carry_leaflet_pdfs(opts, &mut site, &mut diags);
    if let Some(dir) = &opts.output {
        let kept = published_paths(&site);
        let previous = output::previous_pages(dir, &site.config.base_url, |p| kept.contains(p));
        diags.extend(renamed_pages(
            &previous.gone,
            |p| previous.paths.contains(p),
            &site,
        ));
    }
    let t = Instant::now();
    diags.extend(privacy_checks(
        input,
        &site,
        (!one_shot).then_some(&sources),
        lent.as_mut().map(|l| &mut l.privacy),
    ));
    trace("privacy", t);
    // Photos: sized, turned upright and re-encoded without their metadata, or taken
    // from the image cache. `check` (no output) and a build that already failed only
    // read their sizes.
    let t = Instant::now();
    let encode =
        (opts.output.is_some() || memory.is_some()) && !diags.iter().any(Diagnostic::is_error);
    let image_cache = output::cache::ImageCache::open(&opts.root, crate::photo::SETTINGS);
    let read_photo = |abs: &Path| {
        let rel = abs.strip_prefix(&opts.root).unwrap_or(abs);
        input.read_bytes(rel, crate::checks::FILE_LIMIT)
    };
    let (photos, photo_diags) = crate::render::photos::prepare(
        crate::render::photos::plan(&site, &theme),
        &opts.root,
        &read_photo,
        &image_cache,
        encode,
    );
    diags.extend(photo_diags);
    trace(&format!("photos ({} copies encoded)", photos.made), t);
    let wechat = match staff {
        true => crate::render::wechat::all(&site, &photos),
        false => Vec::new(),
    };
    read_named_files(input, &diags, &mut sources);
    // Files are written into a staging folder as they are rendered, and swapped in
    // only if the whole build is free of errors; otherwise the staging folder goes.
    let staging = match (&opts.output, diags.iter().any(Diagnostic::is_error)) {
        (Some(dir), false) => match output::Staging::create(dir) {
            Ok(s) => Some(s),
            Err(e) => {
                diags.push(Diagnostic::error(text!(
                    zh: "无法在 {} 旁边建立临时文件夹：{e}",
                    en: "cannot create a staging folder beside {}: {e}",
                    dir.display()
                )));
                None
            }
        },
        _ => None,
    };
    let sink: &dyn output::Sink = match (&staging, memory) {
        (Some(s), _) => s,
        (None, Some(m)) => m,
        (None, None) => &output::Discard,
    };
    let t = Instant::now();
    // A one-shot build drops its model at the end: the bodies can go as their pages
    // are written. `serve` keeps them in the model it patches.
    let bodies = match lent {
        Some(_) => None,
        None => Some(crate::render::Bodies::take(&mut site)),
    };
    let rendered = crate::render::render(
        &site,
        &theme,
        sink,
        lent.as_ref().map(|l| &l.render),
        match lent {
            Some(_) => crate::render::Search::Later,
            None => crate::render::Search::Include,
        },
        bodies,
        photos,
    );
    trace("render", t);
    diags.extend(rendered.diagnostics);
    let mut paths = rendered.paths;
    let keys = rendered.keys;
    for pdf in pdfs {
        paths.push(pdf.out.clone());
        if let Err(e) = sink.put(output::OutFile {
            path: pdf.out,
            data: output::OutData::Copy(pdf.file),
        }) {
            diags.push(Diagnostic::error(text!(
                zh: "无法写入宣传单的 PDF：{e}",
                en: "cannot write a leaflet's PDF: {e}"
            )));
        }
    }

    // Two things wanting the same URL (an alias over a page, a file over a page) is an error, not a silent overwrite.
    paths.sort_unstable();
    for w in paths.windows(2) {
        if w[0] == w[1] {
            diags.push(Diagnostic::error(text!(
                zh: "两个内容都要生成同一个文件 {}（检查 aliases、slug 和同名文件）",
                en: "two things would be written to the same file {} (check aliases, slugs and files of the same name)",
                w[0]
            )));
        }
    }
    paths.dedup();
    // Dead links are errors, so a build that goes on to be kept has none: they need
    // no place among a page's diagnostics in `per_file` below.
    diags.extend(model::dead_links(&site, None, &paths));
    if one_shot {
        // The model kept only the texts it knew a diagnostic for.
        read_named_files(input, &diags, &mut sources);
    }

    diagnostic::sort(&mut diags);
    diags.dedup();
    let mut out = BuildReport {
        pages: site.pages.len(),
        left_out: site.left_out,
        files: paths.len(),
        elapsed: started.elapsed(),
        diagnostics: diags,
        sources,
        old_output: None,
        wrote: false,
        leaflets: leaflets(&site),
        base_path: site.config.base_path.clone(),
        channels,
        wechat,
    };
    if out.has_errors() {
        // Dropping the staging folder deletes it; the old output was never touched.
        drop(staging);
        return built(out, paths);
    }
    if let (Some(staging), Some(dir)) = (staging, &opts.output) {
        match staging.commit() {
            Ok(old) => {
                out.old_output = Some(old);
                out.wrote = true;
            }
            Err(e) => out.diagnostics.push(Diagnostic::error(text!(
                zh: "替换 {} 失败：{e}；原有的网站文件保持不变",
                en: "replacing {} failed: {e}; the previous output is unchanged",
                dir.display()
            ))),
        }
    }
    out.elapsed = started.elapsed();
    match (lent, rendered.prepared) {
        (Some(_), Some(prepared)) => Built {
            report: out,
            paths,
            kept: Some(Kept {
                site,
                theme,
                links,
                prepared,
                keys,
            }),
            config_changed,
        },
        _ => built(out, paths),
    }
}

/// Pages whose address changed: `gone` holds the pages (path and shown title) of an
/// earlier build that `site` no longer has, and `had` tells the paths that build had.
/// A gone page while a page new to `site` has its title was renamed, and links to it
/// shared in WeChat now fail. A warning on the new file shows the alias that keeps
/// them working.
pub(crate) fn renamed_pages(
    gone: &[(String, String)],
    had: impl Fn(&str) -> bool,
    site: &model::Site,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (path, title) in gone {
        let mut same = site
            .pages
            .iter()
            .filter(|p| !had(&p.path) && shown_title(site, &p.meta.title) == *title);
        let (Some(page), None) = (same.next(), same.next()) else {
            continue;
        };
        diags.push(
            Diagnostic::warning(text!(
                zh: "页面《{}》的网址变了：原来是 /{path}，现在是 /{}；已经转发到微信群的旧链接会打不开",
                en: "the page “{}” has a new address: it was /{path}, now /{}; links already shared in WeChat will break",
                page.meta.title,
                page.path
            ))
            .in_file(&page.rel)
            .with_help(text!(
                zh: "在这个页面的 front matter 里加上 aliases = [\"/{path}\"]，旧链接会自动跳到新网址",
                en: "add aliases = [\"/{path}\"] to this page's front matter: the old link then leads to the new address"
            )),
        );
    }
    diags
}

/// The addresses a site answers at: its pages, sections and aliases.
pub(crate) fn published_paths(site: &model::Site) -> HashSet<&str> {
    site.pages
        .iter()
        .map(|p| p.path.as_str())
        .chain(site.sections.iter().map(|s| s.path.as_str()))
        .chain(site.aliases.iter().map(|(a, _)| a.as_str()))
        .collect()
}

/// A page's `<title>` as the theme writes it (headline, then the site name).
pub(crate) fn shown_title(site: &model::Site, title: &str) -> String {
    if title == site.config.title {
        title.to_string()
    } else {
        format!("{title}｜{}", site.config.title)
    }
}

/// The PDFs `anxuan print` left in the output (public/, which serve reads too)
/// that are still current go into this build, and their leaflets' pages link them;
/// a PDF older than its leaflet is a warning and is left out.
fn carry_leaflet_pdfs(
    opts: &BuildOptions,
    site: &mut model::Site,
    diags: &mut Vec<Diagnostic>,
) -> Vec<output::LeafletPdf> {
    let dir = default_output(&opts.root, opts.output.as_deref());
    let wanted: Vec<(String, String, PathBuf)> = leaflets(site)
        .into_iter()
        .map(|l| (l.path, l.slug, l.source))
        .collect();
    let (carried, stale) = output::leaflet_pdfs(&dir, &opts.root, &wanted);
    for (pdf, source) in stale {
        diags.push(
            Diagnostic::warning(text!(
                zh: "宣传单改过了，原来的 PDF（{pdf}）已过时，这次没有发布",
                en: "the leaflet was edited after its PDF ({pdf}) was printed; the old PDF is left out"
            ))
            .in_file(source)
            .with_help(text!(
                zh: "运行 anxuan print 重新生成 PDF",
                en: "run anxuan print to make the PDF again"
            )),
        );
    }
    site.leaflet_pdfs = carried.iter().map(|p| p.page.clone()).collect();
    carried
}

/// The site's leaflets, for `anxuan print`.
pub(crate) fn leaflets(site: &model::Site) -> Vec<crate::model::Leaflet> {
    site.pages
        .iter()
        .filter_map(|p| {
            let l = p.meta.leaflet.as_ref()?;
            Some(crate::model::Leaflet {
                slug: p.path.trim_end_matches('/').rsplit('/').next()?.to_string(),
                path: p.path.clone(),
                source: p.rel.clone(),
                paper: l.paper,
            })
        })
        .collect()
}

/// The folder a command writes to: `--output`, else `public/` in the site.
pub fn default_output(root: &Path, output: Option<&Path>) -> PathBuf {
    output
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join("public"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-shot build (which frees each Markdown text as it goes and checks privacy
    /// in the model) reports what a build keeping everything (`serve`'s) reports, and
    /// keeps the text of every file a diagnostic shows a line of, and no other.
    #[test]
    fn a_one_shot_build_frees_texts_and_reports_as_a_kept_build() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let root = dir.path();
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().expect("a folder")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        };
        write(
            "config.toml",
            "title = \"测试镇\"\nbase_url = \"https://anquan.ceshi.gov.cn/\"\ntownship = \"测试镇\"\n",
        );
        write(
            "content/notices/clean.md",
            "+++\ntitle = \"干净\"\ndate = 2026-01-01\n+++\n正文。\n",
        );
        // A draft is checked too: it is published one day.
        write(
            "content/notices/draft.md",
            "+++\ntitle = \"草稿\"\ndraft = true\n+++\n手机 13912345678\n",
        );
        // A waiver in use is a warning at the waiver's page.
        write(
            "content/notices/waived.md",
            "+++\ntitle = \"公开\"\ndate = 2026-01-02\nprivacy_allow = [\"13800138000\"]\n+++\n值班 13800138000\n",
        );
        // An alias error is found after the texts went: its lines are read again.
        write(
            "content/notices/alias.md",
            "+++\ntitle = \"别名\"\ndate = 2026-01-03\naliases = [\"../x\"]\n+++\n正文。\n",
        );
        let opts = BuildOptions {
            root: root.to_path_buf(),
            now: parse_now("2026-12-03T08:00:00+08:00"),
            ..BuildOptions::default()
        };
        let one_shot = build(&opts);
        let input = Input::read(root, None, &BTreeSet::new());
        let mut caches = Caches::default();
        let kept = build_inner(&opts, &input, Some(&mut caches), None).report;
        assert_eq!(one_shot.diagnostics, kept.diagnostics);
        for rel in ["draft.md", "waived.md", "alias.md"] {
            assert!(
                one_shot
                    .diagnostics
                    .iter()
                    .any(|d| d.file == Some(PathBuf::from(format!("content/notices/{rel}")))),
                "a diagnostic for {rel}: {:?}",
                one_shot.diagnostics
            );
        }
        for d in &one_shot.diagnostics {
            if let (Some(file), Some(_)) = (&d.file, &d.span) {
                assert_eq!(
                    one_shot.sources.texts.get(file),
                    kept.sources.texts.get(file),
                    "the text of {}",
                    file.display()
                );
            }
        }
        let clean = Path::new("content/notices/clean.md");
        assert!(kept.sources.texts.contains_key(clean));
        assert!(
            !one_shot.sources.texts.contains_key(clean),
            "a text no diagnostic shows is freed"
        );
    }
}
