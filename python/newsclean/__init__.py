"""newsclean: fast cleaning of scraped news text.

Segment a scraped page (one block of text per line) into headline, teaser, body and
boilerplate lines, each with a reason, and get the article body::

    >>> import newsclean
    >>> page = newsclean.segment("Leave the first comment")
    >>> page.lines[0].label, page.lines[0].reason
    ('boilerplate', 'rule:comment')
"""

from collections.abc import Sequence as _Sequence

from newsclean._newsclean import (
    REASONS,
    DedupIndex,
    DedupResult,
    DedupStream,
    Line,
    LineDups,
    Lines,
    Page,
    Profile,
    Segmenter,
    Teaser,
    TeaserCatalogue,
    Teasers,
    __version__,
    clean,
    clean_batch,
    dedup,
    dedup_lines,
    minhash,
    segment,
    segment_batch,
    teasers,
)

__all__ = [
    "REASONS",
    "DedupIndex",
    "DedupResult",
    "DedupStream",
    "Line",
    "LineDups",
    "Lines",
    "Page",
    "Profile",
    "Segmenter",
    "Teaser",
    "TeaserCatalogue",
    "Teasers",
    "__version__",
    "clean",
    "clean_batch",
    "dedup",
    "dedup_lines",
    "minhash",
    "segment",
    "segment_batch",
    "teasers",
]

# page.lines is an immutable sequence of lines made on access (not a tuple): say so to isinstance.
_Sequence.register(Lines)
