"""The command line's formats (.zst, Parquet), fields, learn and dedup, bad records with
--skip-bad, the progress line and summary, and interrupted runs."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO_ROOT

import newsclean
from newsclean.cli import main

PAGES = REPO_ROOT / "examples" / "pages.jsonl"


def records() -> list[dict]:
    with open(PAGES, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def read_jsonl(path: Path) -> list[dict]:
    if path.suffix == ".zst":
        zstd = pytest.importorskip("zstandard")
        with open(path, "rb") as fh:
            data = zstd.ZstdDecompressor().stream_reader(fh, read_across_frames=True).read()
        return [json.loads(line) for line in data.decode("utf-8").splitlines()]
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows), encoding="utf-8")
    return path


def many_records(n: int) -> list[dict]:
    base = records()
    return [{**base[i % len(base)], "id": f"p{i}", "text": base[i % len(base)]["text"] + f"\nPage {i} of the archive"} for i in range(n)]


def run_cli(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsclean", *args], capture_output=True, text=True, encoding="utf-8", cwd=REPO_ROOT, timeout=timeout)


def clean_error(capsys, code: int, *fragments: str) -> str:
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and err.startswith("newsclean: error: ")
    for f in fragments:
        assert f in err, err
    return err


# --------------------------------------------------------------------------- formats


def test_zstd_input_and_output(tmp_path):
    zstd = pytest.importorskip("zstandard")
    src = tmp_path / "pages.jsonl.zst"
    src.write_bytes(zstd.ZstdCompressor().compress(PAGES.read_bytes()))
    out = tmp_path / "out.jsonl.zst"
    assert main(["clean", str(src), "-o", str(out), "-q"]) == 0
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == [r["id"] for r in records()]
    assert [r["body"] for r in rows] == newsclean.clean_batch([r["text"] for r in records()])


def test_damaged_zstd_names_the_file(tmp_path, capsys):
    zstd = pytest.importorskip("zstandard")
    src = tmp_path / "pages.jsonl.zst"
    src.write_bytes(zstd.ZstdCompressor().compress(PAGES.read_bytes())[:-30])
    clean_error(capsys, main(["clean", str(src), "-o", str(tmp_path / "o.jsonl")]), str(src), "cannot read")
    assert not (tmp_path / "o.jsonl").exists()
    notz = tmp_path / "plain.jsonl.zst"
    notz.write_bytes(PAGES.read_bytes())
    clean_error(capsys, main(["clean", str(notz)]), f"{notz}:1")


def test_parquet_input_and_output(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    src = tmp_path / "pages.parquet"
    pq.write_table(pa.Table.from_pylist(records()), src)
    out = tmp_path / "out.parquet"
    assert main(["clean", str(src), "-o", str(out), "-q", "--batch-size", "2"]) == 0
    rows = pq.read_table(out).to_pylist()
    want = newsclean.segment_batch([r["text"] for r in records()])
    assert [r["id"] for r in rows] == [r["id"] for r in records()]
    assert [r["body"] for r in rows] == [p.body for p in want]
    assert [r["labels"] for r in rows] == [p.labels for p in want]
    assert set(rows[0]) == set(records()[0]) | {"body", "labels", "teasers"}
    # Parquet in, JSONL out: the same records.
    out2 = tmp_path / "out.jsonl"
    assert main(["clean", str(src), "-o", str(out2), "-q"]) == 0
    assert [r["body"] for r in read_jsonl(out2)] == [p.body for p in want]


def test_parquet_bad_rows_name_file_and_row(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = records()
    rows[3]["text"] = None
    src = tmp_path / "pages.parquet"
    pq.write_table(pa.Table.from_pylist(rows), src)
    clean_error(capsys, main(["clean", str(src), "-o", str(tmp_path / "o.jsonl")]), f"{src}:4", "must be a string, got null")
    assert not (tmp_path / "o.jsonl").exists()
    nocol = tmp_path / "nocol.parquet"
    pq.write_table(pa.table({"body": ["x"]}), nocol)
    clean_error(capsys, main(["clean", str(nocol)]), str(nocol), "no 'text' column")
    nums = tmp_path / "nums.parquet"
    pq.write_table(pa.table({"text": [1, 2]}), nums)
    clean_error(capsys, main(["clean", str(nums)]), str(nums), "must hold strings")
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"not parquet at all")
    clean_error(capsys, main(["clean", str(junk)]), str(junk))


def test_fields_option(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(PAGES), "-o", str(out), "-q", "--fields", "body,reasons"]) == 0
    rows = read_jsonl(out)
    assert set(rows[0]) == set(records()[0]) | {"body", "reasons"}
    assert rows[0]["reasons"] == [ln.reason for ln in newsclean.segment(records()[0]["text"]).lines]
    assert main(["clean", str(PAGES), "-o", str(out), "-q", "--fields", ""]) == 0
    assert read_jsonl(out) == records()  # nothing added, every field kept
    clean_error(capsys, main(["clean", str(PAGES), "-o", str(out), "--fields", "body,bodies"]), "unknown output column 'bodies'")


def test_id_field_names_pages(tmp_path, capsys):
    rows = [{"key": "k1", "text": "Leave the first comment"}, {"key": 7, "text": "Share on X"}]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    assert main(["clean", str(src), "--id-field", "key"]) == 0
    out = capsys.readouterr().out
    assert f"{src}:1 key=k1" in out and f"{src}:2 key=7" in out


# --------------------------------------------------------------------------- learn and profiles


def site_pages(n: int = 12) -> list[dict]:
    return [
        {
            "id": i,
            "url": f"https://www.valley-gazette.example/news/{i}",
            "site": "valley-gazette.example",
            "text": f"Kessel Valley Gazette | Since 1898\nStory {i} tells how the council will repair the roads of the old town before winter.\nWeather Traffic Sport",
        }
        for i in range(n)
    ]


@pytest.mark.parametrize("site_args", [["--site-field", "site"], ["--site-from-url", "url"]])
def test_learn_then_clean_with_the_profile(tmp_path, capsys, site_args):
    src = write_jsonl(tmp_path / "in.jsonl", site_pages())
    prof = tmp_path / "site.ncprof"
    assert main(["learn", str(src), "-o", str(prof), *site_args, "--num-threads", "2", "--batch-size", "5"]) == 0
    err = capsys.readouterr().err
    assert "total: 12 pages, 1 sites" in err and f"wrote {prof}" in err
    profile = newsclean.Profile.load(prof)
    assert profile.sites == ["valley-gazette.example"] and profile.pages("valley-gazette.example") == 12
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(src), "-o", str(out), "-q", "--profile", str(prof), *site_args, "--fields", "reasons"]) == 0
    texts = [r["text"] for r in site_pages()]
    want = newsclean.segment_batch(texts, sites=["valley-gazette.example"] * 12, profile=profile)
    assert [r["reasons"] for r in read_jsonl(out)] == [[ln.reason for ln in p.lines] for p in want]
    assert read_jsonl(out)[0]["reasons"][0] == "site-template"


def test_learn_and_profile_errors(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", site_pages(3))
    clean_error(capsys, main(["learn", str(src), "-o", str(tmp_path / "p.ncprof")]), "needs the site of each page")
    clean_error(capsys, main(["clean", str(src), "--profile", str(tmp_path / "nope.ncprof")]), "needs the sites")
    clean_error(capsys, main(["clean", str(src), "--profile", str(tmp_path / "nope.ncprof"), "--site-field", "site"]), "nope.ncprof")
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"text": "a", "url": "not a url"}])
    clean_error(capsys, main(["learn", str(bad), "-o", str(tmp_path / "p.ncprof"), "--site-from-url", "url"]), f"{bad}:1", "no host name")
    nosite = write_jsonl(tmp_path / "nosite.jsonl", [{"text": "a"}])
    clean_error(capsys, main(["learn", str(nosite), "-o", str(tmp_path / "p.ncprof"), "--site-field", "site"]), f"{nosite}:1", "no such field")
    assert not (tmp_path / "p.ncprof").exists()
    assert main(["learn", str(src)]) == 2  # -o is required
    assert "required: -o/--output" in capsys.readouterr().err
    clean_error(capsys, main(["clean", str(src), "--site-field", "site", "--site-from-url", "url"]), "not both")


# --------------------------------------------------------------------------- dedup


def dup_records() -> list[dict]:
    base = records()
    out = []
    for i, r in enumerate(base):
        out.append(r)
        out.append({**r, "id": f"{r['id']}-copy"})  # an exact copy
        if i % 2 == 0:
            out.append({**r, "id": f"{r['id']}-shout", "text": r["text"].upper()})  # normalises alike
    return out


def test_dedup_keeps_the_first_of_each_cluster(tmp_path, capsys):
    rows = dup_records()
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    assert main(["dedup", str(src), "-o", str(out), "--num-threads", "2"]) == 0
    err = capsys.readouterr().err
    kept = read_jsonl(out)
    assert [r["id"] for r in kept] == [r["id"] for r in records()]
    assert f"total: {len(rows)} pages, 5 kept, {len(rows) - 5} duplicates" in err
    want = newsclean.dedup([r["text"] for r in rows], keep="first")
    assert [r["id"] for r in kept] == [rows[i]["id"] for i in range(len(rows)) if want.keep[i]]
    # --mark: every record, with the id of the page it copies.
    marked = tmp_path / "marked.jsonl"
    for batch in ("1000", "2"):
        assert main(["dedup", str(src), "-o", str(marked), "--mark", "-q", "--batch-size", batch]) == 0
        got = read_jsonl(marked)
        assert [r["id"] for r in got] == [r["id"] for r in rows]
        assert [r["duplicate_of"] for r in got] == [None if want.keep[i] else rows[want.cluster[i]]["id"] for i in range(len(rows))]


def copies_corpus() -> list[dict]:
    """Records of random-word stories and their copies (shouted, edited, cut off, shortened),
    far apart; some without an id."""
    import random

    rng = random.Random(11)
    words = [f"w{i}" for i in range(1500)]
    stories = [[rng.choice(words) for _ in range(60 + rng.randrange(120))] for _ in range(40)]
    rows = [{"id": f"s{k}", "text": " ".join(w) + "."} for k, w in enumerate(stories)]
    for k, w in enumerate(stories):
        variant = [", ".join(w).upper(), " ".join(w[:30]) + " …", " ".join(w[: len(w) // 2]), " ".join(w[:-1] + ["changed"])][k % 4]
        rows.insert(rng.randrange(len(rows) + 1), {"id": f"v{k}", "text": variant, "n": k} if k % 3 else {"text": variant})
    return rows


def test_dedup_matches_the_library_for_any_batch_and_threads(tmp_path):
    """dedup over two files (.jsonl.gz and .jsonl, a blank line between records) gives
    newsclean.dedup(texts, keep="first") on the concatenated texts, for any batch size and
    thread count; pages without an id are named by their position in the input."""
    rows = copies_corpus()
    half = len(rows) // 2
    first = tmp_path / "a.jsonl.gz"
    with gzip.open(first, "wt", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(r) + "\n" for r in rows[:half]) + "\n")
    second = write_jsonl(tmp_path / "b.jsonl", rows[half:])
    texts = [r["text"] for r in rows]
    want = newsclean.dedup(texts, keep="first")
    kinds = {kind for _, _, _, kind in want.pairs()}
    assert kinds == {"exact", "near", "contained"} and 20 < int(want.keep.sum()) < len(rows)
    name = [r.get("id", str(i)) for i, r in enumerate(rows)]
    marked = tmp_path / "marked.jsonl"
    kept = tmp_path / "kept.jsonl.gz"
    for batch, threads in [("1", "1"), ("4", "2"), ("1000", "2")]:
        common = ["--batch-size", batch, "--num-threads", threads, "-q"]
        assert main(["dedup", str(first), str(second), "-o", str(marked), "--mark", *common]) == 0
        got = read_jsonl(marked)
        assert [{k: v for k, v in r.items() if k != "duplicate_of"} for r in got] == rows
        assert [r["duplicate_of"] for r in got] == [None if want.keep[i] else name[want.cluster[i]] for i in range(len(rows))]
        assert main(["dedup", str(first), str(second), "-o", str(kept), *common]) == 0
        assert read_jsonl(kept) == [r for i, r in enumerate(rows) if want.keep[i]]


def test_dedup_without_output_prints_the_summary(tmp_path, capsys):
    rows = copies_corpus()
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    want = newsclean.dedup([r["text"] for r in rows], keep="first")
    assert main(["dedup", str(src)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and f"total: {len(rows)} pages, {int(want.keep.sum())} kept, " in captured.err
    assert [p.name for p in tmp_path.iterdir()] == ["in.jsonl"]


def test_dedup_refuses_stdin(tmp_path):
    out = tmp_path / "out.jsonl"
    res = subprocess.run(
        [sys.executable, "-m", "newsclean", "dedup", "-", "-o", str(out)],
        input=PAGES.read_text(encoding="utf-8"), capture_output=True, text=True, encoding="utf-8", cwd=REPO_ROOT, timeout=120,
    )
    assert res.returncode == 2 and "standard input can be read only once" in res.stderr and "Traceback" not in res.stderr
    assert not out.exists()


@pytest.mark.parametrize("corpus", ["no candidates", "copies"])
def test_dedup_input_changed_between_reads(tmp_path, capsys, monkeypatch, corpus):
    """A file that changes between dedup's reads (another page appears) stops the run: in the
    read of the candidates' texts, or in the last one (the only other read when no page is in
    a candidate pair)."""
    import newsclean.cli as cli

    rows = records() if corpus == "no candidates" else copies_corpus()
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    reads = []
    original = cli.Reader.__iter__

    def growing(self):
        reads.append(1)
        yield from original(self)
        if len(reads) > 1:
            yield from itertools.islice(original(self), 1)

    monkeypatch.setattr(cli.Reader, "__iter__", growing)
    out = tmp_path / "out.jsonl"
    clean_error(capsys, main(["dedup", str(src), "-o", str(out)]), f"the input changed while dedup read it ({len(rows)} pages, then {len(rows) + 1})")
    assert len(reads) == 2 and not out.exists()


def test_dedup_errors(tmp_path, capsys):
    assert main(["dedup", str(PAGES), "--threshold", "1.5"]) == 2
    assert "usage:" in capsys.readouterr().err


# --------------------------------------------------------------------------- bad records


def bad_rows() -> list:
    good = records()
    return [good[0], "{oops", good[1], {"id": 9}, '"a string"', {"id": 10, "text": None}, '{"text": "broken \\ud800 escape"}', good[2]]


def test_bad_record_fails_the_run_by_default(tmp_path, capsys):
    src = write_jsonl(tmp_path / "bad.jsonl", bad_rows())
    out = tmp_path / "out.jsonl"
    clean_error(capsys, main(["clean", str(src), "-o", str(out)]), f"{src}:2", "malformed JSON")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl"]


@pytest.mark.parametrize("command", ["clean", "dedup"])
def test_skip_bad_writes_rejects(tmp_path, capsys, command):
    src = write_jsonl(tmp_path / "bad.jsonl", bad_rows())
    src.write_bytes(src.read_bytes() + b'{"id": 11, "text": "caf\xe9"}\n')
    out = tmp_path / "out.jsonl"
    assert main([command, str(src), "-o", str(out), "--skip-bad"]) == 0
    err = capsys.readouterr().err
    good = records()[:3]
    assert [r["id"] for r in read_jsonl(out)] == [r["id"] for r in good]
    rejects = read_jsonl(tmp_path / "out.jsonl.rejects.jsonl")
    assert [r["where"] for r in rejects] == [f"{src}:{n}" for n in (2, 4, 5, 6, 7, 9)]
    assert "malformed JSON" in rejects[0]["error"] and rejects[0]["line"] == "{oops"
    assert "no 'text' field" in rejects[1]["error"]
    assert "lone surrogate" in rejects[4]["error"]
    assert "UTF-8" in rejects[5]["error"] and rejects[5]["line"].endswith('"caf\ufffd"}')
    assert f"newsclean: skipped {src}:2: malformed JSON" in err
    assert "rejects: 6 bad records skipped" in err


def test_skip_bad_options(tmp_path, capsys):
    src = write_jsonl(tmp_path / "bad.jsonl", bad_rows())
    clean_error(capsys, main(["clean", str(src), "--skip-bad"]), "needs --rejects FILE")
    clean_error(capsys, main(["clean", str(src), "--rejects", str(tmp_path / "r.jsonl")]), "--rejects needs --skip-bad")
    rej = tmp_path / "r.jsonl"
    assert main(["clean", str(src), "--skip-bad", "--rejects", str(rej), "-q"]) == 0
    assert len(read_jsonl(rej)) == 5
    # A clean input still writes an (empty) rejects file: the run says there were none.
    out = tmp_path / "ok.jsonl"
    assert main(["clean", str(PAGES), "-o", str(out), "--skip-bad"]) == 0
    assert (tmp_path / "ok.jsonl.rejects.jsonl").read_text(encoding="utf-8") == ""
    assert "rejects: 0 bad records skipped" in capsys.readouterr().err


def test_a_failed_run_leaves_no_rejects_either(tmp_path, capsys):
    src = tmp_path / "pages.jsonl.gz"
    data = ("\n".join(json.dumps(r) for r in many_records(300)) + "\n{oops\n").encode("utf-8")
    src.write_bytes(gzip.compress(data)[:-200])  # damaged near the end
    code = main(["clean", str(src), "-o", str(tmp_path / "out.jsonl"), "--skip-bad"])
    clean_error(capsys, code, str(src), "cannot read")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pages.jsonl.gz"]


# --------------------------------------------------------------------------- progress and summary


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_and_summary(tmp_path, monkeypatch):
    src = write_jsonl(tmp_path / "in.jsonl", many_records(400))
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    monkeypatch.setattr("newsclean.cli.Progress.add", _always_show(monkeypatch))
    assert main(["clean", str(src), "-o", str(tmp_path / "out.jsonl"), "--batch-size", "50"]) == 0
    err = tty.getvalue()
    assert "\r\033[K" in err and "clean: 400 pages" in err and "MB/s" in err and "ETA" in err and "% of" in err
    summary = err.rsplit("\r\033[K", 1)[1]  # the progress line is cleared before the summary
    assert "total: 400 pages" in summary and "body" in summary and "teasers" in summary and "time:" in summary
    # Quiet: nothing at all on the terminal.
    quiet = FakeTTY()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert main(["clean", str(src), "-o", str(tmp_path / "out.jsonl"), "-q"]) == 0
    assert quiet.getvalue() == ""


def _always_show(monkeypatch):
    """Progress.add without its 0.2 s throttle, so a short test run shows the line."""
    from newsclean.cli import Progress

    original = Progress.add

    def add(self, pages, text_bytes):
        self.last = float("-inf")
        original(self, pages, text_bytes)

    return add


def test_no_progress_line_off_a_terminal(tmp_path):
    proc = run_cli("clean", str(PAGES), "-o", str(tmp_path / "out.jsonl"))
    assert proc.returncode == 0
    assert "\r" not in proc.stderr and "total: 5 pages" in proc.stderr and "time:" in proc.stderr


# --------------------------------------------------------------------------- interrupted runs


@pytest.fixture(scope="module")
def big_input(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("big") / "big.jsonl"
    write_jsonl(src, many_records(40_000))
    return src


def _sigint_by_default() -> None:
    # A shell without job control starts background jobs with SIGINT ignored, and Python keeps
    # an ignored SIGINT ignored; the child must see Ctrl-C as a user's terminal would send it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(src: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "newsclean", "clean", str(src), "-o", str(out), "--num-threads", "1", "--batch-size", "200"],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_sigint_by_default if os.name == "posix" else None,
    )


def wait_for_partial_output(out: Path, proc: subprocess.Popen) -> Path:
    """Waits until the temporary output beside ``out`` holds data (the run is under way)."""
    deadline = time.time() + 120
    while time.time() < deadline:
        tmps = [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.") and p.stat().st_size > 100_000]
        if tmps:
            return tmps[0]
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)
    raise AssertionError("the run wrote nothing in 120 s")


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_killed_run_leaves_no_output(tmp_path, big_input):
    out = tmp_path / "out.jsonl"
    proc = start(big_input, out)
    tmp = wait_for_partial_output(out, proc)
    proc.kill()  # SIGKILL: no chance to clean up
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert not out.exists()  # nothing under the output's name; only the hidden temporary
    assert tmp.exists() and tmp.name.endswith(".tmp")


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_terminated_run_removes_its_temporary(tmp_path, big_input, sig):
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    proc = start(big_input, out)
    wait_for_partial_output(out, proc)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]
    assert out.read_text(encoding="utf-8") == "previous\n"


def test_parquet_output_schema_mismatch_is_reported(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    rows = [{"id": 1, "extra": 5, "text": "Share on X"}, {"id": 2, "extra": 6, "text": "Share on X"}, {"id": 3, "extra": "five", "text": "Share on X"}]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.parquet"
    code = main(["clean", str(src), "-o", str(out), "--batch-size", "1"])
    clean_error(capsys, code, f"{src}:3", "do not fit the Parquet schema")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]
