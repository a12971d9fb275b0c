#!/usr/bin/env python3
"""Dedup accuracy against brute force: exact Jaccard and containment of every pair.

    python3 bench/dedup_accuracy.py [--threshold 0.8] [--bases 300]

Three sets, all from ../shared/data/ (not shipped with the package; the script says so and
stops when it is absent):

* crawl_dev: every page's gold body, plus every truncated teaser lede ("... a runoff vote
  that…") as a text of its own. Checked against brute force, and against the crawl's labels:
  each republished copy (`dup_group`) should join its original, each truncated lede the page of
  the story it teases.
* planted: article bodies of the l3s_gn1 and scrapinghub_aeb dev splits, each with copies at
  several rates of random word edits (replace, delete, insert) and truncated copies (a lede of
  25 words, 30 % and 60 % prefixes cut mid-word with an ellipsis).
* l3s_gn1 dev: the gold bodies of the 377 pages; its `near_dups` field lists the natural
  cross-site duplicates (exact, near, truncated prefix, containment).

Ground truth: a pair is a duplicate when the Jaccard similarity of its word 5-gram sets
(normalised as newsclean does: NFKC, lower case, punctuation folded) reaches the threshold, or
when at least that share of the shorter text's 5-grams is in the longer one (containment).
Precision: the share of newsclean's links (`res.pairs()`) that are true pairs. Recall: the
share of true pairs whose two texts end in one cluster.
"""
from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import time
import unicodedata
from pathlib import Path

import newsclean

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
NGRAM = 5


def words(text: str | None) -> list[str]:
    """newsclean's normalisation, in Python: NFKC, lower case, non-word characters to spaces."""
    if not text:
        return []
    out, cur = [], []
    for c in unicodedata.normalize("NFKC", text):
        if c.isalnum() or unicodedata.category(c).startswith("M"):
            cur.append(c.lower())
        elif cur:
            out.append("".join(cur))
            cur = []
    if cur:
        out.append("".join(cur))
    return out


def shingle_set(text: str | None) -> frozenset:
    w = words(text)
    if not w:
        return frozenset()
    if len(w) <= NGRAM:
        return frozenset([tuple(w)])
    return frozenset(tuple(w[i : i + NGRAM]) for i in range(len(w) - NGRAM + 1))


def brute_force(texts: list[str | None], t: float) -> dict[tuple[int, int], tuple[float, float]]:
    """Every pair whose Jaccard or containment (shorter in longer) is >= t: {(i, j): (J, C)}."""
    sets = [shingle_set(x) for x in texts]
    postings: dict[tuple, list[int]] = collections.defaultdict(list)
    for i, s in enumerate(sets):
        for sh in s:
            postings[sh].append(i)
    inter: collections.Counter = collections.Counter()
    for docs in postings.values():
        if len(docs) > 1:
            for a in range(len(docs)):
                for b in range(a + 1, len(docs)):
                    inter[(docs[a], docs[b])] += 1
    out = {}
    for (i, j), n in inter.items():
        a, b = len(sets[i]), len(sets[j])
        jac, con = n / (a + b - n), n / min(a, b)
        if jac >= t or con >= t:
            out[(i, j)] = (jac, con)
    return out


def score(name: str, texts: list[str | None], t: float, extra=None) -> tuple:
    truth = brute_force(texts, t)
    t0 = time.perf_counter()
    res = newsclean.dedup(texts, threshold=t, num_threads=2)
    secs = time.perf_counter() - t0
    links = res.pairs()
    true_links = sum(1 for i, j, _, _ in links if (i, j) in truth)
    precision = true_links / len(links) if links else 1.0
    cl = res.cluster
    found = sum(1 for (i, j) in truth if cl[i] == cl[j])
    recall = found / len(truth) if truth else 1.0
    kinds = collections.Counter(k for *_, k in links)
    print(f"{name}: {len(texts)} texts, {len(truth)} true pairs (brute force), {len(links)} links "
          f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}), {secs:.2f} s")
    print(f"  precision {precision:.4f}   recall {recall:.4f}   ({found}/{len(truth)} true pairs clustered together)")
    missed = [(p, truth[p]) for p in truth if cl[p[0]] != cl[p[1]]]
    for (i, j), (jac, con) in missed[:3]:
        print(f"    missed: {i} {j} J={jac:.3f} C={con:.3f}")
    return res, truth


def crawl_dev(t: float) -> None:
    recs = [json.loads(line) for line in open(DATA / "crawl_dev" / "pages.jsonl", encoding="utf-8")]
    texts: list[str | None] = [r["gold_body"] for r in recs]
    ledes = []  # (text index, article_id)
    for r in recs:
        lines = r["text"].split("\n")
        for link in r["teaser_links"]:
            if link["truncated"]:
                ledes.append((len(texts), link["article_id"]))
                texts.append(lines[link["line"]])
    res, truth = score("crawl_dev (gold bodies + truncated teaser ledes)", texts, t)
    cl = res.cluster
    by_article = collections.defaultdict(list)
    for i, r in enumerate(recs):
        by_article[r["article_id"]].append(i)
    per_kind = collections.defaultdict(lambda: [0, 0, 0])  # joined, total, true by brute force
    for i, r in enumerate(recs):
        g = r["dup_group"]
        if not g or g["kind"] == "original":
            continue
        orig = [k for k in by_article[r["article_id"]] if recs[k]["dup_group"] and recs[k]["dup_group"]["kind"] == "original"]
        if not orig:
            continue
        o = orig[0]
        per_kind[g["kind"]][1] += 1
        per_kind[g["kind"]][0] += cl[i] == cl[o]
        per_kind[g["kind"]][2] += (min(i, o), max(i, o)) in truth
    print("  republished copies joined to their original (labels; 'dup by brute force' = J or C >= threshold):")
    for kind, (ok, n, dup) in sorted(per_kind.items()):
        print(f"    {kind:<24} {ok}/{n}   dup by brute force {dup}/{n}")
    ok = wrong = no_article = true_ok = true_n = 0
    for idx, art in ledes:
        pages = by_article.get(art, [])
        if not pages:
            no_article += 1
            continue
        same = [p for p in pages if cl[p] == cl[idx]]
        ok += bool(same)
        wrong += any(cl[k] == cl[idx] and recs[k]["article_id"] != art for k in range(len(recs)))
        contained = [p for p in pages if (min(p, idx), max(p, idx)) in truth]
        if contained:
            true_n += 1
            true_ok += bool(same)
    n = len(ledes) - no_article
    print(f"  truncated ledes joined to their story's page: {ok}/{n} = {ok / max(1, n):.4f} "
          f"(with brute-force containment >= threshold: {true_ok}/{true_n} = {true_ok / max(1, true_n):.4f}); "
          f"joined to another story: {wrong}; story not in the crawl: {no_article}")


def planted(t: float, n_bases: int, seed: int) -> None:
    rng = random.Random(seed)
    bases, seen = [], set()
    for path in (DATA / "l3s_gn1" / "dev.jsonl", DATA / "scrapinghub_aeb" / "dev.jsonl"):
        for line in open(path, encoding="utf-8"):
            body = (json.loads(line).get("gold_body") or "").strip()
            if len(body.split()) >= 80 and body not in seen:
                seen.add(body)
                bases.append(body)
    rng.shuffle(bases)
    bases = bases[:n_bases]
    vocab = sorted({w for b in bases for w in b.split()})
    rates = [0.01, 0.03, 0.05, 0.10, 0.20]
    texts: list[str | None] = []
    meta = []  # (base text index, kind)
    for b in bases:
        bi = len(texts)
        texts.append(b)
        meta.append((bi, "base"))
        toks = b.split(" ")
        for rate in rates:
            out = []
            for w in toks:
                r = rng.random()
                if r < rate / 3:
                    out.append(rng.choice(vocab))
                elif r < 2 * rate / 3:
                    continue
                elif r < rate:
                    out.extend([w, rng.choice(vocab)])
                else:
                    out.append(w)
            texts.append(" ".join(out))
            meta.append((bi, f"edits {rate:.0%}"))
        for kind, cut in (("lede 25 words", None), ("prefix 30%", 0.3), ("prefix 60%", 0.6)):
            if cut is None:
                text = " ".join(toks[:25])
            else:
                text = b[: int(len(b) * cut)]
            texts.append(text.rstrip() + rng.choice(["…", "...", " [...]"]))
            meta.append((bi, kind))
    res, truth = score(f"planted ({len(bases)} dev articles, {len(rates)} edit rates, 3 truncations)", texts, t)
    cl = res.cluster
    rows = collections.defaultdict(lambda: [0, 0, 0])  # found, true pairs, total copies
    for i, (bi, kind) in enumerate(meta):
        if kind == "base":
            continue
        rows[kind][2] += 1
        if (bi, i) in truth:
            rows[kind][1] += 1
            rows[kind][0] += cl[bi] == cl[i]
    print("  copy kind          true pairs (of copies)   recall")
    trunc_found = trunc_true = 0
    for kind, (found, n_true, total) in rows.items():
        print(f"    {kind:<16} {n_true:>5} / {total:<5}            {found / max(1, n_true):.4f}")
        if kind.startswith(("lede", "prefix")):
            trunc_found += found
            trunc_true += n_true
    print(f"  truncated-prefix recall: {trunc_found}/{trunc_true} = {trunc_found / max(1, trunc_true):.4f}")


def l3s(t: float) -> None:
    recs = [json.loads(line) for line in open(DATA / "l3s_gn1" / "dev.jsonl", encoding="utf-8")]
    ids = {r["id"]: i for i, r in enumerate(recs)}
    texts = [r["gold_body"] for r in recs]
    res, truth = score("l3s_gn1 dev (gold bodies)", texts, t)
    cl = res.cluster
    listed, gold = set(), set()
    for i, r in enumerate(recs):
        for d in r.get("near_dups") or []:
            j = ids.get(d["id"])
            if j is None or j == i:
                continue
            p = (min(i, j), max(i, j))
            listed.add(p)
            if d["kind"] in ("exact", "near_duplicate", "truncated_prefix", "containment") and recs[i]["domain"] != recs[j]["domain"]:
                gold.add(p)
    found = sum(cl[i] == cl[j] for i, j in gold)
    false_cross = [(i, j) for i in range(len(recs)) for j in range(i + 1, len(recs))
                   if cl[i] == cl[j] and recs[i]["domain"] != recs[j]["domain"] and (i, j) not in listed]
    print(f"  cross-site pairs of near_dups (exact, near, truncated prefix, containment) found: {found}/{len(gold)}; "
          f"false pairs across sites (same cluster, not in near_dups): {len(false_cross)}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--bases", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"../shared/data is absent ({DATA} not found): nothing to measure. "
              "The accuracy bench needs the project's shared data sets beside the repository.", file=sys.stderr)
        return 2
    print(f"newsclean {newsclean.__version__}, threshold {args.threshold}\n")
    crawl_dev(args.threshold)
    print()
    planted(args.threshold, args.bases, args.seed)
    print()
    l3s(args.threshold)
    return 0


if __name__ == "__main__":
    sys.exit(main())
