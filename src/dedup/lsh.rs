//! LSH banding: `b` bands of `r` rows of a sketch; two texts are candidates when all `r`
//! values of some band agree, which happens with probability `1 − (1 − s^r)^b` at Jaccard `s`.

use std::sync::Mutex;

use super::shingle::mix64;

/// Weight of the false-negative area against the false-positive area when choosing bands.
/// Every candidate pair is verified exactly, so a false positive only costs a comparison while
/// a false negative is a duplicate lost: misses weigh four times as much.
pub const FALSE_NEGATIVE_WEIGHT: f64 = 0.8;

/// Bands and rows per band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bands {
    /// Number of bands.
    pub b: usize,
    /// Rows (sketch positions) per band.
    pub r: usize,
}

/// Intervals of Simpson's rule: the integrands are smooth polynomials.
const SIMPSON_INTERVALS: i32 = 200;

#[cfg(test)]
fn integrate(f: impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    let n = SIMPSON_INTERVALS;
    let h = (hi - lo) / f64::from(n);
    let mut s = f(lo) + f(hi);
    for i in 1..n {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        s += w * f(lo + h * f64::from(i));
    }
    s * h / 3.0
}

/// Simpson's rule on `[lo, hi]` of `f(g(s))`, given `g` at the points `lo`, `hi`, then the
/// inner points in order (as [`integrate`] visits them).
fn simpson(g: &[f64], f: impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    let h = (hi - lo) / f64::from(SIMPSON_INTERVALS);
    let mut s = f(g[0]) + f(g[1]);
    for (i, &x) in g[2..].iter().enumerate() {
        let w = if i % 2 == 0 { 4.0 } else { 2.0 };
        s += w * f(x);
    }
    s * h / 3.0
}

impl Bands {
    /// The probability that a pair at Jaccard `s` becomes a candidate.
    #[must_use]
    pub fn candidate_probability(self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.r as i32)).powi(self.b as i32)
    }

    /// The `(b, r)` with `b · r ≤ k` that minimises
    /// `(1 − w) · ∫₀ᵗ P(s) ds + w · ∫ₜ¹ (1 − P(s)) ds` (false-positive and false-negative areas
    /// under the S-curve), `w` = [`FALSE_NEGATIVE_WEIGHT`]. Ties go to fewer bands.
    #[must_use]
    pub fn optimal(threshold: f64, k: usize) -> Self {
        // The search costs about a millisecond and a process asks for few (threshold, k), so
        // answers are kept. The lock is only tried, never waited for (nor held during a
        // search): a child forked while another thread held it must not block on it.
        static SEEN: Mutex<Vec<(u64, usize, Bands)>> = Mutex::new(Vec::new());
        let t = threshold.clamp(0.0, 1.0);
        if let Ok(seen) = SEEN.try_lock() {
            if let Some(&(_, _, bands)) = seen.iter().find(|e| e.0 == t.to_bits() && e.1 == k) {
                return bands;
            }
        }
        let bands = Self::search(t, k);
        if let Ok(mut seen) = SEEN.try_lock() {
            if seen.len() < 64 {
                seen.push((t.to_bits(), k, bands));
            }
        }
        bands
    }

    fn search(t: f64, k: usize) -> Self {
        let k = k.max(1);
        let points = |lo: f64, hi: f64| -> Vec<f64> {
            let h = (hi - lo) / f64::from(SIMPSON_INTERVALS);
            let mut xs = vec![lo, hi];
            xs.extend((1..SIMPSON_INTERVALS).map(|i| lo + h * f64::from(i)));
            xs
        };
        let (below, above) = (points(0.0, t), points(t, 1.0));
        // The cost of every (b, r) with b · r ≤ k, `costs[r - 1][b - 1]`. For each r, the
        // probability that a pair is not a candidate, (1 − s^r)^b, is kept at every point of
        // both integrals and multiplied by (1 − s^r) once per band added, rather than raised
        // to the power b anew.
        let costs: Vec<Vec<f64>> = (1..=k)
            .map(|r| {
                let miss = |xs: &[f64]| -> Vec<f64> { xs.iter().map(|s| 1.0 - s.powi(r as i32)).collect() };
                let (q_below, q_above) = (miss(&below), miss(&above));
                let (mut p_below, mut p_above) = (q_below.clone(), q_above.clone());
                (1..=k / r)
                    .map(|b| {
                        if b > 1 {
                            p_below.iter_mut().zip(&q_below).for_each(|(p, q)| *p *= q);
                            p_above.iter_mut().zip(&q_above).for_each(|(p, q)| *p *= q);
                        }
                        let fp = simpson(&p_below, |miss| 1.0 - miss, 0.0, t);
                        let fneg = simpson(&p_above, |miss| miss, t, 1.0);
                        (1.0 - FALSE_NEGATIVE_WEIGHT) * fp + FALSE_NEGATIVE_WEIGHT * fneg
                    })
                    .collect()
            })
            .collect();
        let mut best = (f64::INFINITY, Self { b: 1, r: k });
        for b in 1..=k {
            for r in 1..=k / b {
                let cost = costs[r - 1][b - 1];
                if cost < best.0 - 1e-12 {
                    best = (cost, Self { b, r });
                }
            }
        }
        best.1
    }

    /// The band keys of a sketch, appended to `out` (one 32-bit key per band; the band's index
    /// is hashed in, and keys are compared only within one band). The rows of a band are
    /// folded two at a time (multiply and rotate) and finished by [`mix64`].
    pub fn keys(self, sketch: &[u32], out: &mut Vec<u32>) {
        let start = out.len();
        out.resize(start + self.b, 0);
        self.keys_into(sketch, &mut out[start..]);
    }

    /// [`Bands::keys`] into `out[..b]`.
    pub fn keys_into(self, sketch: &[u32], out: &mut [u32]) {
        for ((band, rows), key) in sketch.chunks_exact(self.r).take(self.b).enumerate().zip(out) {
            let mut h = BAND_SEED ^ (band as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let mut pairs = rows.chunks_exact(2);
            for p in &mut pairs {
                h = (h ^ (u64::from(p[0]) | u64::from(p[1]) << 32)).wrapping_mul(BAND_MUL).rotate_left(27);
            }
            if let [last] = pairs.remainder() {
                h = (h ^ u64::from(*last)).wrapping_mul(BAND_MUL).rotate_left(27);
            }
            *key = (mix64(h ^ self.r as u64) >> 32) as u32;
        }
    }
}

const BAND_SEED: u64 = 0x6a09_e667_f3bc_c909;
const BAND_MUL: u64 = 0xff51_afd7_ed55_8ccd;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optimal_bands() {
        for (t, k) in [(0.8, 128), (0.5, 128), (0.9, 256), (0.8, 64), (0.7, 16)] {
            let bands = Bands::optimal(t, k);
            assert!(bands.b * bands.r <= k);
            // The S-curve crosses one half near the threshold, and pairs well above it are
            // almost always candidates.
            let mid = (1.0 / bands.b as f64).powf(1.0 / bands.r as f64);
            assert!((mid - t).abs() < 0.15, "t {t} k {k}: {bands:?}, midpoint {mid}");
            if k >= 64 {
                assert!(bands.candidate_probability((t + 0.1).min(1.0)) > 0.9, "{bands:?}");
            }
        }
        assert!(Bands::optimal(0.8, 1).b == 1);
    }

    /// The search with `(1 − s^r)^b` kept from one `b` to the next gives, for every threshold
    /// and size tried, the bands of the plain search over `candidate_probability`.
    #[test]
    fn search_equals_the_plain_search() {
        let plain = |t: f64, k: usize| {
            let mut best = (f64::INFINITY, Bands { b: 1, r: k });
            for b in 1..=k {
                for r in 1..=k / b {
                    let bands = Bands { b, r };
                    let fp = integrate(|s| bands.candidate_probability(s), 0.0, t);
                    let fneg = integrate(|s| 1.0 - bands.candidate_probability(s), t, 1.0);
                    let cost = (1.0 - FALSE_NEGATIVE_WEIGHT) * fp + FALSE_NEGATIVE_WEIGHT * fneg;
                    if cost < best.0 - 1e-12 {
                        best = (cost, bands);
                    }
                }
            }
            best.1
        };
        for k in [1usize, 7, 16, 32, 64, 100, 128] {
            for t in (1..=20).map(|i| f64::from(i) * 0.05) {
                assert_eq!(Bands::search(t, k), plain(t, k), "t {t}, k {k}");
            }
        }
        assert_eq!(Bands::search(0.7, 256), plain(0.7, 256));
    }

    #[test]
    fn keys_per_band() {
        let bands = Bands { b: 4, r: 3 };
        let sk: Vec<u32> = (0..12).collect();
        let mut other = sk.clone();
        other[4] = 99; // band 1 differs
        let (mut a, mut b) = (Vec::new(), Vec::new());
        bands.keys(&sk, &mut a);
        bands.keys(&other, &mut b);
        assert_eq!(a.len(), 4);
        assert_eq!((a[0] == b[0], a[1] == b[1], a[2] == b[2], a[3] == b[3]), (true, false, true, true));
    }
}
