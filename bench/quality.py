#!/usr/bin/env python3
"""Extraction quality of newsclean against the labelled dev sets, beside two baselines.

For each dataset this runs ``newsclean.segment_batch`` over every page, writes the
predictions as JSONL (``{"id", "body", "line_labels"}``, one page per line) to an output
folder, and scores them with the project's scorer (``<shared>/tools/score.py``, imported as a
library, so the figures are the ones ``score.py --dataset NAME --pred FILE`` prints). The C4
line filter and jusText (see ``baselines.py``) are run, written and scored the same way; their
line labels are ``body`` for a kept line and ``boilerplate`` otherwise.

Printed: one table, rows = dataset x metric, columns = systems, with the issue's targets
next to the figures:

* ``scrapinghub_aeb``, ``l3s_gn1``, ``seeds``: body P/R/F1 (Zyte's 4-token-shingle metric,
  F1 with its page-bootstrap standard deviation); target aeb F1 >= 0.90, l3s F1 >= 0.94;
* ``l3s_gn1``, ``seeds``: per-class line F1, teaser P and R, the share of gold teaser lines
  labelled body, macro F1, line accuracy;
* ``seeds``: lines labelled exactly as the gold (target: all 49);
* ``trafilatura_eval``: snippet P/R/F1.

Run from the repository root (newsclean must be importable: ``pip install -e .`` or
``maturin develop --release``)::

    python3 bench/quality.py                          # all four sets, all systems
    python3 bench/quality.py --datasets aeb,l3s --no-baselines
    python3 bench/quality.py --out /tmp/preds --json quality.json

Options: ``--datasets`` (comma list: scrapinghub_aeb/aeb, l3s_gn1/l3s, seeds,
trafilatura_eval/traf), ``--out DIR`` (where the prediction files go; default a new temporary
folder), ``--no-baselines``, ``--c4-page-filters`` (adds a column for C4 with the paper's
page-level discards), ``--threads N`` (newsclean's ``num_threads``), ``--json FILE``
(every score, machine-readable).

The shared folder is ``../shared`` beside the repository, or ``$NEWSCLEAN_SHARED``; without it
the script exits with status 2. Without newsclean it scores the baselines alone and says so;
without jusText (``pip install justext lxml_html_clean``) it skips that column.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import baselines  # noqa: E402
from _common import (  # noqa: E402
    die,
    import_newsclean,
    load_records,
    parse_datasets,
    render_table,
    shared_dir,
)

# The acceptance targets: (dataset, metric key, threshold, shown as).
TARGETS = {
    ("scrapinghub_aeb", "body_f1"): (0.90, ">= 0.90"),
    ("l3s_gn1", "body_f1"): (0.94, ">= 0.94"),
    ("seeds", "lines_exact"): (None, "all 49"),  # None: every gold line right
}


# ----------------------------------------------------------------------------- systems

def predict_newsclean(nc, records: list[dict], threads: int | None) -> list[dict]:
    pages = nc.segment_batch([r["text"] for r in records], num_threads=threads)
    if len(pages) != len(records):
        raise RuntimeError(f"segment_batch returned {len(pages)} pages for {len(records)} texts")
    return [{"id": r["id"], "body": p.body, "line_labels": [ln.label for ln in p.lines]}
            for r, p in zip(records, pages)]


def _labels(keep: list[bool]) -> list[str]:
    return ["body" if k else "boilerplate" for k in keep]


def predict_c4(records: list[dict], page_filters: bool = False) -> list[dict]:
    out = []
    for r in records:
        body = baselines.c4_filter(r["text"], page_filters=page_filters)
        keep = baselines.c4_keep(r["text"])
        if page_filters and not body:
            keep = [False] * len(keep)
        out.append({"id": r["id"], "body": body, "line_labels": _labels(keep)})
    return out


def predict_justext(records: list[dict]) -> list[dict]:
    out = []
    for r in records:
        # l3s_gn1 records say lang "en"; the others carry no language, so it is guessed.
        body, keep = baselines.justext_result(r["text"], r.get("lang"))
        # keep is None when paragraphs and lines do not pair up; score.py then derives labels.
        out.append({"id": r["id"], "body": body,
                    "line_labels": None if keep is None else _labels(keep)})
    return out


# ----------------------------------------------------------------------------- scoring

def write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            if row.get("line_labels") is None:
                row = {k: v for k, v in row.items() if k != "line_labels"}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def lines_exact(records: list[dict], rows: list[dict]) -> dict:
    """How many gold lines got exactly the gold label (seeds vocabulary)."""
    by_id = {row["id"]: row for row in rows}
    right = total = 0
    for r in records:
        gold = r["line_labels"]
        pred = by_id[r["id"]].get("line_labels") or []
        total += len(gold)
        right += sum(1 for g, p in zip(gold, pred) if g == p)
    return {"right": right, "total": total}


def evaluate(score, name: str, records: list[dict], systems: dict, out_dir: Path) -> dict:
    """Run every system on one dataset, write and score its predictions."""
    _name, split, gold_path, gold = score.load_dataset(name)
    result = {"n_pages": len(records), "split": split, "gold_file": str(gold_path), "systems": {}}
    for sys_name, predict in systems.items():
        entry: dict = {}
        print(f"  {name}: {sys_name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        try:
            rows = predict(records)
        except Exception as e:  # noqa: BLE001 - report the failure in the table, go on
            entry["error"] = f"{type(e).__name__}: {e}"
            result["systems"][sys_name] = entry
            continue
        entry["seconds"] = round(time.perf_counter() - t0, 3)
        pred_path = out_dir / f"{name}.{sys_name}.jsonl"
        write_jsonl(pred_path, rows)
        entry["predictions"] = str(pred_path)
        try:
            entry["scores"] = score.score(name, gold, score.load_predictions(pred_path))
        except score.ScoreError as e:
            entry["error"] = f"score.py: {e}"
        if name == "seeds":
            entry["lines_exact"] = lines_exact(records, rows)
        result["systems"][sys_name] = entry
    return result


# ----------------------------------------------------------------------------- report

def _get(d: dict, *keys):
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def metric_rows(name: str) -> list[tuple[str, str, object]]:
    """(metric key, label, getter(system entry) -> value or None) for one dataset."""
    f3 = lambda x: None if x is None else f"{x:.3f}"  # noqa: E731

    def body_f1(e):
        f1, sd = _get(e, "scores", "body", "zyte", "f1"), _get(e, "scores", "body", "zyte", "f1_sd")
        return None if f1 is None else f"{f1:.3f} ±{sd:.3f}"

    rows = []
    if name in ("scrapinghub_aeb", "l3s_gn1", "seeds"):
        rows += [
            ("body_f1", "body F1 (zyte) ±sd", body_f1),
            ("body_p", "body P", lambda e: f3(_get(e, "scores", "body", "zyte", "precision"))),
            ("body_r", "body R", lambda e: f3(_get(e, "scores", "body", "zyte", "recall"))),
            ("empty", "empty bodies", lambda e: _get(e, "scores", "body", "n_empty_pred")),
        ]
    if name in ("l3s_gn1", "seeds"):
        for c in ("headline", "teaser", "body", "boilerplate"):
            rows.append((f"line_f1_{c}", f"line F1 {c}",
                         lambda e, c=c: f3(_get(e, "scores", "lines", "per_class", c, "f1"))))
        rows += [
            ("teaser_p", "teaser P",
             lambda e: f3(_get(e, "scores", "lines", "per_class", "teaser", "precision"))),
            ("teaser_r", "teaser R",
             lambda e: f3(_get(e, "scores", "lines", "per_class", "teaser", "recall"))),
            ("teaser_as_body", "gold teaser -> body",
             lambda e: f3(_get(e, "scores", "lines", "teaser_as_body"))),
            ("macro_f1", "line macro F1", lambda e: f3(_get(e, "scores", "lines", "macro_f1"))),
            ("accuracy", "line accuracy", lambda e: f3(_get(e, "scores", "lines", "accuracy"))),
        ]
    if name == "seeds":
        def exact(e):
            le = e.get("lines_exact")
            return None if le is None else f"{le['right']}/{le['total']}"
        rows.append(("lines_exact", "lines exactly right", exact))
    if name == "trafilatura_eval":
        rows += [
            ("snip_f1", "snippet F1", lambda e: f3(_get(e, "scores", "snippets", "f1"))),
            ("snip_p", "snippet P", lambda e: f3(_get(e, "scores", "snippets", "precision"))),
            ("snip_r", "snippet R", lambda e: f3(_get(e, "scores", "snippets", "recall"))),
        ]
    return rows


def target_met(name: str, key: str, entry: dict | None) -> str:
    target = TARGETS.get((name, key))
    if target is None or entry is None:
        return ""
    threshold, _shown = target
    if key == "lines_exact":
        le = entry.get("lines_exact")
        if le is None:
            return "?"
        return "yes" if le["right"] == le["total"] else "NO"
    value = _get(entry, "scores", "body", "zyte", "f1")
    if value is None:
        return "?"
    return "yes" if value >= threshold else "NO"


def render(results: dict, system_names: list[str], main: str) -> str:
    header = ["dataset", "metric", "target"] + system_names
    if main in system_names:
        header.append(f"{main} meets target")
    rows = []
    for name, res in results.items():
        first = True
        for key, label, getter in metric_rows(name):
            target = TARGETS.get((name, key))
            row = [f"{name} ({res['n_pages']} p.)" if first else "", label,
                   target[1] if target else ""]
            for s in system_names:
                entry = res["systems"].get(s)
                if entry is None:
                    cell = "n/a"
                elif "scores" not in entry:
                    cell = "error"
                else:
                    v = getter(entry)
                    cell = "n/a" if v is None else str(v)
                row.append(cell)
            if main in system_names:
                row.append(target_met(name, key, res["systems"].get(main)))
            rows.append(row)
            first = False
        rows.append(None)
    if rows and rows[-1] is None:
        rows.pop()
    return render_table(header, rows, right=set(range(3, len(header))))


# ----------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", help="comma list (default: all): scrapinghub_aeb|aeb, "
                                       "l3s_gn1|l3s, seeds, trafilatura_eval|traf")
    ap.add_argument("--out", type=Path, help="folder for the prediction JSONL files "
                                             "(default: a new temporary folder)")
    ap.add_argument("--no-baselines", action="store_true", help="score newsclean only")
    ap.add_argument("--c4-page-filters", action="store_true",
                    help="also score C4 with the paper's page-level discards (column c4+page)")
    ap.add_argument("--threads", type=int, default=None,
                    help="newsclean num_threads (default: the library's)")
    ap.add_argument("--json", type=Path, metavar="FILE", help="write all results here as JSON")
    args = ap.parse_args(argv)

    shared = shared_dir()
    sys.path.insert(0, str(shared / "tools"))
    import score  # noqa: PLC0415 - the project's scorer, from the shared folder

    datasets = parse_datasets(args.datasets)
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="newsclean-quality-"))
    out_dir.mkdir(parents=True, exist_ok=True)

    notes = []
    systems: dict = {}
    nc, why = import_newsclean()
    if nc is not None:
        systems["newsclean"] = lambda recs: predict_newsclean(nc, recs, args.threads)
    else:
        notes.append(f"newsclean column skipped: {why}")
    if not args.no_baselines:
        systems["c4"] = predict_c4
        if args.c4_page_filters:
            systems["c4+page"] = lambda recs: predict_c4(recs, page_filters=True)
        if baselines.justext_available():
            systems["justext"] = predict_justext
        else:
            notes.append(f"justext column skipped: {baselines.justext_missing_reason()}")
    if not systems:
        die("nothing to score: newsclean is not importable and --no-baselines was given\n" + why)
    for n in notes:
        print(f"note: {n}", file=sys.stderr)

    results = {}
    for name in datasets:
        records = load_records(shared, name)
        results[name] = evaluate(score, name, records, systems, out_dir)

    print(render(results, list(systems), "newsclean"))
    errors = [(d, s, e["error"]) for d, r in results.items()
              for s, e in r["systems"].items() if "error" in e]
    for d, s, err in errors:
        print(f"error: {s} on {d}: {err}")
    for n in notes:
        print(f"note: {n}")
    print(f"predictions: {out_dir}")

    if args.json:
        payload = {
            "shared": str(shared),
            "out_dir": str(out_dir),
            "newsclean": {"available": nc is not None, "error": why,
                          "version": getattr(nc, "__version__", None) if nc else None,
                          "num_threads": args.threads},
            "justext_available": baselines.justext_available(),
            "targets": [{"dataset": d, "metric": k, "threshold": t, "shown": shown}
                        for (d, k), (t, shown) in TARGETS.items()],
            "datasets": results,
            "notes": notes,
        }
        args.json.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")
        print(f"json: {args.json}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
