//! Deduplication of raw texts: exact copies, near duplicates and truncated copies, as clusters
//! with a representative each and a keep mask.
//!
//! 1. Every text is normalised and shingled ([`shingle`]); its normalised form is hashed for
//!    exact duplicates, and its shingles are sketched by one-permutation MinHash ([`minhash`]).
//! 2. Candidate pairs come from LSH banding ([`lsh`]) of the whole-text sketch, and, for
//!    truncated copies, of *prefix sketches*: the sketch of the first `g` shingles for
//!    `g` in [`PREFIX_LEVELS`] below the text's length. A cut-off lede or a short version shares
//!    its opening with its full form, so their prefix sketches at the short text's top level
//!    are equal (or, after edits, similar) even though their whole-text Jaccard is low.
//! 3. Every candidate pair is verified on the real shingle sets: Jaccard ≥ threshold links it
//!    as `near`, else the share of the shorter text's shingles found in the longer one ≥
//!    threshold links it as `contained`.
//! 4. Links are merged by union-find; each cluster's representative follows the [`Keep`]
//!    policy. Clusters do not depend on the thread count or on the input order.
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
pub mod lsh;
pub mod minhash;
pub mod paragraph;
pub mod shingle;
pub mod stages;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::error::Error;
use crate::parallel;
use cluster::{UnionFind, NONE};
pub use index::DedupIndex;
use lsh::Bands;
use minhash::{Sketcher, EMPTY};
pub use paragraph::{repeated_lines, LineDup};
use shingle::Unit;

/// Prefix lengths (in shingles) whose sketches find truncated copies.
pub const PREFIX_LEVELS: [usize; 9] = [1, 2, 4, 8, 16, 32, 64, 128, 256];

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

/// What the first pass learns about one text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prep {
    pub exact: u64,
    pub chars: u64,
    /// Number of shingles in text order (repeats counted): decides the prefix levels.
    pub len: u32,
    /// Band keys: whole-text bands, then the bands of each prefix level below `len`.
    pub keys: Vec<u32>,
    pub set: Option<Vec<u32>>,
}

/// Number of prefix levels a text of `len` shingles has: the levels below its length (its
/// last shingle may hold a word cut off), and level 1 for a text of one shingle.
pub(crate) fn levels_of(len: u32) -> usize {
    if len == 1 {
        return 1;
    }
    PREFIX_LEVELS.iter().filter(|&&g| g < len as usize).count()
}

/// Offsets at which a text of `len` shingles has a key of exact prefix level `l`.
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
}

impl Space {
    /// Every space, for `b` bands.
    pub fn all(b: usize, containment: bool) -> Vec<Self> {
        let mut out: Vec<Self> = (0..b).map(Self::Main).collect();
        if containment {
            out.extend((0..EXACT_LEVELS).map(Self::Exact));
            for l in EXACT_LEVELS..PREFIX_LEVELS.len() {
                out.extend((0..b).map(|j| Self::Band(l, j)));
            }
        }
        out
    }

    /// The space's number (part of a bucket's key in an index).
    pub fn id(self, b: usize) -> u64 {
        match self {
            Self::Main(j) => j as u64,
            Self::Exact(l) => (b + l) as u64,
            Self::Band(l, j) => (b + EXACT_LEVELS + (l - EXACT_LEVELS) * b + j) as u64,
        }
    }

    /// The prefix level, if any.
    pub fn level(self) -> Option<usize> {
        match self {
            Self::Main(_) => None,
            Self::Exact(l) | Self::Band(l, _) => Some(l),
        }
    }

    /// The keys of a text of `len` shingles in this space: (position in its keys, is this its
    /// top prefix level at offset 0).
    pub fn entries(self, b: usize, len: u32, containment: bool) -> impl Iterator<Item = (usize, bool)> {
        let levels = if containment { levels_of(len) } else { 0 };
        let top = levels.checked_sub(1);
        let (start, count, is_top): (usize, usize, bool) = match self {
            Self::Main(j) => (j, usize::from(len > 0), false),
            Self::Exact(l) => (b + l * OFFSETS, if containment { exact_offsets(len, l) } else { 0 }, top == Some(l)),
            Self::Band(l, j) => (b + EXACT_LEVELS * OFFSETS + (l - EXACT_LEVELS) * b + j, usize::from(l < levels), top == Some(l)),
        };
        (0..count).map(move |d| (start + d, is_top && d == 0))
    }
}

/// The engine's fixed parts: hashing and banding for one set of options.
#[derive(Debug, Clone)]
pub(crate) struct Engine {
    pub opts: Options,
    pub sketcher: Sketcher,
    pub bands: Bands,
}

impl Engine {
    pub fn new(opts: Options) -> Result<Self, Error> {
        opts.validate()?;
        let sketcher = Sketcher::new(opts.num_perm, opts.seed);
        let bands = Bands::optimal((opts.threshold - LSH_MARGIN).max(0.05), opts.num_perm);
        Ok(Self { opts, sketcher, bands })
    }

    fn shingles(&self, text: &str) -> (u64, Vec<u64>) {
        shingle::text_shingles(text, self.opts.unit, self.opts.ngram)
    }

    /// The shingle set of a text.
    pub fn set(&self, text: &str) -> Vec<u32> {
        shingle::shingle_set(&self.shingles(text).1)
    }

    pub fn prep(&self, text: Option<&str>, keep_set: bool) -> Prep {
        let Some(text) = text else { return Prep::default() };
        let (exact, sh) = self.shingles(text);
        if sh.is_empty() {
            return Prep { chars: text.chars().count() as u64, ..Prep::default() };
        }
        let len = u32::try_from(sh.len()).unwrap_or(u32::MAX);
        let levels = if self.opts.containment { levels_of(len) } else { 0 };
        let b = self.bands.b;
        let mut bins = vec![EMPTY; self.sketcher.k()];
        let mut dense = Vec::with_capacity(self.sketcher.k());
        // Layout: whole-text bands, exact prefix keys (level by level, OFFSETS each, zero
        // where the prefix does not fit), then the bands of each longer prefix level.
        let mut keys = vec![0u32; b + if self.opts.containment { EXACT_LEVELS * OFFSETS } else { 0 }];
        if self.opts.containment {
            for l in 0..EXACT_LEVELS.min(levels) {
                let g = PREFIX_LEVELS[l];
                for d in 0..exact_offsets(len, l) {
                    keys[b + l * OFFSETS + d] = (shingle::mix64(shingle::words_hash(&sh[d..d + g])) >> 32) as u32;
                }
            }
        }
        let mut next = EXACT_LEVELS;
        for (i, &s) in sh.iter().enumerate() {
            self.sketcher.add(&mut bins, s);
            if next < levels && i + 1 == PREFIX_LEVELS[next] {
                self.sketcher.densify(&bins, &mut dense);
                self.bands.keys(&dense, &mut keys);
                next += 1;
            }
        }
        self.sketcher.densify(&bins, &mut dense);
        let mut main = Vec::with_capacity(b);
        self.bands.keys(&dense, &mut main);
        keys[..b].copy_from_slice(&main);
        debug_assert_eq!(keys.len(), self.key_count(len));
        Prep { exact, chars: text.chars().count() as u64, len, keys, set: keep_set.then(|| shingle::shingle_set(&sh)) }
    }

    /// The number of band keys a text of `len` shingles has (0 for an empty text).
    pub fn key_count(&self, len: u32) -> usize {
        if len == 0 {
            return 0;
        }
        let b = self.bands.b;
        if !self.opts.containment {
            return b;
        }
        b + EXACT_LEVELS * OFFSETS + b * levels_of(len).saturating_sub(EXACT_LEVELS)
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
    pub fn index_keys(&mut self, g: u32, spaces: &[Space], b: usize, containment: bool) {
        let (keys, len) = (&self.keys[g as usize], self.len[g as usize]);
        for &space in spaces {
            for (pos, _) in space.entries(b, len, containment) {
                let members = self.buckets.entry(space.id(b) << 32 | u64::from(keys[pos])).or_default();
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

/// Pairs from one bucket, whose members are sorted by content. `tops` flags the members for
/// which this space is their top prefix level (`None` for the whole-text space: all pairs).
fn bucket_pairs(members: &[u32], tops: Option<&[bool]>, out: &mut Vec<u64>) {
    let m = members.len();
    if m < 2 {
        return;
    }
    if tops.is_some() && m > BUCKET_CAP {
        // An opening shared by that many texts is site chrome or a formula, not a truncation.
        return;
    }
    let is_top = |i: usize| tops.map_or(true, |t| t[i]);
    if m <= BUCKET_CAP {
        for i in 0..m {
            for j in i + 1..m {
                if (is_top(i) || is_top(j)) && members[i] != members[j] {
                    out.push(pack(members[i], members[j]));
                }
            }
        }
    } else {
        for i in 1..m {
            if (is_top(i) || is_top(i - 1)) && members[i] != members[i - 1] {
                out.push(pack(members[i - 1], members[i]));
            }
            if (is_top(i) || is_top(0)) && members[i] != members[0] {
                out.push(pack(members[0], members[i]));
            }
        }
    }
}

/// Runs one batch against `seen`. `store`: keep the batch in `seen` (an index) or not.
pub(crate) fn run<S: AsRef<str> + Sync>(
    engine: &Engine,
    seen: &mut Seen,
    texts: &[Option<S>],
    keep: &Keep<'_>,
    threads: Option<usize>,
    store: bool,
) -> Result<Dedup, Error> {
    let n = texts.len();
    if let Keep::Priority(p) = keep {
        if p.len() != n {
            return Err(Error::InvalidOption { name: "keep", message: format!("the priority array has {} values for {n} texts", p.len()) });
        }
    }
    if n == 0 {
        return Ok(Dedup::default());
    }
    let base = seen.len();
    if base + n >= (1 << 31) {
        return Err(Error::InvalidOption { name: "texts", message: "more than 2 billion texts".into() });
    }
    let b = engine.bands.b;
    let containment = engine.opts.containment;
    let preps: Vec<Prep> = parallel::map(texts, threads, |t| engine.prep(t.as_ref().map(AsRef::as_ref), store))?;

    // Exact classes: a text's leader is the first earlier text (seen or in this batch) with
    // the same normalised text.
    let mut links: Vec<Link> = Vec::new();
    let mut leader: Vec<u32> = (0..n).map(|i| (base + i) as u32).collect();
    {
        let mut batch_map: HashMap<u64, u32> = HashMap::new();
        for (i, p) in preps.iter().enumerate() {
            if p.len == 0 {
                continue;
            }
            let g = (base + i) as u32;
            let first = seen.exact_map.get(&p.exact).copied().or_else(|| batch_map.get(&p.exact).copied());
            match first {
                Some(f) => {
                    leader[i] = f;
                    links.push(Link { a: f as usize, b: g as usize, similarity: 1.0, kind: LinkKind::Exact });
                }
                None => {
                    batch_map.insert(p.exact, g);
                }
            }
        }
    }
    let leaders: Vec<u32> = (0..n).filter(|&i| preps[i].len > 0 && leader[i] == (base + i) as u32).map(|i| i as u32).collect();

    // Candidate pairs within the batch, one LSH space (level, band) at a time.
    let spaces = Space::all(b, containment);
    let per_space = parallel::map(&spaces, threads, |&space| {
        // One u64 per key: the key, then the text (batch position) and its top flag, so the
        // sort is a plain integer sort.
        let mut entries: Vec<u64> = leaders
            .iter()
            .flat_map(|&i| {
                let p = &preps[i as usize];
                space.entries(b, p.len, containment).map(move |(pos, top)| u64::from(p.keys[pos]) << 32 | u64::from(i) << 1 | u64::from(top))
            })
            .collect();
        entries.sort_unstable();
        let mut out = Vec::new();
        let mut members: Vec<(u64, u32, bool)> = Vec::new();
        let mut docs = Vec::new();
        let mut tops = Vec::new();
        let mut start = 0;
        while start < entries.len() {
            let key = entries[start] >> 32;
            let mut end = start + 1;
            while end < entries.len() && entries[end] >> 32 == key {
                end += 1;
            }
            if end - start > 1 {
                members.clear();
                members.extend(entries[start..end].iter().map(|&e| {
                    let i = (e as u32) >> 1;
                    (preps[i as usize].exact, (base as u32) + i, e & 1 == 1)
                }));
                if members.len() > BUCKET_CAP {
                    // Neighbours in content order, not input order.
                    members.sort_unstable();
                }
                docs.clear();
                tops.clear();
                docs.extend(members.iter().map(|m| m.1));
                tops.extend(members.iter().map(|m| m.2));
                bucket_pairs(&docs, space.level().map(|_| &tops[..]), &mut out);
            }
            start = end;
        }
        out
    })?;
    let mut pairs: Vec<u64> = per_space.into_iter().flatten().collect();
    // Candidates against the texts seen before.
    if !seen.buckets.is_empty() {
        let found = parallel::map(&leaders, threads, |&i| {
            let p = &preps[i as usize];
            let g = (base as u32) + i;
            let mut out = Vec::new();
            for &space in &spaces {
                for (pos, top) in space.entries(b, p.len, containment) {
                    let Some(members) = seen.buckets.get(&(space.id(b) << 32 | u64::from(p.keys[pos]))) else { continue };
                    let Some(level) = space.level() else {
                        out.extend(members.iter().take(BUCKET_CAP).map(|&o| pack(o, g)));
                        continue;
                    };
                    if members.len() > BUCKET_CAP {
                        continue;
                    }
                    for &o in members {
                        if top || levels_of(seen.len[o as usize]).checked_sub(1) == Some(level) {
                            out.push(pack(o, g));
                        }
                    }
                }
            }
            out
        })?;
        pairs.extend(found.into_iter().flatten());
    }
    // In the crate's pool: rayon's global pool deadlocks a process forked after using it.
    parallel::install(threads, || pairs.par_sort_unstable())?;
    pairs.dedup();

    // Shingle sets of the texts in candidate pairs (a one-off call computes them now).
    let mut sets: HashMap<u32, Vec<u32>> = HashMap::new();
    if !store {
        let mut need: Vec<u32> = pairs.iter().flat_map(|&p| [(p >> 32) as u32, p as u32]).collect();
        parallel::install(threads, || need.par_sort_unstable())?;
        need.dedup();
        let computed = parallel::map(&need, threads, |&g| engine.set(texts[g as usize - base].as_ref().map_or("", AsRef::as_ref)))?;
        sets = need.into_iter().zip(computed).collect();
    }
    let set_of = |g: u32| -> &[u32] {
        if (g as usize) < base {
            &seen.sets[g as usize]
        } else if store {
            preps[g as usize - base].set.as_deref().unwrap_or(&[])
        } else {
            sets.get(&g).map_or(&[], Vec::as_slice)
        }
    };
    let verified = parallel::map(&pairs, threads, |&p| {
        let (a, b) = ((p >> 32) as u32, p as u32);
        engine.verify(a as usize, b as usize, set_of(a), set_of(b))
    })?;
    links.extend(verified.into_iter().flatten());
    links.sort_by_key(|l| (l.a, l.b));

    // Clusters.
    seen.uf.grow(n);
    for l in &links {
        seen.uf.union(l.a as u32, l.b as u32);
    }
    let mut groups: HashMap<u32, Vec<u32>> = HashMap::new();
    for i in 0..n {
        let g = (base + i) as u32;
        let root = seen.uf.find(g);
        if seen.uf.rep[root as usize] == NONE {
            groups.entry(root).or_default().push(i as u32);
        }
    }
    for (root, members) in groups {
        let better = |x: u32, y: u32| -> bool {
            // Is member x a better representative than member y?
            let (px, py) = (&preps[x as usize], &preps[y as usize]);
            match keep {
                Keep::First => x < y,
                Keep::Longest => (std::cmp::Reverse(px.chars), px.exact, x) < (std::cmp::Reverse(py.chars), py.exact, y),
                Keep::Priority(p) => {
                    let (a, b) = (p[x as usize], p[y as usize]);
                    a > b || (a == b && x < y) || (b.is_nan() && !a.is_nan())
                }
            }
        };
        let mut best = members[0];
        for &m in &members[1..] {
            if better(m, best) {
                best = m;
            }
        }
        seen.uf.rep[root as usize] = (base as u32) + best;
    }

    let mut out = Dedup { cluster: Vec::with_capacity(n), keep: Vec::with_capacity(n), similarity: Vec::with_capacity(n), links: Vec::new() };
    let reps: Vec<u32> = (0..n)
        .map(|i| {
            let root = seen.uf.find((base + i) as u32);
            seen.uf.rep[root as usize]
        })
        .collect();
    let exact_of = |g: u32| if (g as usize) < base { seen.exact[g as usize] } else { preps[g as usize - base].exact };
    let set_owner = |g: u32| if (g as usize) < base { g } else { leader[g as usize - base] };
    for (i, &r) in reps.iter().enumerate() {
        let g = (base + i) as u32;
        out.cluster.push(r as usize);
        out.keep.push(r == g);
        let sim = if r == g || (preps[i].len > 0 && exact_of(r) == preps[i].exact) {
            1.0
        } else {
            engine.rep_similarity(set_of(set_owner(g)), set_of(set_owner(r)))
        };
        out.similarity.push(sim);
    }
    out.links = links;

    if store {
        for (i, p) in preps.into_iter().enumerate() {
            let g = (base + i) as u32;
            if p.len > 0 && leader[i] == g {
                seen.exact_map.insert(p.exact, g);
            }
            let is_leader = p.len > 0 && leader[i] == g;
            seen.exact.push(p.exact);
            seen.chars.push(p.chars);
            seen.len.push(p.len);
            seen.keys.push(if is_leader { p.keys } else { Vec::new() });
            seen.sets.push(p.set.unwrap_or_default());
            if is_leader {
                seen.index_keys(g, &spaces, b, containment);
            }
        }
    }
    Ok(out)
}

/// Deduplicates a batch of texts (`None`: an empty text). Empty texts (nothing left after
/// normalisation) are never linked: each is its own cluster and kept.
///
/// # Errors
/// [`Error::InvalidOption`] for bad options, a priority array of the wrong length, or a bad
/// thread count.
pub fn dedup<S: AsRef<str> + Sync>(texts: &[Option<S>], opts: &Options, keep: &Keep<'_>, threads: Option<usize>) -> Result<Dedup, Error> {
    let engine = Engine::new(opts.clone())?;
    run(&engine, &mut Seen::default(), texts, keep, threads, false)
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
