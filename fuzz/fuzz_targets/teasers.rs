//! The teaser catalogue on arbitrary pages (bytes decoded lossily, pages split on U+001E, a
//! site before a U+001F in each, a page of just U+0018 is a missing page).
//!
//! The first byte picks the options: a profile learned from the pages (bit 0), page ids or
//! positions (bit 1), the thread count (bits 2-3); the second and third pick how the pages are
//! split into batches for the streaming `Collector` (one split for `add`, another for `link`).
//! Checked: no panic; the streamed catalogue equals the one-call `catalogue` (which runs on
//! another thread count); `teaser_id` is the row's position and rows are in `first_seen` order;
//! every occurrence names a page of the input at a line that page's segmentation shows as a
//! teaser's (headline or lede) line, in input order; `n_pages` is the number of distinct pages
//! among them and `first_seen` the first one's position; an article is a page of the input, not
//! one of the pages that show the blurb, scored in [0.75, 1]. And no teaser is lost: without
//! linking (`add` only, then `finish`) every teaser with words of every page is listed, or
//! merged into the lede below it (a title above its lede); with linking, each row is the
//! unlinked row of its story less the occurrences on its article's page (a page never teases
//! itself), and a row that vanished had all its occurrences on one page (its own article).
#![no_main]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use newsclean::teasers::{catalogue, Collector, DocId, Input, Options, Row};
use newsclean::{Profile, Segmenter};

fn segmenter() -> &'static Segmenter {
    static SEG: OnceLock<Segmenter> = OnceLock::new();
    SEG.get_or_init(Segmenter::default)
}

/// Split points for `n` pages from a byte: up to three cuts.
fn cuts(n: usize, seed: u8) -> Vec<usize> {
    let mut c: Vec<usize> = (0..usize::from(seed % 4)).map(|k| (usize::from(seed >> 2) * (k + 3)) % (n + 1)).collect();
    c.push(0);
    c.push(n);
    c.sort_unstable();
    c
}

fuzz_target!(|data: &[u8]| {
    let (&flags, rest) = data.split_first().unwrap_or((&0, &[]));
    let (&add_seed, rest) = rest.split_first().unwrap_or((&0, &[]));
    let (&link_seed, rest) = rest.split_first().unwrap_or((&0, &[]));
    let text = String::from_utf8_lossy(rest);
    let pages: Vec<(Option<&str>, Option<&str>)> = text
        .split('\u{1e}')
        .map(|p| {
            let (site, page) = match p.split_once('\u{1f}') {
                Some((s, p)) => (Some(s), p),
                None => (None, p),
            };
            (site, (page != "\u{18}").then_some(page))
        })
        .collect();
    let seg = segmenter();
    let profile = (flags & 1 == 1).then(|| {
        let learn: Vec<(Option<&str>, &str)> = pages.iter().filter_map(|&(s, t)| t.map(|t| (s, t))).collect();
        Profile::learn(&learn, Some(1)).expect("learn")
    });
    let with_ids = flags & 2 == 2;
    let threads = 1 + usize::from((flags >> 2) & 3);
    // Distinct ids that also encode the position: 10 * position, as numbers or names.
    let ids: Vec<DocId> = (0..pages.len()).map(|i| if i % 2 == 0 { DocId::Number(10 * i as i64) } else { DocId::Name(format!("{}", 10 * i)) }).collect();
    let inputs: Vec<Input<'_>> = pages.iter().zip(&ids).map(|(&(site, text), id)| Input { text, site, id: with_ids.then_some(id) }).collect();
    let position = |id: &DocId| -> usize {
        match id {
            DocId::Number(n) if with_ids => *n as usize / 10,
            DocId::Name(s) => s.parse::<usize>().expect("a name made above") / 10,
            DocId::Number(n) => *n as usize,
        }
    };
    let opts = Options::default();
    let one = catalogue(seg, &inputs, profile.as_ref(), &opts, Some(threads)).expect("catalogue");

    // Streamed in batches: the same rows.
    let mut c = Collector::new(opts.clone()).expect("options");
    for w in cuts(inputs.len(), add_seed).windows(2) {
        c.add(seg, &inputs[w[0]..w[1]], profile.as_ref(), Some(1 + threads % 3)).expect("add");
    }
    for w in cuts(inputs.len(), link_seed).windows(2) {
        c.link(seg, &inputs[w[0]..w[1]], profile.as_ref(), Some(2)).expect("link");
    }
    assert_eq!(c.finish(Some(1)).expect("finish"), one, "streaming differs from one call");

    // Each page's teaser lines, from its own segmentation.
    let teaser_lines: Vec<Vec<(Option<usize>, Option<usize>)>> = pages
        .iter()
        .map(|&(site, text)| {
            let Some(text) = text else { return Vec::new() };
            let sp = profile.as_ref().and_then(|p| p.site(site));
            seg.segment_with(text, sp).teasers.iter().map(|t| (t.headline, t.lede)).collect()
        })
        .collect();
    // The catalogue without links: the same stories, every occurrence kept.
    let mut c = Collector::new(opts.clone()).expect("options");
    c.add(seg, &inputs, profile.as_ref(), Some(threads)).expect("add");
    let bare = c.finish(Some(threads)).expect("finish");
    assert!(bare.iter().all(|r| r.article.is_none()));
    check_rows(&one, &pages, &teaser_lines, &position);
    check_rows(&bare, &pages, &teaser_lines, &position);
    // Linking only removes the occurrences on a story's article page.
    let key = |r: &Row| (r.text.clone(), if r.text.is_some() { None } else { r.headline.clone() }, r.variants.clone());
    let linked: BTreeMap<_, &Row> = one.iter().map(|r| (key(r), r)).collect();
    assert_eq!(linked.len(), one.len(), "one row per story");
    let mut found = 0;
    for u in &bare {
        match linked.get(&key(u)) {
            Some(r) => {
                found += 1;
                let article = r.article.as_ref().map(|a| position(a));
                let want: Vec<&(DocId, u32)> = u.pages.iter().filter(|(id, _)| Some(position(id)) != article).collect();
                assert_eq!(r.pages.iter().collect::<Vec<_>>(), want, "linking changed a story's occurrences beyond its article page");
            }
            None => assert_eq!(u.n_pages, 1, "a row vanished with occurrences on several pages: {u:?}"),
        }
    }
    assert_eq!(found, one.len(), "a linked row that the unlinked catalogue does not have");
    // No teaser lost (without links every occurrence stays).
    let listed: BTreeSet<(usize, usize)> = bare.iter().flat_map(|r| r.pages.iter().map(|(id, line)| (position(id), *line as usize))).collect();
    for (p, teasers) in teaser_lines.iter().enumerate() {
        let text = pages[p].1.unwrap_or("");
        let lines: Vec<&str> = text.split('\n').collect();
        let has_words = |i: Option<usize>| i.is_some_and(|i| lines[i].chars().any(char::is_alphanumeric));
        for (k, &(h, l)) in teasers.iter().enumerate() {
            if !has_words(h) && !has_words(l) {
                continue;
            }
            let line = l.or(h).expect("a teaser has a line");
            let merged_title = h.is_none() && teasers.get(k + 1).is_some_and(|n| n.0.is_none() && listed.contains(&(p, n.1.or(n.0).unwrap())));
            assert!(listed.contains(&(p, line)) || merged_title, "page {p}: the teaser at line {line} ({:?}) is in no row", lines[line]);
        }
    }
});

/// The invariants of one catalogue's rows (see the module docs).
fn check_rows(rows: &[Row], pages: &[(Option<&str>, Option<&str>)], teaser_lines: &[Vec<(Option<usize>, Option<usize>)>], position: &dyn Fn(&DocId) -> usize) {
    let mut last_first_seen = 0;
    for (k, row) in rows.iter().enumerate() {
        assert_eq!(row.teaser_id, k);
        assert!(row.first_seen >= last_first_seen, "rows are in first_seen order");
        last_first_seen = row.first_seen;
        assert!(!row.pages.is_empty());
        assert!(row.text.is_some() || (row.headline.is_some() && row.variants.is_empty() && !row.truncated));
        let mut seen = BTreeSet::new();
        let mut previous = None;
        for (id, line) in &row.pages {
            let p = position(id);
            let line = *line as usize;
            assert!(pages[p].1.is_some(), "an occurrence on a missing page");
            assert!(teaser_lines[p].iter().any(|&(h, l)| l.or(h) == Some(line)), "page {p} line {line} is not a teaser line of that page");
            assert!(previous < Some((p, line)), "occurrences are in input order");
            previous = Some((p, line));
            seen.insert(p);
        }
        assert_eq!(row.n_pages, seen.len(), "n_pages counts distinct pages");
        assert_eq!(row.first_seen as usize, position(&row.pages[0].0));
        match (&row.article, row.article_score) {
            (Some(a), Some(score)) => {
                let a = position(a);
                assert!(pages[a].1.is_some(), "the article is a page with text");
                assert!(!seen.contains(&a), "a page never teases itself");
                assert!((0.75 - 1e-9..=1.0 + 1e-9).contains(&score), "score {score}");
            }
            (None, None) => {}
            other => panic!("article and score disagree: {other:?}"),
        }
    }
}
