#!/usr/bin/env bash
# Build the example sites with `related` and check their "Related articles" lists.
#
#   examples/sites/build-all.sh [hugo|eleventy|jekyll|astro|nextjs|hugo-i18n-dirs|hugo-i18n-names|eleventy-i18n]...
#   (default: all)
#
# For each site: run the recipe of docs/site-generators.md (the `related` command, then the
# generator's build; for the npm sites `npm run build`, whose prebuild script runs `related`),
# installing the generator first if needed (Hugo and Jekyll from Debian's packages, the npm
# sites with `npm ci` from their package-lock.json, then `related` itself from the npm tarballs
# that scripts/package.sh packs into dist/, so their scripts run node_modules/.bin/related).
# Then check.py compares every article page
# with the JSON and makes sure the draft is nowhere in the output. First of all,
# doc_snippets.py checks that the doc's code blocks are still the example files.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
all_sites=(hugo eleventy jekyll astro nextjs hugo-i18n-dirs hugo-i18n-names eleventy-i18n)
draft_title="Secret Matcha Croissant Lamination Notes"

sites=("$@")
[ ${#sites[@]} -gt 0 ] || sites=("${all_sites[@]}")
for s in "${sites[@]}"; do
  case " ${all_sites[*]} " in
    *" $s "*) ;;
    *) echo "build-all.sh: unknown site '$s' (known: ${all_sites[*]})" >&2; exit 2 ;;
  esac
done

export DEBIAN_FRONTEND=noninteractive
export NEXT_TELEMETRY_DISABLED=1 ASTRO_TELEMETRY_DISABLED=1
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

# Print a command, then run it.
run() {
  local out="+" a
  for a in "$@"; do
    case "$a" in
      *[!A-Za-z0-9_./=:-]*) out+=" '$a'" ;;
      *) out+=" $a" ;;
    esac
  done
  echo "$out"
  "$@"
}

# apt_install COMMAND PACKAGE: install PACKAGE unless COMMAND exists; `apt-get update` only if
# the first try fails (a stale package list).
apt_install() {
  command -v "$1" >/dev/null 2>&1 && return 0
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "-- installing $2 (apt-get)"
  "${sudo[@]}" apt-get install -y -q "$2" \
    || { "${sudo[@]}" apt-get update -q && "${sudo[@]}" apt-get install -y -q "$2"; }
}

need_npm() {
  if ! command -v npm >/dev/null 2>&1; then
    echo "build-all.sh: $1 needs Node.js >= 20.9 and npm on PATH" >&2
    exit 1
  fi
}

check() { # SITE OUTPUT_DIR RELATED_JSON
  python3 "$here/check.py" "$1" "$2" "$3" "$draft_title"
}

echo "== docs/site-generators.md: code blocks match the example files"
python3 "$here/doc_snippets.py"

# One build for every site: scripts/package.sh makes the static binary (Hugo and Jekyll run it
# from PATH) and the npm tarballs (the npm sites install them, then run `related` from
# node_modules/.bin). RELATED_PACKAGED=1: dist/ is already fresh (.ci/run packages first).
dist="$repo/dist"
if [ "${RELATED_PACKAGED:-}" != 1 ]; then
  echo "== related: scripts/package.sh"
  "$repo/scripts/package.sh" "$dist"
fi
bin_dir="$repo/target/x86_64-unknown-linux-musl/dist"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n 1)"
npm_tarballs=("$dist/related-articles-$version.tgz" "$dist/related-articles-linux-x64-$version.tgz")
path_without_related="$PATH"

# npm_install_related: what `npm i -D related-articles` does for a published version, from the
# local tarballs and without touching package.json or the lock file.
npm_install_related() {
  run npm install --offline --no-save --loglevel=error "${npm_tarballs[@]}"
  npx --no -- related --version
}

for site in "${sites[@]}"; do
  echo "== $site"
  cd "$here/$site"
  case "$site" in
    hugo)
      export PATH="$bin_dir:$path_without_related"
      apt_install hugo hugo
      hugo version
      rm -rf public resources data/related.json
      run related content --exclude '**/_index.md' -o data/related.json
      run hugo
      check hugo public data/related.json
      ;;
    hugo-i18n-dirs|hugo-i18n-names)
      # Bilingual: one content folder per language (hugo.toml's contentDir, read by related),
      # or translations by file name (a.ja.md). One future and one expired post each.
      export PATH="$bin_dir:$path_without_related"
      apt_install hugo hugo
      rm -rf public resources data/related.json
      split=()
      [ "$site" = hugo-i18n-names ] && split=(--split-lang)
      run related content "${split[@]}" -o data/related.json
      run hugo
      python3 "$here/check_i18n.py" "$site" public data/related.json \
        "Future espresso notes" "未来のエスプレッソ" "Expired kettle sale" "終了したケトルのセール"
      ;;
    eleventy-i18n)
      # Bilingual: content/en and content/ja, `lang` from their directory data files, which
      # related reads (it finds eleventy.config.js); related.toml has split-lang. One
      # future-dated post (eleventy.config.js skips it) and one eleventyExcludeFromCollections
      # post (built, listed nowhere) per language.
      export PATH="$path_without_related"
      need_npm eleventy
      run npm ci --loglevel=error
      npm_install_related
      rm -rf _site content/_data/related.json
      run npm run build
      python3 "$here/check_i18n.py" "$site" _site content/_data/related.json \
        "Future espresso notes" "未来のエスプレッソ" \
        "unlisted:Kettle sale (not in any list)" "unlisted:ケトルのセール（一覧に出ない）"
      ;;
    jekyll)
      export PATH="$bin_dir:$path_without_related"
      apt_install jekyll jekyll
      jekyll --version
      rm -rf _site .jekyll-cache _data/related.json
      run related _posts --root . --url-template '/posts/{slug}/' -o _data/related.json
      run jekyll build
      check jekyll _site _data/related.json
      ;;
    eleventy)
      export PATH="$path_without_related"
      need_npm eleventy
      run npm ci --loglevel=error
      npm_install_related
      npx eleventy --version
      rm -rf _site content/_data/related.json
      run npm run build
      check eleventy _site content/_data/related.json
      ;;
    astro)
      export PATH="$path_without_related"
      need_npm astro
      run npm ci --loglevel=error
      npm_install_related
      npx astro --version
      rm -rf dist .astro src/data/related.json
      run npm run build
      check astro dist src/data/related.json
      ;;
    nextjs)
      export PATH="$path_without_related"
      need_npm nextjs
      run npm ci --loglevel=error
      npm_install_related
      npx next --version
      rm -rf .next out data/related.json
      run npm run build
      check nextjs out data/related.json
      ;;
  esac
done
