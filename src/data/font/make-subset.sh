#!/usr/bin/env bash
# Remakes NotoSansCJKsc-subset.otf, the font chart pictures (PNG, for the 公众号
# article) are drawn with: Noto Sans CJK SC Regular from Debian's fonts-noto-cjk,
# cut to the characters of GB 2312 (6,763 hanzi and its symbols), ASCII and common
# full-width punctuation, without hinting or layout tables (about 1.5 MB).
# Needs: apt-get install fonts-noto-cjk; fonttools from PyPI (into a venv here).
set -euo pipefail
cd "$(dirname "$0")"
ttc=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
venv=$(mktemp -d)
python3 -m venv "$venv"
"$venv/bin/pip" install -q fonttools==4.55.3
"$venv/bin/python" - <<'PY' > "$venv/chars.txt"
chars = set()
for b1 in range(0xA1, 0xF8):
    for b2 in range(0xA1, 0xFF):
        try:
            chars.add(bytes([b1, b2]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
chars.update(chr(c) for c in range(0x20, 0x7F))
chars.update("·—–‘’“”…、。〈〉《》「」『』【】〔〕（），：；？！％．／＋－×÷≤≥℃ⅠⅡⅢⅣ￥")
print("".join(sorted(chars)), end="")
PY
# Font number 2 of the collection is Noto Sans CJK SC.
"$venv/bin/pyftsubset" "$ttc" --font-number=2 --text-file="$venv/chars.txt" \
  --output-file=NotoSansCJKsc-subset.otf --layout-features='' --no-hinting \
  --desubroutinize --name-IDs='*' --notdef-outline
rm -rf "$venv"
