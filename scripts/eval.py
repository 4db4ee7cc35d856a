#!/usr/bin/env python3
"""Relevance evaluation: run `related` on the four shared labelled corpora, one
after the other, and print P@1, P@5 and nDCG@5 per corpus next to the
reference tool's P@5, with the macro average and the wall time per corpus.

    cargo build --release
    python3 scripts/eval.py                          # default settings, all four corpora
    python3 scripts/eval.py -- --code-weight 2       # any related flags after --
    python3 scripts/eval.py --only zenn,simonw-til   # a subset
    python3 scripts/eval.py --markdown -- --stem     # one QUALITY.md-ready table row
    python3 scripts/eval.py --json                   # one JSON object, for scripts
    python3 scripts/eval.py --tags -- --tag-weight 2 # ropensci with its tags restored (uses the labels!)

| corpus     | run (from the corpus folder) | labels                               |
| ---------- | ---------------------------- | ------------------------------------ |
| livedoor   | `related text`               | category (directory name)            |
| ropensci   | `related content/blog`       | front-matter tags (removed from copy)|
| simonw-til | `related til`                | topic folder                         |
| zenn       | `related .` in `articles/`   | author topics (removed from copy)    |

Two articles are relevant to each other when they share a label. The labels
are never given to `related`: keys (paths) are never indexed, and the copies'
front matter has no tags/topics. `--tags` restores ropensci's tags into a
scratch copy's front matter to measure tag weighting; that row is marked as
using the labels and is not comparable to the reference.

The shared folder (corpora/ and eval/eval_related.py) is found with --shared,
else $RELATED_SHARED, else the first `shared` folder beside the repository or
one of its parents.
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

# name -> (folder under corpora/, inputs given to related, labels file)
CORPORA = {
    "livedoor": ("livedoor", ["text"], "livedoor.json"),
    "ropensci": ("ropensci", ["content/blog"], "ropensci.json"),
    "simonw-til": ("simonw-til", ["til"], "simonw-til.json"),
    "zenn": (os.path.join("zenn", "articles"), ["."], "zenn.json"),
}
# Reference: similar-documents, P@5 (corpora/README.md); random neighbours' expected P@5.
REFERENCE = {"livedoor": 0.732, "ropensci": 0.722, "simonw-til": 0.309, "zenn": 0.700}
RANDOM = {"livedoor": 0.113, "ropensci": 0.320, "simonw-til": 0.039, "zenn": 0.063}
METRICS = ("P@1", "P@5", "nDCG@5")


def find_shared(explicit):
    if explicit:
        return explicit
    if os.environ.get("RELATED_SHARED"):
        return os.environ["RELATED_SHARED"]
    d = ROOT
    while True:
        cand = os.path.join(os.path.dirname(d), "shared")
        if os.path.isdir(os.path.join(cand, "corpora")):
            return cand
        parent = os.path.dirname(d)
        if parent == d:
            sys.exit("eval.py: no `shared` folder (corpora/, eval/) beside the repository or its parents; "
                     "pass --shared DIR or set RELATED_SHARED")
        d = parent


def evaluate(shared, results, labels, k):
    out = subprocess.run(
        [sys.executable, os.path.join(shared, "eval", "eval_related.py"), results, labels, "-k", str(k), "--json"],
        check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(out)


def run(shared, binary, corpus_dir, inputs, flags, labels):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "related.json")
        started = time.time()
        proc = subprocess.run([binary, *inputs, "-k", "5", "-q", "-o", out, *flags], cwd=corpus_dir)
        wall = time.time() - started
        if proc.returncode != 0:
            sys.exit(f"eval.py: `related` failed (exit {proc.returncode}) in {corpus_dir}")
        p1 = evaluate(shared, out, labels, 1)
        p5 = evaluate(shared, out, labels, 5)
    return {"P@1": p1["P@1"], "P@5": p5["P@5"], "nDCG@5": p5["nDCG@5"], "wall": round(wall, 3)}


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


def macro(rows):
    """Mean of each metric over the corpora that were run (None if none)."""
    if not rows:
        return None
    return {m: sum(r[m] for r in rows.values()) / len(rows) for m in METRICS}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", "--binary", dest="binary", default=os.path.join(ROOT, "target", "release", "related"),
                    help="the related binary (default: target/release/related)")
    ap.add_argument("--shared", help="the shared folder holding corpora/ and eval/")
    ap.add_argument("--only", help="comma-separated corpora to run (default: all four): " + ",".join(CORPORA))
    ap.add_argument("--tags", action="store_true", help="ropensci with tags restored from the labels")
    out_fmt = ap.add_mutually_exclusive_group()
    out_fmt.add_argument("--json", action="store_true", help="print one JSON object")
    out_fmt.add_argument("--markdown", action="store_true",
                         help="print one Markdown table row: settings | P@1 P@5 nDCG@5 per corpus | macro")
    ap.add_argument("--label", help="the settings cell of the --markdown row (default: the flags)")
    ap.add_argument("flags", nargs="*", help="extra flags for related (after --)")
    args = ap.parse_args()

    binary = os.path.abspath(args.binary)
    if not os.path.isfile(binary):
        sys.exit(f"eval.py: no binary at {binary}; run `cargo build --release` or pass --bin PATH")
    shared = os.path.abspath(find_shared(args.shared))
    corpora = os.path.join(shared, "corpora")
    labels_dir = os.path.join(corpora, "labels")
    names = list(CORPORA)
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in CORPORA]
        if unknown:
            sys.exit(f"eval.py: unknown corpus {', '.join(unknown)}; choose from {', '.join(CORPORA)}")

    rows = {}
    for name in names:  # sequential on purpose: runs share the machine's cores
        folder, inputs, labels = CORPORA[name]
        labels = os.path.join(labels_dir, labels)
        if name == "ropensci" and args.tags:
            with tempfile.TemporaryDirectory() as tmp:
                restore_tags(os.path.join(corpora, folder), tmp, labels)
                rows["ropensci+tags"] = run(shared, binary, tmp, inputs, args.flags, labels)
        else:
            rows[name] = run(shared, binary, os.path.join(corpora, folder), inputs, args.flags, labels)
    avg = macro(rows)

    if args.json:
        print(json.dumps({"flags": args.flags, "results": rows, "macro": avg,
                          "reference_P@5": {n: REFERENCE[n.split("+")[0]] for n in rows}}))
        return
    settings = args.label or (" ".join(f"`{f}`" if f.startswith("-") else f for f in args.flags) or "defaults")
    if args.markdown:
        cells = [settings]
        for r in rows.values():
            cells += [f"{r[m]:.3f}" for m in METRICS]
        cells += [f"{avg[m]:.3f}" for m in METRICS]
        print("| " + " | ".join(cells) + " |")
        return
    print(f"flags: {' '.join(args.flags) or '(defaults)'}")
    print(f"{'corpus':<15} {'P@1':>6} {'P@5':>6} {'nDCG@5':>7} {'ref P@5':>8} {'random':>7} {'wall':>7}")
    for name, r in rows.items():
        base = name.split("+")[0]
        print(f"{name:<15} {r['P@1']:>6.3f} {r['P@5']:>6.3f} {r['nDCG@5']:>7.3f} "
              f"{REFERENCE[base]:>8.3f} {RANDOM[base]:>7.3f} {r['wall']:>6.1f}s")
    ref = sum(REFERENCE[n.split("+")[0]] for n in rows) / len(rows)
    print(f"{'macro':<15} {avg['P@1']:>6.3f} {avg['P@5']:>6.3f} {avg['nDCG@5']:>7.3f} {ref:>8.3f} "
          f"{'':>7} {sum(r['wall'] for r in rows.values()):>6.1f}s")
    if args.tags:
        print("ropensci+tags uses the labels (restored tags): not comparable to the reference")


if __name__ == "__main__":
    main()
