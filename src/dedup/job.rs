//! One deduplication run in steps, so that a caller can hand the texts over a chunk at a
//! time and never hold a second copy of the whole batch (the Python binding gives step 1 its
//! `str` objects as a [`Source`], read into UTF-8 text by text on the worker threads).
//!
//! 1. [`Job::prep`], for every text once, in order, in chunks of any size: exact hash,
//!    length, band keys (kept in blocks of texts, a column per key slot in each) and, for an
//!    index, the shingle set. The number of texts is announced ([`Job::new`]) or not
//!    ([`Job::open`]: as many as are given, for a stream).
//! 2. [`Job::candidates`]: exact classes, LSH buckets, the candidate pairs, and the texts
//!    whose shingle sets verification needs ([`Job::needed`]).
//! 3. [`Job::sets`], for the needed texts, in order, in chunks: their shingle sets, hashed
//!    again from the text (only these texts' sets are ever held).
//! 4. [`Job::finish`]: verification, clusters, representatives; an index keeps the batch.

use std::collections::HashMap;

use rayon::prelude::*;

use super::cluster::NONE;
use super::{bucket_pairs, pack, Dedup, Engine, Keep, Link, LinkKind, Meta, Options, Seen, Space, BUCKET_CAP, SUFFIX_LEVELS};
use crate::error::Error;
use crate::parallel;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Prep,
    Sets,
    /// [`Job::prep_from`] met a text it could not read: the job takes no more steps.
    Failed,
}

/// Texts that [`Job::prep_from`] reads one at a time, on the worker threads: for inputs that
/// are not UTF-8 strings already (the Python binding's `str` objects, made UTF-8 text by text
/// into a buffer of the worker's rather than a chunk at a time).
pub trait Source: Sync {
    /// The number of texts.
    fn len(&self) -> usize;

    /// Whether there are no texts.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `f` with text `k` (`None`: a missing text) and its number of characters when
    /// known (as `str::chars` counts them; else `None`). `buf` is scratch space of the calling
    /// worker that the text may be written into. `None` when text `k` cannot be read as text.
    fn read<R>(&self, k: usize, buf: &mut String, f: impl FnOnce(Option<&str>, Option<u64>) -> R) -> Option<R>;
}

/// A slice of texts, with their character counts when known.
struct Texts<'a, S> {
    texts: &'a [Option<S>],
    chars: Option<&'a [u64]>,
}

impl<S: AsRef<str> + Sync> Source for Texts<'_, S> {
    fn len(&self) -> usize {
        self.texts.len()
    }

    fn read<R>(&self, k: usize, _buf: &mut String, f: impl FnOnce(Option<&str>, Option<u64>) -> R) -> Option<R> {
        Some(f(self.texts[k].as_ref().map(AsRef::as_ref), self.chars.map(|c| c[k])))
    }
}

/// A deduplication of one batch of `n` texts, run step by step (see the module docs).
/// [`dedup`](super::dedup) and [`DedupIndex::add`](super::DedupIndex::add) are the one-call
/// forms. A batch for an index ([`DedupIndex::job`](super::DedupIndex::job)) takes step 1
/// only; [`DedupIndex::finish`](super::DedupIndex::finish) runs the rest against the index.
/// A step called out of turn, or with more texts than announced, is an
/// [`Error::InvalidOption`]. An open job ([`Job::open`]) takes as many texts as step 1 is
/// given: a stream read twice (its texts, then those of [`Job::needed`]) is deduplicated with
/// memory for a fixed record a text and the needed texts' shingle sets, never the texts.
#[derive(Debug)]
pub struct Job {
    engine: Engine,
    /// The earlier texts of a one-off job (none).
    own: Seen,
    store: bool,
    stage: Stage,
    /// Texts in the batch: announced, or (an open job) the texts given so far.
    n: usize,
    /// The batch takes any number of texts ([`Job::open`]).
    open: bool,
    base: usize,
    slots: usize,
    done: usize,
    exact: Vec<u64>,
    chars: Vec<u64>,
    len: Vec<u32>,
    /// Band keys, in blocks of texts, slot-major within a block.
    keys: Keys,
    /// An index's batch: every text's shingle set.
    stored: Vec<Vec<u32>>,
    leader: Vec<u32>,
    links: Vec<Link>,
    pairs: Vec<u64>,
    need: Vec<u32>,
    need_sets: Vec<Vec<u32>>,
}

fn out_of_turn(message: String) -> Error {
    Error::InvalidOption { name: "texts", message }
}

impl Job {
    /// A one-off deduplication of `n` texts.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for bad options or more than 2³¹ texts.
    pub fn new(opts: &Options, n: usize) -> Result<Self, Error> {
        Self::with_engine(Engine::new(opts.clone())?, n, false)
    }

    /// A one-off deduplication of as many texts as [`Job::prep`] is given before
    /// [`Job::candidates`]: for a stream whose length is not known in advance. Its memory
    /// grows by a fixed record a text (its band keys and three scalars: 348 bytes at the
    /// default options), never by the texts themselves.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for bad options.
    pub fn open(opts: &Options) -> Result<Self, Error> {
        let mut job = Self::with_engine(Engine::new(opts.clone())?, 0, false)?;
        job.open = true;
        job.keys = Keys::new(job.slots, usize::MAX);
        Ok(job)
    }

    /// A batch of `n` texts; `store`: for an index (every shingle set is kept).
    pub(crate) fn with_engine(engine: Engine, n: usize, store: bool) -> Result<Self, Error> {
        if n >= (1 << 31) {
            return Err(Error::InvalidOption { name: "texts", message: "more than 2 billion texts".into() });
        }
        let slots = engine.slots();
        Ok(Self {
            engine,
            own: Seen::default(),
            store,
            stage: Stage::Prep,
            n,
            open: false,
            base: 0,
            slots,
            done: 0,
            exact: Vec::with_capacity(n),
            chars: Vec::with_capacity(n),
            len: Vec::with_capacity(n),
            keys: Keys::new(slots, n),
            stored: Vec::new(),
            leader: Vec::new(),
            links: Vec::new(),
            pairs: Vec::new(),
            need: Vec::new(),
            need_sets: Vec::new(),
        })
    }

    /// The options the job runs with.
    #[must_use]
    pub fn options(&self) -> &Options {
        &self.engine.opts
    }

    /// The number of texts in the batch (of an open job: given so far).
    #[must_use]
    pub fn len(&self) -> usize {
        self.n
    }

    /// True for a batch of no texts.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Step 1: the next texts of the batch (`None`: an empty text).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when called after [`Job::candidates`], with more texts than
    /// the batch has, or for a bad thread count.
    pub fn prep<S: AsRef<str> + Sync>(&mut self, texts: &[Option<S>], threads: Option<usize>) -> Result<(), Error> {
        self.prep_counted(texts, None, threads)
    }

    /// [`Job::prep`] given each text's number of characters (`chars[i]` that of `texts[i]`,
    /// as `str::chars` counts them; anything for a `None`), when the caller has it already, so
    /// that the text is not counted again (a [`Source`] gives its counts the same way).
    ///
    /// # Errors
    /// As [`Job::prep`], and [`Error::InvalidOption`] when `chars` is not as long as `texts`.
    pub fn prep_counted<S: AsRef<str> + Sync>(&mut self, texts: &[Option<S>], chars: Option<&[u64]>, threads: Option<usize>) -> Result<(), Error> {
        if chars.is_some_and(|c| c.len() != texts.len()) {
            return Err(out_of_turn(format!("{} character counts for {} texts", chars.map_or(0, <[u64]>::len), texts.len())));
        }
        // A slice is always read.
        self.prep_from(&Texts { texts, chars }, threads).map(|_| ())
    }

    /// [`Job::prep`] of the texts of a [`Source`], in its order, read on the worker threads in
    /// segments of 2¹⁴ texts counted from the start of this call (one parallel pass each).
    /// `Ok(Some(k))` names the first text (in order) that `texts` could not read; the texts of
    /// the segments before its own are taken, and the job refuses every later step.
    ///
    /// # Errors
    /// As [`Job::prep`].
    pub fn prep_from<T: Source>(&mut self, texts: &T, threads: Option<usize>) -> Result<Option<usize>, Error> {
        let m = texts.len();
        let limit = if self.open { (1 << 31) - 1 } else { self.n };
        if self.stage != Stage::Prep || self.done + m > limit {
            return Err(out_of_turn(format!("{m} more texts for a batch of {} that has {} already", self.n, self.done)));
        }
        if m == 0 {
            return Ok(None);
        }
        let (slots, store) = (self.slots, self.store);
        let pool = parallel::pool(threads)?;
        let segment = 1usize << BLOCK_SHIFT;
        for start in (0..m).step_by(segment) {
            let end = m.min(start + segment);
            let engine = &self.engine;
            let mut rows = vec![0u32; (end - start) * slots];
            let metas: Vec<Option<(Meta, Option<Vec<u32>>)>> = pool.install(|| {
                rows.par_chunks_mut(slots)
                    .enumerate()
                    .with_min_len(4)
                    .map_init(String::new, |buf, (k, row)| texts.read(start + k, buf, |t, c| engine.prep(t, c, row, store)))
                    .collect()
            });
            if let Some(bad) = metas.iter().position(Option::is_none) {
                self.stage = Stage::Failed;
                return Ok(Some(start + bad));
            }
            for (meta, set) in metas.into_iter().flatten() {
                self.exact.push(meta.exact);
                self.chars.push(meta.chars);
                self.len.push(meta.len);
                if let Some(set) = set {
                    self.stored.push(set);
                }
            }
            let done = self.done;
            pool.install(|| self.keys.put(done, &rows));
            self.done += end - start;
            if self.open {
                self.n = self.done;
            }
        }
        Ok(None)
    }

    /// Step 2, once every text is in: exact classes and candidate pairs. Then
    /// [`Job::needed`] lists the texts whose sets [`Job::sets`] must be given.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when texts are missing, when called twice, or for a bad thread
    /// count.
    pub fn candidates(&mut self, threads: Option<usize>) -> Result<(), Error> {
        if self.store {
            return Err(out_of_turn("a batch for an index is finished by DedupIndex::finish".into()));
        }
        let own = std::mem::take(&mut self.own);
        let res = self.candidates_in(&own, threads);
        self.own = own;
        res
    }

    /// [`Job::candidates`] against the texts `seen` before.
    pub(crate) fn candidates_in(&mut self, seen: &Seen, threads: Option<usize>) -> Result<(), Error> {
        if self.stage != Stage::Prep || self.done != self.n {
            return Err(out_of_turn(format!("candidates of a batch of {} texts after {} of them", self.n, self.done)));
        }
        if seen.len() + self.n >= (1 << 31) {
            return Err(Error::InvalidOption { name: "texts", message: "more than 2 billion texts".into() });
        }
        self.stage = Stage::Sets;
        self.base = seen.len();
        let (n, base, store) = (self.n, self.base, self.store);
        let engine = &self.engine;

        // Exact classes: a text's leader is the first earlier text (seen or in this batch)
        // with the same normalised text.
        let mut leader: Vec<u32> = (0..n).map(|i| (base + i) as u32).collect();
        let mut batch_map: HashMap<u64, u32> = HashMap::new();
        for (i, lead) in leader.iter_mut().enumerate() {
            if self.len[i] == 0 {
                continue;
            }
            let g = (base + i) as u32;
            match seen.exact_map.get(&self.exact[i]).copied().or_else(|| batch_map.get(&self.exact[i]).copied()) {
                Some(f) => {
                    *lead = f;
                    self.links.push(Link { a: f as usize, b: g as usize, similarity: 1.0, kind: LinkKind::Exact });
                }
                None => {
                    batch_map.insert(self.exact[i], g);
                }
            }
        }
        drop(batch_map);
        let leaders: Vec<u32> = (0..n).filter(|&i| self.len[i] > 0 && leader[i] == (base + i) as u32).map(|i| i as u32).collect();

        // Candidate pairs within the batch, one LSH space (level, band) at a time.
        let layout = engine.layout();
        let spaces = layout.spaces();
        let (keys, len, exact) = (&self.keys, &self.len, &self.exact);
        let key = |pos: usize, i: u32| keys.get(pos, i as usize);
        let per_space = parallel::map(&spaces, threads, |&space| {
            // One u64 per key: the key, then the text (batch position) and its top flag.
            let mut entries: Vec<u64> = Vec::with_capacity(leaders.len());
            for &i in &leaders {
                for (pos, top) in layout.entries(space, len[i as usize]) {
                    entries.push(u64::from(key(pos, i)) << 32 | u64::from(i) << 1 | u64::from(top));
                }
            }
            keep_repeated_keys(&mut entries);
            let mut out = Vec::new();
            let mut members: Vec<(u64, u32, bool)> = Vec::new();
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
                        (exact[i as usize], (base as u32) + i, e & 1 == 1)
                    }));
                    bucket_pairs(&mut members, space.ranked(), &mut out);
                }
                start = end;
            }
            out
        })?;
        // Suffix pairs count only where all but one of the bands of their level agree.
        let mut pairs: Vec<u64> = Vec::new();
        let mut suffix: Vec<Vec<u64>> = vec![Vec::new(); SUFFIX_LEVELS.len()];
        for (space, found) in spaces.iter().zip(per_space) {
            match space {
                Space::Suffix(l, _) => suffix[*l].extend(found),
                _ => pairs.extend(found),
            }
        }
        for found in suffix {
            pairs.extend(agreeing(found, layout.lb));
        }

        // Candidates against the texts seen before.
        if !seen.buckets.is_empty() {
            let found = parallel::map(&leaders, threads, |&i| {
                let g = (base as u32) + i;
                let mut out = Vec::new();
                let mut suffix: Vec<Vec<u64>> = vec![Vec::new(); SUFFIX_LEVELS.len()];
                for &space in &spaces {
                    for (pos, top) in layout.entries(space, len[i as usize]) {
                        let Some(members) = seen.buckets.get(&(layout.id(space) << 32 | u64::from(key(pos, i)))) else { continue };
                        if !space.ranked() {
                            out.extend(members.iter().take(BUCKET_CAP).map(|&o| pack(o, g)));
                            continue;
                        }
                        if members.len() > BUCKET_CAP {
                            continue;
                        }
                        let into = if let Space::Suffix(l, _) = space { &mut suffix[l] } else { &mut out };
                        for &o in members {
                            if top || space.is_top(seen.len[o as usize]) {
                                into.push(pack(o, g));
                            }
                        }
                    }
                }
                for found in suffix {
                    out.extend(agreeing(found, layout.lb));
                }
                out
            })?;
            pairs.extend(found.into_iter().flatten());
        }
        parallel::pool(threads)?.install(|| pairs.par_sort_unstable());
        pairs.dedup();

        if !store {
            let mut need: Vec<u32> = pairs.iter().flat_map(|&p| [(p >> 32) as u32, p as u32]).filter(|&g| g as usize >= base).map(|g| g - base as u32).collect();
            need.sort_unstable();
            need.dedup();
            self.need = need;
        }
        self.leader = leader;
        self.pairs = pairs;
        Ok(())
    }

    /// Whether step 2 ([`Job::candidates`]) has run.
    #[must_use]
    pub fn has_candidates(&self) -> bool {
        self.stage == Stage::Sets
    }

    /// The texts given to step 3 ([`Job::sets`]) so far.
    #[must_use]
    pub fn sets_given(&self) -> usize {
        self.need_sets.len()
    }

    /// The batch positions (sorted) of the texts whose shingle sets [`Job::sets`] must be
    /// given, after [`Job::candidates`]: the texts in candidate pairs (none for an index,
    /// which keeps every set from [`Job::prep`]).
    #[must_use]
    pub fn needed(&self) -> &[u32] {
        &self.need
    }

    /// Step 3: the texts at the next positions of [`Job::needed`], in order, in chunks.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when called out of turn or with more texts than needed, or for
    /// a bad thread count.
    pub fn sets<S: AsRef<str> + Sync>(&mut self, texts: &[Option<S>], threads: Option<usize>) -> Result<(), Error> {
        if self.stage != Stage::Sets || self.need_sets.len() + texts.len() > self.need.len() {
            return Err(out_of_turn(format!("{} more texts for {} needed sets, {} given", texts.len(), self.need.len(), self.need_sets.len())));
        }
        let engine = &self.engine;
        let computed = parallel::map(texts, threads, |t| engine.set(t.as_ref().map_or("", AsRef::as_ref)))?;
        self.need_sets.extend(computed);
        Ok(())
    }

    /// Steps 1 to 4 on a one-off batch given whole.
    ///
    /// # Errors
    /// As the steps, and [`Error::InvalidOption`] when `texts` is not the batch's length.
    pub fn run_all<S: AsRef<str> + Sync>(mut self, texts: &[Option<S>], keep: &Keep<'_>, threads: Option<usize>) -> Result<Dedup, Error> {
        keep.check(self.n)?;
        if texts.len() != self.n {
            return Err(out_of_turn(format!("{} texts for a batch of {}", texts.len(), self.n)));
        }
        if self.n == 0 {
            return Ok(Dedup::default());
        }
        self.prep(texts, threads)?;
        self.candidates(threads)?;
        let picked: Vec<Option<&str>> = self.need.iter().map(|&i| texts[i as usize].as_ref().map(AsRef::as_ref)).collect();
        self.sets(&picked, threads)?;
        self.finish(keep, threads)
    }

    /// Step 4 of a one-off job: verification of every candidate pair, clusters and
    /// representatives.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when called before every needed set is in, for a priority
    /// array of the wrong length, or for a bad thread count.
    pub fn finish(mut self, keep: &Keep<'_>, threads: Option<usize>) -> Result<Dedup, Error> {
        if self.store {
            return Err(out_of_turn("a batch for an index is finished by DedupIndex::finish".into()));
        }
        let mut own = std::mem::take(&mut self.own);
        self.finish_in(&mut own, keep, threads)
    }

    /// [`Job::finish`] against the texts `seen` before, which an index's batch joins.
    pub(crate) fn finish_in(mut self, seen: &mut Seen, keep: &Keep<'_>, threads: Option<usize>) -> Result<Dedup, Error> {
        keep.check(self.n)?;
        if self.n == 0 {
            return Ok(Dedup::default());
        }
        if self.stage != Stage::Sets || self.need_sets.len() != self.need.len() || self.base != seen.len() {
            return Err(out_of_turn(format!("finish with {} of {} needed sets", self.need_sets.len(), self.need.len())));
        }
        let (n, base, store) = (self.n, self.base, self.store);
        let engine = &self.engine;
        let (stored, need, need_sets) = (&self.stored, &self.need, &self.need_sets);
        let verified = {
            let seen = &*seen;
            let set_of = |g: u32| -> &[u32] { set_in(g, base, store, seen, stored, need, need_sets) };
            parallel::map(&self.pairs, threads, |&p| {
                let (a, b) = ((p >> 32) as u32, p as u32);
                engine.verify(a as usize, b as usize, set_of(a), set_of(b))
            })?
        };
        let mut links = std::mem::take(&mut self.links);
        links.extend(verified.into_iter().flatten());
        links.sort_by_key(|l| (l.a, l.b));

        // Clusters.
        seen.uf.grow(n);
        for l in &links {
            seen.uf.union(l.a as u32, l.b as u32);
        }
        let roots: Vec<u32> = (0..n).map(|i| seen.uf.find((base + i) as u32)).collect();
        // Clusters without a representative yet: a text alone is its own; the others pick one.
        let mut open: Vec<(u32, u32)> = Vec::new();
        for (i, &root) in roots.iter().enumerate() {
            if seen.uf.rep[root as usize] == NONE {
                open.push((root, i as u32));
            }
        }
        open.sort_unstable();
        let (exact, chars) = (&self.exact, &self.chars);
        let better = |x: u32, y: u32| -> bool {
            // Is member x a better representative than member y?
            let (x_, y_) = (x as usize, y as usize);
            match keep {
                Keep::First => x < y,
                Keep::Longest => (std::cmp::Reverse(chars[x_]), exact[x_], x) < (std::cmp::Reverse(chars[y_]), exact[y_], y),
                Keep::Priority(p) => {
                    let (a, b) = (p[x_], p[y_]);
                    a > b || (a == b && x < y) || (b.is_nan() && !a.is_nan())
                }
            }
        };
        for group in open.chunk_by(|a, b| a.0 == b.0) {
            let mut best = group[0].1;
            for &(_, m) in &group[1..] {
                if better(m, best) {
                    best = m;
                }
            }
            seen.uf.rep[group[0].0 as usize] = (base as u32) + best;
        }

        let mut out = Dedup { cluster: Vec::with_capacity(n), keep: Vec::with_capacity(n), similarity: Vec::with_capacity(n), links: Vec::new() };
        let leader = &self.leader;
        let exact_of = |g: u32, seen: &Seen| if (g as usize) < base { seen.exact[g as usize] } else { exact[g as usize - base] };
        let set_owner = |g: u32| if (g as usize) < base { g } else { leader[g as usize - base] };
        for (i, &root) in roots.iter().enumerate() {
            let g = (base + i) as u32;
            let r = seen.uf.rep[root as usize];
            out.cluster.push(r as usize);
            out.keep.push(r == g);
            let sim = if r == g || (self.len[i] > 0 && exact_of(r, seen) == exact[i]) {
                1.0
            } else {
                let sx = set_in(set_owner(g), base, store, seen, stored, need, need_sets);
                let sr = set_in(set_owner(r), base, store, seen, stored, need, need_sets);
                engine.rep_similarity(sx, sr)
            };
            out.similarity.push(sim);
        }
        out.links = links;

        if store {
            let layout = engine.layout();
            let spaces = layout.spaces();
            let mut stored = std::mem::take(&mut self.stored).into_iter();
            for i in 0..n {
                let g = (base + i) as u32;
                let is_leader = self.len[i] > 0 && self.leader[i] == g;
                if is_leader {
                    seen.exact_map.insert(self.exact[i], g);
                }
                seen.exact.push(self.exact[i]);
                seen.chars.push(self.chars[i]);
                seen.len.push(self.len[i]);
                seen.keys.push(if is_leader { (0..engine.key_count(self.len[i])).map(|s| self.keys.get(s, i)).collect() } else { Vec::new() });
                seen.sets.push(stored.next().unwrap_or_default());
                if is_leader {
                    seen.index_keys(g, &spaces, layout);
                }
            }
        }
        Ok(out)
    }
}

/// Band keys of a batch, in blocks of `2^shift` texts; a block holds its texts' keys slot by
/// slot (each slot's keys in text order), so a pass over one slot reads memory in order, and a
/// batch grows a block at a time, without copying what it holds.
#[derive(Debug)]
struct Keys {
    slots: usize,
    shift: u32,
    blocks: Vec<Vec<u32>>,
}

/// Texts in a block of an open or large batch: 2¹⁴ (a block of 82 slots is 5.4 MB); 2⁵ in
/// the unit tests, so that their batches span many blocks.
const BLOCK_SHIFT: u32 = if cfg!(test) { 5 } else { 14 };

impl Keys {
    /// Keys of `n` texts (`usize::MAX`: any number): blocks of at most 2¹⁴ texts.
    fn new(slots: usize, n: usize) -> Self {
        let shift = if n >= 1 << BLOCK_SHIFT { BLOCK_SHIFT } else { n.max(1).next_power_of_two().trailing_zeros() };
        Self { slots, shift, blocks: Vec::new() }
    }

    /// Key slot `slot` of text `i`.
    #[inline]
    fn get(&self, slot: usize, i: usize) -> u32 {
        self.blocks[i >> self.shift][slot << self.shift | (i & ((1 << self.shift) - 1))]
    }

    /// The keys of texts `first`, `first + 1`, … given row by row (`slots` a text), a column
    /// per task.
    fn put(&mut self, first: usize, rows: &[u32]) {
        let (slots, shift) = (self.slots, self.shift);
        let size = 1usize << shift;
        let end = first + rows.len() / slots.max(1);
        while self.blocks.len() << shift < end {
            self.blocks.push(vec![0; slots << shift]);
        }
        for b in first >> shift..=(end.max(1) - 1) >> shift {
            let (lo, hi) = ((b << shift).max(first), ((b + 1) << shift).min(end));
            if lo >= hi {
                continue;
            }
            let start = b << shift;
            self.blocks[b].par_chunks_mut(size).enumerate().for_each(|(slot, col)| {
                for (v, k) in col[lo - start..hi - start].iter_mut().zip(lo - first..) {
                    *v = rows[k * slots + slot];
                }
            });
        }
    }
}

/// The shingle set of text `g` (an earlier text, or a batch text kept or needed).
fn set_in<'s>(g: u32, base: usize, store: bool, seen: &'s Seen, stored: &'s [Vec<u32>], need: &[u32], need_sets: &'s [Vec<u32>]) -> &'s [u32] {
    let g = g as usize;
    if g < base {
        &seen.sets[g]
    } else if store {
        stored.get(g - base).map_or(&[], Vec::as_slice)
    } else {
        need.binary_search(&((g - base) as u32)).ok().map_or(&[], |k| need_sets[k].as_slice())
    }
}

/// The pairs found by all but one of a level's `b` bands (each band finds a pair once at
/// most): for a suffix level, a shared ending, not a shared sign-off or list of links. With 6
/// bands of 5 rows, five or six agree in half the pairs whose suffixes' Jaccard similarity is
/// 0.94, in 1.5 % of those at 0.8.
pub(super) fn agreeing(mut found: Vec<u64>, b: usize) -> impl Iterator<Item = u64> {
    found.sort_unstable();
    let need = b.saturating_sub(1).max(1);
    found.chunk_by(|x, y| x == y).filter(|run| run.len() >= need).map(|run| run[0]).collect::<Vec<_>>().into_iter()
}

/// Keeps the entries whose key (upper 32 bits) may occur more than once, sorted: every entry
/// of a repeated key, and the few single ones whose key shares a bit of the filter with
/// another. Most keys of a space occur once; a two-bit-per-slot filter finds the repeats in
/// two passes, and only they are sorted.
fn keep_repeated_keys(entries: &mut Vec<u64>) {
    let bits = (entries.len() * 8).next_power_of_two().max(64);
    let mask = bits as u64 - 1;
    let (mut seen, mut twice) = (vec![0u64; bits / 64], vec![0u64; bits / 64]);
    for &e in entries.iter() {
        let slot = (e >> 32 & mask) as usize;
        let (w, bit) = (slot >> 6, 1u64 << (slot & 63));
        twice[w] |= seen[w] & bit;
        seen[w] |= bit;
    }
    entries.retain(|&e| {
        let slot = (e >> 32 & mask) as usize;
        twice[slot >> 6] >> (slot & 63) & 1 != 0
    });
    entries.sort_unstable();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_kept() {
        let mut state = 5u64;
        let mut v: Vec<u64> = (0..5000u64)
            .map(|i| {
                state = super::super::shingle::mix64(state + i);
                ((state >> 32) % 20_000) << 32 | i
            })
            .collect();
        let mut want = v.clone();
        want.sort_unstable();
        let repeated = |w: &[u64]| -> Vec<u64> { w.chunk_by(|a, b| a >> 32 == b >> 32).filter(|r| r.len() > 1).flatten().copied().collect() };
        keep_repeated_keys(&mut v);
        assert!(v.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(repeated(&v), repeated(&want));
        assert!(!repeated(&want).is_empty() && v.len() < want.len() / 2, "{} of {}", v.len(), want.len());
    }

    #[test]
    fn suffix_pairs_need_all_bands_but_one() {
        // Found by 6, 5 and 4 of 6 bands.
        let found: Vec<u64> = [vec![7u64; 6], vec![3; 5], vec![5; 4]].concat();
        assert_eq!(agreeing(found, 6).collect::<Vec<_>>(), vec![3, 7]);
        assert_eq!(agreeing(vec![4], 1).collect::<Vec<_>>(), vec![4]);
        assert_eq!(agreeing(vec![4], 2).collect::<Vec<_>>(), vec![4]);
    }

    /// Character counts given by the caller (as the binding gives them) change nothing; counts
    /// for the wrong number of texts are refused.
    #[test]
    fn given_character_counts() {
        let texts = [Some("Une réunion du conseil municipal sur les routes et l'hiver"), None, Some("Une réunion du conseil municipal sur les routes et l’hiver !"), Some("")];
        let chars: Vec<u64> = texts.iter().map(|t| t.map_or(0, |t| t.chars().count() as u64)).collect();
        let run = |counted: bool| {
            let mut job = Job::new(&Options::default(), texts.len()).unwrap();
            if counted {
                job.prep_counted(&texts[..2], Some(&chars[..2]), Some(2)).unwrap();
                job.prep_counted(&texts[2..], Some(&chars[2..]), Some(2)).unwrap();
            } else {
                job.prep(&texts, Some(2)).unwrap();
            }
            (job.chars.clone(), job.exact.clone())
        };
        assert_eq!(run(true), run(false));
        assert_eq!(run(true).0, chars);
        let mut job = Job::new(&Options::default(), texts.len()).unwrap();
        assert!(job.prep_counted(&texts, Some(&chars[..3]), None).is_err());
        assert_eq!(job.done, 0, "a refused step takes no text");
    }

    /// Texts held as UTF-16 and made UTF-8 on reading, as the binding's `str`s are; a text
    /// holding a lone surrogate cannot be read.
    struct Utf16(Vec<Option<Vec<u16>>>);

    impl Source for Utf16 {
        fn len(&self) -> usize {
            self.0.len()
        }

        fn read<R>(&self, k: usize, buf: &mut String, f: impl FnOnce(Option<&str>, Option<u64>) -> R) -> Option<R> {
            match &self.0[k] {
                None => Some(f(None, None)),
                Some(units) => {
                    buf.clear();
                    for c in char::decode_utf16(units.iter().copied()) {
                        buf.push(c.ok()?);
                    }
                    Some(f(Some(buf), None))
                }
            }
        }
    }

    fn stories(n: usize) -> Vec<Option<String>> {
        (0..n).map(|i| (i % 7 != 3).then(|| format!("Le conseil n°{} a voté « oui » sur les routes, l’hiver et le budget de la ville", i % 30))).collect()
    }

    #[test]
    fn a_source_gives_the_result_of_the_same_texts() {
        // 100 texts: segments of 32 (the test block size), with copies across segments.
        let texts = stories(100);
        let source = Utf16(texts.iter().map(|t| t.as_ref().map(|t| t.encode_utf16().collect())).collect());
        let run = |from_source: bool, threads: usize| {
            let mut job = Job::new(&Options::default(), texts.len()).unwrap();
            if from_source {
                assert_eq!(job.prep_from(&source, Some(threads)).unwrap(), None);
            } else {
                job.prep(&texts, Some(threads)).unwrap();
            }
            job.candidates(Some(threads)).unwrap();
            let picked: Vec<Option<&str>> = job.needed().iter().map(|&i| texts[i as usize].as_deref()).collect();
            job.sets(&picked, Some(threads)).unwrap();
            job.finish(&Keep::Longest, Some(threads)).unwrap()
        };
        let want = run(false, 1);
        assert!(want.keep.iter().filter(|&&k| !k).count() > 40, "the texts have copies");
        for threads in [1, 2] {
            let got = run(true, threads);
            assert_eq!((&got.cluster, &got.keep, &got.similarity), (&want.cluster, &want.keep, &want.similarity));
        }
    }

    #[test]
    fn an_unreadable_text_is_named_and_ends_the_job() {
        let texts = stories(100);
        let mut units: Vec<Option<Vec<u16>>> = texts.iter().map(|t| t.as_ref().map(|t| t.encode_utf16().collect())).collect();
        for bad in [70, 45, 40, 95] {
            units[bad] = Some(vec![u16::from(b'a'), 0xd800, u16::from(b'b')]);
        }
        let source = Utf16(units);
        for threads in [1, 2] {
            let mut job = Job::new(&Options::default(), texts.len()).unwrap();
            assert_eq!(job.prep_from(&source, Some(threads)).unwrap(), Some(40), "the first in order");
            assert_eq!(job.done, 32, "the block before is taken, none of the failed one");
            assert!(job.prep(&texts, None).is_err(), "the job takes no more steps");
            assert!(job.candidates(None).is_err());
        }
    }

    #[test]
    fn steps_out_of_turn_are_refused() {
        let texts = [Some("one two three four five six"), Some("one two three four five six!")];
        let mut job = Job::new(&Options::default(), 2).unwrap();
        assert!(job.candidates(None).is_err(), "texts missing");
        job.prep(&texts[..1], None).unwrap();
        assert!(job.prep(&texts, None).is_err(), "more texts than the batch has");
        job.prep(&texts[1..], None).unwrap();
        job.candidates(None).unwrap();
        assert!(job.prep(&texts[..1], None).is_err());
        assert!(job.needed().is_empty(), "exact copies need no sets");
        let res = job.finish(&Keep::First, None).unwrap();
        assert_eq!(res.cluster, vec![0, 0]);
    }
}
