#!/usr/bin/env python3
"""Bytes a phone downloads for one search on a built anxuan site.

    python3 bench/gen_site.py --pages 10000 --out bench-out/site-10000
    target/release/anxuan build --root bench-out/site-10000 --output bench-out/public-10000
    python3 bench/search_bytes.py bench-out/public-10000 地质灾害 燃气 防汛 安全生产

It serves the built folder on 127.0.0.1 at the site's base path (read from the
search page's own links, e.g. /zhen/), opens `/search/?q=QUERY` in headless Chromium
(Debian's /usr/bin/chromium) with an empty cache, waits for the result list, and
reads from the browser's Resource Timing what the page really fetched: the page
itself, its CSS and scripts, and the search index files (meta.json, chunks, result
records). Nothing is estimated: these are the requests search.js made. Sizes are the
files' bytes as served (no compression); the gzip column is what a server with gzip
on would send, computed from the same files.
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import re
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import urllib.parse
from pathlib import Path

PROBE = r"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>probe</title></head><body>
<iframe id="f" width="375" height="740"></iframe><pre id="out">pending</pre>
<script>
var f = document.getElementById("f"), t = decodeURIComponent(location.search.slice(3));
f.addEventListener("load", function () {
  var tries = 0, timer = setInterval(function () {
    var d = f.contentDocument, form = d && d.getElementById("search-form");
    var st = form && form.getAttribute("data-state");
    if (st !== "done" && st !== "error" && ++tries < 400) { return; }
    clearInterval(timer);
    var w = f.contentWindow, nav = w.performance.getEntriesByType("navigation")[0];
    var files = [[w.location.pathname, nav ? nav.encodedBodySize : 0]].concat(
      w.performance.getEntriesByType("resource").map(function (e) { return [new URL(e.name).pathname, e.encodedBodySize]; }));
    document.getElementById("out").textContent = JSON.stringify({
      state: st, status: d.getElementById("search-status").textContent,
      results: d.querySelectorAll("#search-results li").length, files: files });
  }, 50);
});
f.src = t;
</script></body></html>"""


def base_path(public: Path) -> str:
    html = (public / "search" / "index.html").read_text(encoding="utf-8")
    m = re.search(r'data-index="([^"]+)/search/[^"]+"', html)
    if not m:
        sys.exit(f"{public}/search/index.html has no search index; is this an anxuan build?")
    return m.group(1) + "/"


def serve(public: Path, base: str) -> tuple[socketserver.TCPServer, int]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            path = urllib.parse.urlsplit(self.path).path
            if path == "/__probe.html":
                body = PROBE.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if not path.startswith(base):
                self.send_error(404)
                return
            self.path = "/" + self.path[len(base):]
            super().do_GET()

        def translate_path(self, path):
            rel = urllib.parse.unquote(urllib.parse.urlsplit(path).path).lstrip("/")
            return str(public / rel)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def measure(port: int, base: str, query: str) -> dict:
    target = f"{base}search/?q={urllib.parse.quote(query)}"
    url = f"http://127.0.0.1:{port}/__probe.html?t={urllib.parse.quote(target, safe='')}"
    profile = tempfile.mkdtemp(prefix="search-bytes-")
    try:
        out = subprocess.run(
            ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--no-first-run", "--virtual-time-budget=30000",
             f"--user-data-dir={profile}", "--dump-dom", url],
            capture_output=True, text=True, timeout=300,
        ).stdout
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    m = re.search(r'<pre id="out">(.*?)</pre>', out, re.S)
    if not m or m.group(1) == "pending":
        sys.exit(f"{query}: the probe did not finish")
    text = m.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return json.loads(text)


def kind(path: str, base: str) -> str:
    rel = path[len(base):] if path.startswith(base) else path
    if rel.startswith("search/") and "/c/" in rel:
        return "chunks"
    if rel.startswith("search/") and "/d/" in rel:
        return "records"
    if rel.endswith("meta.json"):
        return "meta"
    if rel.endswith(".css") or rel.endswith(".js"):
        return "css+js"
    return "page"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("public", type=Path, help="a built site (anxuan build --output)")
    ap.add_argument("queries", nargs="*", default=["地质灾害", "燃气", "防汛", "安全生产", "消防"])
    ap.add_argument("--json", action="store_true", help="print the raw measurements")
    args = ap.parse_args()
    public = args.public.resolve()
    base = base_path(public)
    server, port = serve(public, base)
    pages = sum(1 for _ in (public / "search").glob("*/d/*.json"))
    print(f"{public}: {pages} pages indexed, base path {base}\n")
    print("| query | results | page | CSS+JS | meta | chunks | records | total | total gzip |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    worst = 0
    for q in args.queries:
        m = measure(port, base, q)
        if m["state"] != "done":
            sys.exit(f"{q}: {m}")
        sums: dict[str, int] = {}
        counts: dict[str, int] = {}
        zipped = 0
        for path, size in m["files"]:
            k = kind(path, base)
            sums[k] = sums.get(k, 0) + size
            counts[k] = counts.get(k, 0) + 1
            rel = urllib.parse.unquote(path[len(base):])
            f = public / rel
            if f.is_dir() or rel == "" or rel.endswith("/"):
                f = f / "index.html"
            zipped += len(gzip.compress(f.read_bytes(), 6))
        total = sum(sums.values())
        worst = max(worst, total)
        if args.json:
            print(json.dumps(m, ensure_ascii=False))
        kb = lambda n: f"{n / 1024:.1f} KB"
        print(f"| {q} | {m['status']} | {kb(sums.get('page', 0))} | {kb(sums.get('css+js', 0))} | "
              f"{kb(sums.get('meta', 0))} | {counts.get('chunks', 0)} = {kb(sums.get('chunks', 0))} | "
              f"{counts.get('records', 0)} = {kb(sums.get('records', 0))} | **{kb(total)}** | {kb(zipped)} |")
    server.shutdown()
    print(f"\nlargest: {worst / 1024:.1f} KB for one query (first page of results, empty cache)")


if __name__ == "__main__":
    main()
