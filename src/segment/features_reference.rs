//! The line scan and rule matching as they were before the scan fed the rules its hints
//! (phrase keys, whole-line key, separator count): the oracle that the fast path is tested
//! against (`features::tests`). Test code only.

//!
//! Only the byte loop and the rule matching are kept here: they are what changed. The word
//! bookkeeping (`Scan`) and the character helpers are the parent module's.

use super::{decode_at, fnv_step, joins_next, sentence_end, Content, LineFeatures, Scan};
use crate::rules::Rules;
use crate::text::is_unspaced_script;

/// Computes the features of one line in one pass over its bytes, appending its content
/// words to the page's `words` store. `buf` is scratch space.
#[must_use]
pub fn line_features_reference(line: &str, rules: &Rules, buf: &mut String, words: &mut Vec<u64>) -> LineFeatures {
    let mut f = LineFeatures::default();
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return f;
    }
    let bytes = trimmed.as_bytes();
    let mut w = Scan {
        in_word: false,
        hash: 0,
        bytes: 0,
        letters: 0,
        all_upper: true,
        all_digits: true,
        first_upper: false,
        first_cased: false,
        first_word: true,
        n_date_words: 0,
    };
    let mut run_len = 0usize; // alphanumeric characters since the last other character
    let mut upper_non_ascii = false;
    let mut seps = 0usize;
    let mut url = false;
    let first = words.len();
    let mut i = 0;
    let n = bytes.len();
    while i < n {
        let b = bytes[i];
        if b < 0x80 {
            // ASCII fast path.
            if b.is_ascii_alphanumeric() {
                run_len += 1;
                if !w.in_word {
                    w.start(b.is_ascii_uppercase(), b.is_ascii_alphabetic());
                }
                w.bytes += 1;
                w.hash = fnv_step(w.hash, b.to_ascii_lowercase());
                if b.is_ascii_alphabetic() {
                    w.letters += 1;
                    w.all_digits = false;
                    w.all_upper &= b.is_ascii_uppercase();
                }
            } else {
                if (b == b'\'' || b == b'-') && w.in_word && joins_next(trimmed, i + 1) {
                    w.hash = fnv_step(w.hash, b);
                    w.bytes += 1;
                } else {
                    w.finish(&mut f, words);
                }
                match b {
                    b'.' | b'!' | b'?' => {
                        if sentence_end(trimmed, i, run_len) {
                            f.n_sentences += 1;
                        }
                        if b == b'.' && i >= 3 && bytes[i - 3..i].eq_ignore_ascii_case(b"www") {
                            url = true;
                        }
                    }
                    b'|' => seps += 1,
                    b'/' if i >= 2 && &bytes[i - 2..i] == b":/" => url = true,
                    _ => {}
                }
                // A closing quote or bracket keeps the word before it for a mark after it
                // ("dismantled".).
                if !matches!(b, b'"' | b'\'' | b')' | b']') {
                    run_len = 0;
                }
            }
            i += 1;
            continue;
        }
        let (c, len) = decode_at(trimmed, i);
        if c.is_alphanumeric() {
            run_len += 1;
            if is_unspaced_script(c) {
                w.finish(&mut f, words);
                f.n_words += 1;
                f.unspaced = true;
            } else {
                if !w.in_word {
                    w.start(c.is_uppercase(), c.is_uppercase() || c.is_lowercase());
                }
                w.bytes += len;
                let mut tmp = [0u8; 4];
                for lc in c.to_lowercase() {
                    for &x in lc.encode_utf8(&mut tmp).as_bytes() {
                        w.hash = fnv_step(w.hash, x);
                    }
                }
                w.all_digits = false;
                if c.is_alphabetic() {
                    w.letters += 1;
                    if c.is_uppercase() {
                        upper_non_ascii = true;
                    } else {
                        w.all_upper = false;
                    }
                }
            }
        } else {
            if c == '’' && w.in_word && joins_next(trimmed, i + len) {
                let mut tmp = [0u8; 4];
                for &x in c.encode_utf8(&mut tmp).as_bytes() {
                    w.hash = fnv_step(w.hash, x);
                }
                w.bytes += len;
            } else {
                w.finish(&mut f, words);
            }
            match c {
                '。' | '！' | '？' => {
                    if i + len >= n || bytes[i + len] == b' ' {
                        f.n_sentences += 1;
                    }
                }
                '•' | '»' | '›' | '·' => seps += 1,
                _ => {}
            }
            if !matches!(c, '”' | '’' | '»') {
                run_len = 0;
            }
        }
        i += len;
    }
    w.finish(&mut f, words);
    let mine = &mut words[first..];
    mine.sort_unstable();
    let mut kept = 0;
    for k in 0..mine.len() {
        if k == 0 || mine[k] != mine[kept - 1] {
            mine[kept] = mine[k];
            kept += 1;
        }
    }
    words.truncate(first + kept);
    f.content = Content { start: u32::try_from(first).unwrap_or(u32::MAX), len: u32::try_from(kept).unwrap_or(0) };
    super::line_ends(&mut f, trimmed, seps, url);
    f.rule = rules.check_reference(trimmed, f.n_words, upper_non_ascii, buf);
    f.dateline = f.n_numeric > 0 && f.n_words <= 12 && f.n_numeric + w.n_date_words == f.n_words;
    f
}
