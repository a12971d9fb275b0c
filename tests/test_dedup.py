"""Deduplication: dedup, minhash, dedup_lines and DedupIndex."""

from __future__ import annotations

import math
import random
import shutil

import numpy as np
import pytest
from conftest import FIXTURES

import newsclean

WORDS = [f"w{i}" for i in range(2000)]


def story(rng: random.Random, n: int = 150) -> list[str]:
    return [rng.choice(WORDS) for _ in range(n)]


@pytest.fixture(scope="module")
def planted() -> tuple[list[str | None], list[int]]:
    """Texts and the story each belongs to: copies with punctuation changed, a few words
    edited, a cut-off lede and a short version, plus unrelated stories."""
    rng = random.Random(7)
    texts: list[str | None] = []
    group: list[int] = []
    for s in range(60):
        words = story(rng, 120 + rng.randrange(150))
        texts.append(" ".join(words) + ".")
        group.append(s)
        kind = s % 5
        if kind == 0:
            texts.append(", ".join(words).upper())
        elif kind == 1:
            edited = list(words)
            edited[len(words) // 2] = "changed"
            texts.append(" ".join(edited))
        elif kind == 2:
            texts.append(" ".join(words[:22]) + " …")
        elif kind == 3:
            texts.append(" ".join(words[: len(words) // 3]))
        else:
            continue
        group.append(s)
    return texts, group


def same_partition(a, b) -> bool:
    """Do the labellings a and b group the texts alike? (Each label of one meets exactly one
    label of the other.)"""
    a, b = [int(x) for x in a], [int(x) for x in b]
    return len(a) == len(b) and len(set(zip(a, b))) == len(set(a)) == len(set(b))


def shuffled_clusters(texts, seed: int, **kw) -> np.ndarray:
    """dedup of the texts in a shuffled order, its clusters mapped back to the original order."""
    perm = list(range(len(texts)))
    random.Random(seed).shuffle(perm)
    shuffled = newsclean.dedup([texts[p] for p in perm], **kw)
    back = np.empty(len(texts), dtype=np.int64)
    for new, old in enumerate(perm):
        back[old] = perm[shuffled.cluster[new]]
    return back


def test_planted_copies_are_clustered(planted):
    texts, group = planted
    res = newsclean.dedup(texts, num_threads=2)
    assert len(res) == len(texts)
    assert res.cluster.dtype == np.int64 and res.keep.dtype == np.bool_ and res.similarity.dtype == np.float32
    assert res.cluster.shape == res.keep.shape == res.similarity.shape == (len(texts),)
    assert same_partition(res.cluster, group)
    assert int(res.keep.sum()) == len(set(group))
    assert np.array_equal(res.keep, res.cluster == np.arange(len(texts)))
    kinds = {kind for *_, kind in res.pairs()}
    assert kinds == {"exact", "near", "contained"}
    for i, j, sim, kind in res.pairs():
        assert i < j and group[i] == group[j]
        assert (sim == 1.0) if kind == "exact" else 0.8 <= sim <= 1.0
    # keep="longest": each representative is its cluster's longest text.
    for i, c in enumerate(res.cluster):
        assert len(texts[c]) >= len(texts[i])
    assert ((res.similarity >= 0) & (res.similarity <= 1)).all()
    assert (res.similarity[res.keep] == 1).all()


def test_thread_count_and_input_order_do_not_matter(planted):
    texts, _ = planted
    one = newsclean.dedup(texts, num_threads=1)
    two = newsclean.dedup(texts, num_threads=2)
    assert np.array_equal(one.cluster, two.cluster) and one.pairs() == two.pairs()
    back = shuffled_clusters(texts, 3)
    assert same_partition(one.cluster, back)
    assert [texts[c] for c in one.cluster] == [texts[c] for c in back]


def test_text_that_ends_a_longer_one():
    """A release that a longer page ends with (after a lead-in of its own) joins the page as
    contained, though its Jaccard similarity is low and its opening differs."""
    rng = random.Random(11)
    release, lead = story(rng, 150), story(rng, 250)
    texts = [" ".join(release), " ".join(lead + release), " ".join(story(rng, 300))]
    res = newsclean.dedup(texts)
    assert res.cluster.tolist() == [1, 1, 2]
    assert [(i, j, kind) for i, j, _, kind in res.pairs()] == [(0, 1, "contained")]
    assert newsclean.dedup(texts, containment=False).cluster.tolist() == [0, 1, 2]


def test_texts_are_not_given_a_utf8_copy():
    """CPython caches a UTF-8 copy inside a non-ASCII str when asked for its UTF-8 in place
    (sys.getsizeof counts it): as much memory again as the corpus. dedup, minhash,
    dedup_lines and DedupIndex.add read the str's code units in place instead and leave the str
    as it was."""
    import sys

    texts = [f"Café crème n°{i} — “quoted” words here and there, déjà vu" * 20 for i in range(3)] * 2
    before = [sys.getsizeof(t) for t in texts]
    newsclean.dedup(texts)
    newsclean.minhash(texts, num_perm=8)
    newsclean.dedup_lines(texts)
    newsclean.DedupIndex().add(texts)
    assert [sys.getsizeof(t) for t in texts] == before


def test_every_str_width_reads_as_its_utf8():
    """The binding reads a str's code units where CPython keeps them (ASCII, Latin-1, UCS-2,
    UCS-4) and makes UTF-8 of them; an Arrow array holds CPython's own UTF-8 of the same
    texts. Both paths must give the same signatures and clusters, for a str subclass too.
    Character 3-grams of texts with a letter put in at two places around the 16-unit runs the
    conversion works in make the signatures differ wherever the texts do."""
    pa = pytest.importorskip("pyarrow")

    class Sub(str):
        pass

    base = "The harbour authority said on Tuesday that 42 ships were waiting"
    letters = ("é", "ÿ", "ж", "中", "ő", "𠀋", "𐐀")  # Latin-1, UCS-2 and UCS-4 letters
    texts = [base, ""]
    for wide in letters + ("\x80", "—", "“", "\uffff", "😀", "\U0010ffff"):
        for at in (0, 1, 15, 16, 17, 31, 33):
            texts.append(wide.join([base[:at], base[at : at + 16], base[at + 16 :]]) + wide * (at % 3))
    texts.append(Sub(base + " é"))
    plain = [str(t) for t in texts]
    got = newsclean.minhash(texts, num_perm=128, ngram=3, unit="char")
    assert got.tolist() == newsclean.minhash(pa.array(plain), num_perm=128, ngram=3, unit="char").tolist()
    # The 49 texts with a letter put in are told apart (so the comparison can fail).
    assert len({tuple(row) for row in got[2 : 2 + 7 * len(letters)].tolist()}) == 7 * len(letters)
    res = newsclean.dedup(texts, unit="char", ngram=3)
    assert res.cluster.tolist() == newsclean.dedup(pa.array(plain), unit="char", ngram=3).cluster.tolist()


@pytest.mark.parametrize("bad", ["\ud800", "\udfff"])
@pytest.mark.parametrize("wide", ["", "é", "—", "😀"])
def test_lone_surrogate_in_any_width_is_named(bad, wide):
    """A lone surrogate makes a str UCS-2 or UCS-4 (with a wide character beside it): named by
    its index, whatever the width."""
    texts = ["fine text here", f"a {wide} text with {bad} inside it and more words"]
    with pytest.raises(ValueError, match=r"texts\[1\].*surrogate"):
        newsclean.minhash(texts)


def test_bad_text_in_a_later_chunk():
    """A lone surrogate thousands of texts in (a later chunk of the binding) is named by its
    index, and an index it was added to is left as it was."""
    texts = [f"story number {i} about the harbour" for i in range(3000)] + ["bad \ud800 surrogate"]
    for call in (newsclean.dedup, newsclean.minhash, newsclean.dedup_lines):
        with pytest.raises(ValueError, match=r"texts\[3000\].*surrogate"):
            call(texts)
    index = newsclean.DedupIndex()
    index.add(texts[:5])
    with pytest.raises(ValueError, match=r"texts\[3000\]"):
        index.add(texts)
    assert len(index) == 5


def test_many_chunks_same_clusters():
    """More texts than one chunk of the binding (2,048): copies far apart, in other chunks, and
    missing values on the way, cluster as planted, in any order and for any thread count."""
    rng = random.Random(5)
    stories = [" ".join(story(rng, 30)) for _ in range(2600)]
    texts: list[str | None] = list(stories)
    group = list(range(len(stories)))
    for k in range(0, 2600, 7):
        texts.append(stories[k].upper() + "!")  # exact copy, thousands of texts later
        group.append(k)
    for k in range(3, 2600, 11):
        words = stories[k].split()
        texts.append(" ".join(words[:18]) + " …")  # cut-off lede
        group.append(k)
    for at in (2047, 2048, 4100):
        texts.insert(at, None)
        group.insert(at, -at)
    res = newsclean.dedup(texts, num_threads=2)
    assert same_partition(res.cluster, group)
    one = newsclean.dedup(texts, num_threads=1)
    assert np.array_equal(one.cluster, res.cluster) and one.pairs() == res.pairs()
    assert np.array_equal(shuffled_clusters(texts, 2), res.cluster)
    sig = newsclean.minhash(texts, num_perm=16)
    assert sig.shape == (len(texts), 16)
    for i in (0, 2047, 2049, 3000, len(texts) - 1):
        assert np.array_equal(sig[i], newsclean.minhash([texts[i]], num_perm=16)[0])


def test_keep_policies():
    long = "the council approved the budget on monday after a debate that lasted more than six hours in the hall"
    texts = [long[:60], long, long + "!"]
    assert newsclean.dedup(texts).cluster.tolist() == [2, 2, 2]  # longest raw text
    first = newsclean.dedup(texts, keep="first")
    assert first.cluster.tolist() == [0, 0, 0] and first.keep.tolist() == [True, False, False]
    assert newsclean.dedup(texts, keep=[0, 5, 1]).cluster.tolist() == [1, 1, 1]
    assert newsclean.dedup(texts, keep=np.array([0.0, 1.0, 5.0])).cluster.tolist() == [2, 2, 2]
    assert newsclean.dedup(texts, containment=False).cluster.tolist() == [0, 2, 2]
    with pytest.raises(ValueError, match="priority"):
        newsclean.dedup(texts, keep=[1, 2])
    with pytest.raises(ValueError, match="keep"):
        newsclean.dedup(texts, keep="last")


def test_inputs_and_edge_cases():
    empty = newsclean.dedup([])
    assert len(empty) == 0 and empty.cluster.dtype == np.int64 and empty.pairs() == []
    texts = ("Same text here, again and again.", None, math.nan, "same TEXT here again and again", "", "  ...  ")
    res = newsclean.dedup(texts)
    assert res.cluster.tolist() == [0, 1, 2, 0, 4, 5]  # empty texts are never linked
    arr = np.array(list(texts), dtype=object)
    assert newsclean.dedup(arr).cluster.tolist() == res.cluster.tolist()
    assert newsclean.dedup(iter(texts)).cluster.tolist() == res.cluster.tolist()
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        newsclean.dedup(["a", 3])
    with pytest.raises(TypeError):
        newsclean.dedup("a single string")
    with pytest.raises(TypeError):
        newsclean.dedup(42)
    with pytest.raises(ValueError, match=r"texts\[1\]"):
        newsclean.dedup(["ok", "bad \ud800 surrogate"])
    class Sub(str):
        pass
    assert newsclean.dedup([Sub("one two three"), "One two three!"]).cluster.tolist() == [1, 1]
    # Texts made on the fly (a generator) stay alive while the work runs without the GIL.
    gen = newsclean.dedup(("word%d " % (i % 3) * 20 for i in range(9)), keep="first")
    assert gen.cluster.tolist() == [0, 1, 2] * 3
    for bad in ({"threshold": 0}, {"threshold": 1.5}, {"num_perm": 0}, {"ngram": 0}, {"unit": "byte"}, {"num_threads": 0}):
        with pytest.raises(ValueError):
            newsclean.dedup(["a"], **bad)
    chars = newsclean.dedup(["東京で大きな地震がありました", "東京で大きな地震がありました。", "大阪"], unit="char", ngram=3)
    assert chars.cluster.tolist() == [1, 1, 2]  # the longer raw text is kept


def test_pandas_series():
    pd = pytest.importorskip("pandas")
    s = pd.Series(["one two three four five six", None, "One two three four five six!"])
    res = newsclean.dedup(s)
    assert res.cluster.tolist() == [2, 1, 2]


def test_minhash_estimates_jaccard():
    rng = random.Random(1)
    base = story(rng, 400)
    edited = list(base)
    for k in rng.sample(range(400), 20):
        edited[k] = "zz"
    sig = newsclean.minhash([" ".join(base), " ".join(edited), None], num_perm=256, num_threads=2)
    assert sig.shape == (3, 256) and sig.dtype == np.uint32
    assert (sig[2] == 2**32 - 1).all()

    def shingles(ws):
        return {tuple(ws[i : i + 5]) for i in range(len(ws) - 4)}

    a, b = shingles(base), shingles(edited)
    exact = len(a & b) / len(a | b)
    estimate = float((sig[0] == sig[1]).mean())
    assert abs(estimate - exact) < 4 * math.sqrt(exact * (1 - exact) / 256)
    assert np.array_equal(sig, newsclean.minhash([" ".join(base), " ".join(edited), None], num_perm=256))
    assert not np.array_equal(sig[0], newsclean.minhash([" ".join(base)], num_perm=256, seed=1)[0])
    assert newsclean.minhash([], num_perm=8).shape == (0, 8)


def test_dedup_lines():
    texts = ["Subscribe to our newsletter today\nThe council met on Monday.", None, "x\nSUBSCRIBE to our newsletter today!"]
    d = newsclean.dedup_lines(texts)
    assert len(d) == 1
    assert (d.doc.tolist(), d.line.tolist(), d.first_doc.tolist(), d.first_line.tolist()) == ([2], [1], [0], [0])
    assert len(newsclean.dedup_lines(texts, min_words=10)) == 0


def test_index_incremental_save_load(planted, tmp_path):
    texts, group = planted
    half = len(texts) // 2
    index = newsclean.DedupIndex(0.8)
    a = index.add(texts[:half], ids=[f"t{i}" for i in range(half)], keep="first")
    b = index.add(texts[half:])
    assert len(index) == len(texts)
    assert a.cluster_ids[0] == "t0" and index.ids[half] == str(half)
    joined = np.concatenate([a.cluster, b.cluster])
    assert same_partition(joined, group)
    path = tmp_path / "crawl.ncdedup"
    index.save(path)
    loaded = newsclean.DedupIndex.load(str(path))
    assert len(loaded) == len(index) and loaded.ids == index.ids and loaded.threshold == 0.8
    probe = [texts[0], "an entirely new story about something else altogether, surely"]
    x, y = index.add(probe, ids=["p", "q"]), loaded.add(probe, ids=["p", "q"])
    assert x.cluster.tolist() == y.cluster.tolist() and x.pairs() == y.pairs()
    assert x.keep.tolist() == [False, True] and x.cluster_ids[0] == "t0"
    with pytest.raises(ValueError, match="ids"):
        index.add(["a", "b"], ids=["only one"])


def test_index_bad_files(tmp_path):
    good = FIXTURES / "dedup_index_v2.ncdedup"
    data = good.read_bytes()
    cases = {
        "truncated": data[:-5],
        "corrupt": data[:30] + bytes([data[30] ^ 1]) + data[31:],
        "magic": b"PK\x03\x04 not an index at all",
        "version": data[:8] + (3).to_bytes(4, "little") + data[12:],
    }
    for name, blob in cases.items():
        p = tmp_path / name
        p.write_bytes(blob)
        with pytest.raises(ValueError, match=str(p.name)):
            newsclean.DedupIndex.load(p)
    with pytest.raises(ValueError, match="version 3"):
        newsclean.DedupIndex.load(tmp_path / "version")
    # Version 1 (hashed otherwise) is refused by name, with what to do.
    with pytest.raises(ValueError, match="version 1.*rebuild the index"):
        newsclean.DedupIndex.load(FIXTURES / "dedup_index_v1.ncdedup")
    with pytest.raises(OSError):
        newsclean.DedupIndex.load(tmp_path / "missing.ncdedup")


def test_golden_index_file(tmp_path):
    """A file written by format version 2 keeps loading (three texts: "a", its exact copy "b",
    and an unrelated "c"; threshold 0.8, 16 bins), and the same texts save to the same bytes."""
    copy = tmp_path / "golden.ncdedup"
    shutil.copy(FIXTURES / "dedup_index_v2.ncdedup", copy)
    rebuilt = newsclean.DedupIndex(0.8, num_perm=16)
    rebuilt.add(["The city council approved the new budget on Monday after a debate that lasted six hours.",
                 "THE CITY COUNCIL approved the new budget on Monday, after a debate that lasted six hours!",
                 "Fishermen in the harbour reported record catches of herring this spring."], ids=["a", "b", "c"], keep="first")
    rebuilt.save(tmp_path / "rebuilt.ncdedup")
    assert (tmp_path / "rebuilt.ncdedup").read_bytes() == copy.read_bytes()
    index = newsclean.DedupIndex.load(copy)
    assert index.ids == ["a", "b", "c"] and index.threshold == 0.8
    res = index.add(["The city council approved the new budget on Monday after a debate that lasted six hours"])
    assert res.cluster.tolist() == [0] and res.cluster_ids == ["a"] and not res.keep[0]


def stream_dedup(texts, size: int, threads: int | None = None, keep=None, **kw) -> newsclean.DedupResult:
    """dedup through a DedupStream fed in chunks of `size`: every text, then the needed ones."""
    stream = newsclean.DedupStream(**kw)
    for i in range(0, len(texts), size):
        stream.add(texts[i : i + size], num_threads=threads)
    assert len(stream) == len(texts)
    need = stream.needed(num_threads=threads)
    assert need.dtype == np.int64 and list(need) == sorted(set(need.tolist()))
    for i in range(0, len(need), size):
        stream.add_needed([texts[j] for j in need[i : i + size]], num_threads=threads)
    return stream.finish(keep=keep, num_threads=threads)


@pytest.mark.parametrize("keep", ["first", "longest", "priority"])
def test_stream_gives_the_result_of_dedup(planted, keep):
    """A DedupStream gives exactly dedup's clusters, similarities and links, for any chunk
    size and thread count, with texts missing on the way and each keep policy."""
    texts, _ = planted
    texts = [None, *texts[:40], "", *texts[40:], None]
    policy = [float(len(t or "") % 7) for t in texts] if keep == "priority" else keep
    want = newsclean.dedup(texts, keep=policy)
    assert len(want.pairs()) > 30 and not want.keep.all()
    for size, threads in [(1, 1), (3, 2), (17, None), (len(texts), 2)]:
        got = stream_dedup(texts, size, threads, keep=policy)
        assert np.array_equal(got.cluster, want.cluster), (size, threads)
        assert np.array_equal(got.keep, want.keep) and np.array_equal(got.similarity, want.similarity)
        assert got.pairs() == want.pairs()
    # Other options go through too.
    got = stream_dedup(texts, 9, threshold=0.5, unit="char", ngram=7, containment=False, keep=policy)
    assert got.pairs() == newsclean.dedup(texts, threshold=0.5, unit="char", ngram=7, containment=False, keep=policy).pairs()


def test_stream_needs_only_texts_in_candidate_pairs(planted):
    texts, group = planted
    stream = newsclean.DedupStream()
    stream.add(texts)
    need = set(stream.needed().tolist())
    paired = {i for a, b, _, kind in newsclean.dedup(texts).pairs() if kind != "exact" for i in (a, b)}
    assert paired <= need and len(need) < len(texts)


def test_stream_steps_out_of_turn():
    texts = ["the council met on monday and agreed to repair the roads", "THE COUNCIL met on Monday and agreed to repair the roads!", None]
    stream = newsclean.DedupStream()
    with pytest.raises(RuntimeError, match="before needed"):
        stream.add_needed(texts)
    stream.add(texts[:2])
    with pytest.raises(RuntimeError, match="before needed"):
        stream.finish()
    stream.add(texts[2:])
    with pytest.raises(ValueError, match="keep"):
        stream.finish(keep=[1.0, 2.0])  # one priority per text: 3
    assert len(stream.needed()) == 0  # exact copies need no verification
    with pytest.raises(RuntimeError, match="add\\(\\) after needed"):
        stream.add(texts)
    with pytest.raises(RuntimeError, match="more texts for the 0 needed"):
        stream.add_needed(texts[:1])
    res = stream.finish(keep="first")  # the refused calls changed nothing
    assert res.cluster.tolist() == [0, 0, 2] and len(stream) == 3
    with pytest.raises(RuntimeError, match="finished"):
        stream.finish()
    with pytest.raises(RuntimeError, match="finished"):
        stream.add(texts)
    # Verification needs every needed text.
    stream = newsclean.DedupStream()
    stream.add(["one two three four five six seven eight nine ten", "one two three four five six seven eight nine"])
    assert stream.needed().tolist() == [0, 1]
    stream.add_needed(["one two three four five six seven eight nine ten"])
    with pytest.raises(RuntimeError, match="after 1 of the 2 needed"):
        stream.finish()
    # A bad item is named. One of the wrong type is found before anything is added; a lone
    # surrogate in a later chunk of the binding, after earlier chunks were: the stream is then
    # unusable.
    stream = newsclean.DedupStream()
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        stream.add(["fine", 5])
    stream.add(["fine"])
    assert len(stream) == 1
    with pytest.raises(ValueError, match=r"texts\[3000\].*surrogate"):
        stream.add([f"story number {i} about the harbour" for i in range(3000)] + ["bad \ud800 surrogate"])
    with pytest.raises(RuntimeError, match="failed in an earlier call"):
        stream.add(["fine"])
    with pytest.raises(ValueError, match="threshold"):
        newsclean.DedupStream(1.5)
    empty = newsclean.DedupStream()
    assert len(empty.finish()) == 0
