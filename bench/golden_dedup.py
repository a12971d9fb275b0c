#!/usr/bin/env python3
"""A golden dump of dedup results, to check that a speed change changes no result.

    python3 bench/golden_dedup.py --out /tmp/golden_dedup_main.txt         # on main
    python3 bench/golden_dedup.py --check /tmp/golden_dedup_main.txt       # on the branch

Dumps, for crawl_dev (../shared/data/crawl_dev/pages.jsonl), a generated crawl
(../shared/tools/make_crawl.py --scale N, cached in --cache; it holds no duplicates) and a
planted set (its first 5000 pages and edited copies of a fifth of them): `newsclean.dedup`'s
cluster, keep, similarity (as float32 bit patterns, so "equal" means exactly equal) and
pairs, with default options, on 1 and 2 threads and in reversed input order; on crawl_dev and
the planted set also with `containment=False`, `keep="first"`, `unit="char"`,
`threshold=0.6`, `num_perm=100` (level sketches of 32 bins, which do not divide 100) and
`num_perm=20, ngram=3`; `minhash()` signatures (default, and num_perm=64 with seed=3); a
`DedupIndex` fed in three batches, and the bytes of its saved file. Each section is a line
with its name and the sha256 of its content (the content itself is large), so two dumps can
be compared with `diff` or `--check`.
Exits with status 1 when `--check` finds a difference, 2 when ../shared is absent.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

import newsclean

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CRAWL_DEV = SHARED / "data" / "crawl_dev" / "pages.jsonl"
MAKE_CRAWL = SHARED / "tools" / "make_crawl.py"


def load(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh]


def scale_corpus(cache: Path, n: int) -> Path:
    path = cache / f"scale-{n}.jsonl"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        subprocess.run([sys.executable, str(MAKE_CRAWL), "--scale", str(n), "--out", str(tmp)], check=True)
        tmp.rename(path)
    return path


def planted(base: list[str], n: int) -> list[str]:
    """`base[:n]` and, after them, edited copies of a fifth of them (fixed random choices): exact
    copies in other case, random word deletions and replacements at 3 and 12 %, the first
    20 / 50 % of the words (a cut-off lede), the last half, and a copy behind another text's
    opening: links of every kind, for verification, containment and clusters to decide."""
    import random
    rng = random.Random(4)
    out = list(base[:n])
    for k in range(0, n, 5):
        words = base[k].split(" ")
        kind = rng.randrange(7)
        if kind == 0:
            out.append(base[k].upper())
        elif kind in (1, 2):
            rate = 0.03 if kind == 1 else 0.12
            out.append(" ".join(w if rng.random() > rate else rng.choice(["", "said", words[0]]) for w in words))
        elif kind in (3, 4):
            out.append(" ".join(words[: max(1, int(len(words) * (0.2 if kind == 3 else 0.5)))]) + "...")
        elif kind == 5:
            out.append(" ".join(words[len(words) // 2 :]))
        else:
            out.append(" ".join(base[(k + 1) % n].split(" ")[:40]) + " " + base[k])
    return out


def digest(*parts: object) -> str:
    h = hashlib.sha256()
    for p in parts:
        if isinstance(p, np.ndarray):
            h.update(str(p.dtype).encode() + str(p.shape).encode())
            h.update(np.ascontiguousarray(p).tobytes())
        elif isinstance(p, bytes):
            h.update(p)
        else:
            h.update(repr(p).encode())
        h.update(b"\x00")
    return h.hexdigest()


def result_parts(res) -> list[object]:
    pairs = [(i, j, np.float32(s).view(np.uint32).item(), k) for i, j, s, k in res.pairs()]
    return [np.asarray(res.cluster), np.asarray(res.keep), np.asarray(res.similarity, dtype=np.float32).view(np.uint32), pairs]


def summary(res) -> str:
    kinds: dict[str, int] = {}
    for _, _, _, k in res.pairs():
        kinds[k] = kinds.get(k, 0) + 1
    return f"kept {int(np.sum(res.keep))}/{len(res.keep)} pairs {dict(sorted(kinds.items()))}"


def sections(name: str, texts: list[str], full: bool) -> list[tuple[str, str, str]]:
    out = []
    res = newsclean.dedup(texts, num_threads=2)
    out.append((f"{name} dedup default t2", digest(*result_parts(res)), summary(res)))
    res1 = newsclean.dedup(texts, num_threads=1)
    out.append((f"{name} dedup default t1", digest(*result_parts(res1)), summary(res1)))
    # Reversed input: clusters map back through the permutation (the result must be the same).
    n = len(texts)
    rev = newsclean.dedup(texts[::-1], num_threads=2)
    back = np.asarray(rev.cluster)[::-1]
    back = (n - 1 - back)
    out.append((f"{name} dedup reversed (mapped back)", digest(back, np.asarray(rev.keep)[::-1],
                                                               np.asarray(rev.similarity, dtype=np.float32)[::-1].view(np.uint32)), summary(rev)))
    if full:
        for label, kw in [("containment=False", {"containment": False}), ("keep=first", {"keep": "first"}),
                          ("unit=char", {"unit": "char"}), ("threshold=0.6", {"threshold": 0.6}),
                          ("num_perm=100", {"num_perm": 100}), ("num_perm=20 ngram=3", {"num_perm": 20, "ngram": 3})]:
            r = newsclean.dedup(texts, num_threads=2, **kw)
            out.append((f"{name} dedup {label}", digest(*result_parts(r)), summary(r)))
    sig = newsclean.minhash(texts, num_threads=2)
    out.append((f"{name} minhash default", digest(sig), f"shape {sig.shape}"))
    sig = newsclean.minhash(texts, num_perm=64, seed=3, num_threads=2)
    out.append((f"{name} minhash 64 seed 3", digest(sig), f"shape {sig.shape}"))
    # An index fed in three batches, then saved.
    index = newsclean.DedupIndex(threshold=0.8)
    cuts = [0, n // 3, 2 * n // 3, n]
    parts = []
    for a, b in zip(cuts, cuts[1:]):
        r = index.add(texts[a:b], ids=[f"t{k}" for k in range(a, b)], num_threads=2)
        parts += result_parts(r) + [list(r.cluster_ids)]
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "index.ncdedup")
        index.save(path)
        saved = Path(path).read_bytes()
    out.append((f"{name} DedupIndex 3 batches", digest(*parts), f"{len(parts)} arrays"))
    out.append((f"{name} DedupIndex saved file", digest(saved), f"{len(saved)} bytes"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=20_000, help="pages of the generated crawl")
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "newsclean-bench")
    ap.add_argument("--out", type=Path, help="write the dump here")
    ap.add_argument("--check", type=Path, help="compare with this dump")
    args = ap.parse_args()
    if not CRAWL_DEV.exists() or not MAKE_CRAWL.exists():
        print(f"../shared is absent ({CRAWL_DEV} or {MAKE_CRAWL} not found): no golden dump", file=sys.stderr)
        return 2
    lines = []
    scale = load(scale_corpus(args.cache, args.scale))
    for name, texts, full in [("crawl_dev", load(CRAWL_DEV), True), (f"scale-{args.scale}", scale, False),
                              ("planted-5000", planted(scale, 5000), True)]:
        for sec, h, info in sections(name, texts, full):
            lines.append(f"{sec}\t{h}\t{info}")
            print(lines[-1], flush=True)
    dump = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(dump)
    if args.check:
        want = args.check.read_text()
        if want != dump:
            got = dump.splitlines()
            for a, b in zip(want.splitlines(), got):
                if a != b:
                    print(f"DIFFERS:\n  want {a}\n  got  {b}")
            print("golden dump DIFFERS")
            return 1
        print("golden dump identical")
    return 0


if __name__ == "__main__":
    sys.exit(main())
