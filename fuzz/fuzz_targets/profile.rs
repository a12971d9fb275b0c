//! Profile learning and profile files on arbitrary bytes: pages (split on U+001E, a site
//! before a U+001F in each) give the same profile for 1 and 2 threads, in reverse order and
//! learned in two shards merged; a written profile reads back equal; and reading arbitrary
//! bytes as a profile file either works or fails cleanly, never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsclean::Profile;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let pages: Vec<(Option<&str>, &str)> = text
        .split('\u{1e}')
        .map(|p| match p.split_once('\u{1f}') {
            Some((site, page)) => (Some(site), page),
            None => (None, p),
        })
        .collect();
    let one = Profile::learn(&pages, Some(1)).expect("learn");
    let mut rev = pages.clone();
    rev.reverse();
    assert_eq!(Profile::learn(&rev, Some(2)).expect("learn"), one, "order or threads changed the profile");
    let mid = pages.len() / 2;
    let mut merged = Profile::learn(&pages[..mid], Some(1)).expect("learn");
    merged.merge(&Profile::learn(&pages[mid..], Some(2)).expect("learn"));
    assert_eq!(merged, one, "shards merged differ from one pass");
    let mut buf = Vec::new();
    one.write_to(&mut buf).expect("write to memory");
    assert_eq!(Profile::read_from(&mut buf.as_slice()).expect("read back"), one);
    let _ = Profile::read_from(&mut &data[..]);
});
