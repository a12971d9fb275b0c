//! LSH banding: `b` bands of `r` rows of a sketch; two texts are candidates when all `r`
//! values of some band agree, which happens with probability `1 − (1 − s^r)^b` at Jaccard `s`.

use xxhash_rust::xxh3::xxh3_64_with_seed;

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

fn integrate(f: impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    // Simpson's rule on 200 intervals: the integrands are smooth polynomials.
    let n = 200;
    let h = (hi - lo) / f64::from(n);
    let mut s = f(lo) + f(hi);
    for i in 1..n {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        s += w * f(lo + h * f64::from(i));
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
        let t = threshold.clamp(0.0, 1.0);
        let mut best = (f64::INFINITY, Self { b: 1, r: k.max(1) });
        for b in 1..=k.max(1) {
            for r in 1..=k / b {
                let bands = Self { b, r };
                let fp = integrate(|s| bands.candidate_probability(s), 0.0, t);
                let fneg = integrate(|s| 1.0 - bands.candidate_probability(s), t, 1.0);
                let cost = (1.0 - FALSE_NEGATIVE_WEIGHT) * fp + FALSE_NEGATIVE_WEIGHT * fneg;
                if cost < best.0 - 1e-12 {
                    best = (cost, bands);
                }
            }
        }
        best.1
    }

    /// The band keys of a sketch, appended to `out` (one 32-bit key per band; the band's index
    /// is hashed in, and keys are compared only within one band).
    pub fn keys(self, sketch: &[u32], out: &mut Vec<u32>) {
        for band in 0..self.b {
            let rows = &sketch[band * self.r..(band + 1) * self.r];
            let mut bytes = [0u8; 4 * 64];
            let mut h = 0u64;
            for (c, chunk) in rows.chunks(64).enumerate() {
                for (i, v) in chunk.iter().enumerate() {
                    bytes[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
                }
                h ^= xxh3_64_with_seed(&bytes[..4 * chunk.len()], (band as u64) << 16 | c as u64);
            }
            out.push((h >> 32) as u32);
        }
    }
}

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
