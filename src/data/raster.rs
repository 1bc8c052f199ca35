//! A chart as a PNG picture, for where an inline SVG cannot go: the 公众号 editor
//! rejects `<img src=*.svg>` and drops inline `<svg>` on saving. It draws the SVG
//! this module's parent makes (rectangles, a ring of two circles, text; nothing
//! else) at twice its size, on white, with the embedded font (Noto Sans CJK SC,
//! cut to GB 2312: `font/`), so the picture is the same on every machine that
//! builds the site. It never reads a font or a file from the machine; a character
//! the font lacks is named by [`missing_glyphs`] so the block can warn.

use ab_glyph::{Font, FontRef, Glyph, PxScale, ScaleFont};

/// The embedded chart font (1.5 MB; see `font/make-subset.sh` and its licence).
const FONT: &[u8] = include_bytes!("font/NotoSansCJKsc-subset.otf");

/// Pixels per SVG unit: 360 units become 720 px, sharp on a phone at DPR 2 and
/// within the 公众号 article's 677 px column once the editor scales it.
pub(crate) const SCALE: f32 = 2.0;

/// The colour text takes in the web page (style.css: `.chart-svg { fill: #1a1a1a }`).
const TEXT_RGB: [u8; 3] = [0x1a, 0x1a, 0x1a];

fn font() -> Option<&'static FontRef<'static>> {
    static F: std::sync::OnceLock<Option<FontRef<'static>>> = std::sync::OnceLock::new();
    F.get_or_init(|| FontRef::try_from_slice(FONT).ok())
        .as_ref()
}

/// The characters of `text` the chart font cannot draw (each once, in order):
/// they would come out as empty boxes in the picture.
pub(crate) fn missing_glyphs(text: &str) -> Vec<char> {
    let Some(f) = font() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in text.chars() {
        if !c.is_whitespace() && f.glyph_id(c).0 == 0 && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// How a line of text is set: `font-weight="bold"`, `text-anchor="middle"`.
#[derive(Clone, Copy)]
struct Look {
    bold: bool,
    centre: bool,
}

/// An RGB picture on white, drawn by coverage (0..=1) and colour.
struct Canvas {
    w: u32,
    h: u32,
    px: Vec<u8>,
}

impl Canvas {
    fn new(w: u32, h: u32) -> Canvas {
        Canvas {
            w,
            h,
            px: vec![255; (w * h * 3) as usize],
        }
    }

    fn blend(&mut self, x: i64, y: i64, rgb: [u8; 3], cover: f32) {
        if x < 0 || y < 0 || x >= i64::from(self.w) || y >= i64::from(self.h) || cover <= 0.0 {
            return;
        }
        let a = cover.min(1.0);
        let i = ((y as u32 * self.w + x as u32) * 3) as usize;
        for (dst, &src) in self.px[i..i + 3].iter_mut().zip(&rgb) {
            let d = f32::from(*dst);
            *dst = (d + (f32::from(src) - d) * a).round() as u8;
        }
    }

    /// A filled rectangle, its edges covered by the share of each pixel they cross.
    fn rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, rgb: [u8; 3]) {
        let (px0, py0) = (x0.floor() as i64, y0.floor() as i64);
        let (px1, py1) = (x1.ceil() as i64, y1.ceil() as i64);
        for py in py0..py1 {
            let cy = (y1.min(py as f32 + 1.0) - y0.max(py as f32)).max(0.0);
            for px in px0..px1 {
                let cx = (x1.min(px as f32 + 1.0) - x0.max(px as f32)).max(0.0);
                self.blend(px, py, rgb, cx * cy);
            }
        }
    }

    /// A circle's stroke from twelve o'clock clockwise, `share` of the way round
    /// (1 for the whole ring), with 4×4 samples per pixel.
    fn arc(&mut self, cx: f32, cy: f32, r: f32, width: f32, share: f32, rgb: [u8; 3]) {
        let (inner, outer) = (r - width / 2.0, r + width / 2.0);
        let turn = std::f32::consts::TAU;
        for py in (cy - outer).floor() as i64..(cy + outer).ceil() as i64 {
            for px in (cx - outer).floor() as i64..(cx + outer).ceil() as i64 {
                let mut hits = 0;
                for sy in 0..4 {
                    for sx in 0..4 {
                        let dx = px as f32 + (sx as f32 + 0.5) / 4.0 - cx;
                        let dy = py as f32 + (sy as f32 + 0.5) / 4.0 - cy;
                        let d = (dx * dx + dy * dy).sqrt();
                        if d < inner || d > outer {
                            continue;
                        }
                        // Angle from twelve o'clock, clockwise (y grows downwards).
                        let a = dx.atan2(-dy).rem_euclid(turn);
                        if a <= share * turn {
                            hits += 1;
                        }
                    }
                }
                self.blend(px, py, rgb, hits as f32 / 16.0);
            }
        }
    }

    /// A line of text whose baseline starts at (x, y) (or is centred on x), in
    /// `size` px; bold is drawn twice, a pixel apart, as the font has one weight.
    fn text(&mut self, f: &FontRef<'_>, s: &str, (x, y): (f32, f32), size: f32, look: Look) {
        let Look { bold, centre } = look;
        // CSS font-size is the em; ab_glyph's scale is ascent to descent.
        let scale = PxScale::from(size * f.height_unscaled() / f.units_per_em().unwrap_or(1000.0));
        let sf = f.as_scaled(scale);
        let width: f32 = s.chars().map(|c| sf.h_advance(f.glyph_id(c))).sum();
        let mut pen = if centre { x - width / 2.0 } else { x };
        for c in s.chars() {
            let id = f.glyph_id(c);
            let advance = sf.h_advance(id);
            let passes: &[f32] = if bold { &[0.0, 0.9] } else { &[0.0] };
            for &dx in passes {
                let g: Glyph = id.with_scale_and_position(scale, ab_glyph::point(pen + dx, y));
                if let Some(o) = f.outline_glyph(g) {
                    let b = o.px_bounds();
                    o.draw(|gx, gy, cover| {
                        self.blend(
                            b.min.x as i64 + i64::from(gx),
                            b.min.y as i64 + i64::from(gy),
                            TEXT_RGB,
                            cover,
                        );
                    });
                }
            }
            pen += advance;
        }
    }
}

/// `#1d4f91` as RGB.
fn colour(s: &str) -> Option<[u8; 3]> {
    let h = s.strip_prefix('#')?;
    if h.len() != 6 {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// The chart (an SVG from this module's parent) as PNG bytes, `None` when it is not
/// one this module can draw.
pub(crate) fn chart_png(svg: &str) -> Option<Vec<u8>> {
    let doc = roxmltree::Document::parse(svg).ok()?;
    let root = doc.root_element();
    let num = |n: roxmltree::Node<'_, '_>, name: &str| -> f32 {
        n.attribute(name)
            .and_then(|v| v.parse::<f32>().ok())
            .unwrap_or(0.0)
    };
    let (w, h) = (num(root, "width"), num(root, "height"));
    if !(w > 0.0 && h > 0.0 && w <= 2000.0 && h <= 20000.0) {
        return None;
    }
    let f = font()?;
    let mut c = Canvas::new((w * SCALE).ceil() as u32, (h * SCALE).ceil() as u32);
    for n in root.children().filter(roxmltree::Node::is_element) {
        let s = |name: &str| num(n, name) * SCALE;
        match n.tag_name().name() {
            "rect" => {
                let rgb = n.attribute("fill").and_then(colour)?;
                let (x, y) = (s("x"), s("y"));
                c.rect(x, y, x + s("width"), y + s("height"), rgb);
            }
            "circle" => {
                let rgb = n.attribute("stroke").and_then(colour)?;
                // `stroke-dasharray="dash circumference"` draws `dash` of the ring.
                let share = match n.attribute("stroke-dasharray") {
                    Some(d) => {
                        let mut it = d.split_whitespace().map(|v| v.parse::<f32>().ok());
                        let (dash, whole) = (it.next()??, it.next()??);
                        if whole > 0.0 {
                            dash / whole
                        } else {
                            0.0
                        }
                    }
                    None => 1.0,
                };
                c.arc(s("cx"), s("cy"), s("r"), s("stroke-width"), share, rgb);
            }
            "text" => {
                let t: String = n.text().unwrap_or_default().to_string();
                let look = Look {
                    bold: n.attribute("font-weight") == Some("bold"),
                    centre: n.attribute("text-anchor") == Some("middle"),
                };
                c.text(f, &t, (s("x"), s("y")), s("font-size"), look);
            }
            _ => return None,
        }
    }
    let img = image::RgbImage::from_raw(c.w, c.h, c.px)?;
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pixel(png: &[u8], x: u32, y: u32) -> [u8; 3] {
        let img = image::load_from_memory(png).unwrap().to_rgb8();
        img.get_pixel(x, y).0
    }

    #[test]
    fn bars_and_text_are_drawn_where_the_svg_puts_them_at_twice_the_size() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"360\" height=\"60\"><text x=\"0\" y=\"18\" font-size=\"17\" font-weight=\"bold\">火灾隐患</text><rect x=\"0\" y=\"26\" width=\"200\" height=\"20\" fill=\"#1d4f91\"/><text x=\"206\" y=\"42\" font-size=\"16\">68</text></svg>";
        let png = chart_png(svg).unwrap();
        let img = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!((img.width(), img.height()), (720, 120));
        // Inside the bar: its colour; past its end, above it and below it: white.
        assert_eq!(pixel(&png, 200, 72), [0x1d, 0x4f, 0x91]);
        assert_eq!(pixel(&png, 600, 72), [255, 255, 255]);
        assert_eq!(pixel(&png, 300, 110), [255, 255, 255]);
        // The label: dark pixels in the label's line, none right of its four characters.
        let dark = |x0: u32, x1: u32, y0: u32, y1: u32| {
            (x0..x1)
                .flat_map(|x| (y0..y1).map(move |y| (x, y)))
                .filter(|&(x, y)| img.get_pixel(x, y).0[0] < 100)
                .count()
        };
        assert!(dark(0, 140, 0, 44) > 300, "label drawn");
        assert_eq!(dark(160, 720, 0, 44), 0, "nothing past the label");
        assert!(dark(410, 460, 56, 90) > 40, "value drawn after the bar");
    }

    #[test]
    fn a_ring_is_drawn_as_far_round_as_its_share() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"200\"><circle cx=\"100\" cy=\"100\" r=\"80\" fill=\"none\" stroke=\"#d5dbe3\" stroke-width=\"26\"/><circle cx=\"100\" cy=\"100\" r=\"80\" fill=\"none\" stroke=\"#1d4f91\" stroke-width=\"26\" stroke-dasharray=\"125.66 502.65\" transform=\"rotate(-90 100 100)\"/></svg>";
        let png = chart_png(svg).unwrap();
        // A quarter: drawn at half past one, not at six or nine o'clock.
        assert_eq!(pixel(&png, 313, 87), [0x1d, 0x4f, 0x91]);
        assert_eq!(pixel(&png, 200, 360), [0xd5, 0xdb, 0xe3]);
        assert_eq!(pixel(&png, 40, 200), [0xd5, 0xdb, 0xe3]);
        assert_eq!(pixel(&png, 200, 200), [255, 255, 255]);
    }

    #[test]
    fn characters_outside_the_font_are_named() {
        assert!(missing_glyphs("火灾隐患 68 项（%）").is_empty());
        // 𠀀 is far outside GB 2312.
        assert_eq!(missing_glyphs("村𠀀𠀀组"), vec!['𠀀']);
    }

    #[test]
    fn what_it_cannot_draw_is_refused() {
        assert!(chart_png("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><path d=\"M0 0\"/></svg>").is_none());
        assert!(chart_png("not svg").is_none());
    }
}
