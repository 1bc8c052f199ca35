//! Photos as a clerk's phone takes them (4000×3000 JPEG, EXIF with a GPS position,
//! the phone's make and model, orientation 6: held upright, stored sideways) become
//! light, upright copies without metadata; a photo published as it is with a GPS
//! position fails the build; a second build encodes nothing. The EXIF is checked with
//! a real reader (exiftool, from Debian's libimage-exiftool-perl), and what a phone
//! downloads in headless Chromium at 375 px and DPR 2.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use crate::support::Site;

/// Stored sideways: 4000 wide, 3000 high; shown upright 3000×4000.
const W: u32 = 4000;
const H: u32 = 3000;

/// Photo-like pixels (smooth shapes and fine grain, as a phone's JPEG has, so its
/// copies weigh what real ones do), with a red square in the stored top-left corner:
/// upright (turned a quarter clockwise) it is in the top-right corner.
fn pixels() -> image::RgbImage {
    // A small random picture in three octaves, enlarged: cheap in a debug build.
    let (sw, sh) = (W / 4, H / 4);
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 40) as f32 / (1u64 << 24) as f32
    };
    let grids: Vec<(u32, Vec<[f32; 3]>)> = [8u32, 40, 200]
        .iter()
        .map(|&cells| {
            let n = ((cells + 1) * (cells + 1)) as usize;
            (cells, (0..n).map(|_| [rnd(), rnd(), rnd()]).collect())
        })
        .collect();
    let mut small = image::RgbImage::new(sw, sh);
    for y in 0..sh {
        for x in 0..sw {
            let mut c = [0f32; 3];
            for (octave, (cells, grid)) in grids.iter().enumerate() {
                let fx = x as f32 / sw as f32 * *cells as f32;
                let fy = y as f32 / sh as f32 * (*cells as f32 * 0.75);
                let (ix, iy) = (fx as usize, fy as usize);
                let (tx, ty) = (fx.fract(), fy.fract());
                let at = |i: usize, j: usize| grid[j * (*cells as usize + 1) + i];
                let weight = [0.55, 0.3, 0.15][octave];
                for (k, ck) in c.iter_mut().enumerate() {
                    let top = at(ix, iy)[k] * (1.0 - tx) + at(ix + 1, iy)[k] * tx;
                    let bottom = at(ix, iy + 1)[k] * (1.0 - tx) + at(ix + 1, iy + 1)[k] * tx;
                    *ck += weight * (top * (1.0 - ty) + bottom * ty);
                }
            }
            let grain = rnd() * 0.12 - 0.06;
            let px = c.map(|v| ((v + grain).clamp(0.0, 1.0) * 255.0) as u8);
            small.put_pixel(x, y, image::Rgb(px));
        }
    }
    let mut big = image::imageops::resize(&small, W, H, image::imageops::FilterType::Triangle);
    for y in 0..400 {
        for x in 0..400 {
            big.put_pixel(x, y, image::Rgb([230, 0, 0]));
        }
    }
    big
}

/// A little-endian TIFF block (EXIF's body): IFD0 with Make, Model, Orientation 6
/// and a GPS IFD with latitude and longitude.
pub fn exif_block() -> Vec<u8> {
    let mut t = b"II*\0\x08\0\0\0".to_vec();
    let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        t.extend(tag.to_le_bytes());
        t.extend(kind.to_le_bytes());
        t.extend(count.to_le_bytes());
        t.extend(value);
    };
    let make = b"Xiaomi\0";
    let model = b"Redmi Note 12\0";
    // IFD0: 4 entries at 8, then its strings from 62, the GPS IFD at 84.
    t.extend(4u16.to_le_bytes());
    entry(&mut t, 0x010F, 2, make.len() as u32, 62u32.to_le_bytes());
    entry(&mut t, 0x0110, 2, model.len() as u32, 69u32.to_le_bytes());
    entry(&mut t, 0x0112, 3, 1, [6, 0, 0, 0]);
    entry(&mut t, 0x8825, 4, 1, 84u32.to_le_bytes());
    t.extend(0u32.to_le_bytes());
    t.extend(make);
    t.extend(model);
    t.push(0);
    assert_eq!(t.len(), 84);
    t.extend(4u16.to_le_bytes());
    entry(&mut t, 1, 2, 2, *b"N\0\0\0");
    entry(&mut t, 2, 5, 3, 138u32.to_le_bytes());
    entry(&mut t, 3, 2, 2, *b"E\0\0\0");
    entry(&mut t, 4, 5, 3, 162u32.to_le_bytes());
    t.extend(0u32.to_le_bytes());
    assert_eq!(t.len(), 138);
    for (n, d) in [(30, 1), (15, 1), (1234, 100), (114, 1), (3, 1), (4321, 100)] {
        t.extend((n as u32).to_le_bytes());
        t.extend((d as u32).to_le_bytes());
    }
    t
}

/// The phone photo: JPEG at quality 90 with the EXIF block in an APP1 segment.
pub fn phone_photo() -> &'static [u8] {
    static PHOTO: OnceLock<Vec<u8>> = OnceLock::new();
    PHOTO.get_or_init(|| {
        let mut plain = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
            .encode_image(&pixels())
            .unwrap();
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(exif_block());
        crate::support::with_app1(&plain, &app1)
    })
}

/// What exiftool reads in a file: tag names (with groups) to values.
pub fn exiftool(file: &Path) -> serde_json::Map<String, serde_json::Value> {
    let out = Command::new("exiftool")
        .args(["-j", "-G", "-a"])
        .arg(file)
        .output()
        .expect("run exiftool (apt-get install libimage-exiftool-perl; .ci/run does)");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("exiftool JSON");
    v[0].as_object().unwrap().clone()
}

/// Tags that say something about the photo or phone, not about the file or encoding.
fn telling_tags(tags: &serde_json::Map<String, serde_json::Value>) -> Vec<String> {
    tags.keys()
        .filter(|k| {
            k.starts_with("EXIF:")
                || k.starts_with("GPS")
                || k.contains(":GPS")
                || k.starts_with("XMP")
        })
        .cloned()
        .collect()
}

fn dims(file: &Path) -> (u32, u32) {
    image::image_dimensions(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// A notice whose bundle holds the phone photo.
fn site_with_photo() -> Site {
    let site = Site::new();
    site.page(
        "content/notices/river/index.md",
        "title = \"河道巡查\"\ndate = 2023-06-01",
        "![村干部在河道巡查](photo.jpg)\n\n汛期每天巡查一次。\n",
    );
    site.bytes("content/notices/river/photo.jpg", phone_photo());
    site
}

fn files_like(site: &Site, prefix: &str) -> Vec<String> {
    site.files()
        .into_iter()
        .filter(|f| f.starts_with(prefix))
        .collect()
}

#[test]
fn a_phone_photo_in_a_bundle_is_published_upright_light_and_without_exif() {
    let site = site_with_photo();
    // The fixture itself carries what must not be published, as exiftool reads it.
    let source = exiftool(&site.path().join("content/notices/river/photo.jpg"));
    assert!(source.contains_key("EXIF:GPSLatitude"), "{source:?}");
    assert!(source.contains_key("EXIF:Make"), "{source:?}");
    assert_eq!(source["EXIF:Orientation"], "Rotate 90 CW");

    site.build().assert_ok();
    let jpegs = files_like(&site, "notices/river/");
    let jpegs: Vec<&String> = jpegs.iter().filter(|f| f.ends_with(".jpg")).collect();
    // 480, 800, 1280, the share picture, and the original's address.
    assert_eq!(jpegs.len(), 5, "{jpegs:?}");
    for f in &jpegs {
        let tags = exiftool(&site.out(f));
        assert!(telling_tags(&tags).is_empty(), "{f}: {tags:?}");
        let bytes = std::fs::read(site.out(f)).unwrap();
        assert!(!bytes.windows(4).any(|w| w == b"Exif"), "{f}");
    }
    // Upright, never enlarged: 3000 wide as shown, so 1280 × 1707.
    let largest = jpegs.iter().find(|f| f.contains(".1280w.")).unwrap();
    assert_eq!(dims(&site.out(largest)), (1280, 1707));
    let img = image::open(site.out(largest)).unwrap().into_rgb8();
    let top_right = img.get_pixel(1270, 10);
    let top_left = img.get_pixel(10, 10);
    assert!(
        top_right[0] > 200 && top_right[1] < 40,
        "top right is {top_right:?}"
    );
    assert!(
        top_left[0] < 200 || top_left[1] > 40,
        "top left is {top_left:?}"
    );
    // The original's own address holds the largest copy, not the 4.8 MB original.
    assert_eq!(
        std::fs::read(site.out("notices/river/photo.jpg")).unwrap(),
        std::fs::read(site.out(largest)).unwrap()
    );

    let html = site.read("notices/river/index.html");
    let img_tag = crate::support::between(&html, "<img", ">");
    for attr in [
        "srcset=\"",
        "sizes=\"",
        "width=\"800\"",
        "height=\"1067\"",
        "loading=\"lazy\"",
        "decoding=\"async\"",
        "alt=\"村干部在河道巡查\"",
    ] {
        assert!(img_tag.contains(attr), "{attr} missing in <img{img_tag}>");
    }
    assert_eq!(img_tag.matches("w, ").count() + 1, 3, "{img_tag}");
    assert!(
        img_tag.contains(".800w."),
        "src should be the 800 px copy: {img_tag}"
    );
    // Tapping opens the largest copy.
    let link = format!(
        "<a class=\"photo\" href=\"/zhen/notices/river/{}",
        largest.trim_start_matches("notices/river/")
    );
    assert!(html.contains(&link), "{link} not in {html}");

    // The share picture (SPEC §4): square, at least 300 px, at most 32 KB, absolute.
    let share = jpegs.iter().find(|f| f.contains(".share.")).unwrap();
    assert_eq!(dims(&site.out(share)), (300, 300));
    assert!(std::fs::metadata(site.out(share)).unwrap().len() <= 32 * 1024);
    assert!(
        html.contains(&format!(
            "property=\"og:image\" content=\"https://anquan.ceshi.gov.cn/zhen/{share}\""
        )),
        "og:image is not {share}: {}",
        crate::support::between(&html, "og:image", ">")
    );
}

#[test]
fn the_same_photo_under_static_fails_the_build_naming_it() {
    let site = Site::new();
    site.page(
        "content/notices/a.md",
        "title = \"巡查\"\ndate = 2023-06-01",
        "![巡查照片](/images/photo.jpg)\n",
    );
    site.bytes("static/images/photo.jpg", phone_photo());
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr.contains("static/images/photo.jpg"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("GPS"), "{}", run.stderr);
    assert!(
        run.stderr.contains("index.md"),
        "the help says where to put it: {}",
        run.stderr
    );
    assert!(
        !site.path().join("public").exists(),
        "a failed build wrote output"
    );
    // `check` says the same.
    let check = site.run(&["check", "--now", "2024-01-01T12:00:00+08:00"]);
    check.assert_code(1);
    assert!(
        check.stderr.contains("static/images/photo.jpg"),
        "{}",
        check.stderr
    );
}

#[test]
fn a_second_build_encodes_nothing_and_makes_the_same_files() {
    let site = site_with_photo();
    let build = |site: &Site| {
        let out = crate::support::bin()
            .args(["build", "--now", "2024-01-01T12:00:00+08:00"])
            .env("ANXUAN_TRACE", "1")
            .current_dir(site.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let first = build(&site);
    assert!(first.contains("photos (4 copies encoded)"), "{first}");
    let snapshot = |site: &Site| -> Vec<(String, Vec<u8>)> {
        site.files()
            .into_iter()
            .filter(|f| f.starts_with("notices/river/"))
            .map(|f| (f.clone(), std::fs::read(site.out(&f)).unwrap()))
            .collect()
    };
    let before = snapshot(&site);
    let second = build(&site);
    assert!(second.contains("photos (0 copies encoded)"), "{second}");
    assert!(
        before == snapshot(&site),
        "the second build made other files"
    );
    // A changed photo is made again.
    let mut edited = phone_photo().to_vec();
    let n = edited.len();
    edited[n - 100] ^= 0x55;
    site.bytes("content/notices/river/photo.jpg", &edited);
    let third = build(&site);
    assert!(third.contains("photos (4 copies encoded)"), "{third}");
    // The cache is at the site's root and tells git to leave it alone.
    let ignore = std::fs::read_to_string(site.path().join(".anxuan-cache/.gitignore")).unwrap();
    assert_eq!(ignore.trim(), "*");
}

#[test]
fn leaflets_print_the_sharp_copy_and_pages_without_alt_text_are_warned() {
    let site = Site::new();
    site.page(
        "content/leaflets/flood/index.md",
        "title = \"防汛明白纸\"\ndate = 2023-06-01\npaper = \"A4\"",
        "## 转移路线\n\n![](photo.jpg)\n\n听到锣声往高处走。\n",
    );
    site.bytes("content/leaflets/flood/photo.jpg", phone_photo());
    let run = site.build();
    run.assert_ok();
    assert!(
        run.stderr.contains("content/leaflets/flood/index.md:8") && run.stderr.contains("说明文字"),
        "no alt-text warning at the image's line: {}",
        run.stderr
    );
    let print = site.read("leaflets/flood/print/index.html");
    let img = crate::support::between(&print, "<img", ">");
    // About 300 dpi across the page: 2000 px, and loaded at once for the PDF.
    assert!(
        img.contains(".2000w.") && img.contains("loading=\"eager\""),
        "<img{img}>"
    );
    assert!(!img.contains("srcset"), "<img{img}>");
    let file = files_like(&site, "leaflets/flood/photo.2000w.");
    assert_eq!(dims(&site.out(&file[0])), (2000, 2667));
    let web = site.read("leaflets/flood/index.html");
    assert!(!crate::support::between(&web, "<img", ">").contains(".2000w."));
}

#[test]
fn heic_and_broken_pictures_are_errors_that_say_what_to_do() {
    let site = Site::new();
    site.page(
        "content/notices/a/index.md",
        "title = \"巡查\"\ndate = 2023-06-01",
        "![巡查](IMG_0001.HEIC)\n\n![坏图](broken.jpg)\n",
    );
    let mut heic = vec![0, 0, 0, 24];
    heic.extend(b"ftypheic\0\0\0\0mif1heic");
    heic.extend([0; 64]);
    site.bytes("content/notices/a/IMG_0001.HEIC", &heic);
    site.bytes(
        "content/notices/a/broken.jpg",
        b"\xFF\xD8\xFF\xE0 this is not really a JPEG",
    );
    let run = site.build();
    run.assert_code(1);
    assert!(
        run.stderr.contains("HEIC") && run.stderr.contains("JPEG"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("兼容性最佳"), "{}", run.stderr);
    assert!(
        run.stderr.contains("content/notices/a/broken.jpg"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_png_stays_a_png_and_small_photos_are_not_enlarged() {
    let site = Site::new();
    let img = image::RgbaImage::from_fn(600, 200, |x, _| {
        image::Rgba([0, 0, 0, if x < 300 { 255 } else { 0 }])
    });
    let png = crate::support::encode(img, image::ImageFormat::Png);
    site.page(
        "content/notices/a/index.md",
        "title = \"流程图\"\ndate = 2023-06-01",
        "![报警流程图](flow.png)\n",
    );
    site.bytes("content/notices/a/flow.png", &png);
    site.build().assert_ok();
    let files = files_like(&site, "notices/a/flow.");
    // 480 and its own 600: never 800 or 1280.
    let pngs: Vec<&String> = files.iter().filter(|f| f.ends_with(".png")).collect();
    assert_eq!(pngs.len(), 3, "{files:?}");
    assert!(files.iter().any(|f| f.contains(".600w.")), "{files:?}");
    assert!(!files.iter().any(|f| f.contains(".800w.")), "{files:?}");
    let img = image::open(site.out("notices/a/flow.png")).unwrap();
    assert!(img.color().has_alpha(), "transparency lost");
}

/// Loads `?p=PATH` in a same-origin iframe 375 px wide and reports the first photo of
/// the page once it has loaded: which copy the browser chose and its size.
const PHOTO_PROBE: &str = r##"<!DOCTYPE html><html><head><meta charset="utf-8"><title>photo probe</title></head><body>
<iframe id="f" width="375" height="740"></iframe><pre id="out">pending</pre>
<script>
var f = document.getElementById("f");
function done() {
  var d = f.contentDocument, w = f.contentWindow, img = d && d.querySelector("main img");
  if (!img || !img.complete || !img.currentSrc || !img.naturalWidth) { setTimeout(done, 100); return; }
  var r = img.getBoundingClientRect();
  document.getElementById("out").textContent = JSON.stringify({ src: img.currentSrc, nw: img.naturalWidth,
    nh: img.naturalHeight, w: r.width, h: r.height, dpr: w.devicePixelRatio, page: d.documentElement.scrollWidth });
}
f.addEventListener("load", done);
f.src = decodeURIComponent(location.search.slice(3));
</script></body></html>"##;

#[test]
fn a_phone_at_375_px_and_dpr_2_downloads_an_upright_copy_under_150_kb() {
    let site = site_with_photo();
    site.file("static/photo-probe.html", PHOTO_PROBE);
    let server = crate::browser::serve(&site, "2024-01-01T12:00:00+08:00");
    let origin = &server.1;
    let json = crate::browser::chromium_probe_with(
        &format!("{origin}photo-probe.html?p={origin}notices/river/"),
        15_000,
        &["--force-device-scale-factor=2"],
    );
    let m: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("probe said {json:?}: {e}"));
    assert_eq!(m["dpr"], 2.0, "{m}");
    let src = m["src"].as_str().unwrap();
    assert!(
        src.contains(".800w."),
        "a 375 px phone at DPR 2 needs about 690 px: {m}"
    );
    // Shown in the photo's own (upright) proportions, filling the column, no sideways
    // scroll. (With `srcset`, naturalWidth is the copy's width over its density.)
    let (nw, nh) = (m["nw"].as_f64().unwrap(), m["nh"].as_f64().unwrap());
    assert!((nh / nw - 1067.0 / 800.0).abs() < 0.01, "{m}");
    let (w, h) = (m["w"].as_f64().unwrap(), m["h"].as_f64().unwrap());
    assert!((h / w - nh / nw).abs() < 0.01 && w > 300.0, "{m}");
    assert!(m["page"].as_f64().unwrap() <= 375.0, "{m}");
    let host_end = src.find("://").map(|i| i + 3).unwrap();
    let path = &src[host_end + src[host_end..].find('/').unwrap()..];
    let (status, _, body) = crate::support::http_get(origin, path);
    assert_eq!(status, 200, "{path}");
    let img = image::load_from_memory(&body).unwrap();
    assert_eq!((img.width(), img.height()), (800, 1067), "not upright");
    assert!(body.len() <= 150 * 1024, "{src} is {} bytes", body.len());
    assert!(
        body.len() > 20 * 1024,
        "{src} is suspiciously small ({} bytes): is the fixture photo-like?",
        body.len()
    );
}

#[test]
fn a_printed_leaflet_carries_the_photo_at_print_resolution() {
    // A wide photo (3000×1000), so that it fits an A4 page beside the text.
    let small = image::RgbImage::from_fn(300, 100, |x, y| {
        image::Rgb([(x % 256) as u8, (y * 2) as u8, 120])
    });
    let wide = image::imageops::resize(&small, 3000, 1000, image::imageops::FilterType::Triangle);
    let jpeg = crate::support::encode(wide, image::ImageFormat::Jpeg);
    let site = Site::new();
    site.page(
        "content/leaflets/flood/index.md",
        "title = \"防汛明白纸\"\ndate = 2023-06-01\npaper = \"A4\"",
        "![转移路线图](route.jpg)\n\n听到锣声往高处走。\n",
    );
    site.bytes("content/leaflets/flood/route.jpg", &jpeg);
    let run = site.run(&["print", "--now", "2024-01-01T12:00:00+08:00"]);
    run.assert_ok();
    let pdf = site.out("leaflets/flood.pdf");
    let out = Command::new("pdfimages")
        .arg("-list")
        .arg(&pdf)
        .output()
        .expect("run pdfimages (poppler-utils)");
    let list = String::from_utf8_lossy(&out.stdout);
    // page num type width height …: the photo at 2000 px, about 300 dpi across A4.
    let sizes: Vec<(u32, u32)> = list
        .lines()
        .skip(2)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some((f.get(3)?.parse().ok()?, f.get(4)?.parse().ok()?))
        })
        .collect();
    assert!(sizes.contains(&(2000, 667)), "images in the PDF: {list}");
}
