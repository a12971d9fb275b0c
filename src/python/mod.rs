//! The pyo3 binding: a thin layer over the core. The segmenter borrows its input `str`s (their
//! UTF-8 buffers, no copy) and Arrow values; the dedup entry points read each `str`'s code
//! units where CPython keeps them and the worker threads make the UTF-8 (`dedup.rs`). The GIL
//! is released, rayon does the work, and results are wrapped for Python (`page.rs`).

mod arrow;
mod dedup;
mod line;
mod page;
mod stages;
mod teasers;

use std::sync::{Arc, OnceLock};

use page::{new_object, PageText, PyLines, PyPage, PyTeaser};

use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyString};

use crate::error::Error;
use crate::parallel;
use crate::profile::Profile;
use crate::rules::Rules;
use crate::segment::{self as core_segment, Segmenter};

/// The one place where core errors become Python exceptions.
fn to_pyerr(e: Error) -> PyErr {
    match e {
        Error::InvalidPattern { .. } | Error::InvalidOption { .. } | Error::InvalidFile { .. } | Error::InvalidArrowData { .. } => {
            PyValueError::new_err(e.to_string())
        }
        Error::UnsupportedArrowType { .. } => PyTypeError::new_err(e.to_string()),
        Error::Io { .. } => PyOSError::new_err(e.to_string()),
    }
}

/// One input text: a Python `str`, or `None`/NaN (an empty result).
fn extract_text(obj: &Bound<'_, PyAny>, index: Option<usize>) -> PyResult<Option<String>> {
    let at = || index.map_or_else(|| "text".to_string(), |i| format!("texts[{i}]"));
    if obj.is_none() {
        return Ok(None);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return match s.to_str() {
            Ok(s) => Ok(Some(s.to_owned())),
            Err(e) => Err(PyValueError::new_err(format!(
                "{} is not valid Unicode text (it holds a lone surrogate, which has no UTF-8 form): {e}",
                at()
            ))),
        };
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        if f.value().is_nan() {
            return Ok(None);
        }
    }
    // pandas' NA and NaT, numpy's float NaN scalars: missing values by their type's name.
    let type_name = obj.get_type().name().map(|n| n.to_string()).unwrap_or_default();
    if matches!(type_name.as_str(), "NAType" | "NaTType") {
        return Ok(None);
    }
    if type_name.starts_with("float") && obj.extract::<f64>().is_ok_and(f64::is_nan) {
        return Ok(None);
    }
    Err(PyTypeError::new_err(format!("{} must be str or None, not {}", at(), type_name)))
}

/// Copies a batch of texts (list, tuple, pandas Series, numpy array, any iterable of str, or
/// an Arrow string array or stream, read without one Python `str` per row).
fn extract_batch(texts: &Bound<'_, PyAny>) -> PyResult<Vec<Option<String>>> {
    if texts.is_instance_of::<PyString>() || texts.is_instance_of::<pyo3::types::PyBytes>() {
        return Err(PyTypeError::new_err(
            "texts must be a sequence of str (list, tuple, pandas Series, numpy array), not a single str or bytes",
        ));
    }
    if let Some(a) = arrow::arrow_texts(texts)? {
        return Ok(a.to_owned());
    }
    let iter = texts.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "texts must be an iterable of str (list, tuple, pandas Series, numpy array), not {}",
            type_name(texts)
        ))
    })?;
    let mut out = Vec::with_capacity(texts.len().unwrap_or(0));
    for (i, item) in iter.enumerate() {
        out.push(extract_text(&item?, Some(i))?);
    }
    Ok(out)
}

/// A batch of texts for the segmenter, borrowed without a copy: the UTF-8 buffer CPython keeps
/// inside each `str` (the one any UTF-8 read of a non-ASCII `str` makes and caches there, as
/// `extract_text` does too), or the values of an Arrow array.
enum Borrowed<'py> {
    /// Each item as a `str` (`None`: a missing text) and its UTF-8 bytes as (pointer, length),
    /// plain numbers so they can cross into the GIL-free work.
    Strs(Vec<Option<Bound<'py, PyString>>>, Vec<Option<(usize, usize)>>),
    Arrow(arrow::ArrowTexts),
}

impl<'py> Borrowed<'py> {
    /// Takes the items as [`extract_batch`] reads them, with the same errors.
    fn collect(texts: &Bound<'py, PyAny>) -> PyResult<Self> {
        if texts.is_instance_of::<PyString>() || texts.is_instance_of::<pyo3::types::PyBytes>() {
            // The same message as the other batch functions.
            extract_batch(texts)?;
        }
        if let Some(a) = arrow::arrow_texts(texts)? {
            return Ok(Self::Arrow(a));
        }
        let Ok(iter) = texts.try_iter() else {
            // Not iterable: the shared conversion raises the documented TypeError.
            extract_batch(texts)?;
            return Err(PyTypeError::new_err("texts must be an iterable of str"));
        };
        let mut items = Vec::with_capacity(texts.len().unwrap_or(0));
        let mut raw = Vec::with_capacity(items.capacity());
        for (i, item) in iter.enumerate() {
            let item = item?;
            match item.cast_into::<PyString>() {
                Ok(s) => {
                    let mut size: pyo3::ffi::Py_ssize_t = 0;
                    // SAFETY: `s` is a live `str` and we hold the GIL.
                    let ptr = unsafe { pyo3::ffi::PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut size) };
                    if ptr.is_null() {
                        // A lone surrogate: the shared conversion gives the documented error.
                        let err = PyErr::fetch(s.py());
                        extract_text(s.as_any(), Some(i))?;
                        return Err(err);
                    }
                    raw.push(Some((ptr as usize, usize::try_from(size).unwrap_or(0))));
                    items.push(Some(s));
                }
                Err(e) => {
                    // None, NaN and friends are empty; anything else raises TypeError.
                    extract_text(&e.into_inner(), Some(i))?;
                    raw.push(None);
                    items.push(None);
                }
            }
        }
        Ok(Self::Strs(items, raw))
    }

    fn len(&self) -> usize {
        match self {
            Self::Strs(items, _) => items.len(),
            Self::Arrow(a) => a.raw.len(),
        }
    }

    /// The texts as `&str`.
    fn texts(&self) -> Vec<Option<&str>> {
        match self {
            Self::Strs(_, raw) => raw
                .iter()
                .map(|t| {
                    t.map(|(p, n)| {
                        // SAFETY: (p, n) is the UTF-8 buffer of a live, immutable `str` (held in
                        // `self` for the whole call); CPython guarantees it is valid UTF-8.
                        unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(p as *const u8, n)) }
                    })
                })
                .collect(),
            Self::Arrow(a) => a.texts(),
        }
    }

    /// What the page of item `i`, `text`, keeps of it: the `str` itself, or a copy of an Arrow
    /// value (the arrays are released when the call returns).
    fn page_text(&self, i: usize, text: &str) -> PageText {
        match self {
            Self::Strs(items, _) => match &items[i] {
                Some(s) => PageText::Str(s.clone().unbind()),
                None => PageText::Utf8(Arc::from(text)),
            },
            Self::Arrow(_) => PageText::Utf8(Arc::from(text)),
        }
    }
}

/// The name of `obj`'s type, for messages.
fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map_or_else(|_| "?".to_string(), |n| n.to_string())
}

/// A user rule list: any iterable of `str` (not a single `str` or `bytes`).
fn extract_rules(obj: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Vec<String>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(Vec::new()) };
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<pyo3::types::PyBytes>() {
        return Err(PyTypeError::new_err(format!("{name} must be an iterable of str, not a single {}", type_name(obj))));
    }
    let iter = obj
        .try_iter()
        .map_err(|_| PyTypeError::new_err(format!("{name} must be an iterable of str, not {}", type_name(obj))))?;
    let mut out = Vec::new();
    for (i, item) in iter.enumerate() {
        let item = item?;
        let s = item.cast::<PyString>().map_err(|_| PyTypeError::new_err(format!("{name}[{i}] must be str, not {}", type_name(&item))))?;
        let s = s.to_str().map_err(|e| PyValueError::new_err(format!("{name}[{i}] is not valid Unicode text: {e}")))?;
        out.push(s.to_owned());
    }
    Ok(out)
}

/// `num_threads`: a positive int or None.
fn extract_threads(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(None) };
    if obj.is_instance_of::<pyo3::types::PyBool>() || !obj.is_instance_of::<pyo3::types::PyInt>() {
        return Err(PyTypeError::new_err(format!("num_threads must be a positive int or None, not {}", type_name(obj))));
    }
    // Past 64 bits (an OverflowError from extract): huge and positive means as many threads
    // as allowed; huge and negative is below 1 like any other negative number.
    let n: i64 = obj.extract().or_else(|_| if obj.lt(0)? { Ok(-1) } else { Ok::<_, PyErr>(i64::MAX) })?;
    if n < 1 {
        return Err(PyValueError::new_err(format!("num_threads must be at least 1, got {obj}")));
    }
    Ok(Some(usize::try_from(n).unwrap_or(usize::MAX)))
}

/// A segmenter with the built-in rules plus the user's phrases and patterns.
#[pyclass(frozen, module = "newsclean", name = "Segmenter")]
struct PySegmenter {
    inner: Arc<Segmenter>,
}

fn default_segmenter() -> Arc<Segmenter> {
    static DEFAULT: OnceLock<Arc<Segmenter>> = OnceLock::new();
    Arc::clone(DEFAULT.get_or_init(|| Arc::new(Segmenter::default())))
}

fn run_segment(py: Python<'_>, seg: &Arc<Segmenter>, text: &Bound<'_, PyAny>) -> PyResult<PyPage> {
    let Some(s) = borrow_text(text)? else { return Ok(PyPage::empty()) };
    let page = py.detach(|| seg.segment(s));
    Ok(PyPage::new(Some(PageText::Str(text.cast::<PyString>()?.clone().unbind())), page))
}

/// One input text, borrowed (no copy): the UTF-8 buffer CPython keeps inside the `str`.
/// `None`/NaN give `None`; anything else raises as [`extract_text`] documents.
fn borrow_text<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<Option<&'a str>> {
    match obj.cast::<PyString>() {
        Ok(s) => match s.to_str() {
            Ok(s) => Ok(Some(s)),
            // A lone surrogate: the shared conversion gives the documented error.
            Err(e) => extract_text(obj, None).and(Err(e)),
        },
        Err(_) => extract_text(obj, None).map(|_| None),
    }
}

/// Site names for a batch: `None`, or an iterable of `str`/`None` as long as the texts.
fn extract_sites(sites: Option<&Bound<'_, PyAny>>, n: usize) -> PyResult<Vec<Option<String>>> {
    let Some(sites) = sites.filter(|s| !s.is_none()) else { return Ok(vec![None; n]) };
    if sites.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err("sites must be a sequence of str (one per text), not a single str"));
    }
    let out = if let Some(a) = arrow::arrow_texts(sites)? {
        a.to_owned()
    } else {
        let mut out = Vec::with_capacity(n);
        for (i, item) in sites.try_iter()?.enumerate() {
            let item = item?;
            out.push(extract_text(&item, Some(i)).map_err(|e| {
                PyTypeError::new_err(format!("sites{}", e.value(item.py()).to_string().trim_start_matches("texts")))
            })?);
        }
        out
    };
    if out.len() != n {
        return Err(PyValueError::new_err(format!("sites has {} items but texts has {n}", out.len())));
    }
    Ok(out)
}

fn run_batch_with(
    py: Python<'_>,
    seg: &Arc<Segmenter>,
    texts: &Bound<'_, PyAny>,
    num_threads: Option<usize>,
    sites: Option<&Bound<'_, PyAny>>,
    profile: Option<&PyProfile>,
) -> PyResult<Vec<Py<PyPage>>> {
    let held = Borrowed::collect(texts)?;
    let sites = extract_sites(sites, held.len())?;
    let prof = profile.map(|p| &p.inner);
    let items: Vec<(Option<&str>, Option<String>)> = held.texts().into_iter().zip(sites).collect();
    let pages = py
        .detach(|| {
            parallel::map(&items, num_threads, |(t, site)| {
                let sp = prof.and_then(|p| p.site(site.as_deref()));
                t.map(|t| seg.segment_with(t, sp))
            })
        })
        .map_err(to_pyerr)?;
    items
        .iter()
        .zip(pages)
        .enumerate()
        .map(|(i, ((text, _), page))| {
            let page = match (text, page) {
                (Some(text), Some(p)) => PyPage::new(Some(held.page_text(i, text)), p),
                _ => PyPage::empty(),
            };
            new_object(py, page)
        })
        .collect()
}

fn run_clean_batch(py: Python<'_>, seg: &Arc<Segmenter>, texts: &Bound<'_, PyAny>, num_threads: Option<usize>) -> PyResult<Vec<String>> {
    let held = Borrowed::collect(texts)?;
    let texts = held.texts();
    py.detach(|| parallel::map(&texts, num_threads, |t| t.map(|t| seg.segment(t).body).unwrap_or_default())).map_err(to_pyerr)
}

#[pymethods]
impl PySegmenter {
    #[new]
    #[pyo3(signature = (*, phrases = None, patterns = None))]
    fn new(phrases: Option<&Bound<'_, PyAny>>, patterns: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let phrases = extract_rules(phrases, "phrases")?;
        let patterns = extract_rules(patterns, "patterns")?;
        let rules = Rules::new(&phrases, &patterns).map_err(to_pyerr)?;
        Ok(Self { inner: Arc::new(Segmenter::new(rules)) })
    }

    fn segment(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<PyPage> {
        run_segment(py, &self.inner, text)
    }

    fn clean(&self, py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<String> {
        Ok(run_segment(py, &self.inner, text)?.page.body)
    }

    #[pyo3(signature = (texts, *, num_threads = None, sites = None, profile = None))]
    fn segment_batch(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        num_threads: Option<&Bound<'_, PyAny>>,
        sites: Option<&Bound<'_, PyAny>>,
        profile: Option<PyRef<'_, PyProfile>>,
    ) -> PyResult<Vec<Py<PyPage>>> {
        run_batch_with(py, &self.inner, texts, extract_threads(num_threads)?, sites, profile.as_deref())
    }

    #[pyo3(signature = (texts, *, num_threads = None))]
    fn clean_batch(&self, py: Python<'_>, texts: &Bound<'_, PyAny>, num_threads: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
        run_clean_batch(py, &self.inner, texts, extract_threads(num_threads)?)
    }
}

#[pyfunction]
fn segment(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<PyPage> {
    run_segment(py, &default_segmenter(), text)
}

#[pyfunction]
fn clean(py: Python<'_>, text: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(run_segment(py, &default_segmenter(), text)?.page.body)
}

#[pyfunction]
#[pyo3(signature = (texts, *, num_threads = None, sites = None, profile = None))]
fn segment_batch(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    num_threads: Option<&Bound<'_, PyAny>>,
    sites: Option<&Bound<'_, PyAny>>,
    profile: Option<PyRef<'_, PyProfile>>,
) -> PyResult<Vec<Py<PyPage>>> {
    run_batch_with(py, &default_segmenter(), texts, extract_threads(num_threads)?, sites, profile.as_deref())
}

#[pyfunction]
#[pyo3(signature = (texts, *, num_threads = None))]
fn clean_batch(py: Python<'_>, texts: &Bound<'_, PyAny>, num_threads: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<String>> {
    run_clean_batch(py, &default_segmenter(), texts, extract_threads(num_threads)?)
}

/// The items of an iterable of texts, one at a time (streamed), or of an Arrow array (read
/// whole: its data is in memory already).
enum Items<'py> {
    Python(Bound<'py, pyo3::types::PyIterator>),
    Arrow(std::vec::IntoIter<Option<String>>),
}

impl<'py> Items<'py> {
    fn new(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Self> {
        if let Some(a) = arrow::arrow_texts(obj)? {
            return Ok(Self::Arrow(a.to_owned().into_iter()));
        }
        Ok(Self::Python(obj.try_iter().map_err(|_| PyTypeError::new_err(format!("{name} must be an iterable of str")))?))
    }

    /// The next text; `index` is its position, for messages.
    fn next(&mut self, index: usize) -> Option<PyResult<Option<String>>> {
        match self {
            Self::Python(it) => it.next().map(|item| extract_text(&item?, Some(index))),
            Self::Arrow(it) => it.next().map(Ok),
        }
    }
}

/// Per-site line counts learned from a corpus.
#[pyclass(module = "newsclean", name = "Profile")]
struct PyProfile {
    inner: Profile,
}

/// Pages per learning chunk: the input is streamed in chunks of this many pages.
const LEARN_CHUNK: usize = 20_000;

#[pymethods]
impl PyProfile {
    #[new]
    fn new() -> Self {
        Self { inner: Profile::new() }
    }

    #[staticmethod]
    #[pyo3(signature = (texts, *, sites = None, num_threads = None, max_keys = 2_000_000))]
    fn learn(
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        sites: Option<&Bound<'_, PyAny>>,
        num_threads: Option<&Bound<'_, PyAny>>,
        max_keys: usize,
    ) -> PyResult<Self> {
        let threads = extract_threads(num_threads)?;
        if texts.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err("texts must be an iterable of str, not a single str"));
        }
        let mut text_iter = Items::new(texts, "texts")?;
        let mut site_iter = match sites.filter(|s| !s.is_none()) {
            Some(s) if s.is_instance_of::<PyString>() => {
                return Err(PyTypeError::new_err("sites must be an iterable of str (one per text), not a single str"))
            }
            Some(s) => Some(Items::new(s, "sites")?),
            None => None,
        };
        let mut profile = Profile::new();
        let mut index = 0usize;
        loop {
            let mut chunk: Vec<(Option<String>, String)> = Vec::new();
            while let Some(text) = text_iter.next(index) {
                let text = text?;
                let site = match site_iter.as_mut() {
                    Some(it) => match it.next(index) {
                        Some(s) => s.map_err(|_| PyTypeError::new_err(format!("sites[{index}] must be str or None")))?,
                        None => return Err(PyValueError::new_err(format!("sites is shorter than texts (it ends at index {index})"))),
                    },
                    None => None,
                };
                index += 1;
                if let Some(text) = text {
                    chunk.push((site, text));
                }
                if chunk.len() >= LEARN_CHUNK {
                    break;
                }
            }
            if chunk.is_empty() {
                break;
            }
            let part = py.detach(|| Profile::learn(&chunk, threads)).map_err(to_pyerr)?;
            profile.merge(&part);
            if profile.n_keys() > max_keys {
                profile.prune(2);
                profile.note_budget_prune();
            }
        }
        if let Some(mut it) = site_iter {
            if it.next(index).is_some() {
                return Err(PyValueError::new_err(format!("sites is longer than texts ({index} texts)")));
            }
        }
        Ok(Self { inner: profile })
    }

    /// Adds another profile's counts to this one.
    fn merge(&mut self, other: PyRef<'_, PyProfile>) {
        self.inner.merge(&other.inner);
    }

    /// Drops lines seen on fewer than `min_pages` pages of their site.
    fn prune(&mut self, min_pages: u32) {
        self.inner.prune(min_pages);
    }

    #[pyo3(signature = (site = None, n = 20))]
    fn top_lines(&self, site: Option<&str>, n: usize) -> Vec<(String, u32)> {
        self.inner.top_lines(site, n)
    }

    #[getter]
    fn sites(&self) -> Vec<String> {
        self.inner.sites().map(|(s, _)| s.to_string()).collect()
    }

    #[pyo3(signature = (site = None))]
    fn pages(&self, site: Option<&str>) -> u64 {
        self.inner.site(site).map_or(0, |s| s.pages)
    }

    #[pyo3(signature = (line, site = None))]
    fn count(&self, line: &str, site: Option<&str>) -> u32 {
        self.inner.site(site).map_or(0, |s| s.count(line))
    }

    #[getter]
    fn budget_pruned(&self) -> bool {
        self.inner.budget_pruned()
    }

    fn __len__(&self) -> usize {
        self.inner.n_keys()
    }

    fn save(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        let profile = &self.inner;
        py.detach(|| profile.save(&path)).map_err(to_pyerr)
    }

    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        let inner = py.detach(|| Profile::load(&path)).map_err(to_pyerr)?;
        Ok(Self { inner })
    }

    fn __repr__(&self) -> String {
        format!("Profile(sites={}, keys={})", self.inner.sites().count(), self.inner.n_keys())
    }
}

// The module says it needs the GIL, so a free-threaded CPython turns its GIL on when it
// imports it: the binding was written with the GIL in mind (`Line`'s free list stays sound
// without it, through a flag that is only ever tried).
#[pymodule(gil_used = true)]
fn _newsclean(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("REASONS", core_segment::REASONS.iter().map(|&(r, d)| (r, d)).collect::<Vec<_>>())?;
    m.add_class::<PyPage>()?;
    m.add("Line", line::line_type(m.py())?)?;
    m.add_class::<PyLines>()?;
    m.add_class::<PyTeaser>()?;
    m.add_class::<PySegmenter>()?;
    m.add_class::<PyProfile>()?;
    m.add_function(wrap_pyfunction!(segment, m)?)?;
    m.add_function(wrap_pyfunction!(clean, m)?)?;
    m.add_function(wrap_pyfunction!(segment_batch, m)?)?;
    m.add_function(wrap_pyfunction!(clean_batch, m)?)?;
    dedup::register(m)?;
    stages::register(m)?;
    teasers::register(m)?;
    Ok(())
}
