//! UTF-8 from code points held one per unit, as CPython keeps a `str` (PEP 393: Latin-1,
//! UCS-2 or UCS-4). The Python binding reads a `str`'s units in place and turns them into UTF-8
//! here, on the worker threads.

/// The UTF-8 text of a sequence of code points, one per unit; `None` when one is a surrogate
/// (or above U+10FFFF), which UTF-8 has no form for. Runs of sixteen ASCII code points are
/// narrowed at once, the others encoded one by one.
///
/// ```
/// use newsclean::codepoints::to_utf8;
/// assert_eq!(to_utf8(&[0x43u16, 0x61, 0x66, 0xe9]).as_deref(), Some("Café"));
/// assert_eq!(to_utf8(&[0x61u32, 0x1f600]).as_deref(), Some("a😀"));
/// assert_eq!(to_utf8(&[0xd800u16]), None);
/// ```
#[must_use]
pub fn to_utf8<T: CodeUnit>(units: &[T]) -> Option<String> {
    let mut out = String::with_capacity(units.len() + units.len() / 4 + 4);
    push_utf8(&mut out, units).then_some(out)
}

/// [`to_utf8`] appended to `out`; false when a code point is a surrogate (or above
/// U+10FFFF), and then `out` has the text before it (whole characters only).
pub fn push_utf8<T: CodeUnit>(out: &mut String, units: &[T]) -> bool {
    out.reserve(units.len());
    // SAFETY: only ASCII bytes and whole `char::encode_utf8` encodings are pushed.
    let bytes = unsafe { out.as_mut_vec() };
    let mut runs = units.chunks_exact(16);
    for run in &mut runs {
        match T::narrow_ascii(run) {
            Some(ascii) => bytes.extend_from_slice(&ascii),
            None => {
                if push_units(run, bytes).is_none() {
                    return false;
                }
            }
        }
    }
    push_units(runs.remainder(), bytes).is_some()
}

/// A code unit that is a whole code point: Latin-1 (`u8`), UCS-2 (`u16`) or UCS-4 (`u32`).
/// Sealed: [`to_utf8`]'s output is only valid UTF-8 if `narrow_ascii` is right.
pub trait CodeUnit: Copy + Into<u32> + sealed::Sealed {
    /// Sixteen code points (`run.len() == 16`) as bytes when all are ASCII.
    fn narrow_ascii(run: &[Self]) -> Option<[u8; 16]> {
        narrow_portable(run)
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for u8 {}
    impl Sealed for u16 {}
    impl Sealed for u32 {}
}

/// [`CodeUnit::narrow_ascii`] without SIMD.
fn narrow_portable<T: Copy + Into<u32>>(run: &[T]) -> Option<[u8; 16]> {
    (run.len() == 16 && run.iter().fold(0u32, |m, &c| m | c.into()) < 0x80).then(|| std::array::from_fn(|j| run[j].into() as u8))
}

impl CodeUnit for u8 {
    fn narrow_ascii(run: &[u8]) -> Option<[u8; 16]> {
        let bytes: [u8; 16] = run.try_into().ok()?;
        (u128::from_le_bytes(bytes) & 0x8080_8080_8080_8080_8080_8080_8080_8080 == 0).then_some(bytes)
    }
}

// SSE2 (part of every x86-64 CPU) narrows UCS-2 and UCS-4 units with saturating packs; elsewhere
// the portable default does.
#[cfg(not(target_arch = "x86_64"))]
impl CodeUnit for u16 {}
#[cfg(not(target_arch = "x86_64"))]
impl CodeUnit for u32 {}

#[cfg(target_arch = "x86_64")]
impl CodeUnit for u16 {
    fn narrow_ascii(run: &[u16]) -> Option<[u8; 16]> {
        use std::arch::x86_64::{__m128i, _mm_and_si128, _mm_cmpeq_epi16, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_packus_epi16, _mm_set1_epi16, _mm_setzero_si128, _mm_storeu_si128};
        assert!(run.len() == 16);
        let p = run.as_ptr().cast::<__m128i>();
        let mut bytes = [0u8; 16];
        // SAFETY: SSE2 is part of x86-64; the loads read the 32 bytes of `run`, the store writes
        // the 16 of `bytes` (unaligned access allowed). The pack saturates, but it is kept only
        // when every unit is below 0x80, where it is exact.
        let ascii = unsafe {
            let (a, b) = (_mm_loadu_si128(p), _mm_loadu_si128(p.add(1)));
            let high = _mm_and_si128(_mm_or_si128(a, b), _mm_set1_epi16(0xff80_u16 as i16));
            _mm_storeu_si128(bytes.as_mut_ptr().cast::<__m128i>(), _mm_packus_epi16(a, b));
            _mm_movemask_epi8(_mm_cmpeq_epi16(high, _mm_setzero_si128())) == 0xffff
        };
        ascii.then_some(bytes)
    }
}

#[cfg(target_arch = "x86_64")]
impl CodeUnit for u32 {
    fn narrow_ascii(run: &[u32]) -> Option<[u8; 16]> {
        use std::arch::x86_64::{__m128i, _mm_and_si128, _mm_cmpeq_epi32, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_packs_epi32, _mm_packus_epi16, _mm_set1_epi32, _mm_setzero_si128, _mm_storeu_si128};
        assert!(run.len() == 16);
        let p = run.as_ptr().cast::<__m128i>();
        let mut bytes = [0u8; 16];
        // SAFETY: SSE2 is part of x86-64; the loads read the 64 bytes of `run`, the store writes
        // the 16 of `bytes` (unaligned access allowed). The packs saturate (and take values of
        // 2³¹ and above as negative), but they are kept only when every unit is below 0x80,
        // where they are exact.
        let ascii = unsafe {
            let (a, b, c, d) = (_mm_loadu_si128(p), _mm_loadu_si128(p.add(1)), _mm_loadu_si128(p.add(2)), _mm_loadu_si128(p.add(3)));
            let high = _mm_and_si128(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)), _mm_set1_epi32(!0x7f));
            _mm_storeu_si128(bytes.as_mut_ptr().cast::<__m128i>(), _mm_packus_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d)));
            _mm_movemask_epi8(_mm_cmpeq_epi32(high, _mm_setzero_si128())) == 0xffff
        };
        ascii.then_some(bytes)
    }
}

fn push_units<T: CodeUnit>(units: &[T], out: &mut Vec<u8>) -> Option<()> {
    let mut buf = [0u8; 4];
    for &c in units {
        let c: u32 = c.into();
        if c < 0x80 {
            out.push(c as u8);
        } else {
            out.extend_from_slice(char::from_u32(c)?.encode_utf8(&mut buf).as_bytes());
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Texts of every width, with non-ASCII characters at every place of a run of sixteen.
    fn samples() -> Vec<String> {
        let mut out = vec![String::new(), "a".into(), "plain ASCII text that is longer than sixteen".into()];
        for wide in ['é', 'ÿ', '\u{80}', '—', '“', '\u{ffff}', '😀', '\u{10ffff}'] {
            for at in 0..40 {
                let mut s: String = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ".chars().take(at).collect();
                s.push(wide);
                s.push_str(" and after it, enough ASCII to fill some runs");
                out.push(s);
            }
        }
        out
    }

    #[test]
    fn every_width_gives_the_text_back() {
        for s in samples() {
            let max = s.chars().map(u32::from).max().unwrap_or(0);
            assert_eq!(to_utf8(&s.chars().map(u32::from).collect::<Vec<u32>>()).as_deref(), Some(s.as_str()));
            if max <= 0xffff {
                let units: Vec<u16> = s.chars().map(|c| u16::try_from(u32::from(c)).unwrap()).collect();
                assert_eq!(to_utf8(&units).as_deref(), Some(s.as_str()));
            }
            if max <= 0xff {
                let units: Vec<u8> = s.chars().map(|c| u8::try_from(u32::from(c)).unwrap()).collect();
                assert_eq!(to_utf8(&units).as_deref(), Some(s.as_str()));
            }
        }
    }

    #[test]
    fn surrogates_and_too_large_values_are_refused() {
        for at in [0, 5, 15, 16, 17, 31, 40] {
            for bad in [0xd800u32, 0xdbff, 0xdc00, 0xdfff] {
                let mut units: Vec<u16> = vec![u16::from(b'x'); 41];
                units[at] = u16::try_from(bad).unwrap();
                assert_eq!(to_utf8(&units), None, "u16 {bad:#x} at {at}");
                let mut units: Vec<u32> = vec![u32::from(b'x'); 41];
                units[at] = bad;
                assert_eq!(to_utf8(&units), None, "u32 {bad:#x} at {at}");
            }
            for bad in [0x11_0000u32, 0x7fff_ffff, 0x8000_0000, 0xffff_ff80, u32::MAX] {
                let mut units: Vec<u32> = vec![u32::from(b'x'); 41];
                units[at] = bad;
                assert_eq!(to_utf8(&units), None, "u32 {bad:#x} at {at}");
            }
        }
    }

    #[test]
    fn simd_and_portable_narrowing_agree() {
        for bad in [0x80u32, 0x7fff_ffff, 0x8000_0000, 0xffff_ff80, u32::MAX] {
            for at in 0..16 {
                let mut run = [u32::from(b'a'); 16];
                run[at] = bad;
                assert_eq!(u32::narrow_ascii(&run), None, "{bad:#x} at {at}");
                assert_eq!(narrow_portable(&run), None);
            }
        }
        for s in samples() {
            let units: Vec<u32> = s.chars().map(u32::from).collect();
            for run in units.chunks_exact(16) {
                assert_eq!(u32::narrow_ascii(run), narrow_portable(run));
                if let Ok(narrow) = run.iter().map(|&c| u16::try_from(c)).collect::<Result<Vec<u16>, _>>() {
                    assert_eq!(u16::narrow_ascii(&narrow), narrow_portable(&narrow));
                }
            }
        }
    }

    #[test]
    fn pushing_appends_and_stops_at_a_surrogate() {
        let mut out = String::from("kept ");
        assert!(push_utf8(&mut out, &[0x61u16, 0xe9]));
        assert_eq!(out, "kept aé");
        let units: Vec<u16> = "abcdefghijklmnopqrstuvwxyzé".encode_utf16().chain([0xdc00, 0x62]).collect();
        assert!(!push_utf8(&mut out, &units));
        assert!(out.starts_with("kept aé"), "{out}");
        assert!(std::str::from_utf8(out.as_bytes()).is_ok());
    }

    proptest! {
        #[test]
        fn any_text_round_trips(s in "\\PC{0,80}") {
            let units: Vec<u32> = s.chars().map(u32::from).collect();
            prop_assert_eq!(to_utf8(&units), Some(s.clone()));
            if let Ok(units) = s.chars().map(|c| u16::try_from(u32::from(c))).collect::<Result<Vec<u16>, _>>() {
                prop_assert_eq!(to_utf8(&units), Some(s));
            }
        }
    }
}
