//! Properties that must hold for every input (issue 7): segmentation invents and loses nothing,
//! labels and reasons come from the documented set, the output does not depend on the thread
//! count, line keys are stable, and user rules either compile or are refused with an error.
//!
//! The generated texts mix arbitrary characters with fragments that stress the line model and
//! the decoder: CR, CRLF, U+2028, NUL, a BOM, right-to-left and CJK text, combining marks,
//! emoji, control characters, chrome labels and lines of prose. `PROPTEST_CASES` sets the
//! number of cases (256 by default); `bash scripts/fuzz.sh` runs the fuzz targets in `fuzz/`.

use newsclean::parallel;
use newsclean::text::{fnv1a, fold_hash, fold_key, split_lines};
use unicode_normalization::UnicodeNormalization;
use newsclean::{Label, Page, Rules, Segmenter};
use proptest::prelude::*;

#[path = "support/invariants.rs"]
mod invariants;
use invariants::check_page;

/// The built-in segmenter, built once (building the rule automata is the slow part of a case).
fn default_segmenter() -> &'static Segmenter {
    static SEG: std::sync::OnceLock<Segmenter> = std::sync::OnceLock::new();
    SEG.get_or_init(Segmenter::default)
}

/// Pieces of text that make the segmenter take its less common paths.
const FRAGMENTS: &[&str] = &[
    "\n", "\n", "\n", "\r\n", "\r", "\u{2028}", "\u{2029}", "\u{85}", "\0", "\u{feff}", " ", "\t", "  ",
    "\u{b}", "\u{c}", "\u{1b}[31m", "\u{7f}", "\u{200b}", "\u{200f}", "\u{202e}", "\u{fffd}",
    "e\u{301}", "Z\u{351}\u{352}\u{353}", "\u{301}", "İ", "ß", "ﬁ", "Ǆ", "½", "²", "٣", "Ⅻ",
    "المجلس وافق على الميزانية.", "המועצה אישרה את התקציב.", "市议会周一批准了预算。", "東京都は予算案を可決した。",
    "시의회는 예산안을 승인했다.", "ภาษาไทย", "😀", "👍🏽", "🇩🇪", "👩‍👩‍👧", "...", "…", "[...]", "|", " | ", "•", "»",
    "©", "http://example.com/x", "a@b.co", "Advertisement", "Share", "Read more", "Comments", "12 comments",
    "Leave the first comment", "Download our app from the App Store.", "We use cookies.", "Home | World | Sport",
    "Published March 3, 2024 at 6:34 am", "Lesen Sie auch:", "Подробнее",
    "The council approved the budget on Monday after a debate that lasted more than six hours.",
    "The mayor said the new budget would protect the libraries and the bus routes.",
    "Residents of the northern valley said the harvest came three weeks early this year.",
    "Apple growers fear the late frost will ruin the crop...",
    "Storm Closes Schools Across the Region",
    "Police investigate break-in at the city museum.",
];

/// One piece of generated text: a fragment, an arbitrary character, or a short run of ASCII.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(FRAGMENTS).prop_map(str::to_owned),
        2 => any::<char>().prop_map(String::from),
        1 => prop::collection::vec(0x20u8..0x7f, 0..12).prop_map(|b| String::from_utf8(b).expect("ASCII")),
    ]
}

/// A page of text: up to `max` pieces glued together.
fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..max).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn segmentation_invents_and_loses_nothing(text in text(80)) {
        let page = default_segmenter().segment(&text);
        check_page(&page, &text);
        prop_assert_eq!(&default_segmenter().segment(&text), &page, "deterministic");
    }

    #[test]
    fn split_lines_partitions_the_input(text in text(40)) {
        let lines = split_lines(&text);
        prop_assert_eq!(lines.len(), text.split('\n').count());
        let mut chars = 0;
        for l in &lines {
            prop_assert_eq!(l.start, chars);
            prop_assert!(l.end >= l.start + l.text.chars().count());
            chars = l.end;
        }
        prop_assert_eq!(chars, text.chars().count());
    }

    #[test]
    fn batches_match_single_calls_for_any_thread_count(texts in prop::collection::vec(prop::option::weighted(0.9, text(30)), 0..24)) {
        let seg = default_segmenter();
        let single: Vec<Option<Page>> = texts.iter().map(|t| t.as_ref().map(|t| seg.segment(t))).collect();
        for threads in [1, 3] {
            let batch = parallel::segment_batch(seg, &texts, Some(threads)).unwrap();
            prop_assert_eq!(&batch, &single, "{} threads", threads);
        }
        // Order: the batch reversed gives the pages reversed.
        let rev: Vec<Option<String>> = texts.iter().rev().cloned().collect();
        let mut back = parallel::segment_batch(seg, &rev, Some(3)).unwrap();
        back.reverse();
        prop_assert_eq!(back, single);
    }

    #[test]
    fn fold_key_is_idempotent(text in text(20)) {
        let key = fold_key(&text);
        prop_assert_eq!(fold_key(&key), key.clone(), "fold_key(fold_key(x)) == fold_key(x)");
        prop_assert!(!key.starts_with(' ') && !key.ends_with(' ') && !key.contains("  "));
        // The whole-line table's hash folds the same way on normalised text.
        let nfkc: String = text.nfkc().collect();
        prop_assert_eq!(fold_hash(&nfkc), fnv1a(fold_key(&nfkc).as_bytes()));
    }

    #[test]
    fn user_rules_compile_or_are_refused(
        phrases in prop::collection::vec(text(4), 0..3),
        patterns in prop::collection::vec(regex_like(), 0..3),
        page in text(30),
    ) {
        match Rules::new(&phrases, &patterns) {
            Ok(rules) => check_page(&Segmenter::new(rules).segment(&page), &page),
            Err(newsclean::Error::InvalidPattern { list, index, pattern, message }) => {
                // The error names the rule the user gave (list and index) and says why.
                let given = if list == "phrases" { &phrases } else { &patterns };
                prop_assert_eq!(given.get(index), Some(&pattern));
                prop_assert!(!message.is_empty());
            }
            Err(newsclean::Error::InvalidOption { name, message }) => {
                prop_assert!(name == "phrases" || name == "patterns");
                prop_assert!(message.contains("together"));
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }
}

/// Strings that look like regular expressions, valid or not.
fn regex_like() -> impl Strategy<Value = String> {
    const ATOMS: &[&str] = &[
        "a", "b", "x", "Photo", " ", ".", "^", "$", "*", "+", "?", "|", "(", ")", "[", "]", "{", "}", "{2}", "{1,3}",
        "{1000}", "{0,}", "\\", "\\b", "\\d", "\\w", "\\s", "\\p{L}", "\\p{Han}", "\\pZ", "(?i)", "(?x)", "(?=", "\\1",
        "[^a-z]", "[[:alpha:]]", "\\x{10FFFF}", "\\u{d800}", "(?P<n>", "日", "é", "\n", "\0",
    ];
    prop::collection::vec(
        prop_oneof![4 => prop::sample::select(ATOMS).prop_map(str::to_owned), 1 => any::<char>().prop_map(String::from)],
        0..10,
    )
    .prop_map(|v| v.concat())
}

#[test]
fn fold_key_is_idempotent_on_every_character() {
    // Every Unicode scalar value alone, and after a letter (combining marks attach to it).
    for c in (0..=0x10_FFFFu32).filter_map(char::from_u32) {
        for s in [c.to_string(), format!("a{c}")] {
            let key = fold_key(&s);
            assert_eq!(fold_key(&key), key, "U+{:04X}", c as u32);
        }
    }
}

#[test]
fn huge_single_line_and_many_empty_lines() {
    // Linear in the input: a 10 MB line and a million empty lines segment in well under a
    // second each in release builds (the 100 MB case is in tests/test_bad_input.py, marked slow).
    let seg = default_segmenter();
    let line = "The council approved the budget after a long debate. ".repeat(200_000);
    let page = seg.segment(&line);
    assert_eq!(page.lines.len(), 1);
    check_page(&page, &line);
    let empty = "\n".repeat(1_000_000);
    let page = seg.segment(&empty);
    assert_eq!(page.lines.len(), 1_000_001);
    assert!(page.lines.iter().all(|l| l.label == Label::Boilerplate && l.reason == "empty"));
    assert!(page.body.is_empty());
}

#[test]
fn long_lines_of_distinct_words_take_linear_time() {
    // A line's content words were deduplicated by a scan per word, and compared with another
    // line's by a scan per word: a 1 MB line of distinct words took seconds, a 100 MB one
    // hours. Three shapes: one long line, the same long sentence twice (an echo, compared in
    // the cohesion pass) and eight long one-sentence lines in a row (a blurb-list candidate).
    // Each took over 2 s at 80,000 words in release builds before the fix, about 0.1 s after;
    // the bound is loose for debug builds.
    let words = |n: usize, tag: &str| (0..n).map(|i| format!("{tag}{i:07}")).collect::<Vec<_>>().join(" ");
    let prose = "The council approved the budget on Monday after a debate that lasted more than six hours.\n";
    let n = 80_000;
    let long = words(n, "w");
    let pages = [
        long.clone(),
        format!("{}{long} end.\n{}{long} end.\n{}", prose.repeat(5), prose.repeat(3), prose.repeat(5)),
        prose.repeat(5) + &(0..8).map(|k| format!("{} end.\n", words(n / 8, &format!("t{k}x")))).collect::<String>(),
    ];
    for (i, text) in pages.iter().enumerate() {
        let started = std::time::Instant::now();
        let page = default_segmenter().segment(text);
        let took = started.elapsed();
        check_page(&page, text);
        assert!(took.as_secs() < 20, "page {i}: {took:?}");
    }
}

#[test]
fn a_panic_in_a_batch_reaches_the_caller_and_the_pool_survives() {
    // No input is known to make the core panic; if one did inside a batch, rayon hands the
    // panic to the calling thread (where pyo3 turns it into pyo3_runtime.PanicException, the
    // release profile unwinds), and the pool keeps working for the next call.
    let items: Vec<u32> = (0..64).collect();
    let caught = std::panic::catch_unwind(|| {
        parallel::map(&items, Some(3), |&i| {
            assert!(i != 17, "injected panic");
            i
        })
    });
    assert!(caught.is_err());
    assert_eq!(parallel::map(&items, Some(3), |&i| i * 2).unwrap(), items.iter().map(|i| i * 2).collect::<Vec<_>>());
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, cases: 64, ..ProptestConfig::default() })]

    /// The teaser catalogue takes any pages: every occurrence names a page of the input and a
    /// line it has, articles are pages of the input, and the rows do not depend on the thread
    /// count or on streaming the pages in two batches.
    #[test]
    fn teaser_catalogue_takes_any_pages(texts in prop::collection::vec(prop::option::weighted(0.9, text(40)), 0..12), split in 0usize..12) {
        use newsclean::teasers::{catalogue, Collector, DocId, Input, Options};
        // Pages repeat so that blurbs recur.
        let texts: Vec<Option<String>> = texts.iter().chain(texts.iter()).cloned().collect();
        let ids: Vec<DocId> = (0..texts.len()).map(|i| DocId::Number(i as i64 * 10)).collect();
        let pages: Vec<Input<'_>> = texts.iter().zip(&ids).map(|(t, id)| Input { text: t.as_deref(), site: None, id: Some(id) }).collect();
        let seg = default_segmenter();
        let one = catalogue(seg, &pages, None, &Options::default(), Some(1)).unwrap();
        prop_assert_eq!(&one, &catalogue(seg, &pages, None, &Options::default(), Some(3)).unwrap());
        let split = split.min(pages.len());
        let mut c = Collector::new(Options::default()).unwrap();
        c.add(seg, &pages[..split], None, Some(2)).unwrap();
        c.add(seg, &pages[split..], None, Some(2)).unwrap();
        c.link(seg, &pages[..split], None, Some(2)).unwrap();
        c.link(seg, &pages[split..], None, Some(2)).unwrap();
        prop_assert_eq!(&one, &c.finish(Some(2)).unwrap());
        for (k, row) in one.iter().enumerate() {
            prop_assert_eq!(row.teaser_id, k);
            prop_assert!(!row.pages.is_empty() && row.n_pages <= row.pages.len());
            for (id, line) in &row.pages {
                let DocId::Number(n) = id else { panic!("ids are numbers") };
                let text = texts[*n as usize / 10].as_deref().expect("a page with text");
                prop_assert!((*line as usize) < text.split('\n').count());
            }
            if let Some(DocId::Number(n)) = &row.article {
                prop_assert!(texts[*n as usize / 10].is_some());
                prop_assert!(row.article_score.is_some_and(|s| (0.75..=1.0).contains(&s)));
            }
        }
    }
}

/// Arrow arrays of arbitrary strings, built here the way a producer lays them out.
mod arrow_arrays {
    use std::ffi::c_void;

    use newsclean::arrow::{read_chunks, FfiArray, OwnedArray, StringLayout};

    /// The buffers of one array (owned) and the list of pointers to them.
    pub struct Built {
        _owned: Vec<Vec<u8>>,
        list: Vec<*const c_void>,
        length: usize,
        offset: usize,
        nulls: usize,
    }

    /// `values[offset..]` (bytes, UTF-8 or not) as an array of `layout` whose buffers start at
    /// value 0 (a slice, as `pyarrow.Array.slice` makes); `bitmap` false leaves the validity
    /// bitmap out when no value is null.
    pub fn build(layout: StringLayout, values: &[Option<Vec<u8>>], offset: usize, bitmap: bool) -> Built {
        let nulls = values[offset..].iter().filter(|v| v.is_none()).count();
        let mut validity = vec![0u8; values.len().div_ceil(8)];
        for (i, v) in values.iter().enumerate() {
            if v.is_some() {
                validity[i / 8] |= 1 << (i % 8);
            }
        }
        let mut owned = vec![if bitmap || nulls > 0 { validity } else { Vec::new() }];
        match layout {
            StringLayout::Utf8 | StringLayout::LargeUtf8 => {
                let (mut data, mut offsets) = (Vec::new(), Vec::new());
                let mut push = |o: usize| {
                    if layout == StringLayout::Utf8 {
                        offsets.extend_from_slice(&(o as i32).to_le_bytes());
                    } else {
                        offsets.extend_from_slice(&(o as i64).to_le_bytes());
                    }
                };
                push(0);
                for v in values {
                    // A null's slot holds junk bytes that no reader may return.
                    data.extend_from_slice(v.as_deref().unwrap_or(b"\xffnull"));
                    push(data.len());
                }
                owned.push(offsets);
                owned.push(data);
            }
            StringLayout::Utf8View => {
                // Long values spread over two data buffers.
                let (mut views, mut data) = (Vec::new(), [Vec::new(), Vec::new()]);
                for (i, v) in values.iter().enumerate() {
                    let s = v.as_deref().unwrap_or(b"");
                    let mut view = [0u8; 16];
                    view[..4].copy_from_slice(&(s.len() as i32).to_le_bytes());
                    if s.len() <= 12 {
                        view[4..4 + s.len()].copy_from_slice(s);
                    } else {
                        let buf = i % 2;
                        view[4..8].copy_from_slice(&s[..4]);
                        view[8..12].copy_from_slice(&(buf as i32).to_le_bytes());
                        view[12..16].copy_from_slice(&(data[buf].len() as i32).to_le_bytes());
                        data[buf].extend_from_slice(s);
                    }
                    views.extend_from_slice(&view);
                }
                let sizes: Vec<u8> = data.iter().flat_map(|d| (d.len() as i64).to_le_bytes()).collect();
                let [d0, d1] = data;
                owned.extend([views, d0, d1, sizes]);
            }
        }
        let list = owned.iter().enumerate().map(|(k, b)| if k == 0 && b.is_empty() { std::ptr::null() } else { b.as_ptr().cast() }).collect();
        Built { _owned: owned, list, length: values.len() - offset, offset, nulls }
    }

    /// The values of the arrays read as one chunked input.
    pub fn read(layout: StringLayout, arrays: &mut [Built]) -> Result<Vec<Option<String>>, newsclean::Error> {
        let chunks: Vec<OwnedArray> = arrays
            .iter_mut()
            .map(|a| {
                OwnedArray(FfiArray {
                    length: a.length as i64,
                    offset: a.offset as i64,
                    null_count: a.nulls as i64,
                    n_buffers: a.list.len() as i64,
                    buffers: a.list.as_mut_ptr(),
                    ..FfiArray::empty()
                })
            })
            .collect();
        // SAFETY: every header describes buffers of `arrays` (alive for the call), laid out as
        // `layout` says; no release callback, so dropping the chunks frees nothing.
        let got = unsafe { read_chunks(layout, &chunks) }?;
        Ok(got.into_iter().map(|v| v.map(str::to_owned)).collect())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    /// Any strings, in any of the three layouts, sliced and split into chunks: the Arrow reader
    /// gives exactly the strings back, nulls as `None`; a byte that breaks one value's UTF-8
    /// is an error naming that value's index counted over all chunks.
    #[test]
    fn arrow_reader_returns_exactly_the_strings(
        chunks in prop::collection::vec((prop::collection::vec(prop::option::weighted(0.8, text(6)), 0..12), 0usize..4, any::<bool>()), 1..4),
        layout in prop::sample::select(vec![newsclean::arrow::StringLayout::Utf8, newsclean::arrow::StringLayout::LargeUtf8, newsclean::arrow::StringLayout::Utf8View]),
        corrupt in any::<prop::sample::Index>(),
    ) {
        let mut chunks: Vec<(Vec<Option<Vec<u8>>>, usize, bool)> =
            chunks.into_iter().map(|(v, off, bitmap)| { let off = off.min(v.len()); (v.into_iter().map(|s| s.map(String::into_bytes)).collect(), off, bitmap) }).collect();
        let want: Vec<Option<String>> = chunks.iter().flat_map(|(v, off, _)| v[*off..].iter().map(|s| s.clone().map(|b| String::from_utf8(b).unwrap()))).collect();
        let build_all = |chunks: &[(Vec<Option<Vec<u8>>>, usize, bool)]| chunks.iter().map(|(v, off, bitmap)| arrow_arrays::build(layout, v, *off, *bitmap)).collect::<Vec<_>>();
        prop_assert_eq!(arrow_arrays::read(layout, &mut build_all(&chunks)).unwrap(), want.clone());
        // Break the UTF-8 of one non-empty value: a lone continuation byte for its first byte.
        let candidates: Vec<usize> = (0..want.len()).filter(|&i| want[i].as_deref().is_some_and(|s| !s.is_empty())).collect();
        if candidates.is_empty() {
            return Ok(());
        }
        let bad = candidates[corrupt.index(candidates.len())];
        let mut at = bad;
        for (v, off, _) in &mut chunks {
            if at < v.len() - *off {
                v[*off + at].as_mut().unwrap()[0] = 0x80;
                break;
            }
            at -= v.len() - *off;
        }
        let err = arrow_arrays::read(layout, &mut build_all(&chunks)).unwrap_err();
        prop_assert!(matches!(&err, newsclean::Error::InvalidArrowData { index: Some(i), .. } if *i == bad), "{}", err);
    }
}
