#!/usr/bin/env bash
# Remakes the README's phone screenshots (docs/phone-*.png) from the example site:
# Debian's headless Chromium at 375x812 CSS px. Each page is built with its own
# --now and shown without its script (the page is complete without it, and the
# banner-retiring script would judge a 2024 warning by today's clock).
# Needs chromium, fonts-noto-cjk and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q
BIN=$PWD/target/debug/anxuan
CHROMIUM=${ANXUAN_CHROMIUM:-/usr/bin/chromium}
PORT=${PORT:-18765}
TMP=$(mktemp -d)
trap 'kill "${SERVER:-}" 2>/dev/null || true; rm -rf "$TMP"' EXIT

shot() { # NOW PATH OUTPUT
    rm -rf "$TMP/site"
    "$BIN" build --now "$1" --base-url "http://127.0.0.1:$PORT/" --output "$TMP/site" >/dev/null
    find "$TMP/site" -name '*.html' -exec sed -i 's|<script [^>]*></script>||g' {} +
    python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$TMP/site" >/dev/null 2>&1 &
    SERVER=$!
    sleep 0.5
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --no-first-run --hide-scrollbars \
        --user-data-dir="$TMP/profile" --window-size=375,812 \
        --screenshot="$PWD/$3" "http://127.0.0.1:$PORT/$2" >/dev/null 2>&1
    kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
    echo "$3"
}

shot 2026-11-23T12:00:00+08:00 "" docs/phone-home.png
shot 2024-07-15T08:00:00+08:00 warnings/di-zhi-zai-hai-hong-se-yu-jing-2024/ docs/phone-warning.png
shot 2026-11-23T12:00:00+08:00 stats/2023/ docs/phone-stats.png

# The staff panel `anxuan serve` adds to a warning's preview page (never published),
# shown in an iframe scrolled to it (a screenshot of a page scrolled to a fragment
# comes out blank in headless Chromium).
"$BIN" serve --port "$PORT" --now 2026-12-03T12:00:00+08:00 --no-reload >/dev/null 2>&1 &
SERVER=$!
sleep 3
echo "<!DOCTYPE html><html><body style='margin:0'><iframe src='http://127.0.0.1:$PORT/warnings/sen-lin-huo-xian-cheng-se-yu-jing/#anxuan-staff' style='border:0;width:800px;height:900px'></iframe></body></html>" >"$TMP/frame.html"
"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --hide-scrollbars \
    --user-data-dir="$TMP/profile" --window-size=800,900 --virtual-time-budget=3000 \
    --screenshot="$PWD/docs/staff-panel.png" "file://$TMP/frame.html" >/dev/null 2>&1
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
echo docs/staff-panel.png

# The editor's warning form (anxuan serve, 编辑 on the page), at 1280 px and 375 px,
# with the browser's language Chinese, as a clerk's is (date pickers in 年/月/日).
"$BIN" serve --port "$PORT" --now 2026-12-03T12:00:00+08:00 --no-reload >/dev/null 2>&1 &
SERVER=$!
sleep 3
for size in 1280,1100 375,812; do
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --no-first-run --hide-scrollbars --lang=zh-CN \
        --user-data-dir="$TMP/profile" --window-size=$size --virtual-time-budget=3000 \
        --screenshot="$PWD/docs/editor-warning-${size%%,*}.png" \
        "http://127.0.0.1:$PORT/__anxuan/edit/?page=content/warnings/sen-lin-huo-xian-cheng-se-yu-jing.md" >/dev/null 2>&1
    echo "docs/editor-warning-${size%%,*}.png"
done
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
