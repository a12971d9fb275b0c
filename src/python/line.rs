//! The `Line` class, made with the C API's `PyType_FromSpec` rather than as a pyo3 class.
//!
//! A batch's caller reads hundreds of thousands of lines, one `Line` object each, made when
//! the line is read (`page.rs`, `Lines`) and freed a moment later; the object's set-up, not
//! the work, was the serial cost. A pyo3 class pays per object for the base type's `tp_new`,
//! the cycle collector's header and links, a lock around its free list and an entry
//! trampoline on every slot. This type has none of them: it is not a GC type (a line holds
//! only its page, which cannot hold a line, so no cycle is possible), its free list is
//! guarded by a flag that is only ever tried (never a lock that waits), `index`, `start` and `end` are plain struct members read by
//! CPython, and the few functions of its own are wrapped against panics here (a panic
//! becomes `PanicException`, never an unwind across the C boundary).
//!
//! The objects are made only by [`new_line`] (the type cannot be instantiated from Python),
//! so every field of every live object is initialised.

use std::cell::UnsafeCell;
use std::ffi::{c_int, c_void};
use std::mem::{offset_of, size_of};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::exceptions::{PyMemoryError, PyRuntimeError};
use pyo3::ffi;
use pyo3::panic::PanicException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyString, PyType};

use super::page::{label_str, reason_str, PyPage};
use crate::segment::Line as CoreLine;

/// The object: the page (a `Page`, strong reference) and the line's position and span.
#[repr(C)]
struct LineObject {
    ob_base: ffi::PyObject,
    page: Py<PyPage>,
    index: ffi::Py_ssize_t,
    start: ffi::Py_ssize_t,
    end: ffi::Py_ssize_t,
}

impl LineObject {
    /// The line's index in its page (`new_line` wrote it from a `usize`).
    fn index(&self) -> usize {
        usize::try_from(self.index).unwrap_or(usize::MAX)
    }
}

/// Freed line objects kept for reuse (their memory, not their contents).
struct FreeList {
    items: UnsafeCell<[*mut ffi::PyObject; FREE_MAX]>,
    len: UnsafeCell<usize>,
    /// Held while `items` and `len` are touched. Only ever tried, never waited for: a thread
    /// that finds it taken allocates or frees the object the ordinary way instead.
    busy: AtomicBool,
}

const FREE_MAX: usize = 64;

// SAFETY: `items` and `len` are only touched by the thread that set `busy` (an acquire on
// taking it, a release on giving it back), so no two threads touch them at once. With the GIL
// (the module is declared `gil_used = true`) the flag is never found taken; it keeps the list
// sound when a free-threaded CPython runs with its GIL off anyway (`PYTHON_GIL=0`).
unsafe impl Sync for FreeList {}

static FREE: FreeList = FreeList { items: UnsafeCell::new([ptr::null_mut(); FREE_MAX]), len: UnsafeCell::new(0), busy: AtomicBool::new(false) };

impl FreeList {
    /// Runs `f` on the list when no other thread has it.
    fn with<R>(&self, f: impl FnOnce(&mut [*mut ffi::PyObject; FREE_MAX], &mut usize) -> R) -> Option<R> {
        if self.busy.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
            return None;
        }
        // SAFETY: `busy` is ours until the store below, so no other access runs.
        let out = unsafe { f(&mut *self.items.get(), &mut *self.len.get()) };
        self.busy.store(false, Ordering::Release);
        Some(out)
    }

    /// A kept object's memory, if any.
    fn pop(&self) -> Option<*mut ffi::PyObject> {
        self.with(|items, len| {
            let n = len.checked_sub(1)?;
            *len = n;
            Some(items[n])
        })
        .flatten()
    }

    /// Keeps `obj`'s memory; false when the list is full (or in use by another thread).
    fn push(&self, obj: *mut ffi::PyObject) -> bool {
        self.with(|items, len| {
            if *len == FREE_MAX {
                return false;
            }
            items[*len] = obj;
            *len += 1;
            true
        })
        .unwrap_or(false)
    }
}

static LINE_TYPE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The `Line` type, made on first use.
pub(super) fn line_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    LINE_TYPE.get_or_try_init(py, || make_type(py)).map(|t| t.bind(py))
}

const DOC_INDEX: &std::ffi::CStr = c"Position of the line in the page: text.split(\"\\n\")[index] is this line (less one trailing \"\\r\").";
const DOC_START: &std::ffi::CStr = c"Offset (in characters) of the line's first character in the input.";
const DOC_END: &std::ffi::CStr =
    c"Offset just past the line's line break, or the end of the input for the last line; consecutive lines' start:end spans partition the input.";

fn make_type(py: Python<'_>) -> PyResult<Py<PyType>> {
    let member = |name: &'static std::ffi::CStr, offset: usize, doc: &'static std::ffi::CStr| ffi::PyMemberDef {
        name: name.as_ptr(),
        type_code: ffi::Py_T_PYSSIZET,
        offset: offset as ffi::Py_ssize_t,
        flags: ffi::Py_READONLY,
        doc: doc.as_ptr(),
    };
    let zero_member = ffi::PyMemberDef { name: ptr::null(), type_code: 0, offset: 0, flags: 0, doc: ptr::null() };
    // The type keeps pointers into these tables for its whole life: they are leaked (once).
    let members: &'static mut [ffi::PyMemberDef] = Box::leak(Box::new([
        member(c"index", offset_of!(LineObject, index), DOC_INDEX),
        member(c"start", offset_of!(LineObject, start), DOC_START),
        member(c"end", offset_of!(LineObject, end), DOC_END),
        zero_member,
    ]));
    let getset = |name: &'static std::ffi::CStr, get: ffi::getter, doc: &'static std::ffi::CStr| ffi::PyGetSetDef {
        name: name.as_ptr(),
        get: Some(get),
        set: None,
        doc: doc.as_ptr(),
        closure: ptr::null_mut(),
    };
    let getsets: &'static mut [ffi::PyGetSetDef] = Box::leak(Box::new([
        getset(c"text", get_text, c"The line's text, without its line break."),
        getset(c"label", get_label, c"\"headline\", \"teaser\", \"body\" or \"boilerplate\"."),
        getset(c"reason", get_reason, c"A stable code saying why the line got its label; see newsclean.REASONS."),
        ffi::PyGetSetDef { name: ptr::null(), get: None, set: None, doc: ptr::null(), closure: ptr::null_mut() },
    ]));
    let slot = |slot: c_int, pfunc: *mut c_void| ffi::PyType_Slot { slot, pfunc };
    let slots: &'static mut [ffi::PyType_Slot] = Box::leak(Box::new([
        slot(ffi::Py_tp_dealloc, line_dealloc as *mut c_void),
        slot(ffi::Py_tp_free, ffi::PyObject_Free as *mut c_void),
        slot(ffi::Py_tp_members, members.as_mut_ptr().cast()),
        slot(ffi::Py_tp_getset, getsets.as_mut_ptr().cast()),
        slot(ffi::Py_tp_repr, line_repr as *mut c_void),
        slot(ffi::Py_tp_richcompare, line_richcompare as *mut c_void),
        slot(ffi::Py_tp_hash, line_hash as *mut c_void),
        slot(ffi::Py_tp_doc, c"A labelled line of a page, made when it is read from page.lines.".as_ptr() as *mut c_void),
        slot(0, ptr::null_mut()),
    ]));
    let spec: &'static mut ffi::PyType_Spec = Box::leak(Box::new(ffi::PyType_Spec {
        name: c"newsclean.Line".as_ptr(),
        basicsize: c_int::try_from(size_of::<LineObject>()).map_err(|_| PyRuntimeError::new_err("Line object too large"))?,
        itemsize: 0,
        flags: (ffi::Py_TPFLAGS_DEFAULT | ffi::Py_TPFLAGS_IMMUTABLETYPE | ffi::Py_TPFLAGS_DISALLOW_INSTANTIATION) as std::ffi::c_uint,
        slots: slots.as_mut_ptr(),
    }));
    // SAFETY: the spec and its tables are valid and live forever; we hold the GIL.
    let tp = unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyType_FromSpec(spec))? };
    Ok(tp.cast_into::<PyType>()?.unbind())
}

/// A new `Line`: line `index` (in range) of `page`.
pub(super) fn new_line(py: Python<'_>, page: &Py<PyPage>, index: usize) -> PyResult<Py<PyAny>> {
    let core = page.get().page.lines.get(index).ok_or_else(|| PyRuntimeError::new_err("line index past the page"))?;
    let tp = line_type(py)?.as_type_ptr();
    // The spans are offsets into a `str`, whose length fits in Py_ssize_t.
    let ssize = |v: usize| ffi::Py_ssize_t::try_from(v).unwrap_or(ffi::Py_ssize_t::MAX);
    let obj = match FREE.pop() {
        Some(obj) => obj,
        // SAFETY: the GIL is held (`py`); PyObject_Malloc has no other precondition.
        None => unsafe { ffi::PyObject_Malloc(size_of::<LineObject>()) }.cast::<ffi::PyObject>(),
    };
    if obj.is_null() {
        return Err(PyMemoryError::new_err("no memory for a Line"));
    }
    // SAFETY: `obj` is an allocation of `LineObject`'s size, not in use: PyObject_Init sets its
    // type (counting a reference to it) and reference count, then every field is written.
    unsafe {
        ffi::PyObject_Init(obj, tp);
        let o = obj.cast::<LineObject>();
        ptr::addr_of_mut!((*o).page).write(page.clone_ref(py));
        ptr::addr_of_mut!((*o).index).write(ssize(index));
        ptr::addr_of_mut!((*o).start).write(ssize(core.start));
        ptr::addr_of_mut!((*o).end).write(ssize(core.end));
        Ok(Bound::from_owned_ptr(py, obj).unbind())
    }
}

/// The page and index of `obj` if it is a `Line`.
pub(super) fn line_parts<'a>(obj: &'a Bound<'_, PyAny>) -> Option<(&'a Py<PyPage>, usize)> {
    let tp = LINE_TYPE.get(obj.py())?;
    if !obj.get_type().is(tp) {
        return None;
    }
    // SAFETY: `obj` is a live `Line` (its exact type; the type has no subclasses), so it is a
    // `LineObject` with every field set, borrowed for `'a`.
    let o = unsafe { &*obj.as_ptr().cast::<LineObject>() };
    Some((&o.page, o.index()))
}

/// The fields of the `Line` `slf`.
///
/// # Safety
/// `slf` must be a live `Line` (CPython passes one to the type's slots).
unsafe fn fields<'a>(slf: *mut ffi::PyObject) -> (&'a PyPage, &'a CoreLine, &'a LineObject) {
    // SAFETY: the caller's contract.
    let o = unsafe { &*slf.cast::<LineObject>() };
    let page = o.page.get();
    // `new_line` checked the index, and a page never changes; a miss would be a bug, and
    // the panic it gives is caught by `guarded`.
    let line = &page.page.lines[o.index()];
    (page, line, o)
}

/// Runs a slot's body with the GIL token, turning its error into a raised exception (null)
/// and a panic into `PanicException`.
fn guarded(f: impl FnOnce(Python<'_>) -> PyResult<*mut ffi::PyObject>) -> *mut ffi::PyObject {
    // SAFETY: CPython calls a type's slots with the GIL held.
    let py = unsafe { Python::assume_attached() };
    match catch_unwind(AssertUnwindSafe(|| f(py))) {
        Ok(Ok(obj)) => obj,
        Ok(Err(e)) => {
            e.restore(py);
            ptr::null_mut()
        }
        Err(_) => {
            PanicException::new_err("a Line method panicked (a bug in newsclean)").restore(py);
            ptr::null_mut()
        }
    }
}

unsafe extern "C" fn get_text(slf: *mut ffi::PyObject, _closure: *mut c_void) -> *mut ffi::PyObject {
    guarded(|py| {
        // SAFETY: CPython passes a live `Line`.
        let (page, _, o) = unsafe { fields(slf) };
        page.line_text(py, o.index()).map(Bound::into_ptr)
    })
}

unsafe extern "C" fn get_label(slf: *mut ffi::PyObject, _closure: *mut c_void) -> *mut ffi::PyObject {
    guarded(|py| {
        // SAFETY: as `get_text`.
        let (_, line, _) = unsafe { fields(slf) };
        Ok(label_str(py, line.label).into_ptr())
    })
}

unsafe extern "C" fn get_reason(slf: *mut ffi::PyObject, _closure: *mut c_void) -> *mut ffi::PyObject {
    guarded(|py| {
        // SAFETY: as `get_text`.
        let (_, line, _) = unsafe { fields(slf) };
        Ok(reason_str(py, line.reason).into_ptr())
    })
}

unsafe extern "C" fn line_repr(slf: *mut ffi::PyObject) -> *mut ffi::PyObject {
    guarded(|py| {
        // SAFETY: as `get_text`.
        let (page, line, o) = unsafe { fields(slf) };
        let text = page.line_text(py, o.index())?;
        let text = text.to_str()?;
        let short: String = text.chars().take(40).collect();
        let ell = if short.len() < text.len() { "…" } else { "" };
        let s = format!("Line(index={}, label={:?}, reason={:?}, text={:?}{ell})", o.index, line.label.as_str(), line.reason, short);
        Ok(PyString::new(py, &s).into_ptr())
    })
}

/// Two lines are equal when they are the same line of the same page object.
unsafe extern "C" fn line_richcompare(a: *mut ffi::PyObject, b: *mut ffi::PyObject, op: c_int) -> *mut ffi::PyObject {
    guarded(|py| {
        // SAFETY: CPython passes live objects, `a` a `Line`.
        let (a, b) = unsafe { (Bound::from_borrowed_ptr(py, a), Bound::from_borrowed_ptr(py, b)) };
        let same = match (line_parts(&a), line_parts(&b)) {
            (Some((pa, ia)), Some((pb, ib))) => pa.is(pb) && ia == ib,
            _ => return Ok(py.NotImplemented().into_ptr()),
        };
        Ok(match op {
            ffi::Py_EQ => PyBool::new(py, same).to_owned().into_ptr(),
            ffi::Py_NE => PyBool::new(py, !same).to_owned().into_ptr(),
            _ => py.NotImplemented().into_ptr(),
        })
    })
}

unsafe extern "C" fn line_hash(slf: *mut ffi::PyObject) -> ffi::Py_hash_t {
    // SAFETY: CPython passes a live `Line`.
    let o = unsafe { &*slf.cast::<LineObject>() };
    // The page's address and the index: what equality compares (-1 means an error).
    let h = (o.page.as_ptr() as ffi::Py_hash_t).rotate_left(20) ^ o.index;
    if h == -1 {
        -2
    } else {
        h
    }
}

unsafe extern "C" fn line_dealloc(slf: *mut ffi::PyObject) {
    // SAFETY: CPython calls this once, with the GIL held, on a `Line` whose count reached
    // zero; after reading the page out, the memory is reused or freed and never read again.
    unsafe {
        let page = ptr::read(ptr::addr_of!((*slf.cast::<LineObject>()).page));
        let tp = ffi::Py_TYPE(slf);
        if !FREE.push(slf) {
            ffi::PyObject_Free(slf.cast());
        }
        // An instance of a heap type holds a reference to its type (PyObject_Init took it).
        ffi::Py_DECREF(tp.cast());
        // Last, as it may free the page (which never reaches back to this line).
        ffi::Py_DECREF(page.into_ptr());
    }
}
