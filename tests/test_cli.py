"""The ``newsclean`` command line (newsclean.cli)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO_ROOT

import newsclean
from newsclean.cli import main

PAGES = REPO_ROOT / "examples" / "pages.jsonl"
SAMPLE = FIXTURES / "sample_page.txt"


def run_module(*args: str, module: str = "newsclean.cli", stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO_ROOT,
        timeout=120,
    )


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def check_output_records(out: list[dict], inputs: list[dict], text_field: str = "text") -> None:
    assert len(out) == len(inputs)
    for got, rec in zip(out, inputs):
        for key, value in rec.items():
            assert got[key] == value, key
        page = newsclean.segment(rec[text_field])
        assert got["body"] == page.body
        assert got["labels"] == page.labels
        assert len(got["labels"]) == len(rec[text_field].split("\n"))
        assert got["teasers"] == [{"headline": t.headline, "lede": t.lede, "truncated": t.truncated} for t in page.teasers]
        assert set(got) == set(rec) | {"body", "labels", "teasers"}


@pytest.fixture
def records() -> list[dict]:
    with open(PAGES, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- summary


def test_summary_of_examples(capsys, records):
    assert main(["clean", str(PAGES)]) == 0
    out = capsys.readouterr().out
    for i, rec in enumerate(records, 1):
        assert f"{PAGES}:{i} id={rec['id']}" in out
    assert "total: 5 pages" in out
    assert "pages/s" in out and "MB" in out
    assert "teaser |" in out and "body |" in out


def test_summary_show_limits_body_lines(capsys, sample_text):
    assert main(["clean", str(SAMPLE), "--show", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("   body | ") == 2  # one line, then "… N more body lines"
    assert "more body lines" in out
    assert main(["clean", str(SAMPLE), "--show", "0"]) == 0
    assert "   body | The" not in capsys.readouterr().out


def test_summary_of_a_txt_file(capsys, sample_text):
    assert main(["clean", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    n = len(sample_text.split("\n"))
    assert f"== {SAMPLE}: {n} lines" in out
    assert "Harbour city votes to rebuild its old tram network" in out  # the teaser
    assert "[truncated]" in out
    assert "total: 1 pages" in out


def test_quiet_prints_only_the_total(capsys):
    assert main(["clean", str(PAGES), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("total: 5 pages") and out.count("\n") == 1


def test_module_entry_points():
    proc = run_module("clean", str(PAGES))
    assert proc.returncode == 0, proc.stderr
    assert "total: 5 pages" in proc.stdout
    proc = run_module("--version", module="newsclean")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"newsclean {newsclean.__version__}"


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"newsclean {newsclean.__version__}"


def test_no_command_is_a_usage_error(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().err


# --------------------------------------------------------------------------- -o


def test_output_jsonl(tmp_path, records, capsys):
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(PAGES), "-o", str(out), "--num-threads", "2"]) == 0
    check_output_records(read_jsonl(out), records)
    assert "total: 5 pages" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]  # no temporary left over


def test_output_from_txt_and_jsonl_together(tmp_path, records, sample_text):
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(SAMPLE), str(PAGES), "-o", str(out), "-q"]) == 0
    rows = read_jsonl(out)
    assert rows[0]["file"] == str(SAMPLE) and rows[0]["text"] == sample_text
    check_output_records(rows, [{"file": str(SAMPLE), "text": sample_text}, *records])


def test_output_is_the_same_in_small_chunks(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert main(["clean", str(PAGES), "-o", str(a), "-q"]) == 0
    assert main(["clean", str(PAGES), "-o", str(b), "-q", "--batch-size", "2", "--num-threads", "1"]) == 0
    assert a.read_bytes() == b.read_bytes()


def test_output_replaces_an_existing_file(tmp_path, records):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    assert main(["clean", str(PAGES), "-o", str(out), "-q"]) == 0
    check_output_records(read_jsonl(out), records)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_output_file_gets_normal_permissions(tmp_path):
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(PAGES), "-o", str(out), "-q"]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_gzip_input_and_output(tmp_path, records):
    src = tmp_path / "pages.jsonl.gz"
    with gzip.open(src, "wb") as fh:
        fh.write(PAGES.read_bytes())
    out = tmp_path / "out.jsonl.gz"
    assert main(["clean", str(src), "-o", str(out), "-q"]) == 0
    check_output_records(read_jsonl(out), records)


def test_stdin_and_stdout(records):
    proc = run_module("clean", "-", "-o", "-", "--quiet", stdin=PAGES.read_text(encoding="utf-8"))
    assert proc.returncode == 0, proc.stderr
    check_output_records([json.loads(line) for line in proc.stdout.splitlines()], records)


def test_custom_text_field(tmp_path):
    rows = [{"id": 1, "content": "Leave the first comment", "text": 5}]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(src), "--text-field", "content", "-o", str(out), "-q"]) == 0
    check_output_records(read_jsonl(out), rows, text_field="content")


def test_blank_lines_and_a_bom_are_allowed(tmp_path, records):
    src = tmp_path / "in.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    src.write_bytes(("\ufeff" + lines[0] + "\n\n   \n" + "\n".join(lines[1:]) + "\n\n").encode("utf-8"))
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(src), "-o", str(out), "-q"]) == 0
    check_output_records(read_jsonl(out), records)


def test_unicode_is_kept_as_is(tmp_path):
    rows = [{"id": "ü", "text": "Schreiben Sie den ersten Kommentar\n東京 \U0001f600"}]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(src), "-o", str(out), "-q"]) == 0
    assert "東京" in out.read_text(encoding="utf-8")
    check_output_records(read_jsonl(out), rows)


# --------------------------------------------------------------------------- bad input


def assert_clean_error(capsys, code: int, *fragments: str) -> str:
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert err.startswith("newsclean: error: ")
    for f in fragments:
        assert f in err, err
    return err


def test_malformed_json_names_file_and_line(tmp_path, capsys, records):
    src = write_jsonl(tmp_path / "bad.jsonl", [records[0], records[1], '{"id": 3, "text": "unterminated', records[2]])
    out = tmp_path / "out.jsonl"
    code = main(["clean", str(src), "-o", str(out)])
    assert_clean_error(capsys, code, f"{src}:3", "malformed JSON")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl"]  # no output, no temporary


def test_failed_run_keeps_the_old_output(tmp_path, capsys):
    src = write_jsonl(tmp_path / "bad.jsonl", ["not json"])
    out = tmp_path / "out.jsonl"
    out.write_text("previous result\n", encoding="utf-8")
    assert_clean_error(capsys, main(["clean", str(src), "-o", str(out)]), f"{src}:1")
    assert out.read_text(encoding="utf-8") == "previous result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "out.jsonl"]


def test_error_after_the_first_chunk_leaves_no_output(tmp_path, capsys, records):
    src = write_jsonl(tmp_path / "in.jsonl", [*records, *records, "[1, 2]"])
    out = tmp_path / "out.jsonl"
    code = main(["clean", str(src), "-o", str(out), "--batch-size", "2"])
    assert_clean_error(capsys, code, f"{src}:11", "expected a JSON object")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        ({"id": 1}, "no 'text' field"),
        ({"id": 1, "text": 42}, "must be a string, got a number"),
        ({"id": 1, "text": None}, "must be a string, got null"),
        ({"id": 1, "text": ["a"]}, "must be a string, got an array"),
        ('"just a string"', "expected a JSON object, got a string"),
    ],
)
def test_bad_records_name_file_and_line(tmp_path, capsys, records, row, fragment):
    src = write_jsonl(tmp_path / "bad.jsonl", [records[0], row])
    assert_clean_error(capsys, main(["clean", str(src)]), f"{src}:2", fragment)


def test_lone_surrogate_escape_names_file_and_line(tmp_path, capsys, records):
    src = write_jsonl(tmp_path / "bad.jsonl", [records[0], records[1], '{"text": "broken \\ud800 escape"}'])
    assert_clean_error(capsys, main(["clean", str(src), "-o", str(tmp_path / "o.jsonl")]), f"{src}:3", "surrogate")
    assert not (tmp_path / "o.jsonl").exists()


def test_invalid_utf8_names_file_and_line(tmp_path, capsys):
    src = tmp_path / "bad.jsonl"
    src.write_bytes(b'{"text": "fine"}\n{"text": "caf\xe9"}\n')
    assert_clean_error(capsys, main(["clean", str(src)]), f"{src}:2", "UTF-8")
    txt = tmp_path / "bad.txt"
    txt.write_bytes(b"fine\nalso fine\ncaf\xe9\n")
    assert_clean_error(capsys, main(["clean", str(txt)]), f"{txt}:3", "UTF-8")


def test_missing_file(tmp_path, capsys):
    missing = tmp_path / "nope.jsonl"
    assert_clean_error(capsys, main(["clean", str(missing)]), str(missing), "cannot read")


def test_directory_as_input(tmp_path, capsys):
    d = tmp_path / "dir.txt"
    d.mkdir()
    assert_clean_error(capsys, main(["clean", str(d)]), str(d))


def test_unsupported_input_type(tmp_path, capsys):
    src = tmp_path / "pages.csv"
    src.write_text("a,b\n", encoding="utf-8")
    assert_clean_error(capsys, main(["clean", str(src)]), str(src), "unsupported input type")


def test_damaged_gzip(tmp_path, capsys):
    src = tmp_path / "pages.jsonl.gz"
    src.write_bytes(gzip.compress(PAGES.read_bytes())[:-40])
    assert_clean_error(capsys, main(["clean", str(src)]), str(src))
    notgz = tmp_path / "plain.jsonl.gz"
    shutil.copy(PAGES, notgz)
    assert_clean_error(capsys, main(["clean", str(notgz)]), f"{notgz}:1")


def test_output_directory_missing(tmp_path, capsys):
    out = tmp_path / "no" / "such" / "dir" / "out.jsonl"
    assert_clean_error(capsys, main(["clean", str(PAGES), "-o", str(out)]), "does not exist")


@pytest.mark.parametrize("args", [["--num-threads", "0"], ["--num-threads", "x"], ["--show", "-1"], ["--bogus"]])
def test_bad_options_are_usage_errors(capsys, args):
    assert main(["clean", str(PAGES), *args]) == 2
    err = capsys.readouterr().err
    assert "usage:" in err and "Traceback" not in err


def test_malformed_line_via_module(tmp_path, records):
    src = write_jsonl(tmp_path / "bad.jsonl", [records[0], "{oops"])
    proc = run_module("clean", str(src))
    assert proc.returncode == 2
    assert f"{src}:2" in proc.stderr and "malformed JSON" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_stdin_error_names_stdin():
    proc = run_module("clean", "-", stdin='{"text": "ok"}\n{"id": 2}\n')
    assert proc.returncode == 2
    assert "<stdin>:2" in proc.stderr and "Traceback" not in proc.stderr
