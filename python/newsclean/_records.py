"""Pages as plain values (lists, dicts, str): the output columns shared by the command line,
newsclean.pandas and newsclean.dask. Standard library only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import newsclean

OUTPUT_COLUMNS = ("body", "teasers", "labels", "reasons")
"""The columns a cleaning can add, in this order."""


def check_columns(columns: Sequence[str] | str) -> tuple[str, ...]:
    """``columns`` as a tuple of known output columns; ``ValueError`` names an unknown one."""
    if isinstance(columns, str):
        raise TypeError("columns must be a sequence of column names, not a single str")
    cols = tuple(columns)
    bad = [c for c in cols if c not in OUTPUT_COLUMNS]
    if bad:
        raise ValueError(f"unknown output column {bad[0]!r}: choose from {', '.join(OUTPUT_COLUMNS)}")
    if len(set(cols)) != len(cols):
        raise ValueError(f"an output column is named twice: {', '.join(cols)}")
    return cols


def teaser_records(page: newsclean.Page) -> list[dict[str, Any]]:
    """A page's teasers as plain dicts: ``{"headline", "lede", "truncated"}``."""
    return [{"headline": t.headline, "lede": t.lede, "truncated": t.truncated} for t in page.teasers]


def page_value(page: newsclean.Page, column: str) -> Any:
    """One output column of one page."""
    if column == "body":
        return page.body
    if column == "labels":
        return page.labels
    if column == "reasons":
        return [ln.reason for ln in page.lines]
    return teaser_records(page)


def page_columns(pages: Sequence[newsclean.Page], columns: Sequence[str]) -> dict[str, list[Any]]:
    """The output columns of many pages, as lists."""
    return {c: [page_value(p, c) for p in pages] for c in columns}
