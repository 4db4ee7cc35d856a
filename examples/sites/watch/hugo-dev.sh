#!/bin/sh
# Hugo's dev server with related lists kept current: `related --watch` in the
# background, stopped when `hugo server` stops. HUGO overrides the server
# command (the recipe test runs it with a stand-in).
related content -o data/related.json --watch &
trap 'kill $!' EXIT INT TERM
${HUGO:-hugo server}
