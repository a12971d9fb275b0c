#!/usr/bin/env python3
"""Site profiles on the simulated crawl: line labels and body with and without a profile.

Reads ``<shared>/data/crawl_dev/pages.jsonl`` (exact line labels), learns a
``newsclean.Profile`` from the crawl itself, segments every page with it, and scores with the
project's scorer (``<shared>/tools/score.py``): per-class line precision/recall/F1 and the
body metric. It also reports how the scores grow with the number of pages per site the
profile was learned from (1, 5, 20, 80: the first N pages of each site, in file order; every
page is then segmented with that profile), and the learning throughput on 2 threads.

With ``--crawl FILE`` it scores another crawl in the same format instead (a held-out crawl made
with ``make_crawl.py --seed 7 --sites 8``, say). With ``--scale N`` it also measures memory:
``make_crawl.py --scale N`` is streamed through a pipe into ``Profile.learn`` (the corpus is
never held in memory), and the script prints the distinct keys, the keys seen on two or more
pages, the growth of the process's resident memory while the profile is alive, the saved file
sizes, and from the measured keys per page and bytes per key an extrapolation to 10 million
pages (stated as one).

Targets from the issue (profile learned from the same crawl): boilerplate-line recall and
precision >= 0.99, teaser-line F1 >= 0.97, body F1 >= 0.99.

Run from the repository root::

    python3 bench/profile.py [--json out.json] [--threads 2] [--crawl FILE] [--scale N]

The shared folder is ``../shared`` beside the repository, or ``$NEWSCLEAN_SHARED``; without it
the script exits with status 2.
"""
from __future__ import annotations

import argparse
import collections
import ctypes
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
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


def rss_bytes() -> int:
    """The process's resident memory now (Linux ``/proc/self/statm``), after handing freed heap
    back to the system (``malloc_trim``), so that what is left is what is alive."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


LOAD_PROBE = """
import ctypes, gc, os, sys
import newsclean
def rss():
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
before = rss()
p = newsclean.Profile.load(sys.argv[1])
print(rss() - before, len(p))
"""


def measure_memory(shared: Path, n_pages: int, threads: int) -> dict:
    """Streams ``make_crawl.py --scale n_pages`` into ``Profile.learn`` (default ``max_keys``),
    prunes it as for saving (``prune(2)``), and measures the pruned profile's resident size by
    loading its file in a fresh process."""
    cmd = [sys.executable, str(shared / "tools" / "make_crawl.py"), "--scale", str(n_pages), "--seed", "5"]
    before = rss_bytes()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, encoding="utf-8")
    pending: collections.deque = collections.deque()
    n_bytes = 0

    def texts():
        nonlocal n_bytes
        assert proc.stdout is not None
        for line in proc.stdout:
            rec = json.loads(line)
            n_bytes += len(rec["text"].encode())
            pending.append(rec["site"])
            yield rec["text"]

    def sites():  # Profile.learn takes each text's site right after the text
        while pending:
            yield pending.popleft()

    t0 = time.perf_counter()
    prof = newsclean.Profile.learn(texts(), sites=sites(), num_threads=threads)
    learn_s = time.perf_counter() - t0
    if proc.wait() != 0:
        raise SystemExit(f"error: {' '.join(cmd)} failed with status {proc.returncode}")
    alive = rss_bytes() - before
    keys = len(prof)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.ncprof"
        prof.save(path)
        file_all = path.stat().st_size
        prof.prune(2)
        prof.save(path)
        file_pruned = path.stat().st_size
        out = subprocess.run([sys.executable, "-c", LOAD_PROBE, str(path)], capture_output=True, text=True, check=True)
        loaded_rss, loaded_keys = (int(x) for x in out.stdout.split())
    return {
        "pages": n_pages, "mb": n_bytes / 1e6, "learn_s": learn_s, "keys": keys, "keys_2": len(prof),
        "budget_pruned": prof.budget_pruned, "rss_alive": alive, "loaded_rss": loaded_rss, "loaded_keys": loaded_keys,
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "file": file_all, "file_pruned": file_pruned,
    }


def print_memory(m: dict) -> None:
    mib = 1 << 20
    print(f"memory: make_crawl.py --scale {m['pages']} streamed into Profile.learn: {m['mb']:.0f} MB of text in {m['learn_s']:.1f} s "
          f"(the generator included), key-budget prune {'happened' if m['budget_pruned'] else 'did not happen'}")
    print(f"  learned: {m['keys']:,} keys ({m['keys'] / m['pages']:.2f} a page), resident {m['rss_alive'] / mib:.1f} MiB "
          f"({m['rss_alive'] / max(m['keys'], 1):.0f} B a key), file {m['file'] / mib:.1f} MiB; peak RSS of this process {m['peak_rss'] / mib:.0f} MiB")
    per_key = m["loaded_rss"] / max(m["loaded_keys"], 1)
    print(f"  after prune(2): {m['keys_2']:,} keys ({m['keys_2'] / m['pages']:.3f} a page), file {m['file_pruned'] / mib:.1f} MiB; "
          f"loaded in a fresh process: {m['loaded_rss'] / mib:.1f} MiB resident ({per_key:.0f} B a key)")
    est = m["keys_2"] / m["pages"] * 10_000_000 * per_key
    print(f"  extrapolated to 10,000,000 pages at the measured {m['keys_2'] / m['pages']:.3f} kept keys a page and {per_key:.0f} B a key: "
          f"{est / mib:,.0f} MiB")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--crawl", type=Path, help="score this crawl (make_crawl.py output) instead of crawl_dev")
    ap.add_argument("--scale", type=int, default=0, help="also measure memory on this many streamed make_crawl.py --scale pages")
    args = ap.parse_args(argv)
    shared = shared_dir()
    sys.path.insert(0, str(shared / "tools"))
    import score  # noqa: PLC0415 - the project's scorer, from the shared folder
    gold_path = args.crawl or shared / "data" / "crawl_dev" / "pages.jsonl"
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

    def peer_learn():
        # What one would write in plain Python: lines lower-cased, counted once per page and
        # site (no NFKC, digit or punctuation folding: less work than newsclean does).
        counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for text, site in zip(texts, sites):
            counts[site].update({line.lower() for line in text.split("\n") if len(line) <= 600 and line.strip()})
        return counts

    times, peer_times = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        newsclean.Profile.learn(texts, sites=sites, num_threads=args.threads)
        times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        peer_learn()
        peer_times.append(time.perf_counter() - t0)
    learn_s = statistics.median(times)
    peer_s = statistics.median(peer_times)

    head = f"{'run':<26} {'body F1':>8} {'boil P':>7} {'boil R':>7} {'teaser F1':>9} {'headl F1':>8} {'body line F1':>12}"
    print(f"{gold_path.parent.name if args.crawl is None else gold_path}: {len(recs)} pages, {len(by_site)} sites, {mb:.2f} MB; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
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
    print(f"learning: {len(recs)} pages, {mb:.2f} MB in {learn_s:.3f} s (median of 5) = {mb / learn_s:.1f} MB/s on {args.threads} threads; "
          f"plain-Python line counter (1 thread, no folding) {mb / peer_s:.1f} MB/s in the same run: ratio {peer_s / learn_s:.2f}; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    memory = None
    if args.scale:
        memory = measure_memory(shared, args.scale, args.threads)
        print_memory(memory)
    if args.json:
        out = {"rows": dict(rows), "learn_mb_per_s": mb / learn_s, "peer_mb_per_s": mb / peer_s, "threads": args.threads, "memory": memory}
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
