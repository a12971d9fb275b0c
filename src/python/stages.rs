//! Binding of `crate::dedup::stages`: the dedup stages that `newsclean.dask` runs on the
//! partitions of a corpus. Private (`_dedup_*`): their arrays are the stages' plumbing.

use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::dedup::{borrow_batch, options};
use super::{extract_threads, to_pyerr};
use crate::dedup::stages;
use crate::dedup::LinkKind;

/// Stage 1: per text `exact`, `chars`, `len`; per band entry `doc` (position in the batch),
/// `bucket`, `top` (the entries only with `entries=True`).
#[pyfunction]
#[pyo3(signature = (texts, *, threshold = 0.8, num_perm = 128, ngram = None, unit = "word", containment = true, seed = 0, entries = true, num_threads = None))]
#[allow(clippy::too_many_arguments)]
fn _dedup_signatures<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    threshold: f64,
    num_perm: usize,
    ngram: Option<usize>,
    unit: &str,
    containment: bool,
    seed: u64,
    entries: bool,
    num_threads: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let opts = options(threshold, num_perm, ngram, unit, containment, seed)?;
    let threads = extract_threads(num_threads)?;
    let (_held, raw) = borrow_batch(texts)?;
    let s = py.detach(|| stages::signatures(&raw.texts(), &opts, entries, threads)).map_err(to_pyerr)?;
    let out = PyDict::new(py);
    out.set_item("exact", PyArray1::from_vec(py, s.exact))?;
    out.set_item("chars", PyArray1::from_vec(py, s.chars))?;
    out.set_item("len", PyArray1::from_vec(py, s.len))?;
    out.set_item("doc", PyArray1::from_vec(py, s.doc.into_iter().map(i64::from).collect()))?;
    out.set_item("bucket", PyArray1::from_vec(py, s.bucket))?;
    out.set_item("top", PyArray1::from_vec(py, s.top))?;
    Ok(out)
}

/// Stage 3: candidate pairs `(a, b)` of whole buckets of band entries.
#[pyfunction]
#[pyo3(signature = (bucket, doc, top, exact, *, threshold = 0.8, num_perm = 128, ngram = None, unit = "word", containment = true, seed = 0))]
#[allow(clippy::too_many_arguments)]
fn _dedup_candidates<'py>(
    py: Python<'py>,
    bucket: PyReadonlyArray1<'py, u64>,
    doc: PyReadonlyArray1<'py, i64>,
    top: PyReadonlyArray1<'py, bool>,
    exact: PyReadonlyArray1<'py, u64>,
    threshold: f64,
    num_perm: usize,
    ngram: Option<usize>,
    unit: &str,
    containment: bool,
    seed: u64,
) -> PyResult<(Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>)> {
    let opts = options(threshold, num_perm, ngram, unit, containment, seed)?;
    // `as_array` reads strided arrays too (a column of a pandas block need not be contiguous).
    let doc: Vec<u64> = doc
        .as_array()
        .iter()
        .map(|&d| u64::try_from(d).map_err(|_| PyValueError::new_err(format!("doc positions must be 0 or more, got {d}"))))
        .collect::<PyResult<_>>()?;
    let (bucket, top, exact) = (bucket.as_array().to_vec(), top.as_array().to_vec(), exact.as_array().to_vec());
    let pairs = py.detach(|| stages::bucket_candidates(&opts, &bucket, &doc, &top, &exact)).map_err(to_pyerr)?;
    let a = pairs.iter().map(|p| p.0 as i64).collect();
    let b = pairs.iter().map(|p| p.1 as i64).collect();
    Ok((PyArray1::from_vec(py, a), PyArray1::from_vec(py, b)))
}

/// Stage 4: verifies pairs of texts: `similarity` (f32) and `kind` (0 not linked, 1 near,
/// 2 contained) per pair.
#[pyfunction]
#[pyo3(signature = (a, b, *, threshold = 0.8, num_perm = 128, ngram = None, unit = "word", containment = true, seed = 0, num_threads = None))]
#[allow(clippy::too_many_arguments)]
fn _dedup_verify<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    threshold: f64,
    num_perm: usize,
    ngram: Option<usize>,
    unit: &str,
    containment: bool,
    seed: u64,
    num_threads: Option<&Bound<'py, PyAny>>,
) -> PyResult<(Bound<'py, PyArray1<f32>>, Bound<'py, PyArray1<i8>>)> {
    let opts = options(threshold, num_perm, ngram, unit, containment, seed)?;
    let threads = extract_threads(num_threads)?;
    let (_ha, ra) = borrow_batch(a)?;
    let (_hb, rb) = borrow_batch(b)?;
    let (ta, tb) = (ra.texts(), rb.texts());
    if ta.len() != tb.len() {
        return Err(PyValueError::new_err(format!("a has {} texts but b has {}", ta.len(), tb.len())));
    }
    let pairs: Vec<(&str, &str)> = ta.into_iter().zip(tb).map(|(x, y)| (x.unwrap_or(""), y.unwrap_or(""))).collect();
    let res = py.detach(|| stages::verify_pairs(&opts, &pairs, threads)).map_err(to_pyerr)?;
    let sim = res.iter().map(|r| r.map_or(0.0, |r| r.0)).collect();
    let kind = res
        .iter()
        .map(|r| match r.map(|r| r.1) {
            None | Some(LinkKind::Exact) => 0,
            Some(LinkKind::Near) => 1,
            Some(LinkKind::Contained) => 2,
        })
        .collect();
    Ok((PyArray1::from_vec(py, sim), PyArray1::from_vec(py, kind)))
}

/// Adds the stage functions to the extension module.
pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_dedup_signatures, m)?)?;
    m.add_function(wrap_pyfunction!(_dedup_candidates, m)?)?;
    m.add_function(wrap_pyfunction!(_dedup_verify, m)?)?;
    Ok(())
}
