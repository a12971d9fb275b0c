use super::*;

const SAMPLE: &str = include_str!("../../tests/fixtures/sample_page.txt");

/// Asserts that lines 1, 3, 5, ... of the page made of `lines` are body (the paragraphs under
/// a headline and sub-heads).
fn every_other_line_is_body(lines: &[&str]) {
    let page = Segmenter::default().segment(&lines.join("\n"));
    for i in (1..lines.len()).step_by(2) {
        assert_eq!(page.lines[i].label, Label::Body, "line {i}: {:?}", page.lines);
    }
}

fn labels(page: &Page) -> Vec<&'static str> {
    page.lines.iter().map(|l| l.label.as_str()).collect()
}

#[test]
fn sample_page_is_labelled_line_by_line() {
    let page = Segmenter::default().segment(SAMPLE);
    let want = [
        "headline", "teaser", "body", "body", "boilerplate", "body", "body", "body", "body", // article
        "teaser", "teaser", "teaser", "teaser", "teaser", "teaser", "teaser", // blurb list
        "boilerplate", "boilerplate", "boilerplate", "boilerplate",
    ];
    assert_eq!(labels(&page), want);
    assert_eq!(page.lines[4].reason, "rule:ad");
    assert_eq!(page.lines[1].reason, "truncated");
    assert_eq!(page.lines[16].reason, "rule:app");
    assert!(page.body.starts_with("The northern valley's apple growers"));
    assert!(page.body.ends_with("ripen fully."));
    assert!(!page.body.contains("Advertisement"));
}

#[test]
fn teasers_group_headline_and_lede() {
    let page = Segmenter::default().segment(SAMPLE);
    assert_eq!(page.teasers[0], Teaser { headline: Some(0), lede: Some(1), truncated: true });
    assert_eq!(page.teasers.len(), 8);
    assert!(page.teasers[1..].iter().all(|t| t.headline.is_none() && !t.truncated));
}

#[test]
fn spans_partition_input_and_body_is_body_lines() {
    for text in [SAMPLE, "", "\n", "one line", "a\r\nb\r\n", "x\n\n\ny"] {
        let page = Segmenter::default().segment(text);
        assert_eq!(page.lines.len(), text.split('\n').count());
        assert_eq!(page.lines.first().unwrap().start, 0);
        assert_eq!(page.lines.last().unwrap().end, text.chars().count());
        for w in page.lines.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        let body: Vec<&str> = page.lines.iter().filter(|l| l.label == Label::Body).map(|l| &text[l.bytes.clone()]).collect();
        assert_eq!(page.body, body.join("\n"));
        for l in &page.lines {
            assert!(REASONS.iter().any(|(r, _)| *r == l.reason), "{}", l.reason);
        }
    }
}

#[test]
fn short_paragraph_inside_article_stays_body() {
    let page = Segmenter::default().segment(SAMPLE);
    assert_eq!(page.lines[6].label, Label::Body, "{:?}", page.lines[6]);
}

#[test]
fn a_chrome_phrase_inside_a_long_article_sentence_does_not_make_it_chrome() {
    // A built-in phrase ("subscribe") in a sentence of the article that reads as prose.
    let sentence = "Growers said they would not subscribe to the view that the frost was a one-off, and many of them have started to plant later-flowering varieties on the coldest slopes.";
    let text = SAMPLE.replace("Olsen said the valley's apple growers had survived bad years before.", sentence);
    let page = Segmenter::default().segment(&text);
    assert_eq!((page.lines[6].label, page.lines[6].reason), (Label::Body, "body-run"));
    assert!(page.body.contains("not subscribe to the view"));
    // The same phrase in a short call to action, a whole-line label, a long rights notice or a
    // user's own phrase keeps the line chrome.
    let notice = "Copyright 2024 The Valley Courier, all rights reserved: no part of this article may be reproduced, stored or sent on in any form without the written permission of the publisher.";
    for (line, rules, reason) in [
        ("Subscribe to our newsletter for the week's farming news.", Rules::default(), "rule:newsletter"),
        ("Advertisement", Rules::default(), "rule:ad"),
        (notice, Rules::default(), "rule:copyright"),
        (sentence, Rules::new(&["later-flowering varieties".to_string()], &[]).unwrap(), "user-rule"),
    ] {
        let text = SAMPLE.replace("Olsen said the valley's apple growers had survived bad years before.", line);
        let page = Segmenter::new(rules).segment(&text);
        assert_eq!((page.lines[6].label, page.lines[6].reason), (Label::Boilerplate, reason), "{line}");
    }
}

#[test]
fn empty_and_blank_pages_have_no_body() {
    let seg = Segmenter::default();
    assert_eq!(seg.segment("").body, "");
    let page = seg.segment("\n  \n\t");
    assert!(page.lines.iter().all(|l| l.reason == "empty"));
}

#[test]
fn user_rules_override_prose() {
    let text = SAMPLE.replace("Olsen said the valley's", "SPONSORED: Olsen said the valley's");
    let rules = Rules::new(&[], &["^SPONSORED:".to_string()]).unwrap();
    let page = Segmenter::new(rules).segment(&text);
    assert_eq!(page.lines[6].label, Label::Boilerplate);
    assert_eq!(page.lines[6].reason, "user-rule");
}
/// Fourteen made-up stories on unrelated topics (`tests/fixtures/chronicle_stories.txt`: title,
/// lede, then the further paragraphs, one story a block), for the profile tests: a fictional
/// site's pages carry one story each and blurbs of the others.
fn stories() -> &'static [(&'static str, &'static str, Vec<&'static str>)] {
    static STORIES: std::sync::OnceLock<Vec<(&'static str, &'static str, Vec<&'static str>)>> = std::sync::OnceLock::new();
    STORIES.get_or_init(|| {
        include_str!("../../tests/fixtures/chronicle_stories.txt")
            .split("\n\n")
            .map(|block| {
                let lines: Vec<&str> = block.trim_end().split('\n').collect();
                (lines[0], lines[1], lines[2..].to_vec())
            })
            .collect()
    })
}

/// Story `k`: (title, lede, further paragraphs).
fn story(k: usize) -> (&'static str, &'static str, &'static [&'static str]) {
    let (title, lede, paras) = &stories()[k];
    (title, lede, paras)
}

/// The pages of a fictional site, one story each: navigation, the story (its lede as the first
/// paragraph, except for the story whose lede is a cut dateline), a list of the `back` stories
/// before it (headline and lede, or lede alone), and the footer. Page `p` carries story
/// `p % 14`, its paragraphs told again in other words (a follow-up) from page 14 on; blurbs
/// wrap around.
fn site_pages(n: usize, back: usize, headlines: bool) -> Vec<String> {
    (0..n)
        .map(|p| {
            let k = p % stories().len();
            let (_, lede, paras) = story(k);
            let follow_up = |para: &str| if p < stories().len() { para.to_string() } else { format!("In a follow-up report, {para}") };
            let mut lines: Vec<String> = ["Front page", "Sport", "Weather"].map(String::from).to_vec();
            if !paras[0].starts_with(lede) {
                lines.push(lede.to_string());
            }
            lines.extend(paras.iter().map(|para| follow_up(para)));
            lines.push("Elsewhere in the Chronicle".to_string());
            for b in 1..=back {
                let (title, lede, _) = story((k + stories().len() - b) % stories().len());
                if headlines {
                    lines.push(title.to_string());
                }
                lines.push(lede.to_string());
            }
            lines.extend(["Tell us what you think", "© 2025 The Chronicle"].map(String::from));
            lines.join("\n")
        })
        .collect()
}

fn learn_site(pages: &[String]) -> crate::Profile {
    let pairs: Vec<(Option<&str>, &str)> = pages.iter().map(|p| (Some("chronicle.example"), p.as_str())).collect();
    crate::Profile::learn(&pairs, Some(1)).unwrap()
}

fn labelled(page: &str, profile: &crate::Profile) -> Vec<(&'static str, String)> {
    let seg = Segmenter::default().segment_with(page, profile.site(Some("chronicle.example")));
    seg.lines.iter().map(|l| (l.label.as_str(), page[l.bytes.clone()].to_string())).collect()
}

/// The texts of the lines labelled body.
fn body_lines<'a>(rows: &'a [(&'static str, String)]) -> Vec<&'a str> {
    rows.iter().filter(|(l, _)| *l == "body").map(|(_, t)| t.as_str()).collect()
}

/// Page `p` with story `k`'s lede worded anew as `text` (the profile does not know that line).
fn reworded(pages: &[String], p: usize, k: usize, text: &str) -> String {
    let page = pages[p].replace(story(k).1, text);
    assert_ne!(page, pages[p]);
    page
}

/// The labels of the lines after the line `after` and before the two footer lines.
fn labels_after(rows: &[(&'static str, String)], after: &str) -> Vec<&'static str> {
    let start = rows.iter().position(|(_, t)| t == after).unwrap() + 1;
    rows[start..rows.len() - 2].iter().map(|(l, _)| *l).collect()
}

/// The labels of the list after "Elsewhere in the Chronicle".
fn list_labels(rows: &[(&'static str, String)]) -> Vec<&'static str> {
    labels_after(rows, "Elsewhere in the Chronicle")
}

/// The pages of a site without a heading over its list: the list starts right after the article.
fn site_pages_without_heading(n: usize, back: usize, headlines: bool) -> Vec<String> {
    site_pages(n, back, headlines).iter().map(|p| p.replace("Elsewhere in the Chronicle\n", "")).collect()
}

#[test]
fn profiled_headline_kept_for_days_in_a_most_read_box_is_a_headline_not_chrome() {
    // Story 13 stays in a "Most read" box on pages 0 to 6 of 28: with its listings on other
    // pages its headline is on 10 pages and its lede on 12, more than a quarter of the site's
    // pages (as a chrome label is) and less than half, and they recur together.
    let (title, lede, _) = story(13);
    let mut pages = site_pages(28, 3, true);
    for page in pages.iter_mut().take(7) {
        *page = page.replace("Tell us what you think", &format!("Most read\n{title}\n{lede}\nTell us what you think"));
    }
    let profile = learn_site(&pages);
    let site = profile.site(Some("chronicle.example")).unwrap();
    assert_eq!((site.count(title), site.count(lede), site.count("Most read")), (10, 12, 7));
    for p in [3, 5, 6] {
        let rows = labelled(&pages[p], &profile);
        let at = rows.iter().position(|(_, t)| t == "Most read").unwrap();
        let got: Vec<&str> = rows[at..at + 3].iter().map(|(l, _)| *l).collect();
        assert_eq!(got, ["boilerplate", "headline", "teaser"], "page {p}: {rows:#?}");
    }
}

#[test]
fn profiled_list_of_pairs_keeps_its_layout_around_odd_lines() {
    let pages = site_pages(28, 3, true);
    let profile = learn_site(&pages);
    // Pages 4 to 6 list story 3, whose lede is a cut dateline ("PORTVILLE, Ont."): it stays the
    // lede of its headline, never a headline of the next line. Pages 5 to 7 list story 4, whose
    // headline ends with a full stop.
    for (p, page) in pages.iter().enumerate().take(8).skip(4) {
        let rows = labelled(page, &profile);
        assert_eq!(list_labels(&rows), ["headline", "teaser"].repeat(3), "page {p}: {rows:#?}");
    }
    for p in [0, 4, 6, 13] {
        let rows = labelled(&pages[p], &profile);
        let body = body_lines(&rows);
        let (_, lede, paras) = story(p % stories().len());
        let mut want: Vec<&str> = if paras[0].starts_with(lede) { vec![] } else { vec![lede] };
        want.extend_from_slice(paras);
        assert_eq!(body, want, "page {p}: {rows:#?}");
    }
}

#[test]
fn profiled_list_of_ledes_keeps_a_title_shaped_lede_a_teaser() {
    let pages = site_pages(28, 3, false);
    let profile = learn_site(&pages);
    // Pages 4, 5 and 6 list the cut dateline at each position of the list.
    for p in [4, 5, 6] {
        let rows = labelled(&pages[p], &profile);
        assert_eq!(list_labels(&rows), ["teaser", "teaser", "teaser"], "page {p}: {rows:#?}");
    }
}

#[test]
fn profiled_run_does_not_pass_over_template_to_reach_a_reworded_blurb() {
    let pages = site_pages_without_heading(28, 5, false);
    let profile = learn_site(&pages);
    // This page words the last blurb of its list anew: the profile does not know that line,
    // and it reads as prose, but reaching it would take the article run over known blurbs.
    let text = "Councillors have decided that the city will once again have trams, on a line that was ripped up during the nineteen sixties so that buses could take over the route.";
    let rows = labelled(&reworded(&pages, 10, 5, text), &profile);
    let (_, lede, paras) = story(10);
    assert_eq!(labels_after(&rows, paras[2]), ["teaser"; 5], "{rows:#?}");
    assert_eq!(body_lines(&rows), [&[lede][..], paras].concat(), "{rows:#?}");
}

#[test]
fn profiled_unknown_line_between_list_lines_belongs_to_the_list() {
    let pages = site_pages_without_heading(28, 3, true);
    let profile = learn_site(&pages);
    // The first blurb's lede is worded anew on this page: between two known headlines, it is a
    // lede of the list, not the article's last paragraph.
    let text = "The family bakery on Mill Street, which has been run by the Brandt brothers and their ancestors for four generations, marked a century in business on Friday by handing a free loaf of bread to every single customer who came through the door.";
    let rows = labelled(&reworded(&pages, 10, 9, text), &profile);
    let (_, lede, paras) = story(10);
    assert_eq!(body_lines(&rows), [&[lede][..], paras].concat(), "{rows:#?}");
    assert_eq!(labels_after(&rows, paras[2]), ["headline", "teaser"].repeat(3), "{rows:#?}");
}

#[test]
fn profiled_run_keeps_section_marks_and_shared_sub_heads() {
    let mut pages = site_pages(28, 3, false);
    // A few of the site's articles share a sub-head; one has a section mark with no words.
    for p in [2, 5, 9] {
        let (_, _, paras) = story(p);
        pages[p] = pages[p].replace(paras[1], &format!("What happens next\n{}", paras[1]));
    }
    let (_, _, paras) = story(9);
    pages[9] = pages[9].replace(paras[2], &format!("* * *\n\u{200b}\n{}", paras[2]));
    let profile = learn_site(&pages);
    assert_eq!(profile.site(Some("chronicle.example")).unwrap().count("What happens next"), 3);
    for p in [2, 5, 9] {
        let rows = labelled(&pages[p], &profile);
        let label = |text: &str| rows.iter().find(|(_, t)| t == text).unwrap().0;
        assert_eq!(label("What happens next"), "body", "page {p}: {rows:#?}");
        if p == 9 {
            assert_eq!((label("* * *"), label("\u{200b}")), ("body", "body"), "{rows:#?}");
        }
    }
    // Without a profile a line with no words is boilerplate, as before.
    let plain = Segmenter::default().segment(&pages[9]);
    let star = pages[9].split('\n').position(|l| l == "* * *").unwrap();
    assert_eq!(plain.lines[star].reason, "empty");
}

#[test]
fn profiled_prose_on_every_page_is_chrome() {
    let cta = "Our reporters would love to hear your story ideas and your tips.";
    let pages: Vec<String> = site_pages(28, 3, false).iter().map(|p| p.replace("Tell us what you think", cta)).collect();
    let profile = learn_site(&pages);
    for page in &pages {
        let rows = labelled(page, &profile);
        let (label, _) = rows.iter().find(|(_, t)| t == cta).unwrap();
        assert_eq!(*label, "boilerplate", "{rows:#?}");
    }
}

#[test]
fn profiled_page_without_prose_keeps_its_own_lines_as_body() {
    let mut pages = site_pages(28, 3, false);
    // Page 20 carries a schedule instead of a story: no line reads as a sentence, but none of
    // them is on another page of the site.
    let schedule = ["Round one: 4 March – Harbour Park", "Round two: 18 March – Mill Lane", "Round three: 1 April – Lakeside", "Final: 15 April – Town Stadium"];
    let list: Vec<&str> = [5, 4, 3].iter().map(|&k| story(k).1).collect();
    pages[20] = [&["Front page", "Sport", "Weather"][..], &schedule, &["Elsewhere in the Chronicle"], &list, &["Tell us what you think", "© 2025 The Chronicle"]]
        .concat()
        .join("\n");
    let profile = learn_site(&pages);
    let rows = labelled(&pages[20], &profile);
    let body = body_lines(&rows);
    assert_eq!(body, schedule, "{rows:#?}");
    assert_eq!(list_labels(&rows), ["teaser"; 3], "{rows:#?}");
}

#[test]
fn profiled_page_whose_run_is_a_blurb_the_profile_does_not_know_keeps_its_own_lines_as_body() {
    let mut pages = site_pages(28, 3, false);
    // Page 20 carries a schedule instead of a story, and the last blurb of its list is worded
    // anew on this page: the shape alone picks that one sentence as the article; the schedule,
    // four lines no other page of the site carries, is the page's own text.
    let schedule = ["Round one: 4 March – Harbour Park", "Round two: 18 March – Mill Lane", "Round three: 1 April – Lakeside", "Final: 15 April – Town Stadium"];
    let fresh = "Residents of the valley town were told on Friday that the old footbridge over the river will close for repairs at the end of the month, the council said.";
    let list = [story(5).1, story(4).1, fresh];
    pages[20] = [&["Front page", "Sport", "Weather"][..], &schedule, &["Elsewhere in the Chronicle"], &list, &["Tell us what you think", "© 2025 The Chronicle"]]
        .concat()
        .join("\n");
    let profile = learn_site(&pages);
    let rows = labelled(&pages[20], &profile);
    assert_eq!(body_lines(&rows), schedule, "{rows:#?}");
}

#[test]
fn profiled_sentence_with_a_chrome_phrase_that_no_other_page_carries_is_body() {
    let mut pages = site_pages(28, 3, false);
    let own = "Click here to see the full list of results, which the organisers published on Monday evening.";
    let (_, _, paras) = story(8);
    pages[22] = pages[22].replace(&format!("In a follow-up report, {}", paras[2]), &format!("In a follow-up report, {}\n{own}", paras[2]));
    assert!(pages[22].contains(own));
    let profile = learn_site(&pages);
    let rows = labelled(&pages[22], &profile);
    assert_eq!(rows.iter().find(|(_, t)| t == own).unwrap().0, "body", "{rows:#?}");
    // Without a profile the phrase rule decides; and the same sentence on every page is chrome.
    let plain = Segmenter::default().segment(&pages[22]);
    let at = pages[22].split('\n').position(|l| l == own).unwrap();
    assert_eq!(plain.lines[at].reason, "rule:read-more");
    let everywhere: Vec<String> = pages.iter().map(|p| p.replace("Tell us what you think", own)).collect();
    let rows = labelled(&everywhere[22], &learn_site(&everywhere));
    assert!(rows.iter().filter(|(_, t)| t == own).all(|(l, _)| *l == "boilerplate"), "{rows:#?}");
}

#[test]
fn profiled_known_dateline_that_opens_the_article_is_body() {
    // Story 3's lede, quoted in other pages' lists, is a cut dateline; on its own page it is a
    // line of its own above the article.
    let (_, lede, paras) = story(3);
    let pages: Vec<String> = site_pages(28, 2, false).iter().map(|p| p.replacen(&format!("\n{lede} — "), &format!("\n{lede}\n"), 1)).collect();
    let first = paras[0].strip_prefix(&format!("{lede} — ")).unwrap();
    assert!(pages[3].contains(&format!("\n{lede}\n{first}\n")));
    let rows = labelled(&pages[3], &learn_site(&pages));
    let body = body_lines(&rows);
    assert_eq!(body, [&[lede, first][..], &paras[1..]].concat(), "{rows:#?}");
}

#[test]
fn profiled_blurb_with_a_chrome_phrase_is_a_teaser_of_its_list() {
    let (_, lede, _) = story(6);
    let phrased = "Click here to see how the forty carved masks went home to the island community they were taken from a century ago.";
    // Two blurbs a page: a line with a chrome phrase on a quarter of the pages is chrome.
    let pages: Vec<String> = site_pages(28, 2, false).iter().map(|p| p.replace(lede, phrased)).collect();
    let profile = learn_site(&pages);
    for p in [7, 8] {
        let rows = labelled(&pages[p], &profile);
        assert_eq!(list_labels(&rows), ["teaser"; 2], "page {p}: {rows:#?}");
    }
    let plain = Segmenter::default().segment(&pages[8]);
    let at = pages[8].split('\n').position(|l| l == phrased).unwrap();
    assert_eq!(plain.lines[at].reason, "rule:read-more");
}

#[test]
fn date_between_items_of_a_list_of_stories_is_the_items() {
    // The sample page's headline, lede and article, a date above the article, and a list of
    // cut-off ledes with dates (one a date and a time) between the items, one above the list
    // and one below it.
    let sample: Vec<&str> = SAMPLE.lines().collect();
    let mut lines: Vec<&str> = sample[..2].to_vec();
    lines.push("March 14, 2024");
    lines.extend(&sample[2..9]);
    lines.extend([
        "14 March 2024",
        "A fire at a paper mill on the coast forced the evacuation of two hundred staff on...",
        "March 14, 2024",
        "The national football team will play two friendly matches in South America in...",
        "14.03.2024",
        "10:32",
        "A museum in the capital has returned a collection of carved masks to the island...",
        "13.03.2024",
        "Download our app from the App Store and Google Play.",
    ]);
    let page = Segmenter::default().segment(&lines.join("\n"));
    let row = |i: usize| (page.lines[i].label, page.lines[i].reason);
    assert_eq!(row(11), (Label::Teaser, "truncated"), "{:?}", page.lines);
    for i in [12, 14, 15] {
        assert_eq!(row(i), (Label::Teaser, "list-date"), "{:?}", page.lines[i]);
    }
    // Not between two items: the page's own date above the article, and the list's edges.
    for i in [2, 10, 17] {
        assert_eq!(row(i).0, Label::Boilerplate, "{:?}", page.lines[i]);
    }
    // Dates are neither teasers of their own nor do they end one.
    assert_eq!(page.teasers.len(), 4, "{:?}", page.teasers);
    assert!(page.teasers.iter().all(|t| t.lede.is_some_and(|l| row(l).1 == "truncated")));
    // Three date lines in a row are not one story's date; a bare number is a rank or a count.
    for extra in [&["14.03.2024", "10:32", "10:40"][..], &["3"][..]] {
        let mut other = lines.clone();
        other.splice(14..16, extra.iter().copied());
        let page = Segmenter::default().segment(&other.join("\n"));
        for i in 14..14 + extra.len() {
            assert_eq!(page.lines[i].label, Label::Boilerplate, "{:?}", page.lines[i]);
        }
    }
}

#[test]
fn a_list_of_blurbs_with_a_date_between_its_items_is_still_a_list() {
    // The sample page's blurb list with a date after each of its first six items.
    let mut lines: Vec<&str> = SAMPLE.lines().collect();
    for k in (10..=15).rev() {
        lines.insert(k, "March 14, 2024");
    }
    let page = Segmenter::default().segment(&lines.join("\n"));
    let labels: Vec<_> = page.lines[9..22].iter().map(|l| (l.label.as_str(), l.reason)).collect();
    for (k, row) in labels.iter().enumerate() {
        let want = if k % 2 == 1 { ("teaser", "list-date") } else { ("teaser", "blurb") };
        assert_eq!(*row, want, "line {}: {labels:?}", 9 + k);
    }
    assert!(page.body.ends_with("ripen fully."), "{}", page.body);
}

#[test]
fn numbered_steps_are_no_dated_list() {
    // A text whose one-sentence steps, each about something else, are numbered: "2." is no
    // date, and the steps stay the article's.
    let steps = [
        "Sift the flour, the cornflour and the sugar into a large bowl and make a well in the middle.",
        "Rub the cold butter into the dry ingredients with your fingertips until it looks like sand.",
        "Beat the egg with a pinch of salt and pour it slowly into the well while you stir.",
        "Knead the dough briefly on a floured board, then wrap it and chill it for an hour.",
        "Roll small balls, press each one flat with a fork and bake them for twelve minutes.",
        "Melt the chocolate over warm water and dip half of every biscuit into it once cool.",
    ];
    let mut lines = vec!["Butter biscuits dipped in chocolate", "These crumbly biscuits keep for a week in a tin, and children love to help with the last step of the recipe."];
    for (k, step) in steps.iter().enumerate() {
        lines.push(["1.", "2.", "3.", "4.", "5.", "6."][k]);
        lines.push(step);
    }
    let page = Segmenter::default().segment(&lines.join("\n"));
    for (i, l) in page.lines.iter().enumerate() {
        if steps.contains(&lines[i]) {
            assert_eq!(l.label, Label::Body, "{:?}", page.lines);
        }
    }
}

/// The sample page's headline, lede and article, then a list of stories laid out as headline
/// and lede pairs, then `tail`.
fn article_then_pairs(tail: &[&'static str]) -> Vec<&'static str> {
    let mut lines: Vec<&str> = SAMPLE.lines().take(9).collect();
    lines.extend([
        "Paper mill fire forces evacuation",
        "A fire at a paper mill on the coast forced the evacuation of two hundred staff on Tuesday, firefighters said.",
        "Football team to tour South America",
        "The national football team will play two friendly matches in South America in June, the federation announced.",
        "Museum returns carved masks",
        "A museum in the capital has returned a collection of carved masks to the island community they were taken from.",
        "Climbers rescued from glacier",
        "Two climbers were rescued from a glacier in the southern mountains after a night in a snow cave, police said.",
        "Interest rates left unchanged",
        "The central bank left interest rates unchanged on Thursday but signalled that a cut could come before winter.",
        "New bridge opens to cyclists",
        "A new bridge linking the two halves of the old town opened to cyclists and pedestrians at the weekend.",
    ]);
    lines.extend(tail);
    lines
}

#[test]
fn a_list_of_headlines_and_ledes_after_the_article_is_teasers_and_ends_the_body() {
    // Sentences after the list that no rule knows: the run must not reach past the list for
    // them.
    let tail = ["Our reporters answer questions from readers every Friday afternoon.", "Tell us what you make of these stories in the box below."];
    let lines = article_then_pairs(&tail);
    let page = Segmenter::default().segment(&lines.join("\n"));
    for i in 9..21 {
        let want = if (i - 9) % 2 == 0 { Label::Headline } else { Label::Teaser };
        assert_eq!(page.lines[i].label, want, "line {i}: {:?}", page.lines[i]);
    }
    for i in 21..23 {
        assert_ne!(page.lines[i].label, Label::Body, "line {i}: {:?}", page.lines[i]);
    }
    assert!(page.body.ends_with("ripen fully."), "{}", page.body);
    assert_eq!(page.teasers.iter().filter(|t| t.headline.is_some() && t.lede.is_some()).count(), 7, "{:?}", page.teasers);
}

#[test]
fn a_blurb_list_broken_by_short_fragments_is_still_a_list() {
    // Some items of a list of other stories are cut to a short sentence ("Storm warning for
    // the coast."): too short to read as a blurb, but not title-shaped either. They break the
    // row into pieces each too short for a list; the list pass must read over them.
    let mut lines: Vec<&str> = SAMPLE.lines().take(9).collect();
    lines.extend([
        "A fire at a paper mill on the coast forced the evacuation of two hundred staff on Tuesday, firefighters said.",
        "The national football team will play two friendly matches in South America in June, the federation announced.",
        "A museum in the capital has returned a collection of carved masks to the island community they were taken from.",
        "Two climbers were rescued from a glacier in the southern mountains after a night in a snow cave, police said.",
        "Storm warning for the coast.",
        "The central bank left interest rates unchanged on Thursday but signalled that a cut could come before winter.",
        "A new bridge linking the two halves of the old town opened to cyclists and pedestrians at the weekend.",
        "The country's oldest lighthouse keeper retired on Friday after fifty-one years of service on the northern cape.",
        "Rail strike called off.",
        "Scientists have found a colony of rare orchids on a roundabout outside the airport, the wildlife trust said.",
        "A chess prodigy aged eleven beat three grandmasters in a row at the national championship in the capital.",
        "Our reporters answer questions from readers every Friday afternoon.",
        "Tell us what you make of these stories in the box below.",
    ]);
    let page = Segmenter::default().segment(&lines.join("\n"));
    assert!(page.body.ends_with("ripen fully."), "{}", page.body);
    for i in 9..lines.len() {
        assert_ne!(page.lines[i].label, Label::Body, "line {i}: {:?}", page.lines[i]);
    }
}

#[test]
fn an_article_with_sub_heads_between_its_one_sentence_paragraphs_stays_body() {
    // Sub-heads between one-sentence paragraphs of one story: no list of stories, since the
    // paragraphs share the story's names and terms.
    let lines = [
        "Harbour city votes to rebuild its old tram network",
        "Councillors in the harbour city approved a plan on Monday to rebuild the tram network that was torn up in the 1960s.",
        "The vote",
        "The harbour city council voted twenty-one to nine for the tram plan after a debate that lasted most of the evening.",
        "The cost",
        "The tram plan will cost the harbour city about four hundred million over ten years, the council's finance office said.",
        "The route",
        "The first tram line will run from the harbour station to the university, along the route of the old network.",
        "The critics",
        "Opponents on the council said the harbour city should spend the tram money on buses, which can change their routes.",
        "The timetable",
        "Work on the first tram line is due to start next spring, and the council hopes to run the first trams within four years.",
        "What comes next",
        "The harbour city will now ask the national government to pay part of the cost of the tram network, the mayor said.",
    ];
    every_other_line_is_body(&lines);
}

#[test]
fn a_list_of_headline_and_lede_pairs_after_the_article_is_not_body() {
    // Other stories printed as headline and lede, the ledes of two sentences: too few and too
    // long for a blurb list, but the headlines' words recur in the line under them (all but
    // one, which words its story otherwise; one lede is its headline again) and each pair is
    // about another story. Above the list, a header the row must not take for a headline with
    // the first headline as its lede.
    let mut lines: Vec<&str> = SAMPLE.lines().take(9).collect();
    lines.push("Latest regional headlines");
    let article = lines.len();
    lines.extend([
        "Fire forces evacuation of coastal paper mill",
        "A fire at a paper mill on the coast forced the evacuation of two hundred staff on Tuesday. Firefighters said nobody was hurt.",
        "Sunshine at last for the weekend",
        "Forecasters expect the first dry days since March across the south. Temperatures could reach twenty degrees.",
        "Museum returns carved masks to island community",
        "A museum in the capital has returned a collection of carved masks to the island community they were taken from. The masks left the island in 1911.",
        "Council approves night ferry to the lighthouse quay",
        "Council approves night ferry to the lighthouse quay",
        "Climbers rescued from southern glacier",
        "Two climbers were rescued from a glacier in the southern mountains after a night in a snow cave. Police said both were well.",
        "Chess prodigy beats three grandmasters",
        "A chess prodigy aged eleven beat three grandmasters in a row at the national championship. She plays the final on Sunday.",
    ]);
    let page = Segmenter::default().segment(&lines.join("\n"));
    assert!(page.body.ends_with("ripen fully."), "{}", page.body);
    for (i, text) in lines.iter().enumerate().skip(article) {
        assert_ne!(page.lines[i].label, Label::Body, "line {i}: {:?}", page.lines[i]);
        // A headline printed twice is two title-shaped lines, a `list-item` pair.
        if !text.starts_with("Council") {
            let want = if (i - article) % 2 == 0 { Label::Headline } else { Label::Teaser };
            assert_eq!(page.lines[i].label, want, "line {i}: {:?}", page.lines[i]);
        }
    }
}

#[test]
fn sub_heads_that_echo_their_paragraphs_in_one_story_stay_body() {
    // Sub-heads whose words recur in the paragraph under them, pair after pair: one story,
    // so the pairs share its terms and make no list of stories.
    let lines = [
        "Harbour city votes to rebuild its old tram network",
        "Councillors in the harbour city approved a plan on Monday to rebuild the tram network that was torn up in the 1960s.",
        "Tram vote splits harbour council",
        "The harbour council split twenty-one to nine on the tram vote after a debate that lasted most of the evening.",
        "Tram costs worry harbour critics",
        "Critics on the harbour council said the tram costs, about four hundred million over ten years, were too high.",
        "Tram route follows the old harbour line",
        "The first tram route will run from the harbour station to the university, along the line of the old network.",
        "Harbour trams due within four years",
        "Work on the first tram route is due to start next spring, and the harbour council hopes to run trams within four years.",
    ];
    every_other_line_is_body(&lines);
}

#[test]
fn sections_of_one_article_under_echoing_sub_heads_stay_body() {
    // An article in sections: each sub-head's words recur in the paragraph under it, and the
    // sections word the story differently enough that neighbouring pairs share few words (as
    // inflected and compound words do). A lede of a list of stories is a sentence or two; a
    // section is a paragraph of several.
    let lines = [
        "Island court upholds fines against lawyer",
        "A lawyer who would not cover his face on the island has lost both of his appeals. The regional court ruled on Tuesday. Its decision cannot be challenged.",
        "Ferry rules ignored twice",
        "Last November the island ordered passengers to cover mouth and nose on every ferry. He ignored the rules twice, and officers wrote him a ticket. He called them unlawful.",
        "Ticket contested before district judge",
        "He contested the ticket before the district judge in March. The judge asked him to cover his face during the hearing. He refused again and was fined for contempt.",
        "Regional court finds both penalties lawful",
        "Both penalties were lawful, the regional court found. The island had the power to order face coverings. A courtroom may require them as well.",
        "Defendant may not defend himself",
        "Nor could he act for himself while accused, the judges added. Defendant and defence counsel are two roles that one person cannot hold at once.",
    ];
    every_other_line_is_body(&lines);
}

#[test]
fn questions_and_their_short_answers_stay_body() {
    // An FAQ or an interview: each question's words recur in the answer under it, the
    // answers are a sentence or two, and each pair asks about something else. A question and
    // its answer echo each other by nature; that is no sign of a list of stories.
    let lines = [
        "Passport renewals: what changes in January",
        "From January, adults can renew their passports online; the paper form remains for children. Here are the answers to the questions readers asked most.",
        "How long does an online renewal take?",
        "An online renewal takes about two weeks from the day the photo is approved.",
        "What does the new fee cover?",
        "The new fee of 75 euros will cover the booklet, the photo check and tracked delivery.",
        "Can I travel while my application is pending?",
        "You can travel abroad while an application is pending, on your current passport until it expires.",
        "Who still has to apply in person?",
        "Applicants under sixteen and anyone whose name has changed must still apply in person at a town hall.",
    ];
    every_other_line_is_body(&lines);
}
