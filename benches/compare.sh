#!/usr/bin/env bash
# End-to-end benchmark: `related` against the Python `similar-documents` tool it replaces.
#
# Usage:
#   benches/compare.sh [--runs N] [--no-reference] [--related PATH] [--k K] [--markdown]
#                      CORPUS_DIR [-- EXTRA_RELATED_FLAGS...]
#
#   --runs N         runs per tool (default 3); the tools are interleaved (related, reference,
#                    related, reference, ...) so that machine noise hits both alike
#   --no-reference   time `related` only (also automatic when similar-documents is not on PATH,
#                    or when CORPUS_DIR holds more than 20,000 articles: the reference would take
#                    well over ten minutes per run)
#   --related PATH   the binary to time (default: target/release/related of this repository,
#                    built with `cargo build --release` if missing)
#   --k K, -k K      neighbours per article, given to both tools (default 5)
#   --markdown       print the result table as Markdown rows, ready to paste into BENCHMARKS.md
#   -- FLAGS...      everything after `--` goes to `related` only, e.g. `-- --cache /tmp/c -j 1`
#
# Examples:
#   benches/compare.sh ../shared/corpora/r7kamura/articles
#   benches/compare.sh --runs 5 --markdown ../shared/corpora/livedoor/text
#   benches/compare.sh --no-reference /tmp/corpus-100k -- --min-df 2
#
# What is compared: `related -k K CORPUS_DIR` (which walks the directory itself) against
# `similar-documents -k K -t japanese FILES...`, FILES being exactly the files `related`'s walk
# picks: extensions md markdown mdx html htm txt (case-insensitive), hidden files and folders
# skipped, symlinks followed, sorted. The reference is run from inside CORPUS_DIR with relative
# paths, so both tools' keys are the same. Each run is measured by /usr/bin/time (wall seconds,
# user CPU seconds, max RSS); outputs go to a temporary directory removed at exit. Nothing is
# warmed up beforehand: the first run may read the files from disk, the median hides that.
set -euo pipefail

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }
die() { echo "compare.sh: $*" >&2; exit 2; }

# The repository is this script's parent's parent; relative defaults are resolved from it, not
# from wherever the script is called.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

RUNS=3
K=5
REFERENCE=1
MARKDOWN=0
RELATED=""
CORPUS=""
EXTRA=()
# Above this many files the reference is skipped: at ~22 ms per article (163 s for 7,367) it would
# take >10 minutes per run, and its argument list nears the kernel's ARG_MAX.
REFERENCE_MAX_FILES=20000

while (($#)); do
  case $1 in
    --runs) (($# >= 2)) || die "--runs needs a value"; RUNS=$2; shift 2 ;;
    --runs=*) RUNS=${1#*=}; shift ;;
    --k | -k) (($# >= 2)) || die "$1 needs a value"; K=$2; shift 2 ;;
    --k=*) K=${1#*=}; shift ;;
    --related) (($# >= 2)) || die "--related needs a value"; RELATED=$2; shift 2 ;;
    --related=*) RELATED=${1#*=}; shift ;;
    --no-reference) REFERENCE=0; shift ;;
    --markdown) MARKDOWN=1; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; EXTRA=("$@"); break ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [[ -z $CORPUS ]] || die "one CORPUS_DIR only (got '$CORPUS' and '$1'); related flags go after --"
       CORPUS=$1; shift ;;
  esac
done

[[ -n $CORPUS ]] || { usage >&2; exit 2; }
[[ -d $CORPUS ]] || die "not a directory: $CORPUS"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer, got '$RUNS'"
[[ $K =~ ^[1-9][0-9]*$ ]] || die "--k must be a positive integer, got '$K'"
CORPUS=$(cd "$CORPUS" && pwd)

TIME=/usr/bin/time
if [[ ! -x $TIME ]]; then
  # GNU time (not the shell keyword) is what reports max RSS.
  echo "compare.sh: /usr/bin/time missing, installing the 'time' package" >&2
  if [[ $(id -u) -eq 0 ]]; then apt-get install -y -qq time >/dev/null; else sudo apt-get install -y -qq time >/dev/null; fi
fi

if [[ -z $RELATED ]]; then
  RELATED=$REPO/target/release/related
  if [[ ! -x $RELATED ]]; then
    echo "compare.sh: $RELATED missing, running cargo build --release" >&2
    (cd "$REPO" && cargo build --release) >&2
  fi
fi
[[ -x $RELATED ]] || die "not an executable: $RELATED"
RELATED=$(cd "$(dirname "$RELATED")" && pwd)/$(basename "$RELATED")

TMP=$(mktemp -d "${TMPDIR:-/tmp}/compare.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM   # so that the EXIT trap cleans up on Ctrl-C too

# The article list, NUL-separated (paths may hold spaces or newlines), relative to CORPUS and
# sorted bytewise like related's walk. Mirrors src/source/walk.rs: default extensions, no hidden
# entries below the root, symlinks followed.
(
  cd "$CORPUS"
  LC_ALL=C find -L . -mindepth 1 -name '.*' -prune -o -type f \
    \( -iname '*.md' -o -iname '*.markdown' -o -iname '*.mdx' -o -iname '*.html' \
       -o -iname '*.htm' -o -iname '*.txt' \) -print0 2>/dev/null |
    sed -z 's|^\./||' | LC_ALL=C sort -z
) >"$TMP/files" || true
NFILES=$(tr -cd '\0' <"$TMP/files" | wc -c)
((NFILES > 0)) || die "no articles (.md .markdown .mdx .html .htm .txt) under $CORPUS"

REF_NOTE=""
if ((REFERENCE)); then
  if ! command -v similar-documents >/dev/null; then
    REFERENCE=0; REF_NOTE="similar-documents not on PATH: reference skipped (pip install similar-documents)"
  elif ((NFILES > REFERENCE_MAX_FILES)); then
    REFERENCE=0; REF_NOTE="$NFILES files > $REFERENCE_MAX_FILES: reference skipped (it would take >10 minutes per run)"
  else
    # xargs must start the reference exactly once: several invocations would each see only part
    # of the corpus (and overwrite each other's -o). Its default buffer is only 128 KiB (~3,000
    # paths), so ask for the system maximum and check beforehand that the whole list fits.
    ARGMAX=$(xargs --show-limits </dev/null 2>&1 | sed -n 's/^Maximum length of command we could actually use: //p')
    ARGMAX=${ARGMAX:-131072}
    FIXED=$((${#TMP} * 2 + 200)) # the command name, flags and -o path, generously
    NEED=$(($(wc -c <"$TMP/files") + FIXED))
    if ((NEED > ARGMAX)); then
      REFERENCE=0; REF_NOTE="argument list ($NEED bytes) exceeds ARG_MAX ($ARGMAX): reference skipped"
    fi
  fi
fi

RELATED_CMD=("$RELATED" -k "$K" "$CORPUS" -o "$TMP/related.json" ${EXTRA[@]+"${EXTRA[@]}"})
REFERENCE_CMD=(xargs -0 -x -s "${ARGMAX:-131072}" -a "$TMP/files"
  similar-documents -k "$K" -t japanese -o "$TMP/reference.json")

# run NAME CMD...: one measured run; appends "wall user rss_kb" to $TMP/NAME.times.
run() {
  local name=$1; shift
  local rc=0
  "$TIME" -f '%e %U %M' -o "$TMP/time" "$@" >"$TMP/$name.stdout" 2>"$TMP/$name.stderr" || rc=$?
  if ((rc != 0)); then
    echo "compare.sh: $name failed (exit $rc); its stderr ends with:" >&2
    tail -n 20 "$TMP/$name.stderr" >&2
    exit 1
  fi
  # GNU time prefixes a status line when the command fails; the figures are the last line.
  tail -n 1 "$TMP/time" >>"$TMP/$name.times"
}

LOAD=$(cut -d' ' -f1-3 /proc/loadavg) # before the runs: how busy the machine already was
for ((i = 1; i <= RUNS; i++)); do
  echo "run $i/$RUNS: related" >&2
  run related "${RELATED_CMD[@]}"
  if ((REFERENCE)); then
    echo "run $i/$RUNS: similar-documents" >&2
    (cd "$CORPUS" && run reference "${REFERENCE_CMD[@]}")
  fi
done

# A reference run that saw only part of the list (xargs split, unreadable files) would make the
# comparison meaningless: check that it keyed every file.
if ((REFERENCE)); then
  REF_KEYS=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/reference.json")
  if ((REF_KEYS != NFILES)); then
    echo "compare.sh: warning: similar-documents output has $REF_KEYS keys for $NFILES files" >&2
  fi
fi
REL_KEYS=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/related.json" 2>/dev/null || echo "?")

# stats FILE -> "runs min_wall med_wall min_user med_user max_rss_mb"
stats() {
  awk '
    function median(a, n,   s, i, j, t) {
      for (i = 1; i <= n; i++) s[i] = a[i]
      for (i = 2; i <= n; i++) for (j = i; j > 1 && s[j-1] > s[j]; j--) { t = s[j]; s[j] = s[j-1]; s[j-1] = t }
      return n % 2 ? s[(n+1)/2] : (s[n/2] + s[n/2+1]) / 2
    }
    { n++; w[n] = $1; u[n] = $2; if ($3 > rss) rss = $3
      if (n == 1 || $1 < minw) minw = $1; if (n == 1 || $2 < minu) minu = $2 }
    END { printf "%d %.2f %.2f %.2f %.2f %.0f\n", n, minw, median(w, n), minu, median(u, n), rss / 1024 }
  ' "$1"
}

read -r R_N R_MINW R_MEDW R_MINU R_MEDU R_RSS < <(stats "$TMP/related.times")
if ((REFERENCE)); then
  read -r P_N P_MINW P_MEDW P_MINU P_MEDU P_RSS < <(stats "$TMP/reference.times")
  # Ratios of medians; a related median that rounds to 0.00 s is reported as "<0.01 s".
  SPEEDUP=$(awk -v p="$P_MEDW" -v r="$R_MEDW" 'BEGIN { if (r > 0) printf "%.1fx", p / r; else print "inf" }')
  CPU_RATIO=$(awk -v p="$P_MEDU" -v r="$R_MEDU" 'BEGIN { if (r > 0) printf "%.1fx", p / r; else print "inf" }')
fi

COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
# --no-optional-locks: only look, never refresh the index (others may be working in this tree).
if [[ $COMMIT != unknown ]] && [[ -n $(git -C "$REPO" --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null) ]]; then
  COMMIT="$COMMIT+dirty"
fi
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
MEM=$(awk '/^MemTotal:/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)
CORPUS_MB=$(cd "$CORPUS" && du -cb --files0-from="$TMP/files" 2>/dev/null | awk 'END { printf "%.1f", $1 / 1048576 }')
CORPUS_NAME=$(basename "$CORPUS")

echo
echo "date:     $(date '+%Y-%m-%d %H:%M:%S %z')"
echo "machine:  $(nproc) cores, ${CPU:-unknown CPU}, $MEM RAM, load average $LOAD before the runs"
echo "related:  $("$RELATED" --version 2>/dev/null || echo '?'), commit $COMMIT"
if command -v similar-documents >/dev/null; then
  echo "reference: similar-documents $(pip show similar-documents 2>/dev/null | sed -n 's/^Version: //p')"
fi
echo "corpus:   $CORPUS ($NFILES files, $CORPUS_MB MB; related listed $REL_KEYS articles)"
echo "commands (run $RUNS times each, interleaved):"
printf ' ' ; printf ' %q' "${RELATED_CMD[@]}"; echo
if ((REFERENCE)); then
  printf '  (cd %q &&' "$CORPUS"; printf ' %q' "${REFERENCE_CMD[@]}"; echo ')'
  echo "  # $(basename "$TMP")/files: the $NFILES article paths, NUL-separated"
fi
[[ -z $REF_NOTE ]] || echo "note:     $REF_NOTE"
echo

if ((MARKDOWN)); then
  echo "| corpus | articles | tool | runs | min wall (s) | median wall (s) | min user (s) | median user (s) | max RSS (MB) | speed-up |"
  echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  echo "| $CORPUS_NAME | $NFILES | related \`$COMMIT\` | $R_N | $R_MINW | $R_MEDW | $R_MINU | $R_MEDU | $R_RSS | ${SPEEDUP:-—} |"
  if ((REFERENCE)); then
    echo "| $CORPUS_NAME | $NFILES | similar-documents | $P_N | $P_MINW | $P_MEDW | $P_MINU | $P_MEDU | $P_RSS | 1x |"
  fi
  echo
  echo "_$(date +%Y-%m-%d), $(nproc) cores (${CPU:-unknown CPU}), $MEM RAM, \`-k $K\`${EXTRA[*]:+, related flags \`${EXTRA[*]}\`}._"
else
  fmt='%-18s %4s %10s %10s %10s %10s %12s\n'
  printf "$fmt" tool runs "min wall" "med wall" "min user" "med user" "max RSS MB"
  printf "$fmt" related "$R_N" "$R_MINW" "$R_MEDW" "$R_MINU" "$R_MEDU" "$R_RSS"
  if ((REFERENCE)); then
    printf "$fmt" similar-documents "$P_N" "$P_MINW" "$P_MEDW" "$P_MINU" "$P_MEDU" "$P_RSS"
    echo
    echo "speed-up (reference median wall / related median wall): $SPEEDUP   (user CPU: $CPU_RATIO)"
  fi
fi
