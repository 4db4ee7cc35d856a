#!/usr/bin/env python3
"""Hostile-input sweep (issue 12): no input below 10 MB may take more than
2 s of CPU or about 1 GB of memory to read and extract.

Generates a ~10 MB file of every hostile input class (the patterns of issue
12 and variants of them: other tags, attributes, entity runs, emphasis
runs, nested quotes and lists, wide tables, footnotes, HTML in Markdown and
in feeds, front matter anchors and long keys, deep JSON Lines), runs the
release binary on each (with two small articles beside it) under
`/usr/bin/time -f "%U %M"`, prints a table and exits 1 if any class is over
a limit.

    cargo build --release
    python3 scripts/hostile.py [--binary target/release/related] [--size 10000000]
        [--only SUBSTRING] [--markdown]
"""

import argparse
import os
import subprocess
import sys
import tempfile

MAX_SECONDS = 2.0
MAX_MB = 1000


def fill(unit, size, pre="", post="text"):
    """`pre` + `unit` repeated (with `{i}` numbered) up to `size` bytes + `post`."""
    if "{i}" not in unit:
        return pre + unit * max(1, (size - len(pre) - len(post)) // len(unit)) + post
    parts, total, i = [], len(pre) + len(post), 0
    while total < size:
        u = unit.replace("{i}", str(i))
        parts.append(u)
        total += len(u)
        i += 1
    return pre + "".join(parts) + post


def classes(n):
    """(name, file name, content) of every class, each about `n` bytes."""
    tags = "<div>" * 200 + "</i>" * 200
    esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # `unit` repeated, then escaped, to about `n` bytes.
    efill = lambda unit: esc(fill(unit, n * len(unit) // len(esc(unit)) - 200, "", ""))
    feed = lambda desc: f"<rss><channel><item><link>a</link><description>{desc}</description></item></channel></rss>"
    out = [
        # HTML pages
        ("html unmatched end tags", "h.html", fill(tags, n, "<body>")),
        ("html empty comment", "h.html", fill("<div>", n, "<!-->", "<!-- -->text")),
        ("html empty comment dash", "h.html", fill("<div>", n, "<!--->", "<!-- -->text")),
        ("html attribute quote", "h.html", fill("<section>", n, '<div =">', '"text')),
        ("html deep spans", "h.html", fill("<span class=a>", n)),
        ("html span div any-other-end", "h.html", fill("<span><div></span>", n)),
        ("html custom el section", "h.html", fill("<x-a><section></x-a>", n)),
        ("html p b reopened", "h.html", fill("<p><b id={i}>x</p>", n)),
        ("html div font reopened", "h.html", fill('<div><font color="{i}">x</div>', n)),
        ("html p a reopened", "h.html", fill("<p><a href={i}>x</p>", n)),
        ("html li em reopened", "h.html", fill("<li><em class={i}>x</li>", n)),
        (
            "html 20 pending then paragraphs",
            "h.html",
            fill("<p>x", n, "<p>" + "".join(f"<b id={i}><i id={i}>" for i in range(20)) + "</p>"),
        ),
        ("html nobr runs", "h.html", fill("<nobr>x", n)),
        ("html misnested a/div", "h.html", fill("<a href=x><div>y</a>", n)),
        ("html svg breakout", "h.html", fill("<svg><g><b>x", n)),
        ("html math mtext", "h.html", fill("<math><mtext><div>", n)),
        ("html script escape", "h.html", fill("<script><!--<script></script>", n)),
        ("html table columns", "h.html", fill("<td>x", n, "<table><tr>")),
        ("html nested tables", "h.html", fill("<table><tr><td>", n)),
        ("html entity runs", "h.html", fill("&amp;&#12354;&lt;&nbsp;", n, "<p>")),
        ("html many attributes", "h.html", fill(' a{i}="v"', n, "<div", ">text")),
        ("html plain text", "h.html", fill("xxxxx xxxx xxxx\n", n)),
        # Markdown
        ("md link open", "m.md", fill("[a](", n, "# T\n\n")),
        ("md image open", "m.md", fill("![a](", n, "# T\n\n")),
        ("md brackets", "m.md", fill("[a", n, "# T\n\n")),
        ("md link dest <", "m.md", fill("[a](<", n, "# T\n\n")),
        ("md emphasis * _", "m.md", fill("*a_", n, "# T\n\n")),
        ("md strong runs", "m.md", fill("**a__", n, "# T\n\n")),
        ("md strikethrough", "m.md", fill("~~a", n, "# T\n\n")),
        ("md backticks", "m.md", fill("`a``", n, "# T\n\n")),
        ("md blockquote >", "m.md", fill(">", n, "# T\n\n", " x")),
        ("md quote lines", "m.md", fill("> > > > x\n", n, "# T\n\n")),
        ("md nested lists", "m.md", "# T\n\n" + "".join("  " * i + "- x\n" for i in range(int(n**0.5)))),
        ("md list items", "m.md", fill("- [a](\n", n, "# T\n\n")),
        ("md table columns", "m.md", fill("|a", n, "# T\n\n|a|b|\n|-|-|\n")),
        ("md table rows", "m.md", fill("|a|*b|[c|\n", n, "# T\n\n|a|b|c|\n|-|-|-|\n")),
        ("md footnote refs", "m.md", fill("[^{i}]", n, "# T\n\n")),
        ("md footnote defs", "m.md", fill("[^{i}]: x\n", n, "# T\n\n")),
        ("md html block", "m.md", fill(tags, n, "# T\n\n<div>\n")),
        ("md inline html b", "m.md", fill("<b id={i}>x", n, "# T\n\n")),
        ("md entity runs", "m.md", fill("&amp;&#12354;", n, "# T\n\n")),
        ("md math $", "m.md", fill("$a", n, "# T\n\n")),
        ("md headings", "m.md", fill("# [a](\n", n)),
        ("md plain lines", "m.md", fill("xay\n", n, "# T\n\n")),
        # Front matter
        ("yaml flow", "f.md", "---\nx: " + "[" * (n // 2) + "]" * (n // 2) + "\n---\ntext"),
        ("yaml mapping", "f.md", fill("{a: ", n, "---\nx: ", "\n---\ntext")),
        ("yaml shallow many", "f.md", fill("[[[1]]], ", n, "---\nx: [", "]\n---\ntext")),
        ("yaml anchors", "f.md", fill("- &a{i} [x]\n", n, "---\nx:\n", "---\ntext")),
        ("yaml aliases", "f.md", fill("- *a\n", n, "---\ny: &a [1, 2]\nx:\n", "---\ntext")),
        ("yaml long key", "f.md", "---\n" + "k" * (n) + ": v\n---\ntext"),
        ("toml array", "f.md", "+++\nx = " + "[" * (n // 2) + "]" * (n // 2) + "\n+++\ntext"),
        ("toml inline", "f.md", fill("{a = ", n, "+++\nx = ", "\n+++\ntext")),
        ("toml dotted key", "f.md", fill("a.", n, "+++\n", "b = 1\n+++\ntext")),
        # Feeds: one item whose description is the whole file (HTML escaped
        # or in CDATA), as a feed with many items is many articles.
        ("feed description html", "f.xml", feed(efill(tags))),
        ("feed description reopened", "f.xml", feed(efill("<p><b id={i}>x</p>"))),
        ("feed description paragraphs", "f.xml", feed(efill("<p>x"))),
        ("feed description cdata", "f.xml", feed("<![CDATA[" + fill("<span><div></span>", n, "", "") + "]]>")),
        ("atom deep content", "f.xml", '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>a</id><content type="html">' + efill("<div>") + "</content></entry></feed>"),
        # JSON Lines
        ("jsonl deep nesting", "j.jsonl", '{"key":"a","text":"x","x":' + "[" * (n // 2) + "]" * (n // 2) + "}\n"),
    ]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default="target/release/related")
    ap.add_argument("--size", type=int, default=10_000_000)
    ap.add_argument("--only", default="")
    ap.add_argument("--timeout", type=int, default=120, help="seconds before a run is stopped")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    failed = []
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("walrus.md", "tusks.md"):
            with open(os.path.join(tmp, name), "w") as f:
                f.write(f"# {name}\nThe walrus has long tusks and whiskers.\n")
        for cls, file, content in classes(args.size):
            if args.only not in cls:
                continue
            path = os.path.join(tmp, file)
            with open(path, "w", encoding="utf-8") as f:
                f.write(content)
            size = os.path.getsize(path)
            proc = subprocess.run(
                ["/usr/bin/time", "-f", "%U %M", "timeout", str(args.timeout), binary, "walrus.md", "tusks.md", file, "-o", "out.json"],
                cwd=tmp,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            last = proc.stderr.strip().splitlines()[-1].split()
            seconds, mb = float(last[-2]), int(last[-1]) / 1024
            bad = seconds > MAX_SECONDS or mb > MAX_MB or proc.returncode != 0
            status = "FAIL" if bad else "ok"
            if proc.returncode == 124:
                status += f" (stopped after {args.timeout} s)"
            elif proc.returncode != 0:
                status += f" (exit {proc.returncode})"
            if bad:
                failed.append(cls)
            rows.append((cls, size, seconds, mb, status))
            if args.markdown:
                print(f"| {cls} | {size / 1e6:.1f} MB | {seconds:.2f} | {mb:.0f} | {status} |", flush=True)
            else:
                print(f"{cls:34} {size / 1e6:6.1f} MB {seconds:6.2f} s {mb:7.0f} MB  {status}", flush=True)
            os.remove(path)
    if failed:
        print(f"{len(failed)} class(es) over {MAX_SECONDS} s or {MAX_MB} MB: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
