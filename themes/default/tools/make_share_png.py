#!/usr/bin/env python3
"""Draws the built-in share picture (static/share.png): a white shield with a green
check on a safety-orange square, 300x300, a few KB. Pure Python (zlib), so it needs
nothing installed. WeChat shows it beside links that have no picture of their own."""
import math, struct, zlib, pathlib

W = H = 300
ORANGE = (0xE8, 0x6A, 0x10)
WHITE = (0xFF, 0xFF, 0xFF)
GREEN = (0x1B, 0x7A, 0x3E)

def in_shield(x, y):
    cx = W / 2
    top, mid, bottom = 55, 165, 255
    half = 92
    if y < top or y > bottom:
        return False
    if y <= mid:
        # slightly curved top edge
        return abs(x - cx) <= half - (0 if y > top + 8 else (top + 8 - y) * 2)
    # tapering bottom to a point
    t = (y - mid) / (bottom - mid)
    return abs(x - cx) <= half * math.cos(t * math.pi / 2)

def on_check(x, y):
    # two thick strokes: (105,160)->(140,195)->(200,125)
    def near(ax, ay, bx, by, w=13):
        dx, dy = bx - ax, by - ay
        t = max(0, min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
        px, py = ax + t * dx, ay + t * dy
        return (x - px) ** 2 + (y - py) ** 2 <= w * w
    return near(105, 160, 140, 195) or near(140, 195, 200, 122)

rows = bytearray()
for y in range(H):
    rows.append(0)
    for x in range(W):
        c = ORANGE
        if in_shield(x, y):
            c = GREEN if on_check(x, y) else WHITE
        rows.extend(c)

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")
out = pathlib.Path(__file__).resolve().parent.parent / "static" / "share.png"
out.write_bytes(png)
print(out, len(png), "bytes")
