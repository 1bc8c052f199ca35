#!/usr/bin/env bash
# Remakes the README's leaflet pictures (docs/leaflet-*.png) from the PDFs that
# `anxuan print` makes of the example site's leaflets. Needs chromium,
# fonts-noto-cjk and poppler-utils.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
target/debug/anxuan print --output "$OUT/public" --now 2026-11-23T12:00:00+08:00
pdftoppm -r 40 -png "$OUT/public/leaflets/xun-qi-an-quan.pdf" "$OUT/a4"
pdftoppm -r 40 -png "$OUT/public/leaflets/ran-qi-an-quan.pdf" "$OUT/a5"
pdftoppm -r 32 -png "$OUT/public/leaflets/an-quan-sheng-chan-yue.pdf" "$OUT/tri"
cp "$OUT/a4-1.png" docs/leaflet-a4.png
cp "$OUT/a5-1.png" docs/leaflet-a5.png
cp "$OUT/tri-1.png" docs/leaflet-trifold-outside.png
cp "$OUT/tri-2.png" docs/leaflet-trifold-inside.png
ls -l docs/leaflet-*.png
