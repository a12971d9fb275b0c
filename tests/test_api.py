"""The public API: segment, clean, the batch functions and Segmenter."""

from __future__ import annotations

import gc
import threading

import pytest
from conftest import LABELS, check_page, page_summary

import newsclean


def test_exports():
    assert isinstance(newsclean.__version__, str) and newsclean.__version__
    for name in newsclean.__all__:
        assert hasattr(newsclean, name)


def test_reasons_table():
    assert newsclean.REASONS, "REASONS is empty"
    codes = [code for code, _ in newsclean.REASONS]
    assert len(codes) == len(set(codes)), "duplicate reason codes"
    for code, desc in newsclean.REASONS:
        assert isinstance(code, str) and isinstance(desc, str) and code and desc
        assert desc.split(":", 1)[0] in LABELS, desc
    assert "user-rule" in codes


def test_invariants_on_corpus(corpus):
    for text in corpus:
        check_page(newsclean.segment(text), text)


def test_line_count_matches_split(sample_text):
    page = newsclean.segment(sample_text)
    assert len(page.lines) == len(sample_text.split("\n")) == len(page)
    assert [ln.text for ln in page.lines] == sample_text.split("\n")


def test_spans_partition_the_input(sample_text):
    lines = newsclean.segment(sample_text).lines
    assert lines[0].start == 0
    assert all(a.end == b.start for a, b in zip(lines, lines[1:]))
    assert lines[-1].end == len(sample_text)
    assert "".join(sample_text[ln.start : ln.end] for ln in lines) == sample_text


def test_offsets_are_characters_not_bytes():
    text = "Ünïcödé ☃ 日本語\r\nnext\r\n\r\nlast"
    lines = newsclean.segment(text).lines
    assert [ln.text for ln in lines] == ["Ünïcödé ☃ 日本語", "next", "", "last"]
    first = len("Ünïcödé ☃ 日本語\r\n")  # 15 characters, 27 bytes in UTF-8
    assert [(ln.start, ln.end) for ln in lines] == [(0, first), (first, first + 6), (first + 6, first + 8), (first + 8, first + 12)]
    assert lines[-1].end == len(text)


def test_body_is_the_body_lines_joined(sample_text):
    page = newsclean.segment(sample_text)
    body_lines = [ln.text for ln in page.lines if ln.label == "body"]
    assert body_lines, "the sample page has an article"
    assert page.body == "\n".join(body_lines)


def test_labels_and_reasons_are_documented(sample_text):
    page = newsclean.segment(sample_text)
    codes = {code for code, _ in newsclean.REASONS}
    assert set(page.labels) <= LABELS
    assert {ln.reason for ln in page.lines} <= codes
    assert page.labels == [ln.label for ln in page.lines]


def test_teaser_grouping_on_sample_page(sample_text):
    parts = sample_text.split("\n")
    page = newsclean.segment(sample_text)
    first = page.teasers[0]
    assert first.headline_line == 0 and first.lede_line == 1
    assert first.headline == parts[0]
    assert first.lede == parts[1]
    assert first.truncated is True
    assert page.lines[0].label == "headline"
    assert page.lines[1].label == "teaser"


def test_none_gives_an_empty_page():
    page = newsclean.segment(None)
    check_page(page, None)
    assert newsclean.clean(None) == ""


def test_empty_string_is_one_empty_line():
    page = newsclean.segment("")
    check_page(page, "")
    assert len(page) == 1 and page.lines[0].text == "" and page.body == ""


def test_clean_is_segment_body(corpus):
    for text in corpus:
        assert newsclean.clean(text) == newsclean.segment(text).body


def test_batches_match_single_calls(corpus):
    texts = [*corpus, None]
    pages = newsclean.segment_batch(texts)
    assert len(pages) == len(texts)
    for text, page in zip(texts, pages):
        check_page(page, text)
        if text is not None:
            assert page_summary(page) == page_summary(newsclean.segment(text))
    assert newsclean.clean_batch(texts) == [newsclean.clean(t) for t in texts]
    assert newsclean.clean_batch(texts)[-1] == ""


def test_pages_keep_their_input_alive(corpus):
    # Pages borrow the input str instead of copying it: they must hold it themselves.
    texts = ["".join([t, " é"]) for t in corpus]  # fresh objects, one reference each
    want = [t.split("\n") for t in texts]
    pages = newsclean.segment_batch(iter(texts))
    page = newsclean.segment("".join(["Menü\n", corpus[0]]))
    del texts
    gc.collect()
    for page_b, parts in zip(pages, want):
        assert [line.text for line in page_b.lines] == [p.removesuffix("\r") for p in parts]
    assert page.lines[0].text == "Menü"


def test_result_objects_are_not_gc_tracked(sample_text):
    # A batch makes one Line per input line; they hold strings only (no cycles are possible),
    # so they are kept off the cycle collector's lists, which it would walk on every collection.
    page = newsclean.segment_batch([sample_text])[0]
    assert page.teasers
    for obj in (page, page.lines[0], page.lines[-1], page.teasers[0]):
        assert not gc.is_tracked(obj), type(obj)


def test_labels_and_reasons_are_shared_strings(sample_text):
    page = newsclean.segment(sample_text)
    a, b = page.lines[0], newsclean.segment(sample_text).lines[0]
    assert a.label is b.label and a.reason is b.reason and page.labels[0] is a.label


def test_empty_batch():
    assert newsclean.segment_batch([]) == []
    assert newsclean.clean_batch([]) == []


def test_same_output_for_any_thread_count(corpus):
    # Enough items that the work is really split between threads.
    texts = [t if i % 9 else None for i, t in enumerate(corpus * 8)]
    one = [page_summary(p) for p in newsclean.segment_batch(texts, num_threads=1)]
    two = [page_summary(p) for p in newsclean.segment_batch(texts, num_threads=2)]
    assert one == two
    assert newsclean.clean_batch(texts, num_threads=1) == newsclean.clean_batch(texts, num_threads=2)


def test_thread_count_from_environment(monkeypatch, corpus):
    expected = newsclean.clean_batch(corpus, num_threads=1)
    monkeypatch.setenv("NEWSCLEAN_NUM_THREADS", "2")
    assert newsclean.clean_batch(corpus) == expected
    monkeypatch.setenv("NEWSCLEAN_NUM_THREADS", "not a number")  # ignored: falls back to the cores
    assert newsclean.clean_batch(corpus) == expected


@pytest.mark.parametrize("fn", ["segment_batch", "clean_batch"])
def test_num_threads_zero_is_rejected(fn):
    with pytest.raises(ValueError, match="num_threads"):
        getattr(newsclean, fn)(["a"], num_threads=0)
    with pytest.raises(ValueError, match="num_threads"):
        getattr(newsclean.Segmenter(), fn)(["a"], num_threads=0)


def test_num_threads_is_keyword_only():
    with pytest.raises(TypeError):
        newsclean.segment_batch(["a"], 2)


def test_batches_from_several_python_threads(corpus):
    expected = newsclean.clean_batch(corpus, num_threads=1)
    results: list = []
    errors: list = []

    def work():
        try:
            for _ in range(5):
                results.append(newsclean.clean_batch(corpus, num_threads=2))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 20 and all(r == expected for r in results)


def test_default_segmenter_matches_functions(corpus):
    seg = newsclean.Segmenter()
    for text in corpus:
        assert page_summary(seg.segment(text)) == page_summary(newsclean.segment(text))
        assert seg.clean(text) == newsclean.clean(text)
    assert seg.clean_batch(corpus, num_threads=2) == newsclean.clean_batch(corpus)


ARTICLE = (
    "The council approved the budget on Monday after a debate that lasted more than six hours, "
    "the longest in the city's history."
)


def test_segmenter_user_phrases_and_patterns():
    seg = newsclean.Segmenter(phrases=["Sponsored by ACME"], patterns=[r"^Photo: .*$", r"\bpromo code\b"])
    text = "\n".join(
        [
            ARTICLE,
            "This story was SPONSORED BY acme corp",  # the phrase, in another case
            "Photo: J. Smith",  # the anchored pattern
            "Use promo code SAVE10 today",  # the unanchored pattern
            "A photo: not at the start",  # the anchored pattern must not match here
        ]
    )
    page = seg.segment(text)
    check_page(page, text)
    for i in (1, 2, 3):
        assert (page.lines[i].label, page.lines[i].reason) == ("boilerplate", "user-rule"), page.lines[i]
    assert page.lines[4].reason != "user-rule"
    assert page.lines[0].reason != "user-rule"
    # The same rules through every method.
    assert seg.clean(text) == page.body
    assert [p.labels for p in seg.segment_batch([text, None])] == [page.labels, []]
    assert seg.clean_batch([text, None]) == [page.body, ""]
    # The default segmenter knows none of these rules.
    assert "user-rule" not in {ln.reason for ln in newsclean.segment(text).lines}


def test_segmenter_accepts_tuples():
    seg = newsclean.Segmenter(phrases=("sponsored",), patterns=(r"^x+$",))
    assert seg.segment("Sponsored content").lines[0].reason == "user-rule"
    assert seg.segment("xxx").lines[0].reason == "user-rule"


def test_segmenter_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        newsclean.Segmenter(["phrase"])


def test_invalid_regex_names_the_index():
    with pytest.raises(ValueError, match=r"index 1") as info:
        newsclean.Segmenter(patterns=[r"^ok$", r"(unclosed"])
    assert "(unclosed" in str(info.value)


def test_unsupported_regex_feature_is_a_value_error():
    with pytest.raises(ValueError, match=r"index 0"):
        newsclean.Segmenter(patterns=[r"(?=look-ahead)"])


def test_empty_phrase_is_rejected():
    with pytest.raises(ValueError, match=r"index 0"):
        newsclean.Segmenter(phrases=[""])


def test_reprs_do_not_crash(sample_text):
    page = newsclean.segment(sample_text)
    assert repr(page).startswith("Page(")
    assert repr(page.lines[0]).startswith("Line(")
    assert repr(page.teasers[0]).startswith("Teaser(")
    assert repr(newsclean.segment("ü" * 200).lines[0]).startswith("Line(")


def _child_clean(texts):
    return newsclean.clean_batch(texts, num_threads=2)


def test_fork_after_batch_does_not_deadlock():
    import multiprocessing

    texts = ["Leave the first comment\n" + "The council met on Monday and agreed to repair the roads before winter. " * 3] * 20
    parent = newsclean.clean_batch(texts, num_threads=2)  # the pool exists before the fork
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        child = pool.apply_async(_child_clean, (texts,)).get(timeout=60)
    assert child == parent
