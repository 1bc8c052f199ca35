#!/usr/bin/env bash
# The "floor" of a build: the I/O any generator has to do, and nothing else.
#
#   bench/floor.sh CONTENT_DIR REFERENCE_TREE DEST
#
# Reads every file under CONTENT_DIR (the site's Markdown) with cat, then copies
# REFERENCE_TREE (a finished output, normally Hugo's from the same round) to DEST
# with cp -r: the same directories, files and bytes a generator has to write.
# No parsing, no templating, one process at a time (cat, then cp; single-threaded).
# DEST must not exist yet.
set -euo pipefail
[[ $# -eq 3 ]] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
content=$1 ref=$2 dest=$3
[[ ! -e "$dest" ]] || { echo "floor.sh: $dest already exists" >&2; exit 2; }
find "$content" -type f -exec cat -- {} + >/dev/null
cp -r -- "$ref" "$dest"
