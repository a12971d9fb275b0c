"""The ``newsclean`` command line.

::

    newsclean clean INPUT... [-o OUTPUT] [--text-field text] [--num-threads N] [--show N] [--quiet]

``INPUT`` is a ``.txt`` file (one page per file, one block of text per line), a ``.jsonl`` or
``.jsonl.gz`` file (one JSON object per line, the page in its text field), or ``-`` for JSONL
on standard input. With ``-o`` every page is written as one JSONL record: the input record
(all of its fields) plus ``body``, ``labels`` and ``teasers``. The output file appears only when
the whole run succeeded (it is written to a temporary file beside it, then renamed). Without
``-o`` a readable summary is printed instead.

Exit status: 0 on success, 2 for bad input or usage (the message names the file and line),
1 when the output cannot be written, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from typing import IO, Any

import newsclean

LABELS = ("headline", "teaser", "body", "boilerplate")
DEFAULT_BATCH = 1000
WIDTH = 100  # characters of a body line or teaser shown in the summary

__all__ = ["main"]


class InputError(ValueError):
    """Bad input: the message names the file (and line) at fault. Exit status 2."""


class OutputError(OSError):
    """The output cannot be written: the message names the file. Exit status 1."""


# ---------------------------------------------------------------------------------------------
# Reading


class Record:
    """One page read from the input: where it came from, the record to write back, its text."""

    __slots__ = ("where", "record", "text", "name")

    def __init__(self, where: str, record: dict[str, Any], text: str, name: str) -> None:
        self.where = where  # "FILE:LINE" (JSONL) or "FILE" (.txt), for messages
        self.record = record
        self.text = text
        self.name = name  # what the summary calls the page


def _kind(path: str) -> str:
    if path == "-":
        return "jsonl"
    low = path.lower()
    if low.endswith((".jsonl.gz", ".ndjson.gz")):
        return "jsonl.gz"
    if low.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if low.endswith(".txt"):
        return "txt"
    raise InputError(
        f"{path}: unsupported input type (expected a .txt, .jsonl or .jsonl.gz file, or - for JSONL on stdin)"
    )


def _open_error(path: str, e: OSError) -> InputError:
    return InputError(f"{path}: cannot read: {e.strerror or e}")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _read_txt(path: str, text_field: str) -> Iterator[Record]:
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise _open_error(path, e) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}:{_line_of(data, e.start)}: not valid UTF-8 ({e.reason} at byte {e.start})") from None
    yield Record(path, {"file": path, text_field: text}, text, path)


def _check_text(where: str, obj: Any, text_field: str) -> str:
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object, got {_json_type(obj)}")
    if text_field not in obj:
        fields = ", ".join(repr(k) for k in list(obj)[:8]) or "none"
        raise InputError(f"{where}: record has no {text_field!r} field (fields: {fields}); choose the field with --text-field")
    text = obj[text_field]
    if not isinstance(text, str):
        raise InputError(f"{where}: field {text_field!r} must be a string, got {_json_type(text)}")
    return text


def _json_type(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    if isinstance(v, dict):
        return "an object"
    return type(v).__name__


def _read_jsonl(path: str, kind: str, text_field: str, stdin: IO[bytes] | None) -> Iterator[Record]:
    label = "<stdin>" if path == "-" else path
    if path == "-":
        if stdin is None:
            raise InputError("<stdin>: standard input is not available")
        fh: IO[bytes] = stdin
        close = False
    else:
        try:
            fh = gzip.open(path, "rb") if kind == "jsonl.gz" else open(path, "rb")  # noqa: SIM115
        except OSError as e:
            raise _open_error(path, e) from None
        close = True
    lineno = 0
    try:
        while True:
            try:
                raw = fh.readline()
            except (OSError, EOFError, zlib.error) as e:
                # A damaged or truncated gzip stream, or a read error.
                raise InputError(f"{label}:{lineno + 1}: cannot read: {e}") from None
            if not raw:
                break
            lineno += 1
            where = f"{label}:{lineno}"
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as e:
                raise InputError(f"{where}: not valid UTF-8 ({e.reason} at byte {e.start} of the line)") from None
            if not line.strip():
                continue  # blank lines are allowed (a trailing newline, hand-edited files)
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{where}: malformed JSON: {e.msg} (column {e.colno})") from None
            except RecursionError:
                raise InputError(f"{where}: malformed JSON: nested too deeply") from None
            text = _check_text(where, obj, text_field)
            ident = obj.get("id")
            name = f"{where} id={ident}" if isinstance(ident, (str, int)) and not isinstance(ident, bool) else where
            yield Record(where, obj, text, name)
    finally:
        if close:
            fh.close()


def _records(inputs: list[str], text_field: str, stdin: IO[bytes] | None) -> Iterator[Record]:
    for path in inputs:
        kind = _kind(path)
        if kind == "txt":
            yield from _read_txt(path, text_field)
        else:
            yield from _read_jsonl(path, kind, text_field, stdin)


def _chunks(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for r in records:
        chunk.append(r)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _segment(chunk: list[Record], num_threads: int | None) -> list[newsclean.Page]:
    texts = [r.text for r in chunk]
    try:
        return newsclean.segment_batch(texts, num_threads=num_threads)
    except ValueError:
        # A string the core cannot take (a lone surrogate, from a "\ud800" escape in the JSON):
        # find the record, to name its file and line.
        for r in chunk:
            try:
                r.text.encode("utf-8")
            except UnicodeEncodeError as e:
                raise InputError(
                    f"{r.where}: the text holds a lone surrogate (U+{ord(r.text[e.start]):04X} at character {e.start}), "
                    "which is not valid Unicode"
                ) from None
        raise


# ---------------------------------------------------------------------------------------------
# Writing


class _AtomicOutput:
    """A file written to a temporary name in the target's directory and renamed at the end."""

    def __init__(self, path: str) -> None:
        self.path = path
        directory = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(directory):
            raise InputError(f"{path}: cannot write: the directory {directory} does not exist")
        try:
            fd, self.tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
        except OSError as e:
            raise OutputError(f"{path}: cannot write: {e.strerror or e}") from None
        self.raw = os.fdopen(fd, "wb")
        self.fh: IO[bytes] = gzip.GzipFile(fileobj=self.raw, mode="wb", mtime=0) if path.endswith(".gz") else self.raw

    def write(self, data: bytes) -> None:
        try:
            self.fh.write(data)
        except OSError as e:
            raise OutputError(f"{self.path}: cannot write: {e.strerror or e}") from None

    def commit(self) -> None:
        try:
            if self.fh is not self.raw:
                self.fh.close()
            self.raw.flush()
            os.fsync(self.raw.fileno())
            self.raw.close()
            # mkstemp makes the file private (0600); give it the mode a plain open() would.
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(self.tmp, 0o666 & ~umask)
            os.replace(self.tmp, self.path)
        except OSError as e:
            self.abort()
            raise OutputError(f"{self.path}: cannot write: {e.strerror or e}") from None

    def abort(self) -> None:
        for f in (self.fh, self.raw):
            try:
                f.close()
            except (OSError, ValueError):
                pass
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass


def _output_record(r: Record, page: newsclean.Page) -> dict[str, Any]:
    out = dict(r.record)
    out["body"] = page.body
    out["labels"] = page.labels
    out["teasers"] = [{"headline": t.headline, "lede": t.lede, "truncated": t.truncated} for t in page.teasers]
    return out


def _short(s: str, width: int = WIDTH) -> str:
    s = " ".join(s.split())
    return s if len(s) <= width else s[: width - 1].rstrip() + "…"


def _counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{counts[k]} {k}" for k in LABELS)


def _print_page(out: IO[str], r: Record, page: newsclean.Page, show: int) -> None:
    labels = page.labels
    counts = {k: 0 for k in LABELS}
    for lab in labels:
        counts[lab] += 1
    print(f"== {r.name}: {len(labels)} lines ({_counts_text(counts)})", file=out)
    body_lines = [ln.text for ln in page.lines if ln.label == "body"] if show > 0 else []
    for text in body_lines[:show]:
        print(f"   body | {_short(text)}", file=out)
    if len(body_lines) > show:
        print(f"   body | … {len(body_lines) - show} more body lines", file=out)
    if counts["body"] == 0:
        print("   body | (none)", file=out)
    for t in page.teasers:
        parts = [p for p in (t.headline, t.lede) if p]
        mark = " [truncated]" if t.truncated else ""
        print(f"   teaser | {_short(' | '.join(parts))}{mark}", file=out)
    print(file=out)


# ---------------------------------------------------------------------------------------------
# The command


def _positive_int(s: str) -> int:
    try:
        n = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {s!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _non_negative_int(s: str) -> int:
    try:
        n = int(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {s!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {n}")
    return n


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="newsclean",
        description="Fast cleaning of scraped news text: label every line headline, teaser, body "
        "or boilerplate, and extract the article body.",
    )
    p.add_argument("--version", action="version", version=f"newsclean {newsclean.__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    c = sub.add_parser(
        "clean",
        help="segment pages and write or summarise their bodies, labels and teasers",
        description="Segment pages. With -o, write one JSONL record per page: the input record plus "
        "'body' (the article text), 'labels' (one label per line of the page) and 'teasers' "
        "(headline, lede, truncated). Without -o, print a summary.",
        epilog="Exit status: 0 success, 2 bad input or usage, 1 output not writable.",
    )
    c.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="a .txt file (one page, one block per line), a .jsonl or .jsonl.gz file (one JSON "
        "object per line), or - for JSONL on standard input",
    )
    c.add_argument(
        "-o",
        "--output",
        metavar="OUTPUT",
        help="write JSONL here (gzip-compressed when it ends in .gz; - for standard output). "
        "The file appears only when the run succeeds.",
    )
    c.add_argument("--text-field", default="text", metavar="NAME", help="the JSON field holding the page text (default: text)")
    c.add_argument(
        "--num-threads",
        type=_positive_int,
        default=None,
        metavar="N",
        help="threads to use (default: $NEWSCLEAN_NUM_THREADS, else the number of cores)",
    )
    c.add_argument("--show", type=_non_negative_int, default=3, metavar="N", help="body lines shown per page in the summary (default: 3)")
    c.add_argument("--quiet", "-q", action="store_true", help="print only the total line (with -o: print nothing)")
    c.add_argument("--batch-size", type=_positive_int, default=DEFAULT_BATCH, metavar="N", help=argparse.SUPPRESS)
    return p


def _run(args: argparse.Namespace, stdout: IO[str], stderr: IO[str], stdin: IO[bytes] | None) -> None:
    for path in args.inputs:
        _kind(path)  # reject unsupported inputs before doing any work
    if args.inputs.count("-") > 1:
        raise InputError("-: standard input can be read only once")
    to_stdout = args.output == "-"
    sink = None if args.output is None or to_stdout else _AtomicOutput(args.output)
    totals = {k: 0 for k in LABELS}
    pages = 0
    nbytes = 0
    started = time.perf_counter()
    try:
        for chunk in _chunks(_records(args.inputs, args.text_field, stdin), args.batch_size):
            results = _segment(chunk, args.num_threads)
            lines: list[str] = []
            for r, page in zip(chunk, results):
                pages += 1
                nbytes += len(r.text.encode("utf-8"))
                for lab in page.labels:
                    totals[lab] += 1
                if args.output is not None:
                    lines.append(json.dumps(_output_record(r, page), ensure_ascii=False))
                elif not args.quiet:
                    _print_page(stdout, r, page, args.show)
            if lines:
                data = "\n".join(lines) + "\n"
                if sink is not None:
                    sink.write(data.encode("utf-8"))
                else:
                    stdout.write(data)
                    stdout.flush()
        if sink is not None:
            sink.commit()
            sink = None
    finally:
        if sink is not None:
            sink.abort()
    seconds = time.perf_counter() - started
    rate = pages / seconds if seconds > 0 else float("inf")
    total = (
        f"total: {pages} pages, {sum(totals.values())} lines ({_counts_text(totals)}), "
        f"{nbytes / 1e6:.2f} MB in {seconds:.2f} s ({rate:,.0f} pages/s)"
    )
    if args.output is None:
        print(total, file=stdout)
    elif not args.quiet:
        where = "standard output" if to_stdout else args.output
        print(f"{total}; wrote {where}", file=stderr)


def main(argv: list[str] | None = None) -> int:
    """Runs the ``newsclean`` command with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, usage errors
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    stdin = getattr(sys.stdin, "buffer", None)
    try:
        _run(args, sys.stdout, sys.stderr, stdin)
    except InputError as e:
        print(f"newsclean: error: {e}", file=sys.stderr)
        return 2
    except OutputError as e:
        print(f"newsclean: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("newsclean: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, and keep Python from complaining
        # again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
