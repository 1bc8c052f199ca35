//! Photos as residents download them: the sizes a page needs, made from the clerk's
//! original. A phone's 4000×3000 JPEG is 3–5 MB with its EXIF intact (where it was
//! taken, the phone); a reader on mobile data needs a 800 px copy of about 100 KB and
//! no metadata at all. Everything here is a function of the original's bytes:
//! [`probe`] reads its size as shown (EXIF orientation applied: Zola, Eleventy and
//! Pixelfed all shipped rotated photos by reading the size first), [`make`] decodes it
//! once, turns it upright, resizes (never up) and encodes each variant. Encoders write
//! no metadata, so nothing of the original's EXIF, GPS included, reaches a variant.
//!
//! This module must not read or write files (the pipeline hands it bytes, and the
//! image cache of `output` keeps what it made), and must not know pages or URLs:
//! `render::photos` says which variants a site needs.

use std::io::Cursor;

use fast_image_resize::images::Image;
use fast_image_resize::{PixelType, ResizeOptions, Resizer};
use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

use crate::base::diagnostic::Text;
use crate::text;

/// Widths of the copies a web page offers in `srcset`: a phone (375–414 CSS px at
/// DPR 2–3) takes 800, a small or low-DPR one 480, a computer 1280. A photo narrower
/// than a width is offered at its own width instead, never enlarged.
pub(crate) const WEB_WIDTHS: [u32; 3] = [480, 800, 1280];

/// The width of the copy a leaflet prints: about 300 dpi across an A4 page's text
/// width (170 mm ≈ 6.7 in × 300 = 2,008 px).
pub(crate) const PRINT_WIDTH: u32 = 2000;

/// The share picture: square, at least 300 px, at most 32 KB (SPEC §4: WeChat's card
/// takes no larger one).
pub(crate) const SHARE_SIZE: u32 = 300;
pub(crate) const SHARE_BYTES: usize = 32 * 1024;

/// JPEG quality: Hugo's and Zola's default, which keeps an 800 px phone photo near
/// 100 KB.
const QUALITY: u8 = 75;

/// A photo this large (100 megapixels) is refused instead of decoded: a phone's is
/// 12–50, and decoding takes 4 bytes a pixel.
const MAX_PIXELS: u64 = 100_000_000;

/// What the pipeline and the cache key say about how variants are made: a change to
/// the encoder settings must not serve variants made with the old ones.
pub(crate) const SETTINGS: &str = "v1-q75-lanczos3";

/// The kinds of image file a page can show, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Photos: re-encoded as JPEG.
    Jpeg,
    Webp,
    /// Screenshots, posters and line art: kept PNG (JPEG blurs their edges).
    Png,
    /// iPhones' HEIC/HEIF: no browser residents use shows it, and it cannot be decoded
    /// here without a C library.
    Heic,
}

/// The kind of image a file name says, for files that are photos or HEIC.
pub(crate) fn kind_of(name: &str) -> Option<Kind> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" | "jfif" => Kind::Jpeg,
        "webp" => Kind::Webp,
        "png" => Kind::Png,
        "heic" | "heif" => Kind::Heic,
        _ => return None,
    })
}

/// The kind of image the bytes are (whatever the name says), for photos or HEIC.
pub(crate) fn kind_by_bytes(bytes: &[u8]) -> Option<Kind> {
    match image::guess_format(bytes) {
        Ok(image::ImageFormat::Jpeg) => Some(Kind::Jpeg),
        Ok(image::ImageFormat::Png) => Some(Kind::Png),
        Ok(image::ImageFormat::WebP) => Some(Kind::Webp),
        _ => is_heif(bytes).then_some(Kind::Heic),
    }
}

/// Whether a file of this name goes through the pipeline (re-encoded, never copied).
pub(crate) fn is_processed(name: &str) -> bool {
    matches!(kind_of(name), Some(Kind::Jpeg | Kind::Webp | Kind::Png))
}

/// What a photo is, read from its header and EXIF without decoding its pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Probe {
    /// The size as shown, EXIF orientation applied.
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// PNG stays PNG; everything else becomes JPEG.
    pub(crate) png: bool,
}

/// One variant to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Shape {
    /// Resized to this width (the height follows), at most the original's width.
    Width(u32),
    /// The share picture: the middle square, `SHARE_SIZE` wide, under `SHARE_BYTES`.
    Share,
}

impl Shape {
    /// A short name for file names and cache keys.
    pub(crate) fn tag(self) -> String {
        match self {
            Shape::Width(w) => format!("{w}w"),
            Shape::Share => "share".into(),
        }
    }
}

/// A made variant.
pub(crate) struct Variant {
    pub(crate) bytes: Vec<u8>,
}

/// The size of the copy `shape` makes of a photo `width`×`height` (as shown).
pub(crate) fn size_of(width: u32, height: u32, shape: Shape) -> (u32, u32) {
    match shape {
        Shape::Width(want) => {
            let w = want.min(width).max(1);
            let h = ((u64::from(height) * u64::from(w) + u64::from(width) / 2)
                / u64::from(width.max(1)))
            .max(1) as u32;
            (w, h)
        }
        Shape::Share => {
            let side = SHARE_SIZE.min(width.min(height)).max(1);
            (side, side)
        }
    }
}

fn reader(bytes: &[u8]) -> Result<ImageReader<Cursor<&[u8]>>, Text> {
    let mut r = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| unreadable(&e.to_string()))?;
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4);
    r.limits(limits);
    Ok(r)
}

fn unreadable(why: &str) -> Text {
    text!(zh: "无法读取这张图片（{why}）", en: "this image cannot be read ({why})")
}

/// The file's size as shown and its kind, from its header.
pub(crate) fn probe(bytes: &[u8]) -> Result<Probe, Text> {
    if is_heif(bytes) {
        return Err(heic_text());
    }
    let r = reader(bytes)?;
    let png = r.format() == Some(image::ImageFormat::Png);
    if !matches!(
        r.format(),
        Some(image::ImageFormat::Png | image::ImageFormat::Jpeg | image::ImageFormat::WebP)
    ) {
        return Err(unreadable(
            "不是 JPEG、PNG 或 WebP / not a JPEG, PNG or WebP",
        ));
    }
    let mut dec = r.into_decoder().map_err(|e| unreadable(&e.to_string()))?;
    let (w, h) = dec.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(text!(
            zh: "图片太大（{w}×{h} 像素）",
            en: "the image is too large ({w}×{h} pixels)"
        ));
    }
    let turned = dec.orientation().map(swaps_sides).unwrap_or(false);
    let (width, height) = if turned { (h, w) } else { (w, h) };
    Ok(Probe { width, height, png })
}

/// Whether an orientation turns the picture by a quarter (so width and height swap).
fn swaps_sides(o: image::metadata::Orientation) -> bool {
    use image::metadata::Orientation::*;
    matches!(o, Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH)
}

/// An ISO-BMFF file whose brand is HEIC/HEIF (what iPhones save).
pub(crate) fn is_heif(bytes: &[u8]) -> bool {
    bytes.len() > 12
        && &bytes[4..8] == b"ftyp"
        && matches!(
            &bytes[8..12],
            b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" | b"avif"
        )
}

pub(crate) fn heic_text() -> Text {
    text!(
        zh: "这是苹果手机的 HEIC 照片，微信和多数手机浏览器显示不了",
        en: "this is an iPhone HEIC photo, which WeChat and most phone browsers cannot show"
    )
}

pub(crate) fn heic_help() -> Text {
    text!(
        zh: "把它转成 JPEG：在电脑上用“照片”或画图打开后“另存为 JPEG”；以后在苹果手机的 设置 → 相机 → 格式 里选“兼容性最佳”，拍的就是 JPEG",
        en: "convert it to JPEG (open it in Photos or Paint and save as JPEG); on the iPhone, Settings → Camera → Formats → Most Compatible takes JPEGs"
    )
}

/// Decodes the original once, turns it upright and makes every variant asked for,
/// in order. Nothing of the original's metadata is written.
pub(crate) fn make(bytes: &[u8], shapes: &[Shape]) -> Result<Vec<Variant>, Text> {
    let r = reader(bytes)?;
    let png = r.format() == Some(image::ImageFormat::Png);
    let mut dec = r.into_decoder().map_err(|e| unreadable(&e.to_string()))?;
    let orientation = dec
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(dec).map_err(|e| unreadable(&e.to_string()))?;
    img.apply_orientation(orientation);
    // A PNG with transparency keeps it; everything else is 8-bit RGB.
    let alpha = png && img.color().has_alpha();
    let (w, h) = (img.width(), img.height());
    let (pixels, pixel_type) = if alpha {
        (img.into_rgba8().into_raw(), PixelType::U8x4)
    } else {
        (img.into_rgb8().into_raw(), PixelType::U8x3)
    };
    let src =
        Image::from_vec_u8(w, h, pixels, pixel_type).map_err(|e| unreadable(&e.to_string()))?;
    let mut resizer = Resizer::new();
    let mut out = Vec::with_capacity(shapes.len());
    for &shape in shapes {
        let (dw, dh) = size_of(w, h, shape);
        let options = match shape {
            Shape::Width(_) => ResizeOptions::new(),
            Shape::Share => {
                // The middle square.
                let side = w.min(h);
                ResizeOptions::new().crop(
                    f64::from((w - side) / 2),
                    f64::from((h - side) / 2),
                    f64::from(side),
                    f64::from(side),
                )
            }
        };
        let mut dst = Image::new(dw, dh, pixel_type);
        if dw == w && dh == h {
            dst.buffer_mut().copy_from_slice(src.buffer());
        } else {
            resizer
                .resize(&src, &mut dst, &options)
                .map_err(|e| unreadable(&e.to_string()))?;
        }
        let bytes = if png && shape != Shape::Share {
            encode_png(dst.buffer(), dw, dh, alpha)?
        } else {
            let rgb = if alpha {
                drop_alpha(dst.buffer())
            } else {
                dst.into_vec()
            };
            match shape {
                Shape::Share => share_jpeg(&rgb, dw, dh)?,
                Shape::Width(_) => encode_jpeg(&rgb, dw, dh, QUALITY)?,
            }
        };
        out.push(Variant { bytes });
    }
    Ok(out)
}

fn drop_alpha(rgba: &[u8]) -> Vec<u8> {
    // Transparent parts become white, as they show on the page's white background.
    let mut out = Vec::with_capacity(rgba.len() / 4 * 3);
    for px in rgba.chunks_exact(4) {
        let a = u32::from(px[3]);
        for &c in &px[..3] {
            out.push(((u32::from(c) * a + 255 * (255 - a)) / 255) as u8);
        }
    }
    out
}

/// Baseline JPEG with 4:2:0 chroma (as phones and libjpeg write them: a third smaller
/// than 4:4:4 for a photo, with no difference a reader sees). Not its optimised
/// Huffman tables: zune-jpeg (what `image` decodes with) read them with the colours
/// wrong here, so some reader's decoder might too. jpeg-encoder writes no metadata
/// unless asked.
fn encode_jpeg(rgb: &[u8], w: u32, h: u32, quality: u8) -> Result<Vec<u8>, Text> {
    let (Ok(w16), Ok(h16)) = (u16::try_from(w), u16::try_from(h)) else {
        return Err(unreadable("wider than 65,535 px"));
    };
    let mut buf = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut buf, quality);
    enc.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    enc.encode(rgb, w16, h16, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| unreadable(&e.to_string()))?;
    Ok(buf)
}

fn encode_png(px: &[u8], w: u32, h: u32, alpha: bool) -> Result<Vec<u8>, Text> {
    use image::ImageEncoder;
    let mut buf = Vec::new();
    image::codecs::png::PngEncoder::new(&mut buf)
        .write_image(
            px,
            w,
            h,
            if alpha {
                image::ExtendedColorType::Rgba8
            } else {
                image::ExtendedColorType::Rgb8
            },
        )
        .map_err(|e| unreadable(&e.to_string()))?;
    Ok(buf)
}

/// The share picture at the best quality that stays under `SHARE_BYTES`.
fn share_jpeg(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, Text> {
    let mut quality = 80;
    loop {
        let bytes = encode_jpeg(rgb, w, h, quality)?;
        if bytes.len() <= SHARE_BYTES || quality <= 20 {
            return Ok(bytes);
        }
        quality -= 10;
    }
}

/// Whether a photo records where it was taken (EXIF GPS latitude or longitude), in
/// any container kamadak-exif reads: JPEG, PNG, WebP, TIFF, HEIF.
pub(crate) fn has_gps(bytes: &[u8]) -> bool {
    let Ok(exif) = exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) else {
        return false;
    };
    let located = exif
        .fields()
        .any(|f| matches!(f.tag, exif::Tag::GPSLatitude | exif::Tag::GPSLongitude));
    located
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG of `w`×`h` whose left half is red and right half blue, with an EXIF
    /// orientation.
    fn jpeg(w: u32, h: u32, orientation: Option<u16>) -> Vec<u8> {
        let mut rgb = Vec::new();
        for _y in 0..h {
            for x in 0..w {
                rgb.extend(if x < w / 2 {
                    [220, 20, 20]
                } else {
                    [20, 20, 220]
                });
            }
        }
        let plain = encode_jpeg(&rgb, w, h, 90).unwrap();
        let Some(o) = orientation else { return plain };
        // APP1 "Exif\0\0" + little-endian TIFF with one IFD entry: Orientation.
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend(1u16.to_le_bytes());
        tiff.extend(0x0112u16.to_le_bytes());
        tiff.extend(3u16.to_le_bytes());
        tiff.extend(1u32.to_le_bytes());
        tiff.extend((u32::from(o)).to_le_bytes());
        tiff.extend(0u32.to_le_bytes());
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(tiff);
        let mut out = plain[..2].to_vec();
        out.extend([0xFF, 0xE1]);
        out.extend(((app1.len() + 2) as u16).to_be_bytes());
        out.extend(app1);
        out.extend(&plain[2..]);
        out
    }

    #[test]
    fn orientation_is_applied_before_sizes_are_read_and_before_resizing() {
        let src = jpeg(400, 300, Some(6));
        let p = probe(&src).unwrap();
        assert_eq!(
            (p.width, p.height),
            (300, 400),
            "probe ignores the rotation"
        );
        let v = make(&src, &[Shape::Width(150)]).unwrap();
        let img = image::load_from_memory(&v[0].bytes).unwrap().into_rgb8();
        assert_eq!(img.dimensions(), (150, 200));
        // Turned a quarter clockwise: the red left half is now the top.
        let top = img.get_pixel(75, 20);
        let bottom = img.get_pixel(75, 180);
        assert!(top[0] > 150 && top[2] < 100, "top is {top:?}");
        assert!(bottom[2] > 150 && bottom[0] < 100, "bottom is {bottom:?}");
    }

    #[test]
    fn never_enlarges_and_share_picture_is_a_small_square() {
        let src = jpeg(640, 480, None);
        let v = make(&src, &[Shape::Width(1280), Shape::Share]).unwrap();
        let dims = |b: &[u8]| image::load_from_memory(b).unwrap().into_rgb8().dimensions();
        assert_eq!(dims(&v[0].bytes), (640, 480));
        assert_eq!(dims(&v[1].bytes), (300, 300));
        assert_eq!(size_of(640, 480, Shape::Share), (300, 300));
        assert_eq!(size_of(640, 480, Shape::Width(1280)), (640, 480));
        assert!(v[1].bytes.len() <= SHARE_BYTES);
        assert!(!v[0].bytes.windows(4).any(|w| w == b"Exif"));
    }

    #[test]
    fn unreadable_and_heic_files_say_so() {
        assert!(probe(b"not an image at all").is_err());
        let mut heic = vec![0, 0, 0, 24];
        heic.extend(b"ftypheic\0\0\0\0mif1heic");
        assert!(is_heif(&heic));
        assert_eq!(probe(&heic).unwrap_err().en, heic_text().en);
    }
}
