"""Per-site profiles: learning, merging, saving, and their effect on segmentation."""

from __future__ import annotations

import random

import pytest

import newsclean
from conftest import check_page

TOPICS = [
    ("harbour", "The harbour authority approved a new ferry terminal after a long public consultation."),
    ("orchard", "Apple growers in the valley expect a smaller harvest after a late frost in April."),
    ("library", "The town library reopened after repairs that took more than a year to finish."),
    ("bridge", "Engineers closed the old bridge for inspection after cracks were found in a pillar."),
    ("school", "Parents asked the council to keep the village school open for at least five more years."),
    ("market", "The weekly farmers market will move to the main square from the first of next month."),
    ("tram", "Councillors voted to rebuild the tram line that was torn up in the nineteen sixties."),
    ("museum", "A museum returned a collection of carved masks to the island they were taken from."),
]


def article(topic: str, lede: str, rng: random.Random) -> list[str]:
    words = ["residents", "officials", "budget", "council", "plan", "week", "report", "meeting"]
    paras = [lede]
    for k in range(5):
        filler = " ".join(rng.choice(words) for _ in range(12))
        paras.append(
            f"The {topic} project was discussed again on day {k}, and the {topic} committee said the {filler} would be published soon."
        )
    return paras


def make_site(name: str, n_pages: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    pages = []
    for p in range(n_pages):
        topic, lede = TOPICS[p % len(TOPICS)]
        others = [t for t in TOPICS if t[0] != topic]
        blurbs = [o[1] for o in rng.sample(others, 3)]
        lines = ["Home", "World", "Business", f"{name} weekly edition"]
        lines += article(topic, lede, rng)
        lines += ["Most read"] + blurbs
        lines += [f"Follow {name} on our channels", f"Copyright 2025 {name}"]
        pages.append("\n".join(lines))
    return pages


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], list[str]]:
    a = make_site("Harbour Gazette", 24, 1)
    b = make_site("Valley Times", 24, 2)
    texts = a + b
    sites = ["gazette.example"] * len(a) + ["valley.example"] * len(b)
    return texts, sites


def test_learn_counts_lines_once_per_page_per_site(corpus):
    texts, sites = corpus
    prof = newsclean.Profile.learn(texts, sites=sites)
    assert prof.sites == ["gazette.example", "valley.example"]
    assert prof.pages("gazette.example") == 24
    assert prof.count("Home", "gazette.example") == 24
    assert prof.count("HOME!", "gazette.example") == 24  # folded: case and punctuation
    assert prof.count("Copyright 2031 Harbour Gazette", "gazette.example") == 24  # digits fold
    assert prof.count("Copyright 2025 Harbour Gazette", "valley.example") == 0
    top = prof.top_lines("gazette.example", n=3)
    assert [c for _, c in top] == [24, 24, 24]
    assert all(isinstance(t, str) for t, _ in top)
    assert len(prof) > 0
    # Without sites everything is one site, "".
    glob = newsclean.Profile.learn(texts)
    assert glob.sites == [""] and glob.pages() == len(texts) and glob.count("Home") == len(texts)


def test_same_profile_for_any_order_threads_and_shards(corpus, tmp_path):
    texts, sites = corpus
    one = newsclean.Profile.learn(texts, sites=sites, num_threads=1)
    pairs = list(zip(texts, sites))
    random.Random(7).shuffle(pairs)
    shuffled = newsclean.Profile.learn([t for t, _ in pairs], sites=[s for _, s in pairs], num_threads=2)
    merged = newsclean.Profile.learn(texts[:10], sites=sites[:10])
    merged.merge(newsclean.Profile.learn(texts[10:], sites=sites[10:]))
    paths = []
    for k, prof in enumerate([one, shuffled, merged]):
        path = tmp_path / f"p{k}.ncprof"
        prof.save(path)
        paths.append(path.read_bytes())
    assert paths[0] == paths[1] == paths[2]


def test_learn_streams_any_iterable(corpus):
    texts, sites = corpus
    gen = (t for t in texts)
    prof = newsclean.Profile.learn(gen, sites=iter(sites))
    assert prof.pages("valley.example") == 24


def test_save_load_round_trip_and_bad_files(corpus, tmp_path):
    texts, sites = corpus
    prof = newsclean.Profile.learn(texts, sites=sites)
    path = tmp_path / "site.ncprof"
    prof.save(path)
    back = newsclean.Profile.load(path)
    assert back.sites == prof.sites and len(back) == len(prof)
    assert back.count("Most read", "valley.example") == 24
    data = path.read_bytes()
    (tmp_path / "cut.ncprof").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cut.ncprof.*truncated"):
        newsclean.Profile.load(tmp_path / "cut.ncprof")
    other = bytearray(data)
    other[8] = 7  # the format version
    (tmp_path / "v7.ncprof").write_bytes(bytes(other))
    with pytest.raises(ValueError, match="version 7"):
        newsclean.Profile.load(tmp_path / "v7.ncprof")
    (tmp_path / "junk.ncprof").write_bytes(b"hello world, not a profile")
    with pytest.raises(ValueError, match="not a newsclean profile"):
        newsclean.Profile.load(tmp_path / "junk.ncprof")
    with pytest.raises(OSError):
        newsclean.Profile.load(tmp_path / "missing.ncprof")
    with pytest.raises(OSError):
        prof.save(tmp_path / "no-such-dir" / "x.ncprof")


def test_prune_drops_rare_lines(corpus):
    texts, sites = corpus
    prof = newsclean.Profile.learn(texts, sites=sites)
    before = len(prof)
    prof.prune(3)
    assert len(prof) < before
    assert prof.count("Home", "gazette.example") == 24


def test_bad_arguments(corpus):
    texts, sites = corpus
    with pytest.raises(ValueError, match="sites"):
        newsclean.Profile.learn(texts, sites=sites[:-1])
    with pytest.raises(ValueError, match="sites"):
        newsclean.Profile.learn(texts[:-1], sites=sites)
    with pytest.raises(TypeError):
        newsclean.Profile.learn("one page")
    with pytest.raises(ValueError, match="sites has"):
        newsclean.segment_batch(texts, sites=sites[:3])
    with pytest.raises(TypeError, match="sites"):
        newsclean.segment_batch(texts, sites="gazette.example")


def test_profile_sharpens_segmentation(corpus):
    texts, sites = corpus
    prof = newsclean.Profile.learn(texts, sites=sites)
    pages = newsclean.segment_batch(texts, sites=sites, profile=prof)
    for text, page in zip(texts, pages):
        check_page(page, text)
        by_text = {line.text: line for line in page.lines}
        for chrome in ("Home", "World", "Business", "Most read"):
            assert by_text[chrome].label == "boilerplate"
        lines = text.split("\n")
        article_lines = lines[4:10]
        blurbs = lines[11:14]
        # The article, its lede included, is body; the blurbs of other stories are teasers,
        # although each of them is the lede of an article elsewhere in the corpus.
        assert [by_text[t].label for t in article_lines] == ["body"] * 6, [
            (by_text[t].label, by_text[t].reason) for t in article_lines
        ]
        assert [by_text[t].label for t in blurbs] == ["teaser"] * 3, [(by_text[t].label, by_text[t].reason) for t in blurbs]
        # The reasons say the profile decided: the blurbs recur on other pages of the site.
        assert {by_text[t].reason for t in blurbs} == {"site-blurb"}
        assert by_text[lines[3]].reason == "site-template"


def test_segmentation_with_profile_is_deterministic(corpus):
    texts, sites = corpus
    prof = newsclean.Profile.learn(texts, sites=sites)
    one = [p.labels for p in newsclean.segment_batch(texts, sites=sites, profile=prof, num_threads=1)]
    two = [p.labels for p in newsclean.segment_batch(texts, sites=sites, profile=prof, num_threads=2)]
    assert one == two
