#!/usr/bin/env bash
# Checks that two builds of `related` write byte-identical output on every shared corpus and the
# bundled fixtures, under several flag sets: the check for a change meant to leave behaviour alone
# (a refactor, a speed-up).
#
#   scripts/same_output.sh OLD_BINARY NEW_BINARY [SHARED_DIR]
#
# SHARED_DIR (default: ../shared beside the repository) holds corpora/. Prints one line per run and
# exits 1 if any output differs.
set -euo pipefail
old=$(realpath "$1"); new=$(realpath "$2")
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$(realpath "${3:-$root/../shared}")
c="$shared/corpora"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0 n=0

# name | folder | inputs and flags
runs=(
  "livedoor|$c/livedoor|text"
  "ropensci|$c/ropensci|content/blog --exclude-newer --explain"
  "simonw-til|$c/simonw-til|til --same-lang --fill recent"
  "zenn|$c/zenn/articles|. -k 10 --min-score 0.1"
  "r7kamura|$c/r7kamura|articles --format similar-documents"
  "feed|$root/fixtures|hotchpotch-dev-feed.xml --pretty"
  "golden|$root/fixtures|golden --lsi-dims 0 --format jsonl --explain"
  "livedoor-sample|$root/fixtures|livedoor-sample --max-terms-per-doc 20"
)
for run in "${runs[@]}"; do
  IFS='|' read -r name dir args <<<"$run"
  [ -d "$dir" ] || { echo "skip  $name ($dir missing)"; continue; }
  # shellcheck disable=SC2086
  (cd "$dir" && "$old" $args -q -o "$tmp/old.json" && "$new" $args -q -o "$tmp/new.json")
  # One file per article too, on the small inputs.
  if [[ $dir == "$root"/* ]]; then
    # shellcheck disable=SC2086
    (cd "$dir" && "$old" $args -q --output-dir "$tmp/old-dir" && "$new" $args -q --output-dir "$tmp/new-dir") 2>/dev/null || true
  fi
  n=$((n + 1))
  same_dir=true
  if [ -e "$tmp/old-dir" ] || [ -e "$tmp/new-dir" ]; then
    diff -rq "$tmp/old-dir" "$tmp/new-dir" >/dev/null 2>&1 || same_dir=false
  fi
  if cmp -s "$tmp/old.json" "$tmp/new.json" && $same_dir; then
    echo "same  $name ($(wc -c <"$tmp/new.json") bytes)"
  else
    echo "DIFF  $name"; fail=1
  fi
  rm -rf "$tmp"/old* "$tmp"/new*
done
echo "$n runs compared"
exit $fail
