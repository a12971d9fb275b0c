//! [`dedup`](super::dedup) cut into stages that can run on different machines and meet again
//! through shuffles: the clusters they give are exactly those of a single-process `dedup` of
//! the whole corpus.
//!
//! 1. [`signatures`], per partition: each text's exact hash, length and *band entries* (one
//!    per LSH bucket the text falls in: a bucket id and whether it is the text's top prefix or
//!    suffix level). Texts are named by their global position in the corpus.
//! 2. Exact classes: texts with the same exact hash join the first of them (a group-by on the
//!    hash; done by the caller).
//! 3. [`bucket_candidates`], after a shuffle on the bucket id (every entry of a bucket in the
//!    same call): the pairs `dedup` would draw from those buckets. Within a bucket, a text
//!    whose exact hash an earlier text of the bucket has is dropped first: it is not an
//!    exact-class leader, and its leader (same normalised text, so the same entries) is in the
//!    same bucket. A pair from a suffix level's band carries the level: it counts only where
//!    all but one of that level's bands find it, which buckets on other machines decide.
//! 4. [`unique_candidates`], after a shuffle on the pair (every row of a pair in the same
//!    call): the candidate pairs, once each, suffix pairs only where enough bands agree.
//! 5. [`verify_pairs`], after joining each pair with its two texts: the verified links.
//! 6. Connected components of exact and verified links, and a representative per component
//!    (done by the caller).

use super::job::agreeing;
use super::{bucket_pairs, Engine, LinkKind, Meta, Options, Space};
use crate::error::Error;
use crate::parallel;

/// What [`signatures`] gives for a batch of texts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signatures {
    /// Exact hash of each text's normalised form (0 for an empty text).
    pub exact: Vec<u64>,
    /// Characters in each text (the `Keep::Longest` order).
    pub chars: Vec<u64>,
    /// Shingles in each text (0: never linked).
    pub len: Vec<u32>,
    /// For each band entry: the text's position in the batch.
    pub doc: Vec<u32>,
    /// For each band entry: the bucket, `space << 32 | key`.
    pub bucket: Vec<u64>,
    /// For each band entry: the bucket is the text's top prefix (or suffix) level, at offset 0.
    pub top: Vec<bool>,
}

/// Stage 1: exact hashes, lengths and band entries of a batch. With `entries` false only the
/// per-text columns are filled.
///
/// # Errors
/// [`Error::InvalidOption`] for bad options or thread count.
pub fn signatures<S: AsRef<str> + Sync>(texts: &[Option<S>], opts: &Options, entries: bool, threads: Option<usize>) -> Result<Signatures, Error> {
    let engine = Engine::new(opts.clone())?;
    let layout = engine.layout();
    let spaces = layout.spaces();
    let slots = engine.slots();
    let preps: Vec<(Meta, Vec<u32>)> = parallel::map(texts, threads, |t| {
        let mut row = vec![0u32; slots];
        let (meta, _) = engine.prep(t.as_ref().map(AsRef::as_ref), None, &mut row, false);
        (meta, if entries { row } else { Vec::new() })
    })?;
    let mut out = Signatures::default();
    for (i, (meta, row)) in preps.iter().enumerate() {
        out.exact.push(if meta.len > 0 { meta.exact } else { 0 });
        out.chars.push(meta.chars);
        out.len.push(meta.len);
        if !entries || meta.len == 0 {
            continue;
        }
        for &space in &spaces {
            for (slot, top) in layout.entries(space, meta.len) {
                out.doc.push(i as u32);
                out.bucket.push(layout.id(space) << 32 | u64::from(row[slot]));
                out.top.push(top);
            }
        }
    }
    Ok(out)
}

/// What [`bucket_candidates`] gives: pairs `(a, b)`, `a < b`, and for each the suffix level
/// whose band found it (`-1`: any other band; such a pair is a candidate on its own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidates {
    /// The earlier text of each pair (global position).
    pub a: Vec<u64>,
    /// The later text of each pair.
    pub b: Vec<u64>,
    /// The suffix level of the band that found it, or -1.
    pub level: Vec<i8>,
}

/// Stage 3: the pairs of whole buckets. `bucket`, `doc` (global positions), `top` and `exact`
/// are parallel columns of band entries, in any order, holding every entry of each bucket they
/// touch. Pairs of other bands are unique and sorted; a suffix band's pairs come once per band
/// that finds them (their count decides in [`unique_candidates`]).
///
/// # Errors
/// [`Error::InvalidOption`] for bad options, columns of unequal length, a position past 2^31,
/// or a bucket of no space of these options.
pub fn bucket_candidates(opts: &Options, bucket: &[u64], doc: &[u64], top: &[bool], exact: &[u64]) -> Result<Candidates, Error> {
    let n = bucket.len();
    if doc.len() != n || top.len() != n || exact.len() != n {
        return Err(Error::InvalidOption { name: "entries", message: format!("columns of unequal length ({n}, {}, {}, {})", doc.len(), top.len(), exact.len()) });
    }
    if let Some(&d) = doc.iter().find(|&&d| d >= 1 << 31) {
        return Err(Error::InvalidOption { name: "doc", message: format!("position {d} is past 2^31") });
    }
    let spaces = Engine::new(opts.clone())?.layout().spaces();
    // The order `dedup` gives a space's entries: by key, then text, then top flag.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by_key(|&i| (bucket[i], doc[i], top[i]));
    let mut pairs: Vec<u64> = Vec::new();
    let mut suffix: Vec<(i8, u64)> = Vec::new();
    let mut found: Vec<u64> = Vec::new();
    let mut members: Vec<(u64, u32, bool)> = Vec::new();
    let mut first_of: std::collections::HashMap<u64, u64> = std::collections::HashMap::new();
    for group in order.chunk_by(|&x, &y| bucket[x] == bucket[y]) {
        let key = bucket[group[0]];
        let Some(&space) = usize::try_from(key >> 32).ok().and_then(|id| spaces.get(id)) else {
            return Err(Error::InvalidOption { name: "bucket", message: format!("bucket {key:#x} is of no LSH space of these options") });
        };
        if group.len() < 2 {
            continue;
        }
        // Exact-class leaders only: the first text of the bucket with each exact hash.
        first_of.clear();
        members.clear();
        for &i in group {
            if *first_of.entry(exact[i]).or_insert(doc[i]) == doc[i] {
                members.push((exact[i], doc[i] as u32, top[i]));
            }
        }
        found.clear();
        bucket_pairs(&mut members, space.ranked(), &mut found);
        match space {
            Space::Suffix(l, _) => suffix.extend(found.iter().map(|&p| (l as i8, p))),
            _ => pairs.append(&mut found),
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    suffix.sort_unstable();
    let mut out = Candidates::default();
    for (level, p) in pairs.into_iter().map(|p| (-1, p)).chain(suffix) {
        out.a.push(p >> 32);
        out.b.push(p & 0xffff_ffff);
        out.level.push(level);
    }
    Ok(out)
}

/// Stage 4: the candidate pairs, sorted and unique, from rows of [`bucket_candidates`] that
/// hold every row of each pair they touch: a pair of another band counts once found, a suffix
/// pair when all but one of its level's bands found it (as in `dedup`).
///
/// # Errors
/// [`Error::InvalidOption`] for bad options, columns of unequal length or a level that is
/// neither -1 nor a suffix level.
pub fn unique_candidates(opts: &Options, a: &[u64], b: &[u64], level: &[i8]) -> Result<Vec<(u64, u64)>, Error> {
    if b.len() != a.len() || level.len() != a.len() {
        return Err(Error::InvalidOption { name: "pairs", message: format!("columns of unequal length ({}, {}, {})", a.len(), b.len(), level.len()) });
    }
    let lb = Engine::new(opts.clone())?.layout().lb;
    let levels = super::SUFFIX_LEVELS.len();
    if let Some(&l) = level.iter().find(|&&l| l < -1 || l >= levels as i8) {
        return Err(Error::InvalidOption { name: "level", message: format!("{l} is neither -1 nor a suffix level (0 to {})", levels - 1) });
    }
    let pack = |i: usize| a[i].min(b[i]) << 32 | a[i].max(b[i]);
    let mut pairs: Vec<u64> = (0..a.len()).filter(|&i| level[i] < 0).map(pack).collect();
    for l in 0..levels as i8 {
        let found: Vec<u64> = (0..a.len()).filter(|&i| level[i] == l).map(pack).collect();
        pairs.extend(agreeing(found, lb));
    }
    pairs.sort_unstable();
    pairs.dedup();
    Ok(pairs.into_iter().map(|p| (p >> 32, p & 0xffff_ffff)).collect())
}

/// Stage 5: verifies candidate pairs on their texts' shingle sets: the similarity and kind of
/// each verified pair (`None`: not linked), as `dedup` links them.
///
/// # Errors
/// [`Error::InvalidOption`] for bad options or thread count.
pub fn verify_pairs<S: AsRef<str> + Sync>(opts: &Options, pairs: &[(S, S)], threads: Option<usize>) -> Result<Vec<Option<(f32, LinkKind)>>, Error> {
    let engine = Engine::new(opts.clone())?;
    parallel::map(pairs, threads, |(a, b)| {
        let (sa, sb) = (engine.set(a.as_ref()), engine.set(b.as_ref()));
        engine.verify(0, 1, &sa, &sb).map(|l| (l.similarity, l.kind))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dedup::{dedup, cluster::UnionFind, Keep};

    /// The stages run on `parts` partitions, stitched together as a cluster would: the
    /// clusters, and the verified links (not the exact ones).
    fn staged(texts: &[Option<String>], opts: &Options, parts: usize) -> (Vec<usize>, Vec<(usize, usize, LinkKind)>) {
        let n = texts.len();
        let (mut exact, mut chars, mut len) = (Vec::new(), Vec::new(), Vec::new());
        let (mut bucket, mut doc, mut top, mut ex) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let size = n.div_ceil(parts);
        for (p, chunk) in texts.chunks(size).enumerate() {
            let s = signatures(chunk, opts, true, Some(1)).unwrap();
            for (k, &d) in s.doc.iter().enumerate() {
                doc.push((p * size) as u64 + u64::from(d));
                bucket.push(s.bucket[k]);
                top.push(s.top[k]);
                ex.push(s.exact[d as usize]);
            }
            exact.extend(s.exact);
            chars.extend(s.chars);
            len.extend(s.len);
        }
        // The shuffle: buckets split over three reducers by a hash of the bucket id.
        let spread = |x: u64| (x.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) % 3;
        let mut found = Candidates::default();
        for r in 0..3u64 {
            let pick: Vec<usize> = (0..bucket.len()).filter(|&i| spread(bucket[i]) == r).collect();
            let col = |v: &Vec<u64>| pick.iter().map(|&i| v[i]).collect::<Vec<_>>();
            let tops: Vec<bool> = pick.iter().map(|&i| top[i]).collect();
            let c = bucket_candidates(opts, &col(&bucket), &col(&doc), &tops, &col(&ex)).unwrap();
            found.a.extend(c.a);
            found.b.extend(c.b);
            found.level.extend(c.level);
        }
        // Then a shuffle on the pair's first text, over three other reducers.
        let mut pairs = Vec::new();
        for r in 0..3u64 {
            let pick: Vec<usize> = (0..found.a.len()).filter(|&i| spread(found.a[i] + 1) == r).collect();
            let col = |v: &Vec<u64>| pick.iter().map(|&i| v[i]).collect::<Vec<_>>();
            let level: Vec<i8> = pick.iter().map(|&i| found.level[i]).collect();
            pairs.extend(unique_candidates(opts, &col(&found.a), &col(&found.b), &level).unwrap());
        }
        let texts_of: Vec<(&str, &str)> = pairs.iter().map(|&(a, b)| (texts[a as usize].as_deref().unwrap(), texts[b as usize].as_deref().unwrap())).collect();
        let verified = verify_pairs(opts, &texts_of, Some(2)).unwrap();
        let mut links: Vec<(usize, usize, LinkKind)> =
            pairs.iter().zip(&verified).filter_map(|(&(a, b), v)| v.map(|(_, k)| (a as usize, b as usize, k))).collect();
        links.sort_by_key(|l| (l.0, l.1));
        links.dedup(); // a pair can come from buckets on several reducers
        let mut uf = UnionFind::default();
        uf.grow(n);
        let mut first: std::collections::HashMap<u64, u32> = std::collections::HashMap::new();
        for i in 0..n {
            if len[i] > 0 {
                let f = *first.entry(exact[i]).or_insert(i as u32);
                uf.union(f, i as u32);
            }
        }
        for (&(a, b), v) in pairs.iter().zip(&verified) {
            if v.is_some() {
                uf.union(a as u32, b as u32);
            }
        }
        // Keep::Longest: most characters, then the smaller exact hash, then the earlier text.
        let roots: Vec<u32> = (0..n as u32).map(|i| uf.find(i)).collect();
        let mut best: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
        for i in 0..n {
            let e = best.entry(roots[i]).or_insert(i);
            if (std::cmp::Reverse(chars[i]), exact[i], i) < (std::cmp::Reverse(chars[*e]), exact[*e], *e) {
                *e = i;
            }
        }
        ((0..n).map(|i| best[&roots[i]]).collect(), links)
    }

    fn corpus() -> Vec<Option<String>> {
        let base = "the council approved the budget on monday after a debate that lasted six hours and the mayor said the libraries would stay open in every district of the city";
        let mut out: Vec<Option<String>> = Vec::new();
        for i in 0..90 {
            // Near copies (a whole-text bucket of more than BUCKET_CAP texts), truncated copies
            // and exact copies, interleaved with unrelated texts.
            out.push(Some(format!("{base} story {i} word{}", i % 7)));
            out.push(Some(format!("unrelated text number {i} about fishing boats in harbour {} with many different words each time {}", i * 31, i * 17)));
            if i % 3 == 0 {
                out.push(Some(format!("{base} story {i} word{}", i % 7)));
                out.push(Some(base.split(' ').take(12).collect::<Vec<_>>().join(" ") + " …"));
            }
            if i % 5 == 0 {
                out.push(None);
                out.push(Some(String::new()));
            }
        }
        out
    }

    #[test]
    fn stages_give_the_clusters_of_dedup() {
        let texts = corpus();
        for opts in [Options::default(), Options { containment: false, ..Options::default() }, Options { threshold: 0.5, ..Options::default() }] {
            let res = dedup(&texts, &opts, &Keep::Longest, Some(2)).unwrap();
            assert!(res.cluster.iter().enumerate().filter(|&(i, &c)| i != c).count() > 50, "the corpus has many duplicates");
            let mut want_links: Vec<(usize, usize, LinkKind)> =
                res.links.iter().filter(|l| l.kind != LinkKind::Exact).map(|l| (l.a, l.b, l.kind)).collect();
            want_links.sort_by_key(|l| (l.0, l.1));
            for parts in [1, 4, 7] {
                let (clusters, links) = staged(&texts, &opts, parts);
                assert_eq!(clusters, res.cluster, "{opts:?} in {parts} partitions");
                assert_eq!(links, want_links, "{opts:?} in {parts} partitions");
            }
        }
    }

    #[test]
    fn bad_columns_are_an_error() {
        let opts = Options::default();
        assert!(bucket_candidates(&opts, &[1, 2], &[0], &[true, true], &[0, 0]).is_err());
        assert!(bucket_candidates(&opts, &[1], &[1 << 40], &[true], &[0]).is_err());
        assert!(bucket_candidates(&opts, &[u64::MAX, u64::MAX], &[0, 1], &[true, true], &[0, 0]).is_err(), "no such space");
        assert!(unique_candidates(&opts, &[0], &[1, 2], &[-1]).is_err());
        assert!(unique_candidates(&opts, &[0], &[1], &[3]).is_err(), "no such suffix level");
        assert_eq!(unique_candidates(&opts, &[0, 0, 4], &[1, 1, 2], &[-1, -1, 0]).unwrap(), vec![(0, 1)], "one suffix band is not enough");
    }

    /// A corpus where suffix sketches decide: pages that end with the same long text after
    /// different openings, and pages that share only a long footer-like ending.
    fn suffix_corpus() -> Vec<Option<String>> {
        let release: String = (0..300).map(|i| format!("w{} ", i * 7 % 1000)).collect();
        let mut out = Vec::new();
        for i in 0..6 {
            let opening: String = (0..400).map(|k| format!("o{}x{} ", i, k)).collect();
            out.push(Some(format!("{opening}{release}")));
        }
        out.push(Some(release.clone()));
        out
    }

    #[test]
    fn stages_find_what_suffix_sketches_find() {
        let texts = suffix_corpus();
        let opts = Options::default();
        let res = dedup(&texts, &opts, &Keep::Longest, Some(2)).unwrap();
        let mut want: Vec<(usize, usize, LinkKind)> = res.links.iter().filter(|l| l.kind != LinkKind::Exact).map(|l| (l.a, l.b, l.kind)).collect();
        want.sort_by_key(|l| (l.0, l.1));
        assert!(want.iter().any(|l| l.1 == 6 && l.2 == LinkKind::Contained), "the ending text is found inside the pages: {want:?}");
        for parts in [1, 3] {
            let (clusters, links) = staged(&texts, &opts, parts);
            assert_eq!(clusters, res.cluster, "{parts} partitions");
            assert_eq!(links, want, "{parts} partitions");
        }
    }

    #[test]
    fn signatures_without_entries_match() {
        let texts = corpus();
        let a = signatures(&texts, &Options::default(), true, Some(2)).unwrap();
        let b = signatures(&texts, &Options::default(), false, Some(2)).unwrap();
        assert_eq!((a.exact, a.chars, a.len), (b.exact, b.chars, b.len));
        assert!(b.doc.is_empty() && !a.doc.is_empty());
    }
}
