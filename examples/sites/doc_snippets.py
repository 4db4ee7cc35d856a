#!/usr/bin/env python3
"""Keep the code blocks of docs/site-generators.md identical to the example sites' files.

A block preceded by a line `<!-- file: examples/sites/... -->` must hold exactly that file.
    doc_snippets.py           check (exit 1 and name the blocks that differ)
    doc_snippets.py --write   rewrite those blocks from the files
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(ROOT, "docs", "site-generators.md")
BLOCK = re.compile(r"(<!-- file: (\S+) -->\n+(`{3,})([\w-]*)\n)(.*?)(^\3\n)", re.S | re.M)


def main():
    write = sys.argv[1:] == ["--write"]
    with open(DOC, encoding="utf-8") as f:
        doc = f.read()
    stale = []
    count = 0

    def replace(m):
        nonlocal count
        count += 1
        with open(os.path.join(ROOT, m[2]), encoding="utf-8") as f:
            text = f.read()
        if not text.endswith("\n"):
            text += "\n"
        if m[5] != text:
            stale.append(m[2])
        return m[1] + text + m[6]

    new = BLOCK.sub(replace, doc)
    if write:
        if new != doc:
            with open(DOC, "w", encoding="utf-8") as f:
                f.write(new)
        print(f"doc_snippets: {len(stale)} of {count} blocks rewritten")
    elif stale:
        print("doc_snippets: docs/site-generators.md differs from: " + ", ".join(stale)
              + "\n  (run examples/sites/doc_snippets.py --write)", file=sys.stderr)
        sys.exit(1)
    else:
        print(f"doc_snippets: {count} code blocks match the example files")


if __name__ == "__main__":
    main()
