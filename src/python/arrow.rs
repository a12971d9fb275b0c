//! Arrow input for the batch functions: any object with the Arrow PyCapsule interface
//! (`__arrow_c_stream__` or `__arrow_c_array__`: pyarrow arrays and chunked arrays, polars
//! series, pandas Series stored in Arrow) is read through the C data interface
//! (`crate::arrow`), without one Python `str` per row.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::to_pyerr;
use crate::arrow::{self as core, FfiArray, FfiSchema, FfiStream, OwnedArray, StringLayout};

/// A batch of texts read from Arrow: the arrays (owned, released on drop) and each value's
/// UTF-8 bytes inside them, as plain pointers so they can cross into the GIL-free work.
pub(super) struct ArrowTexts {
    _chunks: Vec<OwnedArray>,
    /// (pointer, length) of each value's UTF-8 bytes; `None` for nulls.
    pub(super) raw: Vec<Option<(usize, usize)>>,
}

impl ArrowTexts {
    /// The texts as `&str` (`None` for nulls), borrowed from the arrays.
    pub(super) fn texts(&self) -> Vec<Option<&str>> {
        self.raw
            .iter()
            .map(|t| {
                t.map(|(p, n)| {
                    // SAFETY: (p, n) is a value checked to be UTF-8 inside a buffer of one of
                    // `_chunks`, which stay alive (and immutable) as long as `self`.
                    unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(p as *const u8, n)) }
                })
            })
            .collect()
    }

    /// The texts copied into owned strings.
    pub(super) fn to_owned(&self) -> Vec<Option<String>> {
        self.texts().into_iter().map(|t| t.map(str::to_owned)).collect()
    }
}

/// Should `obj` be read as Arrow? Objects with the PyCapsule interface are, except pandas
/// objects whose data is not stored in Arrow (object columns, categoricals, the Python string
/// storage): exporting those would first build an Arrow copy from Python objects, and the
/// item-by-item path names a bad item's index.
fn wants_arrow(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    let stream = obj.hasattr("__arrow_c_stream__")?;
    if !stream && !obj.hasattr("__arrow_c_array__")? {
        return Ok(false);
    }
    let module: String = obj.get_type().module().map(|m| m.to_string()).unwrap_or_default();
    if !module.starts_with("pandas") {
        return Ok(true);
    }
    let Ok(dtype) = obj.getattr("dtype") else { return Ok(false) };
    let dtype_type = dtype.get_type().name().map(|n| n.to_string()).unwrap_or_default();
    if dtype_type == "ArrowDtype" {
        return Ok(true);
    }
    Ok(dtype_type == "StringDtype" && dtype.getattr("storage").is_ok_and(|s| s.extract::<String>().is_ok_and(|s| s == "pyarrow")))
}

/// The pointer inside a capsule of the given name.
fn capsule_pointer(capsule: &Bound<'_, PyAny>, name: &std::ffi::CStr) -> PyResult<*mut std::ffi::c_void> {
    // SAFETY: we hold the GIL; PyCapsule_GetPointer checks the type and the name and sets an
    // exception (returning null) when they do not match.
    let p = unsafe { ffi::PyCapsule_GetPointer(capsule.as_ptr(), name.as_ptr()) };
    if p.is_null() {
        return Err(PyErr::fetch(capsule.py()));
    }
    Ok(p)
}

/// Reads `obj` through the Arrow PyCapsule interface when it offers it (see `wants_arrow`);
/// `None` when it does not, so the caller takes the item-by-item path.
pub(super) fn arrow_texts(obj: &Bound<'_, PyAny>) -> PyResult<Option<ArrowTexts>> {
    if !wants_arrow(obj)? {
        return Ok(None);
    }
    let py = obj.py();
    let (layout, chunks) = if obj.hasattr("__arrow_c_stream__")? {
        let capsule = obj.call_method0("__arrow_c_stream__")?;
        let stream = capsule_pointer(&capsule, c"arrow_array_stream")?.cast::<FfiStream>();
        // SAFETY: a live stream owned by the capsule (which releases it when collected, after
        // this call); the chunks it gives are ours and independent of it.
        unsafe { core::read_stream(&mut *stream) }.map_err(to_pyerr)?
    } else {
        let pair = obj.call_method0("__arrow_c_array__")?;
        let pair = pair.cast::<PyTuple>()?;
        let (schema, array) = (pair.get_item(0)?, pair.get_item(1)?);
        let schema = capsule_pointer(&schema, c"arrow_schema")?.cast::<FfiSchema>();
        let array = capsule_pointer(&array, c"arrow_array")?.cast::<FfiArray>();
        // SAFETY: the capsules hold schema and array structs (released ones have no release
        // callback, and their buffers must not be read).
        if unsafe { (*schema).release.is_none() || (*array).release.is_none() } {
            return Err(to_pyerr(crate::Error::InvalidArrowData { index: None, message: "the Arrow capsule holds a released schema or array".into() }));
        }
        // SAFETY: the schema capsule holds a live schema.
        let layout = unsafe { StringLayout::of(&*schema) }.map_err(to_pyerr)?;
        // Move the array out of its capsule (the interface's way to take ownership: copy the
        // struct, mark the original released so the capsule's destructor leaves it alone).
        // SAFETY: the capsule holds a live, filled array.
        let owned = unsafe {
            let moved = std::ptr::read(array);
            (*array).release = None;
            OwnedArray(moved)
        };
        (layout, vec![owned])
    };
    let raw = py
        .detach(|| {
            // SAFETY: each chunk is a live array of `layout` (its stream's or capsule's schema
            // says so); the pointers kept borrow the chunks, which `ArrowTexts` keeps alive.
            let values = unsafe { core::read_chunks(layout, &chunks) }?;
            Ok(values.iter().map(|v| v.map(|s| (s.as_ptr() as usize, s.len()))).collect())
        })
        .map_err(to_pyerr)?;
    Ok(Some(ArrowTexts { _chunks: chunks, raw }))
}
