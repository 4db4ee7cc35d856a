#!/usr/bin/env bash
# Build what a user installs without Rust, into one folder (default dist/, git-ignored):
#
#   scripts/package.sh [--target TRIPLE] [OUT_DIR]       (default x86_64-unknown-linux-musl)
#
#   related-<triple>.tar.gz (.zip on Windows)  the binary, in the layout `cargo binstall`
#                                              expects (related-<triple>/related)
#   related-articles-<os>-<cpu>-<version>.tgz  npm platform package (the binary)
#   related-articles-<version>.tgz             npm main package (the `related` shim)
#   related_articles-<version>-py3-none-<platform>.whl   PyPI wheel (the binary; on Linux
#                                              tagged manylinux2014 + musllinux_1_1)
#
# The binary is built ONCE (cargo profile `dist`) and reused by the archive, the npm tarballs
# and the wheel (maturin finds cargo's build up to date). On Linux it checks that the binary is
# static and runs in an empty environment. Runs from a fresh clone; the release workflow runs
# it on every platform. Needs rustup (adds the target if missing; no C compiler for musl is
# needed), node + npm, python3 (maturin is pip-installed into target/package-venv unless on
# PATH).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
triple=x86_64-unknown-linux-musl
if [ "${1:-}" = --target ]; then
  triple="${2:?--target needs a target triple}"
  shift 2
fi
out="$(mkdir -p "${1:-$repo/dist}" && cd "${1:-$repo/dist}" && pwd)"
cd "$repo"
exe=related
case "$triple" in *windows*) exe=related.exe ;; esac

echo "== binary: cargo build --profile dist --target $triple"
rustup target list --installed | grep -qx "$triple" || rustup target add "$triple"
cargo build --locked --profile dist --target "$triple" --bin related
binary="$repo/target/$triple/dist/$exe"
ls -l "$binary"

case "$triple" in
  *linux*)
    # Static: ldd finds no dynamic section (glibc's ldd says "not a dynamic executable").
    linkage="$(ldd "$binary" 2>&1 || true)"
    case "$linkage" in
      *"not a dynamic executable"* | *"statically linked"*) echo "ldd: $linkage" ;;
      *) echo "package.sh: $binary is dynamically linked:"$'\n'"$linkage" >&2; exit 1 ;;
    esac
    env -i "$binary" --version
    ;;
  *) "$binary" --version ;;
esac

echo "== archive"
name="related-$triple"
rm -rf "${out:?}/$name" "$out/$name.tar.gz" "$out/$name.zip"
mkdir "$out/$name"
cp "$binary" "$out/$name/"
case "$triple" in
  *windows*) (cd "$out" && 7z a -tzip -bso0 "$name.zip" "$name") && echo "$out/$name.zip" ;;
  *) tar -C "$out" -czf "$out/$name.tar.gz" "$name" && echo "$out/$name.tar.gz" ;;
esac
rm -r "${out:?}/$name"

echo "== npm tarballs"
npm/pack.sh "$out" "$triple=$binary"

echo "== PyPI wheel (maturin, reusing the build above)"
maturin=(maturin)
if ! command -v maturin >/dev/null 2>&1; then
  venv="$repo/target/package-venv"
  [ -x "$venv/bin/maturin" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q "maturin>=1.5,<2"; }
  maturin=("$venv/bin/maturin")
fi
# A static binary runs on glibc and musl alike: tag the Linux wheel for both (as uv does).
tags=()
case "$triple" in *linux*) tags=(--compatibility manylinux2014 musllinux_1_1) ;; esac
"${maturin[@]}" build --locked --profile dist --target "$triple" ${tags[@]+"${tags[@]}"} --out "$out"
ls -l "$out"
