#!/usr/bin/env bash
# Build the npm tarballs of `related` from prebuilt binaries (the esbuild/Biome pattern).
#
#   npm/pack.sh OUT_DIR TRIPLE=BINARY...
#   npm/pack.sh dist target/x86_64-unknown-linux-musl/dist/related \
#     ... or with explicit triples:
#   npm/pack.sh dist x86_64-unknown-linux-musl=path/to/related aarch64-apple-darwin=path/to/related
#
# For each binary: a platform package @related-articles/<os>-<cpu> (package.json with `os` and
# `cpu`, the binary in bin/), packed to OUT_DIR/related-articles-<os>-<cpu>-<version>.tgz.
# Then the main package related-articles (npm/related-articles/: the `related` shim, plain
# Node) with every platform package as an optionalDependency, packed to
# OUT_DIR/related-articles-<version>.tgz. The version is Cargo.toml's. A BINARY given without
# TRIPLE= is x86_64-unknown-linux-musl. Needs node and npm; no network.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 2 ] || { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
out="$(mkdir -p "$1" && cd "$1" && pwd)"
shift
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)"
[ -n "$version" ] || { echo "npm/pack.sh: no version in $repo/Cargo.toml" >&2; exit 1; }

# Rust target triple → npm platform suffix, `os`, `cpu`, binary name. Keep in step with
# PLATFORMS in npm/related-articles/bin/related.js.
platform_of() {
  case "$1" in
    x86_64-unknown-linux-musl) echo "linux-x64 linux x64 related" ;;
    aarch64-unknown-linux-musl) echo "linux-arm64 linux arm64 related" ;;
    x86_64-apple-darwin) echo "darwin-x64 darwin x64 related" ;;
    aarch64-apple-darwin) echo "darwin-arm64 darwin arm64 related" ;;
    x86_64-pc-windows-msvc) echo "win32-x64 win32 x64 related.exe" ;;
    *) return 1 ;;
  esac
}
all_platforms=(linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64)

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

for arg in "$@"; do
  case "$arg" in
    *=*) triple="${arg%%=*}"; binary="${arg#*=}" ;;
    *) triple=x86_64-unknown-linux-musl; binary="$arg" ;;
  esac
  read -r suffix os cpu exe < <(platform_of "$triple") \
    || { echo "npm/pack.sh: unknown target '$triple'" >&2; exit 2; }
  [ -f "$binary" ] || { echo "npm/pack.sh: no binary at '$binary' (build it first)" >&2; exit 1; }
  dir="$stage/$suffix"
  mkdir -p "$dir/bin"
  install -m 0755 "$binary" "$dir/bin/$exe"
  cat >"$dir/package.json" <<JSON
{
  "name": "@related-articles/$suffix",
  "version": "$version",
  "description": "The $os $cpu binary of related-articles (install related-articles, not this)",
  "license": "MIT",
  "os": ["$os"],
  "cpu": ["$cpu"],
  "files": ["bin/$exe"],
  "preferUnplugged": true
}
JSON
  (cd "$dir" && npm pack --silent --pack-destination "$out" >/dev/null)
  echo "$out/related-articles-$suffix-$version.tgz"
done

main="$stage/related-articles"
cp -R "$repo/npm/related-articles" "$main"
optional=""
for p in "${all_platforms[@]}"; do
  optional+="${optional:+, }\"@related-articles/$p\": \"$version\""
done
node - "$main/package.json" "$version" "{$optional}" <<'JS'
const fs = require("node:fs");
const [file, version, optional] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
pkg.version = version;
pkg.optionalDependencies = JSON.parse(optional);
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
JS
(cd "$main" && npm pack --silent --pack-destination "$out" >/dev/null)
echo "$out/related-articles-$version.tgz"
