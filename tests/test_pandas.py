"""newsclean.pandas: clean_frame, mark_duplicates, drop_duplicates and the Series accessor."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO_ROOT

import newsclean

pd = pytest.importorskip("pandas")
ncp = pytest.importorskip("newsclean.pandas")

PAGES = REPO_ROOT / "examples" / "pages.jsonl"
STORY = "The council approved the budget on Monday after a debate that lasted six hours, the longest in years."


@pytest.fixture
def frame() -> pd.DataFrame:
    with open(PAGES, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    df = pd.DataFrame(rows)
    df.index = [f"r{i}" for i in range(len(df))]  # a non-default index is kept
    return df


def test_clean_frame_adds_columns_and_keeps_the_rest(frame):
    out = ncp.clean_frame(frame, num_threads=2)
    assert list(out.columns) == [*frame.columns, "body", "teasers", "labels"]
    assert out.index.equals(frame.index)
    pd.testing.assert_frame_equal(out[frame.columns], frame)
    for text, body, labels, teasers in zip(frame["text"], out["body"], out["labels"], out["teasers"]):
        page = newsclean.segment(text)
        assert body == page.body and labels == page.labels
        assert teasers == [{"headline": t.headline, "lede": t.lede, "truncated": t.truncated} for t in page.teasers]
    assert "text" in frame.columns and "body" not in frame.columns  # the input is not changed


def test_clean_frame_columns_prefix_and_missing_texts(frame):
    frame.loc["r1", "text"] = None
    out = ncp.clean_frame(frame, columns=["body", "reasons"], prefix="nc_")
    assert [c for c in out.columns if c.startswith("nc_")] == ["nc_body", "nc_reasons"]
    assert out.loc["r1", "nc_body"] == "" and out.loc["r1", "nc_reasons"] == []
    assert out.loc["r0", "nc_reasons"] == [ln.reason for ln in newsclean.segment(frame.loc["r0", "text"]).lines]
    only_body = ncp.clean_frame(frame, columns=["body"])
    assert only_body["body"].tolist() == newsclean.clean_batch(frame["text"])


def test_clean_frame_with_sites_profile_and_segmenter():
    texts = [f"Home\nStory {i} tells how the council will repair the roads of the old town before winter.\nShare on X" for i in range(6)]
    df = pd.DataFrame({"text": texts, "site": ["a.example"] * 6})
    profile = newsclean.Profile.learn(df["text"], sites=df["site"])
    out = ncp.clean_frame(df, site="site", profile=profile, columns=["reasons"])
    want = newsclean.segment_batch(texts, sites=["a.example"] * 6, profile=profile)
    assert out["reasons"].tolist() == [[ln.reason for ln in p.lines] for p in want]
    seg = newsclean.Segmenter(phrases=["repair the roads"])
    out = ncp.clean_frame(df, segmenter=seg, columns=["body"])
    assert out["body"].tolist() == seg.clean_batch(texts)


def test_clean_frame_errors(frame):
    with pytest.raises(KeyError, match="text column 'content' is not in the frame"):
        ncp.clean_frame(frame, text="content")
    with pytest.raises(ValueError, match="unknown output column 'bodies'"):
        ncp.clean_frame(frame, columns=["bodies"])
    with pytest.raises(TypeError, match="not a single str"):
        ncp.clean_frame(frame, columns="body")
    with pytest.raises(ValueError, match="needs the sites"):
        ncp.clean_frame(frame, profile=newsclean.Profile())
    with pytest.raises(TypeError, match="expected a pandas DataFrame"):
        ncp.clean_frame(frame["text"])
    frame["text"] = frame["text"].astype(object)
    frame.loc["r2", "text"] = 5
    with pytest.raises(TypeError, match=r"texts\[2\] must be str or None, not int"):
        ncp.clean_frame(frame)


def dup_frame() -> pd.DataFrame:
    texts = [STORY, "Fishermen reported record catches of herring this spring.", STORY.upper(), STORY[:60] + "…", None]
    return pd.DataFrame({"text": texts, "prio": [1.0, 0.0, 5.0, 0.0, 0.0]}, index=list("abcde"))


def test_mark_and_drop_duplicates():
    df = dup_frame()
    res = newsclean.dedup(df["text"])
    marked = ncp.mark_duplicates(df, threshold=0.8)
    assert marked["cluster"].tolist() == [df.index[c] for c in res.cluster]
    assert marked["duplicate"].tolist() == (~res.keep).tolist()
    assert marked["similarity"].tolist() == res.similarity.tolist()
    dropped = ncp.drop_duplicates(df)
    assert dropped.index.tolist() == df.index[res.keep].tolist()
    assert len(dropped) == 3  # the story (3 copies), the herring, the missing text
    # keep by a priority column: the upper-case copy has the highest priority.
    assert ncp.drop_duplicates(df, keep="prio").index.tolist() == ["b", "c", "e"]
    assert ncp.drop_duplicates(df, keep="first").index.tolist() == ["a", "b", "e"]
    with pytest.raises(TypeError, match="unexpected option 'treshold'"):
        ncp.drop_duplicates(df, treshold=0.8)
    with pytest.raises(KeyError, match="priority column 'score'"):
        ncp.drop_duplicates(df, keep="score")


def test_accessor():
    df = dup_frame()
    s = df["text"]
    bodies = s.news.clean()
    assert bodies.index.equals(s.index) and bodies.tolist() == newsclean.clean_batch(s)
    pages = s.news.segment()
    assert [p.labels for p in pages] == s.news.labels().tolist()
    assert s.news.duplicated().tolist() == [False, False, True, True, False]
    assert s.news.dedup(threshold=0.8).cluster.tolist() == newsclean.dedup(s).cluster.tolist()


def test_accessor_is_registered_only_on_import():
    code = (
        "import pandas as pd, newsclean\n"
        "s = pd.Series(['a'])\n"
        "assert not hasattr(s, 'news')\n"
        "import newsclean.pandas\n"
        "assert s.news.clean().tolist() == ['']\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_core_import_needs_no_pandas():
    # With pandas, pyarrow, numpy and dask hidden, the core package still imports and cleans.
    code = (
        "import sys\n"
        "for m in ('pandas', 'pyarrow', 'numpy', 'dask', 'zstandard'):\n"
        "    sys.modules[m] = None\n"
        "import newsclean, newsclean.cli\n"
        "assert newsclean.clean_batch(['Leave the first comment']) == ['']\n"
        "try:\n"
        "    import newsclean.pandas\n"
        "except ImportError as e:\n"
        "    assert 'pip install' in str(e), e\n"
        "else:\n"
        "    raise SystemExit('newsclean.pandas imported without pandas')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
