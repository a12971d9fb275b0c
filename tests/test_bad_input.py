"""Bad and hostile input: clear exceptions, never a crash of the interpreter."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import check_page

import newsclean

# --------------------------------------------------------------------------- type errors


@pytest.mark.parametrize("bad", [3, 1.5, b"bytes", ["a list"], object()])
def test_segment_rejects_non_str(bad):
    with pytest.raises(TypeError, match="text must be str or None"):
        newsclean.segment(bad)
    with pytest.raises(TypeError):
        newsclean.clean(bad)
    with pytest.raises(TypeError):
        newsclean.Segmenter().segment(bad)


def test_batch_type_error_names_the_index():
    with pytest.raises(TypeError, match=r"texts\[1\].*int"):
        newsclean.segment_batch(["a", 3])
    with pytest.raises(TypeError, match=r"texts\[2\].*bytes"):
        newsclean.clean_batch(["a", None, b"b"])
    with pytest.raises(TypeError, match=r"texts\[0\]"):
        newsclean.Segmenter().segment_batch([1])


@pytest.mark.parametrize("fn", ["segment_batch", "clean_batch"])
@pytest.mark.parametrize("bad", ["abc", b"abc", None, 5])
def test_batch_rejects_a_non_sequence(fn, bad):
    with pytest.raises(TypeError, match="texts must be"):
        getattr(newsclean, fn)(bad)


def test_a_failed_call_leaves_the_module_usable():
    with pytest.raises(TypeError):
        newsclean.segment_batch(["ok"] * 100 + [3])
    assert newsclean.clean_batch(["Leave the first comment"]) == [""]


# --------------------------------------------------------------------------- None and NaN


def test_none_and_nan_items_give_empty_pages():
    texts = [None, float("nan"), "Leave the first comment"]
    pages = newsclean.segment_batch(texts)
    for page in pages[:2]:
        check_page(page, None)
    check_page(pages[2], texts[2])
    assert newsclean.clean_batch(texts) == ["", "", pages[2].body]


def test_str_subclass_is_accepted():
    class Text(str):
        pass

    text = Text("Leave the first comment")
    assert newsclean.segment(text).labels == newsclean.segment(str(text)).labels
    assert newsclean.clean_batch([text]) == [newsclean.clean(str(text))]


# --------------------------------------------------------------------------- lone surrogates


def test_lone_surrogate_is_a_value_error():
    with pytest.raises(ValueError, match="surrogate"):
        newsclean.segment("\ud800")
    with pytest.raises(ValueError, match="surrogate"):
        newsclean.clean("ok \udfff")


@pytest.mark.parametrize("fn", ["segment_batch", "clean_batch"])
def test_lone_surrogate_in_batch_names_the_index(fn):
    with pytest.raises(ValueError, match=r"texts\[1\]"):
        getattr(newsclean, fn)(["fine", "bad \ud800 text"])


def test_surrogate_pair_written_properly_is_fine():
    text = "emoji \U0001f600 line"
    page = newsclean.segment(text)
    check_page(page, text)


# --------------------------------------------------------------------------- containers


def test_tuple_and_generator_are_accepted(corpus):
    expected = newsclean.clean_batch(list(corpus))
    assert newsclean.clean_batch(tuple(corpus)) == expected
    assert newsclean.clean_batch(t for t in corpus) == expected
    assert [p.labels for p in newsclean.segment_batch(iter(corpus))] == [p.labels for p in newsclean.segment_batch(corpus)]


def test_generator_error_propagates():
    def gen():
        yield "fine"
        raise RuntimeError("boom from the generator")

    with pytest.raises(RuntimeError, match="boom"):
        newsclean.clean_batch(gen())


def test_numpy_arrays_are_accepted(corpus):
    np = pytest.importorskip("numpy")
    objects = np.array([*corpus, None, float("nan")], dtype=object)
    assert newsclean.clean_batch(objects) == [*newsclean.clean_batch(corpus), "", ""]
    unicode = np.array(corpus[:3])  # dtype '<U…': items are numpy.str_, a str subclass
    assert newsclean.clean_batch(unicode) == newsclean.clean_batch(corpus[:3])


def test_pandas_series_is_accepted(corpus):
    pd = pytest.importorskip("pandas")
    series = pd.Series([*corpus, None, float("nan")], index=range(100, 100 + len(corpus) + 2))
    assert newsclean.clean_batch(series) == [*newsclean.clean_batch(corpus), "", ""]
    pages = newsclean.segment_batch(series)
    assert len(pages) == len(series)


# --------------------------------------------------------------------------- hostile text

HOSTILE = {
    "nul": "Before\x00after\n\x00\x00\nThe council met\x00 on Monday.",
    "crlf": "Headline here\r\nThe council approved the budget on Monday after a long debate.\r\n\r\nShare\r\n",
    "bom": "\ufeffHeadline with a BOM\nThe council approved the budget on Monday after a long debate.",
    "lone_cr": "a\rb\nc\r",
    "rtl": "\u0627\u0644\u0645\u062c\u0644\u0633 \u0648\u0627\u0641\u0642 \u0639\u0644\u0649 \u0627\u0644\u0645\u064a\u0632\u0627\u0646\u064a\u0629.\n"
    "\u05d4\u05de\u05d5\u05e2\u05e6\u05d4 \u05d0\u05d9\u05e9\u05e8\u05d4 \u05d0\u05ea \u05d4\u05ea\u05e7\u05e6\u05d9\u05d1.\n\u200f\u202e mixed \u202c",
    "cjk": "市议会周一批准了预算。\n東京都は月曜日に予算案を可決した。\n시의회는 월요일에 예산안을 승인했다。",
    "controls": "\x01\x02\x1b[31mred\x1b[0m\n\u2028line separator\u2029paragraph\n\x0b\x0c",
    "combining": "e\u0301" * 500 + "\n" + "Z\u0351\u0352\u0353\u0354" * 200,
    "emoji": "\U0001f600\U0001f4f0 News \U0001f1e9\U0001f1ea\n" + "\U0001f600" * 1000,
    "whitespace": " \t \n\t\n   \n",
    "only_newlines": "\n" * 10,
    "ellipsis_only": "...\n…\n[...]",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_does_not_crash(name):
    text = HOSTILE[name]
    check_page(newsclean.segment(text), text)
    assert newsclean.clean(text) == newsclean.segment(text).body


def test_crlf_lines_lose_their_carriage_return():
    text = HOSTILE["crlf"]
    lines = newsclean.segment(text).lines
    assert [ln.text for ln in lines] == ["Headline here", "The council approved the budget on Monday after a long debate.", "", "Share", ""]
    assert all("\r" not in ln.text for ln in lines)


def test_bom_does_not_break_offsets():
    text = HOSTILE["bom"]
    lines = newsclean.segment(text).lines
    assert lines[0].start == 0 and lines[-1].end == len(text)


def test_one_megabyte_single_line():
    text = ("The council approved the budget after a long debate. " * 20000)[:1_000_000]
    page = newsclean.segment(text)
    check_page(page, text)
    assert len(page) == 1


def test_hundred_thousand_empty_lines():
    text = "\n" * 100_000
    page = newsclean.segment(text)
    assert len(page) == 100_001
    assert page.body == ""
    assert set(page.labels) == {"boilerplate"}
    lines = page.lines
    assert lines[0].start == 0 and lines[-1].end == len(text)


def test_many_lines_of_prose():
    para = "The council approved the budget on Monday after a debate that lasted more than six hours."
    text = "\n".join(f"{para} Item {i}." for i in range(2_000))
    check_page(newsclean.segment(text), text)


def test_many_similar_lines_take_linear_time():
    # A page of 10,000 near-identical prose lines (a scraped list or forum dump) must not make
    # the segmenter quadratic: it takes ~0.1 s at the first commit; 10 s is a wide margin.
    para = "The council approved the budget on Monday after a debate that lasted more than six hours."
    text = "\n".join(f"{para} Item {i}." for i in range(10_000))
    started = time.perf_counter()
    page = newsclean.segment(text)
    elapsed = time.perf_counter() - started
    assert len(page) == 10_000
    assert elapsed < 10, f"segmenting 10,000 similar lines took {elapsed:.1f} s"


def test_large_batch_of_small_pages():
    texts = [f"Line {i}\nThe council met on day {i} and agreed a plan to repair the roads." for i in range(20_000)]
    out = newsclean.clean_batch(texts, num_threads=2)
    assert len(out) == len(texts)


# --------------------------------------------------------------------------- the interpreter survives

SURVIVE = textwrap.dedent(
    """
    import math, newsclean
    hostile = [
        "a\\x00b", "x\\r\\n" * 1000, "\\ufeff" * 10, "\\n" * 100000, "\\u202e\\u05d0" * 1000,
        "漢字" * 100000, ("word " * 200000), "\\U0001f600" * 10000, "", None, float("nan"),
    ]
    for _ in range(3):
        pages = newsclean.segment_batch(hostile, num_threads=2)
        for p in pages:
            p.lines, p.teasers, p.body, p.labels, repr(p)
    for bad in (3, b"x", "\\ud800", object()):
        try:
            newsclean.segment_batch(["ok", bad])
        except (TypeError, ValueError):
            pass
        else:
            raise SystemExit("no exception for %r" % (bad,))
    seg = newsclean.Segmenter(phrases=["x" * 10000], patterns=["a{1,1000}b"])
    seg.clean_batch(hostile, num_threads=2)
    print("survived")
    """
)


def test_the_interpreter_survives():
    # In a child process, so that an abort or a segfault fails this test instead of pytest.
    proc = subprocess.run([sys.executable, "-c", SURVIVE], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "survived"


FORK = textwrap.dedent(
    """
    import os, newsclean
    texts = ["The council met on day %d and agreed a plan to repair the roads." % i for i in range(200)]
    expected = newsclean.clean_batch(texts, num_threads=2)   # builds the thread pool
    pid = os.fork()
    if pid == 0:
        ok = newsclean.clean_batch(texts, num_threads=2) == expected
        os._exit(0 if ok else 3)
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status))
    """
)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_batch_after_fork_does_not_deadlock():
    proc = subprocess.run([sys.executable, "-c", FORK], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "0"


def test_nan_only_as_float():
    assert math.isnan(float("nan"))  # sanity: NaN is accepted only as a float, other numbers are not
    with pytest.raises(TypeError):
        newsclean.segment_batch([float("inf")])
    with pytest.raises(TypeError):
        newsclean.segment_batch([0.0])


# --------------------------------------------------------------------------- typed, named errors


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"phrases": 5}, TypeError, "phrases must be an iterable of str, not int"),
        ({"patterns": "^x$"}, TypeError, "patterns must be an iterable of str, not a single str"),
        ({"patterns": b"^x$"}, TypeError, "patterns must be an iterable of str, not a single bytes"),
        ({"phrases": ["ok", 1]}, TypeError, r"phrases\[1\] must be str, not int"),
        ({"patterns": [None]}, TypeError, r"patterns\[0\] must be str, not NoneType"),
        ({"phrases": ["ok", " "]}, ValueError, r'index 1 of phrases \(" "\): an empty phrase'),
        ({"patterns": ["ok", "(unclosed"]}, ValueError, r'index 1 of patterns \("\(unclosed"\): regex parse error'),
        ({"patterns": ["a{1000}{1000}"]}, ValueError, "index 0 of patterns.*size limit"),
        ({"patterns": ["\ud800"]}, ValueError, r"patterns\[0\] is not valid Unicode"),
        ({"patterns": [rf"x{i}\w{{40}}" for i in range(10)]}, ValueError, "the 10 patterns together cannot be compiled"),
    ],
)
def test_bad_rules_raise_typed_errors_naming_the_rule(kwargs, exc, message):
    with pytest.raises(exc, match=message):
        newsclean.Segmenter(**kwargs)


@pytest.mark.parametrize(
    ("value", "exc", "message"),
    [
        (True, TypeError, "num_threads must be a positive int or None, not bool"),
        (2.0, TypeError, "not float"),
        ("2", TypeError, "not str"),
        (0, ValueError, "num_threads must be at least 1, got 0"),
        (-1, ValueError, "got -1"),
        (-(2**70), ValueError, f"got {-(2**70)}"),
    ],
)
@pytest.mark.parametrize("fn", ["segment_batch", "clean_batch"])
def test_bad_num_threads_raise_typed_errors(fn, value, exc, message):
    with pytest.raises(exc, match=message):
        getattr(newsclean, fn)(["a"], num_threads=value)


def test_a_huge_num_threads_is_capped_not_an_error():
    assert newsclean.clean_batch(["a"], num_threads=2**70) == newsclean.clean_batch(["a"], num_threads=1)


def test_pandas_na_and_nat_are_missing_values():
    pd = pytest.importorskip("pandas")
    assert newsclean.clean_batch([pd.NA, pd.NaT, None, "Leave the first comment"]) == ["", "", "", ""]
    for page in newsclean.segment_batch([pd.NA, pd.NaT]):
        check_page(page, None)


def test_cli_errors_subclass_the_built_in_ones():
    from newsclean.cli import InputError, OutputError

    assert issubclass(InputError, ValueError) and issubclass(OutputError, OSError)


# --------------------------------------------------------------------------- size: time and memory

BIG = textwrap.dedent(
    """
    import resource, sys, time, newsclean
    kind = sys.argv[1]
    if kind == "line":      # a 100 MB single line of prose
        text = ("The council approved the budget after a long debate. " * 1_900_000)[:100_000_000]
    elif kind == "nul":     # 100 MB of NUL bytes
        text = "\\x00" * 100_000_000
    elif kind == "empty":   # a million empty lines
        text = "\\n" * 1_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if kind == "tiny":      # a million tiny documents in one batch
        texts = ["Share" if i % 3 else "a b." for i in range(1_000_000)]
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        out = newsclean.clean_batch(texts, num_threads=2)
        assert len(out) == len(texts) and set(out) <= {"", "a b."}
    else:
        page = newsclean.segment(text)
        assert len(page) == text.count("\\n") + 1
        assert page.body in ("", text)
    took = time.perf_counter() - started
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before   # KiB on Linux
    print(took, grew * 1024)
    """
)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in KiB is Linux's")
@pytest.mark.parametrize(
    ("kind", "max_bytes"),
    [
        # The core copies the text once, builds the body (a second copy) and Python gets the
        # body as a str: a few times the input, never more.
        ("line", 5 * 100_000_000),
        ("nul", 3 * 100_000_000),
        # Per line, not per byte: about 250 bytes of line records for each (empty) line.
        ("empty", 400 * 1_000_000),
        ("tiny", 1_000 * 1_000_000),
    ],
)
def test_huge_inputs_take_memory_in_proportion(kind, max_bytes):
    proc = subprocess.run([sys.executable, "-c", BIG, kind], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    took, grew = proc.stdout.split()
    assert int(grew) < max_bytes, f"{kind}: peak memory grew by {int(grew) / 1e6:.0f} MB in {float(took):.1f} s"
