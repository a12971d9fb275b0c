"""``page.lines``: a read-only sequence of the page's lines, each ``Line`` made when it is read."""

from __future__ import annotations

import collections.abc
import gc
import pickle

import pytest

import newsclean

TEXT = "Headline of the story\nThe council approved the budget on Monday after a long debate.\n\nShare\nlast"


@pytest.fixture
def page() -> newsclean.Page:
    return newsclean.segment(TEXT)


def _plain(line: newsclean.Line) -> tuple:
    return (line.index, line.text, line.label, line.reason, line.start, line.end)


def test_is_a_read_only_sequence(page):
    lines = page.lines
    assert isinstance(lines, newsclean.Lines)
    assert isinstance(lines, collections.abc.Sequence)
    assert not isinstance(lines, collections.abc.MutableSequence)
    with pytest.raises(TypeError):
        lines[0] = lines[1]  # type: ignore[index]
    with pytest.raises(TypeError):
        del lines[0]  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        lines.append(lines[0])  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        lines.page = None  # type: ignore[attr-defined]


def test_len_and_indexing(page):
    lines = page.lines
    parts = TEXT.split("\n")
    assert len(lines) == len(parts) == len(page) == 5
    assert bool(lines)
    for i, part in enumerate(parts):
        assert lines[i].index == i and lines[i].text == part
        assert lines[i - len(parts)].index == i  # negative indexes count from the end
    assert lines[-1].text == "last" and lines[-5].index == 0
    assert lines[True].index == 1  # any int, as for a tuple


@pytest.mark.parametrize("i", [5, 6, -6, -100, 2**63, -(2**63), 2**70, -(2**70)])
def test_out_of_range_index_raises_index_error(page, i):
    with pytest.raises(IndexError, match="out of range"):
        page.lines[i]


@pytest.mark.parametrize("key", ["0", 1.0, None, (0,), b"0"])
def test_bad_index_type_raises_type_error(page, key):
    with pytest.raises(TypeError, match="integers or slices"):
        page.lines[key]


def test_index_through_dunder_index(page):
    class Two:
        def __index__(self) -> int:
            return 2

    assert page.lines[Two()].index == 2


@pytest.mark.parametrize(
    "sl",
    [slice(None), slice(1, None), slice(None, -1), slice(1, 4), slice(None, None, 2), slice(None, None, -1),
     slice(4, 0, -2), slice(-2, None), slice(10, 20), slice(3, 1), slice(-100, 100), slice(None, None, 3)],
)
def test_slicing_gives_a_tuple_of_lines(page, sl):
    lines = page.lines
    got = lines[sl]
    assert isinstance(got, tuple)
    want = [_plain(line) for line in list(lines)[sl]]
    assert [_plain(line) for line in got] == want
    assert [line.index for line in got] == list(range(len(lines)))[sl]


def test_slice_with_step_zero_raises(page):
    with pytest.raises(ValueError):
        page.lines[::0]


def test_iteration_and_reversed(page):
    lines = page.lines
    forward = [_plain(line) for line in lines]
    assert [f[0] for f in forward] == [0, 1, 2, 3, 4]
    assert [_plain(line) for line in reversed(lines)] == forward[::-1]
    assert [_plain(lines[i]) for i in range(len(lines))] == forward
    it = iter(lines)
    assert iter(it) is it
    assert next(it).index == 0
    second = iter(lines)  # iterators are independent
    assert [line.index for line in second] == [0, 1, 2, 3, 4]
    assert [line.index for line in it] == [1, 2, 3, 4]
    with pytest.raises(StopIteration):
        next(it)  # an exhausted iterator stays exhausted
    back = reversed(lines)
    assert [line.index for line in back] == [4, 3, 2, 1, 0]
    with pytest.raises(StopIteration):
        next(back)


def test_membership_index_and_count(page):
    lines = page.lines
    other = newsclean.segment(TEXT).lines
    assert lines[2] in lines and lines[-1] in lines
    assert other[2] not in lines  # a line of another page (same text) is not one of these
    assert "last" not in lines and None not in lines
    assert lines.index(lines[3]) == 3
    assert lines.index(lines[3], 3) == 3 and lines.index(lines[3], -2) == 3
    for args in ((4,), (0, 3), (-1,)):
        with pytest.raises(ValueError):
            lines.index(lines[3], *args)
    with pytest.raises(ValueError):
        lines.index(other[0])
    assert lines.count(lines[1]) == 1 and lines.count(other[1]) == 0 and lines.count("x") == 0


def test_lines_are_equal_when_they_are_the_same_line_of_the_same_page(page):
    a, b = page.lines, page.lines
    assert a is not b and a == b and not (a != b)
    assert a[0] == b[0] and a[0] is not b[0] and hash(a[0]) == hash(b[0])
    assert a[0] != a[1]
    other = newsclean.segment(TEXT)
    assert other.lines != a and other.lines[0] != a[0]
    assert len({*a, *b}) == len(a)
    # A tuple of the lines compares (and hashes) equal, as the tuple page.lines used to be.
    assert a == tuple(a) and tuple(a) == a and hash(a) == hash(tuple(a))
    assert a != tuple(a)[:-1] and a != tuple(a)[::-1]
    assert a != list(a)  # like a tuple: never equal to a list
    assert (a == 3) is False


def test_lines_of_empty_and_missing_pages():
    for page in (newsclean.segment(None), newsclean.segment_batch([None])[0], newsclean.segment(float("nan"))):
        lines = page.lines
        assert len(lines) == 0 and not lines and lines == () and list(lines) == [] and list(reversed(lines)) == []
        assert lines[:] == () and lines == newsclean.segment(None).lines
        for i in (0, -1):
            with pytest.raises(IndexError):
                lines[i]
    one = newsclean.segment("").lines
    assert len(one) == 1 and one[0].text == "" and one[-1].end == 0


def test_lines_and_line_outlive_their_page():
    page = newsclean.segment(TEXT)
    lines, line = page.lines, page.lines[1]
    del page
    gc.collect()
    assert line.text == TEXT.split("\n")[1]
    assert [ln.text for ln in lines] == TEXT.split("\n")


def test_a_kept_line_is_not_changed_by_iteration(page):
    # Lines are made one at a time from a free list: one still referenced must never be reused.
    kept = [line for line in page.lines]
    assert [ln.index for ln in kept] == [0, 1, 2, 3, 4]
    assert len({id(ln) for ln in kept}) == 5
    first = next(iter(page.lines))
    for _ in page.lines:
        pass
    assert first.index == 0 and first.text == TEXT.split("\n")[0]


def test_views_and_lines_are_off_the_collector(page):
    lines = page.lines
    for obj in (lines, iter(lines), reversed(lines), lines[0], next(iter(lines))):
        assert not gc.is_tracked(obj), type(obj)


def test_repr_and_no_pickling(page):
    assert repr(page.lines) == "Lines(len=5)"
    with pytest.raises(TypeError):
        pickle.dumps(page.lines)


def test_line_objects_are_read_only_and_made_only_by_pages(page):
    line = page.lines[1]
    for name, value in (("index", 3), ("start", 0), ("end", 0), ("label", "body"), ("reason", "x"), ("text", "x")):
        with pytest.raises(AttributeError):
            setattr(line, name, value)
    with pytest.raises(AttributeError):
        line.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        newsclean.Line()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        pickle.dumps(line)
    assert type(line) is newsclean.Line and type(line).__module__ == "newsclean"
    assert isinstance(line.index, int) and isinstance(line.start, int) and isinstance(line.end, int)


def test_reading_lines_leaks_no_reference(page):
    # A Line holds its page and its type; freeing it (to the free list or not) gives both back.
    import sys

    def read(rounds: int) -> int:
        alive = 0
        for _ in range(rounds):  # more lines than the free list keeps
            kept = list(page.lines) + list(reversed(page.lines)) + [page.lines[i] for i in range(-5, 5)]
            alive = max(alive, sys.getrefcount(page))
            del kept
            for line in page.lines:
                assert line.text is not None
        return alive

    read(1)
    before_page, before_type = sys.getrefcount(page), sys.getrefcount(newsclean.Line)
    most = read(50)
    # (Counted outside the asserts: pytest's rewriting holds its operands while it compares.)
    after_page, after_type = sys.getrefcount(page), sys.getrefcount(newsclean.Line)
    assert most >= before_page + 20
    assert after_page == before_page and after_type == before_type
