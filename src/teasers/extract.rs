//! What one segmented page gives the catalogue: its teasers (headline and lede texts, with
//! their line) and the start of its own article (the zone a blurb of it would summarise).

use crate::dedup::shingle::{normalize, word_hash};
use crate::segment::features::{ends_sentence, is_cut_off};
use crate::segment::{Label, Page};
use crate::text::{fnv1a, is_stopword};

use super::Options;

/// One teaser of a page: a headline, a lede, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Item {
    /// The lede's line, or the headline's when there is no lede.
    pub line: u32,
    /// Raw headline text.
    pub head: Option<String>,
    /// Raw lede text.
    pub lede: Option<String>,
    /// The normalised headline and lede, once [`Item::normalize`] ran.
    pub norms: Option<(String, String)>,
}

impl Item {
    /// Fills [`Item::norms`] (on the worker threads, so the collector's sequential part only
    /// looks texts up).
    pub fn normalize(&mut self) {
        let n = |t: &Option<String>| t.as_deref().map(normalize).unwrap_or_default();
        self.norms = Some((n(&self.head), n(&self.lede)));
    }
}

/// A normalised line: its words (hashed) and each word's content stem (0 for a function
/// word or a one-letter word).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Words {
    /// The normalised text (words joined by single spaces; see [`normalize`]).
    pub norm: String,
    /// One hash per word.
    pub words: Vec<u64>,
    /// One stem hash per word, 0 when the word carries no content.
    pub stems: Vec<u64>,
}

impl Words {
    /// Normalises `text` and hashes its words and stems.
    pub fn new(text: &str, opts: &Options) -> Self {
        Self::from_norm(normalize(text), opts)
    }

    /// Hashes the words and stems of an already normalised text.
    pub fn from_norm(norm: String, opts: &Options) -> Self {
        let mut words = Vec::new();
        let mut stems = Vec::new();
        for w in norm.split(' ').filter(|w| !w.is_empty()) {
            words.push(word_hash(w));
            stems.push(stem(w, opts.stem_chars));
        }
        Self { norm, words, stems }
    }

    /// Appends another line's words.
    fn extend(&mut self, other: &Words) {
        if !self.norm.is_empty() && !other.norm.is_empty() {
            self.norm.push(' ');
        }
        self.norm.push_str(&other.norm);
        self.words.extend_from_slice(&other.words);
        self.stems.extend_from_slice(&other.stems);
    }

    /// Keeps the first `n` words.
    fn truncate(&mut self, n: usize) {
        if self.words.len() > n {
            self.words.truncate(n);
            self.stems.truncate(n);
            let cut = self.norm.match_indices(' ').nth(n - 1).map_or(self.norm.len(), |(i, _)| i);
            self.norm.truncate(cut);
        }
    }
}

/// The content stem of a normalised word: its first `chars` characters, hashed; 0 for a
/// function word of a covered language and for a single letter (a number of one digit
/// counts). A crude stemmer that needs no language: "negotiators"/"negotiations",
/// "agreement"/"agree", "threat"/"threats" share a stem at 5 characters.
pub(crate) fn stem(word: &str, chars: usize) -> u64 {
    let end = if word.is_ascii() { word.len().min(chars) } else { word.char_indices().nth(chars).map_or(word.len(), |(i, _)| i) };
    let one_char = end == word.len() && word.chars().nth(1).is_none();
    if word.is_empty() || one_char && !word.chars().next().is_some_and(char::is_numeric) || is_stopword(word) {
        return 0;
    }
    // Never 0: 0 marks "no stem".
    fnv1a(&word.as_bytes()[..end]) | 1
}

/// The start of a page's own article, as the blurbs of it on other pages quote it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Zone {
    /// Up to [`PRE_LINES`] lines just above the first body line, nearest first, up to a teaser
    /// headline, a rule match or a cut-off line: a standfirst, a title, a dateline, a credit
    /// such as "(AFP)" (which a profile may know as site template).
    pub pre: Vec<Words>,
    /// The first body line.
    pub first: Words,
    /// The body from its first line, up to [`LEDE_WORDS`] words.
    pub lede: Words,
    /// The page's first prose line, when it is not the first body line: the article's start
    /// on a page whose body the segmenter missed (it then took a list of blurbs for the
    /// article). Matches on it score a little less ([`super::link`]).
    pub prose: Option<Words>,
    /// Characters of the whole body (a longer article wins a tie).
    pub body_chars: u64,
}

/// Lines above the body that a blurb may quote.
pub(crate) const PRE_LINES: usize = 2;
/// Words of the body kept for matching blurbs: a form is compared with the first
/// `1.5 · words + 8` of them, so blurbs of up to 94 words are compared whole.
pub(crate) const LEDE_WORDS: usize = 150;

/// A teaser headline of at most this many words may stand alone above its lede.
const TITLE_WORDS: usize = 16;

/// The teasers and the article zone of one segmented page.
pub(crate) fn page_items(text: &str, page: &Page, opts: &Options, want_zone: bool) -> (Vec<Item>, Option<Zone>) {
    let line_text = |i: usize| &text[page.lines[i].bytes.clone()];
    let mut items: Vec<Item> = page
        .teasers
        .iter()
        .map(|t| Item {
            line: t.lede.or(t.headline).unwrap_or(0) as u32,
            head: t.headline.map(|i| line_text(i).to_string()),
            lede: t.lede.map(|i| line_text(i).to_string()),
            norms: None,
        })
        .collect();
    regroup_titles(&mut items, page, opts);
    items.retain(|it| it.head.as_deref().is_some_and(has_words) || it.lede.as_deref().is_some_and(has_words));
    let zone = want_zone.then(|| zone(text, page, opts)).flatten();
    (items, zone)
}

fn has_words(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

/// A teaser without headline whose text is title-shaped (short, no sentence end, not cut
/// off), followed on the next non-empty line by a headline-less lede that shares a content
/// stem with it, is that lede's headline: the segmenter labels such a pair as two blurbs when
/// the headline is not the start of the lede ("Laursen close to new deal" / "Aston Villa boss
/// Martin O'Neill has confirmed ... Martin Laursen ...").
fn regroup_titles(items: &mut Vec<Item>, page: &Page, opts: &Options) {
    let n = page.lines.len();
    let next_nonempty = |i: usize| (i + 1..n).find(|&j| page.lines[j].reason != "empty");
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    let mut k = 0;
    while k < items.len() {
        let cur = &items[k];
        if let (None, Some(title), Some(next)) = (&cur.head, &cur.lede, items.get(k + 1)) {
            let title_shaped = !is_cut_off(title) && !ends_sentence(title) && title.split_whitespace().count() <= TITLE_WORDS;
            if title_shaped && next.head.is_none() && next_nonempty(cur.line as usize) == Some(next.line as usize) {
                if let Some(lede) = &next.lede {
                    let a = Words::new(title, opts);
                    let b = Words::new(lede, opts);
                    let shared = a.stems.iter().any(|&s| s != 0 && b.stems.contains(&s));
                    if shared {
                        out.push(Item { line: next.line, head: Some(title.clone()), lede: Some(lede.clone()), norms: None });
                        k += 2;
                        continue;
                    }
                }
            }
        }
        out.push(cur.clone());
        k += 1;
    }
    *items = out;
}

/// A prose line has at least this many words...
const PROSE_WORDS: usize = 8;
/// ... and ends a sentence, or has at least this many.
const PROSE_LONG_WORDS: usize = 15;

/// The page's article zone, if the page has a body or a prose line.
fn zone(text: &str, page: &Page, opts: &Options) -> Option<Zone> {
    let line_text = |i: usize| &text[page.lines[i].bytes.clone()];
    let is_body = |i: usize| page.lines[i].label == Label::Body && !is_cut_off(line_text(i));
    let is_prose = |i: usize| {
        let (l, t) = (&page.lines[i], line_text(i));
        let words = t.split_whitespace().count();
        l.label != Label::Headline
            && l.reason != "site-template"
            && !l.reason.starts_with("rule:")
            && !is_cut_off(t)
            && words >= PROSE_WORDS
            && (ends_sentence(t) || words >= PROSE_LONG_WORDS)
    };
    let prose_line = (0..page.lines.len()).find(|&i| is_prose(i));
    let Some(first) = (0..page.lines.len()).find(|&i| is_body(i)) else {
        let prose = Words::new(line_text(prose_line?), opts);
        return Some(Zone { prose: Some(prose), ..Zone::default() });
    };
    let mut pre = Vec::new();
    for i in (0..first).rev() {
        let l = &page.lines[i];
        if l.reason == "empty" {
            continue;
        }
        let t = line_text(i);
        if pre.len() >= PRE_LINES || is_cut_off(t) || l.reason == "teaser-headline" || l.reason.starts_with("rule:") {
            break;
        }
        pre.push(Words::new(t, opts));
    }
    let first_words = Words::new(line_text(first), opts);
    let mut lede = Words::default();
    for i in first..page.lines.len() {
        if is_body(i) {
            lede.extend(&Words::new(line_text(i), opts));
            if lede.words.len() >= LEDE_WORDS {
                break;
            }
        }
    }
    lede.truncate(LEDE_WORDS);
    let body_chars = page.body.chars().count() as u64;
    let prose = prose_line.filter(|&i| i != first).map(|i| Words::new(line_text(i), opts));
    Some(Zone { pre, first: first_words, lede, prose, body_chars })
}
