//! MinHash sketches by one-permutation hashing with optimal densification.
//!
//! One-permutation hashing (Li, Owen and Zhang, NIPS 2012) hashes every shingle once: the hash
//! picks one of `K` bins and its other bits are the value; each bin keeps its smallest value.
//! That costs one hash per shingle instead of `K`. Bins that no shingle fell into are filled by
//! *optimal densification* (Shrivastava, ICML 2017): empty bin `i` draws bins `h(i, 1)`,
//! `h(i, 2)`, … from a fixed universal hash until it meets a non-empty bin, and copies that
//! bin's value. Because the draw sequence depends only on `i` and the seed, two sets fill a bin
//! from the same source bin whenever that bin is non-empty in both, which keeps
//! `P[sig_A[i] = sig_B[i]] = J(A, B)` for every `i`.
//!
//! **Estimator.** `Ĵ = (number of equal positions) / K`. It is unbiased; its standard error is
//! about `sqrt(J(1−J)/K)` (0.035 at J = 0.8, K = 128), slightly below that of `K` independent
//! permutations for sets larger than `K` because bins are sampled without replacement.
//! `tests::estimator_error` measures it against exact Jaccard.

use super::shingle::mix64;

/// Value of a bin in the sketch of an empty set.
pub const EMPTY: u32 = u32::MAX;

/// Builds sketches of `k` bins for one seed.
#[derive(Debug, Clone)]
pub struct Sketcher {
    k: usize,
    seed: u64,
    /// The first [`PROBES`] bins each bin's densification probes, precomputed.
    probes: Vec<u16>,
    /// For `k <= 256`: per bin and group of eight probes, the set of bins the group probes
    /// (`k / 64` words, rounded up), so that a group that meets no non-empty bin is passed
    /// over with a few word operations.
    groups: Vec<u64>,
}

/// Probes per bin kept in the densification table (later probes are computed).
const PROBES: usize = 32;
/// Probes per group of the group sets.
const GROUP: usize = 8;
/// Words of a bin set in [`Sketcher::densify`]'s fast path (`k <= 64 · WORDS`).
const WORDS: usize = 4;

impl Sketcher {
    /// A sketcher with `k` bins (`k >= 1`).
    #[must_use]
    pub fn new(k: usize, seed: u64) -> Self {
        let k = k.max(1);
        let seed = mix64(seed ^ 0x5eed_f05e_7c4e_7500);
        let probes: Vec<u16> = (0..k).flat_map(|i| (1..=PROBES as u64).map(move |a| probe(seed, k, i, a) as u16)).collect();
        let words = k.div_ceil(64);
        let mut groups = Vec::new();
        if words <= WORDS {
            for group in probes.chunks_exact(GROUP) {
                let mut set = [0u64; WORDS];
                for &j in group {
                    set[usize::from(j) >> 6] |= 1 << (j & 63);
                }
                groups.extend_from_slice(&set[..words]);
            }
        }
        Self { k, seed, probes, groups }
    }

    /// The number of bins.
    #[must_use]
    pub const fn k(&self) -> usize {
        self.k
    }

    /// Adds one shingle hash to the bins (`bins` holds `k` values, initially [`EMPTY`]).
    #[inline]
    pub fn add(&self, bins: &mut [u32], shingle: u64) {
        let (pos, v) = self.place(shingle);
        let bin = bin_at(pos, self.k);
        // A store without a branch: whether a shingle lowers its bin is a coin toss early on.
        bins[bin] = bins[bin].min(v);
    }

    /// Where a shingle goes: its position (32 bits; its bin among `k` is [`bin_at`]`(pos, k)`)
    /// and its value.
    #[inline]
    #[must_use]
    pub fn place(&self, shingle: u64) -> (u64, u32) {
        let h = mix64(shingle ^ self.seed);
        // Keep EMPTY free as a marker: a real value is at most u32::MAX - 1.
        (h >> 32, (h as u32).min(EMPTY - 1))
    }

    /// Fills the empty bins by optimal densification, into `out`.
    pub fn densify(&self, bins: &[u32], out: &mut Vec<u32>) {
        out.clear();
        out.extend_from_slice(bins);
        if self.groups.is_empty() {
            if bins.iter().any(|&v| v != EMPTY) {
                for i in 0..self.k {
                    if bins[i] == EMPTY {
                        out[i] = self.fill(bins, i, &self.probes[i * PROBES..(i + 1) * PROBES], |j| bins[j] != EMPTY);
                    }
                }
            }
            return;
        }
        let mut filled = [0u64; WORDS];
        for (word, chunk) in filled.iter_mut().zip(bins.chunks(64)) {
            *word = chunk.iter().enumerate().fold(0, |m, (t, &v)| m | u64::from(v != EMPTY) << t);
        }
        if filled == [0; WORDS] {
            return;
        }
        let words = self.k.div_ceil(64);
        let is_filled = |j: usize| filled[j >> 6] >> (j & 63) & 1 != 0;
        for w in 0..words {
            let valid = if (w + 1) * 64 <= self.k { u64::MAX } else { (1u64 << (self.k % 64)) - 1 };
            let mut empty = !filled[w] & valid;
            while empty != 0 {
                let i = w * 64 + empty.trailing_zeros() as usize;
                empty &= empty - 1;
                // The first non-empty bin among the precomputed probes: a group of probes whose
                // set meets no non-empty bin is passed over whole.
                let probes = &self.probes[i * PROBES..(i + 1) * PROBES];
                let sets = &self.groups[i * (PROBES / GROUP) * words..(i + 1) * (PROBES / GROUP) * words];
                let mut group: &[u16] = &[];
                for g in 0..PROBES / GROUP {
                    if sets[g * words..(g + 1) * words].iter().zip(&filled).any(|(s, f)| s & f != 0) {
                        group = &probes[g * GROUP..(g + 1) * GROUP];
                        break;
                    }
                }
                out[i] = self.fill(bins, i, group, is_filled);
            }
        }
    }

    /// The value empty bin `i` takes: that of the first non-empty bin among `probes` (its
    /// precomputed probes, or a group of them known to hold one), else of the first one its
    /// later probes meet.
    #[inline]
    fn fill(&self, bins: &[u32], i: usize, probes: &[u16], is_filled: impl Fn(usize) -> bool) -> u32 {
        if let Some(&j) = probes.iter().find(|&&j| is_filled(usize::from(j))) {
            return bins[usize::from(j)];
        }
        let mut attempt = PROBES as u64 + 1;
        loop {
            let j = probe(self.seed, self.k, i, attempt);
            if is_filled(j) {
                return bins[j];
            }
            attempt += 1;
        }
    }

    /// The densified sketch of a set of shingle hashes (repeats do not matter).
    #[must_use]
    pub fn sketch(&self, shingles: &[u64]) -> Vec<u32> {
        let mut bins = vec![EMPTY; self.k];
        for &s in shingles {
            self.add(&mut bins, s);
        }
        let mut out = Vec::with_capacity(self.k);
        self.densify(&bins, &mut out);
        out
    }
}

/// The bin of position `pos` (below 2³²) among `k` bins: `⌊pos · k / 2³²⌋`. For `k` a
/// multiple of `k_l`, the bin among `k_l` is the `k`-bin's bin `i` merged as `⌊i · k_l / k⌋`.
#[inline]
#[must_use]
pub const fn bin_at(pos: u64, k: usize) -> usize {
    ((pos * k as u64) >> 32) as usize
}

/// The bin that empty bin `i` probes at its `attempt`-th try (a fixed universal hash).
#[inline]
fn probe(seed: u64, k: usize, i: usize, attempt: u64) -> usize {
    let h = mix64(seed ^ ((i as u64) << 32 | attempt).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    (((h >> 32) * k as u64) >> 32) as usize
}

/// The MinHash estimate of the Jaccard similarity of two sketches.
#[must_use]
pub fn estimate(a: &[u32], b: &[u32]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y && **x != EMPTY).count() as f64 / a.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(state: &mut u64) -> u64 {
        *state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        mix64(*state)
    }

    /// The group sets only skip work: the sketch is the one the probe sequence defines, for a
    /// `k` with the sets and one without, from one shingle to many.
    #[test]
    fn densify_follows_the_probes() {
        let mut rng = 9u64;
        for k in [16usize, 128, 200, 300] {
            let s = Sketcher::new(k, 3);
            assert_eq!(s.groups.is_empty(), k > 256);
            for size in [1usize, 2, 5, 20, 60, 400] {
                let set: Vec<u64> = (0..size).map(|_| lcg(&mut rng)).collect();
                let mut bins = vec![EMPTY; k];
                set.iter().for_each(|&x| s.add(&mut bins, x));
                let got = s.sketch(&set);
                for i in 0..k {
                    let want = if bins[i] != EMPTY {
                        bins[i]
                    } else {
                        let j = (1..).map(|a| probe(s.seed, k, i, a)).find(|&j| bins[j] != EMPTY).unwrap();
                        bins[j]
                    };
                    assert_eq!(got[i], want, "k {k}, {size} shingles, bin {i}");
                }
            }
        }
    }

    #[test]
    fn identical_and_disjoint() {
        let s = Sketcher::new(64, 7);
        let a: Vec<u64> = (0..300).collect();
        let b: Vec<u64> = (1000..1300).collect();
        assert_eq!(estimate(&s.sketch(&a), &s.sketch(&a)), 1.0);
        assert!(estimate(&s.sketch(&a), &s.sketch(&b)) < 0.1);
        assert!(s.sketch(&[]).iter().all(|&v| v == EMPTY));
        assert!(s.sketch(&[5]).iter().all(|&v| v != EMPTY), "one shingle fills every bin");
    }

    /// The estimator's error against exact Jaccard, over set sizes from much smaller than K
    /// (heavy densification) to much larger: unbiased, and a root-mean-square error within
    /// 1.3× the k-permutation MinHash's `sqrt(J(1−J)/K)`.
    #[test]
    fn estimator_error() {
        let k = 128;
        let mut rng = 42u64;
        for &(size, target) in &[(20usize, 0.5f64), (60, 0.8), (200, 0.8), (1000, 0.8), (1000, 0.5), (3000, 0.9)] {
            let mut sum_err = 0.0;
            let mut sum_sq = 0.0;
            let trials = 300;
            let mut exact_sum = 0.0;
            for t in 0..trials {
                let sk = Sketcher::new(k, t as u64);
                // |A ∩ B| = c, |A| = |B| = size  =>  J = c / (2 size − c).
                let c = ((2.0 * target * size as f64) / (1.0 + target)).round() as usize;
                let common: Vec<u64> = (0..c).map(|_| lcg(&mut rng)).collect();
                let mut a = common.clone();
                let mut b = common;
                a.extend((0..size - c).map(|_| lcg(&mut rng)));
                b.extend((0..size - c).map(|_| lcg(&mut rng)));
                let exact = c as f64 / (2 * size - c) as f64;
                let est = estimate(&sk.sketch(&a), &sk.sketch(&b));
                sum_err += est - exact;
                sum_sq += (est - exact).powi(2);
                exact_sum += exact;
            }
            let j = exact_sum / f64::from(trials);
            let bias = sum_err / f64::from(trials);
            let rmse = (sum_sq / f64::from(trials)).sqrt();
            let theory = (j * (1.0 - j) / k as f64).sqrt();
            assert!(bias.abs() < 0.012, "size {size}: bias {bias}");
            assert!(rmse < 1.3 * theory, "size {size} J {j}: rmse {rmse} vs theory {theory}");
        }
    }
}
