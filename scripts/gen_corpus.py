#!/usr/bin/env python3
"""Synthetic corpus generator for scale benchmarks: N Markdown articles made of real sentences.

Usage:
    scripts/gen_corpus.py --docs N --out DIR [--seed S] [--source CORPUS_DIR ...]
                          [--avg-bytes B] [--topics T] [--topic-docs D] [--topic-share F]
                          [--per-dir P] [--labels FILE]

    scripts/gen_corpus.py --docs 10000   --out /tmp/corpus-10k     # 40 MB, ~4 s
    scripts/gen_corpus.py --docs 100000  --out /tmp/corpus-100k    # 400 MB, ~20 s
    scripts/gen_corpus.py --docs 1000000 --out /tmp/corpus-1m      # 4 GB, ~3 min

    Times: 2-core machine, ~2.5 s of it reading the sources. Sizes are the bytes written; on disk,
    4 KiB blocks round most ~4 KB files up to 8 KiB, so count ~1.45x that (10k: 58 MB by
    `du -sh`; 1M: ~6 GB) plus 1M inodes for the 1M corpus.

    benches/compare.sh --no-reference /tmp/corpus-100k             # then time related on it

Why: the real corpora stop at 7,367 articles; a site-scale benchmark needs 100k-1M articles whose
vocabulary behaves like real text (Zipf-like term frequencies, Japanese and English mixed) and
which have related articles to find (topical structure), not uniform random words.

How:
  * Sentence pool: every article file of the --source directories (default: the livedoor,
    rOpenSci and r7kamura corpora in ../shared/corpora beside this repository), walked in sorted
    order. YAML (---) / TOML (+++) front matter and fenced code blocks are stripped, as are lines
    that are only markup (HTML tags, Hugo shortcodes, tables, images) and livedoor's URL and date
    lines. Text is split into sentences on newlines, after 。！？ (Japanese) and after . ! ?
    followed by a space (English); fragments shorter than ~20 columns (a CJK character counts 2)
    are dropped.
  * Topics: --topics (200) topics, each a random subset of --topic-docs (50) source documents.
    Every synthetic article gets one topic and draws --topic-share (80%) of its sentences from
    that topic's documents and the rest from the whole pool, so articles of the same topic share
    vocabulary and are each other's true neighbours. The topic is not written into the article;
    --labels FILE writes it to a JSON file ({"0000/0000000.md": ["topic-017"], ...}, keys relative
    to DIR) that ../shared/eval/eval_related.py takes, to check that the structure is findable.
  * Length: each article's target size is drawn from a log-normal distribution with mean
    --avg-bytes (4000), so sizes vary like a real site's; the title and date count towards it.
  * Output: DIR/<shard>/<n>.md, --per-dir (1000) articles per folder, zero-padded names
    (0000/0000000.md ...), with front matter `title:` (the first sentence, truncated to 60
    characters) and `date:`. Files are written one at a time: memory is the sentence pool
    (~60 MB with the default sources), whatever N.

Deterministic: the same --seed, sources and options give byte-identical output. The topics are
drawn before the articles and each article only consumes the random stream after them, so the
first 10,000 articles of a 100k corpus are exactly the 10k corpus of the same seed.

Python 3 standard library only. DIR must not exist or be empty (no mixing with an older, larger
run). Prints a summary: articles, total MB, mean size, seconds.
"""
import argparse
import math
import os
import random
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
DEFAULT_SOURCES = [
    os.path.join(SHARED, "corpora", "livedoor", "text"),
    os.path.join(SHARED, "corpora", "ropensci", "content", "blog"),
    os.path.join(SHARED, "corpora", "r7kamura", "articles"),
]
# The extensions related's directory walk reads by default.
EXTENSIONS = (".md", ".markdown", ".mdx", ".html", ".htm", ".txt")
# Corpus metadata, not articles (livedoor/text has LICENSE.txt, README.txt, CHANGES.txt).
SKIP_NAMES = ("license", "readme", "changes", "copying")

# Sentence ends: after Japanese full stops/marks (zero-width, they stay attached), or after
# Latin . ! ? followed by white space (so "node.js" and "3.14" are not split).
SENTENCE_END = re.compile(r"(?<=[。！？])|(?<=[.!?])\s+")
# Lines that are markup or metadata rather than prose.
JUNK_LINE = re.compile(
    r"""^(\s*$                     # blank
        |\s*<[^>]*>\s*$            # a lone HTML tag
        |\s*\{\{[<%].*$            # Hugo shortcode
        |\s*\|.*\|\s*$             # table row
        |\s*!\[.*$                 # image
        |https?://\S+\s*$          # bare URL (livedoor's first line)
        |\d{4}-\d{2}-\d{2}T\S*\s*$ # ISO date (livedoor's second line)
        |\s*[-=*_]{3,}\s*$         # rule / setext underline
        )""",
    re.X,
)
# Leading Markdown block markers: headings, quotes, list bullets and numbers.
BLOCK_MARKER = re.compile(r"^\s*(?:#{1,6}\s+|>\s*|[-*+]\s+|\d+[.)]\s+)+")
WIDE = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")  # kana, CJK ideographs, full-width forms
MIN_COLUMNS = 20


def walk(root):
    """Article files under root, sorted, hidden entries skipped (like related's walk)."""
    if os.path.isfile(root):
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            base = name.lower()
            if name.startswith(".") or not base.endswith(EXTENSIONS):
                continue
            if base.split(".")[0] in SKIP_NAMES:
                continue
            yield os.path.join(dirpath, name)


def strip_front_matter(text):
    for fence in ("---", "+++"):
        if text.startswith(fence + "\n") or text.startswith(fence + "\r\n"):
            end = text.find("\n" + fence, len(fence))
            if end != -1:
                nl = text.find("\n", end + 1 + len(fence))
                return text[nl + 1:] if nl != -1 else ""
    return text


def sentences(text):
    """The prose sentences of one article, as UTF-8 bytes (what gets written, and measured)."""
    out = []
    in_code = None
    for line in strip_front_matter(text).splitlines():
        stripped = line.lstrip()
        # Code fences: ``` or ~~~ opens; the same marker closes.
        if in_code:
            if stripped.startswith(in_code):
                in_code = None
            continue
        if stripped.startswith("```") or stripped.startswith("~~~"):
            in_code = stripped[:3]
            continue
        if JUNK_LINE.match(line):
            continue
        line = BLOCK_MARKER.sub("", line)
        for s in SENTENCE_END.split(line):
            s = s.strip()
            if not s:
                continue
            # Width in columns: a CJK character says about as much as two Latin letters.
            if len(s) + len(WIDE.findall(s)) < MIN_COLUMNS:
                continue
            out.append(s.encode("utf-8"))
    return out


def load_pool(sources):
    """Flat sentence list + [start, end) per source document that has sentences."""
    pool, docs = [], []
    for src in sources:
        if not os.path.exists(src):
            sys.exit(f"gen_corpus.py: source not found: {src}")
        for path in walk(src):
            with open(path, encoding="utf-8", errors="replace") as f:
                sents = sentences(f.read())
            if sents:
                docs.append((len(pool), len(pool) + len(sents)))
                pool.extend(sents)
    return pool, docs


def yaml_quote(s):
    """A YAML double-quoted scalar: escape backslash and quote, drop control characters."""
    s = "".join(c for c in s if c >= " " and c != "\x7f")
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    ap = argparse.ArgumentParser(
        usage="%(prog)s --docs N --out DIR [options]  (--help for all)", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--docs", type=int, required=True, help="number of articles")
    ap.add_argument("--out", required=True, help="output directory (must not exist or be empty)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--source", action="append", metavar="CORPUS_DIR",
                    help="where sentences come from (repeatable; default: livedoor, rOpenSci and r7kamura in ../shared/corpora)")
    ap.add_argument("--avg-bytes", type=int, default=4000, help="mean article size in bytes (default 4000)")
    ap.add_argument("--topics", type=int, default=200, help="number of topics (default 200)")
    ap.add_argument("--topic-docs", type=int, default=50, help="source documents per topic (default 50)")
    ap.add_argument("--topic-share", type=float, default=0.8, help="fraction of sentences drawn from the article's topic (default 0.8)")
    ap.add_argument("--per-dir", type=int, default=1000, help="articles per subdirectory (default 1000)")
    ap.add_argument("--labels", metavar="FILE", help="also write each article's topic as JSON labels (keys relative to --out)")
    args = ap.parse_args()
    if args.docs < 1 or args.avg_bytes < 100 or args.topics < 1 or args.topic_docs < 1 or args.per_dir < 1:
        ap.error("--docs, --topics, --topic-docs, --per-dir must be >= 1 and --avg-bytes >= 100")
    if not 0 <= args.topic_share <= 1:
        ap.error("--topic-share must be between 0 and 1")
    if os.path.isdir(args.out) and os.listdir(args.out):
        ap.error(f"{args.out} is not empty; remove it or choose another --out")

    t0 = time.monotonic()
    sources = args.source or DEFAULT_SOURCES
    pool, docs = load_pool(sources)
    if not pool:
        sys.exit("gen_corpus.py: no sentences found in the sources")
    t_pool = time.monotonic() - t0
    print(f"pool: {len(pool):,} sentences from {len(docs):,} documents ({t_pool:.1f} s)", file=sys.stderr)

    rng = random.Random(args.seed)
    # Topics first, so that the article stream (below) is a pure function of the seed and the
    # article index order: a larger corpus starts with the smaller one.
    per_topic = min(args.topic_docs, len(docs))
    topics = [rng.sample(range(len(docs)), per_topic) for _ in range(args.topics)]

    # Log-normal sizes with the requested mean: mean = exp(mu + sigma^2 / 2).
    sigma = 0.6
    mu = math.log(args.avg_bytes) - sigma * sigma / 2
    npool = len(pool)
    shard_width = max(4, len(str((args.docs - 1) // args.per_dir)))
    file_width = max(7, len(str(args.docs - 1)))

    def draw(topic):
        if rng.random() < args.topic_share:
            start, end = docs[topic[rng.randrange(per_topic)]]
            return pool[rng.randrange(start, end)]
        return pool[rng.randrange(npool)]

    # Labels are streamed like the articles (one line each), not held in memory.
    labels = open(args.labels, "w", encoding="utf-8") if args.labels else None
    if labels:
        labels.write("{")
    total = 0
    for n in range(args.docs):
        shard = n // args.per_dir
        if n % args.per_dir == 0:
            shard_dir = os.path.join(args.out, str(shard).zfill(shard_width))
            os.makedirs(shard_dir, exist_ok=True)
        topic_id = rng.randrange(args.topics)
        topic = topics[topic_id]
        target = min(max(rng.lognormvariate(mu, sigma), 200), 20 * args.avg_bytes)
        date = f"{rng.randint(2010, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"

        first = draw(topic).decode("utf-8")
        title = first if len(first) <= 60 else first[:59] + "…"
        head = f"---\ntitle: {yaml_quote(title)}\ndate: {date}\n---\n".encode("utf-8")
        parts = [head]
        size = len(head)
        # Body: paragraphs of 2-6 sentences. A sentence is added while the article stays under
        # its target by at least half of that sentence, so overshoot and undershoot cancel on
        # average and the mean size stays at --avg-bytes. At least one body sentence.
        para, left, nbody = [], rng.randint(2, 6), 0
        while True:
            s = draw(topic)
            if nbody and size + len(s) // 2 > target:
                break
            if para:
                # Japanese runs on without a space; Latin text needs one.
                para.append(b"" if para[-1][-1] >= 0x80 else b" ")
            para.append(s)
            size += len(s) + 1
            nbody += 1
            left -= 1
            if left == 0:
                parts.append(b"\n" + b"".join(para) + b"\n")
                size += 1
                para, left = [], rng.randint(2, 6)
        if para:
            parts.append(b"\n" + b"".join(para) + b"\n")
        data = b"".join(parts)
        name = str(n).zfill(file_width) + ".md"
        with open(os.path.join(shard_dir, name), "wb") as f:
            f.write(data)
        if labels:
            key = str(shard).zfill(shard_width) + "/" + name
            labels.write(f'{"," if n else ""}\n"{key}": ["topic-{topic_id:03d}"]')
        total += len(data)
        if (n + 1) % 100000 == 0:
            print(f"  {n + 1:,} articles, {total / 1e6:,.0f} MB, {time.monotonic() - t0:.0f} s", file=sys.stderr)

    if labels:
        labels.write("\n}\n")
        labels.close()
    secs = time.monotonic() - t0
    print(f"{args.docs:,} articles in {args.out}: {total / 1e6:,.1f} MB "
          f"(mean {total / args.docs:,.0f} bytes), {secs:.1f} s "
          f"({t_pool:.1f} s reading {len(docs):,} source documents)")


if __name__ == "__main__":
    main()
