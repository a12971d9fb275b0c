//! Per-site line profiles learned from a corpus: how many pages of each site carry each line.
//!
//! Lines are keyed by [`crate::text::fold_key`] (case, digits, punctuation and white space
//! folded, NFKC) and counted once per page. A line that a site prints on many of its pages is
//! template (menu, app promotion, this week's blurbs); the segmenter reads the counts as one
//! more feature of its page-level decoding (see `DESIGN.md`).
//!
//! Counts are exact, so learning gives the same profile for any thread count, input order or
//! shard split (merge adds counts). Memory is bounded by [`Profile::prune`]: keys seen on fewer
//! than `min_pages` pages of their site are dropped; learning streams, and prunes keys seen once
//! whenever the table passes its key budget (then, and only then, the result can depend on how
//! the input was split; the profile records that it happened).

use std::collections::BTreeMap;
use std::io::{Read, Write};

use xxhash_rust::xxh3::Xxh3;

use crate::error::Error;
use crate::text::{fnv1a, fold_key, split_lines, HashMapU64};

/// Lines longer than this (in bytes) are not counted: site template is short, and long
/// paragraphs would fill the table with keys seen once.
pub const MAX_LINE_BYTES: usize = 600;

/// After [`Profile::prune`], a line keeps its folded text (for [`Profile::top_lines`]) only
/// when it is on at least this share of its site's pages.
pub const TEXT_MIN_SHARE: f64 = 0.01;

/// The site name used when no site is given.
pub const GLOBAL_SITE: &str = "";

/// The file format's magic bytes and version.
const MAGIC: &[u8; 8] = b"NCPROF\0\0";
/// Version of the profile file format this build reads and writes. Version 2 added the
/// checksum after the end marker; version 1 files (no checksum) are refused with a message.
pub const FORMAT_VERSION: u32 = 2;

/// One site's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteProfile {
    /// Pages of the site seen.
    pub pages: u64,
    /// Per line key (hash of the folded line): pages that carry it.
    counts: HashMapU64<u32>,
    /// The folded text of each key (for `top_lines`).
    texts: HashMapU64<String>,
}

impl SiteProfile {
    /// Pages of this site that carry `line` (0 when never seen or pruned).
    #[must_use]
    pub fn count(&self, line: &str) -> u32 {
        self.count_key(fnv1a(fold_key(line).as_bytes()))
    }

    /// Pages that carry the line with this key hash.
    #[must_use]
    pub fn count_key(&self, key: u64) -> u32 {
        self.counts.get(&key).copied().unwrap_or(0)
    }

    /// Distinct line keys held.
    #[must_use]
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// True when no key is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    fn add_page(&mut self, keys: Vec<(u64, String)>) {
        self.pages += 1;
        for (k, text) in keys {
            let c = self.counts.entry(k).or_insert(0);
            *c = c.saturating_add(1);
            // Every key keeps its folded text (the same for every page, by definition), so
            // that merging shards gives what one pass gives; pruning drops both.
            self.texts.entry(k).or_insert(text);
        }
    }

    fn merge(&mut self, other: &SiteProfile) {
        self.pages += other.pages;
        for (&k, &c) in &other.counts {
            let e = self.counts.entry(k).or_insert(0);
            *e = e.saturating_add(c);
        }
        for (k, t) in &other.texts {
            self.texts.entry(*k).or_insert_with(|| t.clone());
        }
    }
}

/// Line counts for every site of a corpus.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    sites: BTreeMap<String, SiteProfile>,
    /// Keys seen on fewer pages than this were dropped by [`Profile::prune`] (1: nothing pruned).
    min_pages: u32,
    /// Whether a key-budget prune happened while learning (the counts of keys seen once per
    /// chunk may then depend on how the input was split).
    budget_pruned: bool,
}

/// The distinct line keys of one page, with their folded texts.
fn page_keys(text: &str) -> Vec<(u64, String)> {
    let mut keys: Vec<(u64, String)> = split_lines(text)
        .into_iter()
        .filter(|l| l.text.len() <= MAX_LINE_BYTES)
        .map(|l| fold_key(l.text))
        .filter(|k| !k.is_empty())
        .map(|k| (fnv1a(k.as_bytes()), k))
        .collect();
    keys.sort_unstable_by_key(|k| k.0);
    keys.dedup_by_key(|k| k.0);
    keys
}

impl Profile {
    /// An empty profile.
    #[must_use]
    pub fn new() -> Self {
        Self { sites: BTreeMap::new(), min_pages: 1, budget_pruned: false }
    }

    /// Counts the lines of `pages` (`(site, text)`; `None` site: [`GLOBAL_SITE`]) on `threads`
    /// threads. The same pages give the same profile for any thread count and order.
    ///
    /// # Errors
    /// As [`crate::parallel::pool`].
    pub fn learn<S: AsRef<str> + Sync, T: AsRef<str> + Sync>(pages: &[(Option<S>, T)], threads: Option<usize>) -> Result<Self, Error> {
        let keyed = crate::parallel::map(pages, threads, |(_, t)| page_keys(t.as_ref()))?;
        let mut p = Self::new();
        for ((site, _), keys) in pages.iter().zip(keyed) {
            let site = site.as_ref().map_or(GLOBAL_SITE, AsRef::as_ref);
            p.site_mut(site).add_page(keys);
        }
        Ok(p)
    }

    fn site_mut(&mut self, site: &str) -> &mut SiteProfile {
        if !self.sites.contains_key(site) {
            self.sites.insert(site.to_string(), SiteProfile::default());
        }
        self.sites.get_mut(site).expect("just inserted")
    }

    /// Adds `other`'s counts to this profile: learning on shards and merging gives the same
    /// profile as one pass over all of them (as long as neither was pruned).
    pub fn merge(&mut self, other: &Profile) {
        for (site, sp) in &other.sites {
            self.site_mut(site).merge(sp);
        }
        self.min_pages = self.min_pages.max(other.min_pages);
        self.budget_pruned |= other.budget_pruned;
    }

    /// Drops keys seen on fewer than `min_pages` pages of their site, and the texts of the keys
    /// left that are on fewer than [`TEXT_MIN_SHARE`] of the site's pages: their counts are
    /// all the decoder reads, and a crawl's story blurbs (one or two lines a story, each on a
    /// few pages) would otherwise keep a text each. [`Profile::top_lines`] lists only lines
    /// with a text.
    pub fn prune(&mut self, min_pages: u32) {
        for sp in self.sites.values_mut() {
            let text_floor = u64::from(min_pages).max((TEXT_MIN_SHARE * sp.pages as f64).ceil() as u64);
            sp.counts.retain(|_, c| *c >= min_pages);
            sp.texts.retain(|k, _| sp.counts.get(k).is_some_and(|&c| u64::from(c) >= text_floor));
            // Give the dropped keys' room back: a pruned profile is kept for long.
            sp.counts.shrink_to_fit();
            sp.texts.shrink_to_fit();
        }
        self.min_pages = self.min_pages.max(min_pages);
    }

    /// Marks that a key-budget prune happened while streaming.
    pub fn note_budget_prune(&mut self) {
        self.budget_pruned = true;
    }

    /// Whether a key-budget prune happened while learning.
    #[must_use]
    pub fn budget_pruned(&self) -> bool {
        self.budget_pruned
    }

    /// The `min_pages` of the strongest prune applied (1: none).
    #[must_use]
    pub fn min_pages(&self) -> u32 {
        self.min_pages
    }

    /// Total distinct keys held, over all sites.
    #[must_use]
    pub fn n_keys(&self) -> usize {
        self.sites.values().map(SiteProfile::len).sum()
    }

    /// The sites, in name order.
    pub fn sites(&self) -> impl Iterator<Item = (&str, &SiteProfile)> {
        self.sites.iter().map(|(s, p)| (s.as_str(), p))
    }

    /// One site's profile (`None` site: [`GLOBAL_SITE`]).
    #[must_use]
    pub fn site(&self, site: Option<&str>) -> Option<&SiteProfile> {
        self.sites.get(site.unwrap_or(GLOBAL_SITE))
    }

    /// The `n` lines seen on most pages of `site`, as `(folded text, pages)`, most first
    /// (ties by text). After a prune, only lines on at least [`TEXT_MIN_SHARE`] of the site's
    /// pages have a text and are listed.
    #[must_use]
    pub fn top_lines(&self, site: Option<&str>, n: usize) -> Vec<(String, u32)> {
        let Some(sp) = self.site(site) else { return Vec::new() };
        let mut rows: Vec<(String, u32)> = sp.texts.iter().map(|(k, t)| (t.clone(), sp.count_key(*k))).collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        rows.truncate(n);
        rows
    }

    /// Writes the profile (format: `DESIGN.md`, "Profile files").
    ///
    /// # Errors
    /// I/O errors of `w`.
    pub fn write_to(&self, w: &mut impl Write) -> std::io::Result<()> {
        let mut w = Hashing { inner: w, hash: Xxh3::new() };
        self.write_body(&mut w)?;
        let sum = w.hash.digest();
        w.inner.write_all(&sum.to_le_bytes())
    }

    fn write_body(&self, w: &mut impl Write) -> std::io::Result<()> {
        w.write_all(MAGIC)?;
        w.write_all(&FORMAT_VERSION.to_le_bytes())?;
        w.write_all(&self.min_pages.to_le_bytes())?;
        w.write_all(&[u8::from(self.budget_pruned)])?;
        w.write_all(&(self.sites.len() as u64).to_le_bytes())?;
        for (name, sp) in &self.sites {
            write_bytes(w, name.as_bytes())?;
            w.write_all(&sp.pages.to_le_bytes())?;
            let mut keys: Vec<(&u64, &u32)> = sp.counts.iter().collect();
            keys.sort_unstable();
            w.write_all(&(keys.len() as u64).to_le_bytes())?;
            for (k, c) in keys {
                w.write_all(&k.to_le_bytes())?;
                w.write_all(&c.to_le_bytes())?;
            }
            let mut texts: Vec<(&u64, &String)> = sp.texts.iter().collect();
            texts.sort_unstable();
            w.write_all(&(texts.len() as u64).to_le_bytes())?;
            for (k, t) in texts {
                w.write_all(&k.to_le_bytes())?;
                write_bytes(w, t.as_bytes())?;
            }
        }
        w.write_all(b"NCEND")?;
        Ok(())
    }

    /// Saves the profile to `path` (a temporary file beside it, renamed at the end).
    ///
    /// # Errors
    /// [`Error::Io`] naming the path when the file cannot be written.
    pub fn save(&self, path: &std::path::Path) -> Result<(), Error> {
        let mut bytes = Vec::new();
        self.write_to(&mut bytes).expect("writing to memory does not fail");
        crate::files::write_atomic(path, &bytes)
    }

    /// Loads a profile saved by [`Profile::save`].
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::InvalidFile`] (naming the file) as
    /// [`Profile::read_from`].
    pub fn load(path: &std::path::Path) -> Result<Self, Error> {
        crate::files::read_with(path, |mut bytes| Self::read_from(&mut bytes))
    }

    /// Reads a profile written by [`Profile::write_to`].
    ///
    /// # Errors
    /// [`Error::InvalidFile`] for a file that is not a profile, of another format version,
    /// truncated or corrupt; the message gives the byte offset.
    pub fn read_from(r: &mut impl Read) -> Result<Self, Error> {
        let mut r = Hashing { inner: r, hash: Xxh3::new() };
        let mut rd = Reader { r: &mut r, pos: 0 };
        let magic: [u8; 8] = rd.array()?;
        if &magic != MAGIC {
            return Err(rd.error("not a newsclean profile (bad magic bytes)"));
        }
        let version = rd.u32()?;
        if version != FORMAT_VERSION {
            return Err(rd.error(&format!("profile format version {version}; this build reads version {FORMAT_VERSION} only (learn the profile again)")));
        }
        let min_pages = rd.u32()?;
        let budget_pruned = rd.array::<1>()?[0] != 0;
        let n_sites = rd.len()?;
        let mut sites = BTreeMap::new();
        for _ in 0..n_sites {
            let name = rd.string()?;
            let pages = rd.u64()?;
            let mut sp = SiteProfile { pages, ..SiteProfile::default() };
            let n = rd.len()?;
            sp.counts.reserve(n.min(1 << 20));
            for _ in 0..n {
                let k = rd.u64()?;
                let c = rd.u32()?;
                sp.counts.insert(k, c);
            }
            let n = rd.len()?;
            for _ in 0..n {
                let k = rd.u64()?;
                let t = rd.string()?;
                sp.texts.insert(k, t);
            }
            if sites.insert(name, sp).is_some() {
                return Err(rd.error("a site appears twice"));
            }
        }
        let end: [u8; 5] = rd.array()?;
        if &end != b"NCEND" {
            return Err(rd.error("missing end marker (truncated or corrupt file)"));
        }
        // The checksum of every byte before it, read past the hasher.
        let want = rd.r.hash.digest();
        let mut sum = [0u8; 8];
        rd.r.inner.read_exact(&mut sum).map_err(|_| rd.error("unexpected end of file in the checksum (truncated)"))?;
        if u64::from_le_bytes(sum) != want {
            return Err(rd.error("checksum mismatch (corrupt file)"));
        }
        let mut more = [0u8; 1];
        if rd.r.inner.read(&mut more).map_err(|e| rd.error(&e.to_string()))? != 0 {
            return Err(rd.error("bytes after the end of the profile (corrupt file, or two files joined)"));
        }
        Ok(Self { sites, min_pages, budget_pruned })
    }
}

/// A reader or writer that hashes the bytes passing through it (xxh3-64, as the dedup index).
struct Hashing<'a, T: ?Sized> {
    inner: &'a mut T,
    hash: Xxh3,
}

impl<T: Write + ?Sized> Write for Hashing<'_, T> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<T: Read + ?Sized> Read for Hashing<'_, T> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

fn write_bytes(w: &mut impl Write, b: &[u8]) -> std::io::Result<()> {
    w.write_all(&(b.len() as u64).to_le_bytes())?;
    w.write_all(b)
}

/// A reader that knows its offset, for error messages.
struct Reader<'a, R: Read> {
    r: &'a mut R,
    pos: u64,
}

impl<R: Read> Reader<'_, R> {
    fn error(&self, what: &str) -> Error {
        Error::InvalidFile { message: format!("{what} (at byte {})", self.pos) }
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let mut b = [0u8; N];
        self.r.read_exact(&mut b).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => self.error("unexpected end of file (truncated)"),
            _ => self.error(&e.to_string()),
        })?;
        self.pos += N as u64;
        Ok(b)
    }

    fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A count, checked against a sanity bound so a corrupt file cannot ask for huge memory.
    fn len(&mut self) -> Result<usize, Error> {
        let n = self.u64()?;
        usize::try_from(n).ok().filter(|&n| n <= 1 << 34).ok_or_else(|| self.error(&format!("implausible count {n} (corrupt file)")))
    }

    fn string(&mut self) -> Result<String, Error> {
        let n = self.len()?;
        if n > 1 << 20 {
            return Err(self.error(&format!("implausible string length {n} (corrupt file)")));
        }
        let mut b = vec![0u8; n];
        self.r.read_exact(&mut b).map_err(|_| self.error("unexpected end of file (truncated)"))?;
        self.pos += n as u64;
        String::from_utf8(b).map_err(|_| self.error("invalid UTF-8 in a string (corrupt file)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages() -> Vec<(Option<&'static str>, String)> {
        let mut v = Vec::new();
        for i in 0..6 {
            let site = if i % 2 == 0 { "a.example" } else { "b.example" };
            v.push((Some(site), format!("Home\nStory number {i} is about the harbour.\nLeave the first comment\nShare")));
        }
        v.push((None, "Only once".to_string()));
        v
    }

    #[test]
    fn counts_once_per_page_per_site() {
        let p = Profile::learn(&pages(), Some(1)).unwrap();
        let a = p.site(Some("a.example")).unwrap();
        assert_eq!(a.pages, 3);
        assert_eq!(a.count("HOME"), 3);
        assert_eq!(a.count("leave the first comment!"), 3);
        assert_eq!(a.count("Story number 0 is about the harbour."), 3, "digits fold to 0");
        assert_eq!(p.site(None).unwrap().count("only once"), 1);
        assert_eq!(p.top_lines(Some("a.example"), 2)[0].1, 3);
        // A line repeated on one page counts once.
        let q = Profile::learn(&[(Some("s"), "x\nx\nx")], Some(1)).unwrap();
        assert_eq!(q.site(Some("s")).unwrap().count("x"), 1);
    }

    #[test]
    fn same_profile_for_any_threads_order_and_shards() {
        let all = pages();
        let one = Profile::learn(&all, Some(1)).unwrap();
        let mut rev = all.clone();
        rev.reverse();
        assert_eq!(Profile::learn(&rev, Some(3)).unwrap(), one);
        let mut merged = Profile::learn(&all[..3], Some(2)).unwrap();
        merged.merge(&Profile::learn(&all[3..], Some(1)).unwrap());
        assert_eq!(merged, one);
    }

    #[test]
    fn merging_shards_keeps_texts_of_keys_seen_once_in_each() {
        // Found by the `profile` fuzz target: "home" is on one page of each shard.
        let pages = [(Some("a"), "Home\nOne"), (Some("a"), "Home\nTwo")];
        let one = Profile::learn(&pages, Some(1)).unwrap();
        let mut merged = Profile::learn(&pages[..1], Some(1)).unwrap();
        merged.merge(&Profile::learn(&pages[1..], Some(1)).unwrap());
        assert_eq!(merged, one);
        assert_eq!(merged.top_lines(Some("a"), 1), vec![("home".to_string(), 2)]);
    }

    #[test]
    fn prune_keeps_counts_but_drops_texts_of_rare_lines() {
        // 200 pages: a menu on all of them, a blurb on 3 (1.5 %), another on 2 (1 %), a line on 1.
        let mut pages: Vec<(Option<&str>, String)> = (0..200).map(|i| (Some("s"), format!("Menu\nPage {} of the crawl", "x".repeat(i + 1)))).collect();
        for (i, page) in pages.iter_mut().enumerate().take(3) {
            page.1.push_str("\nThe harbour reopened after the storm.");
            if i < 2 {
                page.1.push_str("\nThe orchard lost its crop to frost.");
            }
        }
        let mut p = Profile::learn(&pages, Some(2)).unwrap();
        assert_eq!(p.top_lines(Some("s"), 3).len(), 3);
        p.prune(2);
        let sp = p.site(Some("s")).unwrap();
        assert_eq!((sp.count("Menu"), sp.count("The harbour reopened after the storm."), sp.count("The orchard lost its crop to frost.")), (200, 3, 2));
        assert_eq!(sp.count("Page x of the crawl"), 0, "seen once: pruned");
        // Texts are kept for lines on at least 1 % of the pages (2 of 200): all three here.
        assert_eq!(p.top_lines(Some("s"), 5).len(), 3);
        p.prune(3);
        let top = p.top_lines(Some("s"), 5);
        assert_eq!(top, vec![("menu".to_string(), 200), ("the harbour reopened after the storm".to_string(), 3)]);
        // More pages raise the floor: on 400 pages a line on 3 keeps its count, not its text.
        let more: Vec<(Option<&str>, String)> = (0..200).map(|i| (Some("s"), format!("Menu\nAnother page {}", "y".repeat(i + 1)))).collect();
        p.merge(&Profile::learn(&more, Some(1)).unwrap());
        p.prune(2);
        assert_eq!(p.site(Some("s")).unwrap().count("The harbour reopened after the storm."), 3);
        assert_eq!(p.top_lines(Some("s"), 5), vec![("menu".to_string(), 400)]);
    }

    #[test]
    fn save_load_round_trip_and_bad_files() {
        let mut p = Profile::learn(&pages(), Some(2)).unwrap();
        p.prune(2);
        assert_eq!(p.site(None).unwrap().count("only once"), 0);
        let mut buf = Vec::new();
        p.write_to(&mut buf).unwrap();
        assert_eq!(Profile::read_from(&mut buf.as_slice()).unwrap(), p);
        for cut in [0, 5, 12, buf.len() / 2, buf.len() - 1] {
            let err = Profile::read_from(&mut &buf[..cut]).unwrap_err();
            assert!(err.to_string().contains("profile") || err.to_string().contains("truncated"), "{cut}: {err}");
        }
        let mut other = buf.clone();
        other[8] = 99;
        assert!(Profile::read_from(&mut other.as_slice()).unwrap_err().to_string().contains("version 99"));
        other[8] = 1;
        assert!(Profile::read_from(&mut other.as_slice()).unwrap_err().to_string().contains("version 1; this build reads version 2 only"));
        assert!(Profile::read_from(&mut &b"PK\x03\x04 not a profile"[..]).is_err());
    }

    #[test]
    fn every_truncation_and_every_corrupt_byte_is_refused() {
        // Version 1 had no checksum: a changed count or text byte loaded silently.
        let mut p = Profile::learn(&pages(), Some(2)).unwrap();
        p.prune(2);
        let mut buf = Vec::new();
        p.write_to(&mut buf).unwrap();
        for cut in 0..buf.len() {
            assert!(matches!(Profile::read_from(&mut &buf[..cut]), Err(Error::InvalidFile { .. })), "cut at {cut}");
        }
        for at in 0..buf.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bad = buf.clone();
                bad[at] ^= flip;
                assert!(matches!(Profile::read_from(&mut bad.as_slice()), Err(Error::InvalidFile { .. })), "byte {at} ^ {flip:#x}");
            }
        }
        let mut longer = buf.clone();
        longer.push(0);
        let err = Profile::read_from(&mut longer.as_slice()).unwrap_err().to_string();
        assert!(err.contains("bytes after the end"), "{err}");
    }
}
