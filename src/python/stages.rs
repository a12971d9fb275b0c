//! Binding of `crate::dedup::stages`: the dedup stages that `newsclean.dask` runs on the
//! partitions of a corpus. Private (`_dedup_*`): their arrays are the stages' plumbing.

use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::dedup::{options, Batch};
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
    let s = Batch::collect(texts)?.with_all(py, threads, |texts| stages::signatures(texts, &opts, entries, threads))?;
    let out = PyDict::new(py);
    out.set_item("exact", PyArray1::from_vec(py, s.exact))?;
    out.set_item("chars", PyArray1::from_vec(py, s.chars))?;
    out.set_item("len", PyArray1::from_vec(py, s.len))?;
    out.set_item("doc", PyArray1::from_vec(py, s.doc.into_iter().map(i64::from).collect()))?;
    out.set_item("bucket", PyArray1::from_vec(py, s.bucket))?;
    out.set_item("top", PyArray1::from_vec(py, s.top))?;
    Ok(out)
}

/// Stage 3: pairs `(a, b, level)` of whole buckets of band entries (`level`: the suffix level
/// of the band that found the pair, or -1).
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
) -> PyResult<(Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i8>>)> {
    let opts = options(threshold, num_perm, ngram, unit, containment, seed)?;
    let doc = positions(&doc, "doc")?;
    // `as_array` reads strided arrays too (a column of a pandas block need not be contiguous).
    let (bucket, top, exact) = (bucket.as_array().to_vec(), top.as_array().to_vec(), exact.as_array().to_vec());
    let c = py.detach(|| stages::bucket_candidates(&opts, &bucket, &doc, &top, &exact)).map_err(to_pyerr)?;
    let to_i64 = |v: Vec<u64>| v.into_iter().map(|x| x as i64).collect();
    Ok((PyArray1::from_vec(py, to_i64(c.a)), PyArray1::from_vec(py, to_i64(c.b)), PyArray1::from_vec(py, c.level)))
}

/// Global positions from a numpy column, refusing negative ones.
fn positions(col: &PyReadonlyArray1<'_, i64>, name: &str) -> PyResult<Vec<u64>> {
    col.as_array()
        .iter()
        .map(|&d| u64::try_from(d).map_err(|_| PyValueError::new_err(format!("{name} positions must be 0 or more, got {d}"))))
        .collect()
}

/// Stage 4: the unique candidate pairs `(a, b)` of stage 3's rows (every row of a pair in the
/// call): suffix pairs only where all but one of their level's bands found them.
#[pyfunction]
#[pyo3(signature = (a, b, level, *, threshold = 0.8, num_perm = 128, ngram = None, unit = "word", containment = true, seed = 0))]
#[allow(clippy::too_many_arguments)]
fn _dedup_unique<'py>(
    py: Python<'py>,
    a: PyReadonlyArray1<'py, i64>,
    b: PyReadonlyArray1<'py, i64>,
    level: PyReadonlyArray1<'py, i8>,
    threshold: f64,
    num_perm: usize,
    ngram: Option<usize>,
    unit: &str,
    containment: bool,
    seed: u64,
) -> PyResult<(Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>)> {
    let opts = options(threshold, num_perm, ngram, unit, containment, seed)?;
    let (a, b, level) = (positions(&a, "a")?, positions(&b, "b")?, level.as_array().to_vec());
    let pairs = py.detach(|| stages::unique_candidates(&opts, &a, &b, &level)).map_err(to_pyerr)?;
    let a = pairs.iter().map(|p| p.0 as i64).collect();
    let b = pairs.iter().map(|p| p.1 as i64).collect();
    Ok((PyArray1::from_vec(py, a), PyArray1::from_vec(py, b)))
}

/// Stage 5: verifies pairs of texts: `similarity` (f32) and `kind` (0 not linked, 1 near,
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
    let (a, b) = (Batch::collect(a)?, Batch::collect(b)?);
    if a.len() != b.len() {
        return Err(PyValueError::new_err(format!("a has {} texts but b has {}", a.len(), b.len())));
    }
    let res = a.with_all(py, threads, |ta| {
        let ta: Vec<Option<String>> = ta.iter().map(|t| t.map(str::to_owned)).collect();
        Ok(ta)
    })?;
    let res = b.with_all(py, threads, |tb| {
        let pairs: Vec<(&str, &str)> = res.iter().zip(tb).map(|(x, y)| (x.as_deref().unwrap_or(""), y.unwrap_or(""))).collect();
        stages::verify_pairs(&opts, &pairs, threads)
    })?;
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
    m.add_function(wrap_pyfunction!(_dedup_unique, m)?)?;
    m.add_function(wrap_pyfunction!(_dedup_verify, m)?)?;
    Ok(())
}
