#!/usr/bin/env python3
"""Draws the default theme's built-in share picture, static/share.png.

WeChat and other apps show it beside a shared link when neither the page nor the
site names a picture of its own. It must be square, at least 300x300 and at most
32 KB, and recognisable as a thumbnail of about 60 px: a white-edged red shield
with a bold white 安 ("safety") on the theme's navy blue.

Needs Pillow (`pip install pillow`) and a bold Chinese font; Debian's
fonts-noto-cjk is looked for first, or pass a font file: make_share_png.py FONT.
Run it again after changing it; it overwrites static/share.png.
"""
import pathlib
import sys

from PIL import Image, ImageDraw, ImageFont

SIZE = 300
SCALE = 4  # draw large, then shrink: smooth edges
NAVY = (0x12, 0x35, 0x5B)
RED = (0xC8, 0x10, 0x2E)
WHITE = (0xFF, 0xFF, 0xFF)
YELLOW = (0xF5, 0xC4, 0x00)

FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Black.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "C:/Windows/Fonts/msyhbd.ttc",
    "/System/Library/Fonts/PingFang.ttc",
]


def find_font(size):
    paths = sys.argv[1:] + FONT_CANDIDATES
    for path in paths:
        if not pathlib.Path(path).exists():
            continue
        # A .ttc holds several faces; prefer the Simplified Chinese one.
        for index in range(8):
            try:
                font = ImageFont.truetype(path, size, index=index)
            except OSError:
                break
            if "SC" in " ".join(font.getname()):
                return font
        return ImageFont.truetype(path, size)
    sys.exit("no Chinese font found: apt-get install fonts-noto-cjk, or pass a font file")


def shield(cx, top, half_width, height):
    """Points of a shield: flat shoulders, straight sides, then curving to a point."""
    pts = [(cx - half_width, top), (cx + half_width, top)]
    side = top + height * 0.42
    steps = 40
    right = []
    for i in range(steps + 1):
        t = i / steps
        # from the end of the straight side down to the tip, a gentle curve
        x = cx + half_width * (1 - t ** 1.6)
        y = side + (top + height - side) * t
        right.append((x, y))
    left = [(2 * cx - x, y) for (x, y) in reversed(right)]
    return pts + right + left


def main():
    s = SIZE * SCALE
    img = Image.new("RGB", (s, s), NAVY)
    d = ImageDraw.Draw(img)
    cx = s / 2
    # white rim, then the red shield inside it
    d.polygon(shield(cx, 0.12 * s, 0.36 * s, 0.78 * s), fill=WHITE)
    d.polygon(shield(cx, 0.155 * s, 0.325 * s, 0.715 * s), fill=RED)
    # a yellow bar across the shoulders, like a warning stripe
    d.rectangle([cx - 0.325 * s, 0.155 * s, cx + 0.325 * s, 0.2 * s], fill=YELLOW)
    font = find_font(int(0.44 * s))
    d.text((cx, 0.47 * s), "安", font=font, fill=WHITE, anchor="mm")
    small = img.resize((SIZE, SIZE), Image.LANCZOS)
    # A small palette keeps the file a few KB while the edges stay smooth.
    small = small.quantize(colors=32, method=Image.MEDIANCUT, dither=Image.NONE)
    out = pathlib.Path(__file__).resolve().parent.parent / "static" / "share.png"
    small.save(out, optimize=True)
    size = out.stat().st_size
    assert size <= 32 * 1024, f"{out} is {size} bytes, over 32 KB"
    print(f"{out}: {SIZE}x{SIZE}, {size} bytes")


if __name__ == "__main__":
    main()
