//! Line splitting, words and line keys on arbitrary bytes (decoded lossily): the lines
//! partition the input, words are pieces of their line, and folding a key gives the key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsclean::text::{char_count, fold_key, for_each_word, split_lines};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let lines = split_lines(&text);
    assert_eq!(lines.len(), text.split('\n').count());
    let mut chars = 0;
    for l in &lines {
        assert_eq!(l.start, chars);
        assert_eq!(char_count(l.text), l.text.chars().count());
        assert!(l.end >= l.start + l.text.chars().count());
        chars = l.end;
        let key = fold_key(l.text);
        assert_eq!(fold_key(&key), key, "fold_key is idempotent on {:?}", l.text);
        assert!(!key.starts_with(' ') && !key.ends_with(' ') && !key.contains("  "));
        let base = l.text.as_ptr() as usize;
        let mut last = 0;
        for_each_word(l.text, |w| {
            let at = w.as_ptr() as usize - base;
            assert!(!w.is_empty() && at >= last && at + w.len() <= l.text.len(), "words are ordered pieces of the line");
            last = at + w.len();
        });
    }
    assert_eq!(chars, text.chars().count());
});
