//! Segmentation of arbitrary bytes (decoded lossily, as a scraper would): no panic, and every
//! documented invariant of the page holds (spans partition the input, the body is the body
//! lines, reasons are documented), for the default rules and through the thread pool.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use newsclean::{parallel, Segmenter};

#[path = "../../tests/support/invariants.rs"]
mod invariants;

fn segmenter() -> &'static Segmenter {
    static SEG: OnceLock<Segmenter> = OnceLock::new();
    SEG.get_or_init(Segmenter::default)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let page = segmenter().segment(&text);
    invariants::check_page(&page, &text);
    // The same page through a batch, split at the input's first NUL: every part is a page.
    if data.first() == Some(&0) {
        let parts: Vec<Option<&str>> = text.split('\0').map(Some).collect();
        let batch = parallel::segment_batch(segmenter(), &parts, Some(2)).expect("pool");
        for (part, got) in parts.iter().zip(&batch) {
            assert_eq!(got.as_ref(), Some(&segmenter().segment(part.unwrap())));
        }
    }
});
