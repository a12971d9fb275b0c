#!/usr/bin/env python3
"""Dumps every decision newsclean makes on the dev pages, to check that a change alters none.

For every page of the dev sets (``scrapinghub_aeb``, ``l3s_gn1``, ``seeds``,
``trafilatura_eval``) and of ``crawl_dev``, it writes one JSON line: the page's body, its
teasers (line indexes, truncated flag, texts) and every line's label, reason, start and end.
``crawl_dev`` is segmented three times: without a profile, with a profile learned from the
whole crawl, and with one learned from the first 3 pages of each site (below the decoder's
5-page threshold, so the other profile branch runs too). The dev pages are also segmented
with a ``Segmenter`` carrying user rules. The saved bytes of the whole-crawl profile are
hashed into the dump as well, and the rows of the teaser catalogue of ``crawl_dev``
(``teasers(..., profile="learn")``) are dumped when the package has it.

Along the way it checks what the dump cannot show: every ``line.text`` is
``text.split("\\n")[i]``, the spans partition the input, ``clean_batch`` gives the same
bodies as ``segment_batch``, and 1 and 2 threads give the same pages.

Use it before and after a change that must not change any output::

    python3 bench/golden_labels.py --out /tmp/golden-before.jsonl
    # ... change, rebuild ...
    python3 bench/golden_labels.py --check /tmp/golden-before.jsonl

``--check`` exits 1 and prints the first differing page when the dumps differ. The shared
folder is ``../shared`` beside the repository, or ``$NEWSCLEAN_SHARED``; without it the script
exits with status 2.
"""
from __future__ import annotations

import argparse
import collections
import hashlib
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DATASETS, die, import_newsclean, load_records, shared_dir  # noqa: E402

THREADS = 2
USER_PHRASES = ["photo", "click", "exclusive offer"]
USER_PATTERNS = [r"^By\s+\w+", r"^\d+\s+min(ute)?s?\b"]


def page_rows(tag: str, recs: list[dict], texts: list[str], pages) -> list[str]:
    rows = []
    for rec, text, page in zip(recs, texts, pages):
        parts = text.split("\n")
        lines = page.lines
        if len(lines) != len(parts):
            raise AssertionError(f"{tag} {rec.get('id')}: {len(lines)} lines for {len(parts)} parts")
        pos = 0
        out_lines = []
        for i, (line, part) in enumerate(zip(lines, parts)):
            want = part[:-1] if part.endswith("\r") else part  # "\r\n" is the line break
            if line.text != want or line.start != pos or line.index != i:
                raise AssertionError(f"{tag} {rec.get('id')} line {i}: text/start/index wrong")
            pos = line.end
            out_lines.append([line.label, line.reason, line.start, line.end])
        if pos != len(text):
            raise AssertionError(f"{tag} {rec.get('id')}: spans end at {pos}, text has {len(text)}")
        if list(page.labels) != [lab for lab, *_ in out_lines]:
            raise AssertionError(f"{tag} {rec.get('id')}: page.labels differs from the lines")
        teasers = [[t.headline_line, t.lede_line, t.truncated, t.headline, t.lede] for t in page.teasers]
        rows.append(json.dumps({"set": tag, "id": rec.get("id"), "body": page.body,
                                "teasers": teasers, "lines": out_lines}, ensure_ascii=False))
    return rows


def same_pages(a, b) -> bool:
    return all(x.body == y.body and x.labels == y.labels
               and [ln.reason for ln in x.lines] == [ln.reason for ln in y.lines]
               for x, y in zip(a, b))


def dump(nc, shared: Path) -> list[str]:
    rows: list[str] = []
    dev = [(name, r) for name in DATASETS for r in load_records(shared, name)]
    recs = [r for _, r in dev]
    texts = [r["text"] for r in recs]
    pages = nc.segment_batch(texts, num_threads=THREADS)
    for name in DATASETS:
        idx = [i for i, (n, _) in enumerate(dev) if n == name]
        rows += page_rows(name, [recs[i] for i in idx], [texts[i] for i in idx], [pages[i] for i in idx])
    if nc.clean_batch(texts, num_threads=THREADS) != [p.body for p in pages]:
        raise AssertionError("clean_batch bodies differ from segment_batch bodies")
    if not same_pages(pages, nc.segment_batch(texts, num_threads=1)):
        raise AssertionError("1 and 2 threads give different pages")
    if not same_pages(pages[:50], [nc.segment(t) for t in texts[:50]]):
        raise AssertionError("segment() and segment_batch() differ")
    user = nc.Segmenter(phrases=USER_PHRASES, patterns=USER_PATTERNS)
    rows += page_rows("dev+user-rules", recs, texts, user.segment_batch(texts, num_threads=THREADS))

    crawl_path = shared / "data" / "crawl_dev" / "pages.jsonl"
    if not crawl_path.is_file():
        die(f"crawl_dev not found: {crawl_path} does not exist")
    crawl = [json.loads(line) for line in crawl_path.open(encoding="utf-8") if line.strip()]
    ctexts = [r["text"] for r in crawl]
    sites = [r["site"] for r in crawl]
    rows += page_rows("crawl_dev", crawl, ctexts, nc.segment_batch(ctexts, num_threads=THREADS))
    prof = nc.Profile.learn(ctexts, sites=sites, num_threads=THREADS)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "crawl.ncprof"
        prof.save(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    rows.append(json.dumps({"set": "crawl_dev profile file", "sha256": digest, "keys": len(prof)}))
    rows += page_rows("crawl_dev+profile", crawl, ctexts,
                      nc.segment_batch(ctexts, sites=sites, profile=prof, num_threads=THREADS))
    by_site: dict[str, list[int]] = collections.defaultdict(list)
    for i, s in enumerate(sites):
        by_site[s].append(i)
    few = sorted(i for ids in by_site.values() for i in ids[:3])
    small = nc.Profile.learn([ctexts[i] for i in few], sites=[sites[i] for i in few], num_threads=THREADS)
    rows += page_rows("crawl_dev+profile3", crawl, ctexts,
                      nc.segment_batch(ctexts, sites=sites, profile=small, num_threads=THREADS))
    if hasattr(nc, "teasers"):  # the teaser catalogue, built on the segmenter's teasers
        cat = nc.teasers(ctexts, sites=sites, ids=[r.get("id", i) for i, r in enumerate(crawl)],
                         profile="learn", num_threads=THREADS)
        rows += [json.dumps({"set": "crawl_dev teaser catalogue", **row}, ensure_ascii=False)
                 for row in cat]
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = ap.add_mutually_exclusive_group(required=True)
    group.add_argument("--out", type=Path, help="write the dump here")
    group.add_argument("--check", type=Path, metavar="REFERENCE",
                       help="compare with an earlier dump; exit 1 on any difference")
    args = ap.parse_args(argv)
    nc, why = import_newsclean()
    if nc is None:
        die(why)
    rows = dump(nc, shared_dir())
    text = "\n".join(rows) + "\n"
    digest = hashlib.sha256(text.encode()).hexdigest()
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"{len(rows)} rows, sha256 {digest}: {args.out}")
        return 0
    ref = args.check.read_text(encoding="utf-8").splitlines()
    if ref == rows:
        print(f"identical: {len(rows)} rows, sha256 {digest}")
        return 0
    for k, (a, b) in enumerate(zip(ref, rows)):
        if a != b:
            print(f"row {k} differs:\n  reference: {a[:600]}\n  now:       {b[:600]}")
            break
    else:
        print(f"row counts differ: reference {len(ref)}, now {len(rows)}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
