#!/usr/bin/env python3
"""Turns the measurements of bench/run.sh into a Markdown report.

    python3 bench/report.py WORK_DIR > results.md

WORK_DIR holds (all tab-separated, written by run.sh):
  env.txt      "key<TAB>value" lines, printed as a list in that order
  runs.tsv     size, tool, round (0 = warm-up, not counted), wall seconds,
               peak RSS in KiB, exit code
  outputs.tsv  size, tool, status (ok / failed / skipped), output files,
               output bytes, note
"""

import statistics
import sys
from collections import defaultdict
from pathlib import Path

TOOLS = ["anxuan", "hugo", "floor"]
NAMES = {"anxuan": "anxuan", "hugo": "Hugo", "floor": "floor"}


def read_tsv(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def ratio(a, b) -> str:
    if a is None or b is None or b == 0:
        return "—"
    return f"{a / b:.2f}×"


def main(argv: list[str]) -> int:
    work = Path(argv[0])
    env = read_tsv(work / "env.txt")
    runs = defaultdict(list)  # (size, tool) -> [(wall, rss)]
    for size, tool, rnd, wall, rss, rc in read_tsv(work / "runs.tsv"):
        if int(rnd) > 0 and int(rc) == 0:
            runs[(int(size), tool)].append((float(wall), int(rss)))
    outputs = {}
    sizes: list[int] = []
    for size, tool, status, files, nbytes, note in read_tsv(work / "outputs.tsv"):
        outputs[(int(size), tool)] = (status, files, nbytes, note)
        if int(size) not in sizes:
            sizes.append(int(size))

    out = ["# anxuan vs Hugo: build benchmark", ""]
    for key, value in env:
        out.append(f"- {key}: {value}")
    out += [
        "",
        "Wall time is the median (and minimum) of the measured runs after one warm-up;",
        "peak RSS is the largest `Maximum resident set size` of those runs (GNU time).",
        "Ratios are anxuan ÷ Hugo and tool ÷ floor (below 1 means faster / smaller).",
        "",
        "| pages | tool | wall median (s) | wall min (s) | peak RSS (MiB) | output files | output MB "
        "| time ÷ Hugo | RSS ÷ Hugo | time ÷ floor |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    notes = []
    for size in sizes:
        stat = {}
        for tool in TOOLS:
            r = runs.get((size, tool))
            if r:
                walls = [w for w, _ in r]
                stat[tool] = (statistics.median(walls), min(walls), max(rss for _, rss in r))
        for tool in TOOLS:
            status, files, nbytes, note = outputs.get((size, tool), ("skipped", "", "", ""))
            if note:
                notes.append(f"{size:,} pages, {NAMES[tool]}: {note}")
            if status != "ok" or tool not in stat:
                if status == "skipped" and (size, tool) not in outputs:
                    continue
                out.append(f"| {size:,} | {NAMES[tool]} | {status} | | | | | | | |")
                continue
            med, mn, rss = stat[tool]
            hugo = stat.get("hugo")
            floor = stat.get("floor")
            vs_hugo_t = ratio(med, hugo[0]) if tool == "anxuan" and hugo else ""
            vs_hugo_m = ratio(rss, hugo[2]) if tool == "anxuan" and hugo else ""
            vs_floor = ratio(med, floor[0]) if tool != "floor" and floor else ""
            out.append(
                f"| {size:,} | {NAMES[tool]} | {med:.3f} | {mn:.3f} | {rss / 1024:.1f} "
                f"| {int(files):,} | {int(nbytes) / 1e6:.1f} | {vs_hugo_t} | {vs_hugo_m} | {vs_floor} |"
            )
    if notes:
        out += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
