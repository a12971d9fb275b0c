//! Distinct blurbs: the forms (normalised lede texts) of a catalogue grouped into stories.
//!
//! 1. Every form gets its content stems ([`super::extract::stem`]), each weighted by its
//!    inverse document frequency over all forms: `ln(1 + N / df)`.
//! 2. Two forms with at least [`super::Options::min_stems`] stems each are one story when
//!    they share [`super::Options::min_shared`] stems and the shared weight is at least
//!    [`super::Options::pair_threshold`] of the lighter form's weight (a reworded blurb, a cut
//!    or a longer version). Candidates come from prefix filtering: the lighter form's heaviest
//!    stems whose weight passes `1 − threshold` of its total must meet the other form, so
//!    probing the postings of those stems finds every such pair.
//!    Forms that open with the same [`super::Options::opening_words`] words need only
//!    [`super::Options::opening_threshold`] of the words after that opening (two wordings of
//!    one wire story).
//! 3. A form whose words are the start of longer forms of exactly one other story (a cut-off
//!    lede, "Pittsburgh…", or a first sentence cut short by a sentence splitter) joins it.
//!    A cut-off form with the same words as a full form ("(AFP) [...]" and "(AFP)") is that
//!    form, whatever else starts that way.
//! 4. Union-find over forms sorted by their text, so the clusters do not depend on the order
//!    the pages came in.

use rayon::prelude::*;

use crate::dedup::cluster::UnionFind;
use crate::dedup::shingle::words_hash;
use crate::error::Error;
use crate::parallel;
use crate::text::HashMapU64;

use super::extract::Words;
use super::Options;

/// A stem whose posting list is longer than this is not probed for pair candidates (a form
/// keyed only by such common stems finds its rewordings by its prefix instead).
pub(crate) const POSTING_CAP: usize = 20_000;
/// A word prefix shared by more forms than this is too common to pick a unique full form.
pub(crate) const PREFIX_CAP: usize = 4_096;

/// One form, analysed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prepared {
    /// The form's words and stems.
    pub words: Words,
    /// Whether the form is cut off (its last word may be cut).
    pub truncated: bool,
    /// Distinct content stems, sorted (a cut-off form's last word is left out).
    pub stems: Vec<u64>,
    /// The weight of each stem.
    pub weights: Vec<f64>,
    /// The sum of the weights.
    pub total: f64,
}

impl Prepared {
    pub fn new(norm: &str, truncated: bool, opts: &Options) -> Self {
        let words = Words::from_norm(norm.to_string(), opts);
        let content = if truncated && !words.stems.is_empty() { &words.stems[..words.stems.len() - 1] } else { &words.stems[..] };
        let mut stems: Vec<u64> = content.iter().copied().filter(|&s| s != 0).collect();
        stems.sort_unstable();
        stems.dedup();
        Self { words, truncated, stems, weights: Vec::new(), total: 0.0 }
    }

    /// Too few stems to be matched by content: only by its words.
    pub fn tiny(&self, opts: &Options) -> bool {
        self.stems.len() < opts.min_stems
    }

    /// The weight of the stems this form shares with `other` (both sorted).
    pub fn shared_weight(&self, other: &[u64]) -> (usize, f64) {
        let (mut i, mut j, mut n, mut w) = (0, 0, 0, 0.0);
        while i < self.stems.len() && j < other.len() {
            match self.stems[i].cmp(&other[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    n += 1;
                    w += self.weights[i];
                    i += 1;
                    j += 1;
                }
            }
        }
        (n, w)
    }

    /// The distinct stems of the words after the first `k` (a cut-off last word left out),
    /// sorted.
    pub fn rest(&self, k: usize) -> Vec<u64> {
        let end = if self.truncated { self.words.stems.len().saturating_sub(1) } else { self.words.stems.len() };
        let mut out: Vec<u64> = self.words.stems[k.min(end)..end].iter().copied().filter(|&s| s != 0).collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The weight of some of this form's stems (sorted).
    pub fn weight_of(&self, stems: &[u64]) -> f64 {
        stems.iter().filter_map(|s| self.stems.binary_search(s).ok()).map(|i| self.weights[i]).sum()
    }

    /// Stems and weight shared by two sorted stem lists, `mine` being some of this form's.
    pub fn shared_weight_of(&self, mine: &[u64], other: &[u64]) -> (usize, f64) {
        let shared: Vec<u64> = mine.iter().copied().filter(|s| other.binary_search(s).is_ok()).collect();
        (shared.len(), self.weight_of(&shared))
    }

    /// The stems whose weight, heaviest first, passes `1 − threshold` of the total: any set
    /// that holds `threshold` of this form's weight holds one of them.
    pub fn filter_keys(&self, threshold: f64) -> Vec<u64> {
        let mut order: Vec<usize> = (0..self.stems.len()).collect();
        order.sort_by(|&a, &b| self.weights[b].total_cmp(&self.weights[a]).then(self.stems[a].cmp(&self.stems[b])));
        let mut acc = 0.0;
        let mut out = Vec::new();
        for i in order {
            out.push(self.stems[i]);
            acc += self.weights[i];
            if acc > (1.0 - threshold) * self.total + 1e-9 {
                break;
            }
        }
        out
    }
}

/// Weighs every form's stems by their inverse document frequency over the forms. Call it in
/// a crate pool ([`parallel::install`](crate::parallel::install)): never rayon's global pool.
pub(crate) fn weigh(forms: &mut [Prepared]) {
    let mut df: HashMapU64<u32> = HashMapU64::default();
    for f in forms.iter() {
        for &s in &f.stems {
            *df.entry(s).or_insert(0) += 1;
        }
    }
    let n = forms.len().max(1) as f64;
    forms.par_iter_mut().for_each(|f| {
        f.weights = f.stems.iter().map(|s| (1.0 + n / f64::from(df[s])).ln()).collect();
        f.total = f.weights.iter().sum();
    });
}

/// Words of a form's opening that index it for prefix look-ups.
const KEY_WORDS: usize = 3;

/// Forms by the hash of their first 1, 2 and 3 words.
fn by_start(forms: &[Prepared]) -> HashMapU64<Vec<u32>> {
    let mut index: HashMapU64<Vec<u32>> = HashMapU64::default();
    for (i, f) in forms.iter().enumerate() {
        for g in 1..=KEY_WORDS.min(f.words.words.len()) {
            index.entry(words_hash(&f.words.words[..g])).or_default().push(i as u32);
        }
    }
    index
}

/// The cluster root of every form (the smallest form index of its story).
pub(crate) fn cluster_forms(forms: &[Prepared], opts: &Options, threads: Option<usize>) -> Result<Vec<u32>, Error> {
    let n = forms.len();
    let starts = by_start(forms);
    let mut uf = UnionFind::default();
    uf.grow(n);
    let mut pairs = content_pairs(forms, opts, threads)?;
    // A cut-off form with the very words of a full form is that form (forms are sorted by
    // text, then cut-off after full).
    for i in 1..n {
        if forms[i].words.norm == forms[i - 1].words.norm {
            pairs.push(((i - 1) as u32, i as u32));
        }
    }
    pairs.extend(opening_pairs(forms, &starts, opts, threads)?);
    pairs.sort_unstable();
    for (a, b) in pairs {
        uf.union(a, b);
    }
    let roots: Vec<u32> = (0..n as u32).map(|i| uf.find(i)).collect();
    for (a, b) in prefix_links(forms, &starts, &roots, threads)? {
        uf.union(a, b);
    }
    Ok((0..n as u32).map(|i| uf.find(i)).collect())
}

/// Two forms that open with the same [`Options::opening_words`] words and, past that opening,
/// still share [`Options::opening_threshold`] of the lighter one's stem weight are one story
/// worded two ways ("U.S. and Ukrainian negotiators have discussed an ambitious goal of reaching a peace
/// agreement ..." / "... an ambitious March goal for Russia and Ukraine to agree on a peace
/// deal ..."): an opening that long is past any dateline or agency prefix.
fn opening_pairs(forms: &[Prepared], starts: &HashMapU64<Vec<u32>>, opts: &Options, threads: Option<usize>) -> Result<Vec<(u32, u32)>, Error> {
    let k = opts.opening_words;
    let idx: Vec<u32> = (0..forms.len() as u32).collect();
    let found = parallel::map(&idx, threads, |&a| {
        let fa = &forms[a as usize];
        let w = &fa.words.words;
        let mut out = Vec::new();
        if fa.tiny(opts) || w.len() < k.max(KEY_WORDS) {
            return out;
        }
        let Some(list) = starts.get(&words_hash(&w[..KEY_WORDS])) else { return out };
        if list.len() > PREFIX_CAP {
            return out;
        }
        let rest_a = fa.rest(k);
        for &b in list {
            let fb = &forms[b as usize];
            if b <= a || fb.tiny(opts) || fb.words.words.len() < k || fb.words.words[..k] != w[..k] {
                continue;
            }
            // Past the common opening, they must still share the threshold.
            let rest_b = fb.rest(k);
            let (count, weight) = fa.shared_weight_of(&rest_a, &rest_b);
            let lighter = fa.weight_of(&rest_a).min(fb.weight_of(&rest_b));
            if count >= opts.min_shared && weight >= opts.opening_threshold * lighter - 1e-9 {
                out.push((a, b));
            }
        }
        out
    })?;
    Ok(found.into_iter().flatten().collect())
}

/// Pairs of forms that word one story (step 2 of the module docs), sorted.
fn content_pairs(forms: &[Prepared], opts: &Options, threads: Option<usize>) -> Result<Vec<(u32, u32)>, Error> {
    let mut postings: HashMapU64<Vec<u32>> = HashMapU64::default();
    for (i, f) in forms.iter().enumerate() {
        if !f.tiny(opts) {
            for &s in &f.stems {
                postings.entry(s).or_default().push(i as u32);
            }
        }
    }
    let idx: Vec<u32> = (0..forms.len() as u32).collect();
    let found = parallel::map(&idx, threads, |&a| {
        let fa = &forms[a as usize];
        let mut out: Vec<(u32, u32)> = Vec::new();
        if fa.tiny(opts) {
            return out;
        }
        // Probed from the lighter form of each pair (ties: the smaller index).
        let lighter = |b: u32| {
            let fb = &forms[b as usize];
            fb.total > fa.total || fb.total == fa.total && b > a
        };
        let mut seen: Vec<u32> = Vec::new();
        for key in fa.filter_keys(opts.pair_threshold) {
            let Some(list) = postings.get(&key) else { continue };
            if list.len() > POSTING_CAP {
                continue;
            }
            seen.extend(list.iter().copied().filter(|&b| b != a && lighter(b)));
        }
        seen.sort_unstable();
        seen.dedup();
        for b in seen {
            let fb = &forms[b as usize];
            let (count, weight) = fa.shared_weight(&fb.stems);
            if count >= opts.min_shared && weight >= opts.pair_threshold * fa.total.min(fb.total) - 1e-9 {
                out.push((a.min(b), a.max(b)));
            }
        }
        out
    })?;
    let mut pairs: Vec<(u32, u32)> = found.into_iter().flatten().collect();
    pairs.sort_unstable();
    pairs.dedup();
    Ok(pairs)
}

/// Prefix links (step 3 of the module docs): a form whose words (all of them, or all but a
/// cut-off last word, which must start the next word of the other) start longer forms of
/// exactly one other cluster joins it.
fn prefix_links(forms: &[Prepared], by_start: &HashMapU64<Vec<u32>>, roots: &[u32], threads: Option<usize>) -> Result<Vec<(u32, u32)>, Error> {
    let idx: Vec<u32> = (0..forms.len() as u32).collect();
    let found = parallel::map(&idx, threads, |&a| {
        let fa = &forms[a as usize];
        let w = &fa.words.words;
        // (words that must match exactly, a cut-off last word that must start the next one)
        let mut variants: Vec<(&[u64], Option<&str>)> = vec![(&w[..], None)];
        if fa.truncated && w.len() >= 2 {
            variants.push((&w[..w.len() - 1], fa.words.norm.rsplit(' ').next()));
        }
        let mut target: Option<u32> = None;
        for (exact, partial) in variants {
            let g = KEY_WORDS.min(exact.len());
            if g == 0 {
                continue;
            }
            let Some(list) = by_start.get(&words_hash(&exact[..g])) else { continue };
            if list.len() > PREFIX_CAP {
                continue;
            }
            for &b in list {
                let fb = &forms[b as usize];
                let u = &fb.words.words;
                if roots[b as usize] == roots[a as usize] || u.len() <= exact.len() || u[..exact.len()] != *exact {
                    continue;
                }
                if let Some(p) = partial {
                    let next = fb.words.norm.split(' ').nth(exact.len()).unwrap_or("");
                    if !next.starts_with(p) {
                        continue;
                    }
                }
                match target {
                    None => target = Some(roots[b as usize]),
                    Some(t) if t == roots[b as usize] => {}
                    Some(_) => return None,
                }
            }
        }
        target.map(|t| (a, t))
    })?;
    Ok(found.into_iter().flatten().collect())
}
