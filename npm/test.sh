#!/usr/bin/env bash
# Test the npm tarballs that npm/pack.sh (or scripts/package.sh) wrote to DIST (default dist/):
# install them offline into an empty project and run `related` through the shim; without the
# platform package the shim must fail with a helpful message; RELATED_BINARY overrides it.
#
#   npm/test.sh [DIST]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="$(cd "${1:-$repo/dist}" && pwd)"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)"
main="$dist/related-articles-$version.tgz"
platform="$dist/related-articles-linux-x64-$version.tgz"
for f in "$main" "$platform"; do
  [ -f "$f" ] || { echo "npm/test.sh: $f is missing (run scripts/package.sh)" >&2; exit 1; }
done
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
fail() { echo "npm/test.sh: $*" >&2; exit 1; }

project="$(mktemp -d)"
trap 'rm -rf "$project"' EXIT
cd "$project"
echo '{ "name": "related-npm-test", "private": true }' >package.json

echo "-- npm install --offline (main + linux-x64 tarballs)"
npm install --offline --no-save --loglevel=error "$main" "$platform"
got="$(npx --no -- related --version)"
[ "$got" = "related $version" ] || fail "npx related --version printed '$got', expected 'related $version'"
got="$(npx --no -- related-articles --version)"
[ "$got" = "related $version" ] || fail "npx related-articles --version printed '$got'"
# The exit code and stdout of the binary come through the shim.
npx --no -- related "$repo/fixtures/hotchpotch-dev-feed.xml" -k 1 >out.json
node -e 'const o = require("./out.json"); if (Object.keys(o).length !== 59) process.exit(1)' \
  || fail "the sample feed gave no 59-article JSON through the shim"
set +e
npx --no -- related --no-such-flag 2>/dev/null
code=$?
set -e
[ "$code" = 2 ] || fail "a usage error exited $code through the shim, expected 2"
echo "ok: related $version through the shim, exit codes passed on"

echo "-- without the platform package (--omit=optional)"
rm -rf node_modules
npm install --offline --no-save --omit=optional --loglevel=error "$main"
set +e
msg="$(npx --no -- related --version 2>&1)"
code=$?
set -e
[ "$code" = 1 ] || fail "a missing platform package exited $code, expected 1"
case "$msg" in
  *"@related-articles/linux-x64 is not installed"*"--include=optional"*) ;;
  *) fail "unhelpful message for a missing platform package: $msg" ;;
esac
tar -xzf "$dist/related-x86_64-unknown-linux-musl.tar.gz"
got="$(RELATED_BINARY="$project/related-x86_64-unknown-linux-musl/related" npx --no -- related --version)"
[ "$got" = "related $version" ] || fail "RELATED_BINARY was not run: '$got'"
echo "ok: a missing platform package is named, RELATED_BINARY works"
