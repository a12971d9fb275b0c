"""newsclean for pandas: clean a frame's text column, drop duplicate rows, and (on import) the
``Series.news`` accessor.

::

    import newsclean.pandas                      # registers df["text"].news
    out = newsclean.pandas.clean_frame(df, text="text")      # adds body, teasers, labels
    df = newsclean.pandas.drop_duplicates(df, text="text", threshold=0.8)
    bodies = df["text"].news.clean()

Needs pandas (``pip install newsclean[pandas]``). Columns stored in Arrow (pandas 3's ``str``
columns, ``string[pyarrow]``, ``ArrowDtype``) reach the Rust core through the Arrow C data
interface, without a Python ``str`` per row.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

try:
    import pandas as pd
except ImportError as e:  # pragma: no cover - exercised only without pandas
    raise ImportError("newsclean.pandas needs pandas: pip install 'newsclean[pandas]'") from e

import newsclean
from newsclean._records import OUTPUT_COLUMNS, check_columns, page_columns

__all__ = ["OUTPUT_COLUMNS", "NewsAccessor", "clean_frame", "drop_duplicates", "mark_duplicates"]

_DEDUP_KEYS = ("threshold", "num_perm", "ngram", "unit", "containment", "seed", "num_threads")


def _column(df: pd.DataFrame, name: str, what: str) -> pd.Series:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, not {type(df).__name__}")
    if name not in df.columns:
        cols = ", ".join(repr(c) for c in list(df.columns)[:8]) or "none"
        raise KeyError(f"{what} column {name!r} is not in the frame (columns: {cols})")
    return df[name]


def clean_frame(
    df: pd.DataFrame,
    text: str = "text",
    *,
    site: str | None = None,
    profile: newsclean.Profile | None = None,
    segmenter: newsclean.Segmenter | None = None,
    columns: Iterable[str] = ("body", "teasers", "labels"),
    prefix: str = "",
    num_threads: int | None = None,
) -> pd.DataFrame:
    """A copy of ``df`` with the segmentation of its ``text`` column added.

    ``columns`` chooses the new columns (any of ``OUTPUT_COLUMNS``): ``body`` (the article,
    ``str``), ``teasers`` (a list of ``{"headline", "lede", "truncated"}`` per row),
    ``labels`` and ``reasons`` (one entry per line of the page). Every other column is kept;
    ``prefix`` is put before the new names (an existing column of the same name is replaced).
    Missing texts (None, NaN) give an empty body and empty lists. ``site`` names a column of
    sites and ``profile`` a :class:`newsclean.Profile` learned for them; ``segmenter`` a
    :class:`newsclean.Segmenter` with your own rules.
    """
    texts = _column(df, text, "text")
    cols = check_columns(tuple(columns) if not isinstance(columns, str) else columns)
    seg = segmenter if segmenter is not None else newsclean
    sites = _column(df, site, "site") if site is not None else None
    if profile is not None and sites is None:
        raise ValueError("a profile needs the sites of the pages: pass site=COLUMN")
    out = df.copy()
    if not cols:
        return out
    if cols == ("body",) and profile is None:
        data: dict[str, list[Any]] = {"body": seg.clean_batch(texts, num_threads=num_threads)}
    else:
        if profile is not None:
            pages = seg.segment_batch(texts, num_threads=num_threads, sites=sites, profile=profile)
        else:
            pages = seg.segment_batch(texts, num_threads=num_threads)
        data = page_columns(pages, cols)
    for c in cols:
        out[prefix + c] = pd.Series(data[c], index=df.index, dtype=None if c == "body" else object)
    return out


def _dedup(df: pd.DataFrame, text: str, keep: str | Iterable[float], options: dict[str, Any]) -> newsclean.DedupResult:
    texts = _column(df, text, "text")
    bad = [k for k in options if k not in _DEDUP_KEYS]
    if bad:
        raise TypeError(f"unexpected option {bad[0]!r} (options: {', '.join(_DEDUP_KEYS)})")
    if isinstance(keep, str) and keep not in ("longest", "first"):
        keep = _column(df, keep, "priority").to_numpy(dtype=float, na_value=float("nan"))
    return newsclean.dedup(texts, keep=keep, **options)


def mark_duplicates(df: pd.DataFrame, text: str = "text", *, keep: str | Iterable[float] = "longest", prefix: str = "", **options: Any) -> pd.DataFrame:
    """A copy of ``df`` with :func:`newsclean.dedup` of its ``text`` column: ``cluster`` (the
    index label of each row's representative), ``duplicate`` (False for the row kept of each
    cluster) and ``similarity`` (to the representative).

    ``keep`` is ``"longest"``, ``"first"``, one priority per row, or the name of a column of
    priorities (the highest is kept). ``options`` are :func:`newsclean.dedup`'s
    (``threshold``, ``num_perm``, ``ngram``, ``unit``, ``containment``, ``seed``,
    ``num_threads``).
    """
    res = _dedup(df, text, keep, options)
    out = df.copy()
    out[prefix + "cluster"] = df.index[res.cluster]
    out[prefix + "duplicate"] = ~res.keep
    out[prefix + "similarity"] = res.similarity
    return out


def drop_duplicates(df: pd.DataFrame, text: str = "text", *, keep: str | Iterable[float] = "longest", **options: Any) -> pd.DataFrame:
    """``df`` without its duplicate rows: one row per cluster of :func:`newsclean.dedup` of the
    ``text`` column (exact copies, near duplicates at Jaccard ≥ ``threshold``, truncated
    copies). Options as for :func:`mark_duplicates`; the rows keep their order and index.
    """
    return df[_dedup(df, text, keep, options).keep]


@pd.api.extensions.register_series_accessor("news")
class NewsAccessor:
    """``series.news``: newsclean on a Series of page texts (registered by
    ``import newsclean.pandas``). Results keep the Series' index."""

    def __init__(self, series: pd.Series) -> None:
        self._s = series

    def clean(self, *, num_threads: int | None = None) -> pd.Series:
        """The article bodies, as a ``str`` Series."""
        return pd.Series(newsclean.clean_batch(self._s, num_threads=num_threads), index=self._s.index, name=self._s.name)

    def segment(self, *, sites: Iterable[str | None] | None = None, profile: newsclean.Profile | None = None, num_threads: int | None = None) -> pd.Series:
        """The :class:`newsclean.Page` of each text, as an object Series."""
        if profile is not None:
            pages = newsclean.segment_batch(self._s, num_threads=num_threads, sites=sites, profile=profile)
        else:
            pages = newsclean.segment_batch(self._s, num_threads=num_threads)
        return pd.Series(pages, index=self._s.index, name=self._s.name, dtype=object)

    def labels(self, *, num_threads: int | None = None) -> pd.Series:
        """The line labels of each text, as an object Series of lists."""
        pages = newsclean.segment_batch(self._s, num_threads=num_threads)
        return pd.Series([p.labels for p in pages], index=self._s.index, name=self._s.name, dtype=object)

    def dedup(self, **options: Any) -> newsclean.DedupResult:
        """:func:`newsclean.dedup` of the texts (same options)."""
        return newsclean.dedup(self._s, **options)

    def duplicated(self, **options: Any) -> pd.Series:
        """True for every text that is a duplicate of the one kept in its cluster (like
        :meth:`pandas.Series.duplicated`, but near and truncated copies count)."""
        res = newsclean.dedup(self._s, **options)
        return pd.Series(~res.keep, index=self._s.index, name=self._s.name)
