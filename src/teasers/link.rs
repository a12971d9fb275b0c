//! Article links: which document's article a blurb summarises.
//!
//! A blurb is usually its article's first sentence or first paragraph, possibly cut off or
//! reworded, sometimes the standfirst just above the body. Each document offers its
//! [`Zone`]: the first [`super::extract::LEDE_WORDS`] words of its body, its first body line,
//! and the lines just above the body. A form scores against a zone line
//!
//! `0.85 · c + 0.15 · p`
//!
//! where `c` is the share of the form's stem weight found in the first `1.5 · words + 8` words
//! of the body (or anywhere in a line above it), and `p` the share of the form's words that
//! match the line's words in order from its start (skipping up to 3 words of an agency prefix
//! such as "(Reuters) -"). A form with too few stems must equal a line (score 1) or start one
//! (score 0.9), and links only when all the documents it matches have the same first body
//! line: "BAGHDAD, Jan." starts many articles, "(AFP)" stands above many. A story's score for a document is the mean over its forms weighted by their
//! occurrences; a document is offered to a story when one of the story's forms scores at least
//! [`super::Options::link_threshold`], and the story keeps the offer with the highest mean
//! (ties: the best single form, the longer body, the smaller id, the earlier document).

use crate::text::{fnv1a, HashMapU64};

use super::cluster::Prepared;
use super::extract::{Words, Zone};
use super::Options;

/// Weight of the stem share in a score (the rest is the word-prefix share).
const CONTENT_WEIGHT: f64 = 0.85;
/// A match on the page's first prose line outside its body counts this much of a match on
/// the body: the body's start wins when both match.
const PROSE_DISCOUNT: f64 = 0.98;
/// Score of a form with few stems that starts a line without being all of it. Any match of
/// such a form links only when every document it matches has the same first body line: one
/// article, maybe copied ([`super::Collector`] keeps the first such line per story and notes a
/// second one).
pub(crate) const TINY_PREFIX_SCORE: f64 = 0.9;
/// Words of an agency or dateline prefix that a blurb may leave out.
const MAX_OFFSET: usize = 3;

/// Candidate look-up from a document's zone to the forms it may hold.
#[derive(Debug, Default)]
pub(crate) struct LinkIndex {
    /// Filter stem → forms with enough stems (prefix filtering, as in [`super::cluster`]),
    /// with the number of body words the form is compared with ([`window`]).
    keys: HashMapU64<Vec<(u32, u32)>>,
    /// Hash of the first three characters → forms with too few stems.
    tiny: HashMapU64<Vec<u32>>,
}

fn start_key(norm: &str) -> u64 {
    let end = norm.char_indices().nth(3).map_or(norm.len(), |(i, _)| i);
    fnv1a(&norm.as_bytes()[..end])
}

impl LinkIndex {
    /// Indexes the forms that count for their story (`counted`).
    pub fn new(forms: &[Prepared], counted: &[bool], opts: &Options) -> Self {
        let mut index = Self::default();
        // A score of `link_threshold` needs at least this share of the stem weight.
        let need = ((opts.link_threshold - (1.0 - CONTENT_WEIGHT)) / CONTENT_WEIGHT).clamp(0.0, 1.0);
        for (i, f) in forms.iter().enumerate() {
            if !counted[i] || f.words.words.is_empty() {
                continue;
            }
            if f.tiny(opts) {
                index.tiny.entry(start_key(&f.words.norm)).or_default().push(i as u32);
            } else {
                let w = window(f) as u32;
                for k in f.filter_keys(need) {
                    index.keys.entry(k).or_default().push((i as u32, w));
                }
            }
        }
        index
    }

    /// The forms a zone may hold, sorted.
    pub fn candidates(&self, zone: &Zone) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        // In the body, a form is compared with its first `window` words only.
        for (pos, s) in zone.lede.stems.iter().enumerate() {
            if let Some(list) = self.keys.get(s).filter(|_| *s != 0) {
                out.extend(list.iter().filter(|&&(_, w)| pos < w as usize).map(|&(f, _)| f));
            }
        }
        for line in zone.pre.iter().chain(&zone.prose) {
            for s in line.stems.iter().filter(|&&s| s != 0) {
                if let Some(list) = self.keys.get(s) {
                    out.extend(list.iter().map(|&(f, _)| f));
                }
            }
        }
        for line in std::iter::once(&zone.first).chain(&zone.pre).chain(&zone.prose) {
            if let Some(list) = self.tiny.get(&start_key(&line.norm)) {
                out.extend_from_slice(list);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// A zone prepared for scoring many forms: the first position of each stem in each line.
pub(crate) struct ZoneView<'a> {
    zone: &'a Zone,
    lede: HashMapU64<u32>,
    pre: Vec<HashMapU64<u32>>,
    prose: Option<HashMapU64<u32>>,
}

fn first_positions(w: &Words) -> HashMapU64<u32> {
    let mut m: HashMapU64<u32> = HashMapU64::default();
    for (i, &s) in w.stems.iter().enumerate() {
        if s != 0 {
            m.entry(s).or_insert(i as u32);
        }
    }
    m
}

impl<'a> ZoneView<'a> {
    pub fn new(zone: &'a Zone) -> Self {
        Self {
            zone,
            lede: first_positions(&zone.lede),
            pre: zone.pre.iter().map(first_positions).collect(),
            prose: zone.prose.as_ref().map(first_positions),
        }
    }
}

/// How well form `f` matches the zone: the best of its lines (see the module docs), and, for
/// a form with few stems, a key of the article it matched (the hash of its first line).
pub(crate) fn form_score(f: &Prepared, view: &ZoneView<'_>, opts: &Options) -> (f64, Option<u64>) {
    let zone = view.zone;
    if f.tiny(opts) {
        // Which article this is, for the ambiguity test: its first body line (or prose line).
        let key = fnv1a(if zone.first.norm.is_empty() { zone.prose.as_ref().map_or("", |p| p.norm.as_str()) } else { &zone.first.norm }.as_bytes());
        let mut out = (0.0, None);
        for z in std::iter::once(&zone.first).chain(&zone.pre).chain(&zone.prose) {
            match tiny_match(f, z) {
                Some(true) => return (1.0, Some(key)),
                Some(false) => out = (TINY_PREFIX_SCORE, Some(key)),
                None => {}
            }
        }
        return out;
    }
    let window = window(f);
    let mut best = window_score(f, &zone.lede, &view.lede, Some(window));
    for (z, pos) in zone.pre.iter().zip(&view.pre) {
        best = best.max(window_score(f, z, pos, None));
    }
    if let (Some(z), Some(pos)) = (&zone.prose, &view.prose) {
        best = best.max(PROSE_DISCOUNT * window_score(f, z, pos, Some(window)));
    }
    (best, None)
}

/// How many words of a body a form is compared with: a blurb quotes the start.
fn window(f: &Prepared) -> usize {
    (1.5 * f.words.words.len() as f64) as usize + 8
}

/// Score of form `f` against the first `window` words of `z` (all of them for `None`);
/// `pos` holds the first position of each stem of `z`.
fn window_score(f: &Prepared, z: &Words, pos: &HashMapU64<u32>, window: Option<usize>) -> f64 {
    if f.total <= 0.0 {
        return 0.0;
    }
    let n = window.map_or(z.words.len(), |w| w.min(z.words.len()));
    let words = &z.words[..n];
    let fw = &f.words.words;
    let b = if f.truncated { &fw[..fw.len().saturating_sub(1)] } else { &fw[..] };
    let run = (0..=MAX_OFFSET)
        .map(|o| words.iter().skip(o).zip(b).take_while(|(x, y)| x == y).count())
        .max()
        .unwrap_or(0);
    let mut shared = 0.0;
    for (s, w) in f.stems.iter().zip(&f.weights) {
        if pos.get(s).is_some_and(|&p| (p as usize) < n) {
            shared += w;
        }
    }
    CONTENT_WEIGHT * (shared / f.total) + (1.0 - CONTENT_WEIGHT) * run as f64 / b.len().max(1) as f64
}

/// A form with few stems matches a line by its words only: `Some(true)` when they are the
/// line's words (cut off: the line's words up to a last word the cut one starts), `Some(false)`
/// when they only start the line.
fn tiny_match(f: &Prepared, z: &Words) -> Option<bool> {
    let w = &f.words.words;
    if w.is_empty() || z.words.len() < w.len() {
        return None;
    }
    if !f.truncated {
        return (z.words[..w.len()] == *w).then_some(z.words.len() == w.len());
    }
    let k = w.len() - 1;
    let last = f.words.norm.rsplit(' ').next().unwrap_or("");
    let starts = z.words[..k] == w[..k] && z.norm.split(' ').nth(k).is_some_and(|x| x.starts_with(last));
    starts.then_some(z.words.len() == w.len())
}
