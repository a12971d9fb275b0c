//! Binding of `crate::dedup`: `dedup`, `minhash`, `dedup_lines`, `DedupIndex` and the result
//! classes. Arrays are numpy arrays (numpy is imported on first use, by these functions only).

use std::path::PathBuf;
use std::sync::Mutex;

use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use super::{extract_batch, extract_text, extract_threads, to_pyerr};

/// A batch of texts borrowed from Python without copying: the UTF-8 buffers that CPython keeps
/// inside each `str` (read-only, alive as long as the `str`, which `_keep` holds).
pub(super) struct Borrowed<'py> {
    _keep: Vec<Bound<'py, PyAny>>,
    /// Or the Arrow arrays the texts were read from.
    _arrow: Option<super::arrow::ArrowTexts>,
}

/// The borrowed texts as plain pointers, so they can cross into the GIL-free work.
pub(super) struct RawTexts(Vec<Option<(usize, usize)>>);

impl RawTexts {
    /// The texts as `&str`.
    pub(super) fn texts(&self) -> Vec<Option<&str>> {
        self.0
            .iter()
            .map(|t| {
                t.map(|(p, n)| {
                    // SAFETY: (p, n) is the UTF-8 buffer of a live, immutable `str`, or a value
                    // of an Arrow array checked to be UTF-8 (held by `Borrowed` for the whole
                    // call); CPython guarantees a `str`'s buffer is valid UTF-8.
                    unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(p as *const u8, n)) }
                })
            })
            .collect()
    }
}

/// Like `extract_batch`, but `str` items are borrowed, not copied (half the memory, no copy);
/// so are the values of an Arrow array.
pub(super) fn borrow_batch<'py>(texts: &Bound<'py, PyAny>) -> PyResult<(Borrowed<'py>, RawTexts)> {
    if texts.is_instance_of::<PyString>() || texts.is_instance_of::<pyo3::types::PyBytes>() {
        // The same message as the other batch functions.
        extract_batch(texts)?;
    }
    if let Some(a) = super::arrow::arrow_texts(texts)? {
        let raw = RawTexts(a.raw.clone());
        return Ok((Borrowed { _keep: Vec::new(), _arrow: Some(a) }, raw));
    }
    let Ok(iter) = texts.try_iter() else {
        // Not iterable: the shared conversion raises the documented TypeError.
        extract_batch(texts)?;
        return Err(PyTypeError::new_err("texts must be an iterable of str"));
    };
    let mut keep = Vec::with_capacity(texts.len().unwrap_or(0));
    let mut raw = Vec::with_capacity(keep.capacity());
    for (i, item) in iter.enumerate() {
        let item = item?;
        if item.is_instance_of::<PyString>() {
            let mut size: pyo3::ffi::Py_ssize_t = 0;
            // SAFETY: `item` is a live `str` and we hold the GIL.
            let ptr = unsafe { pyo3::ffi::PyUnicode_AsUTF8AndSize(item.as_ptr(), &mut size) };
            if ptr.is_null() {
                // A lone surrogate: the shared conversion gives the documented error.
                let err = PyErr::fetch(texts.py());
                extract_text(&item, Some(i))?;
                return Err(err);
            }
            raw.push(Some((ptr as usize, usize::try_from(size).unwrap_or(0))));
        } else {
            // None, NaN and friends are empty; anything else raises TypeError naming the index.
            extract_text(&item, Some(i))?;
            raw.push(None);
        }
        keep.push(item);
    }
    Ok((Borrowed { _keep: keep, _arrow: None }, RawTexts(raw)))
}
use crate::dedup::{self as core, shingle::Unit, Keep, Options};

/// `keep`: "longest", "first", or one priority value per text.
enum KeepArg {
    Longest,
    First,
    Priority(Vec<f64>),
}

impl KeepArg {
    fn extract(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(s) = obj.cast::<PyString>() {
            return match s.to_str()? {
                "longest" => Ok(Self::Longest),
                "first" => Ok(Self::First),
                other => Err(PyValueError::new_err(format!("keep must be \"longest\", \"first\" or a sequence of priorities, not {other:?}"))),
            };
        }
        let iter = obj.try_iter().map_err(|_| PyTypeError::new_err("keep must be \"longest\", \"first\" or a sequence of numbers (one priority per text)"))?;
        let mut out = Vec::new();
        for (i, item) in iter.enumerate() {
            let item = item?;
            out.push(item.extract::<f64>().map_err(|_| PyTypeError::new_err(format!("keep[{i}] must be a number")))?);
        }
        Ok(Self::Priority(out))
    }

    fn as_keep(&self) -> Keep<'_> {
        match self {
            Self::Longest => Keep::Longest,
            Self::First => Keep::First,
            Self::Priority(p) => Keep::Priority(p),
        }
    }
}

fn extract_unit(unit: &str) -> PyResult<Unit> {
    match unit {
        "word" => Ok(Unit::Word),
        "char" => Ok(Unit::Char),
        other => Err(PyValueError::new_err(format!("unit must be \"word\" or \"char\", not {other:?}"))),
    }
}

pub(super) fn options(threshold: f64, num_perm: usize, ngram: Option<usize>, unit: &str, containment: bool, seed: u64) -> PyResult<Options> {
    let unit = extract_unit(unit)?;
    let ngram = ngram.unwrap_or(5);
    let opts = Options { threshold, num_perm, ngram, unit, seed, containment };
    opts.validate().map_err(to_pyerr)?;
    Ok(opts)
}

/// The result of a deduplication: one entry per input text.
#[pyclass(frozen, module = "newsclean", name = "DedupResult")]
struct PyDedupResult {
    #[pyo3(get)]
    cluster: Py<PyArray1<i64>>,
    #[pyo3(get)]
    keep: Py<PyArray1<bool>>,
    #[pyo3(get)]
    similarity: Py<PyArray1<f32>>,
    #[pyo3(get)]
    cluster_ids: Option<Vec<String>>,
    links: Vec<core::Link>,
    n: usize,
}

impl PyDedupResult {
    fn new(py: Python<'_>, res: core::Dedup, cluster_ids: Option<Vec<String>>) -> Self {
        let n = res.cluster.len();
        let cluster: Vec<i64> = res.cluster.iter().map(|&c| c as i64).collect();
        Self {
            cluster: PyArray1::from_vec(py, cluster).unbind(),
            keep: PyArray1::from_vec(py, res.keep).unbind(),
            similarity: PyArray1::from_vec(py, res.similarity).unbind(),
            cluster_ids,
            links: res.links,
            n,
        }
    }
}

#[pymethods]
impl PyDedupResult {
    /// Every link that built the clusters: `(i, j, similarity, kind)` with `i < j`.
    fn pairs<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyTuple>>> {
        self.links
            .iter()
            .map(|l| (l.a, l.b, f64::from(l.similarity), l.kind.as_str()).into_pyobject(py))
            .collect()
    }

    fn __len__(&self) -> usize {
        self.n
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let kept = self.keep.bind(py).to_vec()?.iter().filter(|&&k| k).count();
        Ok(format!("DedupResult(texts={}, kept={}, links={})", self.n, kept, self.links.len()))
    }
}

/// Repeated lines across a corpus.
#[pyclass(frozen, module = "newsclean", name = "LineDups")]
struct PyLineDups {
    #[pyo3(get)]
    doc: Py<PyArray1<i64>>,
    #[pyo3(get)]
    line: Py<PyArray1<i64>>,
    #[pyo3(get)]
    first_doc: Py<PyArray1<i64>>,
    #[pyo3(get)]
    first_line: Py<PyArray1<i64>>,
    n: usize,
}

#[pymethods]
impl PyLineDups {
    fn __len__(&self) -> usize {
        self.n
    }

    fn __repr__(&self) -> String {
        format!("LineDups(repeats={})", self.n)
    }
}

#[pyfunction]
#[pyo3(signature = (texts, *, threshold = 0.8, num_perm = 128, ngram = None, unit = "word", keep = None, containment = true, seed = 0, num_threads = None))]
#[allow(clippy::too_many_arguments)]
fn dedup(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    threshold: f64,
    num_perm: usize,
    ngram: Option<usize>,
    unit: &str,
    keep: Option<&Bound<'_, PyAny>>,
    containment: bool,
    seed: u64,
    num_threads: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyDedupResult> {
    let opts = options(threshold, num_perm, ngram, unit, containment, seed)?;
    let keep = keep.map_or(Ok(KeepArg::Longest), KeepArg::extract)?;
    let threads = extract_threads(num_threads)?;
    let (_held, raw) = borrow_batch(texts)?;
    let res = py.detach(|| core::dedup(&raw.texts(), &opts, &keep.as_keep(), threads)).map_err(to_pyerr)?;
    Ok(PyDedupResult::new(py, res, None))
}

#[pyfunction]
#[pyo3(signature = (texts, *, num_perm = 128, seed = 0, ngram = None, unit = "word", num_threads = None))]
fn minhash<'py>(
    py: Python<'py>,
    texts: &Bound<'_, PyAny>,
    num_perm: usize,
    seed: u64,
    ngram: Option<usize>,
    unit: &str,
    num_threads: Option<&Bound<'_, PyAny>>,
) -> PyResult<Bound<'py, PyArray2<u32>>> {
    let opts = options(0.8, num_perm, ngram, unit, false, seed)?;
    let threads = extract_threads(num_threads)?;
    let (_held, raw) = borrow_batch(texts)?;
    let n = raw.0.len();
    let flat = py.detach(|| core::minhash(&raw.texts(), &opts, threads)).map_err(to_pyerr)?;
    PyArray1::from_vec(py, flat).reshape([n, num_perm])
}

#[pyfunction]
#[pyo3(signature = (texts, *, min_words = 4, num_threads = None))]
fn dedup_lines(py: Python<'_>, texts: &Bound<'_, PyAny>, min_words: usize, num_threads: Option<&Bound<'_, PyAny>>) -> PyResult<PyLineDups> {
    let threads = extract_threads(num_threads)?;
    let (_held, raw) = borrow_batch(texts)?;
    let dups = py.detach(|| core::repeated_lines(&raw.texts(), min_words, threads)).map_err(to_pyerr)?;
    let col = |f: fn(&core::LineDup) -> usize| PyArray1::from_vec(py, dups.iter().map(|d| f(d) as i64).collect()).unbind();
    Ok(PyLineDups { doc: col(|d| d.doc), line: col(|d| d.line), first_doc: col(|d| d.first_doc), first_line: col(|d| d.first_line), n: dups.len() })
}

/// An incremental deduplication index.
#[pyclass(frozen, module = "newsclean", name = "DedupIndex")]
struct PyDedupIndex {
    inner: Mutex<core::DedupIndex>,
}

fn extract_ids(obj: Option<&Bound<'_, PyAny>>, n: usize) -> PyResult<Option<Vec<String>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(None) };
    if obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err("ids must be a sequence (one id per text), not a single str"));
    }
    let mut out = Vec::with_capacity(n);
    for item in obj.try_iter()? {
        let item = item?;
        out.push(match item.cast::<PyString>() {
            Ok(s) => s.to_str()?.to_owned(),
            Err(_) => item.str()?.to_str()?.to_owned(),
        });
    }
    if out.len() != n {
        return Err(PyValueError::new_err(format!("ids has {} items for {n} texts", out.len())));
    }
    Ok(Some(out))
}

#[pymethods]
impl PyDedupIndex {
    #[new]
    #[pyo3(signature = (threshold = 0.8, *, num_perm = 128, ngram = None, unit = "word", containment = true, seed = 0))]
    fn new(threshold: f64, num_perm: usize, ngram: Option<usize>, unit: &str, containment: bool, seed: u64) -> PyResult<Self> {
        let opts = options(threshold, num_perm, ngram, unit, containment, seed)?;
        Ok(Self { inner: Mutex::new(core::DedupIndex::new(opts).map_err(to_pyerr)?) })
    }

    #[pyo3(signature = (texts, ids = None, *, keep = None, num_threads = None))]
    fn add(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        ids: Option<&Bound<'_, PyAny>>,
        keep: Option<&Bound<'_, PyAny>>,
        num_threads: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyDedupResult> {
        let keep = keep.map_or(Ok(KeepArg::Longest), KeepArg::extract)?;
        let threads = extract_threads(num_threads)?;
        let (_held, raw) = borrow_batch(texts)?;
        let ids = extract_ids(ids, raw.0.len())?;
        let (res, cluster_ids) = py
            .detach(|| {
                let mut index = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                let res = index.add(&raw.texts(), ids, &keep.as_keep(), threads)?;
                let cluster_ids: Vec<String> = res.cluster.iter().map(|&c| index.ids()[c].clone()).collect();
                Ok((res, cluster_ids))
            })
            .map_err(to_pyerr)?;
        Ok(PyDedupResult::new(py, res, Some(cluster_ids)))
    }

    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).save(&path)).map_err(to_pyerr)
    }

    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let index = py.detach(|| core::DedupIndex::load(&path)).map_err(to_pyerr)?;
        Ok(Self { inner: Mutex::new(index) })
    }

    /// The ids of every text added, in order.
    #[getter]
    fn ids(&self) -> Vec<String> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).ids().to_vec()
    }

    #[getter]
    fn threshold(&self) -> f64 {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).options().threshold
    }

    fn __len__(&self) -> usize {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len()
    }

    fn __repr__(&self) -> String {
        let index = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        format!("DedupIndex(threshold={}, texts={})", index.options().threshold, index.len())
    }
}

/// Adds the dedup functions and classes to the extension module.
pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDedupResult>()?;
    m.add_class::<PyLineDups>()?;
    m.add_class::<PyDedupIndex>()?;
    m.add_function(wrap_pyfunction!(dedup, m)?)?;
    m.add_function(wrap_pyfunction!(minhash, m)?)?;
    m.add_function(wrap_pyfunction!(dedup_lines, m)?)?;
    Ok(())
}
