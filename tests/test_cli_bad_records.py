"""The command line on bad records (issue 7): every kind of bad JSONL line is reported with
FILE:LINE, and with --skip-bad every input line is either in the output or in the rejects file
(blank lines excepted), for clean, dedup --mark, learn and teasers, over plain, .gz and .zst
input, for any batch size. A damaged compressed stream stops the run (FILE:LINE: cannot read)
and leaves no output. Values JSON has no type for (Parquet timestamps, decimals, bytes) are
written as ISO strings and digits, or refused naming the record."""

from __future__ import annotations

import contextlib
import datetime
import decimal
import gzip
import io
import json
import os
import tempfile
from pathlib import Path

import pytest

import newsclean
from newsclean.cli import main

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

EXAMPLES = int(os.environ.get("NEWSCLEAN_HYPOTHESIS_EXAMPLES", "200"))
SETTINGS = settings(max_examples=max(20, EXAMPLES // 4), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Every kind of bad line, and what its message says.
BAD = {
    "malformed": (b'{"id": "x", "text": "cut off', "malformed JSON"),
    "trailing garbage": (b'{"text": "ok"} {"text": "again"}', "malformed JSON"),
    "not an object": (b"[1, 2, 3]", "expected a JSON object, got an array"),
    "a bare string": (b'"just text"', "expected a JSON object, got a string"),
    "no text": (b'{"id": "x", "body": "no text field"}', "has no 'text' field"),
    "text a number": (b'{"text": 5}', "must be a string, got a number"),
    "text null": (b'{"text": null}', "must be a string, got null"),
    "text an object": (b'{"text": {"a": 1}}', "must be a string, got an object"),
    "text NaN": (b'{"text": NaN}', "must be a string, got a number"),
    "site missing": (b'{"text": "ok"}', "site field 'site' must be a string"),
    "site a number": (b'{"text": "ok", "site": 3}', "site field 'site' must be a string, got a number"),
    "lone surrogate in the text": (b'{"text": "ok \\ud800 ok", "site": "a"}', "lone surrogate (U+D800"),
    "lone surrogate in another field": (b'{"text": "ok", "site": "a", "title": "\\udfff"}', "field 'title' holds a lone surrogate"),
    "lone surrogate in the site": (b'{"text": "ok", "site": "a\\udc00"}', "field 'site' holds a lone surrogate"),
    "lone surrogate in the id": (b'{"text": "ok", "site": "a", "id": "\\ud83d"}', "field 'id' holds a lone surrogate"),
    "lone surrogate in a field name": (b'{"text": "ok", "site": "a", "\\ud800": 1}', "a field name"),
    "lone surrogate nested": (b'{"text": "ok", "site": "a", "meta": {"tags": ["x", "\\udc00"]}}', "field 'meta' holds a lone surrogate"),
    "invalid UTF-8": (b'{"text": "caf\xe9", "site": "a"}', "not valid UTF-8"),
    "invalid UTF-8 in another field": (b'{"text": "ok", "site": "a", "x": "\xff\xfe"}', "not valid UTF-8"),
    "a huge integer": (b'{"text": "ok", "site": "a", "n": ' + b"9" * 5000 + b"}", "a number too long"),
    "nested too deeply": (b'{"text": "ok", "site": "a", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    "a NUL after the record": (b'{"text": "ok", "site": "a"}\x00', "malformed JSON"),
}

GOOD_TEXTS = [
    "The council approved the budget on Monday after a debate that lasted six hours.",
    "Leave the first comment\nThe harbour reopened after the storm, the port authority said.\nShare on X",
    "",
    "emoji as an escaped pair: \\ud83d\\ude00 and raw \U0001f600",
    "line\u2028separator, NUL \\u0000, CR\r\nthen more",
    "\ufeffa BOM inside the text",
    "市议会周一批准了预算。",
]


def good_line(k: int, text: str) -> bytes:
    # Texts with backslash escapes are spliced in raw, so the JSON holds the escapes themselves.
    body = text if "\\u" in text else json.dumps(text, ensure_ascii=False)[1:-1]
    body = body.replace("\r", "\\r").replace("\n", "\\n")
    return f'{{"id": "good{k}", "site": "s{k % 2}.example", "text": "{body}"}}'.encode()


def write(path: Path, lines: list[bytes]) -> None:
    data = b"".join(line + b"\n" for line in lines)
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    elif path.name.endswith(".zst"):
        data = pytest.importorskip("zstandard").ZstdCompressor().compress(data)
    path.write_bytes(data)


def run(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(args)
    return status, err.getvalue()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


@pytest.mark.parametrize("kind", list(BAD))
def test_each_bad_line_names_file_and_line(tmp_path, kind):
    bad, message = BAD[kind]
    src = tmp_path / "in.jsonl"
    write(src, [good_line(0, GOOD_TEXTS[0]), bad, good_line(2, GOOD_TEXTS[1])])
    out = tmp_path / "out.jsonl"
    status, err = run(["clean", str(src), "-o", str(out), "--site-field", "site", "--profile", str(profile(tmp_path)), "-q"])
    assert status == 2, err
    assert err.startswith(f"newsclean: error: {src}:2: ") and message in err, err
    assert "Traceback" not in err and not out.exists()
    status, err = run(["clean", str(src), "-o", str(out), "--site-field", "site", "--profile", str(profile(tmp_path)), "--skip-bad", "-q"])
    assert status == 0, err
    assert [r["id"] for r in read_jsonl(out)] == ["good0", "good2"]
    (reject,) = read_jsonl(tmp_path / "out.jsonl.rejects.jsonl")
    assert reject["where"] == f"{src}:2" and message in reject["error"]
    assert reject["line"] == bad.decode("utf-8", errors="replace")


def profile(tmp_path: Path) -> Path:
    path = tmp_path / "sites.ncprof"
    if not path.exists():
        newsclean.Profile.learn(GOOD_TEXTS, sites=["s0.example"] * len(GOOD_TEXTS)).save(path)
    return path


def test_good_lines_with_escaped_pairs_are_good(tmp_path):
    # The surrogate check looks only at lines with a surrogate escape; a valid pair passes.
    src = tmp_path / "in.jsonl"
    write(src, [good_line(k, t) for k, t in enumerate(GOOD_TEXTS)])
    out = tmp_path / "out.jsonl"
    assert run(["clean", str(src), "-o", str(out), "-q"]) == (0, "")
    got = read_jsonl(out)
    assert [r["text"] for r in got] == [json.loads(good_line(k, t))["text"] for k, t in enumerate(GOOD_TEXTS)]
    assert "\U0001f600" in got[3]["text"]


COMMANDS = {
    "clean": ["clean", "--site-field", "site"],
    "dedup": ["dedup", "--mark", "--site-field", "site"],
    "learn": ["learn", "--site-field", "site"],
    "teasers": ["teasers", "--site-field", "site"],
}
line_kinds = st.one_of(st.sampled_from(sorted(BAD)), st.integers(0, len(GOOD_TEXTS) - 1), st.just("blank"))


@SETTINGS
@given(
    st.lists(line_kinds, min_size=1, max_size=12),
    st.sampled_from(sorted(COMMANDS)),
    st.sampled_from(["in.jsonl", "in.jsonl.gz", "in.jsonl.zst"]),
    st.integers(1, 4),
)
def test_with_skip_bad_every_line_is_in_the_output_or_the_rejects(kinds, command, name, batch):
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        lines, good, bad = [], [], []
        for n, kind in enumerate(kinds, start=1):
            if kind == "blank":
                lines.append(b"   ")
            elif isinstance(kind, int):
                lines.append(good_line(n, GOOD_TEXTS[kind]))
                good.append(json.loads(lines[-1]))
            else:
                lines.append(BAD[kind][0])
                bad.append(n)
        src = tmp / name
        write(src, lines)
        out = tmp / ("out.ncprof" if command == "learn" else "out.jsonl")
        args = [COMMANDS[command][0], str(src), "-o", str(out), *COMMANDS[command][1:], "--batch-size", str(batch), "--num-threads", "2", "-q"]
        # Without --skip-bad: the first bad line stops the run, named, with no output.
        if bad:
            status, err = run(args)
            assert status == 2 and err.startswith(f"newsclean: error: {src}:{bad[0]}: "), err
            assert not out.exists()
        status, err = run([*args, "--skip-bad"])
        assert status == 0, err
        rejects = read_jsonl(Path(f"{out}.rejects.jsonl"))
        assert [r["where"] for r in rejects] == [f"{src}:{n}" for n in bad]
        assert [r["line"] for r in rejects] == [lines[n - 1].decode("utf-8", errors="replace") for n in bad]
        texts, ids, sites = [g["text"] for g in good], [g["id"] for g in good], [g["site"] for g in good]
        if command == "clean":
            got = read_jsonl(out)
            assert [r["id"] for r in got] == ids
            assert [r["body"] for r in got] == newsclean.clean_batch(texts)
        elif command == "dedup":
            got = read_jsonl(out)
            assert [r["id"] for r in got] == ids, "every good record, marked"
        elif command == "learn":
            want = newsclean.Profile.learn(texts, sites=sites)
            want.prune(2)
            learned = newsclean.Profile.load(out)
            assert learned.sites == want.sites and len(learned) == len(want)
        else:
            got = read_jsonl(out)
            want = newsclean.teasers(texts, ids=ids).to_list()
            assert [r["text"] for r in got] == [r["text"] for r in want]
            assert [[p["id"] for p in r["pages"]] for r in got] == [[p for p, _ in r["pages"]] for r in want]


@pytest.mark.parametrize("name", ["in.jsonl.gz", "in.jsonl.zst"])
def test_every_cut_of_a_compressed_stream_stops_the_run(tmp_path, name):
    src = tmp_path / name
    write(src, [good_line(k, t) for k, t in enumerate(GOOD_TEXTS)])
    whole = src.read_bytes()
    out = tmp_path / "out.jsonl"
    for cut in range(1, len(whole)):
        src.write_bytes(whole[:cut])
        status, err = run(["clean", str(src), "-o", str(out), "--skip-bad", "-q"])
        assert status == 2, (cut, err)
        assert err.startswith(f"newsclean: error: {src}:") and ": cannot read: " in err, (cut, err)
        line = int(err.split(f"{src}:")[1].split(":")[0])
        assert 1 <= line <= len(GOOD_TEXTS) + 1, (cut, err)
        assert not out.exists() and not Path(f"{out}.rejects.jsonl").exists(), cut


def test_parquet_values_json_has_no_type_for(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    when = datetime.datetime(2024, 3, 1, 6, 34)
    table = pa.table({
        "text": ["A page.", "Another page."],
        "published": [when, None],
        "day": [datetime.date(2024, 3, 1), None],
        "price": pa.array([decimal.Decimal("1.50"), None], pa.decimal128(5, 2)),
    })
    src = tmp_path / "in.parquet"
    pq.write_table(table, src)
    out = tmp_path / "out.jsonl"
    assert run(["clean", str(src), "-o", str(out), "--fields", "body", "-q"]) == (0, "")
    got = read_jsonl(out)
    assert got[0]["published"] == "2024-03-01T06:34:00" and got[0]["day"] == "2024-03-01" and got[0]["price"] == "1.50"
    assert got[1]["published"] is None
    # Parquet to Parquet keeps the types.
    pout = tmp_path / "out.parquet"
    assert run(["clean", str(src), "-o", str(pout), "--fields", "body", "-q"]) == (0, "")
    assert pq.read_table(pout).column("published").to_pylist() == [when, None]
    # Bytes have no JSON form: refused, naming the row and the field.
    pq.write_table(pa.table({"text": ["A page.", "B"], "raw": [None, b"\xff\x00"]}), src)
    out = tmp_path / "bytes.jsonl"
    status, err = run(["clean", str(src), "-o", str(out), "-q"])
    assert status == 2 and f"{src}:2: field 'raw' cannot be written as JSON" in err, err
    assert not out.exists()


def test_a_file_name_that_is_not_utf8(tmp_path):
    if os.name != "posix":
        pytest.skip("needs byte file names")
    raw = os.fsencode(str(tmp_path)) + b"/caf\xe9.txt"
    with open(raw, "wb") as fh:
        fh.write(b"A page.\nIts second line.\n")
    out = tmp_path / "out.jsonl"
    status, err = run(["clean", os.fsdecode(raw), "-o", str(out), "-q"])
    assert status == 0, err
    (row,) = read_jsonl(out)
    assert row["file"].endswith("caf\ufffd.txt")
