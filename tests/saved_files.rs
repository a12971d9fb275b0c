//! Saved files (issue 7): a profile or dedup index file cut at any byte, or with any one byte
//! changed, or with bytes appended, is refused with `Error::InvalidFile`, never read as a
//! different profile or index, and never a panic. Both formats end with an xxh3-64 checksum.

use newsclean::dedup::index::DedupIndex;
use newsclean::dedup::{Keep, Options};
use newsclean::{Error, Profile};

/// Every prefix, every byte changed three ways, and one byte appended: all refused.
fn assert_every_damage_is_refused(name: &str, good: &[u8], read: impl Fn(&[u8]) -> Result<(), Error>) {
    read(good).unwrap_or_else(|e| panic!("{name}: the good file does not load: {e}"));
    let refused = |bytes: &[u8], what: &str| match read(bytes) {
        Err(Error::InvalidFile { message }) => assert!(!message.is_empty()),
        other => panic!("{name}: {what}: {other:?}"),
    };
    for cut in 0..good.len() {
        refused(&good[..cut], &format!("cut at byte {cut}"));
    }
    let mut bad = good.to_vec();
    for at in 0..good.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            bad[at] ^= flip;
            refused(&bad, &format!("byte {at} xor {flip:#04x}"));
            bad[at] ^= flip;
        }
    }
    bad.push(b'\n');
    refused(&bad, "a byte appended");
}

#[test]
fn damaged_profile_files_are_refused() {
    let pages: Vec<(Option<&str>, String)> = (0..12)
        .map(|i| (Some(if i % 3 == 0 { "a.example" } else { "b.example" }), format!("Home\nStory {i} about the harbour and the ferry.\nShare on X\nMost read")))
        .collect();
    let mut profile = Profile::learn(&pages, Some(2)).unwrap();
    profile.prune(2);
    let mut bytes = Vec::new();
    profile.write_to(&mut bytes).unwrap();
    assert_every_damage_is_refused("profile", &bytes, |b| Profile::read_from(&mut &b[..]).map(|p| assert_eq!(p, profile)));
}

#[test]
fn damaged_dedup_index_files_are_refused() {
    let mut index = DedupIndex::new(Options { num_perm: 16, ..Options::default() }).unwrap();
    let texts = [
        Some("The city council approved the new budget on Monday after a debate that lasted six hours"),
        Some("THE CITY COUNCIL approved the new budget on Monday, after a debate that lasted six hours!"),
        None,
        Some("Fishermen in the harbour reported record catches of herring this spring"),
    ];
    index.add(&texts, Some(vec!["a".into(), "b".into(), "c".into(), "d".into()]), &Keep::First, Some(1)).unwrap();
    let bytes = index.to_bytes();
    assert_every_damage_is_refused("index", &bytes, |b| DedupIndex::from_bytes(b).map(|i| assert_eq!(i.to_bytes(), bytes)));
    // The golden file of format version 2, which both test suites load.
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let golden = std::fs::read(format!("{fixtures}/dedup_index_v2.ncdedup")).unwrap();
    assert_every_damage_is_refused("golden index", &golden, |b| DedupIndex::from_bytes(b).map(drop));
    // A version 1 file (other hashes) is refused with what to do, never read.
    let old = std::fs::read(format!("{fixtures}/dedup_index_v1.ncdedup")).unwrap();
    match DedupIndex::from_bytes(&old) {
        Err(Error::InvalidFile { message }) => assert!(message.contains("version 1") && message.contains("rebuild the index"), "{message}"),
        other => panic!("a version 1 index: {other:?}"),
    }
}
