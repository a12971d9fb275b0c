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


def test_calls_from_many_python_threads_at_once_agree():
    expected = [None if t is None else page_summary(newsclean.segment(t)) for t in THREAD_TEXTS]
    bodies = newsclean.clean_batch(THREAD_TEXTS, num_threads=1)
    custom = newsclean.Segmenter(phrases=["first comment"])
    custom_bodies = custom.clean_batch(THREAD_TEXTS, num_threads=1)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            barrier.wait()
            for round_ in range(10):
                n = 1 + (k + round_) % 3
                assert newsclean.clean_batch(THREAD_TEXTS, num_threads=n) == bodies
                pages = newsclean.segment_batch(THREAD_TEXTS, num_threads=n)
                got = [None if t is None else page_summary(p) for t, p in zip(THREAD_TEXTS, pages)]
                assert got == expected
                assert [newsclean.clean(t) for t in THREAD_TEXTS] == bodies
                assert custom.clean_batch(THREAD_TEXTS, num_threads=n) == custom_bodies
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert not errors, errors[0]


def _child_bodies(texts):
    return newsclean.clean_batch(texts, num_threads=2)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
def test_fork_while_another_thread_runs_batches():
    # The parent keeps a batch running on another thread while it forks: the children must not
    # inherit a busy pool (or a held lock) and hang.
    texts = [t for t in THREAD_TEXTS if t is not None] * 20
    expected = newsclean.clean_batch(texts, num_threads=2)
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            newsclean.clean_batch(texts, num_threads=2)

    worker = threading.Thread(target=busy)
    worker.start()
    try:
        ctx = multiprocessing.get_context("fork")
        for _ in range(3):
            with ctx.Pool(2) as pool:
                results = [pool.apply_async(_child_bodies, (texts,)) for _ in range(2)]
                assert all(r.get(timeout=60) == expected for r in results)
    finally:
        stop.set()
        worker.join()


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
