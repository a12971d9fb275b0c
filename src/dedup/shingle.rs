//! Normalisation and shingling, from raw strings.
//!
//! A text is normalised to NFKC, lower-cased, and every character that is not a letter, a
//! digit or a combining mark becomes a space; runs of spaces collapse, so the normalised text
//! is its words joined by single spaces. Shingles are word n-grams (default) or character
//! n-grams of the normalised text, each hashed to 64 bits with a hash that is the same on
//! every machine (xxh3 with a fixed seed), so saved indexes stay valid.

use unicode_normalization::UnicodeNormalization;
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

/// What a shingle is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Word n-grams (the default): robust to re-wrapping and punctuation changes.
    Word,
    /// Character n-grams of the normalised text: for short texts and unspaced scripts.
    Char,
}

/// Normalises `text`: NFKC, lower case, punctuation and symbols folded to spaces, whitespace
/// collapsed; the result is the words joined by single spaces (no leading or trailing space).
#[must_use]
pub fn normalize(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    // ASCII punctuation and spaces are starters that nothing composes with, so NFKC of the
    // whole text is NFKC of each piece between them. ASCII bytes are handled one by one; a
    // piece holding non-ASCII text is redone as a whole: as is when it passes the NFKC quick
    // check, else through NFKC.
    let mut pending = false;
    let (mut piece_in, mut piece_out, mut piece_pending) = (0, 0, false);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() {
            if pending && !out.is_empty() {
                out.push(b' ');
            }
            pending = false;
            out.push(b.to_ascii_lowercase());
            i += 1;
        } else if b.is_ascii() {
            pending = true;
            i += 1;
            (piece_in, piece_out, piece_pending) = (i, out.len(), pending);
        } else {
            let end = bytes[i..].iter().position(|c| c.is_ascii() && !c.is_ascii_alphanumeric()).map_or(bytes.len(), |p| i + p);
            out.truncate(piece_out);
            pending = piece_pending;
            let mut buf = [0u8; 4];
            let mut push = |c: char, out: &mut Vec<u8>| {
                if c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c) {
                    if pending && !out.is_empty() {
                        out.push(b' ');
                    }
                    pending = false;
                    if c.is_uppercase() {
                        for l in c.to_lowercase() {
                            out.extend_from_slice(l.encode_utf8(&mut buf).as_bytes());
                        }
                    } else {
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                } else {
                    pending = true;
                }
            };
            let piece = &text[piece_in..end];
            if unicode_normalization::is_nfkc_quick(piece.chars()) == unicode_normalization::IsNormalized::Yes {
                piece.chars().for_each(|c| push(c, &mut out));
            } else {
                piece.nfkc().for_each(|c| push(c, &mut out));
            }
            i = end;
        }
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The words of `normalize(text)`, each hashed (FNV-1a of its UTF-8 bytes, then [`mix64`]),
/// in one pass over the raw text without building the normalised string. Equal to hashing
/// each word of [`normalize`] with [`word_hash`].
#[must_use]
pub fn word_hashes(text: &str) -> Vec<u64> {
    let bytes = text.as_bytes();
    let mut words: Vec<u64> = Vec::with_capacity(bytes.len() / 5);
    let mut cur = FNV_OFFSET;
    let mut in_word = false;
    let mut piece_in = 0;
    let mut piece_words = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() {
            cur = (cur ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(FNV_PRIME);
            in_word = true;
            i += 1;
        } else if b.is_ascii() {
            if in_word {
                words.push(mix64(cur));
                cur = FNV_OFFSET;
                in_word = false;
            }
            i += 1;
            piece_in = i;
            piece_words = words.len();
        } else {
            // A piece with non-ASCII text: redo it from its start, as `normalize` does.
            let end = bytes[i..].iter().position(|c| c.is_ascii() && !c.is_ascii_alphanumeric()).map_or(bytes.len(), |p| i + p);
            words.truncate(piece_words);
            cur = FNV_OFFSET;
            in_word = false;
            let mut buf = [0u8; 4];
            let mut feed = |c: char| {
                if c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c) {
                    let mut add = |l: char| {
                        for &x in l.encode_utf8(&mut buf).as_bytes() {
                            cur = (cur ^ u64::from(x)).wrapping_mul(FNV_PRIME);
                        }
                    };
                    if c.is_uppercase() {
                        c.to_lowercase().for_each(&mut add);
                    } else {
                        add(c);
                    }
                    in_word = true;
                } else if in_word {
                    words.push(mix64(cur));
                    cur = FNV_OFFSET;
                    in_word = false;
                }
            };
            let piece = &text[piece_in..end];
            if unicode_normalization::is_nfkc_quick(piece.chars()) == unicode_normalization::IsNormalized::Yes {
                piece.chars().for_each(&mut feed);
            } else {
                piece.nfkc().for_each(&mut feed);
            }
            i = end;
        }
    }
    if in_word {
        words.push(mix64(cur));
    }
    words
}

/// The hash [`word_hashes`] gives a word of a normalised text.
#[must_use]
pub fn word_hash(word: &str) -> u64 {
    mix64(word.bytes().fold(FNV_OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)))
}

/// The exact-duplicate hash of a text whose words hash to `words` (order-sensitive).
#[must_use]
pub fn words_hash(words: &[u64]) -> u64 {
    let mut acc = 0x243f_6a88_85a3_08d3_u64;
    for &w in words {
        acc = (acc ^ w).wrapping_mul(FNV_PRIME).rotate_left(31);
    }
    mix64(acc ^ words.len() as u64)
}

/// Word `n`-gram hashes from word hashes; fewer than `n` words give one shingle of all of them.
#[must_use]
pub fn word_shingles(words: &[u64], n: usize) -> Vec<u64> {
    let n = n.max(1);
    if words.is_empty() {
        Vec::new()
    } else if words.len() <= n {
        vec![combine(words)]
    } else {
        words.windows(n).map(combine).collect()
    }
}

/// Exact-duplicate hash and shingle hashes of a raw text.
#[must_use]
pub fn text_shingles(text: &str, unit: Unit, n: usize) -> (u64, Vec<u64>) {
    match unit {
        Unit::Word => {
            let words = word_hashes(text);
            (words_hash(&words), word_shingles(&words, n))
        }
        Unit::Char => {
            let norm = normalize(text);
            (text_hash(&norm), shingles(&norm, unit, n))
        }
    }
}

/// The 64-bit hash of a normalised text, for exact duplicates.
#[must_use]
pub fn text_hash(normalized: &str) -> u64 {
    xxh3_64(normalized.as_bytes())
}

/// A 64-bit finaliser (a bijection with good avalanche: MurmurHash3's fmix64).
#[inline]
#[must_use]
pub const fn mix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The shingle hashes of a normalised text, in text order (repeats kept).
///
/// Word mode: every run of `n` consecutive words; a text with fewer than `n` words gives one
/// shingle of all its words; an empty text gives none. Char mode: every window of `n`
/// characters of the normalised text (spaces included), or the whole text if shorter.
#[must_use]
pub fn shingles(normalized: &str, unit: Unit, n: usize) -> Vec<u64> {
    let n = n.max(1);
    if normalized.is_empty() {
        return Vec::new();
    }
    match unit {
        Unit::Word => {
            let words: Vec<u64> = normalized.split(' ').map(word_hash).collect();
            word_shingles(&words, n)
        }
        Unit::Char => {
            let starts: Vec<usize> = normalized.char_indices().map(|(i, _)| i).chain(std::iter::once(normalized.len())).collect();
            let chars = starts.len() - 1;
            if chars <= n {
                return vec![xxh3_64_with_seed(normalized.as_bytes(), 0x6e63_6368)];
            }
            (0..=chars - n).map(|i| xxh3_64_with_seed(&normalized.as_bytes()[starts[i]..starts[i + n]], 0x6e63_6368)).collect()
        }
    }
}

/// Order-sensitive combination of word hashes into one shingle hash.
#[inline]
fn combine(words: &[u64]) -> u64 {
    let mut acc = 0x9e37_79b9_7f4a_7c15_u64 ^ words.len() as u64;
    for &w in words {
        acc = (acc ^ w).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(29);
    }
    mix64(acc)
}

/// The set of shingles (32-bit, sorted, distinct) used to verify candidate pairs exactly.
/// Two different shingles share a 32-bit value with probability 2⁻³², so a verified Jaccard
/// is exact up to about |A|·|B|·2⁻³² spurious matches (1e-4 for two 650-shingle texts).
#[must_use]
pub fn shingle_set(hashes: &[u64]) -> Vec<u32> {
    let mut set: Vec<u32> = hashes.iter().map(|&h| (h >> 32) as u32).collect();
    set.sort_unstable();
    set.dedup();
    set
}

/// `|a ∩ b|` for two sorted, distinct slices.
#[must_use]
pub fn intersection(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Jaccard similarity and the containment of the smaller set in the larger, exactly.
#[must_use]
pub fn similarity(a: &[u32], b: &[u32]) -> (f64, f64) {
    if a.is_empty() || b.is_empty() {
        return (0.0, 0.0);
    }
    let inter = intersection(a, b) as f64;
    let union = (a.len() + b.len()) as f64 - inter;
    (inter / union, inter / a.len().min(b.len()) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_table() {
        for (raw, want) in [
            ("Hello, World!", "hello world"),
            ("  a--b\t\nc  ", "a b c"),
            ("ＡＢＣ ﬁle", "abc file"),
            ("Café  crème", "café crème"),
            ("Straße", "straße"),
            ("", ""),
            ("...", ""),
            ("日本語のテキスト", "日本語のテキスト"),
            ("“Quoted” — text…", "quoted text"),
        ] {
            assert_eq!(normalize(raw), want, "{raw:?}");
        }
        // Decomposed and composed forms normalise alike.
        assert_eq!(normalize("Cafe\u{301}"), normalize("Café"));
    }

    #[test]
    fn fused_words_match_normalize() {
        for raw in [
            "Hello, World!  a--b\t\nc",
            "ＡＢＣ ﬁle Café Cafe\u{301} crème Straße ÉCOLE",
            "“Quoted” — text… it’s 3.5% of 日本語のテキスト, ok?",
            "Ünïcödé ☃ x\u{301}y ǅemal İstanbul",
            "",
            "...",
        ] {
            let want: Vec<u64> = normalize(raw).split(' ').filter(|w| !w.is_empty()).map(word_hash).collect();
            assert_eq!(word_hashes(raw), want, "{raw:?}");
        }
        assert_eq!(text_shingles("A b, c d e f!", Unit::Word, 5).1, shingles("a b c d e f", Unit::Word, 5));
        assert_eq!(text_shingles("A b", Unit::Word, 5).0, text_shingles("a, B!", Unit::Word, 5).0);
        assert_ne!(text_shingles("a b", Unit::Word, 5).0, text_shingles("b a", Unit::Word, 5).0);
    }

    #[test]
    fn word_shingles() {
        let s = shingles("a b c d e f", Unit::Word, 5);
        assert_eq!(s.len(), 2);
        assert_eq!(shingles("a b", Unit::Word, 5).len(), 1);
        assert!(shingles("", Unit::Word, 5).is_empty());
        // Order matters inside a shingle.
        assert_ne!(shingles("a b", Unit::Word, 2), shingles("b a", Unit::Word, 2));
        assert_eq!(shingles("x a b", Unit::Word, 2)[1], shingles("a b", Unit::Word, 2)[0]);
    }

    #[test]
    fn char_shingles() {
        assert_eq!(shingles("abcd", Unit::Char, 3).len(), 2);
        assert_eq!(shingles("日本語の", Unit::Char, 2).len(), 3);
        assert_eq!(shingles("ab", Unit::Char, 3).len(), 1);
    }

    #[test]
    fn exact_similarity() {
        let a = [1, 2, 3, 4];
        let b = [3, 4, 5, 6];
        let (j, c) = similarity(&a, &b);
        assert!((j - 2.0 / 6.0).abs() < 1e-12);
        assert!((c - 0.5).abs() < 1e-12);
        assert_eq!(similarity(&a, &[]), (0.0, 0.0));
        assert_eq!(similarity(&[1, 2], &[1, 2, 3, 4]).1, 1.0);
    }
}
