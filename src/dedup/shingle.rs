//! Normalisation and shingling, from raw strings.
//!
//! A text is normalised to NFKC, lower-cased, and every character that is not a letter, a
//! digit or a combining mark becomes a space; runs of spaces collapse, so the normalised text
//! is its words joined by single spaces. Shingles are word n-grams (default) or character
//! n-grams of the normalised text, each hashed to 64 bits by fixed functions (no per-process
//! or per-CPU seeds: word hashes 8 bytes a step, word shingles a polynomial of them, character
//! shingles xxh3 with a fixed seed), so saved indexes stay valid.

use std::sync::OnceLock;

use unicode_normalization::{IsNormalized, UnicodeNormalization};
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

/// What a shingle is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Word n-grams (the default): robust to re-wrapping and punctuation changes.
    Word,
    /// Character n-grams of the normalised text: for short texts and unspaced scripts.
    Char,
}

/// Receives the words of a text in order, from [`scan_words`].
trait Words {
    /// Word `bytes[start..end]`: ASCII letters and digits as in the text (not yet lower-cased),
    /// whose [`word_hash`] is `hash`.
    fn ascii(&mut self, bytes: &[u8], start: usize, end: usize, hash: u64);
    /// A word already normalised and lower-cased (UTF-8).
    fn folded(&mut self, word: &[u8]);
}

/// Byte classes of the scan: ASCII non-word, ASCII letter or digit, part of a non-ASCII char.
const SEP: u8 = 0;
const ALNUM: u8 = 1;
const HIGH: u8 = 2;

static BYTE_CLASS: [u8; 256] = {
    let mut t = [SEP; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = if i >= 128 {
            HIGH
        } else if (i as u8).is_ascii_alphanumeric() {
            ALNUM
        } else {
            SEP
        };
        i += 1;
    }
    t
};

/// Classes of non-ASCII characters. A *simple* character passes the NFKC quick check on its own
/// and is a starter (canonical combining class 0), so NFKC leaves it as it is and nothing
/// before it composes with it: the scan takes it as it comes. Any other is *complex*: the
/// piece of text around it goes through NFKC.
const COMPLEX: u8 = 0;
/// Simple, not a letter, digit or mark: a word boundary.
const SIMPLE_SEP: u8 = 1;
/// Simple word character that lower-casing leaves alone.
const SIMPLE_WORD: u8 = 2;
/// Simple upper-case word character.
const SIMPLE_UPPER: u8 = 3;

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

fn classify(c: char) -> u8 {
    if unicode_normalization::is_nfkc_quick(std::iter::once(c)) != IsNormalized::Yes || unicode_normalization::char::canonical_combining_class(c) != 0 {
        COMPLEX
    } else if !is_word_char(c) {
        SIMPLE_SEP
    } else if c.is_uppercase() {
        SIMPLE_UPPER
    } else {
        SIMPLE_WORD
    }
}

/// The class of a non-ASCII character: for the Basic Multilingual Plane from a table of 256
/// blocks of 256 characters, each block filled when the first of its characters is met.
fn char_class(c: char) -> u8 {
    #[allow(clippy::declare_interior_mutable_const)]
    const BLOCK: OnceLock<[u8; 256]> = OnceLock::new();
    static BMP: [OnceLock<[u8; 256]>; 256] = [BLOCK; 256];
    let cp = c as usize;
    if cp < 0x1_0000 {
        let block = BMP[cp >> 8].get_or_init(|| {
            let mut t = [COMPLEX; 256];
            for (k, v) in t.iter_mut().enumerate() {
                *v = char::from_u32(((cp >> 8) << 8 | k) as u32).map_or(COMPLEX, classify);
            }
            t
        });
        block[cp & 0xff]
    } else {
        classify(c)
    }
}

/// Appends `c`, lower-cased when it is upper case (as [`normalize`] does), to `buf`.
fn push_folded(c: char, buf: &mut Vec<u8>) {
    let mut tmp = [0u8; 4];
    if c.is_uppercase() {
        for l in c.to_lowercase() {
            buf.extend_from_slice(l.encode_utf8(&mut tmp).as_bytes());
        }
    } else {
        buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
    }
}

/// Passes the words of `normalize(text)` to `out`, in one pass over the raw text and without
/// building the normalised string. The text is read in blocks of 64 bytes turned into bit
/// sets (ASCII letters and digits; non-ASCII bytes), so word boundaries come from bit scans,
/// not a branch per byte; ASCII words are hashed where they stand. Words with other
/// characters are gathered, lower-cased, in `buf` ([`word_at`]).
///
/// NFKC is applied piece by piece. A piece starts at an ASCII non-word character or a simple
/// non-word character (see [`char_class`]): each is a starter that nothing before it composes
/// with, so NFKC of the text is NFKC of its pieces. Pieces of simple characters only are
/// already in NFKC and are scanned as they are; a piece holding a complex character is redone
/// from its start through NFKC (no word has been passed on since the piece began).
fn scan_words(text: &str, out: &mut impl Words, buf: &mut Vec<u8>) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut piece = 0;
    let mut i = 0;
    while i < n {
        // A block of 64 bytes as two bit sets: ASCII letters and digits, non-ASCII bytes. Runs
        // of either are words (or hold non-ASCII characters, for the slow path).
        let (ascii, high) = block_bits(bytes, i);
        let word_bits = ascii | high;
        let mut rest = word_bits;
        let mut next = (i + 64).min(n);
        while rest != 0 {
            let s = rest.trailing_zeros() as usize;
            let e = s + (!(word_bits >> s)).trailing_zeros() as usize;
            let p = i + s;
            let non_ascii = high != 0 && high & (if e - s >= 64 { u64::MAX } else { ((1u64 << (e - s)) - 1) << s }) != 0;
            if (e >= 64 && i + 64 < n) || non_ascii {
                // A word that may go on past the block, or one with non-ASCII characters. Its
                // piece starts at the ASCII byte before it, or, right after a simple non-ASCII
                // boundary, at that boundary (where the last slow word left `piece`).
                if p > 0 && bytes[p - 1] < 0x80 {
                    piece = p - 1;
                }
                (next, piece) = word_at(text, p, piece, out, buf);
                break;
            }
            out.ascii(bytes, p, i + e, ascii_word_hash(bytes, p, i + e));
            rest = if e >= 64 { 0 } else { rest & (u64::MAX << e) };
        }
        i = next;
    }
}

/// The bit sets of the block of up to 64 bytes at `i` (bit `t` for byte `i + t`): ASCII
/// letters and digits, and bytes of non-ASCII characters.
#[inline]
fn block_bits(bytes: &[u8], i: usize) -> (u64, u64) {
    match bytes.get(i..i + 64) {
        Some(block) => block_bits_64(block.try_into().unwrap_or(&[0; 64])),
        None => {
            // The last block, padded with zero bytes (not word bytes).
            let mut block = [0u8; 64];
            let tail = &bytes[i.min(bytes.len())..];
            block[..tail.len()].copy_from_slice(tail);
            block_bits_64(&block)
        }
    }
}

/// [`block_bits`] of 64 bytes: SSE2 compares (every x86-64 CPU has them) on 16 bytes at a time.
#[cfg(target_arch = "x86_64")]
#[inline]
fn block_bits_64(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::{__m128i, _mm_add_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    let (mut ascii, mut high) = (0u64, 0u64);
    for k in 0..4 {
        // SAFETY: SSE2 is part of x86-64; the load reads bytes 16k..16k + 16 of the 64-byte block
        // (unaligned loads allowed).
        unsafe {
            let x = _mm_loadu_si128(block.as_ptr().add(16 * k).cast::<__m128i>());
            // Unsigned `b - lo < width` as a signed compare: shift both sides by -128.
            let digit = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8((0x80 - i32::from(b'0')) as i8)), _mm_set1_epi8((-128 + 10) as i8));
            let lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
            let letter = _mm_cmplt_epi8(_mm_add_epi8(lower, _mm_set1_epi8((0x80 - i32::from(b'a')) as i8)), _mm_set1_epi8((-128 + 26) as i8));
            ascii |= u64::from(_mm_movemask_epi8(_mm_or_si128(digit, letter)) as u16) << (16 * k);
            high |= u64::from(_mm_movemask_epi8(x) as u16) << (16 * k);
        }
    }
    (ascii, high)
}

/// [`block_bits`] of 64 bytes, eight bytes at a time in a `u64` (on other CPUs).
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn block_bits_64(block: &[u8; 64]) -> (u64, u64) {
    block_bits_swar(block)
}

/// [`block_bits`] of 64 bytes by range tests on eight bytes at a time in a `u64`.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn block_bits_swar(block: &[u8; 64]) -> (u64, u64) {
    /// The top bits of the eight bytes, gathered into the low eight bits.
    #[inline]
    const fn gather(m: u64) -> u64 {
        (m >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
    }
    let (mut ascii, mut high) = (0u64, 0u64);
    for (k, chunk) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        ascii |= gather(alnum_bits(x)) << (8 * k);
        high |= gather(x & HIGH_BITS) << (8 * k);
    }
    (ascii, high)
}

/// [`word_hash_bytes`] of the lower-cased ASCII word `bytes[start..end]`, read in place.
#[inline(always)]
fn ascii_word_hash(bytes: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    if len <= 8 {
        if let Some(eight) = bytes.get(start..start + 8) {
            // Most words: one step on eight bytes read at once, those past the word masked off.
            let x = u64::from_le_bytes(eight.try_into().unwrap_or_default());
            return mix64(word_step(WORD_SEED, (x | LOWER) & (u64::MAX >> (64 - 8 * len))) ^ len as u64);
        }
    }
    let mut h = WORD_SEED;
    let mut pos = start;
    while end - pos >= 8 {
        h = word_step(h, load(bytes, pos, 8) | LOWER);
        pos += 8;
    }
    if pos < end {
        let mask = (1u64 << (8 * (end - pos))) - 1;
        h = word_step(h, (load(bytes, pos, end - pos) & mask) | (LOWER & mask));
    }
    mix64(h ^ len as u64)
}

/// The word starting at `start` (after an ASCII non-word byte or a simple boundary, where a
/// piece may start; `piece` is the last such place): an ASCII word read 8 bytes at a time,
/// and if it goes on with non-ASCII characters, the slow path. Returns where the scan goes on
/// and the piece there.
fn word_at(text: &str, start: usize, mut piece: usize, out: &mut impl Words, buf: &mut Vec<u8>) -> (usize, usize) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = start;
    if bytes[i] < 0x80 {
        // An ASCII word: its end and its hash in the same 8-byte steps.
        let mut h = WORD_SEED;
        loop {
            let x = load(bytes, i, (n - i).min(8));
            let run = ((!alnum_bits(x) & HIGH_BITS).trailing_zeros() / 8) as usize;
            if run == 8 {
                h = word_step(h, x | LOWER);
                i += 8;
                continue;
            }
            if run > 0 {
                let mask = (1u64 << (8 * run)) - 1;
                h = word_step(h, (x & mask) | (LOWER & mask));
                i += run;
            }
            break;
        }
        if i == n || bytes[i] < 0x80 {
            out.ascii(bytes, start, i, mix64(h ^ (i - start) as u64));
            return (i, piece);
        }
    }
    // The word goes on with (or this is) a non-ASCII character.
    buf.clear();
    buf.extend(bytes[start..i].iter().map(|b| b | 0x20));
    while i < n {
        let b = bytes[i];
        match BYTE_CLASS[b as usize] {
            ALNUM => {
                buf.push(b | 0x20);
                i += 1;
            }
            SEP => break,
            _ => {
                let c = text[i..].chars().next().unwrap_or(char::REPLACEMENT_CHARACTER);
                let len = c.len_utf8();
                match char_class(c) {
                    SIMPLE_SEP => {
                        // A boundary: the next word may take the fast path again.
                        piece = i;
                        i += len;
                        break;
                    }
                    SIMPLE_WORD => buf.extend_from_slice(&bytes[i..i + len]),
                    SIMPLE_UPPER => push_folded(c, buf),
                    _ => {
                        let end = bytes[i..].iter().position(|&c| BYTE_CLASS[c as usize] == SEP).map_or(n, |p| i + p);
                        buf.clear();
                        redo_piece(&text[piece..end], out, buf);
                        i = end;
                        break;
                    }
                }
                i += len;
            }
        }
    }
    if !buf.is_empty() {
        out.folded(buf);
        buf.clear();
    }
    (i, piece)
}

/// The words of a piece that holds a complex character: NFKC (skipped when the piece passes
/// the quick check), then every letter, digit or mark lower-cased, anything else a boundary.
fn redo_piece(piece: &str, out: &mut impl Words, buf: &mut Vec<u8>) {
    let mut feed = |c: char| {
        if is_word_char(c) {
            push_folded(c, buf);
        } else if !buf.is_empty() {
            out.folded(buf);
            buf.clear();
        }
    };
    if unicode_normalization::is_nfkc_quick(piece.chars()) == IsNormalized::Yes {
        piece.chars().for_each(&mut feed);
    } else {
        piece.nfkc().for_each(&mut feed);
    }
    if !buf.is_empty() {
        out.folded(buf);
        buf.clear();
    }
}

/// Normalises `text`: NFKC, lower case, punctuation and symbols folded to spaces, whitespace
/// collapsed; the result is the words joined by single spaces (no leading or trailing space).
#[must_use]
pub fn normalize(text: &str) -> String {
    struct Joined(Vec<u8>);
    impl Words for Joined {
        fn ascii(&mut self, bytes: &[u8], start: usize, end: usize, _hash: u64) {
            if !self.0.is_empty() {
                self.0.push(b' ');
            }
            self.0.extend(bytes[start..end].iter().map(|b| b | 0x20));
        }
        fn folded(&mut self, word: &[u8]) {
            if !self.0.is_empty() {
                self.0.push(b' ');
            }
            self.0.extend_from_slice(word);
        }
    }
    let mut out = Joined(Vec::with_capacity(text.len()));
    scan_words(text, &mut out, &mut Vec::new());
    String::from_utf8(out.0).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
/// Multiplier of the word hash's 8-byte steps (odd: each step is a bijection).
const WORD_MUL: u64 = 0x9e37_79b9_7f4a_7c15;
const WORD_SEED: u64 = 0x2545_f491_4f6c_dd1d;

#[inline]
fn word_step(h: u64, chunk: u64) -> u64 {
    (h ^ chunk).wrapping_mul(WORD_MUL).rotate_left(29)
}

/// Eight bytes of `bytes` from `pos` as a little-endian integer, only the first `len` (1..=8)
/// of them, the rest zero.
#[inline]
fn load(bytes: &[u8], pos: usize, len: usize) -> u64 {
    if pos + 8 <= bytes.len() {
        let v = u64::from_le_bytes(bytes[pos..pos + 8].try_into().unwrap_or_default());
        if len >= 8 {
            v
        } else {
            v & ((1u64 << (8 * len)) - 1)
        }
    } else {
        let mut b = [0u8; 8];
        b[..len].copy_from_slice(&bytes[pos..pos + len]);
        u64::from_le_bytes(b)
    }
}

/// The hash of a lower-cased word's UTF-8 bytes: 8 bytes a step (the last step zero-padded;
/// word bytes are never zero), then [`mix64`] with the length. Words of up to 8 bytes never
/// collide: each step and the finaliser are bijections.
#[inline]
fn word_hash_bytes(word: &[u8]) -> u64 {
    let mut h = WORD_SEED;
    let mut pos = 0;
    while pos < word.len() {
        let len = (word.len() - pos).min(8);
        h = word_step(h, load(word, pos, len));
        pos += len;
    }
    mix64(h ^ word.len() as u64)
}

/// The top bit of every byte.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
/// Bit 5 of every byte: for ASCII letters and digits, setting it is lower-casing.
const LOWER: u64 = 0x2020_2020_2020_2020;

/// The top bit of each byte of `x` set where that byte is an ASCII letter or digit: range
/// tests on all eight bytes at once (no byte's sum carries into the next).
#[inline]
const fn alnum_bits(x: u64) -> u64 {
    const fn rep(b: u8) -> u64 {
        0x0101_0101_0101_0101 * b as u64
    }
    let ascii = !x & HIGH_BITS;
    let v = x & !HIGH_BITS;
    let digit = v.wrapping_add(rep(0x80 - b'0')) & !v.wrapping_add(rep(0x7f - b'9'));
    let l = v | LOWER;
    let letter = l.wrapping_add(rep(0x80 - b'a')) & !l.wrapping_add(rep(0x7f - b'z'));
    (digit | letter) & ascii
}

/// The words of `normalize(text)`, each hashed as [`word_hash`] does, in one pass over the raw
/// text without building the normalised string.
#[must_use]
pub fn word_hashes(text: &str) -> Vec<u64> {
    struct Hashes(Vec<u64>);
    impl Words for Hashes {
        #[inline]
        fn ascii(&mut self, _bytes: &[u8], _start: usize, _end: usize, hash: u64) {
            self.0.push(hash);
        }
        fn folded(&mut self, word: &[u8]) {
            self.0.push(word_hash_bytes(word));
        }
    }
    let mut out = Hashes(Vec::with_capacity(text.len() / 5 + 1));
    scan_words(text, &mut out, &mut Vec::new());
    out.0
}

/// The hash [`word_hashes`] gives a word of a normalised text.
#[must_use]
pub fn word_hash(word: &str) -> u64 {
    word_hash_bytes(word.as_bytes())
}

/// The exact-duplicate hash of a text whose words hash to `words` (order-sensitive).
#[must_use]
pub fn words_hash(words: &[u64]) -> u64 {
    mix64(words.iter().fold(WORDS_SEED, |acc, &w| words_step(acc, w)) ^ words.len() as u64)
}

const WORDS_SEED: u64 = 0x243f_6a88_85a3_08d3;

#[inline]
fn words_step(acc: u64, w: u64) -> u64 {
    (acc ^ w).wrapping_mul(FNV_PRIME).rotate_left(31)
}

/// Base of the shingles' polynomial hash (odd).
const SHINGLE_BASE: u64 = 0xd605_bbb5_8c8a_bbfd;

/// Word `n`-gram hashes from word hashes; fewer than `n` words give one shingle of all of them.
///
/// A shingle of words `w₀ … wₙ₋₁` hashes to `Σ wⱼ · Bⁿ⁻¹⁻ʲ` (mod 2⁶⁴), updated in two
/// multiplications as the window slides. Word hashes are uniform 64-bit values, so two
/// different windows collide with probability about 2⁻⁶⁴ (a window differing in one word
/// never does: `B` is odd, so `Bᵏ` is invertible).
#[must_use]
pub fn word_shingles(words: &[u64], n: usize) -> Vec<u64> {
    let n = n.max(1);
    if words.is_empty() {
        return Vec::new();
    }
    if words.len() < n {
        let poly = words.iter().fold(0u64, |h, &w| h.wrapping_mul(SHINGLE_BASE).wrapping_add(w));
        return vec![mix64(poly ^ (words.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))];
    }
    let top = (1..n).fold(1u64, |p, _| p.wrapping_mul(SHINGLE_BASE));
    let mut h = words[..n].iter().fold(0u64, |h, &w| h.wrapping_mul(SHINGLE_BASE).wrapping_add(w));
    let mut out = Vec::with_capacity(words.len() - n + 1);
    out.push(h);
    // Word i enters the window as word i - n leaves it.
    out.extend(words[n..].iter().zip(words).map(|(&enters, &leaves)| {
        h = h.wrapping_sub(leaves.wrapping_mul(top)).wrapping_mul(SHINGLE_BASE).wrapping_add(enters);
        h
    }));
    out
}

/// Word `n`-gram hashes as the words of a text come, without the list of words: what
/// [`words_hash`] and [`word_shingles`] give on [`word_hashes`], in one pass.
struct Shingler {
    n: usize,
    /// `SHINGLE_BASE^(n-1)`.
    top: u64,
    /// The last 64 word hashes (`n <= 64`), word `i` at `i % 64`.
    ring: [u64; 64],
    words: usize,
    /// The window's polynomial hash.
    h: u64,
    /// [`words_hash`]'s accumulator.
    exact: u64,
    out: Vec<u64>,
}

impl Shingler {
    /// For `n <= 64`.
    fn new(n: usize, capacity: usize) -> Self {
        let n = n.clamp(1, 64);
        let top = (1..n).fold(1u64, |p, _| p.wrapping_mul(SHINGLE_BASE));
        Self { n, top, ring: [0; 64], words: 0, h: 0, exact: WORDS_SEED, out: Vec::with_capacity(capacity) }
    }

    #[inline]
    fn word(&mut self, w: u64) {
        self.exact = words_step(self.exact, w);
        let slot = self.words & 63;
        self.h = if self.words < self.n { self.h } else { self.h.wrapping_sub(self.ring[slot.wrapping_sub(self.n) & 63].wrapping_mul(self.top)) };
        self.h = self.h.wrapping_mul(SHINGLE_BASE).wrapping_add(w);
        self.ring[slot] = w;
        self.words += 1;
        if self.words >= self.n {
            self.out.push(self.h);
        }
    }

    /// The exact-duplicate hash and the shingles.
    fn finish(mut self) -> (u64, Vec<u64>) {
        if self.words > 0 && self.words < self.n {
            // Fewer than n words: one shingle of all of them.
            self.out.push(mix64(self.h ^ (self.words as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)));
        }
        (mix64(self.exact ^ self.words as u64), self.out)
    }
}

impl Words for Shingler {
    #[inline]
    fn ascii(&mut self, _bytes: &[u8], _start: usize, _end: usize, hash: u64) {
        self.word(hash);
    }
    fn folded(&mut self, word: &[u8]) {
        self.word(word_hash_bytes(word));
    }
}

/// Exact-duplicate hash and shingle hashes of a raw text.
#[must_use]
pub fn text_shingles(text: &str, unit: Unit, n: usize) -> (u64, Vec<u64>) {
    match unit {
        Unit::Word if n > 64 => {
            // Longer than the ring (options allow at most 64): from the list of words.
            let words = word_hashes(text);
            (words_hash(&words), word_shingles(&words, n))
        }
        Unit::Word => {
            let mut out = Shingler::new(n, text.len() / 5 + 1);
            scan_words(text, &mut out, &mut Vec::new());
            out.finish()
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

    /// NFKC of the whole text, then the same folding: what [`normalize`] does piece by piece.
    fn reference(text: &str) -> String {
        let mut out = String::new();
        let mut pending = false;
        for c in text.nfkc() {
            if is_word_char(c) {
                if pending && !out.is_empty() {
                    out.push(' ');
                }
                pending = false;
                if c.is_uppercase() {
                    out.extend(c.to_lowercase());
                } else {
                    out.push(c);
                }
            } else {
                pending = true;
            }
        }
        out
    }

    #[test]
    fn fused_words_match_normalize() {
        for raw in [
            "Hello, World!  a--b\t\nc",
            "ＡＢＣ ﬁle Café Cafe\u{301} crème Straße ÉCOLE",
            "“Quoted” — text… it’s 3.5% of 日本語のテキスト, ok?",
            "Ünïcödé ☃ x\u{301}y ǅemal İstanbul",
            "a<\u{338}b a=\u{338}b ’\u{301}x ﬁ’ﬂ Ωmega ＡＢ’ＣＤ",
            "averyveryverylongwordindeed ÀÉÎÕÜ0123456789ÀÉÎÕÜ0123456789",
            "",
            "...",
        ] {
            let want: Vec<u64> = normalize(raw).split(' ').filter(|w| !w.is_empty()).map(word_hash).collect();
            assert_eq!(word_hashes(raw), want, "{raw:?}");
            assert_eq!(normalize(raw), reference(raw), "{raw:?}");
        }
        assert_eq!(text_shingles("A b, c d e f!", Unit::Word, 5).1, shingles("a b c d e f", Unit::Word, 5));
        assert_eq!(text_shingles("A b", Unit::Word, 5).0, text_shingles("a, B!", Unit::Word, 5).0);
        assert_ne!(text_shingles("a b", Unit::Word, 5).0, text_shingles("b a", Unit::Word, 5).0);
    }

    /// Random texts from an alphabet of the awkward cases (composing and decomposing
    /// characters, marks, compatibility forms, cased letters, punctuation that composes,
    /// boundaries of the 8-byte steps): the one-pass scan gives the words of NFKC of the whole
    /// text, and hashes them as the normalised words hash.
    #[test]
    fn scan_matches_whole_text_nfkc() {
        let alphabet: Vec<char> = "aZ09 .,-<=>’“…—\u{a0}\u{301}\u{308}\u{338}\u{327}éÉßİıǅﬁＡｶﾞ가\u{1161}\u{11a8}ᄀ日ΩΣς①²½\u{200b}\u{2019}\u{1f600}\u{e000}\u{93e}क".chars().collect();
        let mut state = 99u64;
        for round in 0..3000 {
            let len = if round % 10 == 9 { 50 + round % 400 } else { 1 + round % 40 };
            let text: String = (0..len)
                .map(|_| {
                    state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    alphabet[(mix64(state) % alphabet.len() as u64) as usize]
                })
                .collect();
            assert_eq!(normalize(&text), reference(&text), "{text:?}");
            let want: Vec<u64> = normalize(&text).split(' ').filter(|w| !w.is_empty()).map(word_hash).collect();
            assert_eq!(word_hashes(&text), want, "{text:?}");
        }
    }

    #[test]
    fn ascii_words_hashed_in_place() {
        // ASCII words are hashed where they stand, 8 bytes a step, lower-cased by one bit, at
        // every length around the steps and at the end of the text or before punctuation.
        let long = "Ab".repeat(50);
        for w in ["a", "Ab", "ABCDEFG", "ABCDEFGH", "abcdefghi", "A1b2C3d4E5f6G7h8", "A1b2C3d4E5f6G7h8I9", "x".repeat(40).as_str(), long.as_str()] {
            for text in [
                w.to_string(),
                format!("{w}!"),
                format!("  ,{w} z"),
                format!("{w}\u{e9}"),
                format!("{w}\u{2019}s"),
                format!("{} {w} {w}", "-".repeat(60)),
                format!("{}{w}", ". ".repeat(31)),
                format!("{w}\u{2019}{w}\u{301} {w}"),
            ] {
                let want: Vec<u64> = normalize(&text).split(' ').filter(|w| !w.is_empty()).map(word_hash).collect();
                assert_eq!(word_hashes(&text), want, "{text:?}");
            }
        }
        assert_ne!(word_hash("ab"), word_hash("ba"));
        assert_ne!(word_hash("abcdefgh"), word_hash("abcdefgh\u{e9}"));
        for b in 0..=255u8 {
            let bits = alnum_bits(u64::from(b) << 16);
            assert_eq!(bits == 0x80 << 16, b.is_ascii_alphanumeric(), "byte {b}");
            assert_eq!(bits & !(0x80 << 16), 0);
        }
    }

    /// The block bit sets (SSE2 on x86-64) agree with the eight-bytes-at-a-time range tests
    /// and with a byte-by-byte reading, for every byte value at every position.
    #[test]
    fn block_bits_agree() {
        let mut state = 7u64;
        for round in 0..2000 {
            let mut block = [0u8; 64];
            for (t, b) in block.iter_mut().enumerate() {
                state = mix64(state + 1);
                *b = if round < 256 { (round + t) as u8 } else { state as u8 };
            }
            let want_ascii = block.iter().enumerate().fold(0u64, |m, (t, b)| m | u64::from(b.is_ascii_alphanumeric()) << t);
            let want_high = block.iter().enumerate().fold(0u64, |m, (t, b)| m | u64::from(*b >= 0x80) << t);
            assert_eq!(block_bits_64(&block), (want_ascii, want_high), "{block:?}");
            assert_eq!(block_bits_swar(&block), (want_ascii, want_high), "{block:?}");
            for len in [0usize, 1, 7, 8, 9, 63] {
                let mask = (1u64 << len) - 1;
                assert_eq!(block_bits(&block[..len], 0), (want_ascii & mask, want_high & mask));
            }
        }
    }

    /// The one-pass shingles are those of the word list, for every n and text length around n.
    #[test]
    fn fused_shingles_match_word_list() {
        let mut state = 3u64;
        for len in 0..150 {
            let text: String = (0..len)
                .map(|_| {
                    state = mix64(state + 1);
                    ["Alpha", "b", "çé", "délta,", "x1", "Ωmega", "the", "a—b", "Zz."][(state % 9) as usize]
                })
                .collect::<Vec<_>>()
                .join(" ");
            let words = word_hashes(&text);
            for n in [1, 2, 3, 5, 7, 63, 64, 65] {
                assert_eq!(text_shingles(&text, Unit::Word, n), (words_hash(&words), super::word_shingles(&words, n)), "n {n}: {text:?}");
            }
        }
    }

    #[test]
    fn rolling_shingles_are_windows() {
        let words: Vec<u64> = (0..20u64).map(mix64).collect();
        let all = super::word_shingles(&words, 5);
        assert_eq!(all.len(), 16);
        for (i, &s) in all.iter().enumerate() {
            assert_eq!(s, super::word_shingles(&words[i..i + 5], 5)[0], "window {i}");
        }
        let distinct: std::collections::HashSet<u64> = all.iter().copied().collect();
        assert_eq!(distinct.len(), all.len());
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
