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
   whole-text bands and of its prefix and suffix sketches); texts are named by their position
   in the whole frame;
2. a shuffle on the exact hash: exact copies join the first of them;
3. a shuffle on the bucket id: each bucket's candidate pairs, as ``newsclean.dedup`` draws
   them, then a shuffle on the pair: each pair once (a pair from a suffix sketch only where
   all but one of that sketch's bands found it);
4. two shuffle joins bring each pair's texts together; the pair is verified on its shingle
   sets;
5. connected components of the links: rounds of min-label propagation with shuffles, or,
   when the links are few enough (``components="auto"``, up to ``CLIENT_LINKS``), in numpy
   on the client;
6. a shuffle on the component: each cluster's representative (the keep policy), then a
   shuffle by position ranges so each input partition meets its own rows' representatives.

The texts never leave the workers. The result is a lazy frame with the partitions of the
input plus ``cluster`` (the position, in the whole frame, of the row's representative) and
``keep``.
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

__all__ = ["CLIENT_LINKS", "clean", "dedup", "drop_duplicates"]

_KINDS = ("exact", "near", "contained")

CLIENT_LINKS = 10_000_000
"""With ``components="auto"``, up to this many links are joined on the client (about 130
bytes each at the peak)."""


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
_BAND_PAIRS_META = pd.DataFrame({"a": np.array([], np.int64), "b": np.array([], np.int64), "level": np.array([], np.int8)})
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
    a, b, level = _newsclean._dedup_candidates(
        part["bucket"].to_numpy(np.uint64), part["doc"].to_numpy(np.int64), part["top"].to_numpy(bool), part["exact"].to_numpy(np.uint64), **opts
    )
    return pd.DataFrame({"a": a, "b": b, "level": level})


def _unique(part: pd.DataFrame, opts: dict[str, Any]) -> pd.DataFrame:
    a, b = _newsclean._dedup_unique(part["a"].to_numpy(np.int64), part["b"].to_numpy(np.int64), part["level"].to_numpy(np.int8), **opts)
    return pd.DataFrame({"a": a, "b": b})


def _verify(part: pd.DataFrame, opts: dict[str, Any], threads: int | None) -> pd.DataFrame:
    _, kind = _newsclean._dedup_verify(part["text_a"], part["text_b"], num_threads=threads, **opts)
    linked = kind > 0
    return pd.DataFrame({"a": part["a"].to_numpy(np.int64)[linked], "b": part["b"].to_numpy(np.int64)[linked], "kind": kind[linked]})


def _components_local(a: np.ndarray, b: np.ndarray) -> pd.DataFrame:
    """The same components on the client, in numpy: ``(doc, root)`` for every linked text."""
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
            return pd.DataFrame({"doc": nodes.astype(np.int64), "root": nodes[label].astype(np.int64)})
        label = new


def _components(links: dd.DataFrame, nparts: int) -> dd.DataFrame:
    """Connected components of the links, on the cluster: ``(doc, root)`` for every linked
    text, ``root`` the smallest position of its component (the union-find's root in
    ``newsclean.dedup``). Min-label propagation with pointer jumping: each round a text takes
    the smallest label among itself and its neighbours, then the label of its label; labels
    only decrease, so the rounds stop when their sum stops changing."""
    ab = links[["a", "b"]]
    both = dd.concat([ab.rename(columns={"a": "v", "b": "u"}), ab.rename(columns={"b": "v", "a": "u"})]).persist()
    first = both.groupby("v")["u"].min(split_out=nparts).reset_index()
    label = first.assign(label=first["u"].where(first["u"] < first["v"], first["v"]))[["v", "label"]].persist()
    total = int(label["label"].sum().compute())
    while True:
        seen = both.merge(label.rename(columns={"v": "u", "label": "lu"}), on="u", npartitions=nparts)
        low = seen.groupby("v")["lu"].min(split_out=nparts).reset_index()
        new = label.merge(low, on="v", npartitions=nparts)
        new = new.assign(label=new["lu"].where(new["lu"] < new["label"], new["label"]))[["v", "label"]]
        hop = new.merge(new.rename(columns={"v": "label", "label": "ll"}), on="label", npartitions=nparts)
        label = hop[["v", "ll"]].rename(columns={"ll": "label"}).persist()
        now = int(label["label"].sum().compute())
        if now == total:
            return label.rename(columns={"v": "doc", "label": "root"})
        total = now


def _representatives(info: pd.DataFrame, keep: str) -> pd.DataFrame:
    """``(doc, rep)`` for texts with a ``root`` column (every member of a component in
    ``info``), by ``newsclean.dedup``'s keep rules."""
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
    return pd.DataFrame({"doc": info["doc"].to_numpy(np.int64), "rep": rep_of_root.reindex(info["root"]).to_numpy(np.int64)})


def _assign(part: pd.DataFrame, offset: int, reps: pd.DataFrame | None, cluster: str, keep: str) -> pd.DataFrame:
    """The partition with its cluster columns; ``reps`` (indexed by position) holds the
    representatives of its linked rows."""
    doc = np.arange(offset, offset + len(part), dtype=np.int64)
    rep = doc.copy()
    if reps is not None and len(reps):
        rep[reps.index.to_numpy(np.int64) - offset] = reps["rep"].to_numpy(np.int64)
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
    components: str = "auto",
    return_links: bool = False,
) -> Any:
    """Deduplicates the ``text`` column of a Dask DataFrame on the cluster, with the clusters
    of :func:`newsclean.dedup` on the whole column (same options, same links, same
    representatives).

    Runs the stages now (see the module's docstring) and returns a lazy frame: the input's
    partitions with ``cluster`` (the position in the whole frame of each row's
    representative) and ``keep`` (True for the row kept of each cluster). ``keep`` is
    ``"longest"``, ``"first"`` or the name of a column of priorities (highest kept).
    ``components`` says where the connected components of the links are found: ``"cluster"``
    (rounds of shuffles), ``"client"`` (the links, 17 bytes each, are gathered and joined in
    numpy: much faster when they fit) or ``"auto"`` (the client up to ``CLIENT_LINKS`` links).
    With ``return_links`` the links come too, as a pandas frame ``(a, b, kind)``.
    """
    if components not in ("auto", "client", "cluster"):
        raise ValueError(f"components must be 'auto', 'client' or 'cluster', not {components!r}")
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
    # 3. candidate pairs: a shuffle on the bucket id, then unique pairs (a shuffle on a; a
    # suffix band's pair counts where enough of its level's bands, in any bucket, found it).
    pairs = entries.shuffle("bucket", npartitions=nparts).map_partitions(_candidates, opts, meta=_BAND_PAIRS_META)
    pairs = pairs.shuffle("a", npartitions=nparts).map_partitions(_unique, opts, meta=_PAIRS_META)
    # 4. verification: each pair joined with both texts.
    docs_meta = pd.DataFrame({"doc": np.array([], np.int64), "text": df._meta[text].reset_index(drop=True)})
    docs = dd.from_delayed([d(_with_doc)(p, o, text) for p, o in zip(parts, offsets)], meta=docs_meta, verify_meta=False)
    joined = pairs.merge(docs.rename(columns={"doc": "a", "text": "text_a"}), on="a", npartitions=nparts)
    joined = joined.merge(docs.rename(columns={"doc": "b", "text": "text_b"}), on="b", npartitions=nparts)
    verified = joined.map_partitions(_verify, opts, num_threads, meta=_LINKS_META)
    # 5. connected components and representatives, on the cluster.
    links = dd.concat([exact, verified]).persist()
    n_links = len(links)
    rule = keep if prio is None else "priority"
    meta = df._meta.assign(**{cluster_column: np.array([], np.int64), keep_column: np.array([], bool)})
    if n_links:
        if components == "cluster" or (components == "auto" and n_links > CLIENT_LINKS):
            roots = _components(links, nparts)
        else:
            local = links.compute()
            roots = dd.from_pandas(_components_local(local["a"].to_numpy(np.int64), local["b"].to_numpy(np.int64)), npartitions=nparts)
        info = stats.merge(roots, on="doc", npartitions=nparts)
        reps_meta = pd.DataFrame({"doc": np.array([], np.int64), "rep": np.array([], np.int64)})
        reps = info.shuffle("root", npartitions=nparts).map_partitions(_representatives, rule, meta=reps_meta)
        # Ranges of positions, one per non-empty input partition, so that each input
        # partition meets the representatives of its own rows.
        nonempty = [i for i, n in enumerate(lengths) if n > 0]
        total = int(sum(lengths))
        ranges = reps.set_index("doc", divisions=[offsets[i] for i in nonempty] + [total]).to_delayed()
        by_part: list[Any] = [None] * len(parts)
        for i, r in zip(nonempty, ranges):
            by_part[i] = r
    else:
        by_part = [None] * len(parts)
    out = dd.from_delayed(
        [d(_assign)(p, o, r, cluster_column, keep_column) for p, o, r in zip(df.to_delayed(), offsets, by_part)],
        meta=meta,
        divisions=df.divisions,
        verify_meta=False,
    )
    if return_links:
        got = links.compute().sort_values(["a", "b"], kind="stable").reset_index(drop=True)
        got["kind"] = got["kind"].map(dict(enumerate(_KINDS)))
        return out, got
    return out


def drop_duplicates(df: dd.DataFrame, text: str = "text", **options: Any) -> dd.DataFrame:
    """``df`` without its duplicate rows (lazy): :func:`dedup`, then the rows it keeps."""
    marked = dedup(df, text, **options)
    c, k = options.get("cluster_column", "cluster"), options.get("keep_column", "keep")
    return marked[marked[k]].drop(columns=[c, k])
