//! An incremental deduplication index, for crawls that arrive batch by batch, and its file
//! format.
//!
//! # File format, version 2
//!
//! Little-endian throughout; written to a temporary file and renamed into place. Version 2
//! has version 1's fields, but its exact hashes, band keys and shingle sets come from the word
//! hashes, shingle hashes and band keys of this version (8-byte word steps, polynomial
//! shingles, multiply-fold band keys), and a text's band keys are all its key slots, suffix
//! levels included: version 1 files are refused, with a message saying to rebuild the index
//! from its texts.
//!
//! | field | type |
//! |---|---|
//! | magic | 8 bytes `NCDEDUP\0` |
//! | version | u32 = 2 |
//! | threshold | f64 |
//! | num_perm, ngram | u32, u32 |
//! | unit (0 word, 1 char), containment (0/1) | u8, u8 |
//! | seed | u64 |
//! | bands, rows per band | u32, u32 |
//! | level sketch bins, its bands, rows per band | u32, u32, u32 |
//! | texts | u64 |
//! | per text: id | u32 length + UTF-8 bytes |
//! | per text: exact hash, characters, shingles | u64, u64, u32 |
//! | per text: union-find parent, representative | u32, u32 (`u32::MAX`: none) |
//! | per text: band keys | u32 count (0, or every key slot for the first text of an exact class) + u32 each |
//! | per text: shingle set | u32 count + u32 each (sorted) |
//! | checksum | u64: xxh3-64 of every byte before it |
//!
//! A file with another magic, another version, a bad checksum or a truncated body is refused
//! with [`Error::InvalidFile`]; a file that cannot be read gives [`Error::Io`].

use std::path::Path;

use xxhash_rust::xxh3::xxh3_64;

use super::cluster::NONE;
use super::lsh::Bands;
use super::shingle::Unit;
use super::{Dedup, Engine, Job, Keep, Options, Seen};
use crate::error::Error;

/// The file's magic bytes.
pub const MAGIC: &[u8; 8] = b"NCDEDUP\0";
/// The file format version this build reads and writes.
pub const VERSION: u32 = 2;

/// Every text added so far, with its sketch keys and shingle set, so that each new batch is
/// deduplicated against all of them. Texts seen earlier win: a new text that duplicates an
/// earlier one is never kept, and an earlier representative stays the representative.
/// Memory: about 4 bytes per shingle plus 4 per band key per text.
#[derive(Debug, Clone)]
pub struct DedupIndex {
    engine: Engine,
    seen: Seen,
    ids: Vec<String>,
}

impl DedupIndex {
    /// An empty index.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for bad options.
    pub fn new(opts: Options) -> Result<Self, Error> {
        Ok(Self { engine: Engine::new(opts)?, seen: Seen::default(), ids: Vec::new() })
    }

    /// The options the index was built with.
    #[must_use]
    pub fn options(&self) -> &Options {
        &self.engine.opts
    }

    /// The number of texts added.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True before the first text is added.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The ids of the texts, in the order they were added.
    #[must_use]
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Adds a batch and deduplicates it against everything added before. Indices in the
    /// result (`cluster`, links) count every text added so far, from 0; `ids` default to
    /// those positions as strings.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when `ids` or a priority array has the wrong length, or for a
    /// bad thread count.
    pub fn add<S: AsRef<str> + Sync>(&mut self, texts: &[Option<S>], ids: Option<Vec<String>>, keep: &Keep<'_>, threads: Option<usize>) -> Result<Dedup, Error> {
        keep.check(texts.len())?;
        check_ids(ids.as_ref(), texts.len())?;
        let mut job = self.job(texts.len())?;
        job.prep(texts, threads)?;
        self.finish(job, ids, keep, threads)
    }

    /// A batch of `n` texts to add in steps: [`Job::prep`] its texts in chunks (the index is
    /// not needed meanwhile), then [`DedupIndex::finish`].
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for more than 2³¹ texts.
    pub fn job(&self, n: usize) -> Result<Job, Error> {
        Job::with_engine(self.engine.clone(), n, true)
    }

    /// Adds a batch made by [`DedupIndex::job`] whose texts are all in: deduplicates it
    /// against everything added before, as [`DedupIndex::add`] does. The index is unchanged
    /// when this fails.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a job of another index's options, a job whose texts are
    /// not all in, `ids` or a priority array of the wrong length, or a bad thread count.
    pub fn finish(&mut self, mut job: Job, ids: Option<Vec<String>>, keep: &Keep<'_>, threads: Option<usize>) -> Result<Dedup, Error> {
        if job.options() != self.options() {
            return Err(Error::InvalidOption { name: "job", message: "the batch was made for an index with other options".into() });
        }
        keep.check(job.len())?;
        check_ids(ids.as_ref(), job.len())?;
        let base = self.ids.len();
        let ids = ids.unwrap_or_else(|| (base..base + job.len()).map(|i| i.to_string()).collect());
        job.candidates_in(&self.seen, threads)?;
        let res = job.finish_in(&mut self.seen, keep, threads)?;
        self.ids.extend(ids);
        Ok(res)
    }

    /// The file's bytes (see the module docs for the format).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let o = &self.engine.opts;
        let s = &self.seen;
        let mut w = Vec::with_capacity(64 + s.sets.iter().map(|x| 4 * x.len() + 48).sum::<usize>());
        w.extend_from_slice(MAGIC);
        w.extend_from_slice(&VERSION.to_le_bytes());
        w.extend_from_slice(&o.threshold.to_le_bytes());
        w.extend_from_slice(&(o.num_perm as u32).to_le_bytes());
        w.extend_from_slice(&(o.ngram as u32).to_le_bytes());
        w.push(u8::from(o.unit == Unit::Char));
        w.push(u8::from(o.containment));
        w.extend_from_slice(&o.seed.to_le_bytes());
        w.extend_from_slice(&(self.engine.bands.b as u32).to_le_bytes());
        w.extend_from_slice(&(self.engine.bands.r as u32).to_le_bytes());
        w.extend_from_slice(&(self.engine.level.k() as u32).to_le_bytes());
        w.extend_from_slice(&(self.engine.level_bands.b as u32).to_le_bytes());
        w.extend_from_slice(&(self.engine.level_bands.r as u32).to_le_bytes());
        w.extend_from_slice(&(self.ids.len() as u64).to_le_bytes());
        let mut uf = s.uf.clone();
        for i in 0..self.ids.len() {
            w.extend_from_slice(&(self.ids[i].len() as u32).to_le_bytes());
            w.extend_from_slice(self.ids[i].as_bytes());
            w.extend_from_slice(&s.exact[i].to_le_bytes());
            w.extend_from_slice(&s.chars[i].to_le_bytes());
            w.extend_from_slice(&s.len[i].to_le_bytes());
            let root = uf.find(i as u32);
            w.extend_from_slice(&root.to_le_bytes());
            w.extend_from_slice(&(if root == i as u32 { s.uf.rep[i] } else { NONE }).to_le_bytes());
            for list in [&s.keys[i], &s.sets[i]] {
                w.extend_from_slice(&(list.len() as u32).to_le_bytes());
                for v in list {
                    w.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
        let sum = xxh3_64(&w);
        w.extend_from_slice(&sum.to_le_bytes());
        w
    }

    /// Reads an index from its bytes.
    ///
    /// # Errors
    /// [`Error::InvalidFile`] for a wrong magic or version, a bad checksum, a truncated or
    /// inconsistent body.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        let bad = |m: String| Error::InvalidFile { message: m };
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return Err(bad("not a newsclean dedup index (wrong magic bytes)".into()));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap_or_default());
        if version != VERSION {
            let why = if version < VERSION { ", whose hashes differ: rebuild the index from its texts" } else { "" };
            return Err(bad(format!("dedup index format version {version}; this newsclean reads version {VERSION} only{why}")));
        }
        if bytes.len() < 20 {
            return Err(bad("truncated dedup index".into()));
        }
        let (body, tail) = bytes.split_at(bytes.len() - 8);
        if xxh3_64(body) != u64::from_le_bytes(tail.try_into().unwrap_or_default()) {
            return Err(bad("dedup index checksum mismatch: the file is truncated or corrupt".into()));
        }
        let mut r = Reader { bytes: body, pos: 12 };
        let threshold = r.f64()?;
        let num_perm = r.u32()? as usize;
        let ngram = r.u32()? as usize;
        let unit = match r.u8()? {
            0 => Unit::Word,
            1 => Unit::Char,
            u => return Err(bad(format!("unknown shingle unit {u}"))),
        };
        let containment = r.u8()? != 0;
        let seed = r.u64()?;
        let bands = Bands { b: r.u32()? as usize, r: r.u32()? as usize };
        let level_k = r.u32()? as usize;
        let level_bands = Bands { b: r.u32()? as usize, r: r.u32()? as usize };
        let opts = Options { threshold, num_perm, ngram, unit, seed, containment };
        let mut engine = Engine::new(opts).map_err(|e| bad(format!("bad options: {e}")))?;
        if bands.b == 0 || bands.r == 0 || bands.b * bands.r > num_perm {
            return Err(bad(format!("bad bands {bands:?} for {num_perm} bins")));
        }
        if level_k == 0 || level_k > num_perm || level_bands.b == 0 || level_bands.r == 0 || level_bands.b * level_bands.r > level_k {
            return Err(bad(format!("bad level sketch: {level_k} bins, bands {level_bands:?}")));
        }
        engine.bands = bands;
        if level_k != engine.level.k() {
            engine.level = super::minhash::Sketcher::new(level_k, seed);
        }
        engine.level_bands = level_bands;
        let n = usize::try_from(r.u64()?).map_err(|_| bad("too many texts".into()))?;
        if n >= NONE as usize || n > body.len() {
            return Err(bad(format!("bad text count {n}")));
        }
        let mut index = Self::new(engine.opts.clone())?;
        index.engine = engine;
        let s = &mut index.seen;
        s.uf.grow(n);
        for i in 0..n {
            let id_len = r.u32()? as usize;
            let id = std::str::from_utf8(r.take(id_len)?).map_err(|_| bad(format!("id of text {i} is not UTF-8")))?;
            index.ids.push(id.to_owned());
            s.exact.push(r.u64()?);
            s.chars.push(r.u64()?);
            s.len.push(r.u32()?);
            let (parent, rep) = (r.u32()?, r.u32()?);
            if parent as usize >= n || (rep != NONE && rep as usize >= n) {
                return Err(bad(format!("text {i} points past the end")));
            }
            s.uf.parent[i] = parent;
            s.uf.rep[i] = rep;
            let keys = r.u32s()?;
            if !keys.is_empty() && keys.len() != index.engine.key_count(s.len[i]) {
                return Err(bad(format!("text {i} has {} band keys, expected {}", keys.len(), index.engine.key_count(s.len[i]))));
            }
            s.keys.push(keys);
            s.sets.push(r.u32s()?);
        }
        if r.pos != body.len() {
            return Err(bad("trailing bytes after the last text".into()));
        }
        let layout = index.engine.layout();
        let spaces = layout.spaces();
        for i in 0..n {
            if s.len[i] > 0 && !s.keys[i].is_empty() {
                s.exact_map.entry(s.exact[i]).or_insert(i as u32);
                s.index_keys(i as u32, &spaces, layout);
            }
        }
        Ok(index)
    }

    /// Saves the index to `path` (a temporary file beside it, renamed at the end).
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        crate::files::write_atomic(path.as_ref(), &self.to_bytes())
    }

    /// Loads an index saved by [`DedupIndex::save`].
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::InvalidFile`] as
    /// [`DedupIndex::from_bytes`] (the message names the file).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        crate::files::read_with(path.as_ref(), Self::from_bytes)
    }
}

fn check_ids(ids: Option<&Vec<String>>, n: usize) -> Result<(), Error> {
    match ids {
        Some(ids) if ids.len() != n => Err(Error::InvalidOption { name: "ids", message: format!("{} ids for {n} texts", ids.len()) }),
        _ => Ok(()),
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if self.bytes.len() - self.pos < n {
            return Err(Error::InvalidFile { message: "truncated dedup index".into() });
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap_or_default()))
    }
    fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap_or_default()))
    }
    fn f64(&mut self) -> Result<f64, Error> {
        Ok(f64::from_bits(self.u64()?))
    }
    fn u32s(&mut self) -> Result<Vec<u32>, Error> {
        let n = self.u32()? as usize;
        let raw = self.take(n.checked_mul(4).ok_or_else(|| Error::InvalidFile { message: "bad length".into() })?)?;
        Ok(raw.chunks_exact(4).map(|c| u32::from_le_bytes(c.try_into().unwrap_or_default())).collect())
    }
}
