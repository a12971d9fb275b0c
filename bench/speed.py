#!/usr/bin/env python3
"""Throughput of newsclean against the C4 line filter and jusText, in one run on one corpus.

The corpus is every page of the dev sets (``scrapinghub_aeb``, ``l3s_gn1``,
``trafilatura_eval`` and the two ``seeds`` pages by default): about 1,070 pages, 9 MB of UTF-8
text. Each system cleans the whole corpus in one call per timed run:

* ``newsclean.segment_batch(texts, num_threads=T)`` for T = 2 and 1 (``--threads``), and
  ``newsclean.clean_batch`` on the first thread count, for reference;
* the C4 line filter, plain Python, one page after another (``baselines.c4_filter``);
* jusText with each line wrapped in ``<p>`` (``baselines.justext_clean``); the stoplist of each
  page is chosen before timing starts (guessed from the text where the record has no language);
* datatrove's own ``C4QualityFilter`` in line mode with its line rules and its page-level rules
  off (``baselines.datatrove_c4``), one ``filter(Document)`` call per page as a datatrove
  pipeline step makes them; with ``--datatrove all`` also ``C4QualityFilter`` with every
  default (page rules on: sentences counted with spaCy) and ``GopherQualityFilter`` with its
  defaults (a page-level keep/drop filter, not a line cleaner), timed ``--repeat-slow`` times.
  They need ``pip install datatrove spacy regex`` (datatrove 0.10 imports ``regex`` without
  requiring it); without them the rows are skipped and the script says so.

Every timed run consumes its output (``consume_pages``: the length of every body, and the label
of every line of every page, read by iterating ``page.lines``), so lazily produced results, the
``Line`` objects included, are made and paid for inside the timing. Each system gets one
untimed warm-up run (on the first 50 pages for jusText), then ``--repeat`` timed runs
(default 5) for newsclean and the C4 filter and ``--repeat-slow`` runs (default 3) for
jusText; ``time.perf_counter`` wall time, the median is reported. The runs are made in
rounds, one run of every system a round, so that a change in the machine's load during the
benchmark (a shared machine) falls on every system alike. MB are 10^6 bytes of UTF-8
input; "MB/s per core" divides by the threads a system may use (1 for the Python baselines).
A run is flagged when the machine's 1-minute load average is >= 1 before timing starts.

Targets from the issue, for ``segment_batch`` on 2 threads: >= 10x the C4 filter and >= 100x
jusText in throughput; the verdicts are printed against each C4 peer separately (the minimal
plain-Python filter, and datatrove's). A second table gives every newsclean row's speed-up over
every peer. A CPU with fewer than 2 usable cores is reported as a warning.

Run from the repository root (newsclean must be importable, built in release mode:
``maturin develop --release`` or ``pip install -e .``)::

    python3 bench/speed.py
    python3 bench/speed.py --repeat 9 --repeat-slow 2 --json speed.json
    python3 bench/speed.py --datasets aeb,l3s --threads 4,2,1 --no-baselines
    python3 bench/speed.py --datatrove all      # also the slow datatrove rows

The shared folder is ``../shared`` beside the repository, or ``$NEWSCLEAN_SHARED``; without it
the script exits with status 2. Without newsclean it times the baselines alone and says so;
without jusText (``pip install justext lxml_html_clean``) it skips that row.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import baselines  # noqa: E402
from _common import (  # noqa: E402
    die,
    import_newsclean,
    load_records,
    parse_datasets,
    render_table,
    shared_dir,
)

TARGET_VS_C4 = 10.0
TARGET_VS_JUSTEXT = 100.0
JUSTEXT_WARMUP_PAGES = 50


BUSY_LOAD = 1.0

# Column names of the peers in the speed-up table.
PEER_SHORT = {"c4": "x C4 (minimal)", "justext": "x jusText", "dt_c4": "x datatrove C4",
              "dt_c4_all": "x datatrove C4 (all)", "dt_gopher": "x Gopher"}  # 1-minute load average from which the run is flagged as disturbed


def _loadavg() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):  # not available on this platform
        return None


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# ----------------------------------------------------------------------------- workloads
# Each returns a number derived from all of the output, so no result can be skipped.

def consume_pages(pages) -> int:
    """What a user reads of every page: its body, and every line's label (``page.lines`` makes
    each ``Line`` when it is read, so iterating them all is what pays for them)."""
    n = 0
    for page in pages:
        n += len(page.body)
        for line in page.lines:
            if line.label == "body":
                n += 1
    return n


def run_segment(nc, texts: list[str], threads: int) -> int:
    return consume_pages(nc.segment_batch(texts, num_threads=threads))


def run_clean(nc, texts: list[str], threads: int) -> int:
    return sum(len(body) for body in nc.clean_batch(texts, num_threads=threads))


def run_c4(texts: list[str]) -> int:
    n = 0
    for text in texts:
        n += len(baselines.c4_filter(text))
    return n


def run_justext(texts: list[str], stoplists: list[str]) -> int:
    n = 0
    for text, stoplist in zip(texts, stoplists):
        n += len(baselines.justext_clean(text, stoplist=stoplist))
    return n


def run_datatrove_c4(texts: list[str], page_rules: bool) -> int:
    return sum(len(baselines.datatrove_c4(text, page_rules=page_rules)) for text in texts)


def run_datatrove_gopher(texts: list[str]) -> int:
    return sum(baselines.datatrove_gopher(text) for text in texts)


def time_rounds(plan) -> dict[str, tuple[list[float], int]]:
    """Wall times of each system of ``plan``, timed in rounds.

    Every system first gets one untimed call of its warm-up (or of itself). Then each round
    times one call of every system that still needs runs, in plan order, so that a change in
    the machine's load during the benchmark falls on all systems alike instead of on whichever
    ran then. Returns, per system key, the times and the result, checked to be the same on
    every run."""
    for label, key, threads, repeat, fn, warmup in plan:
        print(f"  warming up {label} ({threads} thread{'s' if threads > 1 else ''}) ...",
              file=sys.stderr, flush=True)
        (warmup or fn)()
    out: dict[str, tuple[list[float], int]] = {}
    for r in range(max(p[3] for p in plan)):
        print(f"  round {r + 1}: " + ", ".join(p[0] for p in plan if r < p[3]), file=sys.stderr, flush=True)
        for label, key, threads, repeat, fn, warmup in plan:
            if r >= repeat:
                continue
            gc.collect()
            t0 = time.perf_counter()
            got = fn()
            elapsed = time.perf_counter() - t0
            times, check = out.get(key, ([], None))
            if check is not None and got != check:
                raise RuntimeError(f"{label}: output changed between runs ({check} vs {got})")
            out[key] = (times + [elapsed], got)
    return out


# ----------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", help="comma list (default: all): scrapinghub_aeb|aeb, "
                                       "l3s_gn1|l3s, seeds, trafilatura_eval|traf")
    ap.add_argument("--repeat", type=int, default=5,
                    help="timed runs for newsclean and C4 (default 5)")
    ap.add_argument("--repeat-slow", type=int, default=3, help="timed runs for jusText (default 3)")
    ap.add_argument("--threads", default="2,1",
                    help="newsclean thread counts, comma list; the first is compared with the "
                         "targets (default 2,1)")
    ap.add_argument("--no-baselines", action="store_true", help="time newsclean only")
    ap.add_argument("--datatrove", choices=("line", "all", "none"), default="line",
                    help="datatrove peers: C4QualityFilter's line rules (default), also its full "
                         "defaults and GopherQualityFilter (all, slow), or none")
    ap.add_argument("--json", type=Path, metavar="FILE", help="write the results here as JSON")
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.repeat_slow < 1:
        die("--repeat and --repeat-slow must be at least 1")
    try:
        thread_counts = [int(t) for t in args.threads.split(",") if t.strip()]
    except ValueError:
        die(f"--threads takes a comma list of integers, not {args.threads!r}")
    if not thread_counts or min(thread_counts) < 1:
        die("--threads needs at least one count >= 1")

    shared = shared_dir()
    datasets = parse_datasets(args.datasets)
    records = [r for name in datasets for r in load_records(shared, name)]
    texts = [r["text"] for r in records]
    n_pages = len(texts)
    n_bytes = sum(len(t.encode("utf-8")) for t in texts)
    n_lines = sum(t.count("\n") + 1 for t in texts)
    mb = n_bytes / 1e6
    cores = usable_cores()

    notes = []
    if cores < max(thread_counts):
        notes.append(f"only {cores} usable core(s): runs with more threads than cores "
                     f"do not show the parallel speed-up")
    nc, why = import_newsclean()
    if nc is None:
        notes.append(f"newsclean rows skipped: {why}")

    # (label, system key, threads, repeat, fn, warmup)
    plan = []
    if nc is not None:
        for t in thread_counts:
            plan.append(("newsclean segment_batch", f"segment_t{t}", t, args.repeat,
                         lambda t=t: run_segment(nc, texts, t), None))
        t0 = thread_counts[0]
        plan.append(("newsclean clean_batch", f"clean_t{t0}", t0, args.repeat,
                     lambda: run_clean(nc, texts, t0), None))
    if not args.no_baselines:
        plan.append(("C4 line filter (Python)", "c4", 1, args.repeat, lambda: run_c4(texts), None))
        if baselines.justext_available():
            # Language resolution is per-page set-up, not cleaning: done once, outside the timing.
            stoplists = [baselines.stoplist_name(r.get("lang"), r["text"]) or "" for r in records]
            k = JUSTEXT_WARMUP_PAGES
            plan.append(("jusText (<p> per line)", "justext", 1, args.repeat_slow,
                         lambda: run_justext(texts, stoplists),
                         lambda: run_justext(texts[:k], stoplists[:k])))
        else:
            notes.append(f"jusText row skipped: {baselines.justext_missing_reason()}")
        if args.datatrove != "none" and not baselines.datatrove_available():
            notes.append(f"datatrove rows skipped: {baselines.datatrove_missing_reason()}")
        elif args.datatrove != "none":
            plan.append(("datatrove C4QualityFilter, line rules", "dt_c4", 1, args.repeat,
                         lambda: run_datatrove_c4(texts, False), None))
            if args.datatrove == "all":
                k = JUSTEXT_WARMUP_PAGES
                plan.append(("datatrove C4QualityFilter, all defaults", "dt_c4_all", 1,
                             args.repeat_slow, lambda: run_datatrove_c4(texts, True),
                             lambda: run_datatrove_c4(texts[:k], True)))
                plan.append(("datatrove GopherQualityFilter (page keep/drop)", "dt_gopher", 1,
                             args.repeat_slow, lambda: run_datatrove_gopher(texts),
                             lambda: run_datatrove_gopher(texts[:k])))
    if not plan:
        die("nothing to time: newsclean is not importable and --no-baselines was given\n" + why)
    load_before = _loadavg()
    if load_before is not None and load_before >= BUSY_LOAD:
        notes.append(f"the machine was busy when timing started (1-minute load average "
                     f"{load_before:.2f} on {cores} usable cores): figures may be low and noisy")
    for n in notes:
        print(f"note: {n}", file=sys.stderr)

    print(f"corpus: {', '.join(datasets)}: {n_pages:,} pages, {n_lines:,} lines, {mb:.2f} MB; "
          f"{cores} usable cores; Python {platform.python_version()}", file=sys.stderr)
    results = {}
    timed = time_rounds(plan)
    for label, key, threads, repeat, fn, warmup in plan:
        times, check = timed[key]
        med = statistics.median(times)
        results[key] = {
            "label": label, "threads": threads, "runs": repeat,
            "times_s": [round(x, 6) for x in times],
            "median_s": med, "min_s": min(times),
            "pages_per_s": n_pages / med, "mb_per_s": mb / med,
            "mb_per_s_per_core": mb / med / threads,
            "output_check": check,
        }

    # ratios: throughput of each newsclean row over each peer
    ours_key = f"segment_t{thread_counts[0]}"
    peers = [k for k in results if not k.startswith(("segment_", "clean_"))]
    for key, res in results.items():
        if key.startswith(("segment_", "clean_")):
            for base in peers:
                res[f"x_vs_{base}"] = results[base]["median_s"] / res["median_s"]

    header = ["system", "threads", "runs", "median s", "pages/s", "MB/s", "MB/s/core"]
    rows = []
    for key, res in results.items():
        rows.append([res["label"], str(res["threads"]), str(res["runs"]), f"{res['median_s']:.3f}",
                     f"{res['pages_per_s']:,.0f}", f"{res['mb_per_s']:.2f}",
                     f"{res['mb_per_s_per_core']:.2f}"])
    print(f"corpus: {', '.join(datasets)} — {n_pages:,} pages, {n_lines:,} lines, {mb:.2f} MB "
          f"(UTF-8); {cores} usable cores; Python {platform.python_version()}; 1-minute load "
          f"average {'?' if load_before is None else f'{load_before:.2f}'} before timing, "
          f"{'?' if _loadavg() is None else f'{_loadavg():.2f}'} after")
    print(render_table(header, rows, right=set(range(1, len(header)))))
    ours_rows = [k for k in results if k.startswith(("segment_", "clean_"))]
    if peers and ours_rows:
        print()
        print("speed-up (peer's median time / newsclean's median time):")
        header = ["newsclean", "threads"] + [PEER_SHORT.get(p, p) for p in peers]
        rows = [[results[k]["label"].removeprefix("newsclean "), str(results[k]["threads"])]
                + [f"{results[k][f'x_vs_{p}']:.1f}x" for p in peers] for k in ours_rows]
        print(render_table(header, rows, right=set(range(1, len(header)))))
        print("peers: " + "; ".join(f"{PEER_SHORT.get(p, p)} = {results[p]['label']}" for p in peers))

    verdicts = []
    if ours_key in results:
        ours = results[ours_key]
        what = f"segment_batch ({thread_counts[0]} threads)"
        for base, target, name in (("c4", TARGET_VS_C4, "the minimal C4 filter (plain Python)"),
                                   ("dt_c4", TARGET_VS_C4, "datatrove's C4QualityFilter (line rules)"),
                                   ("justext", TARGET_VS_JUSTEXT, "jusText")):
            ratio = ours.get(f"x_vs_{base}")
            if ratio is None:
                verdicts.append({"baseline": base, "target": target, "ratio": None, "met": None})
                print(f"target: {what} >= {target:.0f}x {name}: not measured")
                continue
            met = ratio >= target
            verdicts.append({"baseline": base, "target": target, "ratio": ratio, "met": met})
            print(f"target: {what} >= {target:.0f}x {name}: "
                  f"{ratio:.1f}x — {'met' if met else 'NOT met'}")
    for n in notes:
        print(f"note: {n}")

    if args.json:
        payload = {
            "corpus": {"datasets": datasets, "pages": n_pages, "lines": n_lines, "bytes": n_bytes},
            "machine": {"usable_cores": cores, "cpu_count": os.cpu_count(),
                        "python": platform.python_version(), "platform": platform.platform()},
            "newsclean": {"available": nc is not None, "error": why,
                          "version": getattr(nc, "__version__", None) if nc else None},
            "results": results,
            "targets": verdicts,
            "load_average_1min": {"before": load_before, "after": _loadavg()},
            "notes": notes,
        }
        args.json.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
        print(f"json: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
