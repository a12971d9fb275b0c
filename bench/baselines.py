"""Baseline cleaners that newsclean is compared against in ``quality.py`` and ``speed.py``.

Both take a page as newsclean sees it (plain text, one block per line) and return the kept
text, lines joined with ``"\\n"``. Each also has a ``*_keep`` variant giving one keep/drop
decision per line of ``text.split("\\n")``, so the scorer can use them as body/boilerplate
line labels.

C4 line filter (``c4_filter``)
    The line heuristics of the C4 corpus as described in Raffel et al., "Exploring the Limits
    of Transfer Learning with a Unified Text-to-Text Transformer" (JMLR 2020), section 2.2,
    re-implemented here in plain Python. A line is kept when, after stripping whitespace,

    * it ends in a terminal punctuation mark: ``. ! ?`` or a closing quotation mark
      (``" ” ’ '``);
    * it has at least 5 words (whitespace-separated tokens; so CJK text without spaces
      mostly fails this rule, as it did in C4, which was English-only);
    * it does not contain the word "javascript" (case-insensitive);
    * it contains none of the policy phrases the released C4 pipeline also drops lines for
      ("terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies",
      "use cookies"; case-insensitive). The paper does not list these; the released pipeline
      applies them, and so does this filter.

    The paper's page-level rules (drop the page if it has fewer than 3 sentences, contains
    "lorem ipsum" or a curly bracket ``{``, or a word from the bad-words list) would make many
    benchmark pages empty, so they are **off by default**; ``c4_filter(text,
    page_filters=True)`` applies the first three (sentences are counted as terminal-punctuation
    runs in the kept lines). The bad-words list, the English language-ID filter and the
    cross-page three-sentence deduplication are not implemented: they are corpus-level
    decisions, not line cleaning.

jusText (``justext_clean``)
    Wraps each non-blank line in ``<p>`` (HTML-escaped) inside a minimal HTML document and
    runs ``justext.justext`` with the default parameters, keeping the paragraphs it does not
    classify as boilerplate. jusText needs a stoplist for the page's language:

    * if the caller knows the language (``lang`` = an ISO 639-1 code such as ``"en"``, or a
      jusText stoplist name such as ``"German"``), that stoplist is used;
    * with ``lang=None`` the language is guessed by ``guess_language``: the script decides for
      Cyrillic (Russian), Greek, Hangul (Korean), Arabic, Hebrew and Bengali text; Latin-script
      text is scored against small lists of very frequent function words for 14 languages, and the
      best is taken (English when nothing scores);
    * pages in a language jusText has no stoplist for (e.g. Chinese, Japanese) run in
      jusText's language-independent mode (empty stoplist, stopword thresholds 0).

    ``scrapinghub_aeb`` and ``trafilatura_eval`` records carry no language field, so the
    benchmarks call it with ``lang=None`` there; ``l3s_gn1`` records say ``"en"``.

    jusText is optional: ``pip install justext lxml_html_clean`` (recent lxml releases moved
    the HTML cleaner jusText imports into the separate ``lxml_html_clean`` package).
    ``justext_available()`` says whether it imports, ``justext_missing_reason()`` why not.

datatrove's own filters (``datatrove_c4``, ``datatrove_gopher``)
    The filters of Hugging Face's datatrove library, called as a datatrove pipeline step
    calls them (``filter(Document)``), for the speed benchmark only:

    * ``datatrove_c4(text, page_rules=False)``: ``C4QualityFilter`` in its line mode
      (``split_paragraph=True``: one line per ``"\n"``) with its line rules at their defaults
      (terminal punctuation, at least 3 words, no word over 1,000 characters, citation
      removal, "javascript" and the policy phrases). ``page_rules=False`` turns off its
      page-level rules (at least 5 sentences, counted with spaCy's sentencizer on every kept
      line; "lorem ipsum"; a curly bracket), as the minimal filter above does by default;
      ``page_rules=True`` is the filter with all its defaults. Returns the kept text ("" for
      a dropped page).
    * ``datatrove_gopher(text)``: ``GopherQualityFilter`` with its defaults (word counts,
      word lengths, symbol, bullet, ellipsis and stop-word rules, words from spaCy's
      tokenizer). A document-level filter: it keeps or drops the whole page (returns a bool),
      it does not clean lines.

    Both need ``pip install datatrove spacy regex`` (spaCy's blank English pipeline, no model
    download). ``datatrove_available()`` says whether they import,
    ``datatrove_missing_reason()`` why not.

Run this file to see both baselines on the seed pages::

    python3 bench/baselines.py
"""
from __future__ import annotations

import functools
import html
import re
import sys
from pathlib import Path

__all__ = [
    "c4_keep",
    "c4_filter",
    "datatrove_available",
    "datatrove_c4",
    "datatrove_gopher",
    "datatrove_missing_reason",
    "guess_language",
    "justext_available",
    "justext_missing_reason",
    "justext_keep",
    "justext_clean",
    "justext_result",
    "stoplist_name",
]

# ----------------------------------------------------------------------------- C4

C4_TERMINAL = (".", "!", "?", '"', "\u201d", "\u2019", "'")
C4_MIN_WORDS = 5
C4_MIN_SENTENCES = 3
C4_POLICY_PHRASES = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$|[\"\u201d\u2019'])")


def _c4_line_ok(line: str) -> bool:
    s = line.strip()
    if not s or not s.endswith(C4_TERMINAL):
        return False
    if len(s.split()) < C4_MIN_WORDS:
        return False
    low = s.lower()
    if "javascript" in low:
        return False
    return not any(p in low for p in C4_POLICY_PHRASES)


def c4_keep(text: str) -> list[bool]:
    """One keep/drop decision per line of ``text.split("\\n")`` under the C4 line rules."""
    return [_c4_line_ok(line) for line in text.split("\n")]


def c4_filter(text: str, page_filters: bool = False) -> str:
    """The lines of ``text`` the C4 line rules keep (stripped), joined with ``"\\n"``.

    With ``page_filters=True`` the paper's page-level rules are applied too and the result is
    ``""`` for a page that contains "lorem ipsum" or ``{``, or keeps fewer than 3 sentences.
    """
    kept = [line.strip() for line in text.split("\n") if _c4_line_ok(line)]
    body = "\n".join(kept)
    if page_filters:
        low = text.lower()
        if "{" in text or "lorem ipsum" in low:
            return ""
        if len(_SENTENCE_END.findall(body)) < C4_MIN_SENTENCES:
            return ""
    return body


# ----------------------------------------------------------------------------- language

# ISO 639-1 code -> jusText stoplist name (the benchmark sets' languages, and a few more).
ISO_TO_STOPLIST = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "pt": "Portuguese",
    "it": "Italian", "nl": "Dutch", "pl": "Polish", "ru": "Russian", "uk": "Ukrainian",
    "id": "Indonesian", "ms": "Malay", "ko": "Korean", "sv": "Swedish", "da": "Danish",
    "no": "Norwegian_Bokmal", "nb": "Norwegian_Bokmal", "fi": "Finnish", "cs": "Czech",
    "sk": "Slovak", "hu": "Hungarian", "ro": "Romanian", "tr": "Turkish", "el": "Greek",
    "ar": "Arabic", "he": "Hebrew", "fa": "Persian", "ca": "Catalan", "hr": "Croatian",
    "sl": "Slovenian", "bg": "Bulgarian", "vi": "Vietnamese", "hi": "Hindi", "bn": "Bengali",
}

# A handful of very frequent, fairly distinctive function words per Latin-script language.
_FUNCTION_WORDS = {
    "en": "the and of to is that for with was are this have from which were they".split(),
    "de": "der die und das ist nicht mit sich auf dem den ein eine auch werden wird".split(),
    "fr": "le la les des est une pour dans que qui sur pas avec sont mais aux".split(),
    "es": "el los las del una por para con que como pero más sus fue este".split(),
    "pt": "os da do das dos em ao uma para com não que mais são foi pelo também".split(),
    "it": "il della che per non una sono gli nel alla del dei anche questo".split(),
    "nl": "het een van niet zijn voor met ook maar wordt bij naar deze werd heeft".split(),
    "pl": "nie się jest na że do jak po od są przez dla tak jego oraz".split(),
    "id": "yang dan di dengan untuk ini itu dari tidak akan dalam pada juga adalah".split(),
    "sv": "och att det som inte med för har den till av är på ett".split(),
    "da": "og ikke det er til med som har af på en for der var".split(),
    "cs": "je se na že to jako pro jsou ale jeho podle byl který".split(),
    "fi": "ja on ei että se oli hän mutta myös kun tai ovat joka sen".split(),
    "tr": "ve bir bu için ile olarak daha çok gibi olan kadar değil ama sonra".split(),
}
_WORD_SETS = {lang: frozenset(words) for lang, words in _FUNCTION_WORDS.items()}
_TOKEN = re.compile(r"\w+")


def guess_language(text: str, max_chars: int = 20000) -> str | None:
    """Rough ISO 639-1 guess for ``text``; ``None`` for scripts without a jusText stoplist.

    Decided by script (Cyrillic, Greek, Hangul, Arabic, Hebrew, Bengali, CJK) when letters of one
    of those make up at least 30 % of the letters; otherwise by counting tokens that are frequent
    function words of each Latin-script language. Falls back to English.
    """
    sample = text[:max_chars]
    scripts = {"ru": 0, "el": 0, "ko": 0, "ar": 0, "he": 0, "bn": 0, "cjk": 0}
    letters = 0
    for ch in sample:
        if not ch.isalpha():
            continue
        letters += 1
        o = ord(ch)
        if 0x0400 <= o <= 0x04FF:
            scripts["ru"] += 1
        elif 0x0370 <= o <= 0x03FF:
            scripts["el"] += 1
        elif 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF:
            scripts["ko"] += 1
        elif 0x0600 <= o <= 0x06FF:
            scripts["ar"] += 1
        elif 0x0590 <= o <= 0x05FF:
            scripts["he"] += 1
        elif 0x0980 <= o <= 0x09FF:
            scripts["bn"] += 1
        elif 0x3040 <= o <= 0x30FF or 0x4E00 <= o <= 0x9FFF:
            scripts["cjk"] += 1
    if letters:
        best_script, n = max(scripts.items(), key=lambda kv: kv[1])
        if n >= 0.3 * letters:
            return None if best_script == "cjk" else best_script
    counts = dict.fromkeys(_WORD_SETS, 0)
    for tok in _TOKEN.findall(sample.lower()):
        for lang, words in _WORD_SETS.items():
            if tok in words:
                counts[lang] += 1
    lang, n = max(counts.items(), key=lambda kv: kv[1])
    return lang if n > 0 else "en"


def stoplist_name(lang: str | None, text: str = "") -> str | None:
    """jusText stoplist name for ``lang`` (ISO code or stoplist name); guessed from ``text`` when
    ``lang`` is None; None when jusText has no stoplist for the language."""
    if lang is None:
        lang = guess_language(text)
        if lang is None:
            return None
    if lang in ISO_TO_STOPLIST:
        name = ISO_TO_STOPLIST[lang]
    elif lang.lower().split("-")[0] in ISO_TO_STOPLIST:
        name = ISO_TO_STOPLIST[lang.lower().split("-")[0]]
    else:
        name = lang
    return name if name in _justext_stoplist_names() else None


# ----------------------------------------------------------------------------- jusText

_JUSTEXT = None
_JUSTEXT_ERROR: str | None = None


def _import_justext():
    global _JUSTEXT, _JUSTEXT_ERROR
    if _JUSTEXT is None and _JUSTEXT_ERROR is None:
        try:
            import justext  # noqa: PLC0415 - optional dependency
            _JUSTEXT = justext
        except ImportError as e:  # jusText itself, or lxml's separate html cleaner
            _JUSTEXT_ERROR = (f"jusText is not usable ({e}); install it with "
                              f"`pip install justext lxml_html_clean`")
    return _JUSTEXT


def justext_available() -> bool:
    """True when ``import justext`` works."""
    return _import_justext() is not None


def justext_missing_reason() -> str | None:
    """Why jusText cannot be used (with the install command), or None when it can."""
    _import_justext()
    return _JUSTEXT_ERROR


@functools.lru_cache(maxsize=None)
def _justext_stoplist_names() -> frozenset:
    jt = _import_justext()
    return frozenset(jt.get_stoplists()) if jt else frozenset()


@functools.lru_cache(maxsize=None)
def _stoplist(name: str | None) -> frozenset:
    if name is None:
        return frozenset()
    return frozenset(_import_justext().get_stoplist(name))


# Characters lxml refuses in a document (C0 controls other than tab/newline/CR, and noncharacters).
_BAD_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _as_html(lines: list[str]) -> str:
    paras = "".join(f"<p>{html.escape(_BAD_XML_CHARS.sub(' ', line))}</p>\n" for line in lines)
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>'
            f"<body>\n{paras}</body></html>")


def _justext_paragraphs(text: str, lang: str | None, stoplist: str | None = None):
    """(non-blank lines, jusText paragraphs) for ``text``."""
    jt = _import_justext()
    if jt is None:
        raise RuntimeError(_JUSTEXT_ERROR)
    name = (stoplist or None) if stoplist is not None else stoplist_name(lang, text)
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return lines, []
    kwargs = {} if name is not None else {"stopwords_low": 0.0, "stopwords_high": 0.0}
    return lines, jt.justext(_as_html(lines), _stoplist(name), **kwargs)


def justext_result(text: str, lang: str | None = "en",
                   stoplist: str | None = None) -> tuple[str, list[bool] | None]:
    """``(justext_clean(...), justext_keep(...))`` from a single jusText run."""
    lines, paras = _justext_paragraphs(text, lang, stoplist)
    body = "\n".join(p.text for p in paras if not p.is_boilerplate)
    if len(paras) != len(lines):
        return body, None
    it = iter(paras)
    keep = [(not next(it).is_boilerplate) if line.strip() else False for line in text.split("\n")]
    return body, keep


def justext_clean(text: str, lang: str | None = "en", stoplist: str | None = None) -> str:
    """The paragraphs jusText keeps (not boilerplate), joined with ``"\\n"``.

    ``lang``: ISO 639-1 code or jusText stoplist name; ``None`` = guess from the text.
    ``stoplist``: a jusText stoplist name that overrides ``lang``, or ``""`` for the
    language-independent mode (lets a caller resolve the language once, outside a timed loop,
    e.g. with ``stoplist_name(lang, text) or ""``).
    """
    _lines, paras = _justext_paragraphs(text, lang, stoplist)
    return "\n".join(p.text for p in paras if not p.is_boilerplate)


def justext_keep(text: str, lang: str | None = "en",
                 stoplist: str | None = None) -> list[bool] | None:
    """One keep/drop decision per line of ``text.split("\\n")``, or None when jusText's
    paragraphs do not map one-to-one onto the non-blank lines (then derive labels from the body)."""
    return justext_result(text, lang, stoplist)[1]


# ----------------------------------------------------------------------------- datatrove

_DATATROVE_ERROR: str | None = None


def _stdlib_profile() -> None:
    """Loads the standard library's ``profile`` module, which spaCy imports (via cProfile):
    run as ``python3 bench/...``, this folder is first on ``sys.path`` and its ``profile.py``
    (the site-profile benchmark) would be imported instead."""
    if "profile" in sys.modules:
        return
    import importlib.util  # noqa: PLC0415
    import sysconfig  # noqa: PLC0415

    path = Path(sysconfig.get_paths()["stdlib"]) / "profile.py"
    spec = importlib.util.spec_from_file_location("profile", path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["profile"] = module
    spec.loader.exec_module(module)


@functools.lru_cache(maxsize=None)
def _datatrove_filters():
    """(C4 line rules only, C4 with every default, Gopher), or None when datatrove is missing."""
    global _DATATROVE_ERROR
    _stdlib_profile()
    try:
        import spacy  # noqa: F401, PLC0415 - datatrove's English tokenizer needs it
        from datatrove.data import Document  # noqa: PLC0415 - optional dependency
        from datatrove.pipeline.filters import C4QualityFilter, GopherQualityFilter  # noqa: PLC0415
    except ImportError as e:
        _DATATROVE_ERROR = (f"datatrove is not usable ({e}); install it with "
                            f"`pip install datatrove spacy regex`")
        return None
    line_rules = C4QualityFilter(min_num_sentences=-1, filter_lorem_ipsum=False,
                                 filter_curly_bracket=False)
    return Document, line_rules, C4QualityFilter(), GopherQualityFilter()


def datatrove_available() -> bool:
    """True when datatrove's filters (and spaCy, which they tokenize with) import."""
    return _datatrove_filters() is not None


def datatrove_missing_reason() -> str | None:
    """Why datatrove's filters cannot be used (with the install command), or None."""
    _datatrove_filters()
    return _DATATROVE_ERROR


def datatrove_c4(text: str, page_rules: bool = False) -> str:
    """The text datatrove's ``C4QualityFilter`` keeps of ``text`` ("" when it drops the page)."""
    document, line_rules, full, _gopher = _datatrove_filters()
    doc = document(text=text, id="")
    kept = (full if page_rules else line_rules).filter(doc)
    return doc.text if kept is True else ""


def datatrove_gopher(text: str) -> bool:
    """Whether datatrove's ``GopherQualityFilter`` (defaults) keeps the page."""
    document, _line_rules, _full, gopher = _datatrove_filters()
    return gopher.filter(document(text=text, id="")) is True


# ----------------------------------------------------------------------------- demo

def _demo() -> None:
    import json
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import dataset_file, shared_dir  # noqa: PLC0415

    path = dataset_file(shared_dir(), "seeds")
    for row in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(row)
        text = rec["text"]
        print(f"== {rec['id']} (guessed language: {guess_language(text)})")
        keep = c4_keep(text)
        jt_keep = justext_keep(text, "en") if justext_available() else None
        for i, (line, gold) in enumerate(zip(text.split("\n"), rec["line_labels"])):
            jt = "-" if jt_keep is None else ("K" if jt_keep[i] else ".")
            print(f"{i:3d} gold={gold:11s} c4={'K' if keep[i] else '.'} jt={jt}  {line[:70]}")
        if not justext_available():
            print(justext_missing_reason())


if __name__ == "__main__":
    _demo()
