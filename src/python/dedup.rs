//! Binding of `crate::dedup`: `dedup`, `minhash`, `dedup_lines`, `DedupIndex`, `DedupStream`
//! and the result classes. Arrays are numpy arrays (numpy is imported on first use, by these
//! functions only).

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use numpy::{PyArray1, PyArray2, PyArrayMethods};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

use super::{extract_batch, extract_text, extract_threads, to_pyerr};
use crate::codepoints::push_utf8;

/// A batch of texts held as the caller's Python objects (`None` for a missing text). CPython
/// keeps a `str` as Latin-1, UCS-2 or UCS-4 code units (PEP 393); asking it for UTF-8 would
/// cache a UTF-8 copy inside every non-ASCII `str` for the rest of its life, as much memory
/// again as the text. So the code units are read where CPython keeps them (the `str` objects
/// are immutable and held here), and the worker threads turn them into UTF-8 without the GIL:
/// for step 1 text by text as they shingle them ([`Strs`]), for the other steps a chunk at a
/// time; an ASCII `str` is UTF-8 already and is read in place.
///
/// Arrow input (see `super::arrow`) is already UTF-8: its values are borrowed from the arrays,
/// with nothing to copy.
pub(super) struct Batch<'py> {
    items: Vec<Option<Bound<'py, PyString>>>,
    raw: Vec<Option<Raw>>,
    arrow: Option<super::arrow::ArrowTexts>,
}

/// A chunk is filled until it holds this many characters, or this many texts.
const CHUNK_CHARS: usize = 1 << 20;
const CHUNK_TEXTS: usize = 2048;

/// Where CPython keeps a `str`'s code units: plain numbers, so they can cross into the work
/// done without the GIL (the `str` they belong to is held by the [`Batch`]).
#[derive(Clone, Copy, Debug)]
struct Raw {
    data: usize,
    /// The number of code points (characters).
    len: usize,
    /// 0: ASCII (one byte a code point, UTF-8 already); 1, 2, 4: bytes a code point.
    kind: u8,
}

impl Raw {
    /// Reads the representation of `s` (readying a legacy `str` of Python < 3.12 first).
    fn of(s: &Bound<'_, PyString>) -> PyResult<Self> {
        let p = s.as_ptr();
        // SAFETY: `p` is a live `str` and we hold the GIL. `PyUnicode_GetLength` readies a
        // legacy `str` (Python < 3.12), after which its kind and data are those of PEP 393.
        unsafe {
            let len = usize::try_from(pyo3::ffi::PyUnicode_GetLength(p)).map_err(|_| PyErr::fetch(s.py()))?;
            let kind = match pyo3::ffi::PyUnicode_KIND(p) {
                _ if pyo3::ffi::PyUnicode_IS_ASCII(p) != 0 => 0,
                pyo3::ffi::PyUnicode_1BYTE_KIND => 1,
                pyo3::ffi::PyUnicode_2BYTE_KIND => 2,
                pyo3::ffi::PyUnicode_4BYTE_KIND => 4,
                other => return Err(PyRuntimeError::new_err(format!("a str of an unknown kind {other}"))),
            };
            Ok(Self { data: pyo3::ffi::PyUnicode_DATA(p) as usize, len, kind })
        }
    }

    /// The text of an ASCII (or empty) `str`: its own data.
    ///
    /// # Safety
    /// `self.kind == 0 || self.len == 0`, and the `str` this was read from must be alive while
    /// the text is used.
    unsafe fn ascii<'a>(self) -> &'a str {
        // SAFETY: `data` holds the `len` bytes of an ASCII `str`, which is UTF-8, and which
        // stays as it is while the `str` lives (the caller's contract).
        unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(self.data as *const u8, self.len)) }
    }

    /// The text as UTF-8: borrowed when it is ASCII, else made in `buf`; `None` when it holds
    /// a lone surrogate (a `str` may; UTF-8 has no form for one).
    ///
    /// # Safety
    /// The `str` this was read from must be alive while the text is used.
    unsafe fn read(self, buf: &mut String) -> Option<&str> {
        if self.kind == 0 || self.len == 0 {
            // SAFETY: checked just above; the caller's contract.
            return Some(unsafe { self.ascii() });
        }
        buf.clear();
        // SAFETY: `data` holds `len` code units of `kind` bytes, suitably aligned (CPython
        // aligns a `str`'s data for its kind), which stay as they are while the `str` lives.
        let done = unsafe {
            match self.kind {
                1 => push_utf8(buf, std::slice::from_raw_parts(self.data as *const u8, self.len)),
                2 => push_utf8(buf, std::slice::from_raw_parts(self.data as *const u16, self.len)),
                _ => push_utf8(buf, std::slice::from_raw_parts(self.data as *const u32, self.len)),
            }
        };
        done.then_some(buf.as_str())
    }

    /// [`Raw::read`] into a text of its own (borrowed when it is ASCII).
    ///
    /// # Safety
    /// As [`Raw::read`].
    unsafe fn utf8<'a>(self) -> Option<Cow<'a, str>> {
        if self.kind == 0 || self.len == 0 {
            // SAFETY: checked just above; the caller's contract.
            return Some(Cow::Borrowed(unsafe { self.ascii() }));
        }
        let mut buf = String::new();
        // SAFETY: the caller's contract.
        unsafe { self.read(&mut buf) }?;
        Some(Cow::Owned(buf))
    }
}

/// Texts made UTF-8, or the position of one that could not be.
type Utf8Texts<'a> = Result<Vec<Option<Cow<'a, str>>>, usize>;

/// The texts at `positions` of a batch's `raw` as UTF-8, made on the worker threads (an ASCII
/// one borrowed); `Err(position)` names the first, in order, that holds a lone surrogate.
///
/// # Safety
/// The `str`s that `raw` was read from must be alive while the texts are used.
unsafe fn utf8_of<'a>(raw: &[Option<Raw>], positions: &[usize], threads: Option<usize>) -> Result<Utf8Texts<'a>, crate::error::Error> {
    // SAFETY: the caller's contract.
    let converted = crate::parallel::map(positions, threads, |&i| raw[i].map(|r| unsafe { r.utf8() }.ok_or(i)).transpose())?;
    Ok(converted.into_iter().collect())
}

/// The `str` items of a batch as a [`core::Source`], read into UTF-8 by the worker threads.
struct Strs<'a> {
    raw: &'a [Option<Raw>],
}

impl core::Source for Strs<'_> {
    fn len(&self) -> usize {
        self.raw.len()
    }

    fn read<R>(&self, k: usize, buf: &mut String, f: impl FnOnce(Option<&str>, Option<u64>) -> R) -> Option<R> {
        match self.raw[k] {
            None => Some(f(None, None)),
            // SAFETY: the `str`s are held by the batch `self.raw` was read from, which outlives
            // this source. A `str`'s length in code points is its length in characters.
            Some(r) => unsafe { r.read(buf) }.map(|t| f(Some(t), Some(r.len as u64))),
        }
    }
}

impl<'py> Batch<'py> {
    /// Takes the items of `texts` (any iterable; a single `str` or `bytes` is refused), checking
    /// each: `str` is kept, None and NaN-likes are missing, anything else raises TypeError
    /// naming its index.
    pub(super) fn collect(texts: &Bound<'py, PyAny>) -> PyResult<Self> {
        if texts.is_instance_of::<PyString>() || texts.is_instance_of::<PyBytes>() {
            // The same message as the other batch functions.
            extract_batch(texts)?;
        }
        if let Some(arrow) = super::arrow::arrow_texts(texts)? {
            return Ok(Self { items: Vec::new(), raw: Vec::new(), arrow: Some(arrow) });
        }
        let Ok(iter) = texts.try_iter() else {
            // Not iterable: the shared conversion raises the documented TypeError.
            extract_batch(texts)?;
            return Err(PyTypeError::new_err("texts must be an iterable of str"));
        };
        let cap = texts.len().unwrap_or(0);
        let (mut items, mut raw) = (Vec::with_capacity(cap), Vec::with_capacity(cap));
        for (i, item) in iter.enumerate() {
            let item = item?;
            match item.cast_into::<PyString>() {
                Ok(s) => {
                    raw.push(Some(Raw::of(&s)?));
                    items.push(Some(s));
                }
                Err(e) => {
                    // None, NaN and friends are empty; anything else raises TypeError.
                    extract_text(&e.into_inner(), Some(i))?;
                    items.push(None);
                    raw.push(None);
                }
            }
        }
        Ok(Self { items, raw, arrow: None })
    }

    pub(super) fn len(&self) -> usize {
        self.arrow.as_ref().map_or(self.items.len(), |a| a.raw.len())
    }

    /// Runs `step` on the texts at positions `pos(0)`, …, `pos(count - 1)`, a chunk at a time,
    /// in order, without the GIL. A chunk of `str` items is turned into UTF-8 on the worker
    /// threads first.
    fn pipeline(
        &self,
        py: Python<'_>,
        count: usize,
        pos: impl Fn(usize) -> usize + Sync,
        threads: Option<usize>,
        mut step: impl FnMut(&[Option<&str>]) -> Result<(), crate::error::Error> + Send,
    ) -> PyResult<()> {
        if let Some(arrow) = &self.arrow {
            let all = arrow.texts();
            for start in (0..count).step_by(CHUNK_TEXTS) {
                let refs: Vec<Option<&str>> = (start..count.min(start + CHUNK_TEXTS)).map(|k| all[pos(k)]).collect();
                py.detach(|| step(&refs)).map_err(to_pyerr)?;
            }
            return Ok(());
        }
        let raw = &self.raw;
        let done = py.detach(|| -> Result<Option<usize>, crate::error::Error> {
            let mut at = 0;
            while at < count {
                let (mut picked, mut chars) = (Vec::new(), 0usize);
                while at < count && picked.len() < CHUNK_TEXTS && chars < CHUNK_CHARS {
                    let i = pos(at);
                    chars += raw[i].map_or(0, |r| r.len);
                    picked.push(i);
                    at += 1;
                }
                // SAFETY: the `str`s are held by `self.items` for as long as `self` lives.
                let texts = match unsafe { utf8_of(raw, &picked, threads) }? {
                    Ok(texts) => texts,
                    Err(bad) => return Ok(Some(bad)),
                };
                let refs: Vec<Option<&str>> = texts.iter().map(Option::as_deref).collect();
                step(&refs)?;
            }
            Ok(None)
        });
        match done {
            Ok(None) => Ok(()),
            Ok(Some(bad)) => Err(self.bad_text(bad)),
            Err(e) => Err(to_pyerr(e)),
        }
    }

    /// The error for item `bad`, which holds a lone surrogate: the shared conversion's.
    fn bad_text(&self, bad: usize) -> PyErr {
        let item = self.items[bad].as_ref().map(|s| s.as_any().clone());
        match item.map(|item| extract_text(&item, Some(bad))) {
            Some(Err(e)) => e,
            _ => PyValueError::new_err(format!("texts[{bad}] is not valid Unicode text")),
        }
    }

    /// Step 1 of `job` on every text of the batch, without the GIL, in one pass: Arrow values
    /// as they are, `str` items made UTF-8 one at a time by the worker that steps on them.
    fn prep(&self, py: Python<'_>, job: &mut core::Job, threads: Option<usize>) -> PyResult<()> {
        if let Some(arrow) = &self.arrow {
            let all = arrow.texts();
            return py.detach(|| job.prep(&all, threads)).map_err(to_pyerr);
        }
        let source = Strs { raw: &self.raw };
        match py.detach(|| job.prep_from(&source, threads)).map_err(to_pyerr)? {
            None => Ok(()),
            Some(bad) => Err(self.bad_text(bad)),
        }
    }

    /// Runs `f` once, without the GIL, on every text of the batch as UTF-8 (the distributed
    /// stages need a whole partition at once): Arrow values and ASCII `str`s are borrowed, the
    /// other `str`s made UTF-8 on the worker threads.
    pub(super) fn with_all<R: Send>(
        &self,
        py: Python<'_>,
        threads: Option<usize>,
        f: impl FnOnce(&[Option<&str>]) -> Result<R, crate::error::Error> + Send,
    ) -> PyResult<R> {
        if let Some(arrow) = &self.arrow {
            let all = arrow.texts();
            return py.detach(|| f(&all)).map_err(to_pyerr);
        }
        let raw = &self.raw;
        let positions: Vec<usize> = (0..raw.len()).collect();
        // SAFETY: the `str`s are held by `self.items` for as long as `self` lives.
        let texts = match py.detach(|| unsafe { utf8_of(raw, &positions, threads) }).map_err(to_pyerr)? {
            Ok(texts) => texts,
            Err(bad) => return Err(self.bad_text(bad)),
        };
        let refs: Vec<Option<&str>> = texts.iter().map(Option::as_deref).collect();
        py.detach(|| f(&refs)).map_err(to_pyerr)
    }

    /// [`Batch::pipeline`] over the whole batch.
    fn for_each_chunk(&self, py: Python<'_>, threads: Option<usize>, step: impl FnMut(&[Option<&str>]) -> Result<(), crate::error::Error> + Send) -> PyResult<()> {
        self.pipeline(py, self.len(), |k| k, threads, step)
    }
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
    let batch = Batch::collect(texts)?;
    let n = batch.len();
    keep.as_keep().check(n).map_err(to_pyerr)?;
    let mut job = core::Job::new(&opts, n).map_err(to_pyerr)?;
    batch.prep(py, &mut job, threads)?;
    py.detach(|| job.candidates(threads)).map_err(to_pyerr)?;
    // Only the texts in candidate pairs are read again, for their shingle sets.
    let need: Vec<u32> = job.needed().to_vec();
    batch.pipeline(py, need.len(), |k| need[k] as usize, threads, |texts| job.sets(texts, threads))?;
    let res = py.detach(|| job.finish(&keep.as_keep(), threads)).map_err(to_pyerr)?;
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
    let batch = Batch::collect(texts)?;
    let n = batch.len();
    let mut flat = Vec::with_capacity(n * num_perm);
    batch.for_each_chunk(py, threads, |texts| {
        flat.extend(core::minhash(texts, &opts, threads)?);
        Ok(())
    })?;
    PyArray1::from_vec(py, flat).reshape([n, num_perm])
}

#[pyfunction]
#[pyo3(signature = (texts, *, min_words = 4, num_threads = None))]
fn dedup_lines(py: Python<'_>, texts: &Bound<'_, PyAny>, min_words: usize, num_threads: Option<&Bound<'_, PyAny>>) -> PyResult<PyLineDups> {
    let threads = extract_threads(num_threads)?;
    let batch = Batch::collect(texts)?;
    let mut lines = core::RepeatedLines::new(min_words);
    batch.for_each_chunk(py, threads, |texts| lines.add(texts, threads))?;
    let dups = lines.finish();
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

impl PyDedupIndex {
    fn lock(&self) -> std::sync::MutexGuard<'_, core::DedupIndex> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
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
        let batch = Batch::collect(texts)?;
        let n = batch.len();
        let ids = extract_ids(ids, n)?;
        keep.as_keep().check(n).map_err(to_pyerr)?;
        // The texts are read without the index; it is locked (without the GIL) to finish.
        let mut job = py.detach(|| self.lock().job(n)).map_err(to_pyerr)?;
        batch.prep(py, &mut job, threads)?;
        let (res, cluster_ids) = py
            .detach(|| {
                let mut index = self.lock();
                let res = index.finish(job, ids, &keep.as_keep(), threads)?;
                let cluster_ids: Vec<String> = res.cluster.iter().map(|&c| index.ids()[c].clone()).collect();
                Ok((res, cluster_ids))
            })
            .map_err(to_pyerr)?;
        Ok(PyDedupResult::new(py, res, Some(cluster_ids)))
    }

    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| self.lock().save(&path)).map_err(to_pyerr)
    }

    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let index = py.detach(|| core::DedupIndex::load(&path)).map_err(to_pyerr)?;
        Ok(Self { inner: Mutex::new(index) })
    }

    /// The ids of every text added, in order.
    #[getter]
    fn ids(&self) -> Vec<String> {
        self.lock().ids().to_vec()
    }

    #[getter]
    fn threshold(&self) -> f64 {
        self.lock().options().threshold
    }

    fn __len__(&self) -> usize {
        self.lock().len()
    }

    fn __repr__(&self) -> String {
        let index = self.lock();
        format!("DedupIndex(threshold={}, texts={})", index.options().threshold, index.len())
    }
}

/// A one-off deduplication of a stream read twice (`crate::dedup::Job::open`). The job is
/// taken out of its slot for each call, so a call made while another runs (from another
/// thread) is refused instead of waiting; a call that fails leaves no job behind.
#[pyclass(frozen, module = "newsclean", name = "DedupStream")]
struct PyDedupStream {
    job: Mutex<Option<core::Job>>,
    /// Why there is no job: a call runs, the stream is finished, or a step failed.
    gone: Mutex<&'static str>,
    /// Texts given to `add`.
    texts: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl PyDedupStream {
    /// The job, taken out of its slot until [`PyDedupStream::settle`].
    fn take(&self) -> PyResult<core::Job> {
        let Some(job) = lock(&self.job).take() else {
            return Err(PyRuntimeError::new_err(format!("this DedupStream {}", *lock(&self.gone))));
        };
        *lock(&self.gone) = "is busy in another call (or a call in it panicked)";
        Ok(job)
    }

    /// Puts the job back after a call that succeeded (`Some`), or says why there is none.
    fn settle(&self, job: Option<core::Job>, ok: bool) {
        if ok && job.is_some() {
            *lock(&self.job) = job;
        } else {
            *lock(&self.gone) = if ok { "is finished; start a new one" } else { "failed in an earlier call; start a new one" };
        }
    }

    /// Runs `f` on the job and puts it back; after an error the stream is unusable. A call
    /// out of turn (`turn` says why) raises `RuntimeError` and changes nothing.
    fn with_job<R>(&self, turn: impl FnOnce(&core::Job) -> Option<String>, f: impl FnOnce(&mut core::Job) -> PyResult<R>) -> PyResult<R> {
        let mut job = self.take()?;
        if let Some(why) = turn(&job) {
            self.settle(Some(job), true);
            return Err(PyRuntimeError::new_err(why));
        }
        let out = f(&mut job);
        self.settle(Some(job), out.is_ok());
        out
    }
}

#[pymethods]
impl PyDedupStream {
    #[new]
    #[pyo3(signature = (threshold = 0.8, *, num_perm = 128, ngram = None, unit = "word", containment = true, seed = 0))]
    fn new(threshold: f64, num_perm: usize, ngram: Option<usize>, unit: &str, containment: bool, seed: u64) -> PyResult<Self> {
        let opts = options(threshold, num_perm, ngram, unit, containment, seed)?;
        let job = core::Job::open(&opts).map_err(to_pyerr)?;
        Ok(Self { job: Mutex::new(Some(job)), gone: Mutex::new(""), texts: AtomicUsize::new(0) })
    }

    /// Pass 1: the next texts of the stream.
    #[pyo3(signature = (texts, *, num_threads = None))]
    fn add(&self, py: Python<'_>, texts: &Bound<'_, PyAny>, num_threads: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let threads = extract_threads(num_threads)?;
        let batch = Batch::collect(texts)?;
        let turn = |job: &core::Job| job.has_candidates().then(|| "add() after needed(): every text of the stream comes before needed()".to_owned());
        self.with_job(turn, |job| {
            batch.prep(py, job, threads)?;
            self.texts.store(job.len(), Ordering::Relaxed);
            Ok(())
        })
    }

    /// Ends pass 1: the positions (sorted) of the texts to give again to `add_needed`.
    #[pyo3(signature = (*, num_threads = None))]
    fn needed<'py>(&self, py: Python<'py>, num_threads: Option<&Bound<'_, PyAny>>) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let threads = extract_threads(num_threads)?;
        let need = self.with_job(|_| None, |job| {
            if !job.has_candidates() {
                py.detach(|| job.candidates(threads)).map_err(to_pyerr)?;
            }
            Ok(job.needed().iter().map(|&i| i64::from(i)).collect::<Vec<i64>>())
        })?;
        Ok(PyArray1::from_vec(py, need))
    }

    /// Pass 2: the next texts at the positions `needed()` gave, in order.
    #[pyo3(signature = (texts, *, num_threads = None))]
    fn add_needed(&self, py: Python<'_>, texts: &Bound<'_, PyAny>, num_threads: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let threads = extract_threads(num_threads)?;
        let batch = Batch::collect(texts)?;
        let turn = |job: &core::Job| {
            if !job.has_candidates() {
                Some("add_needed() before needed()".to_owned())
            } else if job.sets_given() + batch.len() > job.needed().len() {
                Some(format!("{} more texts for the {} needed, {} given already", batch.len(), job.needed().len(), job.sets_given()))
            } else {
                None
            }
        };
        self.with_job(turn, |job| batch.for_each_chunk(py, threads, |texts| job.sets(texts, threads)))
    }

    /// Verifies the candidates and returns the clusters.
    #[pyo3(signature = (*, keep = None, num_threads = None))]
    fn finish(&self, py: Python<'_>, keep: Option<&Bound<'_, PyAny>>, num_threads: Option<&Bound<'_, PyAny>>) -> PyResult<PyDedupResult> {
        let keep = keep.map_or(Ok(KeepArg::Longest), KeepArg::extract)?;
        let threads = extract_threads(num_threads)?;
        keep.as_keep().check(self.__len__()).map_err(to_pyerr)?;
        let job = self.take()?;
        let problem = if !job.is_empty() && !job.has_candidates() {
            Some("finish() before needed()".to_owned())
        } else if job.sets_given() != job.needed().len() {
            Some(format!("finish() after {} of the {} needed texts", job.sets_given(), job.needed().len()))
        } else {
            None
        };
        if let Some(problem) = problem {
            self.settle(Some(job), true);
            return Err(PyRuntimeError::new_err(problem));
        }
        let res = py.detach(|| job.finish(&keep.as_keep(), threads)).map_err(to_pyerr);
        self.settle(None, res.is_ok());
        Ok(PyDedupResult::new(py, res?, None))
    }

    fn __len__(&self) -> usize {
        self.texts.load(Ordering::Relaxed)
    }

    fn __repr__(&self) -> String {
        format!("DedupStream(texts={})", self.__len__())
    }
}

/// Adds the dedup functions and classes to the extension module.
pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDedupResult>()?;
    m.add_class::<PyLineDups>()?;
    m.add_class::<PyDedupIndex>()?;
    m.add_class::<PyDedupStream>()?;
    m.add_function(wrap_pyfunction!(dedup, m)?)?;
    m.add_function(wrap_pyfunction!(minhash, m)?)?;
    m.add_function(wrap_pyfunction!(dedup_lines, m)?)?;
    Ok(())
}
