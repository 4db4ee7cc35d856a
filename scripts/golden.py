#!/usr/bin/env python3
"""Expected cosine scores for the golden-parity test, computed with scikit-learn.

Input: the terms `related` extracts per article (examples/dump_terms.rs), so the
comparison isolates weighting and similarity from tokenization.
Output: {"key": [["other", score], ...]} with every other article scoring > 0,
ordered as `related` orders them: score rounded to 6 decimals descending, then key.
`--raw-tf` gives TfidfVectorizer()'s defaults (related --tf raw); without it,
TfidfVectorizer(sublinear_tf=True) (related's default).

    cargo run --example dump_terms -- fixtures/golden > fixtures/golden.terms.json
    python3 scripts/golden.py fixtures/golden.terms.json > fixtures/golden.expected.json
    python3 scripts/golden.py --raw-tf fixtures/golden.terms.json > fixtures/golden.expected-raw.json

Needs scikit-learn (pip install scikit-learn).
"""
import json
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity


def main() -> None:
    args = sys.argv[1:]
    raw_tf = "--raw-tf" in args
    path = [a for a in args if a != "--raw-tf"][0]
    with open(path, encoding="utf-8") as f:
        terms = json.load(f)
    keys = sorted(terms)
    # TfidfVectorizer defaults (smooth idf, l2) on our terms; sublinear tf
    # unless --raw-tf.
    vectorizer = TfidfVectorizer(analyzer=lambda doc: doc, sublinear_tf=not raw_tf)
    matrix = vectorizer.fit_transform([terms[k] for k in keys])
    sims = cosine_similarity(matrix)
    out = {}
    for i, key in enumerate(keys):
        others = [(keys[j], float(sims[i, j])) for j in range(len(keys)) if j != i and sims[i, j] > 0]
        others.sort(key=lambda kv: (-round(kv[1], 6), kv[0]))
        out[key] = others
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
