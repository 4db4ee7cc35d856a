#!/bin/sh
# Runs the `--watch` recipes of docs/site-generators.md for real, each on a
# throwaway copy of the Hugo example's content:
#   1. hugo-dev.sh, with a stand-in for `hugo server`;
#   2. package.json's `npm run dev` with `concurrently` from the npm registry,
#      with a stand-in for `eleventy --serve`.
# Each time: wait for the first output, edit one article, wait until the
# output changes (at most 10 s), check that an unaffected list file kept its
# inode and mtime, stop the server, and check that `related` stopped too and
# left no temporary file.
#   RELATED=path/to/related examples/sites/watch/test.sh   (default: target/release/related)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
RELATED=${RELATED:-$ROOT/target/release/related}
[ -x "$RELATED" ] || { echo "test.sh: no $RELATED (cargo build --release, or set RELATED)" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir "$WORK/bin"
ln -s "$RELATED" "$WORK/bin/related"
# The stand-in dev server: records its pid, then idles until killed.
cat >"$WORK/bin/fake-server" <<'SH'
#!/bin/sh
echo $$ >"$PWD/.server.pid"
exec sleep 120
SH
chmod +x "$WORK/bin/fake-server"
ln -s fake-server "$WORK/bin/eleventy"
PATH="$WORK/bin:$PATH"
export PATH

fail() { echo "test.sh: FAIL: $*" >&2; exit 1; }

# wait_until DESCRIPTION COMMAND...: polls COMMAND for up to 10 s.
wait_until() {
  what=$1; shift
  i=0
  until "$@"; do
    i=$((i + 1))
    [ $i -le 100 ] || fail "no $what within 10 s"
    sleep 0.1
  done
}

stamp() { stat -c '%i %.9Y' "$1"; }

# site DIR: a copy of the Hugo example's articles, with related.toml.
site() {
  mkdir -p "$1"
  cp -r "$ROOT/examples/sites/hugo/content" "$1/content"
  printf 'inputs = ["content"]\noutput-dir = "data/related"\n' >"$1/related.toml"
}

# exercise DIR OUTPUT-FILE: the edit-and-check part shared by both recipes.
exercise() {
  dir=$1 out=$2
  wait_until "first output" test -s "$dir/$out"
  wait_until "server start" test -s "$dir/.server.pid"
  before=$(stamp "$dir/$out")
  # Edit the draft (skipped, so no list changes) and then a real article.
  printf '\nOne more paragraph about nothing in particular.\n' >>"$dir/content/posts/matcha-croissant-draft.md"
  sleep 1
  [ "$(stamp "$dir/$out")" = "$before" ] || fail "$out rewritten though no list changed"
  # A new date changes only the lists that name this article (dates are not analyzed).
  sed -i 's/^date = .*/date = 2023-12-31/' "$dir/content/posts/rust-cli-argument-parsing.md"
  changed() { grep -q '2023-12-31' "$dir/$out"; }
  wait_until "rewrite of $out after the edit" changed
}

# stop DIR PID: kills the stand-in server; the recipe must then end, and `related` with it.
stop() {
  kill "$(cat "$1/.server.pid")"
  i=0
  while kill -0 "$2" 2>/dev/null; do
    i=$((i + 1))
    [ $i -le 100 ] || fail "the recipe did not stop within 10 s"
    sleep 0.1
  done
  wait "$2" 2>/dev/null || true
  leftovers=$(find "$1" -name '*.tmp' | head -n 1)
  [ -z "$leftovers" ] || fail "temporary file left: $leftovers"
}

# lists DIR yes|no: a list file under DIR/data/related that does / does not
# name rust-cli-argument-parsing (whose date the edit changes).
list_file() {
  for f in "$1"/data/related/posts/*.json; do
    case "$f" in *rust-cli-argument-parsing*) continue ;; esac
    if grep -q rust-cli-argument-parsing "$f"; then has=yes; else has=no; fi
    [ "$has" = "$2" ] && { echo "${f#"$1"/}"; return; }
  done
}

echo "test.sh: hugo-dev.sh"
d="$WORK/hugo"
site "$d"
(cd "$d" && HUGO=fake-server exec sh "$HERE/hugo-dev.sh") >"$d.log" 2>&1 &
pid=$!
exercise "$d" data/related.json
stop "$d" "$pid"
grep -q 'related: stopped watching' "$d.log" || fail "related did not stop cleanly: $(cat "$d.log")"

echo "test.sh: npm run dev (concurrently)"
d="$WORK/npm"
site "$d"
cp "$HERE/package.json" "$d/package.json"
(cd "$d" && npm install --no-audit --no-fund --silent concurrently@9 >/dev/null 2>&1) ||
  fail "npm install concurrently (needs the npm registry)"
(cd "$d" && exec npm run --silent dev) >"$d.log" 2>&1 &
pid=$!
wait_until "first output" test -s "$d/data/related/.related-files"
keep=$(list_file "$d" no)
edited=$(list_file "$d" yes)
[ -n "$keep" ] && [ -n "$edited" ] || fail "no list file to compare"
kept=$(stamp "$d/$keep")
exercise "$d" "$edited"
[ "$(stamp "$d/$keep")" = "$kept" ] || fail "$keep was rewritten though its list did not change"
stop "$d" "$pid"
grep -q 'related: stopped watching' "$d.log" || fail "related did not stop cleanly: $(cat "$d.log")"
echo "test.sh: both recipes OK"
