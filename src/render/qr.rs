//! QR codes as inline SVG for printed leaflets (SPEC §4): a 4-module quiet zone, a
//! physical size in millimetres, one `<path>` of dark modules so the code stays a few
//! hundred bytes and prints crisp at any resolution. Also as text, for `serve`'s
//! terminal, so a phone can open the preview. It never rasterises: printers and
//! browsers scale the vector.

use std::fmt::Write as _;

/// An SVG QR code of `text`, `size_mm` wide including the quiet zone.
pub(crate) fn svg(text: &str, size_mm: f64) -> Option<String> {
    let (width, modules) = modules(text)?;
    const QUIET: usize = 4;
    let full = width + 2 * QUIET;
    let mut d = String::new();
    for y in 0..width {
        let mut x = 0;
        while x < width {
            if modules[y * width + x] {
                let start = x;
                while x < width && modules[y * width + x] {
                    x += 1;
                }
                let _ = write!(
                    d,
                    "M{} {}h{}v1h-{}z",
                    start + QUIET,
                    y + QUIET,
                    x - start,
                    x - start
                );
            } else {
                x += 1;
            }
        }
    }
    Some(format!(
        "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {full} {full}\" width=\"{size_mm}mm\" height=\"{size_mm}mm\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"二维码：{}\"><rect width=\"{full}\" height=\"{full}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{d}\"/></svg>",
        crate::base::xml::xml_escape(text)
    ))
}

/// The code's width in modules and whether each module (row by row) is dark. Medium
/// error correction: a folded or slightly smudged leaflet still scans.
fn modules(text: &str) -> Option<(usize, Vec<bool>)> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Some((code.width(), dark))
}

/// A QR code as text: two rows of modules per line (▀ ▄ █), light on dark terminals
/// and dark on light ones alike thanks to the quiet zone drawn as light.
pub(crate) fn terminal(text: &str) -> Option<String> {
    let (w, dark) = modules(text)?;
    let q = 2_i64;
    let at = |x: i64, y: i64| {
        x >= 0
            && y >= 0
            && (x as usize) < w
            && (y as usize) < w
            && dark[y as usize * w + x as usize]
    };
    let mut out = String::new();
    let mut y = -q;
    while y < w as i64 + q {
        for x in -q..w as i64 + q {
            // Printed as light-on-dark: a "dark" module is a blank cell.
            out.push(match (!at(x, y), !at(x, y + 1)) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        out.push('\n');
        y += 2;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_url_becomes_a_square_svg_with_a_quiet_zone() {
        let s = super::svg(
            "https://anquan.example.gov.cn/xxzhen/leaflets/xun-qi/",
            30.0,
        )
        .unwrap();
        assert!(s.starts_with("<svg class=\"qr\""));
        assert!(s.contains("width=\"30mm\" height=\"30mm\""));
        // Version 4 (33 modules) + 2 × 4 quiet modules.
        assert!(s.contains("viewBox=\"0 0 41 41\""), "{s}");
        // The first finder pattern starts right after the quiet zone.
        assert!(s.contains("d=\"M4 4h7v1h-7z"), "{s}");
    }
}
