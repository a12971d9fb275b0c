"""Type stubs for the compiled extension ``newsclean._newsclean``."""

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Literal, Protocol, TypedDict, final, overload

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import pandas

__version__: str

class ArrowStream(Protocol):
    """An Arrow producer with a stream (pyarrow chunked arrays, pandas Series, polars)."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...

class ArrowArray(Protocol):
    """An Arrow producer of one array (pyarrow arrays)."""

    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]: ...

Texts = Iterable[str | None] | ArrowStream | ArrowArray
"""A batch of texts: any iterable of ``str``/``None``, or an Arrow string array or stream."""

LabelName = Literal["headline", "teaser", "body", "boilerplate"]

REASONS: list[tuple[str, str]]
"""Every reason code a line can get, with its meaning: ``(code, description)``."""

@final
class Line:
    """One line of the input page, labelled.

    Made when it is read from :class:`Lines`; it keeps its page alive. Two ``Line`` objects are
    equal (and hash alike) when they are the same line of the same page object.
    """

    @property
    def text(self) -> str:
        """The line's text, without its line break."""
    @property
    def label(self) -> LabelName:
        """``"headline"``, ``"teaser"``, ``"body"`` or ``"boilerplate"``."""
    @property
    def reason(self) -> str:
        """A stable code saying why the line got its label; see :data:`REASONS`."""
    @property
    def start(self) -> int:
        """Offset (in characters) of the line's first character in the input."""
    @property
    def end(self) -> int:
        """Offset just past the line's line break (``"\\n"`` or ``"\\r\\n"``), or the end of the
        input for the last line. Consecutive lines' ``start:end`` spans partition the input."""
    @property
    def index(self) -> int:
        """Position of the line in the page: ``text.split("\\n")[index]`` is this line
        (less one trailing ``"\\r"``, which belongs to the line break)."""

@final
class Lines(Sequence[Line]):
    """The lines of a page (``page.lines``): an immutable sequence (a registered
    :class:`collections.abc.Sequence`, no item assignment) that makes each :class:`Line` when it
    is read, so a loop over the lines makes and frees one object at a time. ``len`` and
    ``bool`` make none. Use ``tuple(page.lines)`` to keep them all.

    Equal to another ``Lines`` of the same page and to a tuple of the same lines (with the
    tuple's hash), never to a list, like the tuple it replaces.
    """

    def __len__(self) -> int:
        """The number of lines."""
    @overload
    def __getitem__(self, index: int) -> Line:
        """Line ``index`` (negative counts from the end); ``IndexError`` when out of range,
        ``TypeError`` for an index that is not an int."""
    @overload
    def __getitem__(self, index: slice) -> tuple[Line, ...]:
        """The lines of the slice, as a tuple."""
    def __iter__(self) -> Iterator[Line]:
        """The lines in order, each made as it is reached."""
    def __reversed__(self) -> Iterator[Line]:
        """The lines from the last to the first."""
    def __contains__(self, value: object) -> bool:
        """Whether ``value`` is a line of this page (constant time)."""
    def index(self, value: object, start: int = 0, stop: int = ...) -> int:
        """The position of ``value`` (a line of this page) in ``[start:stop]``; ``ValueError``
        when it is not there."""
    def count(self, value: object) -> int:
        """1 for a line of this page, else 0."""

@final
class Teaser:
    """A teaser of another story on the page: a headline, the lede under it, or both."""

    @property
    def headline(self) -> str | None:
        """The teaser's headline line, if it has one."""
    @property
    def lede(self) -> str | None:
        """The teaser's lede (blurb) line, if it has one."""
    @property
    def truncated(self) -> bool:
        """True when the lede is cut off with "...", "…" or "[...]"."""
    @property
    def headline_line(self) -> int | None:
        """Index of the headline line in ``page.lines``."""
    @property
    def lede_line(self) -> int | None:
        """Index of the lede line in ``page.lines``."""

@final
class Page:
    """A segmented page."""

    @property
    def body(self) -> str:
        """The article body: the body lines' texts joined with ``"\\n"``."""
    @property
    def lines(self) -> Lines:
        """Every input line, in order, exactly once (one per ``text.split("\\n")`` item): a
        :class:`Lines` view whose ``Line`` objects are made when they are read."""
    @property
    def teasers(self) -> tuple[Teaser, ...]:
        """The teasers of other stories found on the page, in page order."""
    @property
    def labels(self) -> list[LabelName]:
        """The lines' labels, in order."""
    def __len__(self) -> int:
        """The number of lines."""

class Profile:
    """Per-site line counts learned from a corpus: how many pages of each site carry each line.

    Lines are keyed after folding (Unicode NFKC, lower case, digits to ``0``, punctuation and
    white space to one space) and counted once per page, per site (or under the site ``""``
    when none is given). Lines longer than 600 bytes are not counted. Counts are exact: the
    same pages give the same profile for any thread count, input order or shard split
    (:meth:`merge` adds counts), unless the key budget forced a prune while learning (see
    ``max_keys`` and :attr:`budget_pruned`).
    """

    def __init__(self) -> None:
        """An empty profile."""
    @staticmethod
    def learn(
        texts: Texts,
        *,
        sites: Texts | None = None,
        num_threads: int | None = None,
        max_keys: int = 2_000_000,
    ) -> Profile:
        """Counts the lines of ``texts`` in one parallel pass, streaming the input in chunks of
        20,000 pages (any iterable works; it need not fit in memory).

        ``sites`` gives each text's site (domain); it must be as long as ``texts``. ``None``
        and missing texts are skipped. When the table passes ``max_keys`` distinct lines
        (each about 400 bytes while learning, its folded text included: 2 million are about
        750 MiB), it is pruned as by ``prune(2)`` and :attr:`budget_pruned` becomes true.
        """
    def merge(self, other: Profile) -> None:
        """Adds ``other``'s counts to this profile (learn on shards, then merge)."""
    def prune(self, min_pages: int) -> None:
        """Drops lines seen on fewer than ``min_pages`` pages of their site, and the folded texts
        of the lines left that are on fewer than 1 % of their site's pages (their counts stay;
        :meth:`top_lines` lists only lines with a text). Shrinks memory and the file."""
    def top_lines(self, site: str | None = None, n: int = 20) -> list[tuple[str, int]]:
        """The ``n`` lines (folded) on most pages of ``site``, with their page counts (after a
        prune, only lines on at least 1 % of the site's pages)."""
    @property
    def sites(self) -> list[str]:
        """The sites seen, in name order."""
    def pages(self, site: str | None = None) -> int:
        """How many pages of ``site`` were counted."""
    def count(self, line: str, site: str | None = None) -> int:
        """How many pages of ``site`` carry ``line`` (after folding)."""
    @property
    def budget_pruned(self) -> bool:
        """Whether the key budget forced a prune while learning (counts then approximate)."""
    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the profile to ``path`` (binary, versioned format; written to a temporary
        file and renamed). Raises ``OSError`` when the file cannot be written."""
    @staticmethod
    def load(path: str | os.PathLike[str]) -> Profile:
        """Reads a saved profile. Raises ``OSError`` when the file cannot be read and
        ``ValueError`` naming the file and byte offset when it is not a profile, is of another
        format version, truncated or corrupt."""
    def __len__(self) -> int:
        """Distinct line keys held, over all sites."""

@final
class Segmenter:
    """A segmenter with the built-in rules plus your own.

    ``phrases`` are matched case-insensitively anywhere in a line; ``patterns`` are regular
    expressions (Rust ``regex`` syntax: linear time, no look-around or back-references),
    searched in the line (anchor with ``^...$``). A line matching either is boilerplate with
    reason ``"user-rule"``. Raises ``ValueError`` naming the list and index of a rule that
    does not compile (an empty phrase, a bad or too large pattern), ``TypeError`` for a rule
    that is not a ``str``.
    """

    def __init__(self, *, phrases: Iterable[str] | None = None, patterns: Iterable[str] | None = None) -> None: ...
    def segment(self, text: str | None) -> Page:
        """Segments one page. See :func:`newsclean.segment`."""
    def clean(self, text: str | None) -> str:
        """The body of one page. See :func:`newsclean.clean`."""
    def segment_batch(
        self,
        texts: Texts,
        *,
        num_threads: int | None = None,
        sites: Texts | None = None,
        profile: Profile | None = None,
    ) -> list[Page]:
        """Segments many pages in parallel. See :func:`newsclean.segment_batch`."""
    def clean_batch(self, texts: Texts, *, num_threads: int | None = None) -> list[str]:
        """The bodies of many pages, in parallel. See :func:`newsclean.clean_batch`."""

def segment(text: str | None) -> Page:
    """Segments one scraped page (one block of text per line).

    Every line gets a label and a reason; the body is decoded for the whole page at once.
    ``None`` and missing values (NaN, ``pandas.NA``, ``NaT``) give an empty page (no lines).
    Raises ``TypeError`` for anything else that is not a ``str``, ``ValueError`` for a string
    with lone surrogates. Nothing is dropped: a BOM or control characters stay in the lines'
    text.
    """

def clean(text: str | None) -> str:
    """The article body of one page: ``segment(text).body``."""

def segment_batch(
    texts: Texts,
    *,
    num_threads: int | None = None,
    sites: Texts | None = None,
    profile: Profile | None = None,
) -> list[Page]:
    """Segments many pages in parallel, with the GIL released.

    With ``profile`` (and ``sites``, one per text, as when learning), the site's line counts
    join the decoding: lines the site prints on many pages are template (reasons
    ``site-template`` and ``site-blurb``), lists of them pair into teaser headlines and ledes,
    and the article runs up to the template around it.

    ``texts`` is a list, tuple, pandas Series, numpy object array or any other iterable of
    ``str``; ``None`` and missing values (NaN, ``pandas.NA``, ``NaT``) give an empty page. Any
    other item raises ``TypeError`` naming its index (``ValueError`` for lone surrogates).
    Arrow string data (``utf8``, ``large_utf8``, ``string_view``: pyarrow arrays and chunked
    arrays, pandas Series stored in Arrow such as pandas 3's ``str`` columns, anything with
    ``__arrow_c_stream__`` or ``__arrow_c_array__``) is read from its buffers without a Python
    ``str`` per row; nulls give empty pages, other Arrow types raise ``TypeError`` and invalid
    UTF-8 ``ValueError`` naming the index.
    ``num_threads`` (a positive int) defaults to the ``NEWSCLEAN_NUM_THREADS`` environment
    variable, else the number of cores; ``0`` or less raises ``ValueError``. The output is the
    same for any thread count.
    """

def clean_batch(texts: Texts, *, num_threads: int | None = None) -> list[str]:
    """The bodies of many pages, in parallel (``None`` and missing values give ``""``)."""

# --- Deduplication -------------------------------------------------------------------------

KeepPolicy = Literal["longest", "first"] | Iterable[float]
ShingleUnit = Literal["word", "char"]

@final
class DedupResult:
    """The result of :func:`dedup` or :meth:`DedupIndex.add`: one entry per input text."""

    @property
    def cluster(self) -> npt.NDArray[np.int64]:
        """Index of each text's cluster representative (its own index when it is kept). For
        :meth:`DedupIndex.add`, indices count every text added to the index, from 0."""
    @property
    def keep(self) -> npt.NDArray[np.bool_]:
        """True for the representatives: ``df[res.keep]`` keeps one text per cluster."""
    @property
    def similarity(self) -> npt.NDArray[np.float32]:
        """Similarity to the representative (1 for itself and exact copies): the Jaccard
        similarity of the shingle sets or, when that is below the threshold and the share of the
        shorter text's shingles found in the longer reaches it, that share (the containment)."""
    @property
    def cluster_ids(self) -> list[str] | None:
        """For :meth:`DedupIndex.add`: the id of each text's representative; else ``None``."""
    def pairs(self) -> list[tuple[int, int, float, Literal["exact", "near", "contained"]]]:
        """Every link that built the clusters, ``(i, j, similarity, kind)`` with ``i < j``:
        ``"exact"`` (same normalised text; similarity 1), ``"near"`` (Jaccard ≥ threshold) or
        ``"contained"`` (≥ threshold of the shorter text's shingles are in the longer one)."""
    def __len__(self) -> int: ...

@final
class LineDups:
    """Repeated lines: the ``k``-th repeat is line ``line[k]`` of text ``doc[k]``, first seen as
    line ``first_line[k]`` of text ``first_doc[k]``."""

    @property
    def doc(self) -> npt.NDArray[np.int64]: ...
    @property
    def line(self) -> npt.NDArray[np.int64]: ...
    @property
    def first_doc(self) -> npt.NDArray[np.int64]: ...
    @property
    def first_line(self) -> npt.NDArray[np.int64]: ...
    def __len__(self) -> int: ...

def dedup(
    texts: Texts,
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int | None = None,
    unit: ShingleUnit = "word",
    keep: KeepPolicy | None = None,
    containment: bool = True,
    seed: int = 0,
    num_threads: int | None = None,
) -> DedupResult:
    """Clusters exact copies, near duplicates and truncated copies, with the GIL released.

    Texts are normalised (NFKC, lower case, punctuation folded) and shingled into word
    ``ngram``-grams (default 5) or, with ``unit="char"``, character n-grams. Candidates come from
    MinHash LSH (and prefix and suffix sketches for truncated copies and texts that end a longer
    one) and are verified on the real shingle sets: a pair is linked when its Jaccard
    similarity, or the share of the shorter text's shingles found in the longer
    (``containment=True``), reaches ``threshold``. The texts are read where Python keeps them
    and made UTF-8 one at a time by the worker threads (no UTF-8 copy is left cached inside the ``str`` objects), and only the texts in candidate
    pairs are read a second time, for verification. ``keep`` picks
    each cluster's representative: ``"longest"`` (default; most characters), ``"first"``, or
    one priority per text (highest kept, ties to the earlier). ``None``, NaN and texts with no
    words are never linked. Needs numpy.
    """

def minhash(
    texts: Texts,
    *,
    num_perm: int = 128,
    seed: int = 0,
    ngram: int | None = None,
    unit: ShingleUnit = "word",
    num_threads: int | None = None,
) -> npt.NDArray[np.uint32]:
    """MinHash signatures, shape ``(len(texts), num_perm)``: one-permutation hashing with
    optimal densification. The share of equal columns of two rows estimates their Jaccard
    similarity (standard error about ``sqrt(J(1-J)/num_perm)``). An empty text's row is all
    ``2**32 - 1``."""

def dedup_lines(texts: Texts, *, min_words: int = 4, num_threads: int | None = None) -> LineDups:
    """Lines (``text.split("\\n")``) of at least ``min_words`` words whose normalised form
    appeared earlier in the corpus: drop these spans to keep one copy of each paragraph."""

@final
class DedupIndex:
    """An incremental index for crawls that arrive in batches. Each :meth:`add` deduplicates the
    new batch against everything added before; earlier texts win (an earlier representative stays
    the representative). Keeps every text's shingle set (about 4 bytes a shingle)."""

    def __init__(
        self,
        threshold: float = 0.8,
        *,
        num_perm: int = 128,
        ngram: int | None = None,
        unit: ShingleUnit = "word",
        containment: bool = True,
        seed: int = 0,
    ) -> None: ...
    def add(
        self,
        texts: Texts,
        ids: Iterable[object] | None = None,
        *,
        keep: KeepPolicy | None = None,
        num_threads: int | None = None,
    ) -> DedupResult:
        """Adds a batch; ``ids`` (converted with ``str``) default to the texts' positions in the
        index. The result's ``cluster`` indices count every text in the index."""
    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the index (format version 2: magic ``NCDEDUP\\0``, version, options, texts,
        xxh3 checksum), through a temporary file renamed into place."""
    @staticmethod
    def load(path: str | os.PathLike[str]) -> DedupIndex:
        """Reads a saved index. ``ValueError`` for a file that is not an index, of another
        version (version 1 files, whose hashes differ, must be rebuilt from their texts),
        truncated or corrupt; ``OSError`` when it cannot be read."""
    @property
    def ids(self) -> list[str]: ...
    @property
    def threshold(self) -> float: ...
    def __len__(self) -> int: ...

@final
class DedupStream:
    """:func:`dedup` of a stream too large to hold, read twice: every text once, in chunks
    (:meth:`add`); then, after :meth:`needed`, only the texts in candidate pairs, in order
    (:meth:`add_needed`); then :meth:`finish`. The result is ``dedup(all_texts, ...)`` with the
    same options and ``keep``, for any chunk sizes and thread counts. Memory grows by a fixed
    record a text (about 350 bytes: its band keys and three numbers at the default options),
    plus the shingle sets of the needed texts (about 4 bytes a shingle) while verifying; the
    texts themselves are never kept. A call out of turn raises ``RuntimeError`` and changes
    nothing, as does an item that is not a text (``TypeError`` naming its index in that call);
    a text with a lone surrogate (``ValueError`` naming its index) may be found after earlier
    chunks of the call were added, and leaves the stream unusable."""

    def __init__(
        self,
        threshold: float = 0.8,
        *,
        num_perm: int = 128,
        ngram: int | None = None,
        unit: ShingleUnit = "word",
        containment: bool = True,
        seed: int = 0,
    ) -> None: ...
    def add(self, texts: Texts, *, num_threads: int | None = None) -> None:
        """Pass 1: the next texts of the stream (as for :func:`dedup`; ``None`` for a missing
        text)."""
    def needed(self, *, num_threads: int | None = None) -> npt.NDArray[np.int64]:
        """Ends pass 1 (no :meth:`add` after it) and returns the positions, sorted, of the texts
        :meth:`add_needed` must be given: those in candidate pairs. May be called again."""
    def add_needed(self, texts: Texts, *, num_threads: int | None = None) -> None:
        """Pass 2: the texts at the next positions of :meth:`needed`, in order, in chunks of any
        size."""
    def finish(self, *, keep: KeepPolicy | None = None, num_threads: int | None = None) -> DedupResult:
        """Verifies every candidate pair and returns the clusters (``keep`` as for
        :func:`dedup`; priorities have one value per text of the stream). The stream is then
        used up."""
    def __len__(self) -> int:
        """The texts given to :meth:`add`."""

DocId = str | int
"""A page's id: the ``ids`` item given for it, or its position in the pass (0, 1, 2, ...)."""

class TeaserRow(TypedDict):
    """One row of :class:`Teasers`: one distinct story blurb."""

    teaser_id: int
    headline: str | None
    text: str | None
    truncated: bool
    variants: list[str]
    pages: list[tuple[DocId, int]]
    n_pages: int
    first_seen: int
    article: DocId | None
    article_score: float | None

@final
class Teasers:
    """The teaser catalogue: one row per distinct story blurb, ordered by ``first_seen``.

    Each row (a :class:`TeaserRow` dict) holds ``teaser_id`` (the row's position);
    ``headline`` (the one the blurb most often had, or ``None``); ``text`` (the most complete
    form: one that is not cut off when there is one, then the one on most pages, then the
    longest; ``None`` for a headline seen without a lede); ``truncated`` (``text`` is cut
    off); ``variants`` (the other forms merged into it: cut-off copies and other wordings);
    ``pages`` (every ``(page id, line)`` it appears at, the line of the lede or else of the
    headline, in input order); ``n_pages`` (distinct pages); ``first_seen`` (position of the
    first page showing it, counting pages in the order they were given); ``article`` (the id
    of the document whose article it summarises, ``None`` when the corpus does not hold it)
    and ``article_score`` (that link's score, 0.75 to 1).
    """

    columns: list[str]
    """The column names, in order."""
    def to_list(self) -> list[TeaserRow]:
        """Every row as a plain dict (no pandas needed)."""
    def to_pandas(self) -> "pandas.DataFrame":
        """The rows as a pandas DataFrame, one column per key of :class:`TeaserRow`. Needs
        pandas (imported on this call only); raises ``ImportError`` without it."""
    def __len__(self) -> int:
        """The number of rows."""
    def __getitem__(self, i: int) -> TeaserRow:
        """Row ``i`` (negative indices count from the end)."""
    def __iter__(self) -> Iterator[TeaserRow]:
        """The rows, as dicts."""

def teasers(
    texts: Texts,
    *,
    sites: Texts | None = None,
    ids: Iterable[DocId] | None = None,
    profile: Profile | Literal["learn"] | None = None,
    num_threads: int | None = None,
) -> Teasers:
    """The teaser catalogue of a corpus held in memory, with the GIL released.

    Every page is segmented (with ``profile`` and its ``sites`` when given; ``profile="learn"``
    first learns one from these pages and sites, as ``Profile.learn(texts, sites=sites)`` would:
    a profile learned from the same corpus finds 1.6 to 1.9 times the blurbs on the simulated
    crawls, so it is the way to run a crawl of many pages per site); its teasers are merged across pages
    and wordings (a cut-off copy joins its full form; reworded blurbs join by their content
    words) and linked to the page whose article they summarise (its first sentence or
    paragraph, possibly cut off or reworded). ``texts`` is any iterable of ``str``, as for
    :func:`segment_batch`; ``None`` and NaN are pages without text. ``ids`` gives each page's
    id (``str`` or ``int``; default: its position); a wrong length raises ``ValueError``. The
    result is the same for any thread count; reordering the pages changes only
    ``first_seen``, the row order and the order of ``pages``.
    """

@final
class TeaserCatalogue:
    """A teaser catalogue built from batches, for corpora that do not fit in memory.

    ``add`` every batch, then ``link`` every batch again (the same pages: they are segmented
    again and their articles matched against the blurbs), then ``finish``::

        cat = TeaserCatalogue(profile=profile)
        for batch in read_batches(): cat.add(batch.texts, sites=batch.sites, ids=batch.ids)
        for batch in read_batches(): cat.link(batch.texts, sites=batch.sites, ids=batch.ids)
        rows = cat.finish()

    Memory grows with the distinct blurbs (their texts and index) plus a few bytes per
    occurrence and the id of each page that shows a blurb; page texts are never kept.
    ``finish`` without ``link`` gives the rows without article links. The rows equal those of
    :func:`teasers` on the same pages, for any batch split and thread count.
    """

    def __init__(self, *, profile: Profile | None = None, num_threads: int | None = None) -> None: ...
    def add(self, texts: Texts, *, sites: Texts | None = None, ids: Iterable[DocId] | None = None) -> None:
        """Adds a batch: its pages' teasers join the catalogue. Raises ``RuntimeError`` once
        ``link`` has been called."""
    def link(self, texts: Texts, *, sites: Texts | None = None, ids: Iterable[DocId] | None = None) -> None:
        """Matches a batch of pages, as documents, against the blurbs (fixed by the first
        call); each blurb keeps its best article so far. Without ``ids``, pages are numbered
        from 0 in the order they are linked, as in ``add``."""
    def finish(self) -> Teasers:
        """The catalogue as it stands (the catalogue stays usable)."""
    @property
    def pages_added(self) -> int:
        """Pages given to ``add`` so far."""
    @property
    def pages_linked(self) -> int:
        """Pages given to ``link`` so far."""

# --- Dedup stages (private: the plumbing of newsclean.dask) ---------------------------------

def _dedup_signatures(
    texts: Texts,
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int | None = None,
    unit: ShingleUnit = "word",
    containment: bool = True,
    seed: int = 0,
    entries: bool = True,
    num_threads: int | None = None,
) -> dict[str, npt.NDArray[np.generic]]:
    """Stage 1 of a distributed dedup: per text ``exact`` (uint64), ``chars`` (uint64), ``len``
    (uint32); per band entry ``doc`` (int64, position in ``texts``), ``bucket`` (uint64) and
    ``top`` (bool). With ``entries=False`` the entry arrays are empty."""

def _dedup_candidates(
    bucket: npt.NDArray[np.uint64],
    doc: npt.NDArray[np.int64],
    top: npt.NDArray[np.bool_],
    exact: npt.NDArray[np.uint64],
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int | None = None,
    unit: ShingleUnit = "word",
    containment: bool = True,
    seed: int = 0,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int8]]:
    """Stage 3: the pairs ``(a, b, level)`` of whole buckets of band entries (every entry of
    each bucket present): ``level`` is the suffix level of the band that found the pair (such
    a pair comes once per band), or -1 (sorted and unique)."""

def _dedup_unique(
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    level: npt.NDArray[np.int8],
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int | None = None,
    unit: ShingleUnit = "word",
    containment: bool = True,
    seed: int = 0,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Stage 4: the candidate pairs ``(a, b)``, sorted and unique, of stage 3's rows (every
    row of each pair present): a suffix pair only where all but one of its level's bands
    found it."""

def _dedup_verify(
    a: Texts,
    b: Texts,
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    ngram: int | None = None,
    unit: ShingleUnit = "word",
    containment: bool = True,
    seed: int = 0,
    num_threads: int | None = None,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int8]]:
    """Stage 5: verifies the pairs ``(a[i], b[i])``: similarity and kind (0 not linked,
    1 near, 2 contained)."""
