//! Which photos a site publishes and in which sizes, and how pages show them.
//!
//! [`plan`] reads the model: every JPEG, PNG and WebP beside a page (they are never
//! copied as they are: the original path gets the largest web copy, so old links keep
//! working and no GPS position leaves), every such image under static/ that a page
//! shows (static/ is still copied as it is, so one with a GPS position is an error of
//! the privacy checks), the print size for the photos of leaflets, and a share
//! picture for each page (its `image`, else its first photo). [`prepare`] makes the
//! variants through `photo`, in parallel, taking those an earlier build made from the
//! image cache (`output::cache`); [`PhotoSet::rewrite`] gives a body's `<img>` its
//! sizes: `src`, `srcset`, `sizes`, `width`/`height` and a link to the largest copy.
//!
//! This module must not read files (the pipeline hands it a reader) nor write any
//! output (the variants are queue jobs); it keeps variants only through the cache.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::base::diagnostic::Diagnostic;
use crate::base::hash::content_hash64 as content_hash;
use crate::input::theme::{StaticData, Theme};
use crate::model::Site;
use crate::output::cache::{ImageCache, Known};
use crate::output::{OutData, OutFile};
use crate::parse::meta::Kind as PageKind;
use crate::photo::{self, Shape, PRINT_WIDTH, WEB_WIDTHS};
use crate::text;

/// One original and what the site needs of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Wanted {
    pub(crate) abs: PathBuf,
    /// Under static/ (copied as it is as well) rather than beside a page.
    pub(crate) from_static: bool,
    pub(crate) print: bool,
    pub(crate) share: bool,
}

/// Originals by output path, and each page's share picture.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    pub(crate) photos: BTreeMap<String, Wanted>,
    pub(crate) share: Vec<Option<String>>,
    /// HEIC pictures pages show: (the page's file, output path).
    heic: Vec<(PathBuf, String)>,
}

/// The output path an `image` of front matter names (as `context::image_url` links it).
fn front_matter_image(image: &str, page_path: &str) -> Option<String> {
    let image = image.trim();
    if image.starts_with("http://") || image.starts_with("https://") {
        None
    } else if let Some(rest) = image.strip_prefix('/') {
        Some(rest.to_string())
    } else {
        Some(format!("{page_path}{image}"))
    }
}

/// What the site needs: see the module's comment.
pub(crate) fn plan(site: &Site, theme: &Theme) -> Plan {
    let mut photos: BTreeMap<String, Wanted> = site
        .assets
        .iter()
        .filter(|a| photo::is_processed(&a.out))
        .map(|a| {
            (
                a.out.clone(),
                Wanted {
                    abs: a.abs.clone(),
                    from_static: false,
                    print: false,
                    share: false,
                },
            )
        })
        .collect();
    let statics: HashMap<&str, &PathBuf> = theme
        .statics
        .iter()
        .filter_map(|(name, data)| match data {
            StaticData::File(p) if photo::is_processed(name) => Some((name.as_str(), p)),
            _ => None,
        })
        .collect();
    let mut heic = Vec::new();
    let mut share = Vec::with_capacity(site.pages.len());
    for p in &site.pages {
        let fm = p
            .meta
            .image
            .as_ref()
            .and_then(|img| front_matter_image(&img.value, &p.path));
        for out in fm.iter().chain(&p.images) {
            if !photos.contains_key(out) {
                if let Some(abs) = statics.get(out.as_str()) {
                    photos.insert(
                        out.clone(),
                        Wanted {
                            abs: (*abs).clone(),
                            from_static: true,
                            print: false,
                            share: false,
                        },
                    );
                } else if photo::kind_of(out) == Some(photo::Kind::Heic) {
                    heic.push((p.rel.clone(), out.clone()));
                }
            }
            if p.kind == PageKind::Leaflet && Some(out) != fm.as_ref() {
                if let Some(w) = photos.get_mut(out) {
                    w.print = true;
                }
            }
        }
        // The share picture: the page's `image` if it is a photo of the site, else
        // its first photo; without one, the site's (see `context::meta`).
        let chosen = match &fm {
            Some(out) => photos.contains_key(out).then(|| out.clone()),
            None => p.images.iter().find(|o| photos.contains_key(*o)).cloned(),
        };
        if let Some(out) = &chosen {
            if let Some(w) = photos.get_mut(out) {
                w.share = true;
            }
        }
        share.push(chosen);
    }
    Plan {
        photos,
        share,
        heic,
    }
}

/// One made copy of a photo.
#[derive(Clone, Debug)]
pub(crate) struct PhotoCopy {
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Output path.
    pub(crate) path: String,
}

/// A photo as pages show it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Shown {
    /// The web copies, narrowest first.
    pub(crate) web: Vec<PhotoCopy>,
    pub(crate) print: Option<PhotoCopy>,
    pub(crate) share: Option<PhotoCopy>,
}

/// Every photo of a build: how to show each, and the files to write.
#[derive(Default)]
pub(crate) struct PhotoSet {
    pub(crate) plan: Plan,
    /// By the original's output path.
    shown: HashMap<String, Shown>,
    /// The variants (and originals' paths), for the queue; taken by `Queue::full`.
    pub(crate) files: Vec<OutFile>,
    /// A hash of every photo's copies, for the render keys.
    pub(crate) key: u64,
    /// How many copies this build encoded (the others came from the image cache).
    pub(crate) made: usize,
}

/// The width of each copy a photo `width` wide gets, narrowest first: the web widths
/// below its own, then its own if narrower than the widest.
fn web_widths(width: u32) -> Vec<u32> {
    let mut out: Vec<u32> = WEB_WIDTHS.iter().copied().filter(|&w| w < width).collect();
    let top = width.min(WEB_WIDTHS[WEB_WIDTHS.len() - 1]);
    if !out.contains(&top) {
        out.push(top);
    }
    out
}

/// Reads an original's bytes (the pipeline reads them through the input).
pub(crate) type Reader<'a> = dyn Fn(&Path) -> Option<Vec<u8>> + Sync + 'a;

/// Makes (or takes from `cache`) every copy `plan` asks for. Without `encode`
/// (`check`, which writes nothing) only the sizes are read. `root` is the site's
/// folder, for the names in messages.
pub(crate) fn prepare(
    plan: Plan,
    root: &Path,
    read: &Reader<'_>,
    cache: &ImageCache,
    encode: bool,
) -> (PhotoSet, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let rel = |abs: &Path| abs.strip_prefix(root).unwrap_or(abs).to_path_buf();
    let encoded = std::sync::atomic::AtomicUsize::new(0);
    let made: Vec<(String, Result<Made, Diagnostic>)> = plan
        .photos
        .par_iter()
        .map(|(out, w)| {
            let r = one(out, w, read, cache, encode, &encoded).map_err(|(msg, help)| {
                let d = Diagnostic::error(msg).in_file(rel(&w.abs));
                match help {
                    Some(h) => d.with_help(h),
                    None => d,
                }
            });
            (out.clone(), r)
        })
        .collect();
    let mut set = PhotoSet::default();
    let mut h = crate::render::keys::KeyHasher::new();
    for (out, r) in made {
        match r {
            Ok((shown, files)) => {
                use std::hash::Hash;
                out.hash(&mut h);
                for c in shown.web.iter().chain(&shown.print).chain(&shown.share) {
                    (&c.path, c.width, c.height).hash(&mut h);
                }
                set.files.extend(files);
                set.shown.insert(out, shown);
            }
            Err(d) => diagnostics.push(d),
        }
    }
    for (page, out) in &plan.heic {
        diagnostics.push(
            Diagnostic::error(crate::base::diagnostic::Text::new(
                format!("页面用了 HEIC 照片 {out}：{}", photo::heic_text().zh),
                format!(
                    "the page shows the HEIC photo {out}: {}",
                    photo::heic_text().en
                ),
            ))
            .in_file(page)
            .with_help(photo::heic_help()),
        );
    }
    cache.save();
    use std::hash::Hasher;
    set.key = h.finish();
    set.made = encoded.into_inner();
    set.plan = plan;
    (set, diagnostics)
}

/// A photo's copies as pages show them, and their files.
type Made = (Shown, Vec<OutFile>);

type Failure = (
    crate::base::diagnostic::Text,
    Option<crate::base::diagnostic::Text>,
);

/// One photo's copies and files.
fn one(
    out: &str,
    w: &Wanted,
    read: &Reader<'_>,
    cache: &ImageCache,
    encode: bool,
    encoded: &std::sync::atomic::AtomicUsize,
) -> Result<Made, Failure> {
    let unreadable_help = || {
        text!(
            zh: "用看图软件打开它另存为 JPEG 再放回来；如果是苹果手机的 HEIC 照片，先转成 JPEG",
            en: "open it in an image viewer and save it again as JPEG; an iPhone HEIC photo must be converted first"
        )
    };
    let mut bytes: Option<Vec<u8>> = None;
    let load = |bytes: &mut Option<Vec<u8>>| -> Result<(), Failure> {
        if bytes.is_none() {
            *bytes = Some(read(&w.abs).ok_or_else(|| {
                (
                    text!(zh: "无法读取这张图片", en: "this image cannot be read"),
                    None,
                )
            })?);
        }
        Ok(())
    };
    let known = match cache.known(&w.abs) {
        Some(k) => k,
        None => {
            load(&mut bytes)?;
            let b = bytes.as_deref().unwrap_or_default();
            let p = photo::probe(b).map_err(|m| {
                let help = if photo::is_heif(b) {
                    photo::heic_help()
                } else {
                    unreadable_help()
                };
                (m, Some(help))
            })?;
            let k = Known {
                hash: content_hash(b),
                len: b.len() as u64,
                width: p.width,
                height: p.height,
                png: p.png,
            };
            cache.remember(&w.abs, k);
            k
        }
    };
    // Bytes read just now are what `known` was computed from: no need to hash again.
    let hashed_now = bytes.is_some();
    let ext = if known.png { "png" } else { "jpg" };
    let (dir, stem) = match out.rsplit_once('/') {
        Some((d, name)) => (format!("{d}/"), name),
        None => (String::new(), out),
    };
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let tag8 = format!("{:016x}", known.hash);
    let tag8 = &tag8[..8];
    let mut shapes: Vec<Shape> = web_widths(known.width)
        .into_iter()
        .map(Shape::Width)
        .collect();
    let webs = shapes.len();
    if w.print && known.width > WEB_WIDTHS[WEB_WIDTHS.len() - 1] {
        shapes.push(Shape::Width(known.width.min(PRINT_WIDTH)));
    }
    let has_print = shapes.len() > webs;
    if w.share {
        shapes.push(Shape::Share);
    }
    let copy = |shape: Shape| {
        let (cw, ch) = photo::size_of(known.width, known.height, shape);
        let ext = if shape == Shape::Share { "jpg" } else { ext };
        PhotoCopy {
            width: cw,
            height: ch,
            path: format!("{dir}{stem}.{}.{tag8}.{ext}", shape.tag()),
        }
    };
    let cache_name = |shape: Shape| {
        let ext = if shape == Shape::Share { "jpg" } else { ext };
        format!("{:016x}-{}-{}.{ext}", known.hash, known.len, shape.tag())
    };
    let mut shown = Shown {
        web: shapes[..webs].iter().map(|&s| copy(s)).collect(),
        print: has_print.then(|| copy(shapes[webs])),
        share: w.share.then(|| copy(Shape::Share)),
    };
    if !has_print && w.print {
        // A photo no wider than the widest web copy prints from that copy.
        shown.print = shown.web.last().cloned();
    }
    let mut files = Vec::new();
    if !encode {
        return Ok((shown, files));
    }
    let mut data: Vec<Option<OutData>> = shapes
        .iter()
        .map(|&s| cache.get(&cache_name(s)).map(OutData::Copy))
        .collect();
    let missing: Vec<Shape> = shapes
        .iter()
        .zip(&data)
        .filter(|(_, d)| d.is_none())
        .map(|(&s, _)| s)
        .collect();
    if !missing.is_empty() {
        load(&mut bytes)?;
        let b = bytes.as_deref().unwrap_or_default();
        if !hashed_now && content_hash(b) != known.hash {
            // The file changed between the stamp and now: its sizes may be wrong.
            return Err((
                text!(zh: "这张图片在生成网站时被改动了，请再生成一次", en: "this image changed during the build; build again"),
                None,
            ));
        }
        let made = photo::make(b, &missing).map_err(|m| (m, Some(unreadable_help())))?;
        encoded.fetch_add(made.len(), std::sync::atomic::Ordering::Relaxed);
        let mut made = made.into_iter();
        for (slot, &shape) in data.iter_mut().zip(&shapes) {
            if slot.is_none() {
                let v = made.next().ok_or_else(|| {
                    (
                        text!(zh: "图片处理失败", en: "making the image failed"),
                        None,
                    )
                })?;
                *slot = Some(match cache.put(&cache_name(shape), &v.bytes) {
                    Some(p) => OutData::Copy(p),
                    None => OutData::Bytes(v.bytes),
                });
            }
        }
    }
    drop(bytes);
    for (shape, d) in shapes.iter().zip(data) {
        let Some(d) = d else { continue };
        files.push(OutFile {
            path: copy(*shape).path,
            data: d,
        });
    }
    // The original's own address gets the largest web copy, when its name says the
    // same format (a WebP's would not).
    let same_format = photo::kind_of(out).is_some_and(|k| {
        matches!(
            (k, known.png),
            (photo::Kind::Jpeg, false) | (photo::Kind::Png, true)
        )
    });
    if !w.from_static && same_format {
        if let Some(largest) = files.get(webs - 1) {
            files.push(OutFile {
                path: out.to_string(),
                data: match &largest.data {
                    OutData::Copy(p) => OutData::Copy(p.clone()),
                    OutData::Bytes(b) => OutData::Bytes(b.clone()),
                    OutData::Static(b) => OutData::Static(b),
                },
            });
        }
    }
    Ok((shown, files))
}

/// What `sizes` says of the content column: the full width on a phone (less the
/// page's 1rem margins), 46rem at most (style.css's `.wrap`).
const SIZES: &str = "(max-width: 46rem) calc(100vw - 2rem), 44rem";

impl PhotoSet {
    /// The absolute URL of page `i`'s share picture, if one was made.
    pub(crate) fn share_of(&self, site: &Site, i: usize) -> Option<String> {
        let out = self.plan.share.get(i)?.as_ref()?;
        let c = self.shown.get(out)?.share.as_ref()?;
        Some(site.permalink(&c.path))
    }

    /// How the photo at output path `out` is shown, if it is one.
    pub(crate) fn shown(&self, out: &str) -> Option<&Shown> {
        self.shown.get(out)
    }
}

/// A site URL for an output path, percent-encoded: a photo's name may hold spaces,
/// commas or Chinese, and in `srcset` a space or comma would end the URL.
fn url(site: &Site, path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 16);
    for b in site.url(path).bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The attributes an `<img>` of photo `s` gets: on a web page its copies in `srcset`
/// with the middle one as `src` (what an old browser takes); on a print page the
/// print copy alone, loaded at once (a lazy image may be missing from the PDF).
pub(crate) fn img_attributes(
    site: &Site,
    s: &Shown,
    print: bool,
) -> (Vec<(&'static str, String)>, Option<String>) {
    let mut attrs = Vec::new();
    let Some(largest) = s.web.last() else {
        return (attrs, None);
    };
    if print {
        let c = s.print.as_ref().unwrap_or(largest);
        attrs.push(("src", url(site, &c.path)));
        attrs.push(("width", c.width.to_string()));
        attrs.push(("height", c.height.to_string()));
        attrs.push(("loading", "eager".into()));
        return (attrs, None);
    }
    // The copy a phone at DPR 2 takes (800 px), or the widest there is.
    let src = s.web.iter().find(|c| c.width >= 800).unwrap_or(largest);
    attrs.push(("src", url(site, &src.path)));
    if s.web.len() > 1 {
        let srcset: Vec<String> = s
            .web
            .iter()
            .map(|c| format!("{} {}w", url(site, &c.path), c.width))
            .collect();
        attrs.push(("srcset", srcset.join(", ")));
        attrs.push(("sizes", SIZES.into()));
    }
    attrs.push(("width", src.width.to_string()));
    attrs.push(("height", src.height.to_string()));
    (attrs, Some(url(site, &largest.path)))
}
