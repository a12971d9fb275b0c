"""Type stubs for the compiled extension ``newsclean._newsclean``."""

from collections.abc import Iterable
from typing import Literal, final

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
    def segment_batch(self, texts: Iterable[str | None], *, num_threads: int | None = None) -> list[Page]:
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

def segment_batch(texts: Iterable[str | None], *, num_threads: int | None = None) -> list[Page]:
    """Segments many pages in parallel, with the GIL released.

    ``texts`` is a list, tuple, pandas Series, numpy object array or any other iterable of
    ``str``; ``None`` and missing values (NaN, ``pandas.NA``, ``NaT``) give an empty page. Any
    other item raises ``TypeError`` naming its index (``ValueError`` for lone surrogates).
    ``num_threads`` (a positive int) defaults to the ``NEWSCLEAN_NUM_THREADS`` environment
    variable, else the number of cores; ``0`` or less raises ``ValueError``. The output is the
    same for any thread count.
    """

def clean_batch(texts: Iterable[str | None], *, num_threads: int | None = None) -> list[str]:
    """The bodies of many pages, in parallel (``None`` and missing values give ``""``)."""
