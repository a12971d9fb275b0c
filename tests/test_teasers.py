"""The teaser catalogue: teasers(), Teasers rows, the streaming TeaserCatalogue."""

from __future__ import annotations

import math
import re

import pytest
from conftest import FIXTURES

import newsclean

COLUMNS = ["teaser_id", "headline", "text", "truncated", "variants", "pages", "n_pages", "first_seen", "article", "article_score"]


def stories() -> list[tuple[str, list[str]]]:
    """The invented stories of fixtures/teaser_stories.txt: (title, paragraphs)."""
    out = []
    for block in (FIXTURES / "teaser_stories.txt").read_text(encoding="utf-8").split("\n\n"):
        lines = [ln for ln in block.split("\n") if ln and not ln.startswith("#")]
        if lines:
            out.append((lines[0], lines[1:]))
    return out


def blurb(paras: list[str]) -> str:
    return re.split(r"(?<=[.!?])\s+(?=[A-Z])", paras[0])[0]


def cut(text: str) -> str:
    return text[:90].rsplit(" ", 1)[0].rstrip(",;:") + "..."


def page(article: list[str], featured: tuple[str, str] | None, blurbs: list[str]) -> str:
    lines = ["Home", "World", "Sport", "Culture"]
    if featured:
        lines += list(featured)
    lines += ["12 March 2024, 09:30", *article]
    if blurbs:
        lines += ["More stories", *blurbs]
    lines += ["Subscribe to our newsletter", "Share on Facebook", "© 2024 Example News. All rights reserved."]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def crawl() -> tuple[list[str], list[str]]:
    """Twelve pages: page i carries story i, features story i + 1 (headline and cut-off lede)
    and lists the blurbs of the six stories after that."""
    st = stories()
    n = len(st)
    texts = [
        page(st[i][1], (st[(i + 1) % n][0], cut(st[(i + 1) % n][1][0])), [blurb(st[(i + k) % n][1]) for k in range(2, 8)])
        for i in range(n)
    ]
    return texts, [f"p{i}" for i in range(n)]


def canon(rows: list[dict]) -> list[tuple]:
    """Rows without what the page order may change: ids, first_seen, the order of pages."""
    return sorted(
        (r["text"] or "", tuple(r["variants"]), r["headline"], tuple(sorted(r["pages"])), r["n_pages"], r["article"], r["article_score"])
        for r in rows
    )


def test_every_story_is_one_row_linked_to_its_page(crawl):
    texts, ids = crawl
    cat = newsclean.teasers(texts, ids=ids, num_threads=2)
    assert isinstance(cat, newsclean.Teasers)
    rows = cat.to_list()
    st = stories()
    assert len(cat) == len(rows) == len(st)
    for i, (title, paras) in enumerate(st):
        (row,) = [r for r in rows if r["text"] == blurb(paras)]
        assert list(row) == COLUMNS
        assert row["headline"] == title
        assert row["truncated"] is False
        assert row["variants"] == [cut(paras[0])]
        assert row["n_pages"] == 7 and len(row["pages"]) == 7
        assert all(isinstance(p, str) and isinstance(line, int) for p, line in row["pages"])
        assert f"p{i}" not in {p for p, _ in row["pages"]}, "a page never teases itself"
        assert row["article"] == f"p{i}"
        assert 0.99 <= row["article_score"] <= 1.0
        # Each listed occurrence points at the blurb's line.
        for p, line in row["pages"]:
            assert texts[ids.index(p)].split("\n")[line] in (row["text"], *row["variants"])
    assert [r["teaser_id"] for r in rows] == list(range(len(rows)))
    assert [r["first_seen"] for r in rows] == sorted(r["first_seen"] for r in rows)
    assert cat[0] == rows[0] and cat[-1] == rows[-1] and list(cat) == rows
    with pytest.raises(IndexError):
        cat[len(rows)]
    assert newsclean.Teasers.columns == COLUMNS
    assert "Teasers(rows=12" in repr(cat)


def test_reworded_blurb_joins_its_story(crawl):
    texts, ids = list(crawl[0]), crawl[1]
    original = blurb(stories()[0][1])
    reworded = "Port Elmsby's council voted on Tuesday to rebuild the sea wall that collapsed during the January storms, after residents packed the town hall."
    texts[6] = texts[6].replace(original, reworded)
    assert newsclean.segment(texts[6]).labels[texts[6].split("\n").index(reworded)] == "teaser", "fixture"
    (row,) = [r for r in newsclean.teasers(texts, ids=ids) if r["text"] == original]
    assert reworded in row["variants"] and row["article"] == "p0"


def test_without_ids_pages_are_numbered_and_missing_articles_stay_null(crawl):
    texts = crawl[0][1:]  # story 0's page is gone
    rows = newsclean.teasers(texts).to_list()
    (row,) = [r for r in rows if r["text"] == blurb(stories()[0][1])]
    assert row["article"] is None and row["article_score"] is None
    assert all(isinstance(p, int) and 0 <= p < len(texts) for r in rows for p, _ in r["pages"])
    linked = [r for r in rows if r["article"] is not None]
    assert len(linked) == 11 and all(isinstance(r["article"], int) for r in linked)


def test_inputs_like_the_batch_functions(crawl):
    texts, ids = crawl
    want = newsclean.teasers(texts, ids=ids).to_list()
    assert newsclean.teasers(tuple(texts), ids=tuple(ids)).to_list() == want
    assert newsclean.teasers(iter(texts), ids=ids).to_list() == want
    np = pytest.importorskip("numpy")
    assert newsclean.teasers(np.array(texts, dtype=object), ids=np.array(ids, dtype=object)).to_list() == want
    pd = pytest.importorskip("pandas")
    assert newsclean.teasers(pd.Series(texts), ids=pd.Series(ids)).to_list() == want
    # Integer ids, numpy integer ids.
    ints = newsclean.teasers(texts, ids=list(range(100, 112))).to_list()
    assert {r["article"] for r in ints} == set(range(100, 112))
    assert newsclean.teasers(texts, ids=np.arange(100, 112)).to_list() == ints
    # None and NaN are pages without text: nothing is taken from them, they still count.
    holes = [None, float("nan"), *texts]
    rows = newsclean.teasers(holes).to_list()
    assert all(p >= 2 for r in rows for p, _ in r["pages"])
    assert newsclean.teasers([]).to_list() == [] and len(newsclean.teasers([None])) == 0
    assert newsclean.teasers(texts, sites=["a.example"] * 12, ids=ids).to_list() == want


def test_arrow_input_gives_the_rows_of_the_list(crawl):
    pa = pytest.importorskip("pyarrow")
    texts, ids = crawl
    want = newsclean.teasers(texts, ids=ids).to_list()
    assert newsclean.teasers(pa.array(texts, type=pa.large_string()), ids=ids).to_list() == want
    chunked = pa.chunked_array([texts[:5], texts[5:]], type=pa.string())
    sites = pa.array(["a.example"] * len(texts))
    assert newsclean.teasers(chunked, sites=sites, ids=ids).to_list() == want


def test_bad_input_names_the_problem(crawl):
    texts, ids = crawl
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        newsclean.teasers(["fine", 3])
    with pytest.raises(TypeError, match="single str"):
        newsclean.teasers("one page")
    with pytest.raises(ValueError, match="ids has 2 items but texts has 12"):
        newsclean.teasers(texts, ids=ids[:2])
    with pytest.raises(ValueError, match="sites has 1 items but texts has 12"):
        newsclean.teasers(texts, sites=["a"])
    with pytest.raises(TypeError, match=r"ids\[1\] must be str or int, not float"):
        newsclean.teasers(texts[:2], ids=["a", 1.5])
    with pytest.raises(TypeError, match=r"ids\[0\] must be str or int, not bool"):
        newsclean.teasers(texts[:1], ids=[True])
    with pytest.raises(ValueError, match="lone surrogate"):
        newsclean.teasers(["ok", "bad \ud800"])
    with pytest.raises(ValueError, match="num_threads"):
        newsclean.teasers(texts, num_threads=0)
    with pytest.raises(TypeError, match="profile must be a Profile"):
        newsclean.teasers(texts, profile=b"a profile")
    with pytest.raises(ValueError, match="profile must be a Profile"):
        newsclean.teasers(texts, profile="not a profile")  # a str is the "learn" option


def test_same_rows_for_any_thread_count_and_order(crawl):
    texts, ids = crawl
    one = newsclean.teasers(texts, ids=ids, num_threads=1).to_list()
    assert newsclean.teasers(texts, ids=ids, num_threads=2).to_list() == one
    assert newsclean.teasers(texts, ids=ids, num_threads=7).to_list() == one
    rev = newsclean.teasers(texts[::-1], ids=ids[::-1]).to_list()
    assert canon(rev) == canon(one)
    # first_seen counts pages in input order.
    assert min(r["first_seen"] for r in rev) == 0


def test_streaming_equals_one_call(crawl):
    texts, ids = crawl
    want = newsclean.teasers(texts, ids=ids).to_list()
    cat = newsclean.TeaserCatalogue(num_threads=2)
    for i in range(0, 12, 5):
        cat.add(texts[i : i + 5], ids=ids[i : i + 5])
    assert cat.pages_added == 12 and cat.pages_linked == 0
    unlinked = cat.finish().to_list()
    assert all(r["article"] is None for r in unlinked)
    assert [r["text"] for r in unlinked] == [r["text"] for r in want]
    for i in range(0, 12, 7):
        cat.link(texts[i : i + 7], ids=ids[i : i + 7])
    assert cat.pages_linked == 12
    assert cat.finish().to_list() == want
    assert cat.finish().to_list() == want, "finish leaves the catalogue usable"
    with pytest.raises(RuntimeError, match="after link"):
        cat.add(texts[:1], ids=ids[:1])
    assert "pages_added=12" in repr(cat)
    # Without ids, both passes number pages 0, 1, 2, ...
    plain = newsclean.TeaserCatalogue()
    plain.add(texts[:6])
    plain.add(texts[6:])
    plain.link(texts)
    assert plain.finish().to_list() == newsclean.teasers(texts).to_list()
    with pytest.raises(ValueError, match="ids has 1 items"):
        newsclean.TeaserCatalogue().add(texts[:2], ids=["x"])


def test_profile_is_used(crawl):
    texts, ids = crawl
    sites = ["a.example"] * len(texts)
    prof = newsclean.Profile.learn(texts, sites=sites)
    with_prof = newsclean.teasers(texts, sites=sites, ids=ids, profile=prof)
    cat = newsclean.TeaserCatalogue(profile=prof)
    cat.add(texts, sites=sites, ids=ids)
    cat.link(texts, sites=sites, ids=ids)
    assert cat.finish().to_list() == with_prof.to_list()


def test_profile_learn_is_the_profile_of_the_same_pages(crawl):
    texts, ids = crawl
    sites = ["a.example"] * 6 + ["b.example"] * 6
    learned = newsclean.Profile.learn(texts, sites=sites)
    want = newsclean.teasers(texts, ids=ids, sites=sites, profile=learned).to_list()
    assert newsclean.teasers(texts, ids=ids, sites=sites, profile="learn", num_threads=2).to_list() == want
    assert want != newsclean.teasers(texts, ids=ids, sites=sites).to_list(), "the profile changes the segmentation"
    with pytest.raises(ValueError, match='"learn"'):
        newsclean.teasers(texts, profile="guess")
    with pytest.raises(TypeError, match="profile must be a Profile"):
        newsclean.teasers(texts, profile=3)


def test_to_pandas(crawl):
    pd = pytest.importorskip("pandas")
    texts, ids = crawl
    cat = newsclean.teasers(texts, ids=ids)
    df = cat.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == COLUMNS and len(df) == len(cat)
    assert df["n_pages"].tolist() == [r["n_pages"] for r in cat]
    assert df.loc[0, "pages"] == cat[0]["pages"]
    empty = newsclean.teasers([]).to_pandas()
    assert list(empty.columns) == COLUMNS and len(empty) == 0


def test_to_pandas_without_pandas(crawl, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        newsclean.teasers(crawl[0]).to_pandas()
    assert newsclean.teasers(crawl[0]).to_list(), "the list form needs no pandas"


def test_seed_like_page_merges_cut_lede_and_wordings():
    """A page of my own in the seeds' shape: a featured story's cut-off lede on top, its full
    form in the list below, and two wordings of one wire story in the list."""
    st = stories()
    featured = st[6]
    wire_a = "Negotiators from both unions have discussed an ambitious plan to end the port strike by March, though the timeline is widely seen as hard to meet, according to people familiar with the talks."
    wire_b = "Negotiators from both unions have discussed an ambitious March deadline for ending the port strike, though that timeline is likely to slip given disagreements over pay, according to two people familiar with the talks."
    listed = [blurb(st[k][1]) for k in (1, 2, 3)] + [wire_a, blurb(featured[1]), blurb(st[4][1]), wire_b, blurb(st[5][1])]
    article = (FIXTURES / "teaser_long_article.txt").read_text(encoding="utf-8").split("\n")[:-1]
    text = page(article, (featured[0], cut(featured[1][0])), listed)
    lines = text.split("\n")
    labels = newsclean.segment(text).labels
    assert all(labels[lines.index(b)] == "teaser" for b in listed), "fixture: the list is read as blurbs"
    rows = newsclean.teasers([text], ids=["seed"]).to_list()
    where = {line: r["teaser_id"] for r in rows for _, line in r["pages"]}
    assert where[lines.index(cut(featured[1][0]))] == where[lines.index(blurb(featured[1]))]
    assert where[lines.index(wire_a)] == where[lines.index(wire_b)]
    assert len({where[lines.index(b)] for b in listed}) == len(listed) - 1


def test_scores_are_finite(crawl):
    for r in newsclean.teasers(crawl[0]):
        assert r["article_score"] is None or (math.isfinite(r["article_score"]) and 0.75 <= r["article_score"] <= 1.0)


# --------------------------------------------------------------------------- the command line


def cli_rows(rows: list[dict]) -> list[dict]:
    """Catalogue rows as `newsclean teasers` writes them: pages as {id, line} objects."""
    return [{**r, "pages": [{"id": p, "line": n} for p, n in r["pages"]]} for r in rows]


def test_cli_writes_the_catalogue_of_the_api(crawl, tmp_path, capsys):
    import json

    from newsclean.cli import main

    texts, ids = crawl
    src = tmp_path / "pages.jsonl"
    lines = [json.dumps({"id": i, "site": "a.example", "text": t}) for i, t in zip(ids, texts)]
    lines.insert(3, "{oops")  # a bad record: reported once, though the input is read twice
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    want = cli_rows(newsclean.teasers(texts, ids=ids).to_list())
    for batch in ("1000", "5"):
        out = tmp_path / f"cat{batch}.jsonl"
        assert main(["teasers", str(src), "-o", str(out), "--batch-size", batch, "--skip-bad", "--num-threads", "2"]) == 0
        got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert got == want
        rejects = (tmp_path / f"cat{batch}.jsonl.rejects.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(rejects) == 1 and json.loads(rejects[0])["where"] == f"{src}:4"
    err = capsys.readouterr().err
    linked = sum(r["article"] is not None for r in want)
    assert f"total: {len(texts)} pages, {len(want)} distinct teasers, {linked} linked" in err
    # With a profile (it needs the sites), the rows of the API call with that profile.
    prof = tmp_path / "site.ncprof"
    assert main(["learn", str(src), "-o", str(prof), "--site-field", "site", "--skip-bad", "--rejects", str(tmp_path / "r.jsonl"), "-q"]) == 0
    out = tmp_path / "prof.jsonl"
    args = ["teasers", str(src), "-o", str(out), "--site-field", "site", "--profile", str(prof), "--skip-bad", "-q"]
    assert main(args) == 0
    profile = newsclean.Profile.load(prof)
    want = cli_rows(newsclean.teasers(texts, ids=ids, sites=["a.example"] * len(texts), profile=profile).to_list())
    assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == want


def test_cli_refuses_standard_input_and_bad_records(crawl, tmp_path, capsys):
    from newsclean.cli import main

    src = tmp_path / "pages.jsonl"
    src.write_text('{"id": 1, "text": "A page."}\n{oops\n', encoding="utf-8")
    assert main(["teasers", "-"]) == 2
    assert "standard input can be read only once" in capsys.readouterr().err
    out = tmp_path / "cat.jsonl"
    assert main(["teasers", str(src), "-o", str(out)]) == 2
    assert f"{src}:2: malformed JSON" in capsys.readouterr().err
    assert not out.exists()
    assert main(["teasers", str(src), "--profile", str(tmp_path / "p.ncprof")]) == 2
    assert "needs the sites" in capsys.readouterr().err
