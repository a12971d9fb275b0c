#!/usr/bin/env python3
"""Arrow input against the list path, on a pandas 3 string column, side by side.

    python3 bench/arrow.py                     # a million rows, 5 runs each
    python3 bench/arrow.py --rows 200000 --runs 3

The column is a pandas 3 ``str`` Series (Arrow storage, ``large_string``) of a million rows:
the lines of pages streamed by ``../shared/tools/make_crawl.py --scale`` (headlines, menus,
paragraphs; the bench exits with a message when ../shared is absent). Each call gets the same
column; the paths differ only in how the texts reach Rust:

  arrow      newsclean.f(series): the column's Arrow buffers, read through __arrow_c_stream__
  iterate    newsclean.f(iter(series)): one Python str per row, made while iterating the
             Series (what newsclean did for a Series before it read Arrow)
  tolist     newsclean.f(series.tolist()): pandas builds the list of str first (timed too)
  list       newsclean.f(strs): a list of str that already exists (the strings' cost is not
             timed at all: the best case of the list path)

for f = clean_batch (segment every row, bodies out), dedup (keep mask out) and, to show the
input path alone, ``segment_batch`` of empty rows is not used: instead ``minhash(num_perm=1)``
of the same rows, the cheapest call that still reads every byte. Medians of ``--runs`` runs,
interleaved; ratio = list-path median / Arrow median.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAKE_CRAWL = ROOT.parent / "shared" / "tools" / "make_crawl.py"


def rows(n: int) -> list[str]:
    if not MAKE_CRAWL.is_file():
        raise SystemExit(f"error: {MAKE_CRAWL} is not there: this benchmark needs ../shared/tools/make_crawl.py")
    out: list[str] = []
    pages = max(100, n // 25)
    proc = subprocess.Popen([sys.executable, str(MAKE_CRAWL), "--scale", str(pages)], stdout=subprocess.PIPE, text=True, encoding="utf-8")
    assert proc.stdout is not None
    for line in proc.stdout:
        out.extend(json.loads(line)["text"].split("\n"))
        if len(out) >= n:
            break
    proc.kill()
    proc.wait()
    if len(out) < n:
        raise SystemExit(f"error: make_crawl gave only {len(out)} rows")
    return out[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    import pandas as pd

    import newsclean

    texts = rows(args.rows)
    series = pd.Series(texts)
    del texts
    strs = series.tolist()
    mb = sum(len(s.encode("utf-8")) for s in strs) / 1e6
    print(f"pandas {pd.__version__}, dtype {series.dtype} ({series.array.__class__.__name__}), "
          f"{len(series):,} rows, {mb:.1f} MB of UTF-8; {args.threads} threads; "
          f"load average at start {os.getloadavg()[0]:.2f}")

    t = args.threads
    calls = {
        "minhash(num_perm=1)": lambda x: newsclean.minhash(x, num_perm=1, num_threads=t),
        "clean_batch": lambda x: newsclean.clean_batch(x, num_threads=t),
        "dedup": lambda x: newsclean.dedup(x, num_threads=t).keep,
    }
    paths = {
        "arrow": lambda: series,
        "iterate": lambda: iter(series),
        "tolist": lambda: series.tolist(),
        "list": lambda: strs,
    }
    # The outputs agree, so every path does the same work.
    for name, f in calls.items():
        a, b = f(series), f(strs)
        same = bool((a == b).all()) if hasattr(a, "all") else a == b
        if not same:
            raise SystemExit(f"error: {name} differs between the Arrow and the list path")

    print(f"\n{'call':<22} {'path':<8} {'median s':>9} {'min s':>7} {'list path / arrow':>18}")
    for name, f in calls.items():
        times: dict[str, list[float]] = {p: [] for p in paths}
        for _ in range(args.runs):
            for p, make in paths.items():
                t0 = time.perf_counter()
                f(make())
                times[p].append(time.perf_counter() - t0)
        arrow = statistics.median(times["arrow"])
        for p, ts in times.items():
            med = statistics.median(ts)
            ratio = "" if p == "arrow" else f"{med / arrow:.2f}x"
            print(f"{name:<22} {p:<8} {med:>9.3f} {min(ts):>7.3f} {ratio:>18}")
    print(f"\nload average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
