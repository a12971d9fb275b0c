"""The ``newsclean`` command line.

::

    newsclean clean INPUT... [-o OUTPUT] [--fields body,teasers,labels] [--profile FILE] ...
    newsclean learn INPUT... -o PROFILE [--min-pages 2] ...
    newsclean dedup INPUT... -o OUTPUT [--threshold 0.8] [--mark] ...
    newsclean teasers INPUT... -o OUTPUT [--profile FILE] ...

``INPUT`` is a ``.txt`` file (one page per file, one block of text per line), a JSONL file
(``.jsonl``/``.ndjson``, plain, ``.gz`` or ``.zst``; one JSON object per line, the page in its
text field), a ``.parquet`` file (one row per page), or ``-`` for JSONL on standard input.
Input is read in chunks (``--batch-size`` pages), so memory does not grow with the input.
Output files (JSONL, ``.gz``, ``.zst`` or ``.parquet`` by their suffix; ``-`` for standard
output) are written to a temporary file beside the target and renamed when the run
succeeds: a failed or interrupted run leaves no output under the target's name.

A bad record (malformed JSON, no text, invalid UTF-8, ...) stops the run with
``FILE:LINE: what is wrong`` (``FILE:ROW`` for Parquet, counting rows from 1); with
``--skip-bad`` it is written to a rejects file instead (``OUTPUT.rejects.jsonl`` unless
``--rejects`` says otherwise) and the run goes on.

On a terminal, a progress line (pages, MB/s, ETA) is shown on standard error unless
``--quiet``; every run ends with a summary (pages, lines per label, duplicates, rejects, time).

Exit status: 0 on success, 2 for bad input or usage (the message names the file and line),
1 when the output cannot be written, 130 when interrupted (SIGINT or SIGTERM).
"""

from __future__ import annotations

import argparse
import datetime
import decimal
import gzip
import io
import itertools
import json
import os
import queue
import re
import signal
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Any
from urllib.parse import urlsplit

import newsclean
from newsclean._records import OUTPUT_COLUMNS, check_columns, page_columns

LABELS = ("headline", "teaser", "body", "boilerplate")
DEFAULT_BATCH = 1000
WIDTH = 100  # characters of a body line or teaser shown in the summary
MAX_REPORTED = 10  # skipped records named on standard error; the rest are only counted

__all__ = ["main"]


class InputError(ValueError):
    """Bad input or usage: the message names the file (and line) at fault. Exit status 2."""


class OutputError(OSError):
    """The output cannot be written: the message names the file. Exit status 1."""


# ---------------------------------------------------------------------------------------------
# Input formats


def _kind(path: str) -> str:
    if path == "-":
        return "jsonl"
    low = path.lower()
    for suffix, kind in (
        ((".jsonl.gz", ".ndjson.gz"), "jsonl.gz"),
        ((".jsonl.zst", ".ndjson.zst"), "jsonl.zst"),
        ((".jsonl", ".ndjson"), "jsonl"),
        ((".parquet",), "parquet"),
        ((".txt",), "txt"),
    ):
        if low.endswith(suffix):
            return kind
    raise InputError(
        f"{path}: unsupported input type (expected .txt, .jsonl, .jsonl.gz, .jsonl.zst or .parquet, or - for JSONL on stdin)"
    )


def _zstandard() -> Any:
    try:
        import zstandard  # noqa: PLC0415
    except ImportError:
        raise InputError(".zst files need the zstandard package: pip install 'newsclean[zstd]'") from None
    return zstandard


def _pyarrow() -> Any:
    try:
        import pyarrow  # noqa: PLC0415
        import pyarrow.parquet  # noqa: F401, PLC0415
    except ImportError:
        raise InputError("Parquet files need pyarrow: pip install 'newsclean[arrow]'") from None
    return pyarrow


class Fields:
    """Which fields of a record hold the text, the id and the site."""

    def __init__(self, text: str, ident: str, site: str | None, site_from_url: str | None) -> None:
        self.text, self.ident, self.site, self.site_from_url = text, ident, site, site_from_url

    @property
    def wants_site(self) -> bool:
        return self.site is not None or self.site_from_url is not None


class Record:
    """One page read from the input: where it came from, the record to write back, its text."""

    __slots__ = ("where", "record", "text", "name", "ident", "site", "nbytes")

    def __init__(self, where: str, record: dict[str, Any], text: str, name: str, ident: Any = None, site: str | None = None) -> None:
        self.where = where  # "FILE:LINE" (JSONL), "FILE:ROW" (Parquet) or "FILE" (.txt)
        self.record = record
        self.text = text
        self.nbytes = 0  # UTF-8 bytes of the text (set by _check_text)
        self.name = name  # what the summary calls the page
        self.ident = ident
        self.site = site


class BadRecord(Exception):
    """A record that cannot be used: where, what is wrong, and its raw line (if any)."""

    def __init__(self, where: str, message: str, raw: bytes | None = None) -> None:
        super().__init__(f"{where}: {message}")
        self.where, self.message, self.raw = where, message, raw


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


def _site_of_url(url: str) -> str | None:
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def _make_record(where: str, obj: Any, fields: Fields, raw: bytes | None) -> Record:
    """Checks a decoded record and picks its text, id and site; BadRecord when it cannot."""
    if not isinstance(obj, dict):
        raise BadRecord(where, f"expected a JSON object, got {_json_type(obj)}", raw)
    if fields.text not in obj:
        names = ", ".join(repr(k) for k in list(obj)[:8]) or "none"
        raise BadRecord(where, f"record has no {fields.text!r} field (fields: {names}); choose the field with --text-field", raw)
    text = obj[fields.text]
    if not isinstance(text, str):
        raise BadRecord(where, f"field {fields.text!r} must be a string, got {_json_type(text)}", raw)
    site = None
    if fields.site is not None:
        site = obj.get(fields.site)
        if not isinstance(site, str):
            got = "no such field" if fields.site not in obj else _json_type(site)
            raise BadRecord(where, f"site field {fields.site!r} must be a string, got {got}", raw)
    elif fields.site_from_url is not None:
        url = obj.get(fields.site_from_url)
        if not isinstance(url, str):
            got = "no such field" if fields.site_from_url not in obj else _json_type(url)
            raise BadRecord(where, f"URL field {fields.site_from_url!r} must be a string, got {got}", raw)
        site = _site_of_url(url)
        if site is None:
            raise BadRecord(where, f"URL field {fields.site_from_url!r} has no host name: {url[:80]!r}", raw)
    ident = obj.get(fields.ident)
    if not isinstance(ident, (str, int)) or isinstance(ident, bool):
        ident = None
    name = f"{where} {fields.ident}={ident}" if ident is not None else where
    return Record(where, obj, text, name, ident, site)


class Reader:
    """Streams the records of every input, in order, and knows how far it has got (for the
    progress line). Bad records go to ``on_bad`` (which raises, or writes a reject)."""

    def __init__(self, inputs: list[str], fields: Fields, stdin: IO[bytes] | None, on_bad: Callable[[BadRecord], None]) -> None:
        self.inputs, self.fields, self.stdin, self.on_bad = inputs, fields, stdin, on_bad
        self.sizes = [0 if p == "-" else _size(p) for p in inputs]
        self.total_bytes = None if "-" in inputs else sum(self.sizes)
        self.done_bytes = 0  # of the inputs already finished
        self._pos: Callable[[], int] = lambda: 0  # position in the current input

    def position(self) -> int:
        try:
            return self.done_bytes + self._pos()
        except (OSError, ValueError):  # a closed file between two reads
            return self.done_bytes

    def __iter__(self) -> Iterator[Record]:
        for path, size in zip(self.inputs, self.sizes):
            kind = _kind(path)
            if kind == "txt":
                yield from self._txt(path)
            elif kind == "parquet":
                yield from self._parquet(path, size)
            else:
                yield from self._jsonl(path, kind)
            self.done_bytes += size
            self._pos = lambda: 0

    def _txt(self, path: str) -> Iterator[Record]:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as e:
            raise _open_error(path, e) from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            self.on_bad(BadRecord(f"{_shown(path)}:{line}", f"not valid UTF-8 ({e.reason} at byte {e.start})"))
            return
        shown = _shown(path)
        record = {"file": shown, self.fields.text: text}
        yield _check_text(Record(shown, record, text, shown, None, None), None)

    def _jsonl(self, path: str, kind: str) -> Iterator[Record]:
        label = "<stdin>" if path == "-" else _shown(path)
        raw_fh: IO[bytes] | None = None
        if path == "-":
            if self.stdin is None:
                raise InputError("<stdin>: standard input is not available")
            fh: IO[bytes] = self.stdin
        else:
            try:
                raw_fh = open(path, "rb")  # noqa: SIM115
            except OSError as e:
                raise _open_error(path, e) from None
            if kind == "jsonl.gz":
                fh = gzip.GzipFile(fileobj=raw_fh, mode="rb")
            elif kind == "jsonl.zst":
                fh = io.BufferedReader(_ZstdReader(raw_fh), buffer_size=1 << 20)
            else:
                fh = raw_fh
            self._pos = raw_fh.tell
        read_errors: tuple[type[BaseException], ...] = (OSError, EOFError, zlib.error)
        if kind == "jsonl.zst":
            read_errors += (_zstandard().ZstdError,)
        lineno = 0
        try:
            while True:
                try:
                    raw = fh.readline()
                except read_errors as e:
                    # A damaged or truncated compressed stream, or a read error: the rest of the
                    # file cannot be trusted, so this stops the run even with --skip-bad.
                    raise InputError(f"{label}:{lineno + 1}: cannot read: {e}") from None
                if not raw:
                    break
                lineno += 1
                where = f"{label}:{lineno}"
                try:
                    yield self._jsonl_record(where, raw, lineno)
                except BadRecord as bad:
                    self.on_bad(bad)
                except _Blank:
                    pass
        finally:
            if raw_fh is not None:
                fh.close()
                raw_fh.close()

    def _jsonl_record(self, where: str, raw: bytes, lineno: int) -> Record:
        try:
            line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
        except UnicodeDecodeError as e:
            raise BadRecord(where, f"not valid UTF-8 ({e.reason} at byte {e.start} of the line)", raw) from None
        if not line.strip():
            raise _Blank  # blank lines are allowed (a trailing newline, hand-edited files)
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise BadRecord(where, f"malformed JSON: {e.msg} (column {e.colno})", raw) from None
        except RecursionError:
            raise BadRecord(where, "malformed JSON: nested too deeply", raw) from None
        except ValueError as e:  # an integer of more than 4300 digits
            raise BadRecord(where, f"malformed JSON: a number too long to read ({str(e).split(';')[0]})", raw) from None
        rec = _check_text(_make_record(where, obj, self.fields, raw), raw)
        if _SURROGATE_ESCAPE.search(raw):
            _check_surrogates(where, obj, raw)
        return rec

    def _parquet(self, path: str, size: int) -> Iterator[Record]:
        pa = _pyarrow()
        try:
            pf = pa.parquet.ParquetFile(path)
        except OSError as e:
            raise _open_error(path, e) from None
        except pa.ArrowException as e:
            raise InputError(f"{path}: not a readable Parquet file: {e}") from None
        total = max(1, pf.metadata.num_rows)
        row = 0
        self._pos = lambda: int(size * min(row, total) / total)
        names = pf.schema_arrow.names
        if self.fields.text not in names:
            raise InputError(f"{path}: no {self.fields.text!r} column (columns: {', '.join(names[:8])}); choose it with --text-field")
        try:
            for batch in pf.iter_batches(batch_size=DEFAULT_BATCH):
                col = batch.column(self.fields.text)
                if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type) or pa.types.is_string_view(col.type)):
                    raise InputError(f"{path}: column {self.fields.text!r} must hold strings, not {col.type}")
                try:
                    rows = batch.to_pylist()
                except UnicodeDecodeError:
                    rows = _rows_with_bad_utf8(pa, batch, _shown(path), row, self.on_bad)
                for obj in rows:
                    row += 1
                    if obj is None:
                        continue  # rejected above
                    try:
                        yield _check_text(_make_record(f"{_shown(path)}:{row}", obj, self.fields, None), None)
                    except BadRecord as bad:
                        self.on_bad(bad)
        except pa.ArrowException as e:
            raise InputError(f"{path}:{row + 1}: cannot read: {e}") from None
        finally:
            pf.close()


class _ZstdReader(io.RawIOBase):
    """Decompresses a zstd file (any number of frames) and raises at its end if the last
    frame is cut off: zstandard's own stream reader returns what it has, silently."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.zstd = _zstandard()
        self.raw = raw
        self.dobj = self.zstd.ZstdDecompressor().decompressobj()
        self.started = False  # the current frame has input
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        while not self.pending:
            data = self.raw.read(1 << 20)
            if not data:
                if self.started and not self.dobj.eof:
                    raise self.zstd.ZstdError("the compressed data ends in the middle of a frame (truncated file)")
                return 0
            while data:
                if self.dobj.eof:
                    self.dobj = self.zstd.ZstdDecompressor().decompressobj()
                self.started = True
                self.pending += self.dobj.decompress(data)
                data = self.dobj.unused_data if self.dobj.eof else b""
        n = min(len(buf), len(self.pending))
        buf[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n


class _Blank(Exception):
    """A blank JSONL line: skipped."""


def _rows_with_bad_utf8(pa: Any, batch: Any, path: str, first: int, on_bad: Callable[[BadRecord], None]) -> list[dict | None]:
    """The rows of a batch one by one, rejecting those with a string that is not UTF-8."""
    out: list[dict | None] = []
    for i in range(batch.num_rows):
        try:
            out.append(batch.slice(i, 1).to_pylist()[0])
        except UnicodeDecodeError as e:
            on_bad(BadRecord(f"{path}:{first + i + 1}", f"not valid UTF-8 ({e.reason})"))
            out.append(None)
    return out


# A JSON escape of a UTF-16 surrogate (paired or not): only then can a decoded record hold one.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _check_surrogates(where: str, obj: Any, raw: bytes) -> None:
    """Raises BadRecord when a string anywhere in the record (a field name, an id, a site, a
    nested value) holds a lone surrogate: it could not be written as UTF-8, nor given to the
    core as a site or id."""
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
        return
    except UnicodeEncodeError:
        pass
    stack: list[tuple[str, Any]] = [(repr(k), v) for k, v in obj.items()] if isinstance(obj, dict) else []
    for k in obj if isinstance(obj, dict) else ():
        if not _encodable(k):
            raise BadRecord(where, f"a field name ({k!r}) holds a lone surrogate, which is not valid Unicode", raw)
    while stack:
        field, v = stack.pop()
        if isinstance(v, str) and not _encodable(v):
            raise BadRecord(where, f"field {field} holds a lone surrogate, which is not valid Unicode", raw)
        if isinstance(v, dict):
            for k in v:
                if not _encodable(k):
                    raise BadRecord(where, f"a field name in {field} holds a lone surrogate, which is not valid Unicode", raw)
            stack.extend((field, x) for x in v.values())
        elif isinstance(v, list):
            stack.extend((field, x) for x in v)
    raise BadRecord(where, "the record holds a lone surrogate, which is not valid Unicode", raw)


def _encodable(s: str) -> bool:
    try:
        s.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _check_text(rec: Record, raw: bytes | None) -> Record:
    """Counts the text's UTF-8 bytes. A "\\ud800" escape in JSON gives a str the core cannot
    take: a bad record."""
    try:
        rec.nbytes = len(rec.text.encode("utf-8"))
        return rec
    except UnicodeEncodeError as e:
        raise BadRecord(
            rec.where,
            f"the text holds a lone surrogate (U+{ord(rec.text[e.start]):04X} at character {e.start}), which is not valid Unicode",
            raw,
        ) from None


def _shown(path: str) -> str:
    """A file name as written into records and rejects: a name that is not UTF-8 (its bytes
    reach Python as lone surrogates) with U+FFFD for the bytes that are not."""
    try:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return path.encode("utf-8", "replace").decode("utf-8")


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _open_error(path: str, e: OSError) -> InputError:
    return InputError(f"{path}: cannot read: {e.strerror or e}")


def _chunks(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    it = iter(records)
    while True:
        chunk = list(itertools.islice(it, size))
        if not chunk:
            return
        yield chunk


def _prefetch(chunks: Iterator[list[Record]], depth: int = 2) -> Iterator[list[Record]]:
    """Reads the next chunks in a thread while the caller works on this one (the core releases
    the GIL, so JSON parsing and segmentation overlap). At most ``depth`` chunks wait."""
    q: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def work() -> None:
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        q.put(("chunk", chunk), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(("end", None))
        except BaseException as e:  # noqa: BLE001 - handed to the consumer, which re-raises it
            q.put(("error", e))

    t = threading.Thread(target=work, name="newsclean-reader", daemon=True)
    t.start()
    try:
        while True:
            what, value = q.get()
            if what == "chunk":
                yield value
            elif what == "error":
                raise value
            else:
                return
    finally:
        stop.set()


# ---------------------------------------------------------------------------------------------
# Output


class _AtomicFile:
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

    def commit(self) -> None:
        try:
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
        try:
            self.raw.close()
        except (OSError, ValueError):
            pass
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass


def _json_value(v: Any) -> Any:
    """Values of Parquet columns that JSON has no type for: dates and times as ISO 8601
    strings, decimals as their exact digits. Anything else (bytes, ...) is refused."""
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return str(v)
    raise TypeError(f"a value of type {type(v).__name__}")


def _jsonl(rows: list[dict[str, Any]], where: list[str]) -> str:
    """The rows as JSONL; InputError naming the first record that JSON cannot hold."""
    try:
        return "".join(json.dumps(r, ensure_ascii=False, default=_json_value) + "\n" for r in rows)
    except (TypeError, ValueError):
        pass
    for w, r in zip(where, rows):
        for k, v in r.items():
            try:
                json.dumps(v, ensure_ascii=False, default=_json_value)
            except (TypeError, ValueError) as e:
                raise InputError(f"{w}: field {k!r} cannot be written as JSON ({e}); write Parquet (-o FILE.parquet) instead") from None
    raise InputError(f"{where[0]}: the records cannot be written as JSON")


class Sink:
    """Where output rows go: JSONL (plain, .gz, .zst) or Parquet, to a file (atomically) or
    to standard output."""

    def __init__(self, path: str, stdout: IO[str]) -> None:
        self.path = path
        self.stdout = stdout
        low = path.lower()
        self.parquet = low.endswith(".parquet")
        if path == "-":
            self.file = None
            return
        if self.parquet:
            _pyarrow()
        elif low.endswith(".zst"):
            _zstandard()
        self.file = _AtomicFile(path)
        self.writer: Any = None
        self.fh: IO[bytes] = self.file.raw
        self.rows = 0
        if self.parquet:
            return
        if low.endswith(".gz"):
            # Level 6 (gzip's default) is about three times faster than GzipFile's 9.
            self.fh = gzip.GzipFile(fileobj=self.file.raw, mode="wb", mtime=0, compresslevel=6)
        elif low.endswith(".zst"):
            self.fh = _zstandard().ZstdCompressor().stream_writer(self.file.raw, closefd=False)

    def write(self, rows: list[dict[str, Any]], where: list[str]) -> None:
        if not rows:
            return
        if self.file is None:
            self.stdout.write(_jsonl(rows, where))
            self.stdout.flush()
            return
        if self.parquet:
            self._write_parquet(rows, where)
            return
        data = _jsonl(rows, where).encode("utf-8")
        try:
            self.fh.write(data)
        except OSError as e:
            raise OutputError(f"{self.path}: cannot write: {e.strerror or e}") from None

    def _write_parquet(self, rows: list[dict[str, Any]], where: list[str]) -> None:
        pa = _pyarrow()
        try:
            if self.writer is None:
                table = pa.Table.from_pylist(rows)
                self.writer = pa.parquet.ParquetWriter(self.file.raw, table.schema)
            else:
                table = pa.Table.from_pylist(rows, schema=self.writer.schema)
        except (pa.ArrowException, TypeError, ValueError) as e:
            raise InputError(
                f"{where[0]}: the records from here on do not fit the Parquet schema of the first ones ({e}); write JSONL instead"
            ) from None
        try:
            self.writer.write_table(table)
        except OSError as e:
            raise OutputError(f"{self.path}: cannot write: {e.strerror or e}") from None

    def commit(self) -> None:
        if self.file is None:
            return
        try:
            if self.parquet:
                if self.writer is None:  # no rows at all: an empty file with no columns
                    pa = _pyarrow()
                    self.writer = pa.parquet.ParquetWriter(self.file.raw, pa.schema([]))
                self.writer.close()
            elif self.fh is not self.file.raw:
                self.fh.close()
        except OSError as e:
            self.file.abort()
            raise OutputError(f"{self.path}: cannot write: {e.strerror or e}") from None
        self.file.commit()

    def abort(self) -> None:
        if self.file is None:
            return
        if self.parquet and self.writer is not None:
            try:
                self.writer.close()  # else its finaliser writes a footer to a closed file
            except Exception:  # noqa: BLE001 - the file is removed anyway
                pass
            self.writer = None
        self.file.abort()


class _Background:
    """Writes in a thread, so that encoding and compressing chunk k overlap the core's work on
    chunk k+1 (which releases the GIL). At most ``depth`` chunks wait; an error in the thread
    is raised by the next ``submit`` or by ``close``."""

    def __init__(self, write: Callable[..., None], depth: int = 2) -> None:
        self.write = write
        self.q: queue.Queue[tuple[Any, ...] | None] = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="newsclean-writer", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while True:
            item = self.q.get()
            if item is None:
                return
            if self.error is None:
                try:
                    self.write(*item)
                except BaseException as e:  # noqa: BLE001 - raised in the main thread
                    self.error = e

    def _check(self) -> None:
        if self.error is not None:
            raise self.error

    def submit(self, *args: Any) -> None:
        self._check()
        self.q.put(args)

    def close(self) -> None:
        self.q.put(None)
        self.thread.join()
        self._check()

    def close_quietly(self) -> None:
        """Stops the thread after a failure elsewhere; its own error, if any, is dropped."""
        self.error = self.error or _Stopped()
        while True:  # make room for the stop mark: the queued chunks are not written
            try:
                self.q.get_nowait()
            except queue.Empty:
                break
        self.q.put(None)
        self.thread.join()


class _Stopped(Exception):
    """Marks a writer stopped after a failure elsewhere."""


class Rejects:
    """Bad records: raised as InputError, or (with --skip-bad) written to a JSONL file of
    ``{"where", "error", "line"}`` and counted."""

    def __init__(self, path: str | None, stderr: IO[str], quiet: bool) -> None:
        self.path = path
        self.stderr = stderr
        self.quiet = quiet
        self.count = 0
        self.file = _AtomicFile(path) if path is not None else None

    def __call__(self, bad: BadRecord) -> None:
        if self.file is None:
            raise InputError(str(bad))
        self.count += 1
        if not self.quiet and self.count <= MAX_REPORTED:
            _clear_progress(self.stderr)
            print(f"newsclean: skipped {bad}", file=self.stderr)
        row: dict[str, Any] = {"where": bad.where, "error": bad.message}
        if bad.raw is not None:
            row["line"] = bad.raw.decode("utf-8", errors="replace").rstrip("\r\n")
        try:
            self.file.raw.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))
        except OSError as e:
            raise OutputError(f"{self.path}: cannot write: {e.strerror or e}") from None

    def commit(self) -> None:
        if self.file is not None:
            self.file.commit()

    def abort(self) -> None:
        if self.file is not None:
            self.file.abort()


# ---------------------------------------------------------------------------------------------
# Progress


def _clear_progress(stream: IO[str]) -> None:
    if getattr(stream, "_newsclean_progress", False):
        stream.write("\r\033[K")
        stream._newsclean_progress = False  # type: ignore[attr-defined]


class Progress:
    """A one-line progress display on a terminal: pages, MB/s of text, input read, ETA."""

    def __init__(self, stream: IO[str], reader: Reader, enabled: bool, verb: str) -> None:
        self.stream, self.reader, self.enabled, self.verb = stream, reader, enabled, verb
        self.started = time.perf_counter()
        self.last = 0.0
        self.pages = 0
        self.text_bytes = 0

    def add(self, pages: int, text_bytes: int) -> None:
        self.pages += pages
        self.text_bytes += text_bytes
        now = time.perf_counter()
        if self.enabled and now - self.last >= 0.2:
            self.last = now
            self.show(now)

    def show(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.text_bytes / 1e6 / elapsed
        line = f"{self.verb}: {self.pages:,} pages, {self.text_bytes / 1e6:,.0f} MB, {rate:,.1f} MB/s"
        total = self.reader.total_bytes
        if total:
            done = min(self.reader.position(), total)
            frac = done / total
            line += f", {100 * frac:.0f}% of {total / 1e6:,.0f} MB"
            if frac > 0.001:
                eta = elapsed * (1 - frac) / frac
                line += f", ETA {int(eta // 60)}:{int(eta % 60):02d}"
        self.stream.write("\r\033[K" + line)
        self.stream.flush()
        self.stream._newsclean_progress = True  # type: ignore[attr-defined]

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def done(self) -> None:
        if self.enabled:
            _clear_progress(self.stream)
            self.stream.flush()


# ---------------------------------------------------------------------------------------------
# Commands


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


class Run:
    """What every command shares: the reader, the output, the rejects, the progress line and
    the summary. A command's ``work`` turns chunks of records into output rows."""

    verb = "run"

    def __init__(self, args: argparse.Namespace, stdout: IO[str], stderr: IO[str], stdin: IO[bytes] | None) -> None:
        self.args, self.stdout, self.stderr = args, stdout, stderr
        for path in args.inputs:
            _kind(path)  # reject unsupported inputs before doing any work
        if args.inputs.count("-") > 1:
            raise InputError("-: standard input can be read only once")
        if args.site_field is not None and args.site_from_url is not None:
            raise InputError("give --site-field or --site-from-url, not both")
        self.fields = Fields(args.text_field, args.id_field, args.site_field, args.site_from_url)
        self.rejects_path = self._rejects_path()
        self.sink: Sink | None = None
        self.writer: _Background | None = None
        self.rejects: Rejects | None = None
        self.stdin = stdin
        self.pages = 0
        self.rejects_count = 0

    def _rejects_path(self) -> str | None:
        if not self.args.skip_bad:
            if self.args.rejects is not None:
                raise InputError("--rejects needs --skip-bad")
            return None
        if self.args.rejects is not None:
            return self.args.rejects
        out = getattr(self.args, "output", None)
        if out is None or out == "-":
            raise InputError("--skip-bad without an output file needs --rejects FILE")
        return out + ".rejects.jsonl"

    def open_output(self) -> Sink | None:
        out = self.args.output
        return None if out is None else Sink(out, self.stdout)

    def execute(self) -> None:
        quiet = self.args.quiet
        try:
            self.sink = self.open_output()
            self.writer = _Background(self.sink.write) if self.sink is not None else None
            self.rejects = Rejects(self.rejects_path, self.stderr, quiet)
            reader = Reader(self.args.inputs, self.fields, self.stdin, self.rejects)
            tty = bool(getattr(self.stderr, "isatty", lambda: False)())
            show = self.args.progress == "always" or (self.args.progress == "auto" and tty and not quiet)
            progress = Progress(self.stderr, reader, enabled=show, verb=self.verb)
            self.progress = progress
            self.work(reader, progress)
            progress.done()
            self.rejects_count = self.rejects.count
            self.finish()
            if self.writer is not None:
                self.writer.close()
                self.writer = None
            if self.sink is not None:
                self.sink.commit()
                self.sink = None
            self.rejects.commit()
            self.rejects = None
        finally:
            if self.writer is not None:
                self.writer.close_quietly()
            if self.sink is not None:
                self.sink.abort()
            if self.rejects is not None:
                self.rejects.abort()
        self.summary()

    def work(self, reader: Reader, progress: Progress) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Called after the last chunk, before the output is committed."""

    def summary_lines(self) -> list[str]:
        raise NotImplementedError

    def summary(self) -> None:
        if self.args.quiet:
            return
        seconds = self.progress.elapsed()
        lines = self.summary_lines()
        mb = self.progress.text_bytes / 1e6
        rate = self.pages / seconds if seconds > 0 else float("inf")
        lines.append(f"time: {seconds:.2f} s, {mb:,.2f} MB of text ({mb / seconds if seconds > 0 else 0:,.1f} MB/s, {rate:,.0f} pages/s)")
        if self.rejects_path is not None:
            n = self.rejects_count
            lines.append(f"rejects: {n} bad records skipped" + (f", written to {self.rejects_path}" if n else f" ({self.rejects_path} is empty)"))
        if self.args.output is not None:
            lines.append(f"wrote {_describe(self.args.output)}")
        for line in lines:
            print(line, file=self.stderr)

    def chunks(self, reader: Reader) -> Iterator[list[Record]]:
        """The records in chunks of --batch-size, the next ones read while this one is used."""
        return _prefetch(_chunks(iter(reader), self.args.batch_size))


def _describe(path: str) -> str:
    return "standard output" if path == "-" else path


def _load_profile(path: str | None, fields: Fields) -> newsclean.Profile | None:
    """The profile given with --profile (None without one); it needs the pages' sites."""
    if path is None:
        return None
    if not fields.wants_site:
        raise InputError("--profile needs the sites of the pages: give --site-field or --site-from-url")
    try:
        return newsclean.Profile.load(path)
    except (OSError, ValueError) as e:
        raise InputError(str(e)) from None


class CleanRun(Run):
    verb = "clean"

    def __init__(self, *a: Any) -> None:
        super().__init__(*a)
        try:
            self.columns = check_columns([c.strip() for c in self.args.fields.split(",") if c.strip()])
        except ValueError as e:
            raise InputError(f"--fields: {e}") from None
        self.profile = _load_profile(self.args.profile, self.fields)
        self.totals = {k: 0 for k in LABELS}
        self.teasers = 0

    def work(self, reader: Reader, progress: Progress) -> None:
        args = self.args
        summary_mode = args.output is None
        for chunk in self.chunks(reader):
            texts = [r.text for r in chunk]
            if self.profile is not None:
                pages = newsclean.segment_batch(texts, num_threads=args.num_threads, sites=[r.site for r in chunk], profile=self.profile)
            else:
                pages = newsclean.segment_batch(texts, num_threads=args.num_threads)
            nbytes = 0
            for r, page in zip(chunk, pages):
                nbytes += r.nbytes
                for lab in page.labels:
                    self.totals[lab] += 1
                self.teasers += len(page.teasers)
                if summary_mode and not args.quiet:
                    _clear_progress(self.stderr)
                    _print_page(self.stdout, r, page, args.show)
            self.pages += len(chunk)
            if self.writer is not None:
                cols = page_columns(pages, self.columns)
                rows = []
                for i, r in enumerate(chunk):
                    row = dict(r.record)
                    for c in self.columns:
                        row[c] = cols[c][i]
                    rows.append(row)
                self.writer.submit(rows, [r.where for r in chunk])
            progress.add(len(chunk), nbytes)

    def summary_lines(self) -> list[str]:
        return [f"total: {self.pages} pages, {sum(self.totals.values())} lines ({_counts_text(self.totals)}), {self.teasers} teasers"]

    def summary(self) -> None:
        if self.args.output is None:
            # The summary mode: the total goes to standard output, after the pages.
            seconds = self.progress.elapsed()
            rate = self.pages / seconds if seconds > 0 else float("inf")
            print(
                f"total: {self.pages} pages, {sum(self.totals.values())} lines ({_counts_text(self.totals)}), "
                f"{self.progress.text_bytes / 1e6:.2f} MB in {seconds:.2f} s ({rate:,.0f} pages/s)",
                file=self.stdout,
            )
            if self.rejects_path is not None and not self.args.quiet:
                print(f"rejects: {self.rejects_count} bad records skipped, written to {self.rejects_path}", file=self.stderr)
            return
        super().summary()


class LearnRun(Run):
    verb = "learn"

    def __init__(self, *a: Any) -> None:
        super().__init__(*a)
        if not self.fields.wants_site:
            raise InputError("learn needs the site of each page: give --site-field or --site-from-url")
        self.profile: newsclean.Profile | None = None

    def open_output(self) -> Sink | None:
        out = self.args.output
        directory = os.path.dirname(os.path.abspath(out))
        if not os.path.isdir(directory):
            raise InputError(f"{out}: cannot write: the directory {directory} does not exist")
        return None  # the profile is saved (atomically) by Profile.save

    def work(self, reader: Reader, progress: Progress) -> None:
        def records() -> Iterator[Record]:
            for chunk in self.chunks(reader):
                self.pages += len(chunk)
                progress.add(len(chunk), sum(r.nbytes for r in chunk))
                yield from chunk

        texts, sites = itertools.tee(records())
        self.profile = newsclean.Profile.learn(
            (r.text for r in texts), sites=(r.site for r in sites), num_threads=self.args.num_threads, max_keys=self.args.max_keys
        )

    def finish(self) -> None:
        assert self.profile is not None
        if self.args.min_pages > 1:
            self.profile.prune(self.args.min_pages)
        try:
            self.profile.save(self.args.output)
        except OSError as e:
            raise OutputError(f"{self.args.output}: cannot write: {e}") from None

    def summary_lines(self) -> list[str]:
        assert self.profile is not None
        pruned = ", budget-pruned" if self.profile.budget_pruned else ""
        return [f"total: {self.pages} pages, {len(self.profile.sites)} sites, {len(self.profile)} lines kept (on at least {self.args.min_pages} pages of a site){pruned}"]



def _ids(chunk: list[Record], position: int) -> list[str]:
    """The ids of a chunk's pages as strings: the id field, else the page's position in the
    input (counting from 0), so one output column holds one type."""
    return [str(r.ident) if r.ident is not None else str(position + i) for i, r in enumerate(chunk)]


class DedupRun(Run):
    """Three reads of the input through a :class:`newsclean.DedupStream`, so that memory grows
    by a fixed record a page (about 400 bytes: band keys, hashes, the cluster arrays) and the
    shingle sets of the pages in candidate pairs, never by the texts: the signatures of every
    page; the texts of the pages in candidate pairs (skipped when there are none); the records,
    written with the clusters known (skipped without an output). The clusters are those of
    ``newsclean.dedup(texts, keep="first")`` on the same texts."""

    verb = "dedup (1/3: signatures)"

    def __init__(self, *a: Any) -> None:
        super().__init__(*a)
        if "-" in self.args.inputs:
            raise InputError(
                "-: dedup reads its input three times (signatures, candidate pairs, then the records to write); "
                "standard input can be read only once: save it to a file first"
            )
        try:
            self.stream = newsclean.DedupStream(self.args.threshold, unit=self.args.unit)
        except ValueError as e:
            raise InputError(str(e)) from None
        self.kept = 0
        self.candidates = 0  # pages in candidate pairs, whose shingle sets were verified

    def _again(self, progress: Progress, verb: str) -> tuple[Reader, Progress]:
        """The same records again; a bad one was reported (or rejected) in the first read."""
        progress.done()
        again = Reader(self.args.inputs, self.fields, self.stdin, lambda bad: None)
        return again, Progress(self.stderr, again, enabled=progress.enabled, verb=verb)

    def _changed(self, seen: int) -> InputError:
        return InputError(f"{', '.join(self.args.inputs)}: the input changed while dedup read it ({self.pages} pages, then {seen})")

    def work(self, reader: Reader, progress: Progress) -> None:
        import numpy as np  # noqa: PLC0415 - dedup needs numpy, the other commands do not

        args, threads = self.args, self.args.num_threads
        for chunk in self.chunks(reader):
            self.stream.add([r.text for r in chunk], num_threads=threads)
            self.pages += len(chunk)
            progress.add(len(chunk), sum(r.nbytes for r in chunk))
        need = self.stream.needed(num_threads=threads)
        self.candidates = len(need)

        # The texts of the pages in candidate pairs (positions in `need`, sorted), if any.
        if len(need):
            again, progress = self._again(progress, "dedup (2/3: candidates)")
            position = 0
            for chunk in self.chunks(again):
                lo, hi = np.searchsorted(need, [position, position + len(chunk)])
                if hi > lo:
                    self.stream.add_needed([chunk[k].text for k in (need[lo:hi] - position).tolist()], num_threads=threads)
                position += len(chunk)
                progress.add(len(chunk), sum(r.nbytes for r in chunk))
            if position != self.pages:
                raise self._changed(position)
        res = self.stream.finish(keep="first", num_threads=threads)
        cluster, keep = res.cluster, res.keep
        self.kept = int(keep.sum())
        if self.writer is None:
            return  # only the summary
        # A representative is the first page of its cluster: its id is known before its copies'.
        reps = set(np.unique(cluster[~keep]).tolist()) if args.mark else set()
        rep_ids: dict[int, str] = {}

        again, progress = self._again(progress, "dedup (3/3: writing)")
        position = 0
        for chunk in self.chunks(again):
            if position + len(chunk) > self.pages:
                raise self._changed(position + len(chunk))
            kept = keep[position : position + len(chunk)].tolist()
            rows = []
            if args.mark:
                ids = _ids(chunk, position)
                for i, (r, k, c) in enumerate(zip(chunk, kept, cluster[position : position + len(chunk)].tolist())):
                    if k and position + i in reps:
                        rep_ids[position + i] = ids[i]
                    row = dict(r.record)
                    row["duplicate_of"] = None if k else rep_ids[c]
                    rows.append(row)
            else:
                rows = [r.record for r, k in zip(chunk, kept) if k]
            if self.writer is not None:
                self.writer.submit(rows, [r.where for r in chunk])
            position += len(chunk)
            progress.add(len(chunk), sum(r.nbytes for r in chunk))
        if position != self.pages:
            raise self._changed(position)
        progress.done()

    def summary_lines(self) -> list[str]:
        dups = self.pages - self.kept
        return [
            f"total: {self.pages} pages, {self.kept} kept, {dups} duplicates ({100 * dups / max(1, self.pages):.1f} %); "
            f"{self.candidates} pages in candidate pairs verified"
        ]


class TeasersRun(Run):
    """Two passes over the input through a :class:`newsclean.TeaserCatalogue`: the first
    collects every page's blurbs, the second matches every page, as an article, against them.
    Memory grows with the distinct blurbs, not the pages; the rows are written at the end."""

    verb = "teasers (1/2: blurbs)"

    def __init__(self, *a: Any) -> None:
        super().__init__(*a)
        if "-" in self.args.inputs:
            raise InputError("-: teasers reads its input twice (blurbs, then articles); standard input can be read only once, give a file")
        self.profile = _load_profile(self.args.profile, self.fields)
        self.catalogue = newsclean.TeaserCatalogue(profile=self.profile, num_threads=self.args.num_threads)
        self.rows = 0
        self.linked = 0

    def _pass(self, reader: Reader, progress: Progress, step: Callable[..., None]) -> int:
        position = 0
        for chunk in self.chunks(reader):
            sites = [r.site for r in chunk] if self.fields.wants_site else None
            step([r.text for r in chunk], sites=sites, ids=_ids(chunk, position))
            position += len(chunk)
            progress.add(len(chunk), sum(r.nbytes for r in chunk))
        return position

    def work(self, reader: Reader, progress: Progress) -> None:
        self.pages = self._pass(reader, progress, self.catalogue.add)
        progress.done()
        # The same records again; a bad one was reported (or rejected) in the first pass.
        again = Reader(self.args.inputs, self.fields, self.stdin, lambda bad: None)
        second = Progress(self.stderr, again, enabled=progress.enabled, verb="teasers (2/2: articles)")
        self._pass(again, second, self.catalogue.link)
        second.done()

    def finish(self) -> None:
        rows = []
        for row in self.catalogue.finish().to_list():
            row["pages"] = [{"id": page, "line": line} for page, line in row["pages"]]
            rows.append(row)
            self.linked += row["article"] is not None
        self.rows = len(rows)
        if self.writer is not None:
            for i in range(0, len(rows), self.args.batch_size):
                part = rows[i : i + self.args.batch_size]
                self.writer.submit(part, [f"teaser {r['teaser_id']}" for r in part])

    def summary_lines(self) -> list[str]:
        return [f"total: {self.pages} pages, {self.rows} distinct teasers, {self.linked} linked to an article in the input"]


# ---------------------------------------------------------------------------------------------
# Arguments


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


def _fraction(s: str) -> float:
    try:
        x = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {s!r}") from None
    if not 0 < x <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {x}")
    return x


INPUT_HELP = (
    "a .txt file (one page, one block per line), a JSONL file (.jsonl, .jsonl.gz, .jsonl.zst: one "
    "JSON object per line), a .parquet file (one row per page), or - for JSONL on standard input"
)


def _common(c: argparse.ArgumentParser, output_help: str, output_required: bool) -> None:
    """The arguments every command takes: inputs, output, fields, threads, bad records, progress."""
    c.add_argument("inputs", nargs="+", metavar="INPUT", help=INPUT_HELP)
    c.add_argument("-o", "--output", metavar="OUTPUT", required=output_required, help=output_help)
    f = c.add_argument_group("fields")
    f.add_argument("--text-field", default="text", metavar="NAME", help="the field holding the page text (default: text)")
    f.add_argument("--id-field", default="id", metavar="NAME", help="the field naming a record in messages and dedup output (default: id)")
    f.add_argument("--site-field", metavar="NAME", help="the field holding the page's site (domain)")
    f.add_argument("--site-from-url", metavar="NAME", help="take the site from the host of this URL field (a leading www. is dropped)")
    c.add_argument(
        "--num-threads", type=_positive_int, default=None, metavar="N", help="threads to use (default: $NEWSCLEAN_NUM_THREADS, else the number of cores)"
    )
    c.add_argument("--batch-size", type=_positive_int, default=DEFAULT_BATCH, metavar="N", help=f"pages read and processed at a time (default: {DEFAULT_BATCH})")
    b = c.add_argument_group("bad records")
    b.add_argument("--skip-bad", action="store_true", help="write bad records to the rejects file and go on, instead of stopping")
    b.add_argument("--rejects", metavar="FILE", help="the rejects file (JSONL; default: OUTPUT.rejects.jsonl)")
    c.add_argument("--quiet", "-q", action="store_true", help="no progress line and no summary")
    c.add_argument(
        "--progress", choices=("auto", "always", "never"), default="auto", help="the progress line on standard error (default: auto, on a terminal only)"
    )


COMMANDS: dict[str, tuple[type[Run], str]] = {
    "clean": (CleanRun, "segment pages and write or summarise their bodies, labels and teasers"),
    "learn": (LearnRun, "learn a site profile (the lines each site repeats) from pages"),
    "dedup": (DedupRun, "drop (or mark) duplicate pages: exact, near and truncated copies"),
    "teasers": (TeasersRun, "catalogue every story blurb: merged across pages and wordings, linked to its article"),
}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="newsclean",
        description="Fast cleaning of scraped news text: label every line headline, teaser, body "
        "or boilerplate, extract the article body, learn site profiles, drop duplicates.",
        epilog="Exit status: 0 success, 2 bad input or usage, 1 output not writable, 130 interrupted.",
    )
    p.add_argument("--version", action="version", version=f"newsclean {newsclean.__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    epilog = "Exit status: 0 success, 2 bad input or usage, 1 output not writable, 130 interrupted."

    c = sub.add_parser(
        "clean",
        help=COMMANDS["clean"][1],
        description="Segment pages. With -o, write one record per page: the input record (every field) plus "
        "the fields chosen with --fields. Without -o, print a readable summary of each page.",
        epilog=epilog,
    )
    _common(c, "write JSONL here (.gz, .zst compressed by suffix; .parquet for Parquet; - for standard output); "
            "the file appears only when the run succeeds", output_required=False)
    c.add_argument(
        "--fields",
        default="body,teasers,labels",
        metavar="LIST",
        help=f"fields added to each record, comma-separated, from {', '.join(OUTPUT_COLUMNS)} (default: body,teasers,labels)",
    )
    c.add_argument("--profile", metavar="FILE", help="a site profile made by `newsclean learn` (needs --site-field or --site-from-url)")
    c.add_argument("--show", type=_non_negative_int, default=3, metavar="N", help="body lines shown per page in the summary (default: 3)")

    ln = sub.add_parser("learn", help=COMMANDS["learn"][1], description="Learn a site profile for `newsclean clean --profile`.", epilog=epilog)
    _common(ln, "the profile file to write", output_required=True)
    ln.add_argument("--min-pages", type=_positive_int, default=2, metavar="N", help="keep lines seen on at least N pages of their site (default: 2)")
    ln.add_argument("--max-keys", type=_positive_int, default=2_000_000, metavar="N", help=argparse.SUPPRESS)

    d = sub.add_parser(
        "dedup",
        help=COMMANDS["dedup"][1],
        description="Drop duplicate pages: exact, near and truncated copies, as newsclean.dedup(texts, keep=\"first\") "
        "finds them; the first page of each cluster is kept. Writes the kept records, or with --mark every record "
        "with a duplicate_of field (the id of the first page of its cluster, or null). The input is read three "
        "times (signatures, candidate pairs, records) and memory grows by about 400 bytes a page and the shingle "
        "sets of the pages in candidate pairs, not by the texts, so it must be files, not standard input.",
        epilog=epilog,
    )
    _common(d, "write the records here (as for clean)", output_required=False)
    d.add_argument("--threshold", type=_fraction, default=0.8, metavar="T", help="Jaccard (and containment) threshold (default: 0.8)")
    d.add_argument("--unit", choices=("word", "char"), default="word", help="shingle words (default) or characters")
    d.add_argument("--mark", action="store_true", help="write every record with a duplicate_of field instead of dropping duplicates")

    t = sub.add_parser(
        "teasers",
        help=COMMANDS["teasers"][1],
        description="Build the teaser catalogue of the pages: one row per distinct story blurb (teaser_id, "
        "headline, text, truncated, variants, pages as {id, line}, n_pages, first_seen, article, article_score). "
        "The input is read twice (blurbs, then articles), so it must be files, not standard input. Page ids are "
        "the --id-field, else the page's position in the input.",
        epilog=epilog,
    )
    _common(t, "write the catalogue rows here (as for clean); without -o only the summary is printed", output_required=False)
    t.add_argument("--profile", metavar="FILE", help="a site profile made by `newsclean learn` (needs --site-field or --site-from-url)")
    return p


def _run(args: argparse.Namespace, stdout: IO[str], stderr: IO[str], stdin: IO[bytes] | None) -> None:
    cls = COMMANDS[args.command][0]
    cls(args, stdout, stderr, stdin).execute()


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so the temporary output is removed."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Terminated


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
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        _run(args, sys.stdout, sys.stderr, stdin)
    except InputError as e:
        _clear_progress(sys.stderr)
        print(f"newsclean: error: {e}", file=sys.stderr)
        return 2
    except OutputError as e:
        _clear_progress(sys.stderr)
        print(f"newsclean: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        _clear_progress(sys.stderr)
        print("newsclean: interrupted; no output written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, and keep Python from complaining
        # again when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
