#!/usr/bin/env python3
"""Recall of an approximate related-articles result against the exact one.

Usage:
    scripts/recall.py EXACT.json APPROX.json [-k K] [--json]

    related corpus/ -k 10 -o exact.json
    related corpus/ -k 10 --min-df 3 -o approx.json
    scripts/recall.py exact.json approx.json -k 10

Prints:
  recall@k   for each article with at least one exact neighbour: the fraction of its exact top-k
             neighbours that are also in its approximate top-k (order ignored), averaged
  identical  the fraction of articles whose top-k lists (neighbour keys, in order) are the same
             in both files, over every article of EXACT
  plus how many articles were compared, and keys found in one file only (an article missing from
  APPROX counts as an empty list: recall 0).

-k K truncates both lists to their first K entries (default: compare the lists whole; with
different list lengths, give -k). Scores are not compared: an approximation that finds the
right neighbours with slightly different scores still has recall 1. Ties: when several
neighbours share the k-th score, the exact list's choice among them is by key, and an
approximate list that picked another tied one is counted as a miss.

Formats (detected from the content):
  related --format json (default)   {"a.md": [{"key": "b.md", "score": 0.3, ...}, ...], ...}
  related --format jsonl            one {"key": "a.md", "related": [...]} per line
  similar-documents                 {"a.md": [["b.md", 0.3], ...], ...}

Python 3 standard library only.
"""
import argparse
import json
import sys


def neighbour_key(entry):
    if isinstance(entry, dict):
        return entry["key"]
    if isinstance(entry, (list, tuple)):  # similar-documents: [path, score]
        return entry[0]
    return entry  # a bare key


def load(path):
    """{article: [neighbour keys, best first]} from any of the formats above."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        data = json.loads(text)
        lines = None
    except json.JSONDecodeError:
        # Not one JSON value: JSON Lines (several values, one per line).
        data = None
        lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    if isinstance(data, dict) and isinstance(data.get("key"), str) and isinstance(data.get("related"), list):
        lines = [data]  # a JSON Lines file of one article
    if lines is not None:
        return {o["key"]: [neighbour_key(e) for e in o["related"]] for o in lines}
    if not isinstance(data, dict):
        sys.exit(f"recall.py: {path}: expected a JSON object of article -> neighbours")
    return {k: [neighbour_key(e) for e in v] for k, v in data.items()}


def main():
    ap = argparse.ArgumentParser(
        usage="%(prog)s EXACT.json APPROX.json [-k K] [--json]", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("exact", metavar="EXACT.json")
    ap.add_argument("approx", metavar="APPROX.json")
    ap.add_argument("-k", type=int, help="compare the first K neighbours of each list (default: whole lists)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args()
    if args.k is not None and args.k < 1:
        ap.error("-k must be >= 1")

    exact, approx = load(args.exact), load(args.approx)
    k = args.k
    cut = (lambda xs: xs[:k]) if k else (lambda xs: xs)

    recall_sum = 0.0
    with_neighbours = identical = 0
    for key, neighbours in exact.items():
        e = cut(neighbours)
        a = cut(approx.get(key, []))
        if e == a:
            identical += 1
        if e:
            with_neighbours += 1
            recall_sum += len(set(e) & set(a)) / len(e)

    n = len(exact)
    result = {
        "k": k if k else "all",
        "articles": n,
        "articles_with_exact_neighbours": with_neighbours,
        "recall": recall_sum / with_neighbours if with_neighbours else None,
        "identical": identical / n if n else None,
        "missing_from_approx": sum(1 for key in exact if key not in approx),
        "extra_in_approx": sum(1 for key in approx if key not in exact),
    }
    if args.json:
        print(json.dumps(result))
        return
    label = f"@{k}" if k else ""

    def fmt(x):
        return "n/a" if x is None else f"{x:.4f}"

    print(f"recall{label:<4}  {fmt(result['recall'])}  (over {with_neighbours:,} articles with >= 1 exact neighbour)")
    print(f"identical  {fmt(result['identical'])}  ({identical:,} of {n:,} articles: same keys in the same order)")
    if result["missing_from_approx"] or result["extra_in_approx"]:
        print(f"keys: {result['missing_from_approx']:,} of EXACT missing from APPROX (counted as empty lists), "
              f"{result['extra_in_approx']:,} in APPROX only (ignored)")


if __name__ == "__main__":
    main()
