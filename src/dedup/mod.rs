//! Deduplication of raw texts: exact copies, near duplicates and truncated copies, as clusters
//! with a representative each and a keep mask.
//!
//! 1. Every text is normalised and shingled ([`shingle`]); its normalised form is hashed for
//!    exact duplicates, and its shingles are sketched by one-permutation MinHash ([`minhash`]).
//! 2. Candidate pairs come from LSH banding ([`lsh`]) of the whole-text sketch, and, for
//!    truncated copies, of *prefix sketches*: the (coarse, [`LEVEL_BINS`]-bin) sketch of the
//!    first `g` shingles for `g` in [`PREFIX_LEVELS`] below the text's length. A cut-off lede or
//!    a short version shares its opening with its full form, so their prefix sketches at the
//!    short text's top level are equal (or, after edits, similar) even though their
//!    whole-text Jaccard is low. *Suffix sketches* ([`SUFFIX_LEVELS`]) do the same for a text
//!    that ends a longer one.
//! 3. Every candidate pair is verified on the real shingle sets (made again from the texts in
//!    candidate pairs only): Jaccard ≥ threshold links it as `near`, else the share of the
//!    shorter text's shingles found in the longer one ≥ threshold links it as `contained`.
//! 4. Links are merged by union-find; each cluster's representative follows the [`Keep`]
//!    policy. Clusters do not depend on the thread count, the input order or how the texts
//!    were split into chunks ([`Job`] runs these steps on texts handed over in chunks).
//!
//! ```
//! use newsclean::dedup::{dedup, Keep, Options};
//!
//! let story = "The council approved the budget on Monday after a debate that lasted more than six hours.";
//! let texts = [Some(story), Some("THE COUNCIL approved the budget on Monday after a debate that lasted more than six hours!"), Some("Something else entirely happened in the harbour today.")];
//! let res = dedup(&texts, &Options::default(), &Keep::Longest, None).unwrap();
//! assert_eq!(res.cluster, vec![0, 0, 2]);
//! assert_eq!(res.keep, vec![true, false, true]);
//! ```

pub mod cluster;
pub mod index;
mod job;
pub mod lsh;
pub mod minhash;
pub mod paragraph;
pub mod shingle;
pub mod stages;

use std::collections::HashMap;


use crate::error::Error;
use crate::parallel;
use cluster::UnionFind;
pub use index::DedupIndex;
pub use job::{Job, Source};
use lsh::Bands;
use minhash::{Sketcher, EMPTY};
pub use paragraph::{repeated_lines, LineDup, RepeatedLines};
use shingle::Unit;

/// Prefix lengths (in shingles) whose sketches find truncated copies.
pub const PREFIX_LEVELS: [usize; 9] = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/// Bins of the sketches of prefix and suffix levels (at most; `num_perm` if fewer). A level
/// holds few shingles (16 of them for the shortest) or is only matched against the same level
/// of another text, so a coarse sketch does: its few bands are cheap to key and to bucket, and
/// it leaves few empty bins to densify.
pub const LEVEL_BINS: usize = 32;

/// Suffix lengths (in shingles) whose sketches find a text that ends a longer one (a press
/// release at the end of a page that leads into it with other text). Matched by LSH bands,
/// as the longer prefix levels are; shorter suffixes are left out: a short shared ending is
/// more often a sign-off or a footer than a copy.
pub const SUFFIX_LEVELS: [usize; 3] = [64, 128, 256];

/// The first [`EXACT_LEVELS`] prefix levels (up to 8 shingles) are matched exactly, by one key
/// per level, and on the longer text also at [`OFFSETS`] shingles from the start, so that a lede
/// still matches its full form behind an agency prefix ("(AP) — ", "LONDON (Reuters) - ").
/// Longer prefixes are matched by LSH bands, which tolerate edits and such shifts.
pub const EXACT_LEVELS: usize = 4;
/// Shifts at which exact prefix keys of the longer text are indexed.
pub const OFFSETS: usize = 4;

/// Whole-text buckets with more members than this are not expanded to all pairs: each member
/// is paired with its neighbour (in a content order) and the bucket's first member instead.
/// Prefix buckets that large are skipped: an opening shared by so many texts is site chrome.
pub const BUCKET_CAP: usize = 64;

/// The LSH S-curve is placed this far below the threshold: every candidate is verified
/// exactly, so extra candidates cost time only, while a missed pair is lost. At threshold 0.8
/// and 128 bins this gives 18 bands of 7 rows: a pair at Jaccard 0.8 is a candidate with
/// probability 0.986, at 0.85 with 0.999, at 0.5 with 0.13.
pub const LSH_MARGIN: f64 = 0.1;

/// Options of a deduplication.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Jaccard threshold for `near` links, and containment threshold for `contained` links.
    pub threshold: f64,
    /// Bins of the MinHash sketch.
    pub num_perm: usize,
    /// Shingle length, in words or characters.
    pub ngram: usize,
    /// Words or characters.
    pub unit: Unit,
    /// Seed of the sketch hashes.
    pub seed: u64,
    /// Also link truncated copies and short versions to their full forms.
    pub containment: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self { threshold: 0.8, num_perm: 128, ngram: 5, unit: Unit::Word, seed: 0, containment: true }
    }
}

impl Options {
    /// Checks every field.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming the first bad field.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |name: &'static str, message: String| Err(Error::InvalidOption { name, message });
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return bad("threshold", format!("must be in (0, 1], got {}", self.threshold));
        }
        if !(1..=4096).contains(&self.num_perm) {
            return bad("num_perm", format!("must be between 1 and 4096, got {}", self.num_perm));
        }
        if !(1..=64).contains(&self.ngram) {
            return bad("ngram", format!("must be between 1 and 64, got {}", self.ngram));
        }
        Ok(())
    }
}

/// Which member of a cluster is kept (its representative).
#[derive(Debug, Clone, PartialEq)]
pub enum Keep<'a> {
    /// The longest text (most characters); ties go to the smaller hash of the normalised
    /// text, then the earlier index, so the choice does not depend on the input order unless
    /// the tied texts normalise alike.
    Longest,
    /// The earliest text in the input.
    First,
    /// The text with the highest priority (one value per input text); ties go to the earlier.
    Priority(&'a [f64]),
}

impl Keep<'_> {
    /// Checks the policy against the number of texts.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when a priority array does not have one value per text.
    pub fn check(&self, n: usize) -> Result<(), Error> {
        match self {
            Self::Priority(p) if p.len() != n => Err(Error::InvalidOption { name: "keep", message: format!("the priority array has {} values for {n} texts", p.len()) }),
            _ => Ok(()),
        }
    }
}

/// How two texts are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// The normalised texts are equal.
    Exact,
    /// Jaccard similarity of the shingle sets ≥ threshold.
    Near,
    /// Below the Jaccard threshold, but ≥ threshold of the shorter text's shingles are in the
    /// longer one (a cut-off lede, a short version).
    Contained,
}

impl LinkKind {
    /// `"exact"`, `"near"` or `"contained"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Near => "near",
            Self::Contained => "contained",
        }
    }
}

/// A verified link between two texts (`a < b`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// The earlier text.
    pub a: usize,
    /// The later text.
    pub b: usize,
    /// 1 for exact, the Jaccard similarity for near, the containment for contained.
    pub similarity: f32,
    /// What links them.
    pub kind: LinkKind,
}

/// The result of a deduplication, one entry per input text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dedup {
    /// Index of each text's cluster representative (itself when kept).
    pub cluster: Vec<usize>,
    /// True for representatives: the texts to keep.
    pub keep: Vec<bool>,
    /// Similarity to the representative (1 for itself and exact copies): the Jaccard
    /// similarity, or, when that is below the threshold and the share of the shorter text's
    /// shingles found in the longer reaches it, that share (the containment).
    pub similarity: Vec<f32>,
    /// Every link that built the clusters, sorted.
    pub links: Vec<Link>,
}

/// What the first pass learns about one text, besides its band keys.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Meta {
    /// Hash of the normalised text (of its word sequence in word mode).
    pub exact: u64,
    /// Characters of the raw text.
    pub chars: u64,
    /// Number of shingles in text order (repeats counted): decides the prefix levels.
    pub len: u32,
}

/// Number of prefix levels a text of `len` shingles has: the levels below its length (its
/// last shingle may hold a word cut off), and level 1 for a text of one shingle.
#[inline]
pub(crate) fn levels_of(len: u32) -> usize {
    // The levels are the powers of two up to 256: those below `len` number ⌊log₂(len − 1)⌋ + 1.
    match len {
        0 => 0,
        1 => 1,
        _ => ((32 - (len - 1).leading_zeros()) as usize).min(PREFIX_LEVELS.len()),
    }
}

/// Number of suffix levels a text of `len` shingles has: the levels below its length.
#[inline]
pub(crate) fn suffix_levels_of(len: u32) -> usize {
    // 64, 128 and 256: the powers of two from 2⁶ below `len`.
    (levels_of(len).saturating_sub(6)).min(SUFFIX_LEVELS.len())
}

/// Offsets at which a text of `len` shingles has a key of exact prefix level `l`.
#[inline]
pub(crate) fn exact_offsets(len: u32, l: usize) -> usize {
    let g = PREFIX_LEVELS[l];
    if l >= levels_of(len) {
        0
    } else if len as usize == g {
        1
    } else {
        (len as usize - g).min(OFFSETS)
    }
}

/// One LSH space: keys are compared only within a space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Space {
    /// Band `j` of the whole-text sketch.
    Main(usize),
    /// Exact prefix level `l` (< EXACT_LEVELS), all offsets.
    Exact(usize),
    /// Band `j` of the sketch of prefix level `l` (>= EXACT_LEVELS).
    Band(usize, usize),
    /// Band `j` of the sketch of suffix level `l` (an index into [`SUFFIX_LEVELS`]).
    Suffix(usize, usize),
}

/// Where a text's keys are: the whole-text bands (`b`), the exact prefix keys, then the bands
/// (`lb` each) of every longer prefix level and of every suffix level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Bands of the whole-text sketch.
    pub b: usize,
    /// Bands of a prefix or suffix level's sketch.
    pub lb: usize,
    /// Whether there are prefix and suffix keys at all.
    pub containment: bool,
}

impl Layout {
    /// The number of key slots of a text.
    pub fn slots(self) -> usize {
        if self.containment {
            self.b + EXACT_LEVELS * OFFSETS + (PREFIX_LEVELS.len() - EXACT_LEVELS + SUFFIX_LEVELS.len()) * self.lb
        } else {
            self.b
        }
    }

    /// The first slot of prefix level `l` (>= EXACT_LEVELS).
    #[inline]
    fn band_start(self, l: usize) -> usize {
        self.b + EXACT_LEVELS * OFFSETS + (l - EXACT_LEVELS) * self.lb
    }

    /// The first slot of suffix level `l`.
    #[inline]
    fn suffix_start(self, l: usize) -> usize {
        self.band_start(PREFIX_LEVELS.len()) + l * self.lb
    }

    /// Every space.
    pub fn spaces(self) -> Vec<Space> {
        let mut out: Vec<Space> = (0..self.b).map(Space::Main).collect();
        if self.containment {
            out.extend((0..EXACT_LEVELS).map(Space::Exact));
            for l in EXACT_LEVELS..PREFIX_LEVELS.len() {
                out.extend((0..self.lb).map(|j| Space::Band(l, j)));
            }
            for l in 0..SUFFIX_LEVELS.len() {
                out.extend((0..self.lb).map(|j| Space::Suffix(l, j)));
            }
        }
        out
    }

    /// A space's number (part of a bucket's key in an index).
    pub fn id(self, space: Space) -> u64 {
        let (b, lb) = (self.b, self.lb);
        (match space {
            Space::Main(j) => j,
            Space::Exact(l) => b + l,
            Space::Band(l, j) => b + EXACT_LEVELS + (l - EXACT_LEVELS) * lb + j,
            Space::Suffix(l, j) => b + EXACT_LEVELS + (PREFIX_LEVELS.len() - EXACT_LEVELS) * lb + l * lb + j,
        }) as u64
    }

    /// The keys of a text of `len` shingles in a space: (slot, is this its top level at
    /// offset 0).
    #[inline(always)]
    pub fn entries(self, space: Space, len: u32) -> impl Iterator<Item = (usize, bool)> {
        let is_top = space.is_top(len);
        let (start, count): (usize, usize) = match space {
            Space::Main(j) => (j, usize::from(len > 0)),
            _ if !self.containment => (0, 0),
            Space::Exact(l) => (self.b + l * OFFSETS, exact_offsets(len, l)),
            Space::Band(l, j) => (self.band_start(l) + j, usize::from(l < levels_of(len))),
            Space::Suffix(l, j) => (self.suffix_start(l) + j, usize::from(l < suffix_levels_of(len))),
        };
        (0..count).map(move |d| (start + d, is_top && d == 0))
    }
}

impl Space {
    /// Whether pairs of this space need one text at its top level (every space but the
    /// whole-text bands).
    pub fn ranked(self) -> bool {
        !matches!(self, Self::Main(_))
    }

    /// Whether this space's level is the top level of a text of `len` shingles: its longest
    /// prefix (or suffix) level shorter than itself.
    #[inline]
    pub fn is_top(self, len: u32) -> bool {
        match self {
            Self::Main(_) => false,
            Self::Exact(l) | Self::Band(l, _) => levels_of(len).checked_sub(1) == Some(l),
            Self::Suffix(l, _) => suffix_levels_of(len).checked_sub(1) == Some(l),
        }
    }
}

/// The engine's fixed parts: hashing and banding for one set of options.
#[derive(Debug, Clone)]
pub(crate) struct Engine {
    pub opts: Options,
    pub sketcher: Sketcher,
    pub bands: Bands,
    /// Sketches of prefix and suffix levels: the whole-text bins merged into
    /// [`LEVEL_BINS`] (or `num_perm`, if fewer), densified with their own probes.
    pub level: Sketcher,
    pub level_bands: Bands,
}

impl Engine {
    pub fn new(opts: Options) -> Result<Self, Error> {
        opts.validate()?;
        let sketcher = Sketcher::new(opts.num_perm, opts.seed);
        let t = (opts.threshold - LSH_MARGIN).max(0.05);
        let bands = Bands::optimal(t, opts.num_perm);
        let level_k = opts.num_perm.min(LEVEL_BINS);
        let level = Sketcher::new(level_k, opts.seed);
        let level_bands = Bands::optimal(t, level_k);
        Ok(Self { opts, sketcher, bands, level, level_bands })
    }

    /// Where a text's keys are.
    pub fn layout(&self) -> Layout {
        Layout { b: self.bands.b, lb: self.level_bands.b, containment: self.opts.containment }
    }

    /// The band keys of a level sketch whose bins are `coarse` ([`Engine::level_bin`]):
    /// densified, then banded.
    fn level_keys(&self, coarse: &[u32], dense: &mut Vec<u32>, out: &mut [u32]) {
        self.level.densify(coarse, dense);
        self.level_bands.keys_into(dense, out);
    }

    /// Which level bin a shingle lowers, from its position (see [`Sketcher::place`]) and its
    /// whole-text bin: whole-text bin `i` of `k` merges into level bin `⌊i · k_l / k⌋`, which
    /// keeps the smallest value.
    fn level_bin(&self) -> impl Fn(u64, usize) -> usize {
        let (k, kl) = (self.sketcher.k(), self.level.k());
        let divides = k % kl == 0;
        // When k_l divides k, the same bin without a division.
        move |pos, bin| if divides { minhash::bin_at(pos, kl) } else { bin * kl / k }
    }

    fn shingles(&self, text: &str) -> (u64, Vec<u64>) {
        shingle::text_shingles(text, self.opts.unit, self.opts.ngram)
    }

    /// The shingle set of a text.
    pub fn set(&self, text: &str) -> Vec<u32> {
        shingle::shingle_set(&self.shingles(text).1)
    }

    /// The number of key slots of a text (see [`Engine::prep`]).
    pub fn slots(&self) -> usize {
        self.layout().slots()
    }

    /// The first pass over one text: its scalars, its band keys written into `row` (of
    /// [`Engine::slots`] values, zero where the text has no key), and its shingle set when
    /// `keep_set`.
    ///
    /// Layout of `row` ([`Layout`]): the whole-text bands; the exact prefix keys, level by
    /// level, `OFFSETS` each; the bands of each longer prefix level; the bands of each suffix
    /// level (the level bands of level sketches). `chars`: the text's number of characters when
    /// the caller knows it (else it is counted).
    pub fn prep(&self, text: Option<&str>, chars: Option<u64>, row: &mut [u32], keep_set: bool) -> (Meta, Option<Vec<u32>>) {
        let Some(text) = text else { return (Meta::default(), keep_set.then(Vec::new)) };
        debug_assert!(chars.is_none_or(|c| c == text.chars().count() as u64), "a wrong character count");
        let chars = chars.unwrap_or_else(|| text.chars().count() as u64);
        let (exact, sh) = self.shingles(text);
        if sh.is_empty() {
            return (Meta { chars, ..Meta::default() }, keep_set.then(Vec::new));
        }
        let len = u32::try_from(sh.len()).unwrap_or(u32::MAX);
        let levels = if self.opts.containment { levels_of(len) } else { 0 };
        let b = self.bands.b;
        let k = self.sketcher.k();
        let mut bins = vec![EMPTY; k];
        let mut dense = Vec::with_capacity(k);
        let mut coarse = vec![EMPTY; self.level.k()];
        let layout = self.layout();
        let lb = layout.lb;
        if self.opts.containment {
            for l in 0..EXACT_LEVELS.min(levels) {
                let g = PREFIX_LEVELS[l];
                for d in 0..exact_offsets(len, l) {
                    row[b + l * OFFSETS + d] = (shingle::mix64(shingle::words_hash(&sh[d..d + g])) >> 32) as u32;
                }
            }
        }
        // The suffix levels' shingles (the last `tail`): their places are kept as the whole-text
        // pass computes them, for the suffix sketches below.
        let suffixes = if self.opts.containment { suffix_levels_of(len) } else { 0 };
        let tail = if suffixes > 0 { SUFFIX_LEVELS[suffixes - 1].min(sh.len()) } else { 0 };
        let from = sh.len() - tail;
        let mut places = [0u64; SUFFIX_LEVELS[SUFFIX_LEVELS.len() - 1]];
        let ring = places.len();
        // Up to the longest prefix level, each shingle lowers its bin and its level bin.
        let top = if levels > EXACT_LEVELS { PREFIX_LEVELS[levels - 1] } else { 0 };
        let level_bin = self.level_bin();
        let mut next = EXACT_LEVELS;
        for (i, &s) in sh[..top].iter().enumerate() {
            let (pos, v) = self.sketcher.place(s);
            if i >= from {
                places[i % ring] = pos << 32 | u64::from(v);
            }
            let bin = minhash::bin_at(pos, k);
            bins[bin] = bins[bin].min(v);
            let j = level_bin(pos, bin);
            coarse[j] = coarse[j].min(v);
            if i + 1 == PREFIX_LEVELS[next] {
                let at = layout.band_start(next);
                self.level_keys(&coarse, &mut dense, &mut row[at..at + lb]);
                next += 1;
            }
        }
        let kept = from.max(top);
        for &s in &sh[top..kept] {
            self.sketcher.add(&mut bins, s);
        }
        for (i, &s) in sh.iter().enumerate().skip(kept) {
            let (pos, v) = self.sketcher.place(s);
            places[i % ring] = pos << 32 | u64::from(v);
            let bin = minhash::bin_at(pos, k);
            bins[bin] = bins[bin].min(v);
        }
        self.sketcher.densify(&bins, &mut dense);
        self.bands.keys_into(&dense, &mut row[..b]);
        // Suffix sketches: the last shingles again, from the last one back, into level bins only.
        if suffixes > 0 {
            coarse.fill(EMPTY);
            let mut next = 0;
            for (i, at) in (from..sh.len()).rev().enumerate() {
                let place = places[at % ring];
                let (pos, v) = (place >> 32, place as u32);
                let j = level_bin(pos, minhash::bin_at(pos, k));
                coarse[j] = coarse[j].min(v);
                if i + 1 == SUFFIX_LEVELS[next] {
                    let at = layout.suffix_start(next);
                    self.level_keys(&coarse, &mut dense, &mut row[at..at + lb]);
                    next += 1;
                }
            }
        }
        (Meta { exact, chars, len }, keep_set.then(|| shingle::shingle_set(&sh)))
    }

    /// The number of band keys a text of `len` shingles has: 0 for an empty text, else
    /// [`Engine::slots`] (zero where the text has no key).
    pub fn key_count(&self, len: u32) -> usize {
        if len == 0 {
            0
        } else {
            self.slots()
        }
    }

    /// Verifies one candidate pair on its shingle sets.
    pub fn verify(&self, a: usize, b: usize, sa: &[u32], sb: &[u32]) -> Option<Link> {
        let (j, c) = shingle::similarity(sa, sb);
        let t = self.opts.threshold;
        let (a, b) = (a.min(b), a.max(b));
        if j >= t {
            Some(Link { a, b, similarity: j as f32, kind: LinkKind::Near })
        } else if self.opts.containment && c >= t {
            Some(Link { a, b, similarity: c as f32, kind: LinkKind::Contained })
        } else {
            None
        }
    }

    /// Similarity of text `x` to its representative `r`, as [`Dedup::similarity`] says.
    pub fn rep_similarity(&self, sx: &[u32], sr: &[u32]) -> f32 {
        if sx.is_empty() || sr.is_empty() {
            return 0.0;
        }
        let inter = shingle::intersection(sx, sr) as f64;
        let j = inter / ((sx.len() + sr.len()) as f64 - inter);
        let c = inter / sx.len().min(sr.len()) as f64;
        let t = self.opts.threshold;
        (if j < t && self.opts.containment && c >= t { c } else { j }) as f32
    }
}

/// The state a deduplication runs against: the texts seen before (empty for a one-off call).
#[derive(Debug, Clone, Default)]
pub(crate) struct Seen {
    pub exact: Vec<u64>,
    pub chars: Vec<u64>,
    pub len: Vec<u32>,
    pub keys: Vec<Vec<u32>>,
    pub sets: Vec<Vec<u32>>,
    pub uf: UnionFind,
    /// Exact hash → first text with it.
    pub exact_map: HashMap<u64, u32>,
    /// (space << 32 | key) → texts (exact-class leaders only).
    pub buckets: HashMap<u64, Vec<u32>>,
}

impl Seen {
    pub fn len(&self) -> usize {
        self.exact.len()
    }

    /// Adds a text's keys to the buckets.
    pub fn index_keys(&mut self, g: u32, spaces: &[Space], layout: Layout) {
        let (keys, len) = (&self.keys[g as usize], self.len[g as usize]);
        for &space in spaces {
            for (pos, _) in layout.entries(space, len) {
                let members = self.buckets.entry(layout.id(space) << 32 | u64::from(keys[pos])).or_default();
                if members.last() != Some(&g) {
                    members.push(g);
                }
            }
        }
    }
}

fn pack(a: u32, b: u32) -> u64 {
    let (a, b) = (a.min(b), a.max(b));
    u64::from(a) << 32 | u64::from(b)
}

/// Pairs from one bucket. A member is `(exact hash, position, top)`: `top` flags the members
/// for which this space is their top prefix level (`ranked` spaces only; in the whole-text
/// space every pair counts). A bucket over [`BUCKET_CAP`] is sorted, so that its neighbours are
/// neighbours in content, not in input order.
fn bucket_pairs(members: &mut [(u64, u32, bool)], ranked: bool, out: &mut Vec<u64>) {
    let m = members.len();
    if m < 2 {
        return;
    }
    if ranked && m > BUCKET_CAP {
        // An opening shared by that many texts is site chrome or a formula, not a truncation.
        return;
    }
    if m > BUCKET_CAP {
        members.sort_unstable();
    }
    let is_top = |i: usize| !ranked || members[i].2;
    let at = |i: usize| members[i].1;
    if m <= BUCKET_CAP {
        for i in 0..m {
            for j in i + 1..m {
                if (is_top(i) || is_top(j)) && at(i) != at(j) {
                    out.push(pack(at(i), at(j)));
                }
            }
        }
    } else {
        for i in 1..m {
            if (is_top(i) || is_top(i - 1)) && at(i) != at(i - 1) {
                out.push(pack(at(i - 1), at(i)));
            }
            if (is_top(i) || is_top(0)) && at(i) != at(0) {
                out.push(pack(at(0), at(i)));
            }
        }
    }
}

/// Deduplicates a batch of texts (`None`: an empty text). Empty texts (nothing left after
/// normalisation) are never linked: each is its own cluster and kept.
///
/// # Errors
/// [`Error::InvalidOption`] for bad options, a priority array of the wrong length, or a bad
/// thread count.
pub fn dedup<S: AsRef<str> + Sync>(texts: &[Option<S>], opts: &Options, keep: &Keep<'_>, threads: Option<usize>) -> Result<Dedup, Error> {
    Job::new(opts, texts.len())?.run_all(texts, keep, threads)
}

/// MinHash sketches of many texts: `num_perm` values per text, row after row. An empty text's
/// row is all `u32::MAX`.
///
/// # Errors
/// [`Error::InvalidOption`] for bad options or thread count.
pub fn minhash<S: AsRef<str> + Sync>(texts: &[Option<S>], opts: &Options, threads: Option<usize>) -> Result<Vec<u32>, Error> {
    let engine = Engine::new(opts.clone())?;
    let rows = parallel::map(texts, threads, |t| {
        let sh = t.as_ref().map(|t| engine.shingles(t.as_ref()).1).unwrap_or_default();
        engine.sketcher.sketch(&sh)
    })?;
    Ok(rows.concat())
}

#[cfg(test)]
mod tests;
