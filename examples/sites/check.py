#!/usr/bin/env python3
"""Check a built example site against the JSON that `related` wrote for it.

usage: check.py SITE OUTPUT_DIR RELATED_JSON DRAFT_TITLE [PAGE_SLUG]

For every article in RELATED_JSON, its rendered page (OUTPUT_DIR/posts/<slug>/index.html or
OUTPUT_DIR/posts/<slug>.html, slug = the key's file name without extension or Jekyll date) must
hold a `class="related"` element whose links are exactly the JSON's titles, in order, each link
pointing to a page that exists in OUTPUT_DIR. The draft's title must appear in no related list
and in no file of OUTPUT_DIR. Prints `ok SITE: PAGE lists N related titles` for PAGE_SLUG.
"""

import html
import json
import os
import re
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit


def fail(msg):
    print(f"FAIL {SITE}: {msg}", file=sys.stderr)
    sys.exit(1)


def norm(s):
    return " ".join(s.split())


class RelatedLinks(HTMLParser):
    """Collects (href, text) of the <a> elements inside the element with class "related"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0  # > 0 while inside the related element
        self.sections = 0
        self.links = []
        self.href = None
        self.text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            if tag not in ("br", "img", "meta", "link", "input", "hr", "wbr"):
                self.depth += 1
            if tag == "a":
                self.href, self.text = attrs.get("href"), []
        elif "related" in (attrs.get("class") or "").split():
            self.depth, self.sections = 1, self.sections + 1

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "a" and self.href is not None:
            self.links.append((self.href, norm("".join(self.text))))
            self.href = None
        self.depth -= 1

    def handle_data(self, data):
        if self.depth and self.href is not None:
            self.text.append(data)


def slug_of(key):
    name = key.rstrip("/").rsplit("/", 1)[-1]
    name = re.sub(r"\.(md|markdown|mdx|html?)$", "", name)
    return re.sub(r"^\d{4}-\d{2}-\d{2}-", "", name)  # Jekyll's date prefix


def page_file(out, path):
    """The file a site-relative URL path is served from, or None."""
    path = unquote(path).lstrip("/")
    for cand in (path, os.path.join(path, "index.html"), path.rstrip("/") + ".html"):
        full = os.path.join(out, cand)
        if cand and os.path.isfile(full):
            return full
    return None


def main():
    global SITE
    SITE, out, json_path, draft_title = sys.argv[1:5]
    pick = sys.argv[5] if len(sys.argv) > 5 else "rust-cli-argument-parsing"
    try:
        with open(json_path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"cannot read {json_path}: {e}")
    if not isinstance(data, dict) or len(data) < 2:
        fail(f"{json_path}: expected an object with one entry per article")

    for key, neighbours in data.items():
        if any(n["title"] == draft_title for n in neighbours):
            fail(f"{json_path}: the draft {draft_title!r} is listed as related to {key}")
        if slug_of(key) == slug_of("matcha-croissant-draft"):
            fail(f"{json_path}: the draft itself has an entry ({key})")

    picked = None
    for key, neighbours in sorted(data.items()):
        page = page_file(out, f"posts/{slug_of(key)}")
        if page is None:
            fail(f"no rendered page for {key} (looked for posts/{slug_of(key)}/index.html "
                 f"and posts/{slug_of(key)}.html in {out})")
        with open(page, encoding="utf-8") as f:
            text = f.read()
        parser = RelatedLinks()
        parser.feed(text)
        want = [norm(n["title"]) for n in neighbours]
        got = [t for _, t in parser.links]
        if want and parser.sections != 1:
            fail(f"{page}: expected one element with class=\"related\", found {parser.sections}")
        if got != want:
            fail(f"{page}: related links do not match {json_path}[{key!r}]\n"
                 f"  expected: {want}\n  rendered: {got}")
        unescaped = html.unescape(text)
        for t in want:
            if t not in norm(unescaped):
                fail(f"{page}: title {t!r} not found in the page")
        for href, title in parser.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                fail(f"{page}: link {href!r} for {title!r} is not a site-absolute path")
            if page_file(out, parts.path) is None:
                fail(f"{page}: link {href!r} for {title!r} points to no page in {out}")
        if slug_of(key) == pick:
            picked = (os.path.relpath(page, out), len(want))

    if picked is None:
        fail(f"no article with slug {pick!r} in {json_path}")

    for dirpath, dirnames, filenames in os.walk(out):
        for name in filenames:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                raw = f.read()
            content = html.unescape(raw.decode("utf-8", errors="replace"))
            content = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), content)
            if draft_title in content:
                fail(f"the draft's title {draft_title!r} appears in {path}")

    print(f"ok {SITE}: {picked[0]} lists {picked[1]} related titles")


if __name__ == "__main__":
    main()
