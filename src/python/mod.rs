//! The pyo3 binding: a thin layer over the core. Inputs are copied into owned Rust values,
//! the GIL is released, rayon does the work, and results are wrapped for Python.

mod arrow;
mod dedup;
mod stages;
mod teasers;

use std::sync::{Arc, OnceLock};

use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyString, PyTuple};

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

/// A labelled line of a page.
#[pyclass(frozen, module = "newsclean", name = "Line")]
struct PyLine {
    /// The page's text; the line's own text is cut from it on access.
    page_text: Arc<str>,
    bytes: std::ops::Range<usize>,
    #[pyo3(get)]
    label: &'static str,
    #[pyo3(get)]
    reason: &'static str,
    #[pyo3(get)]
    start: usize,
    #[pyo3(get)]
    end: usize,
    #[pyo3(get)]
    index: usize,
}

#[pymethods]
impl PyLine {
    /// The line's text, without its line break.
    #[getter]
    fn text(&self) -> &str {
        &self.page_text[self.bytes.clone()]
    }

    fn __repr__(&self) -> String {
        let text = self.text();
        let short: String = text.chars().take(40).collect();
        let ell = if short.len() < text.len() { "…" } else { "" };
        format!("Line(index={}, label={:?}, reason={:?}, text={:?}{ell})", self.index, self.label, self.reason, short)
    }
}

/// A teaser of another story: headline and/or lede.
#[pyclass(frozen, module = "newsclean", name = "Teaser")]
struct PyTeaser {
    #[pyo3(get)]
    headline: Option<Py<PyString>>,
    #[pyo3(get)]
    lede: Option<Py<PyString>>,
    #[pyo3(get)]
    truncated: bool,
    #[pyo3(get)]
    headline_line: Option<usize>,
    #[pyo3(get)]
    lede_line: Option<usize>,
}

#[pymethods]
impl PyTeaser {
    fn __repr__(&self, py: Python<'_>) -> String {
        let show = |s: &Option<Py<PyString>>| s.as_ref().map_or_else(|| "None".to_string(), |s| format!("{:?}", s.bind(py).to_string()));
        format!("Teaser(headline={}, lede={}, truncated={})", show(&self.headline), show(&self.lede), if self.truncated { "True" } else { "False" })
    }
}

/// A segmented page. Lines and teasers are built on first access.
#[pyclass(frozen, module = "newsclean", name = "Page")]
struct PyPage {
    text: Arc<str>,
    page: core_segment::Page,
    lines: OnceLock<Py<PyTuple>>,
    teasers: OnceLock<Py<PyTuple>>,
}

impl PyPage {
    fn empty() -> Self {
        Self::new(Arc::from(""), core_segment::Page { lines: Vec::new(), teasers: Vec::new(), body: String::new() })
    }

    fn new(text: Arc<str>, page: core_segment::Page) -> Self {
        Self { text, page, lines: OnceLock::new(), teasers: OnceLock::new() }
    }

    fn line_text<'py>(&self, py: Python<'py>, i: usize) -> Bound<'py, PyString> {
        PyString::new(py, &self.text[self.page.lines[i].bytes.clone()])
    }
}

#[pymethods]
impl PyPage {
    /// The article body: the body lines joined with "\n".
    #[getter]
    fn body(&self) -> &str {
        &self.page.body
    }

    /// Every input line, in order.
    #[getter]
    fn lines(&self, py: Python<'_>) -> PyResult<Py<PyTuple>> {
        if let Some(l) = self.lines.get() {
            return Ok(l.clone_ref(py));
        }
        let items = self
            .page
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                Py::new(py, PyLine {
                    page_text: Arc::clone(&self.text),
                    bytes: l.bytes.clone(),
                    label: l.label.as_str(),
                    reason: l.reason,
                    start: l.start,
                    end: l.end,
                    index: i,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let list = PyTuple::new(py, items)?.unbind();
        Ok(self.lines.get_or_init(|| list).clone_ref(py))
    }

    /// The teasers of other stories found on the page.
    #[getter]
    fn teasers(&self, py: Python<'_>) -> PyResult<Py<PyTuple>> {
        if let Some(l) = self.teasers.get() {
            return Ok(l.clone_ref(py));
        }
        let items = self
            .page
            .teasers
            .iter()
            .map(|t| {
                Py::new(py, PyTeaser {
                    headline: t.headline.map(|i| self.line_text(py, i).unbind()),
                    lede: t.lede.map(|i| self.line_text(py, i).unbind()),
                    truncated: t.truncated,
                    headline_line: t.headline,
                    lede_line: t.lede,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let list = PyTuple::new(py, items)?.unbind();
        Ok(self.teasers.get_or_init(|| list).clone_ref(py))
    }

    /// The labels of the lines, in order.
    #[getter]
    fn labels(&self) -> Vec<&'static str> {
        self.page.lines.iter().map(|l| l.label.as_str()).collect()
    }

    fn __len__(&self) -> usize {
        self.page.lines.len()
    }

    fn __repr__(&self) -> String {
        let count = |lab: core_segment::Label| self.page.lines.iter().filter(|l| l.label == lab).count();
        format!(
            "Page(lines={}, body={}, headline={}, teaser={}, boilerplate={}, teasers={})",
            self.page.lines.len(),
            count(core_segment::Label::Body),
            count(core_segment::Label::Headline),
            count(core_segment::Label::Teaser),
            count(core_segment::Label::Boilerplate),
            self.page.teasers.len()
        )
    }
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
    let Some(text) = extract_text(text, None)? else { return Ok(PyPage::empty()) };
    let seg = Arc::clone(seg);
    let text: Arc<str> = Arc::from(text);
    let page = py.detach(|| seg.segment(&text));
    Ok(PyPage::new(text, page))
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
) -> PyResult<Vec<PyPage>> {
    let owned: Vec<Option<Arc<str>>> = extract_batch(texts)?.into_iter().map(|t| t.map(Arc::from)).collect();
    let sites = extract_sites(sites, owned.len())?;
    let seg = Arc::clone(seg);
    let prof = profile.map(|p| &p.inner);
    let items: Vec<(Option<Arc<str>>, Option<String>)> = owned.into_iter().zip(sites).collect();
    let pages = py
        .detach(|| {
            parallel::map(&items, num_threads, |(t, site)| {
                let sp = prof.and_then(|p| p.site(site.as_deref()));
                t.as_ref().map(|t| seg.segment_with(t, sp))
            })
        })
        .map_err(to_pyerr)?;
    let owned = items.into_iter().map(|(t, _)| t);
    Ok(owned
        .zip(pages)
        .map(|(t, p)| match (t, p) {
            (Some(t), Some(p)) => PyPage::new(t, p),
            _ => PyPage::empty(),
        })
        .collect())
}

fn run_clean_batch(py: Python<'_>, seg: &Arc<Segmenter>, texts: &Bound<'_, PyAny>, num_threads: Option<usize>) -> PyResult<Vec<String>> {
    let owned = extract_batch(texts)?;
    let seg = Arc::clone(seg);
    py.detach(|| parallel::map(&owned, num_threads, |t| t.as_ref().map(|t| seg.segment(t).body).unwrap_or_default())).map_err(to_pyerr)
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
    ) -> PyResult<Vec<PyPage>> {
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
) -> PyResult<Vec<PyPage>> {
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

#[pymodule]
fn _newsclean(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("REASONS", core_segment::REASONS.iter().map(|&(r, d)| (r, d)).collect::<Vec<_>>())?;
    m.add_class::<PyPage>()?;
    m.add_class::<PyLine>()?;
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
