#!/usr/bin/env python3
"""Relevance evaluation: run `related` on the labelled corpora and print
P@1, P@5 and nDCG@5 next to the reference tool's numbers.

    cargo build --release
    python3 scripts/eval.py                       # default settings
    python3 scripts/eval.py -- --sublinear-tf     # any related flags after --
    python3 scripts/eval.py --tags -- --tag-weight 2   # ropensci with its tags restored (uses the labels!)

Two articles are relevant to each other when they share a label: livedoor's
category (from its directory name) or ropensci's tags. The labels are never
given to `related`: livedoor is read as plain text files, and ropensci's
front matter has no tags. `--tags` restores ropensci's tags into a scratch
copy's front matter to measure tag weighting; that row is marked as using the
labels and is not comparable to the reference.

Needs ../shared (corpora + eval/eval_related.py) beside the repository.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(os.path.dirname(ROOT), "shared")

# Reference: similar-documents (P@5 from ../shared/corpora/README.md).
REFERENCE = {"livedoor": {"P@5": 0.732}, "ropensci": {"P@5": 0.722}}
RANDOM = {"livedoor": 0.113, "ropensci": 0.32}


def evaluate(results, labels, k):
    out = subprocess.run(
        [sys.executable, os.path.join(SHARED, "eval", "eval_related.py"), results, labels, "-k", str(k), "--json"],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)


def run(binary, corpus_dir, inputs, flags, labels):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "related.json")
        started = time.time()
        subprocess.run([binary, *inputs, "-k", "5", "-q", "-o", out, *flags], cwd=corpus_dir, check=True)
        wall = time.time() - started
        p1 = evaluate(out, labels, 1)
        p5 = evaluate(out, labels, 5)
    return {"P@1": p1["P@1"], "P@5": p5["P@5"], "nDCG@5": p5["nDCG@5"], "wall": wall}


def restore_tags(src, dst, labels_file):
    """Copy ropensci's blog into dst with `tags:` restored from the labels."""
    with open(labels_file, encoding="utf-8") as f:
        labels = json.load(f)
    shutil.copytree(os.path.join(src, "content", "blog"), os.path.join(dst, "content", "blog"))
    for key, tags in labels.items():
        path = os.path.join(dst, key)
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        tag_yaml = "tags:\n" + "".join(f"  - {json.dumps(t)}\n" for t in tags)
        text = re.sub(r"\A---\n", "---\n" + tag_yaml, text, count=1)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "related"))
    ap.add_argument("--tags", action="store_true", help="ropensci with tags restored from the labels")
    ap.add_argument("--only", choices=["livedoor", "ropensci"])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("flags", nargs="*", help="extra flags for related (after --)")
    args = ap.parse_args()
    corpora = os.path.join(SHARED, "corpora")
    labels_dir = os.path.join(corpora, "labels")
    rows = {}
    if args.only in (None, "livedoor"):
        rows["livedoor"] = run(args.binary, os.path.join(corpora, "livedoor"), ["text"], args.flags,
                               os.path.join(labels_dir, "livedoor.json"))
    if args.only in (None, "ropensci"):
        if args.tags:
            with tempfile.TemporaryDirectory() as tmp:
                restore_tags(os.path.join(corpora, "ropensci"), tmp, os.path.join(labels_dir, "ropensci.json"))
                rows["ropensci+tags"] = run(args.binary, tmp, ["content/blog"], args.flags,
                                            os.path.join(labels_dir, "ropensci.json"))
        else:
            rows["ropensci"] = run(args.binary, os.path.join(corpora, "ropensci"), ["content/blog"], args.flags,
                                   os.path.join(labels_dir, "ropensci.json"))
    if args.json:
        print(json.dumps({"flags": args.flags, "results": rows}))
        return
    print(f"flags: {' '.join(args.flags) or '(defaults)'}")
    print(f"{'corpus':<15} {'P@1':>6} {'P@5':>6} {'nDCG@5':>7} {'ref P@5':>8} {'random':>7} {'wall':>6}")
    for name, r in rows.items():
        base = name.split("+")[0]
        print(f"{name:<15} {r['P@1']:>6.3f} {r['P@5']:>6.3f} {r['nDCG@5']:>7.3f} "
              f"{REFERENCE[base]['P@5']:>8.3f} {RANDOM[base]:>7.3f} {r['wall']:>5.1f}s")


if __name__ == "__main__":
    main()
