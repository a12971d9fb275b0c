//! Deduplication on arbitrary bytes (texts split on U+001E): clusters point at kept
//! representatives, each representative is its own cluster, links are symmetric in meaning
//! (both ends in one cluster), and the clusters are the same for 1 and 2 threads and for the
//! reversed input (up to the reversal). Also: reading arbitrary bytes as an index file
//! either works or fails cleanly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsclean::dedup::{dedup, index::DedupIndex, Keep, Options};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let texts: Vec<Option<&str>> = text.split('\u{1e}').map(|t| if t == "\u{1f}" { None } else { Some(t) }).collect();
    let opts = Options { ngram: 1 + data.first().map_or(0, |b| usize::from(b % 5)), ..Options::default() };
    let a = dedup(&texts, &opts, &Keep::First, Some(1)).expect("dedup");
    let b = dedup(&texts, &opts, &Keep::First, Some(2)).expect("dedup");
    assert_eq!(a, b, "thread count changed the result");
    assert_eq!(a.cluster.len(), texts.len());
    for (i, &r) in a.cluster.iter().enumerate() {
        assert!(a.keep[r], "text {i} points at {r}, which is not kept");
        assert_eq!(a.cluster[r], r, "a representative is its own cluster");
        assert_eq!(a.keep[i], r == i);
    }
    for l in &a.links {
        assert_eq!(a.cluster[l.a], a.cluster[l.b], "a link joins one cluster");
    }
    // The partition does not depend on the order (representatives may, with Keep::First).
    let mut rev = texts.clone();
    rev.reverse();
    let c = dedup(&rev, &opts, &Keep::First, Some(1)).expect("dedup");
    let n = texts.len();
    for i in 0..n {
        for j in (i + 1)..n.min(i + 8) {
            let same_fwd = a.cluster[i] == a.cluster[j];
            let same_rev = c.cluster[n - 1 - i] == c.cluster[n - 1 - j];
            assert_eq!(same_fwd, same_rev, "texts {i} and {j}: clusters depend on the order");
        }
    }
    let _ = DedupIndex::from_bytes(data);
});
