//! The result classes of segmentation: `Page`, `Lines` and `Teaser` (`Line` is in `line.rs`).
//!
//! A page keeps the caller's input `str` (no copy; for Arrow input, a UTF-8 copy of the value)
//! and the core's result. `page.lines` is a `Lines` view of the page that makes a `Line` (the
//! page and an index) each time one is read, so a loop over the lines makes and frees one
//! object at a time instead of building a tuple of them all; a line's text is cut from the
//! input on access. Teasers are built on first access. Labels and reasons are shared Python
//! strings made once, not new strings per line.
//!
//! None of these objects can be part of a reference cycle: a line, a view or an iterator
//! refers to its page only, a teaser to strings only, a page to its input string and to a
//! tuple of teasers, and none of them can refer back to a line or a view (the classes are
//! frozen, without `__dict__`). So each is taken off the cycle collector's lists when it is
//! made (a `Line` is not a GC object at all).

use std::sync::{Arc, OnceLock};

use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::PyClass;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PySlice, PyString, PyTuple};

use super::line::{line_parts, new_line};
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

pub(super) fn label_str(py: Python<'_>, label: Label) -> Py<PyString> {
    let i = LABELS.iter().position(|&l| l == label).unwrap_or(0);
    names(py).labels[i].clone_ref(py)
}

pub(super) fn reason_str<'py>(py: Python<'py>, reason: &'static str) -> Bound<'py, PyString> {
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
}

/// The lines of a page: an immutable sequence (registered as `collections.abc.Sequence` by the
/// Python package) that makes each `Line` when it is read (`line::new_line`). It holds the
/// page; the page does not hold it (a new view each `page.lines`), so no cycle can form.
#[pyclass(frozen, sequence, module = "newsclean", name = "Lines")]
pub(super) struct PyLines {
    page: Py<PyPage>,
}

impl PyLines {
    fn len(&self) -> usize {
        self.page.get().page.lines.len()
    }

    /// Line `i` (in range), as a new object.
    fn line(&self, py: Python<'_>, i: usize) -> PyResult<Py<PyAny>> {
        new_line(py, &self.page, i)
    }

    /// The index of `item` if it is a line of this page.
    fn holds(&self, item: &Bound<'_, PyAny>) -> Option<usize> {
        let (page, index) = line_parts(item)?;
        (page.is(&self.page) && index < self.len()).then_some(index)
    }

    /// Whether the lines equal `other` when it is a tuple or a `Lines` (the sequences a page's
    /// lines can equal), else `None`.
    fn equals(&self, other: &Bound<'_, PyAny>) -> PyResult<Option<bool>> {
        if let Ok(o) = other.cast::<PyLines>() {
            let o = o.get();
            // Lines are equal when they are the same line of the same page.
            return Ok(Some(o.page.is(&self.page) || (self.len() == 0 && o.len() == 0)));
        }
        let Ok(t) = other.cast::<PyTuple>() else { return Ok(None) };
        if t.len() != self.len() {
            return Ok(Some(false));
        }
        Ok(Some(t.iter().enumerate().all(|(i, item)| self.holds(&item) == Some(i))))
    }
}

#[pymethods]
impl PyLines {
    fn __len__(&self) -> usize {
        self.len()
    }

    /// A line by index (negative from the end), or a tuple of the lines of a slice.
    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let n = self.len();
        if let Ok(slice) = key.cast::<PySlice>() {
            let ix = slice.indices(isize::try_from(n).unwrap_or(isize::MAX))?;
            let items = (0..ix.slicelength)
                // In range: `indices` clamps the slice to the lines (and k < slicelength <= n).
                .map(|k| self.line(py, (ix.start + k as isize * ix.step) as usize))
                .collect::<PyResult<Vec<_>>>()?;
            return Ok(PyTuple::new(py, items)?.into_any().unbind());
        }
        let i: isize = key.extract().map_err(|_| {
            if key.is_instance_of::<pyo3::types::PyInt>() {
                // An int past isize: out of range like any other.
                PyIndexError::new_err("line index out of range")
            } else {
                let name = key.get_type().name().map_or_else(|_| "?".to_string(), |n| n.to_string());
                PyTypeError::new_err(format!("line indices must be integers or slices, not {name}"))
            }
        })?;
        let i = if i < 0 { i.checked_add_unsigned(n) } else { Some(i) };
        match i.and_then(|i| usize::try_from(i).ok()).filter(|&i| i < n) {
            Some(i) => self.line(py, i),
            None => Err(PyIndexError::new_err("line index out of range")),
        }
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyLinesIter>> {
        new_object(py, PyLinesIter { page: self.page.clone_ref(py), next: AtomicUsize::new(0), back: false })
    }

    fn __reversed__(&self, py: Python<'_>) -> PyResult<Py<PyLinesIter>> {
        new_object(py, PyLinesIter { page: self.page.clone_ref(py), next: AtomicUsize::new(self.len()), back: true })
    }

    fn __contains__(&self, item: &Bound<'_, PyAny>) -> bool {
        self.holds(item).is_some()
    }

    /// The position of `value` (a line of this page) in `[start:stop]`, as `tuple.index`.
    #[pyo3(signature = (value, start = 0, stop = isize::MAX))]
    fn index(&self, value: &Bound<'_, PyAny>, start: isize, stop: isize) -> PyResult<usize> {
        let n = isize::try_from(self.len()).unwrap_or(isize::MAX);
        let clamp = |i: isize| if i < 0 { (i + n).max(0) } else { i.min(n) };
        match self.holds(value) {
            Some(i) if (clamp(start)..clamp(stop)).contains(&(i as isize)) => Ok(i),
            _ => Err(PyValueError::new_err("Lines.index(x): x not in the lines")),
        }
    }

    /// How many items equal `value`: 1 for a line of this page, else 0.
    fn count(&self, value: &Bound<'_, PyAny>) -> usize {
        usize::from(self.holds(value).is_some())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = other.py();
        Ok(match self.equals(other)? {
            Some(eq) => eq.into_pyobject(py)?.to_owned().into_any().unbind(),
            None => py.NotImplemented(),
        })
    }

    /// The hash of the tuple of the lines (equal to it), made for the purpose.
    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        let items = (0..self.len()).map(|i| self.line(py, i)).collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, items)?.hash()
    }

    fn __repr__(&self) -> String {
        format!("Lines(len={})", self.len())
    }
}

/// An iterator over a page's lines (forwards, or backwards for `reversed`).
#[pyclass(frozen, module = "newsclean", name = "LinesIterator")]
pub(super) struct PyLinesIter {
    page: Py<PyPage>,
    /// Forwards: the index of the next line; backwards: one past it.
    next: AtomicUsize,
    back: bool,
}

#[pymethods]
impl PyLinesIter {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        // The GIL serialises calls; the atomic only makes the frozen class's state mutable.
        let i = self.next.load(Ordering::Relaxed);
        let n = self.page.get().page.lines.len();
        let at = if self.back {
            let Some(prev) = i.checked_sub(1) else { return Ok(None) };
            self.next.store(prev, Ordering::Relaxed);
            prev
        } else {
            if i >= n {
                return Ok(None);
            }
            self.next.store(i + 1, Ordering::Relaxed);
            i
        };
        new_line(py, &self.page, at).map(Some)
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

/// A segmented page. Its teasers are built on first access, its lines each time one is read.
#[pyclass(frozen, module = "newsclean", name = "Page")]
pub(super) struct PyPage {
    /// The input (`None` for a missing text, which has no lines).
    text: Option<PageText>,
    pub(super) page: core_segment::Page,
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
        Self { text, page, teasers: OnceLock::new() }
    }

    pub(super) fn line_text<'py>(&self, py: Python<'py>, i: usize) -> PyResult<Bound<'py, PyString>> {
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

    /// Every input line, in order: a `Lines` view of the page, whose lines are made on access.
    #[getter]
    fn lines(slf: &Bound<'_, Self>) -> PyResult<Py<PyLines>> {
        new_object(slf.py(), PyLines { page: slf.clone().unbind() })
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
