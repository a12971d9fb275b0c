"""Shared fixtures and the page invariants every test checks."""

from __future__ import annotations

import collections.abc
import json
from pathlib import Path

import pytest

import newsclean

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
LABELS = {"headline", "teaser", "body", "boilerplate"}
REASON_CODES = {code for code, _ in newsclean.REASONS}
# Each reason's description starts with the label it gives ("body: ...", "teaser: ...").
REASON_LABEL = {code: desc.split(":", 1)[0] for code, desc in newsclean.REASONS}
ELLIPSES = ("...", "…", "[...]")


def check_page(page: newsclean.Page, text: str | None) -> None:
    """Asserts everything the API documents about a page segmented from ``text``."""
    lines = page.lines
    # Immutable: the lines are a read-only sequence (made on access), the teasers a tuple.
    assert isinstance(lines, newsclean.Lines) and isinstance(lines, collections.abc.Sequence)
    assert not isinstance(lines, collections.abc.MutableSequence) and isinstance(page.teasers, tuple)
    with pytest.raises(TypeError):
        lines[0] = None  # type: ignore[index]
    if text is None:
        assert len(page) == 0 and lines == () and page.body == "" and page.teasers == () and page.labels == []
        return
    parts = text.split("\n")
    assert len(lines) == len(parts) == len(page)
    # The spans partition the input, in characters.
    assert lines[0].start == 0
    for a, b in zip(lines, lines[1:]):
        assert a.end == b.start
    assert lines[-1].end == len(text)
    for i, line in enumerate(lines):
        assert line.index == i
        assert parts[i] in (line.text, line.text + "\r")
        span = text[line.start : line.end]
        if i < len(lines) - 1:
            assert span in (line.text + "\n", line.text + "\r\n")
        else:
            assert span in (line.text, line.text + "\r")
        assert line.label in LABELS
        assert line.reason in REASON_CODES, line.reason
        assert REASON_LABEL[line.reason] == line.label, (line.reason, line.label)
    assert page.labels == [line.label for line in lines]
    assert page.body == "\n".join(line.text for line in lines if line.label == "body")
    previous = -1
    for t in page.teasers:
        assert t.headline is not None or t.lede is not None
        assert (t.headline is None) == (t.headline_line is None)
        assert (t.lede is None) == (t.lede_line is None)
        if t.headline is not None:
            assert lines[t.headline_line].text == t.headline
            # A headline line, or an item of a list of titles (labelled teaser, reason list-item).
            title = lines[t.headline_line]
            assert title.label == "headline" or (title.label, title.reason) == ("teaser", "list-item"), title
        if t.lede is not None:
            assert lines[t.lede_line].text == t.lede
            assert lines[t.lede_line].label == "teaser"
        if t.truncated:
            assert t.lede is not None and t.lede.rstrip().endswith(ELLIPSES)
        first = min(i for i in (t.headline_line, t.lede_line) if i is not None)
        assert first > previous, "teasers are in page order"
        previous = first


def page_summary(page: newsclean.Page) -> tuple:
    """Everything a page says, as plain values (to compare two segmentations)."""
    return (
        [(ln.text, ln.label, ln.reason, ln.start, ln.end, ln.index) for ln in page.lines],
        page.body,
        [(t.headline, t.lede, t.truncated, t.headline_line, t.lede_line) for t in page.teasers],
    )


@pytest.fixture(scope="session")
def sample_text() -> str:
    return (FIXTURES / "sample_page.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def example_records() -> list[dict]:
    with open(REPO_ROOT / "examples" / "pages.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="session")
def corpus(sample_text: str, example_records: list[dict]) -> list[str]:
    """Varied pages: the fixture, the examples and small edge cases."""
    edge = [
        "",
        "\n",
        "a",
        "Leave the first comment",
        "one\r\ntwo\r\n",
        "x\n\n\ny",
        "Ünïcödé ☃ line\nsecond 日本語 line\n\nلعربية سطر",
        "Advertisement\n" * 5,
    ]
    return [sample_text, *(r["text"] for r in example_records), *edge]
