//! Per-line shape features and the line's prose score.

use crate::rules::{Hit, Rules, Strength};
use crate::text::{fnv1a, for_each_word, is_stopword, is_unspaced_script, lower_into};

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
    /// The line starts with a bullet or a list marker.
    pub bullet: bool,
    /// The line is only a date or a time ("November 19, 2019 at 6:34 am", "12:45").
    pub dateline: bool,
    /// The text is in a script without spaces (CJK, Thai): word counts are per character.
    pub unspaced: bool,
    /// The first rule that matched, if any.
    pub rule: Option<Hit>,
    /// Hashes of the line's distinct content words (lower case, not function words, 3+ chars).
    pub content: Vec<u64>,
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

/// Computes the features of one line. `buf` is scratch space.
#[must_use]
pub fn line_features(line: &str, rules: &Rules, buf: &mut String) -> LineFeatures {
    let mut f = LineFeatures::default();
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return f;
    }
    let mut first = true;
    let mut lower = String::new();
    let mut n_date_words = 0usize;
    for_each_word(trimmed, |w| {
        f.n_words += 1;
        let c0 = w.chars().next().unwrap_or(' ');
        if is_unspaced_script(c0) {
            f.unspaced = true;
            return;
        }
        if w.bytes().all(|b| b.is_ascii_digit()) {
            f.n_numeric += 1;
            return;
        }
        if !first && (c0.is_uppercase() || c0.is_lowercase()) {
            f.n_cased += 1;
            if c0.is_uppercase() {
                f.n_cap += 1;
            }
        }
        first = false;
        let mut letters = 0usize;
        let mut all_upper = true;
        for c in w.chars() {
            if c.is_alphabetic() {
                letters += 1;
                if !c.is_uppercase() {
                    all_upper = false;
                }
            }
        }
        if letters >= 2 && all_upper {
            f.n_upper += 1;
        }
        let lw = lower_into(w, &mut lower);
        if is_date_word(lw) {
            n_date_words += 1;
        }
        if is_stopword(lw) {
            f.n_stop += 1;
        } else if lw.len() >= 3 {
            let h = fnv1a(lw.as_bytes());
            if !f.content.contains(&h) {
                f.content.push(h);
            }
        }
    });
    // Sentence ends: a terminal mark followed by a space or the end, after a word of 2+ chars.
    let bytes = trimmed.as_bytes();
    let mut prev_word_len = 0usize;
    for (i, c) in trimmed.char_indices() {
        if c.is_alphanumeric() {
            prev_word_len += 1;
        } else {
            let end_mark = matches!(c, '.' | '!' | '?' | '。' | '！' | '？');
            let at_end = i + c.len_utf8() >= bytes.len() || bytes[i + c.len_utf8()] == b' ';
            if end_mark && at_end && (prev_word_len >= 2 || c != '.') {
                f.n_sentences += 1;
            }
            prev_word_len = 0;
        }
    }
    let tail = trimmed.trim_end_matches(|c: char| matches!(c, '"' | '\'' | '”' | '’' | '»' | ')' | ']' | '*' | ' '));
    f.truncated = trimmed.ends_with("...")
        || trimmed.ends_with('…')
        || trimmed.ends_with("[...]")
        || trimmed.ends_with("[…]")
        || trimmed.ends_with("(...)");
    f.ends_terminal = !f.truncated && tail.ends_with(['.', '!', '?', '。', '！', '？']);
    if f.ends_terminal && f.n_sentences == 0 {
        f.n_sentences = 1;
    }
    f.ends_colon = tail.ends_with(':');
    let seps = trimmed.matches(['|', '•', '»', '›', '·']).count();
    f.linky = seps >= 2
        || trimmed.contains("http://")
        || trimmed.contains("https://")
        || trimmed.contains("www.")
        || (trimmed.contains('@') && trimmed.contains('.') && f.n_words <= 6);
    f.bullet = trimmed.starts_with(['•', '-', '*', '–', '—', '►', '▶', '»', '>']);
    f.rule = rules.check(trimmed, f.n_words, buf);
    f.dateline = f.n_numeric > 0 && f.n_words <= 12 && f.n_numeric + n_date_words == f.n_words;
    f
}

/// Month and weekday names (en, de, fr, es, pt, it, in full and abbreviated), and the small
/// words of a date or time ("at", "am", "pm", "um", "uhr"), lower case.
fn is_date_word(w: &str) -> bool {
    const WORDS: &[&str] = &[
        "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june", "jul", "july",
        "aug", "august", "sep", "sept", "september", "oct", "october", "nov", "november", "dec", "december",
        "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thursday", "fri", "friday",
        "sat", "saturday", "sun", "sunday", "at", "am", "pm", "est", "edt", "pst", "pdt", "gmt", "utc", "cet",
        "updated", "published", "posted", "on", "et", "de", "um", "uhr", "januar", "februar", "märz", "mai",
        "juni", "juli", "oktober", "dezember", "janvier", "février", "mars", "avril", "juin", "juillet",
        "août", "septembre", "octobre", "novembre", "décembre", "enero", "febrero", "marzo", "abril", "mayo",
        "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre", "janeiro", "fevereiro",
        "março", "maio", "junho", "julho", "setembro", "outubro", "dezembro", "gennaio", "febbraio", "aprile",
        "maggio", "giugno", "luglio", "settembre", "ottobre", "dicembre",
    ];
    static SET: std::sync::OnceLock<ahash::AHashSet<&'static str>> = std::sync::OnceLock::new();
    SET.get_or_init(|| WORDS.iter().copied().collect()).contains(w)
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
