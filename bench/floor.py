#!/usr/bin/env python3
"""The "floor" of a build: the I/O any generator must do, and nothing else.

    python3 bench/floor.py CONTENT_DIR REFERENCE_TREE DEST

Reads every file under CONTENT_DIR (the site's Markdown), then re-creates
REFERENCE_TREE (a finished output, normally Hugo's from the same round) under
DEST by reading each file and writing it again: the same number of directories,
files and bytes a generator has to write. No parsing, no templating. DEST must
not exist yet. Prints one summary line.
"""

import os
import sys


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    content, ref, dest = argv
    read_files = read_bytes = 0
    for dirpath, _dirs, files in os.walk(content):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as f:
                read_bytes += len(f.read())
            read_files += 1
    if os.path.exists(dest):
        print(f"floor: {dest} already exists", file=sys.stderr)
        return 2
    written_files = written_bytes = 0
    for dirpath, _dirs, files in os.walk(ref):
        rel = os.path.relpath(dirpath, ref)
        outdir = dest if rel == "." else os.path.join(dest, rel)
        os.makedirs(outdir, exist_ok=True)
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as f:
                data = f.read()
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(data)
            written_files += 1
            written_bytes += len(data)
    print(
        f"floor: read {read_files} files ({read_bytes} bytes), "
        f"wrote {written_files} files ({written_bytes} bytes)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
