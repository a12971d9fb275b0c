//! Per-line shape features and the line's prose score.

use crate::rules::{Hit, LineHints, PhraseKeys, Rules, Strength};
use crate::text::{is_unspaced_script, trim_ws, word_class, CharInfo, HashMapU64, WORD_DATE, WORD_STOP};

/// What the segmenter knows about one line before decoding.
#[derive(Debug, Clone, Default)]
pub struct LineFeatures {
    /// Words (see [`crate::text::for_each_word`]).
    pub n_words: usize,
    /// Words that are function words of a covered language.
    pub n_stop: usize,
    /// Words, past the first, that start with an upper-case letter.
    pub n_cap: usize,
    /// Words, past the first, that can carry case (start with a cased letter).
    pub n_cased: usize,
    /// Words of two or more letters written in capitals.
    pub n_upper: usize,
    /// Words made only of digits.
    pub n_numeric: usize,
    /// Sentence ends inside or at the end of the line.
    pub n_sentences: usize,
    /// The line ends with `.`, `!`, `?` (or their CJK forms), possibly inside quotes.
    pub ends_terminal: bool,
    /// The line ends with `:`.
    pub ends_colon: bool,
    /// The line is cut off: it ends with `...`, `…`, `[...]` or `[…]`.
    pub truncated: bool,
    /// The line has a URL, an e-mail address or two or more menu separators (`|`, `•`, `»`).
    pub linky: bool,
    /// The line is only a date or a time ("November 19, 2019 at 6:34 am", "12:45").
    pub dateline: bool,
    /// The text is in a script without spaces (CJK, Thai): word counts are per character.
    pub unspaced: bool,
    /// The first rule that matched, if any.
    pub rule: Option<Hit>,
    /// The line's distinct content words (lower case, not function words, 3+ chars), as
    /// sorted hashes in the page's word store.
    pub content: Content,
}

/// A line's content words: a range of the page's word store (one vector for the whole page,
/// so lines cost no allocation of their own).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Content {
    start: u32,
    len: u32,
}

impl Content {
    /// The sorted word hashes, from the page's store.
    #[must_use]
    pub fn get<'a>(&self, words: &'a [u64]) -> &'a [u64] {
        &words[self.start as usize..(self.start + self.len) as usize]
    }

    /// How many distinct content words the line has.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// True when the line has no content words.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl LineFeatures {
    /// True when the line has no words at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.n_words == 0
    }

    /// Share of capitalised words among the words that can carry case (0 when none can).
    #[must_use]
    pub fn cap_ratio(&self) -> f32 {
        if self.n_cased == 0 {
            0.0
        } else {
            self.n_cap as f32 / self.n_cased as f32
        }
    }

    /// Effective length in words; unspaced scripts count about two characters a word.
    #[must_use]
    pub fn eff_words(&self) -> f32 {
        if self.unspaced {
            self.n_words as f32 / 2.0
        } else {
            self.n_words as f32
        }
    }

    /// Does the line look like a title: a few words, no sentence end, not chrome?
    #[must_use]
    pub fn title_like(&self) -> bool {
        let w = self.eff_words();
        self.rule.is_none()
            && !self.truncated
            && !self.linky
            && (3.0..=25.0).contains(&w)
            && (!self.ends_terminal || self.n_sentences <= 1 && w <= 14.0 && self.cap_ratio() > 0.5)
            && !self.ends_colon
            && self.n_numeric * 2 < self.n_words
    }

    /// Does the line read like a sentence of prose (a blurb when outside the article)?
    #[must_use]
    pub fn sentence_like(&self) -> bool {
        let w = self.eff_words();
        self.rule.is_none() && !self.linky && w >= 8.0 && (self.ends_terminal || self.truncated || w >= 15.0)
    }
}

/// Above this many words a chrome phrase weighs little in a line: it is a sentence, not a call
/// to action ([`prose_score`]'s penalty; the labels keep such a sentence inside the run).
pub const LONG_SENTENCE_WORDS: f32 = 25.0;

/// FNV-1a step; word hashes are FNV-1a over the lower-cased UTF-8 bytes, the same as
/// [`crate::text::fnv1a`] of the lower-cased word.
#[inline]
fn fnv_step(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// Lines up to this many bytes get their whole-line key ([`crate::text::fold_hash`]) hashed
/// during the scan: the rules compare only such short lines with the whole-line labels.
const FOLD_MAX_BYTES: usize = 120;

/// Classes of ASCII bytes for the scan's fast path.
const ALNUM: u8 = 1;
const ALPHA: u8 = 2;
const UPPER: u8 = 4;
const DIGIT: u8 = 8;

/// Classes of bytes: ASCII letters and digits have theirs; every other byte (including the
/// bytes of non-ASCII characters) is 0.
const ASCII_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_digit() {
            ALNUM | DIGIT
        } else if c.is_ascii_uppercase() {
            ALNUM | ALPHA | UPPER
        } else if c.is_ascii_lowercase() {
            ALNUM | ALPHA
        } else {
            0
        };
        b += 1;
    }
    t
};

/// The word being scanned, and what the finished words add up to.
struct Scan {
    in_word: bool,
    hash: u64,
    bytes: usize,
    letters: usize,
    all_upper: bool,
    all_digits: bool,
    first_upper: bool,
    first_cased: bool,
    first_word: bool,
    n_date_words: usize,
}

impl Scan {
    #[inline]
    fn start(&mut self, upper: bool, cased: bool) {
        self.in_word = true;
        self.hash = FNV_OFFSET;
        self.bytes = 0;
        self.letters = 0;
        self.all_upper = true;
        self.all_digits = true;
        self.first_upper = upper;
        self.first_cased = cased;
    }

    #[inline]
    fn finish(&mut self, f: &mut LineFeatures, words: &mut Vec<u64>) {
        if !self.in_word {
            return;
        }
        self.in_word = false;
        f.n_words += 1;
        if self.all_digits {
            f.n_numeric += 1;
            return;
        }
        if !self.first_word && self.first_cased {
            f.n_cased += 1;
            if self.first_upper {
                f.n_cap += 1;
            }
        }
        self.first_word = false;
        if self.letters >= 2 && self.all_upper {
            f.n_upper += 1;
        }
        let class = word_class(self.hash);
        if class & WORD_DATE != 0 {
            self.n_date_words += 1;
        }
        if class & WORD_STOP != 0 {
            f.n_stop += 1;
        } else if self.bytes >= 3 {
            words.push(self.hash);
        }
    }
}

/// The line's alphanumeric runs and its whole-line key, hashed as
/// [`crate::text::fold_hash`] hashes characters (lower case, digits to `0`): each finished run
/// is looked up in the phrase keys ([`PhraseKeys`]), and for a short line the runs joined by
/// single spaces make its whole-line key.
struct Runs<'k> {
    keys: &'k PhraseKeys,
    in_run: bool,
    run: u64,
    hit: bool,
    fold: bool,
    line: u64,
    any: bool,
}

impl Runs<'_> {
    /// Adds one byte of a folded alphanumeric character.
    #[inline]
    fn byte(&mut self, b: u8) {
        self.run = fnv_step(self.run, b);
        if self.fold {
            self.line = fnv_step(self.line, b);
        }
    }

    /// Starts the next character, an alphanumeric one.
    #[inline]
    fn alnum(&mut self) {
        if !self.in_run {
            self.in_run = true;
            self.run = FNV_OFFSET;
            if self.fold && self.any {
                self.line = fnv_step(self.line, b' ');
            }
            self.any = true;
        }
    }

    /// A character that is not alphanumeric ends the run.
    #[inline]
    fn other(&mut self) {
        if self.in_run {
            self.in_run = false;
            self.hit |= self.keys.hit(self.run);
        }
    }

    /// The folded bytes of a non-ASCII alphanumeric character (as `fold_hash` folds it).
    #[inline]
    fn non_ascii(&mut self, c: char, info: &CharInfo) {
        self.alnum();
        let mut tmp = [0u8; 4];
        if info.numeric {
            self.byte(b'0');
        } else if let Some(l) = info.lowercase {
            if info.lower_alnum {
                for &x in l.encode_utf8(&mut tmp).as_bytes() {
                    self.byte(x);
                }
            }
        } else {
            for l in c.to_lowercase().filter(|l| l.is_alphanumeric()) {
                for &x in l.encode_utf8(&mut tmp).as_bytes() {
                    self.byte(x);
                }
            }
        }
    }
}

/// What [`ascii_run`] found.
struct AsciiRun {
    len: usize,
    hash: u64,
    key: u64,
    uppers: usize,
    digits: usize,
}

/// Scans the run of ASCII letters and digits at the start of `rest`: its length, the word
/// hash `hash` continued over its lower-cased bytes, the whole-line key `key` continued over
/// its folded bytes (when `FOLD`), and its upper-case letters and digits.
#[inline(always)]
fn ascii_run<const FOLD: bool>(rest: &[u8], hash: u64, key: u64) -> AsciiRun {
    let mut run = AsciiRun { len: 0, hash, key, uppers: 0, digits: 0 };
    if rest.len() < u32::MAX as usize {
        ascii_chunk::<FOLD>(rest, &mut run);
    } else {
        // Both counts of a chunk share one word: chunks of under 2^32 bytes cannot overflow.
        for chunk in rest.chunks(u32::MAX as usize) {
            if ascii_chunk::<FOLD>(chunk, &mut run) < chunk.len() {
                break;
            }
        }
    }
    run
}

/// [`ascii_run`] over a chunk of under 2^32 bytes; returns how many bytes the run took.
#[inline(always)]
fn ascii_chunk<const FOLD: bool>(chunk: &[u8], run: &mut AsciiRun) -> usize {
    let (mut hash, mut key) = (run.hash, run.key);
    let mut counts = 0u64;
    let mut n = 0usize;
    for &b in chunk {
        let info = RUN_BYTE[b as usize];
        if info == 0 {
            break;
        }
        hash = fnv_step(hash, info as u8);
        if FOLD {
            key = fnv_step(key, (info >> 8) as u8);
        }
        counts += RUN_COUNT[b as usize];
        n += 1;
    }
    run.len += n;
    run.hash = hash;
    run.key = key;
    run.uppers += (counts >> 32) as usize;
    run.digits += (counts & 0xFFFF_FFFF) as usize;
    n
}

/// For an ASCII letter or digit: its lower-case byte, its folded byte (digits to `0`) << 8,
/// and bit 16 set; 0 for any other byte.
const RUN_BYTE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            let low = c.to_ascii_lowercase();
            let folded = if c.is_ascii_digit() { b'0' } else { low };
            t[b] = 1 << 16 | (folded as u32) << 8 | low as u32;
        }
        b += 1;
    }
    t
};

/// What a byte adds to [`ascii_run`]'s counts: upper-case letters in the high half, digits in
/// the low half.
const RUN_COUNT: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_uppercase() {
            1 << 32
        } else if c.is_ascii_digit() {
            1
        } else {
            0
        };
        b += 1;
    }
    t
};

/// Is `line` cut off: does it end (after trailing white space) with `...`, `…`, `[...]`,
/// `[…]` or `(...)`?
#[must_use]
pub fn is_cut_off(line: &str) -> bool {
    cut_off_end(trim_ws(line))
}

/// [`is_cut_off`] of a line without trailing white space. Each ending has its own last byte,
/// so that byte picks the one to compare.
#[inline]
fn cut_off_end(t: &str) -> bool {
    match t.as_bytes().last() {
        Some(b'.') => t.ends_with("..."),
        Some(0xA6) => t.ends_with('…'),
        Some(b']') => t.ends_with("[...]") || t.ends_with("[…]"),
        Some(b')') => t.ends_with("(...)"),
        _ => false,
    }
}

/// Does `line` end a sentence: `.`, `!`, `?` (or their CJK forms), possibly inside closing
/// quotes or brackets, and is it not cut off ([`is_cut_off`])?
#[must_use]
pub fn ends_sentence(line: &str) -> bool {
    let t = trim_ws(line);
    !cut_off_end(t) && ends_with_stop(closing_tail(t))
}

/// `t` (without trailing white space) without its closing quotes, brackets, `*` and the
/// spaces between them: `"`, `'`, `”`, `’`, `»`, `)`, `]`, `*`, ` `.
#[inline]
fn closing_tail(t: &str) -> &str {
    let b = t.as_bytes();
    let mut n = b.len();
    loop {
        match b[..n] {
            [.., b'"' | b'\'' | b')' | b']' | b'*' | b' '] => n -= 1,
            [.., 0xE2, 0x80, 0x9D | 0x99] => n -= 3, // ” ’
            [.., 0xC2, 0xBB] => n -= 2,              // »
            _ => return &t[..n],
        }
    }
}

/// Does `tail` (a [`closing_tail`]) end with a full stop, `!` or `?` (or their CJK forms)?
#[inline]
fn ends_with_stop(tail: &str) -> bool {
    tail.ends_with(['.', '!', '?', '。', '！', '？'])
}

/// Computes the features of one line in one pass over its bytes, appending its content
/// words to the page's `words` store. `buf` is scratch space.
#[must_use]
pub fn line_features(line: &str, rules: &Rules, buf: &mut String, words: &mut Vec<u64>) -> LineFeatures {
    let mut f = LineFeatures::default();
    let trimmed = trim_ws(line);
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
    let mut runs = Runs { keys: PhraseKeys::get(), in_run: false, run: FNV_OFFSET, hit: false, fold: bytes.len() <= FOLD_MAX_BYTES, line: FNV_OFFSET, any: false };
    let mut run_len = 0usize; // alphanumeric characters since the last other character
    let mut upper_non_ascii = false;
    let mut symbol = false; // a non-ASCII character that starts a phrase without letters or digits
    let mut seps = 0usize;
    let mut url = false;
    let first = words.len();
    let mut i = 0;
    let n = bytes.len();
    while i < n {
        let b = bytes[i];
        if b < 0x80 {
            // ASCII fast path.
            let class = ASCII_CLASS[b as usize];
            if class & ALNUM != 0 {
                if !w.in_word {
                    w.start(class & UPPER != 0, class & ALPHA != 0);
                }
                let fresh = !runs.in_run;
                runs.alnum();
                // The whole run of ASCII letters and digits in one tight loop.
                let run = if runs.fold { ascii_run::<true>(&bytes[i..], w.hash, runs.line) } else { ascii_run::<false>(&bytes[i..], w.hash, 0) };
                let len = run.len;
                // A fresh run of letters that starts its word hashes like the word (digits fold
                // to 0 in runs); any other run is hashed again.
                runs.run = if fresh && run.digits == 0 && w.bytes == 0 {
                    run.hash
                } else {
                    bytes[i..i + len].iter().fold(runs.run, |h, &b| fnv_step(h, if b.is_ascii_digit() { b'0' } else { b.to_ascii_lowercase() }))
                };
                if runs.fold {
                    runs.line = run.key;
                }
                i += len;
                run_len += len;
                w.bytes += len;
                w.hash = run.hash;
                let letters = len - run.digits;
                if letters > 0 {
                    w.letters += letters;
                    w.all_digits = false;
                    w.all_upper &= run.uppers == letters;
                }
                continue;
            } else {
                runs.other();
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
        let info = CharInfo::of(c);
        if info.alnum {
            run_len += 1;
            runs.non_ascii(c, &info);
            if info.unspaced {
                w.finish(&mut f, words);
                f.n_words += 1;
                f.unspaced = true;
            } else {
                if !w.in_word {
                    w.start(info.upper, info.upper || info.lower);
                }
                w.bytes += len;
                let mut tmp = [0u8; 4];
                match info.lowercase {
                    Some(l) => {
                        for &x in l.encode_utf8(&mut tmp).as_bytes() {
                            w.hash = fnv_step(w.hash, x);
                        }
                    }
                    None => {
                        for lc in c.to_lowercase() {
                            for &x in lc.encode_utf8(&mut tmp).as_bytes() {
                                w.hash = fnv_step(w.hash, x);
                            }
                        }
                    }
                }
                w.all_digits = false;
                if info.alpha {
                    w.letters += 1;
                    if info.upper {
                        upper_non_ascii = true;
                    } else {
                        w.all_upper = false;
                    }
                }
            }
        } else {
            runs.other();
            if c == '’' && w.in_word && joins_next(trimmed, i + len) {
                let mut tmp = [0u8; 4];
                for &x in c.encode_utf8(&mut tmp).as_bytes() {
                    w.hash = fnv_step(w.hash, x);
                }
                w.bytes += len;
            } else {
                w.finish(&mut f, words);
            }
            symbol |= runs.keys.symbol_start(c);
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
    runs.other();
    let mine = &mut words[first..];
    sort_small(mine);
    let mut kept = 0;
    for k in 0..mine.len() {
        if k == 0 || mine[k] != mine[kept - 1] {
            mine[kept] = mine[k];
            kept += 1;
        }
    }
    words.truncate(first + kept);
    f.content = Content { start: u32::try_from(first).unwrap_or(u32::MAX), len: u32::try_from(kept).unwrap_or(0) };
    line_ends(&mut f, trimmed, seps, url);
    // A line with upper-case letters outside ASCII is matched lower-cased, where the runs can
    // differ: the phrase keys tell nothing about it.
    let phrase_possible = runs.hit || upper_non_ascii || ((symbol || runs.keys.ascii_symbols()) && runs.keys.has_symbol(trimmed));
    let hints = LineHints {
        n_words: f.n_words,
        upper_non_ascii,
        fold_hash: runs.fold.then_some(runs.line),
        seps,
        phrase_possible,
    };
    f.rule = rules.check_with(trimmed, &hints, buf);
    f.dateline = f.n_numeric > 0 && f.n_words <= 12 && f.n_numeric + w.n_date_words == f.n_words;
    f
}

/// The features read from the line's end and its shape: cut off, sentence end, colon, links.
fn line_ends(f: &mut LineFeatures, trimmed: &str, seps: usize, url: bool) {
    let bytes = trimmed.as_bytes();
    let tail = closing_tail(trimmed);
    f.truncated = cut_off_end(trimmed);
    f.ends_terminal = !f.truncated && ends_with_stop(tail);
    if f.ends_terminal && f.n_sentences == 0 {
        f.n_sentences = 1;
    }
    f.ends_colon = tail.ends_with(':');
    f.linky = seps >= 2
        || url
        || (f.n_words <= 6 && memchr::memchr(b'@', bytes).is_some() && memchr::memchr(b'.', bytes).is_some());
}

/// Sorts a line's few word hashes: insertion sort below 24 items (most lines), else the
/// standard sort.
#[inline]
fn sort_small(v: &mut [u64]) {
    if v.len() > 24 {
        v.sort_unstable();
        return;
    }
    for k in 1..v.len() {
        let x = v[k];
        let mut j = k;
        while j > 0 && v[j - 1] > x {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = x;
    }
}

/// Does the mark `.`, `!` or `?` at byte `i` of `s` end a sentence? It must be followed, maybe
/// after closing quotes and brackets (`"`, `'`, `)`, `]`, `”`, `’`, `»`), by the line's end,
/// or by a space and then no lower-case letter (after "Corp. said" the sentence goes on). A
/// full stop must also follow a word of two or more characters (`run_len`: "U.S." mid-sentence
/// is no end). Abbreviations before a capital ("Mr. Smith") still count: there is no list of
/// them.
#[inline]
fn sentence_end(s: &str, i: usize, run_len: usize) -> bool {
    let bytes = s.as_bytes();
    if bytes[i] == b'.' && run_len < 2 {
        return false;
    }
    let mut j = i + 1;
    loop {
        match bytes.get(j..) {
            None | Some([]) => return true,
            Some([b' ', ..]) => break,
            Some([b'"' | b'\'' | b')' | b']', ..]) => j += 1,
            Some([0xE2, 0x80, 0x9D | 0x99, ..]) => j += 3, // ” ’
            Some([0xC2, 0xBB, ..]) => j += 2,              // »
            Some(_) => return false,
        }
    }
    // The next word must not start in lower case.
    match s[j..].trim_start_matches(' ').chars().next() {
        Some(c) if c.is_ascii() => !c.is_ascii_lowercase(),
        Some(c) => !c.is_lowercase(),
        None => true,
    }
}

/// Does the character at byte `j` continue a word ("don't", "well-known")?
#[inline]
fn joins_next(s: &str, j: usize) -> bool {
    let bytes = s.as_bytes();
    if j >= bytes.len() {
        return false;
    }
    if bytes[j] < 0x80 {
        return bytes[j].is_ascii_alphanumeric();
    }
    let (n, _) = decode_at(s, j);
    n.is_alphanumeric() && !is_unspaced_script(n)
}

/// The character starting at byte `i` of `s` (a char boundary) and its length in bytes.
#[inline]
fn decode_at(s: &str, i: usize) -> (char, usize) {
    let c = s[i..].chars().next().unwrap_or('\u{FFFD}');
    (c, c.len_utf8())
}


/// Calls `f(a, b, shared)` once for every pair of lines `a < b` for which `eligible` holds
/// and that share content words, with the number of words they share. Only words on at most
/// `max_lines` eligible lines count: a word on very many lines pairs no lines, and skipping it
/// keeps this linear on pages of thousands of similar lines. The pairs come in no particular
/// order. No sorting: words are numbered through one hash map lookup a posting, the lines of
/// each word laid out in one vector, and each line's shared counts gathered in a dense counter.
pub fn shared_words(
    feats: &[LineFeatures],
    words: &[u64],
    eligible: impl Fn(&LineFeatures) -> bool,
    max_lines: usize,
    mut f: impl FnMut(usize, usize, usize),
) {
    let lines: Vec<u32> = (0..feats.len()).filter(|&i| eligible(&feats[i])).map(|i| i as u32).collect();
    let n_postings: usize = lines.iter().map(|&i| feats[i as usize].content.len()).sum();
    // Each word's group, numbered in order of first sight, and each posting's group: the
    // only hash lookups. Per group: (eligible lines with the word, start of its lines in
    // `members`, fill cursor).
    let mut group_of: HashMapU64<u32> = HashMapU64::with_capacity_and_hasher(n_postings, Default::default());
    let mut groups: Vec<(u32, u32, u32)> = Vec::new();
    let mut posting_group: Vec<u32> = Vec::with_capacity(n_postings);
    for &i in &lines {
        for &h in feats[i as usize].content.get(words) {
            let g = *group_of.entry(h).or_insert_with(|| {
                groups.push((0, 0, 0));
                (groups.len() - 1) as u32
            });
            groups[g as usize].0 += 1;
            posting_group.push(g);
        }
    }
    let mut total = 0u32;
    for g in &mut groups {
        if (2..=max_lines).contains(&(g.0 as usize)) {
            *g = (g.0, total, total);
            total += g.0;
        } else {
            g.0 = 0;
        }
    }
    if total == 0 {
        return;
    }
    // The lines of each word, in line order.
    let mut members = vec![0u32; total as usize];
    let mut next_group = posting_group.iter();
    for &i in &lines {
        for _ in 0..feats[i as usize].content.len() {
            let g = &mut groups[*next_group.next().expect("one group per posting") as usize];
            if g.0 > 0 {
                members[g.2 as usize] = i;
                g.2 += 1;
            }
        }
    }
    let mut count = vec![0u32; feats.len()];
    let mut touched: Vec<u32> = Vec::new();
    let mut posting = posting_group.iter();
    for &a in &lines {
        for _ in 0..feats[a as usize].content.len() {
            let (len, start, _) = groups[*posting.next().expect("one group per posting") as usize];
            for &b in &members[start as usize..(start + len) as usize] {
                if b > a {
                    if count[b as usize] == 0 {
                        touched.push(b);
                    }
                    count[b as usize] += 1;
                }
            }
        }
        for &b in &touched {
            f(a as usize, b as usize, count[b as usize] as usize);
            count[b as usize] = 0;
        }
        touched.clear();
    }
}

/// Prose score of a line: positive for lines that read like article paragraphs, negative for
/// chrome; roughly a log-odds. `None` for empty lines, which the decoder passes over freely.
#[must_use]
pub fn prose_score(f: &LineFeatures) -> Option<f32> {
    if f.is_empty() {
        return None;
    }
    let w = f.eff_words();
    let mut s = match w {
        w if w < 2.0 => -3.0,
        w if w < 3.0 => -2.5,
        w if w < 4.0 => -2.0,
        w if w < 6.0 => -1.4,
        w if w < 9.0 => -0.7,
        w if w < 13.0 => -0.1,
        w if w < 21.0 => 0.6,
        w if w < 36.0 => 1.2,
        w if w < 61.0 => 1.8,
        _ => 2.4,
    };
    s += if f.ends_terminal {
        0.9
    } else if f.truncated {
        -3.0
    } else if f.ends_colon {
        -0.3
    } else if w >= 30.0 {
        -0.3
    } else {
        -1.0
    };
    if f.n_sentences >= 2 {
        s += 0.5;
    }
    if !f.unspaced && f.n_words >= 4 {
        let ratio = f.n_stop as f32 / f.n_words as f32;
        // Prose in the covered languages runs at 30-50 % function words; titles and menus below 15 %.
        if f.n_stop > 0 || ratio == 0.0 && f.n_cased > 0 {
            s += ((ratio - 0.2) * 5.0).clamp(-1.5, 1.0);
        }
    }
    if f.n_words >= 3 && f.cap_ratio() > 0.6 && f.n_cased >= 2 {
        s -= 1.2;
    }
    if f.n_words >= 2 && f.n_upper * 10 > f.n_words * 6 {
        s -= 1.2;
    }
    if f.n_numeric * 5 > f.n_words * 2 {
        s -= 1.0;
    }
    if f.linky {
        s -= 2.0;
    }
    if f.dateline {
        s -= 3.0;
    }
    if let Some(hit) = f.rule {
        s -= match hit.strength {
            Strength::WholeLine => 8.0,
            Strength::Contains if w <= LONG_SENTENCE_WORDS => 6.0,
            Strength::Contains => 2.0,
        };
    }
    Some(s)
}

#[cfg(test)]
#[path = "features_reference.rs"]
mod reference;

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::rules::PHRASES;

    /// The features of `line` by the scan and by the reference (the scan before it fed the
    /// rules its hints), content words resolved, as text.
    fn both(rules: &Rules, line: &str) -> (String, String) {
        let show = |f: &LineFeatures, words: &[u64]| format!("{f:?} {:?}", f.content.get(words));
        let (mut w1, mut w2) = (Vec::new(), Vec::new());
        let fast = line_features(line, rules, &mut String::new(), &mut w1);
        let slow = reference::line_features_reference(line, rules, &mut String::new(), &mut w2);
        (show(&fast, &w1), show(&slow, &w2))
    }

    /// Pieces that exercise every branch of the scan and of the rules: phrases and whole-line
    /// labels in any case, separators, digits, joiners, non-ASCII letters (upper case, İ, ß),
    /// unspaced scripts, symbols, URLs.
    fn piece() -> impl Strategy<Value = String> {
        let phrase = prop::sample::select(PHRASES.iter().map(|&(_, p)| p).collect::<Vec<_>>());
        prop_oneof![
            phrase.clone().prop_map(str::to_string),
            phrase.prop_map(|p| p.to_uppercase()),
            prop::sample::select(vec![
                "Advertisement", "READ MORE", "Share", "12 comments", "jane says:", "Page 2 of 9", "Home | News | Sport",
                "(c) 2024", "2024 ©", "Follow Us on Twitter", "· ", "• ", " | ", "|", "›", "»", "©", "...", "…", "[...]",
                "don't", "well-known", "l’état", "x-", "'", "-", "U.S.", "www.example.com", "http://a.b/c", "a@b.co",
                "Kommentare (5)", "x ſays", "jane ESCRIBIÓ:", "3 thoughts on", "Seite 2 von 3", "(C) 1999", "İstanbul", "GİRİŞ", "Straße", "ÉTÉ", "Ǆemal", "Реклама", "ПОДПИШИТЕСЬ", "東京", "。", "！", "٣", "²",
                "\u{2019}", "“", "”", "—", "\t", "  ", "the", "und", "2025", "0", "Monday", "at", "6:34", "am", ".", "!", "?", ":",
                "said.\"", "\"over\".", "won.\u{201D}", "(done.)", "isn't.", "it?\u{BB}", "U.S.\"", "\".",
            ])
            .prop_map(str::to_string),
            "[a-zA-Z0-9 .,'|-]{0,12}",
            "\\PC{0,6}",
        ]
    }

    fn line() -> impl Strategy<Value = String> {
        prop::collection::vec(piece(), 0..12).prop_map(|v| v.join(" "))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn scan_with_hints_equals_the_reference(line in line()) {
            let rules = Rules::default();
            let (fast, slow) = both(&rules, &line);
            prop_assert_eq!(fast, slow, "{:?}", line);
        }

        #[test]
        fn scan_with_hints_equals_the_reference_with_user_rules(line in line()) {
            let rules = Rules::new(&["Photo".into(), "ÉTÉ".into()], &["^\\d+ min".into(), "\\|\\s*$".into()]).unwrap();
            let (fast, slow) = both(&rules, &line);
            prop_assert_eq!(fast, slow, "{:?}", line);
        }
    }

    /// Line ends: the endings, closing marks and white space (ASCII and not) in any order.
    fn line_end() -> impl Strategy<Value = String> {
        let bit = prop::sample::select(vec![
            "...", "..", ".", "…", "[...]", "[…]", "(...)", "[", "]", "(", ")", "\"", "'", "”", "’", "»", "“", "*", " ",
            "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{1F}", "\u{85}", "\u{A0}", "\u{2003}", "\u{3000}", "!", "?", "。",
            "！", "？", "a", "é", "東", ":", "\u{2026}\u{A0}",
        ]);
        prop::collection::vec(bit, 0..8).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn line_end_tests_equal_the_plain_definitions(line in line_end()) {
            let t = line.trim_end();
            let cut = t.ends_with("...") || t.ends_with('…') || t.ends_with("[...]") || t.ends_with("[…]") || t.ends_with("(...)");
            let tail = t.trim_end_matches(|c: char| matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '*' | ' '));
            prop_assert_eq!(trim_ws(&line), line.trim(), "{:?}", line);
            prop_assert_eq!(is_cut_off(&line), cut, "{:?}", line);
            prop_assert_eq!(closing_tail(t), tail, "{:?}", line);
            prop_assert_eq!(ends_sentence(&line), !cut && tail.ends_with(['.', '!', '?', '。', '！', '？']), "{:?}", line);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn shared_words_counts_every_pair_as_brute_force_does(
            lines in prop::collection::vec(prop::collection::vec(0usize..40, 0..12), 0..40),
            max_lines in 2usize..6,
        ) {
            let vocab: Vec<String> = (0..40).map(|k| format!("word{k}x")).collect();
            let rules = Rules::default();
            let mut store = Vec::new();
            let feats: Vec<LineFeatures> = lines
                .iter()
                .map(|ws| line_features(&ws.iter().map(|&k| vocab[k].as_str()).collect::<Vec<_>>().join(" "), &rules, &mut String::new(), &mut store))
                .collect();
            let eligible = |f: &LineFeatures| f.content.len() % 3 != 1;
            let mut got = Vec::new();
            shared_words(&feats, &store, eligible, max_lines, |a, b, n| got.push((a, b, n)));
            got.sort_unstable();
            let on = |h: u64| feats.iter().filter(|f| eligible(f) && f.content.get(&store).contains(&h)).count();
            let mut want = Vec::new();
            for a in 0..feats.len() {
                for b in a + 1..feats.len() {
                    if !eligible(&feats[a]) || !eligible(&feats[b]) {
                        continue;
                    }
                    let other = feats[b].content.get(&store);
                    let n = feats[a].content.get(&store).iter().filter(|h| other.contains(h) && (2..=max_lines).contains(&on(**h))).count();
                    if n > 0 {
                        want.push((a, b, n));
                    }
                }
            }
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn sentence_ends_are_counted_before_closing_quotes_and_after_them() {
        let sentences = |line: &str| line_features(line, &Rules::default(), &mut String::new(), &mut Vec::new()).n_sentences;
        // A mark inside closing quotes or brackets, then a space, ends a sentence.
        assert_eq!(sentences("\"It is over,\" he said. \"We won the cup.\" Then he left the room."), 3);
        assert_eq!(sentences("The plan was \u{201C}dead\u{201D}. Nobody in the room said a word."), 2);
        assert_eq!(sentences("She had been warned (twice.) She went on with the plan anyway."), 2);
        assert_eq!(sentences("It isn't. They said the opposite of what they had meant."), 2);
        // Not an end: an initialism mid-sentence, an ellipsis, a mark before a letter.
        assert_eq!(sentences("The U.S. \"plan\" was put to the vote... and lost by a wide margin"), 0);
        assert_eq!(sentences("A line with \"quoted.\"text and no real end"), 0);
        // Nor is a mark before a word in lower case, in any script (an abbreviation, a name).
        assert_eq!(sentences("Shares of General Motors Corp. rose after the show, and the firm's (est.) sales too."), 1);
        assert_eq!(sentences("Yahoo! said on Monday that its results would be late."), 1);
        assert_eq!(sentences("Он пришёл. и ушёл домой вечером"), 0);
        // A capital or a digit after the mark does not stop the end.
        assert_eq!(sentences("It rained. 2,000 people stayed at home. Élise did not."), 3);
    }

    #[test]
    fn every_phrase_and_label_is_found_by_the_hinted_path() {
        let rules = Rules::default();
        for &(_, p) in PHRASES {
            for line in [p.to_string(), p.to_uppercase(), format!("Some words, then {p} and more words after it"), format!("«{p}»")] {
                let (fast, slow) = both(&rules, &line);
                assert_eq!(fast, slow, "{line:?}");
            }
        }
    }
}
