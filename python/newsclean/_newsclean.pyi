"""Type stubs for the compiled extension ``newsclean._newsclean``."""

import os
from collections.abc import Iterable
from typing import Literal, final

import numpy as np
import numpy.typing as npt

__version__: str

LabelName = Literal["headline", "teaser", "body", "boilerplate"]

REASONS: list[tuple[str, str]]
"""Every reason code a line can get, with its meaning: ``(code, description)``."""

@final
class Line:
    """One line of the input page, labelled."""

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
    def lines(self) -> tuple[Line, ...]:
        """Every input line, in order, exactly once (one per ``text.split("\\n")`` item)."""
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
        texts: Iterable[str | None],
        *,
        sites: Iterable[str | None] | None = None,
        num_threads: int | None = None,
        max_keys: int = 50_000_000,
    ) -> Profile:
        """Counts the lines of ``texts`` in one parallel pass, streaming the input in chunks of
        20,000 pages (any iterable works; it need not fit in memory).

        ``sites`` gives each text's site (domain); it must be as long as ``texts``. ``None``
        and missing texts are skipped. When the table passes ``max_keys`` distinct lines
        (each about 30 bytes plus its folded text), lines seen on one page of their site so far are dropped and
        :attr:`budget_pruned` becomes true.
        """
    def merge(self, other: Profile) -> None:
        """Adds ``other``'s counts to this profile (learn on shards, then merge)."""
    def prune(self, min_pages: int) -> None:
        """Drops lines seen on fewer than ``min_pages`` pages of their site (shrinks the file)."""
    def top_lines(self, site: str | None = None, n: int = 20) -> list[tuple[str, int]]:
        """The ``n`` lines (folded) on most pages of ``site``, with their page counts."""
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
        texts: Iterable[str | None],
        *,
        num_threads: int | None = None,
        sites: Iterable[str | None] | None = None,
        profile: Profile | None = None,
    ) -> list[Page]:
        """Segments many pages in parallel. See :func:`newsclean.segment_batch`."""
    def clean_batch(self, texts: Iterable[str | None], *, num_threads: int | None = None) -> list[str]:
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
    texts: Iterable[str | None],
    *,
    num_threads: int | None = None,
    sites: Iterable[str | None] | None = None,
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
    ``num_threads`` (a positive int) defaults to the ``NEWSCLEAN_NUM_THREADS`` environment
    variable, else the number of cores; ``0`` or less raises ``ValueError``. The output is the
    same for any thread count.
    """

def clean_batch(texts: Iterable[str | None], *, num_threads: int | None = None) -> list[str]:
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
    texts: Iterable[str | None],
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
    (``containment=True``), reaches ``threshold``. The texts are copied out a chunk at a time
    (no UTF-8 copy is left cached inside the ``str`` objects), and only the texts in candidate
    pairs are read a second time, for verification. ``keep`` picks
    each cluster's representative: ``"longest"`` (default; most characters), ``"first"``, or
    one priority per text (highest kept, ties to the earlier). ``None``, NaN and texts with no
    words are never linked. Needs numpy.
    """

def minhash(
    texts: Iterable[str | None],
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

def dedup_lines(texts: Iterable[str | None], *, min_words: int = 4, num_threads: int | None = None) -> LineDups:
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
        texts: Iterable[str | None],
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
