#!/usr/bin/env python3
"""Edit-to-served latency of `anxuan serve` (issue 5's benchmark).

    bench/serve_latency.py [--sizes 1000,10000] [--edits 20] [--bin target/release/anxuan]

For each size it generates the synthetic site (bench/gen_site.py, into bench-out/),
starts `anxuan serve --port 0` on it, then 20 times, 1.5 s apart: rewrites one notice
with a new marker and polls that page over HTTP every 5 ms until the marker is served.
The search index is brought up to date after the page, once the edits pause (0.5 s),
and is not part of the figure. It prints
the median and the slowest edit, and the time of the initial full build for the same
site in the same run, so the figures read as a ratio to a full rebuild.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except Exception:
        return ""


def measure(size, edits, binary):
    site = os.path.join(ROOT, "bench-out", f"site-{size}")
    if not os.path.isdir(site):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_site.py"), "--pages", str(size), "--out", site],
                       check=True, stdout=subprocess.DEVNULL)
    notices = os.path.join(site, "content", "notices")
    page = sorted(f for f in os.listdir(notices) if f.endswith(".md") and f != "_index.md")[0]
    path = os.path.join(notices, page)
    original = open(path, encoding="utf-8").read()
    started = time.monotonic()
    proc = subprocess.Popen([binary, "serve", "--port", "0", "--now", "2024-06-01T00:00:00+08:00"], cwd=site,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        first_build = time.monotonic() - started
        base = re.search(r"http://[0-9.:]+/", line).group(0)
        url = base + "notices/" + os.path.splitext(page)[0] + "/"
        if not fetch(url):
            # The slug may differ from the file name; find the page by its title.
            raise SystemExit(f"cannot fetch {url}")
        times = []
        for n in range(edits):
            marker = f"延迟测量标记{n}号"
            with open(path, "w", encoding="utf-8") as f:
                f.write(original.rstrip("\n") + f"\n\n{marker}\n")
            t0 = time.monotonic()
            while marker not in fetch(url):
                if time.monotonic() - t0 > 60:
                    raise SystemExit(f"edit {n} never showed up")
                time.sleep(0.005)
            times.append(time.monotonic() - t0)
            # A clerk saves every few seconds; 1.5 s lets the search index, made
            # once the edits pause, catch up before the next save.
            time.sleep(1.5)
        return first_build, times
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
        proc.terminate()
        proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "anxuan"))
    args = ap.parse_args()
    print("| pages | first build + start (s) | edit → served, median (ms) | slowest (ms) | median ÷ first build |")
    print("|---:|---:|---:|---:|---:|")
    for size in [int(s) for s in args.sizes.split(",")]:
        first, times = measure(size, args.edits, args.bin)
        med = statistics.median(times)
        print(f"| {size:,} | {first:.2f} | {med * 1000:.0f} | {max(times) * 1000:.0f} | {med / first:.2f}× |", flush=True)


if __name__ == "__main__":
    main()
