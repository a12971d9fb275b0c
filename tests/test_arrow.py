"""Arrow input: pyarrow arrays and chunked arrays, pandas 3 Arrow-backed string columns, read
through the Arrow PyCapsule interface; the results equal those of a list of str."""

from __future__ import annotations

import numpy as np
import pytest

import newsclean

pa = pytest.importorskip("pyarrow")

STORY = "The council approved the budget on Monday after a debate that lasted six hours, the longest in years."
TEXTS = [
    STORY,
    None,
    "Leave the first comment\n" + STORY + "\nShare on X",
    "",
    "Schreiben Sie den ersten Kommentar\n東京 \U0001f600 ünïcödé",
    STORY.upper(),
    "Fishermen in the harbour reported record catches of herring this spring, the best in a decade.",
]


class ArrayOnly:
    """An Arrow producer with only ``__arrow_c_array__`` (no stream)."""

    def __init__(self, arr):
        self.arr = arr

    def __arrow_c_array__(self, requested_schema=None):
        return self.arr.__arrow_c_array__(requested_schema)


class StreamOnly:
    """An Arrow producer with only ``__arrow_c_stream__``."""

    def __init__(self, arr):
        self.arr = arr

    def __arrow_c_stream__(self, requested_schema=None):
        return self.arr.__arrow_c_stream__(requested_schema)


def arrow_inputs():
    """Every way the same texts can arrive as Arrow: (name, object, the texts as a list)."""
    out = []
    for typ in (pa.string(), pa.large_string(), pa.string_view()):
        arr = pa.array(TEXTS, type=typ)
        out.append((f"{typ}", arr, TEXTS))
        out.append((f"{typ} chunked", pa.chunked_array([arr.slice(0, 3), arr.slice(3, 0), arr.slice(3)]), TEXTS))
        out.append((f"{typ} slice", arr.slice(2, 4), TEXTS[2:6]))
        out.append((f"{typ} array-only", ArrayOnly(arr.slice(1)), TEXTS[1:]))
        out.append((f"{typ} stream-only", StreamOnly(pa.chunked_array([arr.slice(4), arr.slice(1, 2)])), TEXTS[4:] + TEXTS[1:3]))
    return out


INPUTS = arrow_inputs()


@pytest.mark.parametrize(("name", "arr", "texts"), INPUTS, ids=[i[0] for i in INPUTS])
def test_segment_and_clean_equal_the_list_path(name, arr, texts):
    assert newsclean.clean_batch(arr, num_threads=2) == newsclean.clean_batch(texts, num_threads=2)
    got = newsclean.segment_batch(arr)
    want = newsclean.segment_batch(texts)
    assert [p.labels for p in got] == [p.labels for p in want]
    assert [[ln.text for ln in p.lines] for p in got] == [[ln.text for ln in p.lines] for p in want]
    seg = newsclean.Segmenter(phrases=["herring"])
    assert seg.clean_batch(arr) == seg.clean_batch(texts)


@pytest.mark.parametrize(("name", "arr", "texts"), INPUTS, ids=[i[0] for i in INPUTS])
def test_dedup_equals_the_list_path(name, arr, texts):
    a, b = newsclean.dedup(arr, threshold=0.8), newsclean.dedup(texts, threshold=0.8)
    assert a.cluster.tolist() == b.cluster.tolist()
    assert a.pairs() == b.pairs()
    np.testing.assert_array_equal(newsclean.minhash(arr), newsclean.minhash(texts))
    la, lb = newsclean.dedup_lines(arr, min_words=1), newsclean.dedup_lines(texts, min_words=1)
    assert la.doc.tolist() == lb.doc.tolist() and la.line.tolist() == lb.line.tolist()


def test_nulls_give_empty_results():
    arr = pa.array([None, STORY, None], type=pa.large_string())
    pages = newsclean.segment_batch(arr)
    assert [len(p) for p in pages] == [0, 1, 0]
    assert newsclean.clean_batch(arr)[0] == "" and newsclean.clean_batch(arr)[2] == ""
    assert newsclean.dedup(arr).keep.tolist() == [True, True, True]


def test_dedup_index_and_sites_take_arrow():
    idx = newsclean.DedupIndex(threshold=0.8)
    idx.add(pa.array([STORY]), ids=["a"])
    res = idx.add(pa.array([STORY.upper(), TEXTS[-1]], type=pa.string_view()), ids=["b", "c"])
    assert res.cluster_ids == ["a", "c"]
    texts = [f"Home\nStory number {i} is about the council and its budget.\nShare on X" for i in range(4)]
    sites = pa.array(["a.example"] * 4)
    profile = newsclean.Profile.learn(texts, sites=["a.example"] * 4)
    learned = newsclean.Profile.learn(pa.array(texts), sites=sites)
    assert learned.top_lines("a.example") == profile.top_lines("a.example") and len(learned) == len(profile)
    with pytest.raises(ValueError, match="sites is shorter than texts"):
        newsclean.Profile.learn(pa.array(texts), sites=pa.array(["a.example"]))
    got = newsclean.segment_batch(pa.array(texts), sites=sites, profile=profile)
    want = newsclean.segment_batch(texts, sites=["a.example"] * 4, profile=profile)
    assert [p.labels for p in got] == [p.labels for p in want]
    with pytest.raises(ValueError, match="sites has 2 items but texts has 4"):
        newsclean.segment_batch(texts, sites=pa.array(["a", "b"]), profile=profile)


def test_pandas_arrow_string_column():
    pd = pytest.importorskip("pandas")
    s = pd.Series(TEXTS, dtype=pd.StringDtype("pyarrow"))
    assert newsclean.clean_batch(s) == newsclean.clean_batch(TEXTS)
    assert newsclean.dedup(s).cluster.tolist() == newsclean.dedup(TEXTS).cluster.tolist()
    # A filtered column keeps its Arrow storage; its index does not matter.
    part = s[s.str.len() > 0]
    want = [t for t in TEXTS if t]  # None is NaN, whose length is NaN: dropped too
    assert newsclean.clean_batch(part) == newsclean.clean_batch(want)
    a = pd.Series(TEXTS, dtype=pd.ArrowDtype(pa.large_string()))
    assert newsclean.clean_batch(a) == newsclean.clean_batch(TEXTS)


def test_pandas_columns_that_are_not_arrow_still_work():
    pd = pytest.importorskip("pandas")
    obj = pd.Series(TEXTS, dtype=object)
    assert newsclean.clean_batch(obj) == newsclean.clean_batch(TEXTS)
    py = pd.Series(TEXTS, dtype=pd.StringDtype("python"))
    assert newsclean.clean_batch(py) == newsclean.clean_batch(TEXTS)
    cat = pd.Series(TEXTS, dtype="category")
    assert newsclean.clean_batch(cat) == newsclean.clean_batch(TEXTS)
    # An object column with a number names the item, as for a list.
    with pytest.raises(TypeError, match=r"texts\[1\] must be str or None, not int"):
        newsclean.clean_batch(pd.Series(["a", 5], dtype=object))


@pytest.mark.parametrize(
    ("arr", "match"),
    [
        (pa.array([1, 2]), 'of type int64 \\(format "l"\\), not strings'),
        (pa.array(["a", "b", "a"]).dictionary_encode(), 'dictionary-encoded \\(indices of int32 \\(format "i"\\)\\)'),
        (pa.array([b"x"]), 'of type binary \\(format "z"\\), not strings'),
        (pa.table({"text": ["a"]}), 'of type struct \\(format "\\+s"\\), not strings'),
    ],
)
def test_arrow_of_other_types_is_a_type_error(arr, match):
    with pytest.raises(TypeError, match=match):
        newsclean.clean_batch(arr)
    with pytest.raises(TypeError, match=match):
        newsclean.dedup(arr)


def test_invalid_utf8_in_arrow_names_the_index():
    data = b"okfine\xff\xfe"
    offsets = np.array([0, 2, 6, 8], dtype=np.int32)
    arr = pa.Array.from_buffers(pa.string(), 3, [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)])
    for f in (newsclean.clean_batch, newsclean.segment_batch, newsclean.dedup, newsclean.minhash):
        with pytest.raises(ValueError, match=r"texts\[2\]: invalid Arrow string data: not valid UTF-8"):
            f(arr)
    # In a chunked array the index counts from the first chunk.
    with pytest.raises(ValueError, match=r"texts\[5\]"):
        newsclean.clean_batch(pa.chunked_array([pa.array(["a", "b", "c"]), arr]))


def test_bad_offsets_are_a_value_error():
    offsets = np.array([0, 4, 2], dtype=np.int32)
    arr = pa.Array.from_buffers(pa.string(), 2, [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(b"abcd")])
    with pytest.raises(ValueError, match=r"texts\[1\]: invalid Arrow string data: bad offsets 4..2"):
        newsclean.clean_batch(arr)


def test_a_failing_producer_raises_its_error():
    class Broken:
        def __arrow_c_stream__(self, requested_schema=None):
            raise RuntimeError("producer failed")

    with pytest.raises(RuntimeError, match="producer failed"):
        newsclean.clean_batch(Broken())

    class NotACapsule:
        def __arrow_c_stream__(self, requested_schema=None):
            return 42

    with pytest.raises(ValueError):
        newsclean.clean_batch(NotACapsule())


def test_large_column_equal_and_no_leak():
    # Many chunks; the arrays are released (pyarrow's pool goes back to where it was).
    texts = [f"{STORY} number {i}" if i % 7 else None for i in range(20_000)]
    arr = pa.chunked_array([pa.array(texts[i : i + 1000], type=pa.large_string()) for i in range(0, len(texts), 1000)])
    before = pa.total_allocated_bytes()
    for _ in range(3):
        assert newsclean.clean_batch(arr) == newsclean.clean_batch(texts)
    assert pa.total_allocated_bytes() == before


def test_str_copies_match_arrow_utf8_at_every_position():
    """A `str` reaches the engine through a UCS-4 copy narrowed 16 code points at a time; Arrow
    values are UTF-8 already. A non-ASCII character (of 2, 3 and 4 UTF-8 bytes, in Latin-1, UCS-2
    and UCS-4 strings) at every position around those runs gives the same character shingles
    either way."""
    base = "abcdefghij klmnopqrst uvwxyz0123 456789"
    texts = [base[:i] + ch + base[i:] for ch in ("é", "’", "\U0001f600", "\x7f") for i in range(len(base) + 1)]
    texts += [ch * n for ch in ("a", "é", "’") for n in (15, 16, 17, 33)]
    want = newsclean.minhash(pa.array(texts), unit="char", ngram=3)
    np.testing.assert_array_equal(newsclean.minhash(texts, unit="char", ngram=3), want)
    # A letter moved by one place is another text: the check sees every position.
    assert len({row.tobytes() for row in want[: len(base) + 1]}) == len(base) + 1
