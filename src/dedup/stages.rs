//! [`dedup`](super::dedup) cut into stages that can run on different machines and meet again
//! through shuffles: the clusters they give are exactly those of a single-process `dedup` of
//! the whole corpus.
//!
//! 1. [`signatures`], per partition: each text's exact hash, length and *band entries* (one
//!    per LSH bucket the text falls in: a bucket id and whether it is the text's top prefix
//!    level). Texts are named by their global position in the corpus.
//! 2. Exact classes: texts with the same exact hash join the first of them (a group-by on the
//!    hash; done by the caller).
//! 3. [`bucket_candidates`], after a shuffle on the bucket id (every entry of a bucket in the
//!    same call): the candidate pairs `dedup` would draw from those buckets. Within a bucket,
//!    a text whose exact hash an earlier text of the bucket has is dropped first: it is not
//!    an exact-class leader, and its leader (same normalised text, so the same entries) is in
//!    the same bucket.
//! 4. [`verify_pairs`], after joining each pair with its two texts: the verified links.
//! 5. Connected components of exact and verified links, and a representative per component
//!    (done by the caller).

use super::{bucket_pairs, Engine, LinkKind, Options, Space, BUCKET_CAP};
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
    /// For each band entry: the bucket is the text's top prefix level (at offset 0).
    pub top: Vec<bool>,
}

/// Stage 1: exact hashes, lengths and band entries of a batch. With `entries` false only the
/// per-text columns are filled.
///
/// # Errors
/// [`Error::InvalidOption`] for bad options or thread count.
pub fn signatures<S: AsRef<str> + Sync>(texts: &[Option<S>], opts: &Options, entries: bool, threads: Option<usize>) -> Result<Signatures, Error> {
    let engine = Engine::new(opts.clone())?;
    let b = engine.bands.b;
    let containment = opts.containment;
    let spaces = Space::all(b, containment);
    let preps = parallel::map(texts, threads, |t| {
        let t = t.as_ref().map(AsRef::as_ref);
        if entries {
            engine.prep(t, false)
        } else {
            let Some(t) = t else { return super::Prep::default() };
            let (exact, sh) = engine.shingles(t);
            let len = u32::try_from(sh.len()).unwrap_or(u32::MAX);
            super::Prep { exact: if len > 0 { exact } else { 0 }, chars: t.chars().count() as u64, len, keys: Vec::new(), set: None }
        }
    })?;
    let mut out = Signatures::default();
    for (i, p) in preps.iter().enumerate() {
        out.exact.push(if p.len > 0 { p.exact } else { 0 });
        out.chars.push(p.chars);
        out.len.push(p.len);
        if !entries || p.len == 0 {
            continue;
        }
        for &space in &spaces {
            for (pos, top) in space.entries(b, p.len, containment) {
                out.doc.push(i as u32);
                out.bucket.push(space.id(b) << 32 | u64::from(p.keys[pos]));
                out.top.push(top);
            }
        }
    }
    Ok(out)
}

/// Stage 3: the candidate pairs `(a, b)`, `a < b`, of whole buckets. `bucket`, `doc` (global
/// positions), `top` and `exact` are parallel columns of band entries, in any order, holding
/// every entry of each bucket they touch. Pairs are sorted and unique.
///
/// # Errors
/// [`Error::InvalidOption`] for bad options, columns of unequal length, or a position past
/// 2^31.
pub fn bucket_candidates(opts: &Options, bucket: &[u64], doc: &[u64], top: &[bool], exact: &[u64]) -> Result<Vec<(u64, u64)>, Error> {
    let n = bucket.len();
    if doc.len() != n || top.len() != n || exact.len() != n {
        return Err(Error::InvalidOption { name: "entries", message: format!("columns of unequal length ({n}, {}, {}, {})", doc.len(), top.len(), exact.len()) });
    }
    if let Some(&d) = doc.iter().find(|&&d| d >= 1 << 31) {
        return Err(Error::InvalidOption { name: "doc", message: format!("position {d} is past 2^31") });
    }
    let b = Engine::new(opts.clone())?.bands.b as u64;
    // The order `dedup` gives a space's entries: by key, then text, then top flag.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by_key(|&i| (bucket[i], doc[i], top[i]));
    let mut pairs: Vec<u64> = Vec::new();
    let mut members: Vec<(u64, u32, bool)> = Vec::new();
    let mut first_of: std::collections::HashMap<u64, u64> = std::collections::HashMap::new();
    let (mut docs, mut tops) = (Vec::new(), Vec::new());
    let mut start = 0;
    while start < n {
        let key = bucket[order[start]];
        let mut end = start + 1;
        while end < n && bucket[order[end]] == key {
            end += 1;
        }
        if end - start > 1 {
            // Exact-class leaders only: the first text of the bucket with each exact hash.
            first_of.clear();
            members.clear();
            for &i in &order[start..end] {
                if *first_of.entry(exact[i]).or_insert(doc[i]) == doc[i] {
                    members.push((exact[i], doc[i] as u32, top[i]));
                }
            }
            if members.len() > BUCKET_CAP {
                members.sort_unstable();
            }
            docs.clear();
            tops.clear();
            docs.extend(members.iter().map(|m| m.1));
            tops.extend(members.iter().map(|m| m.2));
            let whole_text = (key >> 32) < b;
            bucket_pairs(&docs, if whole_text { None } else { Some(&tops[..]) }, &mut pairs);
        }
        start = end;
    }
    pairs.sort_unstable();
    pairs.dedup();
    Ok(pairs.into_iter().map(|p| (p >> 32, p & 0xffff_ffff)).collect())
}

/// Stage 4: verifies candidate pairs on their texts' shingle sets: the similarity and kind of
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
        let mut pairs = Vec::new();
        for r in 0..3u64 {
            let pick: Vec<usize> = (0..bucket.len()).filter(|&i| (bucket[i].wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) % 3 == r).collect();
            let col = |v: &Vec<u64>| pick.iter().map(|&i| v[i]).collect::<Vec<_>>();
            let tops: Vec<bool> = pick.iter().map(|&i| top[i]).collect();
            pairs.extend(bucket_candidates(opts, &col(&bucket), &col(&doc), &tops, &col(&ex)).unwrap());
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
    fn unequal_columns_are_an_error() {
        assert!(bucket_candidates(&Options::default(), &[1, 2], &[0], &[true, true], &[0, 0]).is_err());
        assert!(bucket_candidates(&Options::default(), &[1], &[1 << 40], &[true], &[0]).is_err());
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
