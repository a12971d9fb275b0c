"""Helpers shared by the benchmark scripts: finding the shared data, loading pages, importing
newsclean, and printing plain-text tables. Standard library only."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# The datasets the benchmarks know, in the order they are reported.
DATASETS = ("scrapinghub_aeb", "l3s_gn1", "seeds", "trafilatura_eval")
ENV_SHARED = "NEWSCLEAN_SHARED"


def shared_dir() -> Path:
    """The shared folder (data + tools): ``$NEWSCLEAN_SHARED``, else ``../shared`` beside the repo.

    Exits with status 2 and a message saying how to fix it when the folder is not there.
    """
    env = os.environ.get(ENV_SHARED)
    path = Path(env).expanduser() if env else REPO_ROOT.parent / "shared"
    missing = [p for p in (path / "data", path / "tools" / "score.py") if not p.exists()]
    if missing:
        how = (f"${ENV_SHARED}={env}" if env
               else f"the default location (set ${ENV_SHARED} to override)")
        die(f"the shared benchmark data is not available: {missing[0]} does not exist ({how}).\n"
            f"The benchmarks need the labelled sets in <shared>/data/ and the scorer "
            f"<shared>/tools/score.py; point ${ENV_SHARED} at a folder holding both.")
    return path


def die(msg: str, code: int = 2):
    """Print ``error: msg`` to stderr and exit with ``code`` (2: the environment is not usable)."""
    print(f"error: {msg}", file=sys.stderr)
    raise SystemExit(code)


def dataset_file(shared: Path, name: str) -> Path:
    """The dev JSONL of a dataset (``seeds`` has only ``labeled.jsonl``); exits 2 when absent."""
    path = shared / "data" / name / ("labeled.jsonl" if name == "seeds" else "dev.jsonl")
    if not path.is_file():
        die(f"dataset {name!r} not found: {path} does not exist")
    return path


def load_records(shared: Path, name: str) -> list[dict]:
    with open(dataset_file(shared, name), encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def parse_datasets(spec: str | None) -> list[str]:
    """``"aeb,l3s"`` -> dataset names; accepts full names and the short forms aeb/l3s/traf."""
    if not spec:
        return list(DATASETS)
    short = {"aeb": "scrapinghub_aeb", "l3s": "l3s_gn1", "traf": "trafilatura_eval",
             "trafilatura": "trafilatura_eval", "seed": "seeds"}
    out = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        name = short.get(part, part)
        if name not in DATASETS:
            die(f"unknown dataset {part!r}; choose from {', '.join(DATASETS)} (or aeb, l3s, traf)")
        if name not in out:
            out.append(name)
    return out


def import_newsclean():
    """(module, None) when ``import newsclean`` works, else (None, reason with the fix)."""
    try:
        import newsclean  # noqa: PLC0415
    except ImportError as e:
        return None, (f"newsclean is not importable ({e}); build and install it first, e.g. "
                      f"`pip install -e {REPO_ROOT}` or "
                      f"`cd {REPO_ROOT} && maturin develop --release`")
    return newsclean, None


def render_table(header: list[str], rows: list[list[str]], right: set[int] | None = None) -> str:
    """A plain-text table; ``right``: indexes of right-aligned columns; a ``None`` row: a rule."""
    right = right or set()
    widths = [len(h) for h in header]
    for row in rows:
        if row is not None:
            widths = [max(w, len(c)) for w, c in zip(widths, row)]

    def fmt(row):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(row, widths))).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [fmt(header), rule]
    out += [rule if row is None else fmt(row) for row in rows]
    return "\n".join(out)
