//! Per-line shape features and the line's prose score.

use crate::rules::{Hit, Rules, Strength};
use crate::text::{is_unspaced_script, word_class, WORD_DATE, WORD_STOP};

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

/// FNV-1a step; word hashes are FNV-1a over the lower-cased UTF-8 bytes, the same as
/// [`crate::text::fnv1a`] of the lower-cased word.
#[inline]
fn fnv_step(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

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

/// Is `line` cut off: does it end (after trailing white space) with `...`, `…`, `[...]`,
/// `[…]` or `(...)`?
#[must_use]
pub fn is_cut_off(line: &str) -> bool {
    let t = line.trim_end();
    t.ends_with("...") || t.ends_with('…') || t.ends_with("[...]") || t.ends_with("[…]") || t.ends_with("(...)")
}

/// Does `line` end a sentence: `.`, `!`, `?` (or their CJK forms), possibly inside closing
/// quotes or brackets, and is it not cut off ([`is_cut_off`])?
#[must_use]
pub fn ends_sentence(line: &str) -> bool {
    let tail = line.trim_end().trim_end_matches(|c: char| matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '*' | ' '));
    !is_cut_off(line) && tail.ends_with(['.', '!', '?', '。', '！', '？'])
}

/// Computes the features of one line in one pass over its bytes, appending its content
/// words to the page's `words` store. `buf` is scratch space.
#[must_use]
pub fn line_features(line: &str, rules: &Rules, buf: &mut String, words: &mut Vec<u64>) -> LineFeatures {
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
                        // A sentence end: a mark followed by a space or the end, after a word of
                        // two or more characters (so "U.S." mid-sentence is not an end).
                        let at_end = i + 1 >= n || bytes[i + 1] == b' ';
                        if at_end && (run_len >= 2 || b != b'.') {
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
                run_len = 0;
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
            run_len = 0;
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
    f.truncated = is_cut_off(trimmed);
    f.ends_terminal = ends_sentence(trimmed);
    let tail = trimmed.trim_end_matches(|c: char| matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '*' | ' '));
    if f.ends_terminal && f.n_sentences == 0 {
        f.n_sentences = 1;
    }
    f.ends_colon = tail.ends_with(':');
    f.linky = seps >= 2
        || url
        || (f.n_words <= 6 && memchr::memchr(b'@', bytes).is_some() && memchr::memchr(b'.', bytes).is_some());
    f.rule = rules.check_with(trimmed, f.n_words, upper_non_ascii, buf);
    f.dateline = f.n_numeric > 0 && f.n_words <= 12 && f.n_numeric + w.n_date_words == f.n_words;
    f
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
            Strength::Contains if w <= 25.0 => 6.0,
            Strength::Contains => 2.0,
        };
    }
    Some(s)
}
