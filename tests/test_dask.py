"""newsclean.dask on a LocalCluster of several worker processes: dedup gives the clusters, the
representatives and the links of single-process newsclean.dedup; clean equals clean_frame."""

from __future__ import annotations

import logging

import numpy as np
import pytest

import newsclean

pd = pytest.importorskip("pandas")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
ncd = pytest.importorskip("newsclean.dask")
ncp = pytest.importorskip("newsclean.pandas")

BASE = (
    "the council approved the budget on monday after a debate that lasted six hours and the mayor said "
    "the libraries would stay open in every district of the city while the bus routes would be kept"
)
WORDS = "harbour herring boats winter roads school river market train bridge court tax museum".split()
RELEASE = " ".join(f"release{k % 97} term{k % 13}" for k in range(90))


def corpus(n: int = 400, seed: int = 7) -> list[str | None]:
    """Exact, near and truncated copies spread over the whole corpus, a bucket of more than 64
    near copies, agency prefixes, unrelated texts, None and empty strings."""
    rng = np.random.default_rng(seed)
    out: list[str | None] = []
    stories = [" ".join(rng.choice(WORDS, size=40)) + f" story {k}" for k in range(30)]
    for i in range(n):
        r = i % 10
        if r == 0:
            out.append(f"{BASE} number {i % 90}")  # > 64 near copies of one text
        elif r == 1:
            s = stories[int(rng.integers(len(stories)))]
            words = s.split()
            j = int(rng.integers(len(words)))
            words[j] = "changed"
            out.append(" ".join(words))  # a near copy of a story
        elif r == 2:
            out.append(stories[int(rng.integers(len(stories)))])  # an exact copy
        elif r == 3:
            s = stories[int(rng.integers(len(stories)))]
            out.append(" ".join(s.split()[:15]) + " …")  # a truncated lede
        elif r == 4:
            out.append("LONDON (Reuters) - " + stories[int(rng.integers(len(stories)))])
        elif r == 5:
            out.append(None if i % 20 == 5 else "")
        elif r == 6 and i % 40 == 6:
            # A press release at the end of a page that leads into it with other text: only
            # the suffix sketches find it (stage 4 counts their agreeing bands).
            out.append(" ".join(rng.choice(WORDS, size=150)) + f" opening {i} " + RELEASE)
        elif r == 6 and i % 40 == 16:
            out.append(RELEASE)
        else:
            out.append(" ".join(rng.choice(WORDS, size=25)) + f" unique {i}")
    return out


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=3, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.ERROR
    )
    c = distributed.Client(cluster)
    # p2p shuffles log their progress at WARNING on the scheduler.
    logging.getLogger("distributed.shuffle").setLevel(logging.ERROR)
    yield c
    c.close()
    cluster.close()


def frame(texts, npartitions: int) -> dd.DataFrame:
    pdf = pd.DataFrame({"text": texts, "prio": np.arange(len(texts)) % 7, "n": np.arange(len(texts))})
    return dd.from_pandas(pdf, npartitions=npartitions)


def single_links(res) -> list[tuple[int, int, str]]:
    return sorted((a, b, k) for a, b, _, k in res.pairs())


@pytest.mark.parametrize(("npartitions", "components"), [(1, "client"), (4, "cluster"), (9, "auto")])
def test_dedup_equals_single_process(client, npartitions, components):
    texts = corpus()
    assert len(client.scheduler_info()["workers"]) == 3
    want = newsclean.dedup(texts, threshold=0.8)
    assert (want.cluster != np.arange(len(texts))).sum() > 100  # many duplicates
    ends = [(a, b) for a, b, _, k in want.pairs() if k == "contained" and RELEASE in (texts[a], texts[b]) and texts[a] != texts[b]]
    assert ends, "a release is found at the end of the pages that carry it"
    out, links = ncd.dedup(frame(texts, npartitions), threshold=0.8, components=components, return_links=True)
    got = out.compute()
    assert got["cluster"].tolist() == want.cluster.tolist()
    assert got["keep"].tolist() == want.keep.tolist()
    assert list(zip(links["a"], links["b"], links["kind"])) == single_links(want)
    assert got["n"].tolist() == list(range(len(texts)))  # every other column kept, in order


@pytest.mark.parametrize(
    "options",
    [
        {"keep": "first"},
        {"keep": "prio"},
        {"threshold": 0.5, "containment": False},
        {"unit": "char", "ngram": 7, "num_perm": 64},
    ],
)
def test_dedup_options_equal_single_process(client, options):
    texts = corpus(250, seed=3)
    keep = options.get("keep", "longest")
    single = dict(options)
    if keep == "prio":
        single["keep"] = (np.arange(len(texts)) % 7).astype(float)
    want = newsclean.dedup(texts, **single)
    got = ncd.dedup(frame(texts, 5), **options).compute()
    assert got["cluster"].tolist() == want.cluster.tolist()
    assert got["keep"].tolist() == want.keep.tolist()


def test_uneven_and_empty_partitions(client):
    texts = corpus(120)
    pdf = pd.DataFrame({"text": texts, "n": np.arange(len(texts))})
    ddf = dd.from_pandas(pdf, npartitions=4)
    ddf = ddf[ddf["n"] % 3 != 1]  # uneven partitions, and positions follow the filtered frame
    kept = [t for i, t in enumerate(texts) if i % 3 != 1]
    # An empty partition in the middle, and one at the end.
    none = dd.from_pandas(pd.DataFrame({"text": pd.Series([], dtype=object), "n": np.array([], np.int64)}), npartitions=1)
    ddf = dd.concat([ddf, none, ddf, none])
    want = newsclean.dedup(kept + kept)
    for components in ("client", "cluster"):
        got = ncd.dedup(ddf, components=components).compute()
        assert got["cluster"].tolist() == want.cluster.tolist()
    empty = dd.from_pandas(pd.DataFrame({"text": pd.Series([], dtype=object)}), npartitions=1)
    assert len(ncd.dedup(empty).compute()) == 0


def test_drop_duplicates(client):
    texts = corpus(200)
    want = newsclean.dedup(texts)
    got = ncd.drop_duplicates(frame(texts, 3)).compute()
    assert got["n"].tolist() == np.flatnonzero(want.keep).tolist()
    assert "cluster" not in got.columns and "keep" not in got.columns


def test_clean_equals_clean_frame(client):
    texts = corpus(60) + ["Leave the first comment\n" + BASE + "\nShare on X"]
    ddf = frame(texts, 3)
    got = ncd.clean(ddf, columns=["body", "labels"]).compute()
    want = ncp.clean_frame(ddf.compute(), columns=["body", "labels"])
    pd.testing.assert_frame_equal(got, want)


def test_clean_with_a_profile(client):
    texts = [f"Kessel Valley Gazette | Since 1898\nStory {i} tells how the council will repair the roads of the old town before winter.\nWeather Traffic Sport" for i in range(12)]
    pdf = pd.DataFrame({"text": texts, "site": ["a.example"] * 12})
    profile = newsclean.Profile.learn(pdf["text"], sites=pdf["site"])
    got = ncd.clean(dd.from_pandas(pdf, npartitions=3), site="site", profile=profile, columns=["reasons"]).compute()
    want = ncp.clean_frame(pdf, site="site", profile=profile, columns=["reasons"])
    assert got["reasons"].tolist() == want["reasons"].tolist()
    assert "site-template" in {r for rs in got["reasons"] for r in rs}


def test_errors_before_any_work(client):
    ddf = frame(["a", "b"], 1)
    with pytest.raises(ValueError, match="threshold"):
        ncd.dedup(ddf, threshold=1.5)
    with pytest.raises(KeyError, match="'content'"):
        ncd.dedup(ddf, text="content")
    with pytest.raises(KeyError, match="'score'"):
        ncd.dedup(ddf, keep="score")
    with pytest.raises(ValueError, match="already has a column 'n'"):
        ncd.dedup(ddf, cluster_column="n")
    with pytest.raises(TypeError, match="expected a dask DataFrame"):
        ncd.dedup(ddf.compute())
    with pytest.raises(ValueError, match="components must be"):
        ncd.dedup(ddf, components="gpu")
    with pytest.raises(ValueError, match="unknown output column"):
        ncd.clean(ddf, columns=["bodies"])
