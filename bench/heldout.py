#!/usr/bin/env python3
"""Generalisation to site chrome no rule was written from: simulated crawls made with two
phrase banks, scored with and without a profile.

``make_crawl.py`` draws each site's chrome (navigation, calls to action, list headings,
copyright, dates, bylines) from a phrase bank. The shared one (``<shared>/tools/chrome_bank.json``)
is what the crawls the project is tuned on were made with; ``bench/data/heldout_chrome.json`` is
a second bank, worded independently of it and of the built-in rules, in the same seven
languages plus Italian and Arabic. For each seed the script makes one crawl with each bank
(same seed and sites, so the same articles and page layouts are drawn; the site languages
differ, since the banks have different languages) and segments every page without a profile
and with a profile learned from that crawl, then scores the body (the article-extraction
benchmark's metric) and the line labels (per-class F1) with ``<shared>/tools/score.py``.

The gap between the two banks without a profile is what the built-in rules owe to the wording
of the tuning crawls; with a profile the site's own repetition should close it. Do not turn the
held-out bank's phrases into rules: the check would then measure nothing.

Run from the repository root::

    python3 bench/heldout.py                       # seeds 7 and 9, 8 and 10 sites
    python3 bench/heldout.py --seeds 13 --sites 6 --json heldout.json

The shared folder is ``../shared`` beside the repository, or ``$NEWSCLEAN_SHARED``; without it
the script exits with status 2.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO_ROOT, die, import_newsclean, render_table, shared_dir  # noqa: E402

HELDOUT_BANK = REPO_ROOT / "bench" / "data" / "heldout_chrome.json"
CLASSES = ("headline", "teaser", "body", "boilerplate")


def make_crawl(shared: Path, seed: int, sites: int, bank: Path | None, out: Path) -> list[dict]:
    cmd = [sys.executable, str(shared / "tools" / "make_crawl.py"), "--seed", str(seed),
           "--sites", str(sites), "--out", str(out)]
    if bank is not None:
        cmd += ["--chrome-bank", str(bank)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        die(f"{' '.join(cmd)} failed with status {done.returncode}: {done.stderr.strip()}")
    with open(out, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score_crawl(nc, score, path: Path, recs: list[dict], threads: int | None) -> dict[str, dict]:
    texts = [r["text"] for r in recs]
    sites = [r["site"] for r in recs]
    runs = {"none": nc.segment_batch(texts, num_threads=threads)}
    profile = nc.Profile.learn(texts, sites=sites, num_threads=threads)
    runs["profile"] = nc.segment_batch(texts, profile=profile, sites=sites, num_threads=threads)
    out = {}
    for mode, pages in runs.items():
        preds = {r["id"]: {"body": p.body, "line_labels": p.labels, "_where": "newsclean"}
                 for r, p in zip(recs, pages)}
        s = score.score(str(path), recs, preds)
        pc = s["lines"]["per_class"]
        out[mode] = {"body_zyte_f1": s["body"]["zyte"]["f1"], **{f"{c}_line_f1": pc[c]["f1"] for c in CLASSES}}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="7,9", help="comma list of make_crawl.py seeds (default 7,9)")
    ap.add_argument("--sites", default="8,10", help="sites per seed: one number, or one per seed (default 8,10)")
    ap.add_argument("--threads", type=int, default=None, help="newsclean num_threads (default: the library's)")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args(argv)
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
        sites = [int(s) for s in args.sites.split(",") if s.strip()]
    except ValueError:
        die("--seeds and --sites take comma lists of integers")
    if len(sites) == 1:
        sites = sites * len(seeds)
    if not seeds or len(sites) != len(seeds) or min(sites) < 1:
        die("give one --sites count, or one per seed, each >= 1")
    if not HELDOUT_BANK.is_file():
        die(f"the held-out phrase bank is missing: {HELDOUT_BANK}")
    shared = shared_dir()
    sys.path.insert(0, str(shared / "tools"))
    import score  # noqa: PLC0415 - the shared scorer
    nc, why = import_newsclean()
    if nc is None:
        die(why)

    rows, figures = [], []
    with tempfile.TemporaryDirectory(prefix="newsclean-heldout-") as tmp:
        for seed, n_sites in zip(seeds, sites):
            for bank_name, bank in (("shared", None), ("held-out", HELDOUT_BANK)):
                path = Path(tmp) / f"seed{seed}-{bank_name}.jsonl"
                recs = make_crawl(shared, seed, n_sites, bank, path)
                got = score_crawl(nc, score, path, recs, args.threads)
                for mode, s in got.items():
                    figures.append({"seed": seed, "sites": n_sites, "bank": bank_name, "profile": mode,
                                    "pages": len(recs), **s})
                    rows.append([f"{seed} ({n_sites} sites, {len(recs)} p.)", bank_name,
                                 "none" if mode == "none" else "learned",
                                 f"{s['body_zyte_f1']:.3f}", *(f"{s[c + '_line_f1']:.3f}" for c in CLASSES)])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"newsclean {nc.__version__}; phrase banks: shared = {shared / 'tools' / 'chrome_bank.json'}, "
          f"held-out = {HELDOUT_BANK.relative_to(REPO_ROOT)}; load average {load:.2f}")
    print(render_table(["seed", "chrome bank", "profile", "body F1", "headline F1", "teaser F1",
                        "body line F1", "boilerplate F1"], rows, right={3, 4, 5, 6, 7}))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
