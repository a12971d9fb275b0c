#!/usr/bin/env python3
"""Peak memory of ``newsclean dedup`` on generated crawls, beside the index it replaced.

    python3 bench/dedup_memory.py                          # 50,000 and 200,000 pages
    python3 bench/dedup_memory.py --scales 50000 200000 560000

For each scale, the crawl is ``../shared/tools/make_crawl.py --scale N`` piped through
``gzip -6`` (made by bench/cli.py's ``generate``, cached in --cache; the script exits with a
message when ../shared is absent). Two processes run on it, one after the other, each with
``--threads`` threads; the peak resident memory is the kernel's (``wait4`` rusage
``ru_maxrss``), the time wall-clock:

- ``cli``: ``python -m newsclean dedup CRAWL -o OUT.jsonl.gz --mark`` (three reads of the
  input through a DedupStream: memory for a fixed record a page);
- ``index``: the previous CLI's method, for comparison: the same records (read by the CLI's
  reader, in chunks of 1,000) streamed through ``DedupIndex.add(..., keep="first")``, which
  keeps every page's shingle set; nothing is written.

``--copies F`` (default 0.1) makes a fraction F of the pages copied again later in the crawl
(``make_crawl.py --scale`` plants none): a random earlier page, 1 to 20,000 pages back, as an
exact copy, with a few words changed, or cut to its first 40 % of lines, each under a new id
(so the crawl has ``N · (1 + F)`` pages; the table counts them). Copies make the texts in
candidate pairs, whose shingle sets the second read holds, a realistic share; ``--copies 0``
uses the crawl as generated.

With two or more scales it prints each method's growth per page between the smallest and
the largest (the difference of the peaks over the difference of the pages), and it checks that
both methods marked the same number of duplicates. Load averages are printed at the start and
the end: the machine is shared, so the seconds move with it; the memory does not.
"""
from __future__ import annotations

import argparse
import gzip
import heapq
import json
import os
import random
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cli import ROOT, generate, run  # noqa: E402

INDEX_PEER = """
import sys
import newsclean
from newsclean.cli import Fields, Reader, _chunks, _ids

def bad(b):
    raise SystemExit(str(b))

index = newsclean.DedupIndex(0.8)
reader = Reader([sys.argv[1]], Fields("text", "id", None, None), None, bad)
pages = kept = 0
for chunk in _chunks(iter(reader), 1000):
    res = index.add([r.text for r in chunk], ids=_ids(chunk, pages), keep="first", num_threads=int(sys.argv[2]))
    pages += len(chunk)
    kept += int(res.keep.sum())
print(f"total: {pages} pages, {kept} kept, {pages - kept} duplicates", file=sys.stderr)
"""


def with_copies(src: Path, fraction: float) -> Path:
    """The crawl with copies of earlier pages planted (see the module docs), cached beside it."""
    if fraction <= 0:
        return src
    path = src.with_name(src.name.replace(".jsonl.gz", f"-copies{fraction:g}.jsonl.gz"))
    if path.exists():
        return path
    print(f"planting copies: {path} ...", flush=True)
    rng = random.Random(17)
    recent: list[dict] = []  # a reservoir of earlier pages (at most 20,000)
    pending: list[tuple[int, int, str]] = []  # (emit at page, tie, line)
    part = path.with_suffix(".part")
    n = 0
    with gzip.open(src, "rt", encoding="utf-8") as fh, gzip.open(part, "wt", encoding="utf-8", compresslevel=6) as out:
        for line in fh:
            page = json.loads(line)
            out.write(line)
            n += 1
            while pending and pending[0][0] <= n:
                out.write(heapq.heappop(pending)[2])
            if rng.random() < fraction:
                original = rng.choice(recent) if recent else page
                lines = original["text"].split("\n")
                kind = rng.randrange(3)
                if kind == 1:
                    words = original["text"].split(" ")
                    for _ in range(3):
                        words[rng.randrange(len(words))] = "changed"
                    text = " ".join(words)
                elif kind == 2:
                    text = "\n".join(lines[: max(1, len(lines) * 2 // 5)])
                else:
                    text = original["text"]
                copy = {**original, "id": f"{original.get('id')}-copy{n}", "text": text}
                heapq.heappush(pending, (n + rng.randint(1, 20_000), n, json.dumps(copy, ensure_ascii=False) + "\n"))
            if len(recent) < 20_000:
                recent.append(page)
            else:
                recent[rng.randrange(20_000)] = page
        for _, _, line in sorted(pending):
            out.write(line)
    part.rename(path)
    return path


def pages_in(path: Path) -> int:
    with gzip.open(path, "rb") as fh:
        return sum(1 for _ in fh)


def kept_of(summary: str) -> str:
    return summary.split(",")[1].strip() if summary.count(",") >= 1 else "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=int, nargs="+", default=[50_000, 200_000])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/newsclean-bench"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--copies", type=float, default=0.1, help="fraction of pages copied again later (default 0.1)")
    ap.add_argument("--methods", nargs="+", default=["cli", "index"], choices=["cli", "index"])
    args = ap.parse_args()

    print(f"load average at start {os.getloadavg()[0]:.2f}; {args.threads} threads", flush=True)
    print(f"\n{'pages':>9} {'GB gz':>6} {'method':<6} {'seconds':>8} {'peak RSS':>10}  summary")
    peaks: dict[str, list[tuple[int, int]]] = {m: [] for m in args.methods}
    for scale in args.scales:
        src = with_copies(generate(scale, args.cache), args.copies)
        pages = pages_in(src)
        out = args.cache / "out" / f"dedup-{scale}.jsonl.gz"
        out.parent.mkdir(parents=True, exist_ok=True)
        summaries = {}
        for method in args.methods:
            if method == "cli":
                cmd = [sys.executable, "-m", "newsclean", "dedup", str(src), "-o", str(out), "--mark", "--num-threads", str(args.threads)]
            else:
                cmd = [sys.executable, "-c", INDEX_PEER, str(src), str(args.threads)]
            code, seconds, rss, err = run(cmd)
            if code != 0:
                raise SystemExit(f"error: {' '.join(cmd[:4])} ... exited with {code}:\n{err}")
            summary = next((ln for ln in err.splitlines() if ln.startswith("total:")), "")
            summaries[method] = summary
            peaks[method].append((pages, rss))
            print(f"{pages:>9,} {src.stat().st_size / 1e9:>6.2f} {method:<6} {seconds:>8.1f} {rss / 2**20:>7,.0f} MiB  {summary}", flush=True)
        out.unlink(missing_ok=True)
        if len(summaries) == 2 and kept_of(summaries["cli"]) != kept_of(summaries["index"]):
            print(f"          note: the methods kept different numbers of pages ({kept_of(summaries['cli'])} / {kept_of(summaries['index'])})")
    if len(args.scales) > 1:
        print()
        for method, points in peaks.items():
            (n0, r0), (n1, r1) = min(points), max(points)
            print(f"{method:<6} grows {(r1 - r0) / (n1 - n0):,.0f} bytes a page between {n0:,} and {n1:,} pages")
    print(f"\nload average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
