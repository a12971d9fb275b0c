use super::extract::{Item, Words};
use super::*;
use crate::dedup::shingle::normalize;
use crate::segment::{Label, Line, Page};

/// The invented stories of `tests/fixtures/teaser_stories.txt`: (title, paragraphs).
fn stories() -> Vec<(String, Vec<String>)> {
    let raw = include_str!("../../tests/fixtures/teaser_stories.txt");
    raw.split("\n\n")
        .map(|b| b.lines().filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect::<Vec<_>>())
        .filter(|l| !l.is_empty())
        .map(|mut l| {
            let title = l.remove(0);
            (title, l)
        })
        .collect()
}

/// A story's blurb: the first sentence of its first paragraph.
fn blurb(paras: &[String]) -> String {
    let p = &paras[0];
    let end = p.find(". ").map_or(p.len(), |i| i + 1);
    p[..end].to_string()
}

/// The first paragraph cut after about 90 bytes, with an ellipsis.
fn cut(p: &str) -> String {
    let mut end = 90.min(p.len());
    while !p.is_char_boundary(end) {
        end -= 1;
    }
    let head = &p[..end];
    let head = head.rsplit_once(' ').map_or(head, |(a, _)| a);
    format!("{}...", head.trim_end_matches([',', ';', ':']))
}

/// A news page: menu, a featured story (headline and cut-off lede), a date, the article, a
/// list of blurbs (one sentence each) and the footer.
fn page(article: &[String], featured: Option<(&str, &str)>, blurbs: &[String]) -> String {
    let mut lines: Vec<String> = ["Home", "World", "Sport", "Culture"].iter().map(|s| s.to_string()).collect();
    if let Some((title, lede)) = featured {
        lines.push(title.to_string());
        lines.push(lede.to_string());
    }
    lines.push("12 March 2024, 09:30".into());
    lines.extend(article.iter().cloned());
    if !blurbs.is_empty() {
        lines.push("More stories".into());
        lines.extend(blurbs.iter().cloned());
    }
    lines.extend(["Subscribe to our newsletter", "Share on Facebook", "© 2024 Example News. All rights reserved."].iter().map(|s| s.to_string()));
    lines.join("\n")
}

/// Twelve pages: page `i` carries story `i`, features story `i + 1` and lists the blurbs of
/// the six stories after it.
fn crawl() -> (Vec<String>, Vec<DocId>) {
    let st = stories();
    let n = st.len();
    assert_eq!(n, 12);
    let texts = (0..n)
        .map(|i| {
            let f = &st[(i + 1) % n];
            let lede = cut(&f.1[0]);
            let list: Vec<String> = (2..8).map(|k| blurb(&st[(i + k) % n].1)).collect();
            page(&st[i].1, Some((&f.0, &lede)), &list)
        })
        .collect();
    let ids = (0..n).map(|i| DocId::Name(format!("p{i}"))).collect();
    (texts, ids)
}

fn inputs<'a>(texts: &'a [String], ids: &'a [DocId]) -> Vec<Input<'a>> {
    texts.iter().zip(ids).map(|(t, id)| Input { text: Some(t), site: None, id: Some(id) }).collect()
}

fn run(texts: &[String], ids: &[DocId], threads: usize) -> Vec<Row> {
    catalogue(&Segmenter::default(), &inputs(texts, ids), None, &Options::default(), Some(threads)).unwrap()
}

fn name(i: usize) -> DocId {
    DocId::Name(format!("p{i}"))
}

#[test]
fn every_story_is_one_row_linked_to_its_page() {
    let st = stories();
    let (texts, ids) = crawl();
    let rows = run(&texts, &ids, 2);
    assert_eq!(rows.len(), st.len(), "{:#?}", rows.iter().map(|r| &r.text).collect::<Vec<_>>());
    for (i, (title, paras)) in st.iter().enumerate() {
        let b = blurb(paras);
        let row = rows.iter().find(|r| r.text.as_deref() == Some(b.as_str())).unwrap_or_else(|| panic!("no row for story {i}"));
        // Featured on page i - 1 (headline and cut lede), listed on pages i - 2 ... i - 7.
        assert_eq!(row.n_pages, 7, "story {i}: {:?}", row.pages);
        assert!(!row.truncated);
        assert_eq!(row.variants, vec![cut(&paras[0])], "story {i}");
        assert_eq!(row.headline.as_deref(), Some(title.as_str()));
        assert_eq!(row.article, Some(name(i)));
        assert!(row.article_score.is_some_and(|s| s >= 0.99), "{:?}", row.article_score);
        assert!(row.pages.iter().all(|(p, _)| *p != name(i)), "a page never teases itself");
    }
    // Rows are in first-seen order, and teaser_id is the position.
    assert!(rows.windows(2).all(|w| w[0].first_seen <= w[1].first_seen));
    assert!(rows.iter().enumerate().all(|(k, r)| r.teaser_id == k));
}

#[test]
fn same_rows_for_any_thread_count_batch_split_and_order() {
    let (texts, ids) = crawl();
    let one = run(&texts, &ids, 1);
    assert_eq!(one, run(&texts, &ids, 3));
    // Streaming in uneven batches, two passes.
    let seg = Segmenter::default();
    let all = inputs(&texts, &ids);
    let mut c = Collector::new(Options::default()).unwrap();
    for part in all.chunks(5) {
        c.add(&seg, part, None, Some(2)).unwrap();
    }
    for part in all.chunks(7) {
        c.link(&seg, part, None, Some(1)).unwrap();
    }
    assert_eq!(c.finish(Some(2)).unwrap(), one);
    assert!(c.add(&seg, &all[..1], None, None).is_err(), "no pages after linking started");
    // Reversed pages: the same rows, up to ids, first_seen and the order of pages.
    let rt: Vec<String> = texts.iter().rev().cloned().collect();
    let ri: Vec<DocId> = ids.iter().rev().cloned().collect();
    let canon = |rows: Vec<Row>| {
        let mut v: Vec<_> = rows
            .into_iter()
            .map(|mut r| {
                r.pages.sort();
                (r.text, r.variants, r.headline, r.pages, r.n_pages, r.article, r.article_score.map(f64::to_bits))
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    assert_eq!(canon(run(&rt, &ri, 2)), canon(one));
}

#[test]
fn reworded_blurbs_join_and_other_stories_do_not() {
    let st = stories();
    let (mut texts, ids) = crawl();
    let original = blurb(&st[0].1);
    // Story 0 is listed on pages 5..=10. Two rewordings of my own: the same words in another
    // order with a clause dropped, and the same opening with the rest changed.
    let reordered = "Port Elmsby's council voted on Tuesday to rebuild the sea wall that collapsed during the January storms, after residents packed the town hall.";
    let same_opening = "The council of Port Elmsby voted on Tuesday to rebuild its harbour sea wall, destroyed in the January storms.";
    // A different story that opens the same way.
    let other = "The council of Port Elmsby voted on Tuesday to close the public swimming pool for repairs over the summer.";
    for (i, t) in [(6, reordered), (7, same_opening), (8, other)] {
        texts[i] = texts[i].replace(&original, t);
        let page = Segmenter::default().segment(&texts[i]);
        let line = page.lines.iter().find(|l| texts[i][l.bytes.clone()] == *t).unwrap();
        assert_eq!(line.label, Label::Teaser, "fixture: the segmenter must see the blurb on page {i}");
    }
    let rows = run(&texts, &ids, 2);
    let row = rows.iter().find(|r| r.text.as_deref() == Some(original.as_str())).unwrap();
    assert!(row.variants.iter().any(|v| v == reordered), "{:?}", row.variants);
    assert!(row.variants.iter().any(|v| v == same_opening), "{:?}", row.variants);
    assert!(!row.variants.iter().any(|v| v == other));
    let pool = rows.iter().find(|r| r.text.as_deref() == Some(other)).unwrap();
    assert_eq!(pool.article, None, "the corpus holds no article about the pool");
    assert_eq!(row.article, Some(name(0)));
}

#[test]
fn missing_articles_are_not_linked() {
    let (texts, ids) = crawl();
    // Drop the page of story 3: its blurb stays, without an article.
    let keep: Vec<usize> = (0..texts.len()).filter(|&i| i != 3).collect();
    let t: Vec<String> = keep.iter().map(|&i| texts[i].clone()).collect();
    let d: Vec<DocId> = keep.iter().map(|&i| ids[i].clone()).collect();
    let rows = run(&t, &d, 2);
    let b = blurb(&stories()[3].1);
    let row = rows.iter().find(|r| r.text.as_deref() == Some(b.as_str())).unwrap();
    assert_eq!(row.article, None);
    assert_eq!(rows.iter().filter(|r| r.article.is_some()).count(), 11);
}

#[test]
fn empty_and_missing_pages() {
    let seg = Segmenter::default();
    let none = [Input { text: None, site: None, id: None }, Input { text: Some(""), site: None, id: None }];
    assert!(catalogue(&seg, &none, None, &Options::default(), Some(1)).unwrap().is_empty());
    assert!(catalogue(&seg, &[], None, &Options::default(), Some(1)).unwrap().is_empty());
    assert!(Options { pair_threshold: 0.0, ..Options::default() }.validate().is_err());
    assert!(Options { stem_chars: 0, ..Options::default() }.validate().is_err());
    assert!(Collector::new(Options { link_threshold: 1.5, ..Options::default() }).is_err());
}

#[test]
fn stems_skip_function_words_and_fold_endings() {
    let o = Options::default();
    let a = Words::new("The negotiators AGREED on a deal.", &o);
    let b = Words::new("Negotiations: agreement...", &o);
    assert_eq!(a.stems[0], 0, "'the' is a function word");
    assert_eq!(a.stems[1], b.stems[0], "negot");
    assert_eq!(a.stems[2], b.stems[1], "agree");
    assert_eq!(extract::stem("a", 5), 0);
    assert_ne!(extract::stem("7", 5), 0);
}

/// The cluster of each form (a number shared by the forms of one story), clustered in text
/// order as the collector does.
fn clusters(forms: &[(&str, bool)]) -> (Vec<Prepared>, Vec<u32>) {
    let o = Options::default();
    let mut order: Vec<usize> = (0..forms.len()).collect();
    order.sort_by_key(|&i| (normalize(forms[i].0), forms[i].1));
    let mut p: Vec<Prepared> = order.iter().map(|&i| Prepared::new(&normalize(forms[i].0), forms[i].1, &o)).collect();
    cluster::weigh(&mut p);
    let roots = cluster::cluster_forms(&p, &o, Some(1)).unwrap();
    let mut out = vec![0; forms.len()];
    for (r, &i) in order.iter().enumerate() {
        out[i] = roots[r];
    }
    (p, out)
}

#[test]
fn cut_forms_join_their_only_full_form() {
    let (_, roots) = clusters(&[
        ("Pittsburgh", true),
        ("Pittsburgh Steelers beat the Ravens in overtime on Sunday night.", false),
        ("Make Your New", true),
        ("Make Your New Year's Resolution", false),
        ("St", false),
        ("St. Louis Blues win their fourth game in a row at home.", false),
        ("St. Joseph hospital opens a new wing for children.", false),
    ]);
    assert_eq!(roots[0], roots[1], "one full form: joined");
    assert_eq!(roots[2], roots[3], "a cut word starts the next word");
    assert!(roots[4] != roots[5] && roots[4] != roots[6] && roots[5] != roots[6], "two full forms: ambiguous, left alone");
    let (_, roots) = clusters(&[("Pittsburgh", true), ("Pittsburgh Steelers beat the Ravens.", false), ("Pittsburgh Pirates sign a new pitcher.", false)]);
    assert!(roots[0] != roots[1] && roots[0] != roots[2]);
    // The same words cut off and whole are one form, however many others start that way.
    let (_, roots) = clusters(&[("(AFP) [...]", true), ("(AFP)", false), ("(AFP) - Rain fell on the capital.", false), ("(AFP) - Markets rose.", false)]);
    assert_eq!(roots[0], roots[1]);
    assert!(roots[0] != roots[2] && roots[0] != roots[3] && roots[2] != roots[3]);
}

#[test]
fn tiny_forms_link_only_to_a_line_they_start_unambiguously() {
    let o = Options::default();
    let mut forms = vec![Prepared::new(&normalize("BAGHDAD, Jan."), false, &o), Prepared::new(&normalize("Starters?"), false, &o)];
    cluster::weigh(&mut forms);
    assert!(forms.iter().all(|f| f.tiny(&o)));
    let zone = |first: &str| Zone { first: Words::new(first, &o), lede: Words::new(first, &o), ..Zone::default() };
    let starts = zone("BAGHDAD, Jan. 13 -- The long-awaited bill passed the parliament after months of delay.");
    let (s, line) = link::form_score(&forms[0], &link::ZoneView::new(&starts), &o);
    assert_eq!(s, link::TINY_PREFIX_SCORE);
    assert!(line.is_some());
    assert_eq!(link::form_score(&forms[1], &link::ZoneView::new(&zone("Starters?")), &o).0, 1.0);
    assert_eq!(link::form_score(&forms[1], &link::ZoneView::new(&zone("Starters are the opening act.")), &o).0, link::TINY_PREFIX_SCORE);
    assert_eq!(link::form_score(&forms[1], &link::ZoneView::new(&zone("The starters were late.")), &o).0, 0.0);

    // Through a collector: one document starting with the short blurb links; two documents
    // that start differently make it ambiguous.
    let teaser_page = |c: &mut Collector| {
        let items = vec![Item { line: 3, lede: Some("BAGHDAD, Jan.".into()), ..Item::default() }];
        let id = DocId::Name("list".into());
        c.record(&[Input { text: Some(""), site: None, id: Some(&id) }], &[Some((items, None))]).unwrap();
    };
    let docs = |c: &mut Collector, lines: &[&str]| {
        let ids: Vec<DocId> = (0..lines.len()).map(|i| DocId::Number(i as i64)).collect();
        let zones: Vec<Zone> = lines.iter().map(|l| zone(l)).collect();
        let pages: Vec<Input<'_>> = ids.iter().map(|id| Input { text: Some(""), site: None, id: Some(id) }).collect();
        c.freeze(Some(1)).unwrap();
        c.link_zones(&pages, &zones.iter().map(Some).collect::<Vec<_>>(), Some(1)).unwrap();
        c.finish(Some(1)).unwrap()
    };
    let mut c = Collector::new(o.clone()).unwrap();
    teaser_page(&mut c);
    let rows = docs(&mut c, &["BAGHDAD, Jan. 13 -- The bill passed.", "Other news from the capital today."]);
    assert_eq!(rows[0].article, Some(DocId::Number(0)));
    let mut c = Collector::new(o.clone()).unwrap();
    teaser_page(&mut c);
    let rows = docs(&mut c, &["BAGHDAD, Jan. 13 -- The bill passed.", "BAGHDAD, Jan. 2 -- A car bomb exploded."]);
    assert_eq!(rows[0].article, None, "two articles start that way");
    // Two copies of one article are one article.
    let mut c = Collector::new(o.clone()).unwrap();
    teaser_page(&mut c);
    let rows = docs(&mut c, &["BAGHDAD, Jan. 13 -- The bill passed.", "BAGHDAD, Jan. 13 -- The bill passed."]);
    assert_eq!(rows[0].article, Some(DocId::Number(0)));
    // A whole-line match is ambiguous too when two articles carry the line above their body.
    let credit = |c: &mut Collector, bodies: &[&str]| {
        let items = vec![Item { line: 3, lede: Some("(AFP)".into()), ..Item::default() }];
        let id = DocId::Name("list".into());
        c.record(&[Input { text: Some(""), site: None, id: Some(&id) }], &[Some((items, None))]).unwrap();
        let ids: Vec<DocId> = (0..bodies.len()).map(|i| DocId::Number(i as i64)).collect();
        let zones: Vec<Zone> = bodies.iter().map(|b| Zone { pre: vec![Words::new("(AFP)", &o)], ..zone(b) }).collect();
        let pages: Vec<Input<'_>> = ids.iter().map(|id| Input { text: Some(""), site: None, id: Some(id) }).collect();
        c.freeze(Some(1)).unwrap();
        c.link_zones(&pages, &zones.iter().map(Some).collect::<Vec<_>>(), Some(1)).unwrap();
        c.finish(Some(1)).unwrap()
    };
    let mut c = Collector::new(o.clone()).unwrap();
    assert_eq!(credit(&mut c, &["Daniel Vettori put in a record performance."])[0].article, Some(DocId::Number(0)));
    let mut c = Collector::new(o.clone()).unwrap();
    assert_eq!(credit(&mut c, &["Daniel Vettori put in a record performance.", "Markets rose in Tokyo."])[0].article, None);
}

#[test]
fn headlines_without_a_lede_join_the_story_they_head() {
    let mut c = Collector::new(Options::default()).unwrap();
    let (a, b, d) = (DocId::Name("a".into()), DocId::Name("b".into()), DocId::Name("c".into()));
    let head = "Night buses return to the northern suburbs";
    let lede = "The city transport authority will restore the night bus routes to the northern suburbs next month.";
    let items = |h: Option<&str>, l: Option<&str>| vec![Item { line: 7, head: h.map(String::from), lede: l.map(String::from), ..Item::default() }];
    let pages = [Input { text: Some(""), site: None, id: Some(&a) }, Input { text: Some(""), site: None, id: Some(&b) }, Input { text: Some(""), site: None, id: Some(&d) }];
    c.record(&pages, &[Some((items(Some(head), Some(lede)), None)), Some((items(Some(head), None), None)), Some((items(Some("Other headline alone here"), None), None))]).unwrap();
    let rows = c.finish(Some(1)).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].headline.as_deref(), Some(head));
    assert_eq!(rows[0].text.as_deref(), Some(lede));
    assert_eq!(rows[0].pages, vec![(a, 7), (b, 7)]);
    assert_eq!(rows[1].text, None);
    assert_eq!(rows[1].headline.as_deref(), Some("Other headline alone here"));
}

#[test]
fn a_lone_title_above_a_lede_becomes_its_headline() {
    let text = "Laursen close to new deal\nAston Villa boss Martin O'Neill is upbeat about Martin Laursen agreeing a fresh contract.\nMarket prices fell again this week.";
    let lines: Vec<Line> = crate::text::split_lines(text)
        .iter()
        .map(|l| {
            let b0 = l.text.as_ptr() as usize - text.as_ptr() as usize;
            Line { bytes: b0..b0 + l.text.len(), start: l.start, end: l.end, label: Label::Teaser, reason: "blurb" }
        })
        .collect();
    let teasers = (0..3).map(|i| crate::segment::Teaser { headline: None, lede: Some(i), truncated: false }).collect();
    let page = Page { lines, teasers, body: String::new() };
    let (items, zone) = extract::page_items(text, &page, &Options::default(), true);
    // No body: the first prose line stands for the article's start.
    assert_eq!(zone.and_then(|z| z.prose).map(|w| w.words.len()), Some(15));
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].head.as_deref(), Some("Laursen close to new deal"));
    assert_eq!(items[0].line, 1);
    assert_eq!(items[1].head, None, "a sentence is not a title");
}
