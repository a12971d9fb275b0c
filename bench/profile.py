#!/usr/bin/env python3
"""Site profiles on the simulated crawl: line labels and body with and without a profile.

Reads ``<shared>/data/crawl_dev/pages.jsonl`` (exact line labels), learns a
``newsclean.Profile`` from the crawl itself, segments every page with it, and scores with the
project's scorer (``<shared>/tools/score.py``): per-class line precision/recall/F1 and the
body metric. It also reports how the scores grow with the number of pages per site the
profile was learned from (1, 5, 20, 80: the first N pages of each site, in file order; every
page is then segmented with that profile), and the learning throughput on 2 threads.

Targets from the issue (profile learned from the same crawl): boilerplate-line recall and
precision >= 0.99, teaser-line F1 >= 0.97, body F1 >= 0.99.

Run from the repository root::

    python3 bench/profile.py [--json out.json] [--threads 2]

The shared folder is ``../shared`` beside the repository, or ``$NEWSCLEAN_SHARED``; without it
the script exits with status 2.
"""
from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import shared_dir  # noqa: E402

import newsclean  # noqa: E402


def score_run(score, gold_path: Path, recs: list[dict], pages) -> dict:
    preds = {r["id"]: {"body": p.body, "line_labels": p.labels, "_where": "newsclean"} for r, p in zip(recs, pages)}
    s = score.score(str(gold_path), recs, preds)
    pc = s["lines"]["per_class"]
    return {
        "body_zyte_f1": s["body"]["zyte"]["f1"],
        **{f"{c}_{k}": pc[c][k] for c in ("headline", "teaser", "body", "boilerplate") for k in ("precision", "recall", "f1")},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args(argv)
    shared = shared_dir()
    sys.path.insert(0, str(shared / "tools"))
    import score  # noqa: PLC0415 - the project's scorer, from the shared folder
    gold_path = shared / "data" / "crawl_dev" / "pages.jsonl"
    recs = [json.loads(line) for line in gold_path.open(encoding="utf-8")]
    texts = [r["text"] for r in recs]
    sites = [r["site"] for r in recs]
    mb = sum(len(t.encode()) for t in texts) / 1e6

    rows = []
    plain = newsclean.segment_batch(texts, num_threads=args.threads)
    rows.append(("no profile", score_run(score, gold_path, recs, plain)))
    by_site: dict[str, list[int]] = collections.defaultdict(list)
    for i, s in enumerate(sites):
        by_site[s].append(i)
    for n in (1, 5, 20, 80):
        idx = sorted(i for ids in by_site.values() for i in ids[:n])
        prof = newsclean.Profile.learn([texts[i] for i in idx], sites=[sites[i] for i in idx], num_threads=args.threads)
        pages = newsclean.segment_batch(texts, sites=sites, profile=prof, num_threads=args.threads)
        rows.append((f"profile, {n} pages/site", score_run(score, gold_path, recs, pages)))
    prof = newsclean.Profile.learn(texts, sites=sites, num_threads=args.threads)
    pages = newsclean.segment_batch(texts, sites=sites, profile=prof, num_threads=args.threads)
    full = score_run(score, gold_path, recs, pages)
    rows.append(("profile, whole crawl", full))

    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        newsclean.Profile.learn(texts, sites=sites, num_threads=args.threads)
        times.append(time.perf_counter() - t0)
    learn_s = statistics.median(times)

    head = f"{'run':<26} {'body F1':>8} {'boil P':>7} {'boil R':>7} {'teaser F1':>9} {'headl F1':>8} {'body line F1':>12}"
    print(f"crawl_dev: {len(recs)} pages, {len(by_site)} sites, {mb:.2f} MB")
    print(head)
    print("-" * len(head))
    for name, r in rows:
        print(
            f"{name:<26} {r['body_zyte_f1']:>8.3f} {r['boilerplate_precision']:>7.3f} {r['boilerplate_recall']:>7.3f} "
            f"{r['teaser_f1']:>9.3f} {r['headline_f1']:>8.3f} {r['body_f1']:>12.3f}"
        )
    targets = [
        ("boilerplate recall >= 0.99", full["boilerplate_recall"] >= 0.99, full["boilerplate_recall"]),
        ("boilerplate precision >= 0.99", full["boilerplate_precision"] >= 0.99, full["boilerplate_precision"]),
        ("teaser F1 >= 0.97", full["teaser_f1"] >= 0.97, full["teaser_f1"]),
        ("body F1 >= 0.99", full["body_zyte_f1"] >= 0.99, full["body_zyte_f1"]),
    ]
    for name, ok, v in targets:
        print(f"target {name}: {v:.3f} — {'met' if ok else 'NOT met'}")
    print(f"learning: {len(recs)} pages, {mb:.2f} MB in {learn_s:.3f} s (median of 5) = {mb / learn_s:.1f} MB/s on {args.threads} threads")
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": dict(rows), "learn_mb_per_s": mb / learn_s, "threads": args.threads}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
