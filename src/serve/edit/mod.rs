//! The preview's edit API (issue 18, first step): reading a page's source and
//! saving it back, for the clerk's editor in the preview. A local edit server is
//! what web pages the clerk has open attack (Vite's CVE-2025-24010, the Decap
//! proxy): so every request is checked here before anything is read or written.
//!
//! - **Host**: while editing is on, every request (pages too, so a rebound name
//!   never reads the token out of a page) must name the preview's own address:
//!   `127.0.0.1:PORT`, `localhost:PORT` or `[::1]:PORT`. This defeats DNS rebinding.
//! - **Token**: a per-launch random token, put into the preview's pages as a
//!   `<meta>` (which only same-origin scripts can read), must come back in the
//!   `X-Anxuan-Token` header of every edit request.
//! - **Origin**: an edit request that carries an `Origin` must carry the preview's;
//!   no CORS header is ever sent, so no other site may read an answer.
//! - **Paths**: only Markdown files under `content/`, named relative to the site,
//!   without `..`, and not reached through a link that leaves `content/`.
//! - **Saving** is atomic (a temporary file beside, then a rename), refuses a file
//!   that changed on disk since it was read (the caller shows both), and keeps the
//!   text as sent: comments and key order are the clerk's. Deleting moves the file
//!   into `.anxuan-recycle/`, never removes it.
//!
//! Editing is on only when the preview listens on loopback: `--bind 0.0.0.0` gives
//! phones a read-only preview. It must not serve or write anything outside
//! `content/`, and never sends `Access-Control-Allow-Origin`.

mod front;
mod page;

use std::path::{Component, Path, PathBuf};

use crate::parse::meta::Kind;

/// Uploads and saves larger than this are refused (a page is a few KB).
pub(super) const MAX_BODY: usize = 2 << 20;

/// The header an edit request carries its token in.
pub(super) const TOKEN_HEADER: &str = "X-Anxuan-Token";

/// Why a request is refused, with its HTTP status.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    /// 403: a foreign Host or Origin, a missing or wrong token, editing off.
    Forbidden(&'static str),
    /// 400: a path outside content/, not Markdown, a malformed request.
    Bad(&'static str),
    /// 404: no such page.
    Missing,
    /// 409: the file changed on disk since it was read: its text now.
    Conflict(String),
    /// 413: too large.
    TooLarge,
    /// 500: the disk said no.
    Failed(String),
}

impl Refusal {
    pub(super) fn status(&self) -> u16 {
        match self {
            Refusal::Forbidden(_) => 403,
            Refusal::Bad(_) => 400,
            Refusal::Missing => 404,
            Refusal::Conflict(_) => 409,
            Refusal::TooLarge => 413,
            Refusal::Failed(_) => 500,
        }
    }

    pub(super) fn json(&self) -> serde_json::Value {
        match self {
            Refusal::Forbidden(why) | Refusal::Bad(why) => serde_json::json!({ "error": why }),
            Refusal::Missing => serde_json::json!({ "error": "no such page" }),
            Refusal::Conflict(disk) => serde_json::json!({
                "error": "the file changed on disk since it was opened",
                "disk": disk,
                "version": version(disk.as_bytes()),
            }),
            Refusal::TooLarge => serde_json::json!({ "error": "too large" }),
            Refusal::Failed(why) => serde_json::json!({ "error": why }),
        }
    }
}

/// What the edit API needs: the guard and the site's folder.
pub(super) struct Editing {
    pub(super) guard: Guard,
    pub(super) root: PathBuf,
    /// The language of the checks' messages.
    pub(super) lang: crate::base::diagnostic::Lang,
}

/// What the preview checks every request against.
pub(super) struct Guard {
    /// The per-launch token; `None` when editing is off (not on loopback, and no
    /// `--edit-on-lan`).
    token: Option<String>,
    /// The Host values the preview answers to while editing is on.
    hosts: Vec<String>,
    /// With `--edit-on-lan`: the code a computer on the LAN trades once for the token,
    /// and the wrong codes tried (after five the code is gone).
    lan: Option<std::sync::Mutex<(Option<String>, u32)>>,
}

/// Wrong codes a LAN editor may try before the code stops working.
const CODE_TRIES: u32 = 5;

impl Guard {
    /// Editing is on when the preview listens on a loopback address only, or, with
    /// `edit_on_lan`, on the LAN address `lan` too.
    pub(super) fn new(bind: &str, port: u16, lan: Option<&str>, edit_on_lan: bool) -> Guard {
        let loopback = bind
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
            || bind == "localhost";
        let on_lan = !loopback && edit_on_lan && lan.is_some();
        let mut hosts: Vec<String> = ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .map(|h| format!("{h}:{port}"))
            .collect();
        if let (true, Some(ip)) = (on_lan, lan) {
            hosts.push(format!("{ip}:{port}"));
        }
        let code = || {
            let n = u64::from_str_radix(&new_token()[..12], 16).unwrap_or(0) % 1_000_000;
            std::sync::Mutex::new((Some(format!("{n:06}")), 0))
        };
        Guard {
            token: (loopback || on_lan).then(new_token),
            hosts,
            lan: on_lan.then(code),
        }
    }

    /// The token pages carry, while editing is on.
    pub(super) fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The token for a page served to `peer`: only this computer's own browser gets
    /// it in the page; a computer on the LAN trades the code for it.
    pub(super) fn token_for(&self, peer: Option<std::net::SocketAddr>) -> Option<&str> {
        self.token()
            .filter(|_| peer.is_some_and(|p| p.ip().is_loopback()))
    }

    /// Whether pages show 编辑 links: editing is on for this peer, or can be with the code.
    pub(super) fn editable_for(&self, peer: Option<std::net::SocketAddr>) -> bool {
        self.token_for(peer).is_some() || self.lan.is_some()
    }

    /// The one-time code, for the terminal, while it works.
    pub(super) fn lan_code(&self) -> Option<String> {
        let lan = self.lan.as_ref()?;
        lan.lock().unwrap_or_else(|e| e.into_inner()).0.clone()
    }

    /// The token for the right code, once; a wrong code counts against the five.
    fn unlock(&self, code: &str) -> Result<&str, Refusal> {
        let (Some(lan), Some(token)) = (&self.lan, &self.token) else {
            return Err(Refusal::Forbidden(
                "editing on the LAN is off (anxuan serve --edit-on-lan)",
            ));
        };
        let mut state = lan.lock().unwrap_or_else(|e| e.into_inner());
        let Some(want) = state.0.clone() else {
            return Err(Refusal::Forbidden(
                "the code was used or tried too often: restart anxuan serve for a new one",
            ));
        };
        if same(code.trim().as_bytes(), want.as_bytes()) {
            state.0 = None;
            return Ok(token);
        }
        state.1 += 1;
        if state.1 >= CODE_TRIES {
            state.0 = None;
        }
        Err(Refusal::Forbidden("wrong code"))
    }

    /// Any request while editing is on: its Host must be the preview's own.
    pub(super) fn host_ok(&self, host: Option<&str>) -> bool {
        self.token.is_none()
            || host.is_some_and(|h| self.hosts.iter().any(|ok| ok.eq_ignore_ascii_case(h)))
    }

    /// An edit request: editing on, the preview's Host, its Origin if any, the token.
    pub(super) fn check_edit(
        &self,
        host: Option<&str>,
        origin: Option<&str>,
        token: Option<&str>,
    ) -> Result<(), Refusal> {
        let want = self.check_request(host, origin)?;
        match token {
            Some(t) if same(t.as_bytes(), want.as_bytes()) => Ok(()),
            _ => Err(Refusal::Forbidden("missing or wrong token")),
        }
    }

    /// What every edit request must be, the token aside (an `unlock` has none yet):
    /// editing on, the preview's Host, its Origin if any; the token it must carry.
    fn check_request(&self, host: Option<&str>, origin: Option<&str>) -> Result<&str, Refusal> {
        let Some(want) = &self.token else {
            return Err(Refusal::Forbidden(
                "editing is only on when the preview listens on 127.0.0.1",
            ));
        };
        if !self.host_ok(host) {
            return Err(Refusal::Forbidden("foreign Host"));
        }
        if let Some(o) = origin {
            let own = self
                .hosts
                .iter()
                .any(|h| o.eq_ignore_ascii_case(&format!("http://{h}")));
            if !own {
                return Err(Refusal::Forbidden("foreign Origin"));
            }
        }
        Ok(want)
    }
}

/// Compares in time that does not depend on where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 128 random bits as hex. std's `RandomState` keys come from the operating
/// system's random source (getrandom, BCryptGenRandom); SipHash under such a key
/// is unpredictable without it.
fn new_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let part = |n: u64| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(n);
        h.finish()
    };
    format!("{:016x}{:016x}", part(1), part(2))
}

/// A version of a file's bytes: what a save names to say which text it edited.
pub(super) fn version(bytes: &[u8]) -> String {
    format!("{:016x}", crate::base::hash::content_hash64(bytes))
}

/// The file a request names (`content/notices/a.md`), if it is a Markdown file
/// inside the site's `content/` and stays there once links are followed.
pub(super) fn page_file(root: &Path, rel: &str) -> Result<PathBuf, Refusal> {
    let rel_path = Path::new(rel);
    let plain = rel_path
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if rel.contains('\\')
        || !plain
        || rel_path.components().next() != Some(Component::Normal("content".as_ref()))
    {
        return Err(Refusal::Bad("pages are named as content/… without .."));
    }
    if !crate::input::source::is_markdown(rel_path) {
        return Err(Refusal::Bad("only Markdown pages are edited"));
    }
    let content = root
        .join("content")
        .canonicalize()
        .map_err(|_| Refusal::Missing)?;
    let file = root.join(rel_path);
    // The folder it is in, links followed, must be inside content/; and the file
    // itself must not be a link (it would be written through).
    let parent = file
        .parent()
        .and_then(|p| p.canonicalize().ok())
        .ok_or(Refusal::Missing)?;
    if !parent.starts_with(&content) {
        return Err(Refusal::Bad("the page is outside content/"));
    }
    if std::fs::symlink_metadata(&file).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Refusal::Bad("the page is a link"));
    }
    Ok(file)
}

/// A page's source file as the editor names it: `content/notices/a.md`.
pub(super) fn source_of(page: &crate::model::Page) -> String {
    page.rel.to_string_lossy().replace('\\', "/")
}

/// The kind of the page at `content/<section>/…`, by its section's folder, as
/// `model::load` decides it: `content/a.md` and a bundle `content/a/index.md` at
/// the root are site pages.
fn kind_of(rel: &str) -> Kind {
    match rel.split('/').collect::<Vec<_>>().as_slice() {
        [_, _] | [_, _, "index.md"] => Kind::Page,
        [_, section, ..] => Kind::from_section(section),
        _ => Kind::Page,
    }
}

/// The site's settings as config.toml has them now.
fn settings(root: &Path) -> Result<crate::parse::config::Config, Refusal> {
    let text = crate::input::site::read_config(root);
    crate::parse::config::from_text(text.as_ref(), root, None)
        .0
        .ok_or(Refusal::Bad(
            "config.toml has a mistake (the preview shows it): fix it first",
        ))
}

/// What the form needs: its fields, the page's values and body, the levels with their
/// colours, the known hazards, the site's pages to link to.
fn form(
    root: &Path,
    kind: Kind,
    text: &str,
    version: &str,
    page: &str,
    model: Option<&crate::model::Site>,
) -> Result<serde_json::Value, Refusal> {
    let config = settings(root)?;
    let (values, body) = front::values(text, kind)?;
    let pages = model.map_or(&[][..], |m| &m.pages[..]);
    let levels: Vec<serde_json::Value> = config
        .levels
        .all
        .iter()
        .map(|l| {
            let (bg, fg) = config.level_colours(&l.id);
            serde_json::json!({ "id": l.id, "zh": l.zh, "rank": l.rank, "background": bg, "text": fg })
        })
        .collect();
    Ok(serde_json::json!({
        "page": page,
        "kind": kind.name(),
        "fields": kind.fields(),
        "values": values,
        "body": body,
        "version": version,
        "levels": levels,
        "hazards": crate::parse::meta::HAZARDS,
        // `@/notices/a.md`, the link to a page by its file, which the build checks.
        "pages": pages
            .iter()
            .filter(|p| source_of(p) != page)
            .map(|p| serde_json::json!({ "link": format!("@/{}", source_of(p).trim_start_matches("content/")), "title": p.meta.title }))
            .collect::<Vec<_>>(),
        // The page in the preview, shown below the form.
        "url": pages.iter().find(|p| source_of(p) == page).map(|p| format!("/{}", p.path)),
    }))
}

/// A new page from the form (`{kind, fields, body}`): where `anxuan new` would put
/// it, with the front matter it writes and the form's values and body
/// ([`compose`]); never over a file.
fn create(root: &Path, v: &serde_json::Value) -> Result<String, Refusal> {
    let (kind, _, text) = compose(root, v)?;
    let title = v
        .pointer("/fields/title")
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(Refusal::Bad("a new page needs its title"))?;
    let path = crate::scaffold::new_page_path(root, kind, title)
        .ok_or(Refusal::Bad("no free name for the page"))?;
    if text.len() > MAX_BODY {
        return Err(Refusal::TooLarge);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Refusal::Failed(e.to_string()))?;
    }
    let rel = path
        .strip_prefix(root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .map_err(|_| Refusal::Bad("the page is outside the site"))?;
    page_file(root, &rel)?;
    write_new(&path, text.as_bytes()).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Refusal::Conflict(String::new())
        } else {
            Refusal::Failed(e.to_string())
        }
    })?;
    Ok(rel)
}

/// Writes a file that must not exist yet: beside it first, then linked into place,
/// so a file that appeared meanwhile is never written over and a reader never sees
/// half of one (`AlreadyExists` when it is there).
fn write_new(to: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = to.parent().unwrap_or(Path::new("."));
    let name = to.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.anxuan-new"));
    let linked = std::fs::write(&tmp, bytes).and_then(|_| std::fs::hard_link(&tmp, to));
    let _ = std::fs::remove_file(&tmp);
    linked
}

/// What the build would say about the page as the form has it, before it is saved:
/// its front matter read and validated as the build does (`parse::meta`), leftover
/// placeholders, and the privacy checks (findings masked); each at the field it is
/// about (`body` for the text). Links, data blocks and photos are checked by the
/// build after saving.
fn check(
    root: &Path,
    kind: Kind,
    rel: &str,
    text: &str,
    lang: crate::base::diagnostic::Lang,
) -> Result<serde_json::Value, Refusal> {
    use crate::base::diagnostic::Diagnostic;
    use crate::parse::{front_matter, meta};
    let config = settings(root)?;
    let mut diags = Vec::new();
    let split = front_matter::split(text, &mut diags);
    let table = match (split.front, split.format) {
        (Some((front, off)), Some(fmt)) => front_matter::parse(front, off, fmt, &mut diags),
        _ => Vec::new(),
    };
    let mut waivers = Vec::new();
    if !diags.iter().any(Diagnostic::is_error) {
        let anchor = 0..split.front.map(|_| 3).unwrap_or(0);
        let (m, d) = meta::page_meta(&table, kind, &config.timezone, &config.levels, anchor);
        diags.extend(d);
        diags.extend(meta::placeholders(
            &text[split.body_offset..],
            split.body_offset,
        ));
        waivers = m.privacy_allow;
    }
    diags.extend(crate::checks::check_markdown(
        Path::new(rel),
        text,
        &waivers,
        &config.privacy_allow,
    ));
    let index = crate::base::diagnostic::LineIndex::new(text);
    let problems: Vec<serde_json::Value> = diags
        .iter()
        .map(|d| {
            let at = d.span.as_ref().map_or(0, |s| s.start);
            // The key whose line it is, in the front matter; else the text.
            let field = if at < split.body_offset {
                let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
                let line = &text[line_start..];
                let key: String = line
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !key.is_empty() {
                    key
                } else {
                    // A key that is missing is named at the fence: `缺少 \`title\``.
                    kind.fields()
                        .iter()
                        .find(|f| d.message.get(lang).contains(&format!("`{}`", f.key)))
                        .map_or("front".to_string(), |f| f.key.to_string())
                }
            } else {
                "body".to_string()
            };
            serde_json::json!({
                "field": field,
                "error": d.is_error(),
                "line": index.line_col(at).0,
                "message": d.message.get(lang),
                "help": d.help.as_ref().map(|h| h.get(lang).to_string()),
            })
        })
        .collect();
    Ok(serde_json::json!({ "problems": problems }))
}

/// The text as Markdown renders it, for the live preview beside the form while the
/// clerk types: headings, lists, tables, bold, pasted HTML sanitised as the build does.
/// Links stay as written and data blocks as code (the page's preview below shows them
/// once saved): this never reads another file.
fn render_body(root: &Path, body: &str) -> Result<serde_json::Value, Refusal> {
    if body.len() > MAX_BODY {
        return Err(Refusal::TooLarge);
    }
    let config = settings(root)?;
    let settings = crate::markdown::Settings {
        indented_code: config.indented_code,
        ..Default::default()
    };
    let host = crate::parse::config::host_of_base_url(&config.base_url);
    let mut keep = |_: &crate::markdown::LinkRef| None;
    let mut options = crate::markdown::Options {
        resolve_link: &mut keep,
        data_block: None,
        settings: &settings,
        site_host: &host,
    };
    let rendered = crate::markdown::render(body, &mut options);
    Ok(serde_json::json!({ "html": rendered.html }))
}

/// The page's text as the form has it: the file now (or, for a new page, what
/// `anxuan new` writes) with the form's fields and body written in.
fn compose(root: &Path, v: &serde_json::Value) -> Result<(Kind, String, String), Refusal> {
    let field = |k: &str| v.get(k).and_then(serde_json::Value::as_str);
    let empty = serde_json::Map::new();
    let fields = v
        .get("fields")
        .and_then(serde_json::Value::as_object)
        .unwrap_or(&empty);
    let config = settings(root)?;
    match field("page").filter(|p| !p.is_empty()) {
        Some(page) => {
            let (now, _) = read(root, page)?;
            let kind = kind_of(page);
            let text = front::merge(&now, kind, fields, field("body"), &config.timezone)?;
            Ok((kind, page.to_string(), text))
        }
        None => {
            let kind = field("kind")
                .and_then(Kind::from_name)
                .ok_or(Refusal::Bad("no such kind of page"))?;
            let title = fields
                .get("title")
                .and_then(serde_json::Value::as_str)
                .map_or("", str::trim);
            let now = jiff::Zoned::now().with_time_zone(config.timezone.clone());
            let skeleton = crate::scaffold::new_page_text(kind, title, &now, &config.levels);
            let text = front::merge(
                &skeleton,
                kind,
                fields,
                Some(field("body").unwrap_or("")),
                &config.timezone,
            )?;
            let rel = format!("content/{}/new.md", kind.section_dir());
            Ok((kind, rel, text))
        }
    }
}

/// A photo is refused above this (a phone's is 3 to 8 MB).
pub(super) const MAX_UPLOAD: usize = 30 << 20;

/// Saves a photo dropped onto the page's editor beside the page, as
/// `<page>-photo-N.jpg` (or `.png`, `.webp`: by its bytes, never the name sent), never
/// over a file; its name. The build then publishes it as any photo beside a page:
/// resized, turned upright, without its metadata (the GPS position of a phone photo).
fn upload(root: &Path, rel: &str, bytes: &[u8]) -> Result<String, Refusal> {
    let file = page_file(root, rel)?;
    if !file.is_file() {
        return Err(Refusal::Missing);
    }
    use crate::photo::Kind as Photo;
    let ext = match crate::photo::kind_by_bytes(bytes) {
        Some(Photo::Jpeg) => "jpg",
        Some(Photo::Png) => "png",
        Some(Photo::Webp) => "webp",
        Some(Photo::Heic) => {
            return Err(Refusal::Bad(
                "an iPhone HEIC photo: convert it to JPEG first (on the iPhone: 设置 → 相机 → 格式 → 兼容性最佳)",
            ))
        }
        None => return Err(Refusal::Bad("only JPEG, PNG and WebP photos can be added")),
    };
    let dir = file.parent().ok_or(Refusal::Missing)?;
    let stem = match file.file_stem().and_then(|s| s.to_str()) {
        Some("index") | None => "photo".to_string(),
        Some(s) => format!("{}-photo", crate::base::slug::slugify(s)),
    };
    for n in 1..1000 {
        let name = format!("{stem}-{n}.{ext}");
        let to = dir.join(&name);
        if to.exists() {
            continue;
        }
        match write_new(&to, bytes) {
            Ok(()) => return Ok(name),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Refusal::Failed(e.to_string())),
        }
    }
    Err(Refusal::Failed("no free name for the photo".into()))
}

/// A page's text and its version.
pub(super) fn read(root: &Path, rel: &str) -> Result<(String, String), Refusal> {
    let file = page_file(root, rel)?;
    let bytes = std::fs::read(&file).map_err(|_| Refusal::Missing)?;
    let v = version(&bytes);
    Ok((String::from_utf8_lossy(&bytes).into_owned(), v))
}

/// Saves `text` as the page, if the file on disk is still the `base` version (or,
/// with `base` empty, does not exist yet); the new version.
pub(super) fn save(root: &Path, rel: &str, base: &str, text: &str) -> Result<String, Refusal> {
    if text.len() > MAX_BODY {
        return Err(Refusal::TooLarge);
    }
    let file = page_file(root, rel)?;
    match std::fs::read(&file) {
        Ok(disk) if version(&disk) != base => {
            return Err(Refusal::Conflict(
                String::from_utf8_lossy(&disk).into_owned(),
            ))
        }
        Ok(_) => {}
        Err(_) if base.is_empty() => {}
        Err(_) => return Err(Refusal::Conflict(String::new())),
    }
    write_atomically(&file, text.as_bytes()).map_err(|e| Refusal::Failed(e.to_string()))?;
    Ok(version(text.as_bytes()))
}

/// A temporary file beside, then a rename over: a reader (the watcher, the build)
/// sees the old text or the new, never half of one.
fn write_atomically(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = file.parent().unwrap_or(Path::new("."));
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.anxuan-save"));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, file).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Moves the page into `.anxuan-recycle/<time>/<its path>`, if it is still the
/// `base` version; where it went.
pub(super) fn recycle(root: &Path, rel: &str, base: &str, stamp: &str) -> Result<PathBuf, Refusal> {
    let file = page_file(root, rel)?;
    let disk = std::fs::read(&file).map_err(|_| Refusal::Missing)?;
    if version(&disk) != base {
        return Err(Refusal::Conflict(
            String::from_utf8_lossy(&disk).into_owned(),
        ));
    }
    let to = root.join(".anxuan-recycle").join(stamp).join(rel);
    let made = to
        .parent()
        .map(std::fs::create_dir_all)
        .transpose()
        .and_then(|_| {
            let ignore = root.join(".anxuan-recycle/.gitignore");
            if !ignore.exists() {
                std::fs::write(ignore, "*\n")?;
            }
            std::fs::rename(&file, &to)
        });
    made.map_err(|e| Refusal::Failed(e.to_string()))?;
    Ok(to)
}

/// The query parameter `name` of a URL, percent-decoded.
fn query(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        if k != name {
            return None;
        }
        let v = v.replace('+', " ");
        // Escapes that do not make UTF-8 name no page.
        if v.contains('%') {
            crate::base::url::percent_decode(&v)
        } else {
            Some(v)
        }
    })
}

/// Answers a request under `/__anxuan/edit/`: `GET source?page=content/…` gives the
/// page's text and version; `POST save` takes `{page, base, text}`; `POST delete`
/// takes `{page, base}`. Every one is checked by the guard first.
pub(super) fn respond(
    mut request: tiny_http::Request,
    editing: &Editing,
    model: Option<&crate::model::Site>,
) {
    use tiny_http::{Header, Method, Response};
    let header_of = |name: &'static str| {
        request
            .headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str().to_string())
    };
    let (host, origin, token) = (
        header_of("Host"),
        header_of("Origin"),
        header_of(TOKEN_HEADER),
    );
    let url = request.url().to_string();
    let path = url.split('?').next().unwrap_or("").to_string();
    let method = request.method().clone();
    if method == Method::Get && path == "/__anxuan/edit/" {
        // The editor itself: a page of the preview (its Host checked), carrying the
        // token its requests send; while editing is off, a page saying so.
        let peer = request.remote_addr().copied();
        let html = if editing.guard.editable_for(peer) {
            page::html(
                Some(editing.guard.token_for(peer).unwrap_or("")),
                editing.lang,
            )
        } else {
            page::html(None, editing.lang)
        };
        let _ = request.respond(
            Response::from_data(html.into_bytes())
                .with_header(
                    Header::from_bytes("Content-Type", "text/html; charset=utf-8")
                        .expect("static header"),
                )
                .with_header(
                    Header::from_bytes("Cache-Control", "no-store").expect("static header"),
                ),
        );
        return;
    }
    let unlock = path == "/__anxuan/edit/unlock";
    let result = (|| -> Result<serde_json::Value, Refusal> {
        if unlock {
            // A computer on the LAN trades the terminal's code for the token, once.
            editing
                .guard
                .check_request(host.as_deref(), origin.as_deref())?;
        } else {
            editing
                .guard
                .check_edit(host.as_deref(), origin.as_deref(), token.as_deref())?;
        }
        let root = &editing.root;
        match (&method, path.as_str()) {
            (Method::Get, "/__anxuan/edit/source") => {
                let page = query(&url, "page").ok_or(Refusal::Bad("page= is missing"))?;
                let (text, version) = read(root, &page)?;
                Ok(serde_json::json!({ "page": page, "text": text, "version": version }))
            }
            (Method::Post, "/__anxuan/edit/upload") => {
                let page = query(&url, "page").ok_or(Refusal::Bad("page= is missing"))?;
                let mut body = Vec::new();
                use std::io::Read;
                request
                    .as_reader()
                    .take(MAX_UPLOAD as u64 + 1)
                    .read_to_end(&mut body)
                    .map_err(|_| Refusal::Bad("the photo could not be read"))?;
                if body.len() > MAX_UPLOAD {
                    return Err(Refusal::TooLarge);
                }
                let name = upload(root, &page, &body)?;
                Ok(serde_json::json!({ "name": name }))
            }
            (Method::Get, "/__anxuan/edit/form") => {
                if let Some(kind) = query(&url, "new") {
                    let kind =
                        Kind::from_name(&kind).ok_or(Refusal::Bad("no such kind of page"))?;
                    return form(root, kind, "", "", "", model);
                }
                let page = query(&url, "page").ok_or(Refusal::Bad("page= or new= is missing"))?;
                let (text, version) = read(root, &page)?;
                form(root, kind_of(&page), &text, &version, &page, model)
            }
            (
                Method::Post,
                "/__anxuan/edit/save"
                | "/__anxuan/edit/delete"
                | "/__anxuan/edit/create"
                | "/__anxuan/edit/paste"
                | "/__anxuan/edit/check"
                | "/__anxuan/edit/render"
                | "/__anxuan/edit/unlock",
            ) => {
                // A code is six digits: an unlock request is tiny.
                let limit = if unlock { 256 } else { MAX_BODY };
                let mut body = Vec::new();
                use std::io::Read;
                request
                    .as_reader()
                    .take(limit as u64 + 1)
                    .read_to_end(&mut body)
                    .map_err(|_| Refusal::Bad("the request could not be read"))?;
                if body.len() > limit {
                    return Err(Refusal::TooLarge);
                }
                let v: serde_json::Value = serde_json::from_slice(&body)
                    .map_err(|_| Refusal::Bad("the request is not JSON"))?;
                if unlock {
                    let code = v
                        .get("code")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or("");
                    return editing
                        .guard
                        .unlock(code)
                        .map(|t| serde_json::json!({ "token": t }));
                }
                if path.ends_with("/render") {
                    let body = v
                        .get("body")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or("");
                    return render_body(root, body);
                }
                if path.ends_with("/check") {
                    let (kind, rel, text) = compose(root, &v)?;
                    return check(root, kind, &rel, &text, editing.lang);
                }
                if path.ends_with("/paste") {
                    // What was pasted from Word or WPS, as the editor's script read it.
                    let blocks: Vec<crate::import::paste::Pasted> =
                        serde_json::from_value(v.get("blocks").cloned().unwrap_or_default())
                            .map_err(|_| Refusal::Bad("blocks is not what the editor sends"))?;
                    return Ok(
                        serde_json::json!({ "markdown": crate::import::paste::markdown(&blocks) }),
                    );
                }
                let field = |k: &str| v.get(k).and_then(serde_json::Value::as_str);
                let fields = v.get("fields").and_then(serde_json::Value::as_object);
                if path.ends_with("/create") {
                    return Ok(serde_json::json!({ "page": create(root, &v)? }));
                }
                let page = field("page").ok_or(Refusal::Bad("page is missing"))?;
                let base =
                    field("base").ok_or(Refusal::Bad("base (the version read) is missing"))?;
                if path.ends_with("/save") {
                    // The whole text, or the form's fields (and body) written into the
                    // file as it is now (its version checked by `save`).
                    let text = match (field("text"), fields) {
                        (Some(t), _) => t.to_string(),
                        (None, Some(_)) => compose(root, &v)?.2,
                        (None, None) => return Err(Refusal::Bad("text or fields is missing")),
                    };
                    let version = save(root, page, base, &text)?;
                    Ok(serde_json::json!({ "page": page, "version": version }))
                } else {
                    let stamp = jiff::Zoned::now().strftime("%Y%m%d-%H%M%S").to_string();
                    let to = recycle(root, page, base, &stamp)?;
                    let shown = to.strip_prefix(root).unwrap_or(&to);
                    Ok(serde_json::json!({ "page": page, "moved_to": shown.to_string_lossy() }))
                }
            }
            _ => Err(Refusal::Bad("no such edit request")),
        }
    })();
    let (status, body) = match result {
        Ok(v) => (200, v),
        Err(r) => (r.status(), r.json()),
    };
    let h = |k: &str, v: &str| Header::from_bytes(k, v).expect("static header");
    let _ = request.respond(
        Response::from_data(body.to_string().into_bytes())
            .with_status_code(status)
            .with_header(h("Content-Type", "application/json; charset=utf-8"))
            .with_header(h("Cache-Control", "no-store"))
            .with_header(h("X-Content-Type-Options", "nosniff")),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_previews_own_host_origin_and_token_may_edit() {
        let g = Guard::new("127.0.0.1", 1313, None, false);
        let t = g.token().unwrap().to_string();
        assert_eq!(t.len(), 32);
        assert_ne!(
            Guard::new("127.0.0.1", 1313, None, false).token(),
            Some(t.as_str())
        );
        let ok = Some("127.0.0.1:1313");
        assert_eq!(g.check_edit(ok, None, Some(&t)), Ok(()));
        assert_eq!(
            query("/x?new=warning&a=1", "new").as_deref(),
            Some("warning")
        );
        assert_eq!(
            query("/x?page=content%2Fa.md", "page").as_deref(),
            Some("content/a.md")
        );
        assert_eq!(query("/x?page=%ff", "page"), None);
        assert_eq!(query("/x?pages=a", "page"), None);
        assert_eq!(
            g.check_edit(
                Some("localhost:1313"),
                Some("http://localhost:1313"),
                Some(&t)
            ),
            Ok(())
        );
        assert!(g.check_edit(ok, None, None).is_err());
        assert!(g.check_edit(ok, None, Some("0000")).is_err());
        assert!(g
            .check_edit(Some("evil.example:1313"), None, Some(&t))
            .is_err());
        assert!(g
            .check_edit(Some("127.0.0.1:1314"), None, Some(&t))
            .is_err());
        assert!(g.check_edit(None, None, Some(&t)).is_err());
        assert!(g
            .check_edit(ok, Some("http://evil.example"), Some(&t))
            .is_err());
        assert!(g.check_edit(ok, Some("null"), Some(&t)).is_err());
        assert!(!g.host_ok(Some("evil.example")));
        // On the LAN: no token, every Host may read, nobody may edit.
        let lan = Guard::new("0.0.0.0", 1313, Some("192.168.1.5"), false);
        assert!(lan.token().is_none() && lan.host_ok(Some("192.168.1.5:1313")));
        assert!(lan.check_edit(ok, None, Some(&t)).is_err());
    }

    #[test]
    fn a_page_s_kind_is_its_section_s_as_the_model_says() {
        assert_eq!(kind_of("content/notices/a.md"), Kind::Notice);
        assert_eq!(kind_of("content/stats/2023/index.md"), Kind::Stats);
        assert_eq!(kind_of("content/warnings/a/index.md"), Kind::Warning);
        assert_eq!(kind_of("content/about.md"), Kind::Page);
        assert_eq!(kind_of("content/about/index.md"), Kind::Page);
        assert_eq!(kind_of("content/other/a.md"), Kind::Page);
    }

    #[test]
    fn pages_are_markdown_files_inside_content() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/notices")).unwrap();
        std::fs::write(
            root.join("content/notices/a.md"),
            "+++\ntitle = \"a\"\n+++\n",
        )
        .unwrap();
        std::fs::write(root.join("config.toml"), "").unwrap();
        assert!(page_file(root, "content/notices/a.md").is_ok());
        for bad in [
            "content/../config.toml",
            "../content/notices/a.md",
            "/etc/passwd",
            "config.toml",
            "content/notices/a.csv",
            "content\\notices\\a.md",
        ] {
            assert!(
                matches!(page_file(root, bad), Err(Refusal::Bad(_))),
                "{bad} accepted"
            );
        }
        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().unwrap();
            std::os::unix::fs::symlink(outside.path(), root.join("content/out")).unwrap();
            assert!(matches!(
                page_file(root, "content/out/x.md"),
                Err(Refusal::Bad(_))
            ));
            std::os::unix::fs::symlink(root.join("config.toml"), root.join("content/c.md"))
                .unwrap();
            assert!(matches!(
                page_file(root, "content/c.md"),
                Err(Refusal::Bad(_))
            ));
        }
    }

    #[test]
    fn a_save_over_a_file_changed_since_it_was_read_is_refused_and_nothing_is_lost() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content")).unwrap();
        let page = "content/a.md";
        std::fs::write(root.join(page), "+++\n# 注释\ntitle = \"一\"\n+++\n").unwrap();
        let (text, v1) = read(root, page).unwrap();
        let v2 = save(root, page, &v1, &text.replace('一', "二")).unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join(page)).unwrap(),
            "+++\n# 注释\ntitle = \"二\"\n+++\n"
        );
        // Saving again from the first version: the disk's text comes back, the file stays.
        match save(root, page, &v1, "三") {
            Err(Refusal::Conflict(disk)) => assert!(disk.contains("二")),
            other => panic!("{other:?}"),
        }
        assert!(std::fs::read_to_string(root.join(page))
            .unwrap()
            .contains('二'));
        // No temporary file is left beside it.
        assert_eq!(std::fs::read_dir(root.join("content")).unwrap().count(), 1);
        // Deleting moves it to the recycle folder.
        let to = recycle(root, page, &v2, "20261204-190000").unwrap();
        assert!(!root.join(page).exists() && to.is_file());
        assert!(to.ends_with(".anxuan-recycle/20261204-190000/content/a.md"));
        // A new page: base empty, and only when the file does not exist yet.
        assert!(save(root, "content/b.md", "", "新").is_ok());
        assert!(matches!(
            save(root, "content/b.md", "", "又"),
            Err(Refusal::Conflict(_))
        ));
    }
}
