#!/usr/bin/env python3
"""Teaser catalogue on simulated crawls: clustering, truncated copies and article links.

Builds ``newsclean.teasers`` on ``<shared>/data/crawl_dev/pages.jsonl`` and on a held-out crawl
made with another seed (``make_crawl.py --seed 7 --sites 6``, generated into a temporary
folder unless ``--heldout FILE`` is given), each without a profile and with a profile learned
from that crawl, and scores the rows against the crawl's ``teaser_links`` (see
``<shared>/tools/README.md``, "Crawl records"). Then the seed pages' two relations, and the
throughput against ``segment_batch`` (the segmentation the catalogue builds on) in the same run.

Measures (every one printed with its counts):

* **Gold units.** Every line labelled ``teaser`` that has a ``teaser_links`` entry is one
  occurrence of the story ``article_id``; a linked ``headline`` line stands for the teaser line
  under it with the same ``article_id``. A catalogue occurrence ``(page, line)`` that is such a
  line *finds* that unit; others are occurrences of no gold teaser (reported, not scored).
* **Clustering, B-cubed** over the found units: for a unit ``u`` in row ``C(u)`` of story
  ``G(u)``, precision is the mean of ``|C(u) ∩ G(u)| / |C(u)|`` and recall the mean of
  ``|C(u) ∩ G(u)| / |G(u)|``, both sets counted among found units. Pairwise precision and recall
  (pairs of found units in one row / of one story) are printed beside them, and coverage (found
  units / gold units: what the segmenter labelled as teasers).
* **Truncated copies merged**: among found units with ``truncated`` true whose story has a found
  unit that is not truncated, the share whose row holds one of those.
* **Article links**, per row whose found units name a story (the most common one): precision =
  linked rows whose ``article`` is a page carrying that story / linked rows; recall = rows
  linked right / rows whose story has a page in the crawl.

Bars (issue 5): clustering precision and recall >= 0.97, truncated merged >= 0.98, links
precision >= 0.98 and recall >= 0.95; on the seeds, page-000's cut-off lede (line 2) is in the
row of its full form (line 19) and the two wordings of lines 16 and 21 share a row.

Run from the repository root::

    python3 bench/teasers.py [--threads 2] [--heldout FILE] [--scale 5000] [--json out.json]

The shared folder is ``../shared`` beside the repository, or ``$NEWSCLEAN_SHARED``; without it
the script exits with status 2.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import shared_dir  # noqa: E402

import newsclean  # noqa: E402


def gold_units(recs: list[dict]) -> tuple[dict, dict]:
    """``unit -> (story, truncated)`` and ``(page, line) -> unit`` (see the module docs)."""
    story: dict[tuple[str, int], tuple[str, bool]] = {}
    line_unit: dict[tuple[str, int], tuple[str, int]] = {}
    for r in recs:
        links = sorted(r["teaser_links"], key=lambda x: x["line"])
        labels = r["line_labels"]
        teaser_lines = [x for x in links if labels[x["line"]] == "teaser"]
        for x in teaser_lines:
            u = (r["id"], x["line"])
            story[u] = (x["article_id"], x["truncated"])
            line_unit[u] = u
        for x in links:
            if labels[x["line"]] == "headline":
                below = [y for y in teaser_lines if y["line"] > x["line"]]
                if below and below[0]["article_id"] == x["article_id"]:
                    line_unit[(r["id"], x["line"])] = (r["id"], below[0]["line"])
    return story, line_unit


def bcubed(cl: list, gd: list) -> tuple[float, float]:
    rows, stories = collections.defaultdict(list), collections.defaultdict(list)
    for i, (c, g) in enumerate(zip(cl, gd)):
        rows[c].append(i)
        stories[g].append(i)
    p = r = 0.0
    for c, g in zip(cl, gd):
        inter = sum(1 for j in rows[c] if gd[j] == g)
        p += inter / len(rows[c])
        r += inter / len(stories[g])
    n = max(1, len(gd))
    return p / n, r / n


def pairwise(cl: list, gd: list) -> tuple[float, float]:
    def pairs(counts):
        return sum(v * (v - 1) // 2 for v in counts.values())
    both = pairs(collections.Counter(zip(cl, gd)))
    return both / max(1, pairs(collections.Counter(cl))), both / max(1, pairs(collections.Counter(gd)))


def score(recs: list[dict], rows: list[dict]) -> dict:
    """Every measure of the module docs for one catalogue."""
    by_id = {r["id"]: r for r in recs}
    has_docs = {r["article_id"] for r in recs}
    story, line_unit = gold_units(recs)
    found: dict[tuple[str, int], int] = {}
    occurrences = not_gold = 0
    for k, row in enumerate(rows):
        for page, line in row["pages"]:
            occurrences += 1
            u = line_unit.get((page, line))
            if u is None:
                not_gold += 1
            else:
                found.setdefault(u, k)
    units = sorted(found)
    cl = [found[u] for u in units]
    gd = [story[u][0] for u in units]
    out: dict = {"gold_units": len(story), "found_units": len(units), "occurrences": occurrences, "not_gold": not_gold}
    out["bcubed"] = bcubed(cl, gd)
    out["pairwise"] = pairwise(cl, gd)
    full_rows = collections.defaultdict(set)
    for u in units:
        if not story[u][1]:
            full_rows[story[u][0]].add(found[u])
    cut = [u for u in units if story[u][1] and full_rows[story[u][0]]]
    out["truncated"] = (sum(1 for u in cut if found[u] in full_rows[story[u][0]]), len(cut))
    row_story: dict[int, str] = {}
    per_row = collections.defaultdict(list)
    for u in units:
        per_row[found[u]].append(story[u][0])
    for k, ss in per_row.items():
        row_story[k] = collections.Counter(ss).most_common(1)[0][0]
    linked = right = wanted = got = no_story = 0
    for k, row in enumerate(rows):
        g = row_story.get(k)
        ok = row["article"] in by_id and by_id[row["article"]]["article_id"] == g
        if row["article"] is not None:
            if g is None:
                no_story += 1
            else:
                linked += 1
                right += ok
        if g is not None and g in has_docs:
            wanted += 1
            got += ok
    out["links"] = (right, linked, got, wanted, no_story)
    out["rows"] = len(rows)
    return out


def report(name: str, s: dict) -> dict:
    bp, br = s["bcubed"]
    pp, pr = s["pairwise"]
    tm, tn = s["truncated"]
    right, linked, got, wanted, no_story = s["links"]
    lp, lr = right / max(1, linked), got / max(1, wanted)
    print(f"{name}: {s['rows']} rows, {s['occurrences']} occurrences ({s['not_gold']} on lines that are no gold teaser); "
          f"gold units found {s['found_units']}/{s['gold_units']} ({s['found_units'] / max(1, s['gold_units']):.3f})")
    print(f"  clustering B-cubed P/R {bp:.3f} / {br:.3f}   pairwise P/R {pp:.3f} / {pr:.3f}")
    print(f"  truncated copies merged {tm}/{tn} = {tm / max(1, tn):.3f}")
    print(f"  article links precision {right}/{linked} = {lp:.3f}   recall {got}/{wanted} = {lr:.3f}"
          f"   (+{no_story} links on rows of no gold story)")
    return {"bcubed": [bp, br], "pairwise": [pp, pr], "truncated": tm / max(1, tn), "links": [lp, lr],
            "coverage": s["found_units"] / max(1, s["gold_units"])}


def bars(name: str, r: dict) -> list[tuple[str, bool, float]]:
    return [
        (f"{name}: clustering precision >= 0.97", r["bcubed"][0] >= 0.97, r["bcubed"][0]),
        (f"{name}: clustering recall >= 0.97", r["bcubed"][1] >= 0.97, r["bcubed"][1]),
        (f"{name}: truncated merged >= 0.98", r["truncated"] >= 0.98, r["truncated"]),
        (f"{name}: link precision >= 0.98", r["links"][0] >= 0.98, r["links"][0]),
        (f"{name}: link recall >= 0.95", r["links"][1] >= 0.95, r["links"][1]),
    ]


def crawl(path: Path, label: str, threads: int) -> dict:
    recs = [json.loads(line) for line in path.open(encoding="utf-8")]
    texts, sites, ids = [r["text"] for r in recs], [r["site"] for r in recs], [r["id"] for r in recs]
    out = {}
    prof = newsclean.Profile.learn(texts, sites=sites, num_threads=threads)
    for name, p in (("no profile", None), ("profile", prof)):
        rows = newsclean.teasers(texts, sites=sites, ids=ids, profile=p, num_threads=threads).to_list()
        out[name] = report(f"{label}, {name}", score(recs, rows))
    return out


def seeds(shared: Path) -> list[tuple[str, bool, float]]:
    recs = [json.loads(line) for line in (shared / "data" / "seeds" / "labeled.jsonl").open(encoding="utf-8")]
    texts, ids = [r["text"] for r in recs], [r["id"] for r in recs]
    sites = ["seed"] * len(recs)
    out = []
    for name, prof in (("no profile", None), ("profile of the seeds", newsclean.Profile.learn(texts, sites=sites))):
        rows = newsclean.teasers(texts, sites=sites, ids=ids, profile=prof).to_list()
        where = {(p, line): k for k, row in enumerate(rows) for p, line in row["pages"]}
        for r in recs:
            for rel in r.get("relations", []):
                if rel["kind"] == "truncated_prefix":
                    a, b, what = rel["short_line"] - 1, rel["full_line"] - 1, "cut-off lede merged with its full form"
                else:
                    a, b = (x - 1 for x in rel["lines"])
                    what = "two wordings are one story"
                ka, kb = where.get((r["id"], a)), where.get((r["id"], b))
                ok = ka is not None and ka == kb
                print(f"seeds, {name}: {r['id']} lines {a + 1} and {b + 1}: {what}: {'yes' if ok else 'NO'} (rows {ka}, {kb})")
                out.append((f"seeds, {name}: {r['id']} {what}", ok, float(ok)))
    return out


def timing(path: Path, threads: int, runs: int = 5) -> dict:
    recs = [json.loads(line) for line in path.open(encoding="utf-8")]
    texts, sites, ids = [r["text"] for r in recs], [r["site"] for r in recs], [r["id"] for r in recs]
    mb = sum(len(t.encode()) for t in texts) / 1e6

    def med(f):
        ts = []
        for _ in range(runs):
            t0 = time.perf_counter()
            f()
            ts.append(time.perf_counter() - t0)
        return statistics.median(ts)

    def stream():
        cat = newsclean.TeaserCatalogue(num_threads=threads)
        step = 1000
        for i in range(0, len(texts), step):
            cat.add(texts[i:i + step], sites=sites[i:i + step], ids=ids[i:i + step])
        for i in range(0, len(texts), step):
            cat.link(texts[i:i + step], sites=sites[i:i + step], ids=ids[i:i + step])
        return cat.finish()

    load = os.getloadavg()[0]
    seg = med(lambda: newsclean.segment_batch(texts, sites=sites, num_threads=threads))
    one = med(lambda: newsclean.teasers(texts, sites=sites, ids=ids, num_threads=threads))
    two = med(stream)
    load_end = os.getloadavg()[0]
    rows = len(newsclean.teasers(texts, sites=sites, ids=ids, num_threads=threads))
    print(f"throughput: {len(texts)} pages, {mb:.1f} MB, {threads} threads, median of {runs}; "
          f"load average {load:.2f} at the start, {load_end:.2f} at the end; {rows} rows")
    for name, t in (("segment_batch (peer)", seg), ("teasers()", one), ("TeaserCatalogue add+link, batches of 1000", two)):
        print(f"  {name:<44} {t:7.2f} s  {len(texts) / t:8.0f} pages/s  {mb / t:6.1f} MB/s  {t / seg:5.2f}x segment_batch")
    return {"pages": len(texts), "mb": mb, "segment_s": seg, "teasers_s": one, "stream_s": two, "load": [load, load_end]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--heldout", type=Path, help="a crawl made with another seed (default: generated, --seed 7 --sites 6)")
    ap.add_argument("--scale", type=int, default=5000, help="pages of make_crawl.py --scale for the throughput (0: skip)")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args(argv)
    shared = shared_dir()
    tools = shared / "tools" / "make_crawl.py"
    figures: dict = {}
    checks: list[tuple[str, bool, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        figures["crawl_dev"] = crawl(shared / "data" / "crawl_dev" / "pages.jsonl", "crawl_dev", args.threads)
        heldout = args.heldout
        if heldout is None:
            heldout = Path(tmp) / "seed7.jsonl"
            subprocess.run([sys.executable, str(tools), "--seed", "7", "--sites", "6", "--out", str(heldout)], check=True)
        figures["heldout"] = crawl(heldout, f"held-out ({heldout.name})", args.threads)
        for name in ("no profile", "profile"):
            checks += bars(f"crawl_dev, {name}", figures["crawl_dev"][name])
            checks += bars(f"held-out, {name}", figures["heldout"][name])
        checks += seeds(shared)
        if args.scale:
            big = Path(tmp) / "scale.jsonl"
            subprocess.run([sys.executable, str(tools), "--scale", str(args.scale), "--seed", "3", "--out", str(big)], check=True)
            figures["timing"] = timing(big, args.threads)
    print()
    for name, ok, v in checks:
        print(f"bar {name}: {v:.4f} — {'met' if ok else 'NOT met'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"figures": figures, "bars": checks}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
