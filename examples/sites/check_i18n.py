#!/usr/bin/env python3
"""Check a built bilingual example site against the per-language JSON `related` wrote for it.

usage: check_i18n.py SITE OUTPUT_DIR RELATED_JSON [unlisted:]UNPUBLISHED_TITLE...

RELATED_JSON is {"en": {key: [...]}, "ja": {key: [...]}}. Checks:
- every language has its own lists, and a list names only keys of its own language (so never a
  translation) and never the article itself;
- every built page's `class="related"` links resolve to built pages of the page's language
  (English at the root or under /en/, Japanese under /ja/), and none is the page itself or its
  translation (the page with the same path in another language);
- each UNPUBLISHED_TITLE (future-dated, expired) appears nowhere: in no list of the JSON and in no
  file of OUTPUT_DIR. A title written `unlisted:TITLE` is a page the generator builds but lists
  nowhere (Eleventy's eleventyExcludeFromCollections): it may appear on its own page only (the
  one whose <h1> it is).
"""

import json
import os
import re
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit


def fail(msg):
    print(f"FAIL {SITE}: {msg}", file=sys.stderr)
    sys.exit(1)


class Page(HTMLParser):
    """The <h1> text and the hrefs inside the element with class "related"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.in_h1 = False
        self.h1 = ""
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.depth += 1
        elif "related" in (attrs.get("class") or "").split():
            self.depth = 1
        if tag == "h1" and not self.h1:
            self.in_h1 = True
        if tag == "a" and self.depth:
            self.links.append(attrs.get("href", ""))

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
        if tag == "h1":
            self.in_h1 = False

    def handle_data(self, data):
        if self.in_h1:
            self.h1 += data


def built_file(out, href):
    path = unquote(urlsplit(href).path)
    full = os.path.join(out, path.lstrip("/"))
    return full if os.path.isfile(full) else os.path.join(full, "index.html")


def page_lang(out, file):
    rel = os.path.relpath(file, out).replace(os.sep, "/")
    return "ja" if rel.startswith("ja/") else "en"


def page_id(out, file):
    """/ja/posts/a/index.html and /posts/a/index.html are translations of posts/a."""
    rel = os.path.relpath(os.path.dirname(file), out).replace(os.sep, "/")
    return re.sub(r"^(en|ja)(/|$)", "", rel)


def main():
    global SITE
    SITE, out, data, *titles = sys.argv[1:]
    unlisted = {t[len("unlisted:"):] for t in titles if t.startswith("unlisted:")}
    unpublished = [t[len("unlisted:"):] if t.startswith("unlisted:") else t for t in titles]
    with open(data, encoding="utf-8") as f:
        lists = json.load(f)
    if sorted(lists) != ["en", "ja"]:
        fail(f"{data}: languages {sorted(lists)}, expected en and ja")
    for lang, by_key in lists.items():
        if not any(by_key.values()):
            fail(f"{data}: no {lang} article has a related list")
        for key, entries in by_key.items():
            for e in entries:
                if e["key"] == key:
                    fail(f"{data}: {lang} {key} lists itself")
                if e["key"] not in by_key:
                    fail(f"{data}: {lang} {key} lists {e['key']}, not a {lang} article")
                if e["title"] in unpublished:
                    fail(f"{data}: {lang} {key} lists the unpublished {e['title']!r}")
    pages = 0
    langs = set()
    for folder, _, files in os.walk(out):
        for name in files:
            file = os.path.join(folder, name)
            with open(file, encoding="utf-8", errors="replace") as f:
                text = f.read()
            page = Page()
            if name.endswith(".html"):
                page.feed(text)
            for title in unpublished:
                own_page = title in unlisted and page.h1.strip() == title
                if title in text and not own_page:
                    fail(f"{file} mentions the unpublished {title!r}")
            if not page.links:
                continue
            pages += 1
            lang = page_lang(out, file)
            langs.add(lang)
            for href in page.links:
                target = built_file(out, href)
                if not os.path.isfile(target):
                    fail(f"{file}: related link {href} is not a built page")
                if page_id(out, target) == page_id(out, file):
                    fail(f"{file}: lists itself or its translation ({href})")
                if page_lang(out, target) != lang:
                    fail(f"{file}: a {lang} page lists {href}, a page in another language")
    if langs != {"en", "ja"}:
        fail(f"related lists rendered only for {sorted(langs)}")
    print(f"ok {SITE}: {pages} pages with related lists in en and ja, all links resolve")


if __name__ == "__main__":
    main()
