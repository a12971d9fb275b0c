"""Properties of the Python API for any input (hypothesis): nothing invented or lost, batches
equal single calls for any split, order and thread count, calls from many threads agree, a
fork after using the pool works, bad rules and texts raise typed, named errors.

Runs are short by default (200 examples a test); ``NEWSCLEAN_HYPOTHESIS_EXAMPLES=5000`` runs
longer, and ``bash scripts/fuzz.sh SECONDS python`` runs this file over and over with fresh
seeds for a set time. A Rust panic cannot be provoked through the public API (none is known,
and there is deliberately no hook to cause one): see docs/bad_input.md.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import multiprocessing
import os
import re
import tempfile
import threading
from pathlib import Path

import pytest
from conftest import check_page, page_summary

import newsclean
from newsclean.cli import main

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

EXAMPLES = int(os.environ.get("NEWSCLEAN_HYPOTHESIS_EXAMPLES", "200"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that make the segmenter take its less common paths (the Rust property tests use the
# same kind of mix).
FRAGMENTS = [
    "\n", "\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\x00", "\ufeff", " ", "\t", "\x0b", "\x0c",
    "\x1b[31m", "\x7f", "\u200b", "\u200f", "\u202e", "\ufffd", "e\u0301", "Z\u0351\u0352", "\u0301",
    "İ", "ß", "ﬁ", "½", "٣", "\U0001f600", "\U0001f44d\U0001f3fd", "\U0001f1e9\U0001f1ea", "...", "…", "[...]",
    " | ", "•", "©", "http://example.com/x",
    "المجلس وافق على الميزانية.", "המועצה אישרה את התקציב.", "市议会周一批准了预算。", "東京都は予算案を可決した。",
    "Advertisement", "Share", "Read more", "12 comments", "Leave the first comment", "We use cookies.",
    "Home | World | Sport", "Published March 3, 2024 at 6:34 am",
    "The council approved the budget on Monday after a debate that lasted more than six hours.",
    "The mayor said the new budget would protect the libraries and the bus routes.",
    "Apple growers fear the late frost will ruin the crop...",
    "Storm Closes Schools Across the Region",
]

pieces = st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8))
texts = st.lists(pieces, max_size=60).map("".join)
maybe_texts = st.one_of(texts, st.none(), st.just(float("nan")))


def _is_missing(t) -> bool:
    return t is None or (isinstance(t, float) and math.isnan(t))


# --------------------------------------------------------------------------- one page


@SETTINGS
@given(texts)
def test_any_text_keeps_the_page_invariants(text):
    page = newsclean.segment(text)
    check_page(page, text)
    assert page_summary(newsclean.segment(text)) == page_summary(page), "deterministic"
    assert newsclean.clean(text) == page.body


@SETTINGS
@given(texts, st.integers(0, 60), st.integers(0xD800, 0xDFFF).map(chr))
def test_a_lone_surrogate_is_a_value_error_naming_the_text(text, at, surrogate):
    bad = text[:at] + surrogate + text[at:]
    with pytest.raises(ValueError, match="text is not valid Unicode"):
        newsclean.segment(bad)
    with pytest.raises(ValueError, match=r"texts\[1\] is not valid Unicode"):
        newsclean.clean_batch([text, bad])


# --------------------------------------------------------------------------- batches


@SETTINGS
@given(st.lists(maybe_texts, max_size=20), st.integers(1, 4), st.data())
def test_batch_equals_single_calls_for_any_split_order_and_thread_count(items, threads, data):
    single = [None if _is_missing(t) else page_summary(newsclean.segment(t)) for t in items]
    pages = newsclean.segment_batch(items, num_threads=threads)
    for t, page, want in zip(items, pages, single):
        if want is None:
            check_page(page, None)
        else:
            assert page_summary(page) == want
    # Any split into two batches, and any order.
    cut = data.draw(st.integers(0, len(items)), label="cut")
    bodies = newsclean.clean_batch(items[:cut], num_threads=threads) + newsclean.clean_batch(items[cut:], num_threads=1)
    assert bodies == ["" if s is None else s[1] for s in single]
    order = data.draw(st.permutations(range(len(items))), label="order")
    shuffled = newsclean.Segmenter().clean_batch([items[i] for i in order], num_threads=threads)
    assert shuffled == [bodies[i] for i in order]


@SETTINGS
@given(st.lists(st.text(max_size=6), max_size=3), st.lists(st.text(max_size=12), max_size=3), texts)
def test_user_rules_build_or_raise_a_named_value_error(phrases, patterns, text):
    try:
        seg = newsclean.Segmenter(phrases=phrases, patterns=patterns)
    except ValueError as e:
        # "invalid rule at index N of phrases|patterns (...)" or "... together cannot be compiled"
        msg = str(e)
        assert "of phrases" in msg or "of patterns" in msg or "together" in msg, msg
        return
    page = seg.segment(text)
    check_page(page, text)
    assert seg.clean_batch([text, None], num_threads=2) == [page.body, ""]


# --------------------------------------------------------------------------- threads and fork

THREAD_TEXTS = [
    (Path(__file__).parent / "fixtures" / "sample_page.txt").read_text(encoding="utf-8"),
    "Leave the first comment\nThe council met on Monday and agreed to repair the roads before winter.",
    "\ufeffa\x00b\r\n" * 50,
    "市议会周一批准了预算。\n" * 20,
    "",
    None,
]


def run_at_once(work, timeout: float) -> None:
    """Runs work(k) for k in 0..7 on 8 threads released together; fails when one raises or is
    still running after `timeout` seconds."""
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def run(k: int) -> None:
        try:
            barrier.wait()
            work(k)
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert not errors, errors[0]


def test_calls_from_many_python_threads_at_once_agree():
    expected = [None if t is None else page_summary(newsclean.segment(t)) for t in THREAD_TEXTS]
    bodies = newsclean.clean_batch(THREAD_TEXTS, num_threads=1)
    custom = newsclean.Segmenter(phrases=["first comment"])
    custom_bodies = custom.clean_batch(THREAD_TEXTS, num_threads=1)

    def work(k: int) -> None:
        for round_ in range(10):
            n = 1 + (k + round_) % 3
            assert newsclean.clean_batch(THREAD_TEXTS, num_threads=n) == bodies
            pages = newsclean.segment_batch(THREAD_TEXTS, num_threads=n)
            got = [None if t is None else page_summary(p) for t, p in zip(THREAD_TEXTS, pages)]
            assert got == expected
            assert [newsclean.clean(t) for t in THREAD_TEXTS] == bodies
            assert custom.clean_batch(THREAD_TEXTS, num_threads=n) == custom_bodies

    run_at_once(work, timeout=300)


def _child_bodies(texts):
    return newsclean.clean_batch(texts, num_threads=2)


@contextlib.contextmanager
def running_meanwhile(call):
    """Calls call() over and over on another thread while the block runs."""
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            call()

    worker = threading.Thread(target=busy)
    worker.start()
    try:
        yield
    finally:
        stop.set()
        worker.join()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
def test_fork_while_another_thread_runs_batches():
    # The parent keeps a batch running on another thread while it forks: the children must not
    # inherit a busy pool (or a held lock) and hang.
    texts = [t for t in THREAD_TEXTS if t is not None] * 20
    expected = newsclean.clean_batch(texts, num_threads=2)
    with running_meanwhile(lambda: newsclean.clean_batch(texts, num_threads=2)):
        ctx = multiprocessing.get_context("fork")
        for _ in range(3):
            with ctx.Pool(2) as pool:
                results = [pool.apply_async(_child_bodies, (texts,)) for _ in range(2)]
                assert all(r.get(timeout=60) == expected for r in results)


# --------------------------------------------------------------------------- the command line


@SETTINGS
@given(st.lists(st.fixed_dictionaries({"id": st.integers(0, 10**6), "text": texts}), min_size=1, max_size=5))
def test_cli_writes_every_record_with_its_body(records):
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        out = Path(tmp) / "out.jsonl"
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            assert main(["clean", str(src), "-o", str(out), "--quiet", "--num-threads", "2"]) == 0, err.getvalue()
        # Split on "\n" only: the records may hold a raw U+2028, which str.splitlines() splits on.
        got = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]
    assert [g["id"] for g in got] == [r["id"] for r in records]
    assert [g["body"] for g in got] == newsclean.clean_batch([r["text"] for r in records])
    assert [len(g["labels"]) for g in got] == [len(r["text"].split("\n")) for r in records]


@SETTINGS
@given(st.binary(max_size=300))
def test_cli_on_arbitrary_bytes_succeeds_or_names_the_line(data):
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.jsonl"
        src.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["clean", str(src), "--quiet"])
    if status == 0:
        assert out.getvalue().startswith("total: ")
    else:
        assert status == 2, err.getvalue()
        assert err.getvalue().startswith(f"newsclean: error: {src}:"), err.getvalue()
        assert "Traceback" not in err.getvalue()


# --------------------------------------------------------------------------- Arrow and pandas input

pa = pytest.importorskip("pyarrow")
ARROW_TYPES = {"string": pa.string(), "large_string": pa.large_string(), "string_view": pa.string_view()}


@SETTINGS
@given(
    st.lists(st.one_of(texts, st.none()), max_size=16),
    st.sampled_from(sorted(ARROW_TYPES)),
    st.data(),
)
def test_arrow_input_equals_the_list_path(items, type_name, data):
    """Any strings and nulls, as utf8, large_utf8 or string_view, sliced and chunked: every
    entry point gives what the list of str (None for a null) gives."""
    arr = pa.array(items, type=ARROW_TYPES[type_name])
    start = data.draw(st.integers(0, len(items)), label="start")
    stop = data.draw(st.integers(start, len(items)), label="stop")
    cuts = sorted(data.draw(st.lists(st.integers(start, stop), max_size=3), label="cuts"))
    bounds = [start, *cuts, stop]
    chunked = pa.chunked_array([arr.slice(a, b - a) for a, b in zip(bounds, bounds[1:])], type=arr.type)
    want = items[start:stop]
    for got in (arr.slice(start, stop - start), chunked):
        assert newsclean.clean_batch(got, num_threads=2) == newsclean.clean_batch(want, num_threads=2)
        pages = newsclean.segment_batch(got)
        assert [page_summary(p) for p in pages] == [page_summary(p) for p in newsclean.segment_batch(want)]
        a, b = newsclean.dedup(got), newsclean.dedup(want)
        assert a.cluster.tolist() == b.cluster.tolist() and a.pairs() == b.pairs()
        assert (newsclean.minhash(got, num_perm=8) == newsclean.minhash(want, num_perm=8)).all()
        assert newsclean.teasers(got).to_list() == newsclean.teasers(want).to_list()
    sites = pa.array([f"s{i % 2}" for i in range(len(want))], type=ARROW_TYPES[type_name])
    plain = [t if t is not None else "" for t in want]
    learned = newsclean.Profile.learn(pa.array(plain, type=ARROW_TYPES[type_name]), sites=sites)
    listed = newsclean.Profile.learn(plain, sites=[f"s{i % 2}" for i in range(len(want))])
    assert learned.sites == listed.sites and len(learned) == len(listed)
    assert all(learned.top_lines(s) == listed.top_lines(s) for s in listed.sites)


def test_pandas_arrow_columns_equal_the_list_path():
    pd = pytest.importorskip("pandas")
    items = ["Leave the first comment\nThe council met on Monday.", None, "", "市议会周一批准了预算。", "x" * 20]
    for dtype in (pd.StringDtype("pyarrow"), pd.ArrowDtype(pa.large_string()), pd.ArrowDtype(pa.string_view()), pd.ArrowDtype(pa.string())):
        s = pd.Series(items, dtype=dtype)
        assert newsclean.clean_batch(s) == newsclean.clean_batch(items), dtype
        assert newsclean.clean_batch(s.iloc[1:4]) == newsclean.clean_batch(items[1:4]), dtype
        assert newsclean.dedup(s).cluster.tolist() == newsclean.dedup(items).cluster.tolist()
        assert newsclean.teasers(s).to_list() == newsclean.teasers(items).to_list()


# Arrow types that are not strings: the TypeError names the type.
NOT_STRINGS = [
    (pa.array([1, 2]), "int64"),
    (pa.array([1.5]), "float64"),
    (pa.array([True]), "bool"),
    (pa.array([b"x"]), "binary"),
    (pa.array([b"x"], type=pa.large_binary()), "large_binary"),
    (pa.array([b"x"], type=pa.binary_view()), "binary_view"),
    (pa.array([None, None]), "null"),
    (pa.array([0], type=pa.timestamp("ms")), "timestamp"),
    (pa.array([0], type=pa.date32()), "date32"),
    (pa.array([["a"]]), "list"),
    (pa.array([{"text": "a"}]), "struct"),
    (pa.array(["a", "a"]).dictionary_encode(), "dictionary-encoded (indices of int32"),
    (pa.array([b"ab"], type=pa.binary(2)), "fixed_size_binary"),
    (pa.table({"text": ["a"]}), "struct"),
]


@pytest.mark.parametrize(("arr", "name"), NOT_STRINGS, ids=[n for _, n in NOT_STRINGS])
def test_wrong_arrow_types_are_type_errors_naming_the_type(arr, name):
    calls = [
        newsclean.clean_batch,
        newsclean.segment_batch,
        newsclean.dedup,
        newsclean.minhash,
        newsclean.dedup_lines,
        newsclean.teasers,
        lambda a: newsclean.Profile.learn(a),
        lambda a: newsclean.DedupIndex().add(a),
        lambda a: newsclean.TeaserCatalogue().add(a),
        lambda a: newsclean.Profile.learn(["a page"] * len(a), sites=a),
    ]
    said = name if name.startswith("dictionary") else f"of type {name} (format "
    for call in calls:
        with pytest.raises(TypeError, match=re.escape(f"the Arrow data is {said}")):
            call(arr)
    pd = pytest.importorskip("pandas")
    if isinstance(arr, pa.Array) and not isinstance(arr.type, pa.DictionaryType) and name != "null":
        with pytest.raises(TypeError, match=re.escape(f"the Arrow data is {said}")):
            newsclean.clean_batch(pd.Series(arr, dtype=pd.ArrowDtype(arr.type)))


def test_malformed_arrow_strings_are_value_errors_naming_the_index():
    # pyarrow builds these without validating them; Arrow C++ refuses them on full validation.
    long = b"a string longer than twelve bytes"
    view = len(long).to_bytes(4, "little") + b"XXXX" + (0).to_bytes(4, "little") + (0).to_bytes(4, "little")
    bad_prefix = pa.Array.from_buffers(pa.string_view(), 1, [None, pa.py_buffer(view), pa.py_buffer(long)])
    with pytest.raises(pa.ArrowInvalid):
        bad_prefix.validate(full=True)
    good = pa.array(["fine", "also fine"], type=pa.string_view())
    for call in (newsclean.clean_batch, newsclean.dedup, newsclean.teasers, lambda a: newsclean.Profile.learn(a)):
        with pytest.raises(ValueError, match=r"texts\[2\]: invalid Arrow string data: the view's 4-byte prefix differs from its data"):
            call(pa.chunked_array([good, bad_prefix]))
    past = len(long).to_bytes(4, "little") + long[:4] + (0).to_bytes(4, "little") + (30).to_bytes(4, "little")
    past_end = pa.Array.from_buffers(pa.string_view(), 1, [None, pa.py_buffer(past), pa.py_buffer(long)])
    with pytest.raises(ValueError, match=r"texts\[0\]: invalid Arrow string data: view 30..63 past the end of data buffer 0 \(33 bytes\)"):
        newsclean.clean_batch(past_end)


# --------------------------------------------------------------------------- the teaser catalogue

STORY_LINES = [
    "The council approved the budget on Monday after a debate that lasted more than six hours.",
    "Fishermen in the northern harbour reported record catches of herring this spring.",
    "A new museum of modern art opened its doors in the old railway station on Saturday.",
    "Scientists found a new species of frog in the rain forest after a decade of searching.",
    "The national football team won the cup final after extra time in a packed stadium.",
    "Wildfires forced thousands of people to leave their homes in the hills above the coast.",
    "Apple growers fear the late frost will ruin the crop...",
    "Storm Closes Schools Across the Region",
]
page_lines = st.one_of(st.sampled_from(STORY_LINES), st.sampled_from(FRAGMENTS), st.text(max_size=12))
pages_strategy = st.lists(st.one_of(st.lists(page_lines, max_size=14).map("\n".join), st.none()), max_size=8)


@SETTINGS
@given(pages_strategy, st.booleans(), st.integers(1, 3), st.data())
def test_teaser_catalogue_invariants(pages, with_ids, threads, data):
    """Any pages, any batch split: occurrences point at teaser lines of real pages, n_pages is
    the distinct pages, articles are pages of the input (never one showing the blurb), and the
    streamed catalogue equals one call."""
    ids = [f"page-{i}" for i in range(len(pages))] if with_ids else None
    one = newsclean.teasers(pages, ids=ids, num_threads=threads).to_list()
    cat = newsclean.TeaserCatalogue(num_threads=1 + threads % 3)
    for step in (cat.add, cat.link):
        cuts = sorted(data.draw(st.lists(st.integers(0, len(pages)), max_size=3)))
        for a, b in zip([0, *cuts], [*cuts, len(pages)]):
            step(pages[a:b], ids=None if ids is None else ids[a:b])
    assert cat.finish().to_list() == one
    hypothesis.event(f"rows: {min(len(one), 3)}{'+' if len(one) >= 3 else ''}")
    position = (lambda p: ids.index(p)) if with_ids else (lambda p: p)
    for k, row in enumerate(one):
        assert row["teaser_id"] == k
        assert k == 0 or one[k - 1]["first_seen"] <= row["first_seen"]
        seen = set()
        for p, line in row["pages"]:
            i = position(p)
            assert pages[i] is not None
            page = newsclean.segment(pages[i])
            assert line in {t.lede_line if t.lede_line is not None else t.headline_line for t in page.teasers}
            seen.add(i)
        assert row["n_pages"] == len(seen) and row["first_seen"] == position(row["pages"][0][0])
        if row["article"] is not None:
            assert pages[position(row["article"])] is not None and position(row["article"]) not in seen
            assert 0.75 <= row["article_score"] <= 1.0
        else:
            assert row["article_score"] is None


# --------------------------------------------------------------------------- threads and fork, new entry points

NEW_TEXTS = [
    "Home\n" + "\n".join(STORY_LINES[:3]) + "\nRead more\n" + "\n".join(STORY_LINES[3:]),
    "\n".join(STORY_LINES[2:6]) + "\nShare on X",
    STORY_LINES[0].upper(),
    None,
    "",
] * 3


def new_entry_points() -> dict:
    """What the newer functions give for NEW_TEXTS: teasers (one call and streamed), the dedup
    stages, and the Arrow input paths."""
    from newsclean import _newsclean

    arr = pa.chunked_array([pa.array(NEW_TEXTS[:4], type=pa.string_view()), pa.array(NEW_TEXTS[4:], type=pa.string_view())])
    cat = newsclean.TeaserCatalogue(num_threads=2)
    cat.add(NEW_TEXTS[:7])
    cat.add(NEW_TEXTS[7:])
    cat.link(NEW_TEXTS)
    sig = _newsclean._dedup_signatures(NEW_TEXTS, num_threads=2)
    rows = _newsclean._dedup_candidates(sig["bucket"], sig["doc"], sig["top"], sig["exact"][sig["doc"]])
    pairs = _newsclean._dedup_unique(*rows)
    a, b = pairs
    texts = [t or "" for t in NEW_TEXTS]
    verify = _newsclean._dedup_verify([texts[i] for i in a], [texts[i] for i in b], num_threads=2)
    return {
        "teasers": newsclean.teasers(NEW_TEXTS, num_threads=2).to_list(),
        "streamed": cat.finish().to_list(),
        "signatures": {k: v.tolist() for k, v in sig.items()},
        "rows": [x.tolist() for x in rows],
        "pairs": [x.tolist() for x in pairs],
        "verify": [x.tolist() for x in verify],
        "arrow_clean": newsclean.clean_batch(arr, num_threads=2),
        "arrow_dedup": newsclean.dedup(arr, num_threads=2).cluster.tolist(),
        "arrow_teasers": newsclean.teasers(arr).to_list(),
    }


def test_new_entry_points_from_many_python_threads_at_once():
    expected = new_entry_points()
    assert expected["streamed"] == expected["teasers"] == expected["arrow_teasers"]
    shared = newsclean.TeaserCatalogue(num_threads=2)

    def work(k: int) -> None:
        # One catalogue fed from every thread at once: batches with distinct ids.
        shared.add(NEW_TEXTS, ids=[f"t{k}-{i}" for i in range(len(NEW_TEXTS))])
        repr(shared)
        for _ in range(3):
            assert new_entry_points() == expected

    run_at_once(work, timeout=600)
    # The shared catalogue saw every batch once, whatever the order they came in.
    assert shared.pages_added == 8 * len(NEW_TEXTS)
    for k in range(8):
        shared.link(NEW_TEXTS, ids=[f"t{k}-{i}" for i in range(len(NEW_TEXTS))])
    ids = [f"t{k}-{i}" for k in range(8) for i in range(len(NEW_TEXTS))]
    once = newsclean.teasers(NEW_TEXTS * 8, ids=ids).to_list()

    def canon(rows):
        return sorted((r["text"] or "", r["headline"] or "", tuple(sorted(r["pages"])), r["n_pages"], r["article"]) for r in rows)

    assert canon(shared.finish().to_list()) == canon(once)


def _child_new_entry_points(_):
    return new_entry_points()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
def test_fork_after_and_during_the_new_entry_points():
    expected = new_entry_points()  # the parent has used every pool and path

    def busy() -> None:
        newsclean.teasers(NEW_TEXTS, num_threads=2)
        newsclean.clean_batch(pa.array(NEW_TEXTS), num_threads=2)

    with running_meanwhile(busy):
        ctx = multiprocessing.get_context("fork")
        for _ in range(2):
            with ctx.Pool(2) as pool:
                assert pool.map_async(_child_new_entry_points, range(2)).get(timeout=120) == [expected, expected]
