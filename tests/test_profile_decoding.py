"""How a site profile shapes the decoding of a page: lists of stories, the article's run, chrome.

The fictional site (the Chronicle) prints, on every page, a menu, one story, a list of blurbs of
the stories before it and a footer; the stories are in ``fixtures/chronicle_stories.txt``
(title, lede, paragraphs; made up for these tests). The same site is used by the Rust tests in
``src/segment/tests.rs``.
"""

from __future__ import annotations

import newsclean
from conftest import FIXTURES, check_page

SITE = "chronicle.example"
STORIES = [block.split("\n") for block in (FIXTURES / "chronicle_stories.txt").read_text(encoding="utf-8").strip().split("\n\n")]
MENU = ["Front page", "Sport", "Weather"]
HEADING = "Elsewhere in the Chronicle"
FOOTER = ["Tell us what you think", "© 2025 The Chronicle"]


def site_pages(n: int, back: int, headlines: bool, heading: bool = True) -> list[str]:
    """Page ``p`` carries story ``p % 14`` (its paragraphs told again in a follow-up from page
    14 on) and blurbs of the ``back`` stories before it."""
    pages = []
    for p in range(n):
        title, lede, *paras = STORIES[p % len(STORIES)]
        lines = list(MENU)
        if not paras[0].startswith(lede):
            lines.append(lede)
        lines += [para if p < len(STORIES) else f"In a follow-up report, {para}" for para in paras]
        if heading:
            lines.append(HEADING)
        for b in range(1, back + 1):
            t, l, *_ = STORIES[(p - b) % len(STORIES)]
            lines += [t, l] if headlines else [l]
        lines += FOOTER
        pages.append("\n".join(lines))
    return pages


def segment(pages: list[str], page: str) -> list[tuple[str, str]]:
    prof = newsclean.Profile.learn(pages, sites=[SITE] * len(pages))
    seg = newsclean.segment_batch([page], sites=[SITE], profile=prof)[0]
    check_page(seg, page)
    return [(line.label, line.text) for line in seg.lines]


def labels_after(rows: list[tuple[str, str]], after: str) -> list[str]:
    start = [t for _, t in rows].index(after) + 1
    return [label for label, _ in rows[start : len(rows) - len(FOOTER)]]


def test_a_list_of_pairs_keeps_its_layout_around_a_title_shaped_lede():
    pages = site_pages(28, 3, headlines=True)
    # Pages 4-6 list story 3, whose lede is a cut dateline; pages 5-7 story 4, whose headline
    # ends with a full stop.
    for p in range(4, 8):
        rows = segment(pages, pages[p])
        assert labels_after(rows, HEADING) == ["headline", "teaser"] * 3, rows


def test_a_list_of_ledes_keeps_a_title_shaped_lede_a_teaser():
    pages = site_pages(28, 3, headlines=False)
    for p in range(4, 7):
        rows = segment(pages, pages[p])
        assert labels_after(rows, HEADING) == ["teaser"] * 3, rows


def test_the_run_stops_at_the_list_even_before_a_reworded_blurb():
    pages = site_pages(28, 5, headlines=False, heading=False)
    reworded = ("Councillors have decided that the city will once again have trams, on a line that was ripped up "
                "during the nineteen sixties so that buses could take over the route.")
    page = pages[10].replace(STORIES[5][1], reworded)
    rows = segment(pages, page)
    _, lede, *paras = STORIES[10]
    assert [t for label, t in rows if label == "body"] == [lede, *paras]
    assert labels_after(rows, paras[-1]) == ["teaser"] * 5, rows


def test_a_page_without_prose_keeps_its_own_lines_and_prose_chrome_is_boilerplate():
    cta = "Our reporters would love to hear your story ideas and your tips."
    pages = [p.replace(FOOTER[0], cta) for p in site_pages(28, 3, headlines=False)]
    schedule = ["Round one: 4 March – Harbour Park", "Round two: 18 March – Mill Lane", "Final: 15 April – Town Stadium"]
    pages[20] = "\n".join(MENU + schedule + [HEADING] + [STORIES[k][1] for k in (5, 4, 3)] + [cta, FOOTER[1]])
    rows = segment(pages, pages[20])
    assert [t for label, t in rows if label == "body"] == schedule, rows
    assert dict((t, label) for label, t in rows)[cta] == "boilerplate"


def test_with_few_pages_the_profile_still_marks_the_template():
    # Five pages of the site: the profile knows the menu and footer, not the stories' blurbs;
    # the page keeps its article and loses its menu.
    pages = site_pages(28, 3, headlines=False)
    prof = newsclean.Profile.learn(pages[:5], sites=[SITE] * 5)
    page = newsclean.segment_batch([pages[12]], sites=[SITE], profile=prof)[0]
    _, lede, *paras = STORIES[12]
    body = [line.text for line in page.lines if line.label == "body"]
    assert body[: 1 + len(paras)] == [lede, *paras], body
    assert [line.reason for line in page.lines[:3]] == ["site-template"] * 3


def test_key_budget_and_prune_bound_the_memory():
    pages = site_pages(28, 3, headlines=True)
    full = newsclean.Profile.learn(pages, sites=[SITE] * 28)
    assert not full.budget_pruned
    # A budget smaller than the distinct lines forces a prune while learning.
    small = newsclean.Profile.learn(pages, sites=[SITE] * 28, max_keys=10)
    assert small.budget_pruned and len(small) < len(full)
    assert small.count("Front page", SITE) == 28
    # prune keeps the counts of lines on two or more pages, and the texts of those on at
    # least 1 % of them (here: all of them; the floor is two pages).
    full.prune(2)
    assert full.count(STORIES[3][0], SITE) == 6
    texts = [t for t, _ in full.top_lines(SITE, n=1000)]
    assert "front page" in texts and all(c >= 2 for _, c in full.top_lines(SITE, n=1000))


def test_a_chrome_phrase_in_a_sentence_follows_the_counts():
    # Only this page carries the sentence: inside the article it is the article's.
    pages = site_pages(28, 2, headlines=False)
    own = "Click here to see the full list of results, which the organisers published on Monday evening."
    last = f"In a follow-up report, {STORIES[8][-1]}"
    pages[22] = pages[22].replace(last, f"{last}\n{own}")
    rows = segment(pages, pages[22])
    assert dict((t, label) for label, t in rows)[own] == "body", rows
    assert {line.text: line.reason for line in newsclean.segment(pages[22]).lines}[own] == "rule:read-more"
    # The site repeats it as a story's blurb: it is a teaser of the list.
    phrased = "Click here to see how the forty carved masks went home to the island community they were taken from a century ago."
    pages = [p.replace(STORIES[6][1], phrased) for p in site_pages(28, 2, headlines=False)]
    for p in (7, 8):
        assert labels_after(segment(pages, pages[p]), HEADING) == ["teaser", "teaser"]


def test_a_known_dateline_opening_the_article_is_body():
    title, lede, *paras = STORIES[3]
    pages = [p.replace(f"\n{lede} — ", f"\n{lede}\n", 1) for p in site_pages(28, 2, headlines=False)]
    rows = segment(pages, pages[3])
    first = paras[0].removeprefix(f"{lede} — ")
    assert [t for label, t in rows if label == "body"] == [lede, first, *paras[1:]], rows
