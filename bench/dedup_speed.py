#!/usr/bin/env python3
"""Dedup speed and memory: the same raw Python strings to a keep mask, side by side.

    python3 bench/dedup_speed.py                               # 10^4 and 10^5 pages, 3 rounds
    python3 bench/dedup_speed.py --sizes 1000000 --tools newsclean --repeat 1

Tools (each run in a process of its own, so its memory is its own):
  newsclean   newsclean.dedup(texts, threshold=0.8, num_perm=128, num_threads=2).keep
  rensa       Python normalisation (NFKC, lower case, punctuation to spaces) and word 5-gram
              shingling, rensa.RMinHash (128 permutations) and RMinHashLSH (threshold 0.8,
              16 bands of 8 rows, the banding of rensa's examples); a text is dropped when an
              earlier LSH candidate's estimated Jaccard is >= 0.8 (rensa's usual recipe)
  datasketch  the same shingling, datasketch.MinHash (128 permutations) fed by update_batch,
              and MinHashLSH(threshold=0.8, num_perm=128) (bands of its own choice), same recipe

The peers' Python shingling is what users write; it takes most of their time (the NFKC, regex
and join calls are C code already). Every tool is imported before its clock starts.

Corpora are pages streamed by ../shared/tools/make_crawl.py --scale N (cached in --cache).
Reported per tool: seconds for the dedup alone (texts already in memory), docs/s, MB/s of UTF-8
text; memory as resident set sizes read from /proc/self/status: before the texts are loaded,
after (the difference is the input strings, counted apart), and the peak during the dedup
(VmHWM, reset to the current RSS once the texts are loaded, so the loading's own transient
peak is not counted); "extra" is that peak minus the RSS with the texts loaded. With
--repeat R the tools run R rounds, interleaved, and each figure is the median over the rounds;
the ratio is of the medians. "cpu s" is the process's CPU time (all threads) during the
dedup: on a loaded machine it shows how much work each tool did. The load average is printed
before and after.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAKE_CRAWL = ROOT.parent / "shared" / "tools" / "make_crawl.py"
THRESHOLD, NUM_PERM, NGRAM = 0.8, 128, 5
NON_WORD = re.compile(r"[\W_]+")


def status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak() -> bool:
    """Resets VmHWM to the current RSS (Linux: writing 5 to /proc/self/clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def cpu_seconds() -> float:
    """User and system CPU time of this process, all threads."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def load(path: Path, n: int) -> list[str]:
    texts = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if len(texts) >= n:
                break
            texts.append(json.loads(line)["text"])
    return texts


def py_shingles(text: str) -> list[str]:
    """Python normalisation (NFKC, lower case, punctuation to spaces) and word 5-grams."""
    words = NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).lower()).split()
    if len(words) <= NGRAM:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)]


def run_newsclean(texts: list[str], threads: int) -> list[bool]:
    import newsclean

    return newsclean.dedup(texts, threshold=THRESHOLD, num_perm=NUM_PERM, num_threads=threads).keep.tolist()


def run_rensa(texts: list[str], threads: int) -> list[bool]:
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, num_bands=16)
    sigs = []
    for i, t in enumerate(texts):
        m = RMinHash(num_perm=NUM_PERM, seed=42)
        m.update(py_shingles(t))
        sigs.append(m)
        lsh.insert(i, m)
    keep = []
    for i, m in enumerate(sigs):
        dup = any(j < i and sigs[j].jaccard(m) >= THRESHOLD for j in lsh.query(m))
        keep.append(not dup)
    return keep


def run_datasketch(texts: list[str], threads: int) -> list[bool]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    sigs = []
    for i, t in enumerate(texts):
        m = MinHash(num_perm=NUM_PERM, seed=42)
        m.update_batch([s.encode("utf-8") for s in py_shingles(t)])
        sigs.append(m)
        lsh.insert(i, m)
    keep = []
    for i, m in enumerate(sigs):
        dup = any(j < i and sigs[j].jaccard(m) >= THRESHOLD for j in lsh.query(m))
        keep.append(not dup)
    return keep


TOOLS = {"newsclean": run_newsclean, "rensa": run_rensa, "datasketch": run_datasketch}
IMPORTS = {"newsclean": ("newsclean", "numpy"), "rensa": ("rensa",), "datasketch": ("datasketch",)}


def worker(tool: str, path: Path, n: int, threads: int) -> None:
    for module in IMPORTS[tool]:
        __import__(module)
    before = status_kb("VmRSS")
    texts = load(path, n)
    loaded = status_kb("VmRSS")
    peak_reset = reset_peak()
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    keep = TOOLS[tool](texts, threads)
    secs = time.perf_counter() - t0
    cpu = cpu_seconds() - cpu0
    peak = status_kb("VmHWM")
    print(json.dumps({"tool": tool, "n": len(texts), "secs": secs, "cpu": cpu, "mb": mb, "before_mb": before / 1024,
                      "texts_mb": (loaded - before) / 1024, "peak_mb": peak / 1024,
                      "extra_mb": (peak - loaded) / 1024, "peak_reset": peak_reset,
                      "kept": sum(keep), "keep": "".join("1" if k else "0" for k in keep)}))


def corpus(cache: Path, n: int) -> Path:
    path = cache / f"scale-{n}.jsonl"
    if not path.exists():
        if not MAKE_CRAWL.exists():
            sys.exit(f"../shared is absent: {MAKE_CRAWL} not found, cannot generate the corpora")
        cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        subprocess.run([sys.executable, str(MAKE_CRAWL), "--scale", str(n), "--out", str(tmp)], check=True)
        tmp.rename(path)
    return path


def load_average() -> str:
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--tools", nargs="+", default=list(TOOLS), choices=list(TOOLS))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3, help="rounds per size (medians are reported)")
    ap.add_argument("--datasketch-max", type=int, default=100_000, help="skip datasketch above this size")
    ap.add_argument("--rensa-max", type=int, default=1_000_000, help="skip rensa above this size")
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "newsclean-bench")
    ap.add_argument("--worker", nargs=2, metavar=("TOOL", "CORPUS"), help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]), args.n, args.threads)
        return 0
    print(f"load average at the start: {load_average()}; {args.threads} threads for newsclean; "
          f"medians of {args.repeat} round(s)")
    print(f"{'size':>8} {'tool':<11} {'secs':>8} {'cpu s':>8} {'docs/s':>9} {'MB/s':>7} {'texts':>8} {'peak':>8} {'extra':>8} "
          f"{'kept':>8} {'× newsclean':>11} {'agree':>7}  rounds (s)")
    for n in args.sizes:
        path = corpus(args.cache, n)
        tools = [t for t in args.tools
                 if not ((t == "datasketch" and n > args.datasketch_max) or (t == "rensa" and n > args.rensa_max))]
        runs: dict[str, list[dict]] = {t: [] for t in tools}
        for _ in range(args.repeat):
            for tool in tools:
                out = subprocess.run([sys.executable, __file__, "--worker", tool, str(path), "--n", str(n),
                                      "--threads", str(args.threads)], check=True, capture_output=True, text=True).stdout
                runs[tool].append(json.loads(out))
        ref = None
        for tool in args.tools:
            if tool not in runs:
                print(f"{n:>8} {tool:<11} {'skipped (size cap)':>20}")
                continue
            rs = runs[tool]
            med = {k: statistics.median(r[k] for r in rs) for k in ("secs", "cpu", "texts_mb", "peak_mb", "extra_mb")}
            r = rs[0]
            if tool == "newsclean":
                ref = {"secs": med["secs"], "keep": r["keep"]}
            ratio = f"{med['secs'] / ref['secs']:.1f}" if ref else "-"
            agree = f"{sum(a == b for a, b in zip(r['keep'], ref['keep'])) / max(1, r['n']):.4f}" if ref else "-"
            rounds = " ".join(f"{x['secs']:.2f}" for x in rs)
            print(f"{n:>8} {tool:<11} {med['secs']:>8.2f} {med['cpu']:>8.2f} {r['n'] / med['secs']:>9.0f} {r['mb'] / med['secs']:>7.1f} "
                  f"{med['texts_mb']:>6.0f}MB {med['peak_mb']:>6.0f}MB {med['extra_mb']:>6.0f}MB {r['kept']:>8} "
                  f"{ratio:>11} {agree:>7}  {rounds}", flush=True)
    print(f"load average at the end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
