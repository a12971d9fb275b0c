//! The result classes of segmentation: `Page`, `Line` and `Teaser`.
//!
//! A page keeps the caller's input `str` (no copy; for Arrow input, a UTF-8 copy of the value)
//! and the core's result; its `lines` and `teasers` tuples are built on first access, and a
//! line's text is cut from the input on access. Labels and reasons are shared Python strings made once, not new strings per line.
//!
//! None of these objects can be part of a reference cycle: a line or a teaser refers to strings
//! only, a page to its input string and to tuples of lines and teasers, and none of them can
//! refer back to a page (the classes are frozen, without `__dict__`). So each is taken off the
//! cycle collector's lists when it is made: a batch makes hundreds of thousands of line
//! objects, and the collector would otherwise walk all of them again and again while they live.

use std::sync::{Arc, OnceLock};

use pyo3::prelude::*;
use pyo3::PyClass;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyTuple};

use crate::segment::{self as core_segment, Label, REASONS};

const LABELS: [Label; 4] = [Label::Headline, Label::Teaser, Label::Body, Label::Boilerplate];

/// The labels and reason codes as Python strings, made once per interpreter.
struct Names {
    labels: Vec<Py<PyString>>,
    reasons: Vec<Py<PyString>>,
}

fn names(py: Python<'_>) -> &Names {
    static NAMES: PyOnceLock<Names> = PyOnceLock::new();
    NAMES.get_or_init(py, || Names {
        labels: LABELS.iter().map(|l| PyString::intern(py, l.as_str()).unbind()).collect(),
        reasons: REASONS.iter().map(|(r, _)| PyString::intern(py, r).unbind()).collect(),
    })
}

fn label_str(py: Python<'_>, label: Label) -> Py<PyString> {
    let i = LABELS.iter().position(|&l| l == label).unwrap_or(0);
    names(py).labels[i].clone_ref(py)
}

fn reason_str<'py>(py: Python<'py>, reason: &'static str) -> Bound<'py, PyString> {
    match REASONS.iter().position(|(r, _)| *r == reason) {
        Some(i) => names(py).reasons[i].bind(py).clone(),
        // Every reason the core gives is in REASONS (a core test checks it); never panic here.
        None => PyString::new(py, reason),
    }
}

/// `obj`, taken off the cycle collector's lists (see the module documentation for why that
/// is sound for the classes of this module).
fn untracked<T: PyClass>(obj: Py<T>) -> Py<T> {
    // SAFETY: `obj` is a live object of a GC-enabled type (every pyo3 class is) and we hold
    // the GIL; untracking only stops the collector from visiting it (its dealloc untracks
    // again, which is a no-op for an untracked object).
    unsafe { pyo3::ffi::PyObject_GC_UnTrack(obj.as_ptr().cast()) };
    obj
}

/// Runs `f` with the cycle collector paused (as it was before, afterwards): building a tuple of
/// thousands of lines would otherwise start a collection every 700 objects, each of which walks
/// the young objects for nothing (the lines are untracked as soon as they exist).
fn without_collections<T>(_py: Python<'_>, f: impl FnOnce() -> T) -> T {
    /// Switches the collector back on when dropped (also when `f` panics) if it was on.
    struct Resume(bool);
    impl Drop for Resume {
        fn drop(&mut self) {
            if self.0 {
                // SAFETY: the GIL is held (see below); this only flips the collector's switch.
                unsafe { pyo3::ffi::PyGC_Enable() };
            }
        }
    }
    // SAFETY: the GIL is held (`_py`); PyGC_Disable only flips the switch and says how it was.
    let _resume = Resume(unsafe { pyo3::ffi::PyGC_Disable() } != 0);
    f()
}

/// A new object of a class of this module, off the collector's lists.
pub(super) fn new_object<T: PyClass>(py: Python<'_>, value: impl Into<PyClassInitializer<T>>) -> PyResult<Py<T>> {
    Py::new(py, value).map(untracked)
}

/// The text a page was segmented from: the caller's `str`, or a copy of an Arrow value.
pub(super) enum PageText {
    Str(Py<PyString>),
    Utf8(Arc<str>),
}

impl PageText {
    /// The text as UTF-8 (for a `str`, the buffer CPython keeps inside it).
    fn as_str<'a>(&'a self, py: Python<'a>) -> PyResult<&'a str> {
        match self {
            Self::Str(s) => s.bind(py).to_str(),
            Self::Utf8(s) => Ok(s),
        }
    }

    fn clone_ref(&self, py: Python<'_>) -> Self {
        match self {
            Self::Str(s) => Self::Str(s.clone_ref(py)),
            Self::Utf8(s) => Self::Utf8(Arc::clone(s)),
        }
    }
}

/// A labelled line of a page.
#[pyclass(frozen, module = "newsclean", name = "Line")]
pub(super) struct PyLine {
    /// The page's input; the line's own text is cut from it on access.
    page_text: PageText,
    bytes: std::ops::Range<usize>,
    label: Label,
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
    fn text<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyString>> {
        let page = self.page_text.as_str(py)?;
        Ok(PyString::new(py, &page[self.bytes.clone()]))
    }

    #[getter]
    fn label(&self, py: Python<'_>) -> Py<PyString> {
        label_str(py, self.label)
    }

    #[getter]
    fn reason<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        reason_str(py, self.reason)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let text = self.text(py)?;
        let text = text.to_str()?;
        let short: String = text.chars().take(40).collect();
        let ell = if short.len() < text.len() { "…" } else { "" };
        Ok(format!(
            "Line(index={}, label={:?}, reason={:?}, text={:?}{ell})",
            self.index,
            self.label.as_str(),
            self.reason,
            short
        ))
    }
}

/// A teaser of another story: headline and/or lede.
#[pyclass(frozen, module = "newsclean", name = "Teaser")]
pub(super) struct PyTeaser {
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
pub(super) struct PyPage {
    /// The input (`None` for a missing text, which has no lines).
    text: Option<PageText>,
    pub(super) page: core_segment::Page,
    lines: OnceLock<Py<PyTuple>>,
    teasers: OnceLock<Py<PyTuple>>,
}

impl PyPage {
    /// The page of a missing text: no lines, empty body.
    pub(super) fn empty() -> Self {
        Self::new(None, core_segment::Page { lines: Vec::new(), teasers: Vec::new(), body: String::new() })
    }

    /// The page segmented from `text` (the very `str`, or the Arrow value's copy, it was
    /// segmented from).
    pub(super) fn new(text: Option<PageText>, page: core_segment::Page) -> Self {
        Self { text, page, lines: OnceLock::new(), teasers: OnceLock::new() }
    }

    fn line_text<'py>(&self, py: Python<'py>, i: usize) -> PyResult<Bound<'py, PyString>> {
        let text = self.text.as_ref().map(|t| t.as_str(py)).transpose()?.unwrap_or("");
        Ok(PyString::new(py, &text[self.page.lines[i].bytes.clone()]))
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
        let tuple = without_collections(py, || {
            let items = match &self.text {
                None => Vec::new(),
                Some(text) => self
                    .page
                    .lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        new_object(py, PyLine {
                            page_text: text.clone_ref(py),
                            bytes: l.bytes.clone(),
                            label: l.label,
                            reason: l.reason,
                            start: l.start,
                            end: l.end,
                            index: i,
                        })
                    })
                    .collect::<PyResult<Vec<_>>>()?,
            };
            PyTuple::new(py, items).map(Bound::unbind)
        })?;
        Ok(self.lines.get_or_init(|| tuple).clone_ref(py))
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
                new_object(py, PyTeaser {
                    headline: t.headline.map(|i| self.line_text(py, i)).transpose()?.map(Bound::unbind),
                    lede: t.lede.map(|i| self.line_text(py, i)).transpose()?.map(Bound::unbind),
                    truncated: t.truncated,
                    headline_line: t.headline,
                    lede_line: t.lede,
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let tuple = PyTuple::new(py, items)?.unbind();
        Ok(self.teasers.get_or_init(|| tuple).clone_ref(py))
    }

    /// The labels of the lines, in order.
    #[getter]
    fn labels(&self, py: Python<'_>) -> Vec<Py<PyString>> {
        self.page.lines.iter().map(|l| label_str(py, l.label)).collect()
    }

    fn __len__(&self) -> usize {
        self.page.lines.len()
    }

    fn __repr__(&self) -> String {
        let count = |lab: Label| self.page.lines.iter().filter(|l| l.label == lab).count();
        format!(
            "Page(lines={}, body={}, headline={}, teaser={}, boilerplate={}, teasers={})",
            self.page.lines.len(),
            count(Label::Body),
            count(Label::Headline),
            count(Label::Teaser),
            count(Label::Boilerplate),
            self.page.teasers.len()
        )
    }
}
