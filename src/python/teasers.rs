//! Binding of `crate::teasers`: the `teasers` function, the streaming `TeaserCatalogue` and
//! the `Teasers` result (rows as dicts, or a pandas DataFrame when pandas is installed).

use std::sync::{Mutex, PoisonError};

use pyo3::exceptions::{PyImportError, PyIndexError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyString, PyTuple};

use super::{default_segmenter, extract_batch, extract_sites, extract_threads, to_pyerr, type_name, PyProfile};
use crate::teasers::{self as core, Collector, DocId, Input, Options, Row};

/// The columns of a row, in order.
const COLUMNS: [&str; 10] = ["teaser_id", "headline", "text", "truncated", "variants", "pages", "n_pages", "first_seen", "article", "article_score"];

/// `ids`: `None`, or one `str` or `int` per text.
fn extract_ids(obj: Option<&Bound<'_, PyAny>>, n: usize) -> PyResult<Option<Vec<DocId>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(None) };
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<pyo3::types::PyBytes>() {
        return Err(PyTypeError::new_err("ids must be a sequence of str or int (one id per text), not a single str or bytes"));
    }
    let iter = obj.try_iter().map_err(|_| PyTypeError::new_err(format!("ids must be an iterable of str or int, not {}", type_name(obj))))?;
    let mut out = Vec::with_capacity(n);
    for (i, item) in iter.enumerate() {
        let item = item?;
        let id = if let Ok(s) = item.cast::<PyString>() {
            DocId::Name(s.to_str().map_err(|e| PyValueError::new_err(format!("ids[{i}] is not valid Unicode text: {e}")))?.to_owned())
        } else if item.is_instance_of::<PyInt>() && !item.is_instance_of::<PyBool>() {
            DocId::Number(item.extract::<i64>().map_err(|_| PyValueError::new_err(format!("ids[{i}] does not fit in 64 bits: {item}")))?)
        } else if item.get_type().name().is_ok_and(|t| t.to_string().starts_with("int")) {
            // numpy integer scalars.
            DocId::Number(item.extract::<i64>().map_err(|_| PyTypeError::new_err(format!("ids[{i}] must be str or int, not {}", type_name(&item))))?)
        } else {
            return Err(PyTypeError::new_err(format!("ids[{i}] must be str or int, not {}", type_name(&item))));
        };
        out.push(id);
    }
    if out.len() != n {
        return Err(PyValueError::new_err(format!("ids has {} items but texts has {n}", out.len())));
    }
    Ok(Some(out))
}

/// A batch copied out of Python: texts, sites and ids.
struct Batch {
    texts: Vec<Option<String>>,
    sites: Vec<Option<String>>,
    ids: Option<Vec<DocId>>,
}

impl Batch {
    fn extract(texts: &Bound<'_, PyAny>, sites: Option<&Bound<'_, PyAny>>, ids: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let texts = extract_batch(texts)?;
        let sites = extract_sites(sites, texts.len())?;
        let ids = extract_ids(ids, texts.len())?;
        Ok(Self { texts, sites, ids })
    }

    fn inputs(&self) -> Vec<Input<'_>> {
        (0..self.texts.len())
            .map(|i| Input { text: self.texts[i].as_deref(), site: self.sites[i].as_deref(), id: self.ids.as_ref().map(|ids| &ids[i]) })
            .collect()
    }
}

fn id_to_py<'py>(py: Python<'py>, id: &DocId) -> PyResult<Bound<'py, PyAny>> {
    Ok(match id {
        DocId::Number(n) => n.into_pyobject(py)?.into_any(),
        DocId::Name(s) => PyString::new(py, s).into_any(),
    })
}

fn row_to_dict<'py>(py: Python<'py>, r: &Row) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("teaser_id", r.teaser_id)?;
    d.set_item("headline", r.headline.as_deref())?;
    d.set_item("text", r.text.as_deref())?;
    d.set_item("truncated", r.truncated)?;
    d.set_item("variants", PyList::new(py, &r.variants)?)?;
    let pages = r.pages.iter().map(|(id, line)| PyTuple::new(py, [id_to_py(py, id)?, line.into_pyobject(py)?.into_any()])).collect::<PyResult<Vec<_>>>()?;
    d.set_item("pages", PyList::new(py, pages)?)?;
    d.set_item("n_pages", r.n_pages)?;
    d.set_item("first_seen", r.first_seen)?;
    d.set_item("article", r.article.as_ref().map(|a| id_to_py(py, a)).transpose()?)?;
    d.set_item("article_score", r.article_score)?;
    Ok(d)
}

/// The teaser catalogue: one row per distinct story blurb.
#[pyclass(frozen, module = "newsclean", name = "Teasers")]
struct PyTeasers {
    rows: Vec<Row>,
}

#[pymethods]
impl PyTeasers {
    /// The column names, in order.
    #[classattr]
    fn columns() -> Vec<&'static str> {
        COLUMNS.to_vec()
    }

    /// Every row as a dict.
    fn to_list<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.rows.iter().map(|r| row_to_dict(py, r)).collect()
    }

    /// The rows as a pandas DataFrame (pandas is imported here, and only here).
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let pd = py.import("pandas").map_err(|e| PyImportError::new_err(format!("Teasers.to_pandas needs pandas (pip install pandas): {e}")))?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("columns", COLUMNS.to_vec())?;
        pd.getattr("DataFrame")?.call((self.to_list(py)?,), Some(&kwargs))
    }

    fn __len__(&self) -> usize {
        self.rows.len()
    }

    fn __getitem__<'py>(&self, py: Python<'py>, i: isize) -> PyResult<Bound<'py, PyDict>> {
        let n = self.rows.len() as isize;
        let k = if i < 0 { i + n } else { i };
        if k < 0 || k >= n {
            return Err(PyIndexError::new_err(format!("row {i} out of range for {n} rows")));
        }
        row_to_dict(py, &self.rows[k as usize])
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(PyList::new(py, self.to_list(py)?)?.try_iter()?.into_any())
    }

    fn __repr__(&self) -> String {
        let linked = self.rows.iter().filter(|r| r.article.is_some()).count();
        let occ: usize = self.rows.iter().map(|r| r.pages.len()).sum();
        format!("Teasers(rows={}, occurrences={occ}, linked={linked})", self.rows.len())
    }
}

#[pyfunction]
#[pyo3(signature = (texts, *, sites = None, ids = None, profile = None, num_threads = None))]
fn teasers(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    sites: Option<&Bound<'_, PyAny>>,
    ids: Option<&Bound<'_, PyAny>>,
    profile: Option<&Bound<'_, PyAny>>,
    num_threads: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTeasers> {
    let threads = extract_threads(num_threads)?;
    let learn = match profile {
        Some(p) if p.is_instance_of::<PyString>() => match p.cast::<PyString>()?.to_str()? {
            "learn" => true,
            other => return Err(PyValueError::new_err(format!("profile must be a Profile, \"learn\" or None, not {other:?}"))),
        },
        _ => false,
    };
    let given = match profile.filter(|p| !p.is_none() && !learn) {
        Some(p) => Some(p.cast::<PyProfile>().map_err(|_| PyTypeError::new_err(format!("profile must be a Profile, \"learn\" or None, not {}", type_name(p))))?.borrow()),
        None => None,
    };
    let batch = Batch::extract(texts, sites, ids)?;
    let seg = default_segmenter();
    let given = given.as_deref().map(|p| &p.inner);
    let rows = py
        .detach(|| {
            // "learn": the sites' templates counted from these very pages (Profile.learn).
            let learned = if learn {
                let pages: Vec<(Option<&str>, &str)> = batch.texts.iter().zip(&batch.sites).filter_map(|(t, s)| t.as_deref().map(|t| (s.as_deref(), t))).collect();
                Some(crate::Profile::learn(&pages, threads)?)
            } else {
                None
            };
            let prof = learned.as_ref().or(given);
            core::catalogue(&seg, &batch.inputs(), prof, &Options::default(), threads)
        })
        .map_err(to_pyerr)?;
    Ok(PyTeasers { rows })
}

/// A catalogue built from batches: `add` every batch, `link` every batch again, `finish`.
#[pyclass(frozen, module = "newsclean", name = "TeaserCatalogue")]
struct PyTeaserCatalogue {
    inner: Mutex<Collector>,
    profile: Option<Py<PyProfile>>,
    threads: Option<usize>,
}

impl PyTeaserCatalogue {
    fn run(
        &self,
        py: Python<'_>,
        texts: &Bound<'_, PyAny>,
        sites: Option<&Bound<'_, PyAny>>,
        ids: Option<&Bound<'_, PyAny>>,
        linking: bool,
    ) -> PyResult<()> {
        let batch = Batch::extract(texts, sites, ids)?;
        let seg = default_segmenter();
        let pref = self.profile.as_ref().map(|p| p.bind(py).borrow());
        let prof = pref.as_deref().map(|p| &p.inner);
        let threads = self.threads;
        py.detach(|| {
            let mut c = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            if linking {
                c.link(&seg, &batch.inputs(), prof, threads).map_err(to_pyerr)
            } else if c.is_linking() {
                Err(PyRuntimeError::new_err("TeaserCatalogue.add() after link(): add every batch first, then link them"))
            } else {
                c.add(&seg, &batch.inputs(), prof, threads).map_err(to_pyerr)
            }
        })
    }
}

#[pymethods]
impl PyTeaserCatalogue {
    #[new]
    #[pyo3(signature = (*, profile = None, num_threads = None))]
    fn new(profile: Option<Py<PyProfile>>, num_threads: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let threads = extract_threads(num_threads)?;
        let inner = Collector::new(Options::default()).map_err(to_pyerr)?;
        Ok(Self { inner: Mutex::new(inner), profile, threads })
    }

    #[pyo3(signature = (texts, *, sites = None, ids = None))]
    fn add(&self, py: Python<'_>, texts: &Bound<'_, PyAny>, sites: Option<&Bound<'_, PyAny>>, ids: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.run(py, texts, sites, ids, false)
    }

    #[pyo3(signature = (texts, *, sites = None, ids = None))]
    fn link(&self, py: Python<'_>, texts: &Bound<'_, PyAny>, sites: Option<&Bound<'_, PyAny>>, ids: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        self.run(py, texts, sites, ids, true)
    }

    fn finish(&self, py: Python<'_>) -> PyResult<PyTeasers> {
        let threads = self.threads;
        let rows = py.detach(|| self.inner.lock().unwrap_or_else(PoisonError::into_inner).finish(threads)).map_err(to_pyerr)?;
        Ok(PyTeasers { rows })
    }

    #[getter]
    fn pages_added(&self) -> u64 {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).pages_added()
    }

    #[getter]
    fn pages_linked(&self) -> u64 {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).pages_linked()
    }

    fn __repr__(&self) -> String {
        let c = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        format!("TeaserCatalogue(pages_added={}, pages_linked={}, forms={}, occurrences={})", c.pages_added(), c.pages_linked(), c.n_forms(), c.n_occurrences())
    }
}

/// Adds the teaser functions and classes to the extension module.
pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTeasers>()?;
    m.add_class::<PyTeaserCatalogue>()?;
    m.add_function(wrap_pyfunction!(teasers, m)?)?;
    Ok(())
}
