"""newsclean on Dask: clean a Dask DataFrame partition by partition, and deduplicate a corpus
larger than one machine with the same clusters as :func:`newsclean.dedup` of the whole.

::

    import dask.dataframe as dd
    import newsclean.dask

    df = dd.read_parquet("crawl/*.parquet")
    cleaned = newsclean.dask.clean(df, text="text")           # lazy, map_partitions
    marked = newsclean.dask.dedup(df, text="text")            # adds cluster and keep
    unique = marked[marked["keep"]]

Needs ``pip install 'newsclean[dask]'`` (dask[dataframe], distributed, pandas, pyarrow).

Dedup runs as stages, each a map over partitions or a shuffle:

1. per partition, every text's exact hash, length and LSH band entries (bucket ids of its
   whole-text bands and of its prefix sketches); texts are named by their position in the
   whole frame;
2. a shuffle on the exact hash: exact copies join the first of them;
3. a shuffle on the bucket id: each bucket's candidate pairs, as ``newsclean.dedup`` draws
   them;
4. two shuffle joins bring each pair's texts together; the pair is verified on its shingle
   sets;
5. the links (two integers each) are gathered to the client, which finds the connected
   components and each cluster's representative (the keep policy).

Steps 1–4 run on the cluster and hold the texts; the client holds only the links and the
length, characters and exact hash of each linked text (about 40 bytes a link). The result is
a lazy frame with the partitions of the input plus ``cluster`` (the position, in the whole
frame, of the row's representative) and ``keep``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from typing import Any

try:
    import dask
    import dask.dataframe as dd
    import numpy as np
    import pandas as pd
except ImportError as e:  # pragma: no cover - exercised only without dask
    raise ImportError("newsclean.dask needs dask: pip install 'newsclean[dask]'") from e

import newsclean
from newsclean import _newsclean
from newsclean._records import check_columns

__all__ = ["clean", "dedup", "drop_duplicates"]

_KINDS = ("exact", "near", "contained")


# ---------------------------------------------------------------------------------------------
# Cleaning


def _profile_bytes(profile: newsclean.Profile) -> bytes:
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "p.ncprof")
        profile.save(path)
        with open(path, "rb") as fh:
            return fh.read()


_PROFILES: dict[int, newsclean.Profile] = {}


def _profile_from_bytes(data: bytes) -> newsclean.Profile:
    """The profile a worker loads once per process from the bytes it was sent."""
    key = hash(data)
    if key not in _PROFILES:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "p.ncprof")
            with open(path, "wb") as fh:
                fh.write(data)
            _PROFILES[key] = newsclean.Profile.load(path)
    return _PROFILES[key]


def _clean_partition(part: pd.DataFrame, profile: bytes | None, **kw: Any) -> pd.DataFrame:
    import newsclean.pandas as ncp  # noqa: PLC0415 - on the worker

    return ncp.clean_frame(part, profile=_profile_from_bytes(profile) if profile is not None else None, **kw)


def clean(
    df: dd.DataFrame,
    text: str = "text",
    *,
    site: str | None = None,
    profile: newsclean.Profile | None = None,
    columns: Iterable[str] = ("body", "teasers", "labels"),
    prefix: str = "",
    num_threads: int | None = None,
) -> dd.DataFrame:
    """:func:`newsclean.pandas.clean_frame` on every partition (lazy): the frame with
    ``body``, ``teasers``, ``labels`` (or ``columns``) added. A ``profile`` is sent to each
    worker once, as its saved bytes. ``num_threads`` is per task: with several Dask threads per
    worker, 1 avoids oversubscribing the cores."""
    import newsclean.pandas as ncp  # noqa: PLC0415

    if not isinstance(df, dd.DataFrame):
        raise TypeError(f"expected a dask DataFrame, not {type(df).__name__}")
    cols = check_columns(columns if isinstance(columns, str) else tuple(columns))
    kw = {"text": text, "site": site, "columns": cols, "prefix": prefix, "num_threads": num_threads}
    meta = ncp.clean_frame(df._meta, **{**kw, "profile": profile})
    blob = dask.delayed(_profile_bytes(profile)) if profile is not None else None
    return df.map_partitions(_clean_partition, blob, meta=meta, **kw)


# ---------------------------------------------------------------------------------------------
# Dedup stages (each runs on one partition)

_ENTRIES_META = pd.DataFrame({"doc": np.array([], np.int64), "bucket": np.array([], np.uint64), "top": np.array([], bool), "exact": np.array([], np.uint64)})
_STATS_META = pd.DataFrame(
    {"doc": np.array([], np.int64), "exact": np.array([], np.uint64), "chars": np.array([], np.uint64), "len": np.array([], np.uint32), "prio": np.array([], float)}
)
_PAIRS_META = pd.DataFrame({"a": np.array([], np.int64), "b": np.array([], np.int64)})
_LINKS_META = pd.DataFrame({"a": np.array([], np.int64), "b": np.array([], np.int64), "kind": np.array([], np.int8)})


def _texts_of(part: pd.Series | pd.DataFrame, text: str) -> pd.Series:
    return part[text] if isinstance(part, pd.DataFrame) else part


def _entries(part: Any, offset: int, text: str, opts: dict[str, Any], threads: int | None) -> pd.DataFrame:
    s = _newsclean._dedup_signatures(_texts_of(part, text), entries=True, num_threads=threads, **opts)
    doc = s["doc"]
    return pd.DataFrame({"doc": doc + offset, "bucket": s["bucket"], "top": s["top"], "exact": s["exact"][doc]})


def _stats(part: Any, offset: int, text: str, prio: str | None, opts: dict[str, Any], threads: int | None) -> pd.DataFrame:
    s = _newsclean._dedup_signatures(_texts_of(part, text), entries=False, num_threads=threads, **opts)
    n = len(s["exact"])
    p = part[prio].to_numpy(dtype=float, na_value=np.nan) if prio is not None else np.zeros(n)
    return pd.DataFrame({"doc": np.arange(offset, offset + n, dtype=np.int64), "exact": s["exact"], "chars": s["chars"], "len": s["len"], "prio": p})


def _with_doc(part: Any, offset: int, text: str) -> pd.DataFrame:
    t = _texts_of(part, text).reset_index(drop=True)
    return pd.DataFrame({"doc": np.arange(offset, offset + len(t), dtype=np.int64), "text": t})


def _exact_links(part: pd.DataFrame) -> pd.DataFrame:
    part = part[part["len"] > 0]
    leader = part.groupby("exact")["doc"].transform("min")
    keep = part["doc"] != leader
    return pd.DataFrame({"a": leader[keep].to_numpy(np.int64), "b": part["doc"][keep].to_numpy(np.int64), "kind": np.zeros(int(keep.sum()), np.int8)})


def _candidates(part: pd.DataFrame, opts: dict[str, Any]) -> pd.DataFrame:
    a, b = _newsclean._dedup_candidates(
        part["bucket"].to_numpy(np.uint64), part["doc"].to_numpy(np.int64), part["top"].to_numpy(bool), part["exact"].to_numpy(np.uint64), **opts
    )
    return pd.DataFrame({"a": a, "b": b})


def _verify(part: pd.DataFrame, opts: dict[str, Any], threads: int | None) -> pd.DataFrame:
    _, kind = _newsclean._dedup_verify(part["text_a"], part["text_b"], num_threads=threads, **opts)
    linked = kind > 0
    return pd.DataFrame({"a": part["a"].to_numpy(np.int64)[linked], "b": part["b"].to_numpy(np.int64)[linked], "kind": kind[linked]})


def _linked(stats: pd.DataFrame, nodes: np.ndarray) -> pd.DataFrame:
    return stats[np.isin(stats["doc"].to_numpy(), nodes)]


def _components(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Connected components of the links: (nodes, sorted; the smallest node of each one's
    component). Min-label propagation with pointer jumping, in numpy."""
    nodes, inv = np.unique(np.concatenate([a, b]), return_inverse=True)
    ea, eb = inv[: len(a)], inv[len(a) :]
    label = np.arange(len(nodes))
    while True:
        m = np.minimum(label[ea], label[eb])
        new = label.copy()
        np.minimum.at(new, ea, m)
        np.minimum.at(new, eb, m)
        new = new[new]
        if np.array_equal(new, label):
            return nodes, nodes[label]
        label = new


def _representatives(info: pd.DataFrame, root: pd.Series, keep: str) -> pd.Series:
    """doc -> representative doc for the linked docs, by ``newsclean.dedup``'s keep rules."""
    info = info.assign(root=root.reindex(info["doc"]).to_numpy())
    if keep == "first":
        by, asc = ["root", "doc"], [True, True]
    elif keep == "longest":
        # Most characters, then the smaller exact hash, then the earlier text.
        by, asc = ["root", "chars", "exact", "doc"], [True, False, True, True]
    else:
        # The highest priority (NaN last), then the earlier text.
        by, asc = ["root", "prio", "doc"], [True, False, True]
    best = info.sort_values(by, ascending=asc, na_position="last", kind="stable").drop_duplicates("root")
    rep_of_root = pd.Series(best["doc"].to_numpy(), index=best["root"].to_numpy())
    return pd.Series(rep_of_root.reindex(info["root"]).to_numpy(), index=info["doc"].to_numpy())


def _assign(part: pd.DataFrame, offset: int, nodes: np.ndarray, reps: np.ndarray, cluster: str, keep: str) -> pd.DataFrame:
    doc = np.arange(offset, offset + len(part), dtype=np.int64)
    rep = doc.copy()
    if len(nodes):
        at = np.searchsorted(nodes, doc).clip(0, len(nodes) - 1)
        hit = nodes[at] == doc
        rep[hit] = reps[at[hit]]
    out = part.copy()
    out[cluster] = rep
    out[keep] = rep == doc
    return out


# ---------------------------------------------------------------------------------------------
# Dedup


def dedup(
    df: dd.DataFrame,
    text: str = "text",
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int | None = None,
    unit: str = "word",
    containment: bool = True,
    seed: int = 0,
    keep: str = "longest",
    cluster_column: str = "cluster",
    keep_column: str = "keep",
    num_threads: int | None = None,
    return_links: bool = False,
) -> Any:
    """Deduplicates the ``text`` column of a Dask DataFrame on the cluster, with the clusters
    of :func:`newsclean.dedup` on the whole column (same options, same links, same
    representatives).

    Runs the stages now (see the module's docstring) and returns a lazy frame: the input's
    partitions with ``cluster`` (the position in the whole frame of each row's
    representative) and ``keep`` (True for the row kept of each cluster). ``keep`` is
    ``"longest"``, ``"first"`` or the name of a column of priorities (highest kept). With
    ``return_links`` the verified links come too, as a pandas frame ``(a, b, kind)``.
    """
    if not isinstance(df, dd.DataFrame):
        raise TypeError(f"expected a dask DataFrame, not {type(df).__name__}")
    if text not in df.columns:
        raise KeyError(f"text column {text!r} is not in the frame")
    prio = None
    if keep not in ("longest", "first"):
        if keep not in df.columns:
            raise KeyError(f"keep must be 'longest', 'first' or a priority column; {keep!r} is not a column")
        prio = keep
    for name in (cluster_column, keep_column):
        if name in df.columns:
            raise ValueError(f"the frame already has a column {name!r}; choose another name")
    opts = {"threshold": threshold, "num_perm": num_perm, "ngram": ngram, "unit": unit, "containment": containment, "seed": seed}
    _newsclean._dedup_signatures([], **opts)  # bad options fail here, before any work
    src = df[[text, prio]] if prio is not None else df[[text]]
    parts = src.to_delayed()
    lengths = dask.compute(*[dask.delayed(len)(p) for p in parts])
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64).tolist()
    nparts = max(1, df.npartitions)
    d = dask.delayed

    # 1. signatures and band entries, per partition.
    entries = dd.from_delayed([d(_entries)(p, o, text, opts, num_threads) for p, o in zip(parts, offsets)], meta=_ENTRIES_META, verify_meta=False)
    # Kept on the workers (about 40 bytes a text): used by the exact stage and, once the links
    # are known, for the representatives.
    stats = dd.from_delayed([d(_stats)(p, o, text, prio, opts, num_threads) for p, o in zip(parts, offsets)], meta=_STATS_META, verify_meta=False).persist()
    # 2. exact classes: a shuffle on the exact hash.
    exact = stats[stats["len"] > 0].shuffle("exact", npartitions=nparts).map_partitions(_exact_links, meta=_LINKS_META)
    # 3. candidate pairs: a shuffle on the bucket id, then unique pairs (a shuffle on a).
    pairs = entries.shuffle("bucket", npartitions=nparts).map_partitions(_candidates, opts, meta=_PAIRS_META)
    pairs = pairs.shuffle("a", npartitions=nparts).map_partitions(lambda p: p.drop_duplicates(), meta=_PAIRS_META)
    # 4. verification: each pair joined with both texts.
    docs_meta = pd.DataFrame({"doc": np.array([], np.int64), "text": df._meta[text].reset_index(drop=True)})
    docs = dd.from_delayed([d(_with_doc)(p, o, text) for p, o in zip(parts, offsets)], meta=docs_meta, verify_meta=False)
    joined = pairs.merge(docs.rename(columns={"doc": "a", "text": "text_a"}), on="a", npartitions=nparts)
    joined = joined.merge(docs.rename(columns={"doc": "b", "text": "text_b"}), on="b", npartitions=nparts)
    verified = joined.map_partitions(_verify, opts, num_threads, meta=_LINKS_META)
    # 5. the links to the client: components and representatives.
    exact_links, near_links = dask.compute(exact, verified)
    links = pd.concat([exact_links, near_links], ignore_index=True)
    nodes, roots = _components(links["a"].to_numpy(np.int64), links["b"].to_numpy(np.int64))
    if len(nodes):
        wanted = d(nodes)
        info = dd.from_delayed([d(_linked)(s, wanted) for s in stats.to_delayed()], meta=_STATS_META, verify_meta=False).compute()
        reps_of = _representatives(info, pd.Series(roots, index=nodes), keep if prio is None else "priority")
        reps = reps_of.reindex(nodes).to_numpy(np.int64)
    else:
        reps = nodes
    meta = df._meta.assign(**{cluster_column: np.array([], np.int64), keep_column: np.array([], bool)})
    n, r = d(nodes), d(reps)
    out = dd.from_delayed([d(_assign)(p, o, n, r, cluster_column, keep_column) for p, o in zip(df.to_delayed(), offsets)], meta=meta, divisions=df.divisions, verify_meta=False)
    if return_links:
        links = links.sort_values(["a", "b"], kind="stable").reset_index(drop=True)
        links["kind"] = links["kind"].map(dict(enumerate(_KINDS)))
        return out, links
    return out


def drop_duplicates(df: dd.DataFrame, text: str = "text", **options: Any) -> dd.DataFrame:
    """``df`` without its duplicate rows (lazy): :func:`dedup`, then the rows it keeps."""
    marked = dedup(df, text, **options)
    c, k = options.get("cluster_column", "cluster"), options.get("keep_column", "keep")
    return marked[marked[k]].drop(columns=[c, k])
