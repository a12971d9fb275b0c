//! Reading string columns through the [Arrow C data interface], without copying them.
//!
//! pyarrow arrays, pandas 3 string columns, polars series and other Arrow producers hand their
//! data over as `ArrowSchema` / `ArrowArray` structs (or an `ArrowArrayStream` of chunks). This
//! module reads the three string layouts, `utf8`, `large_utf8` and `string_view`, with their
//! validity bitmaps and offsets, as borrowed `&str` values: no Python object per row and no
//! copy. A null is `None` (an empty result, like a Python `None`).
//!
//! It reads the C structs itself instead of depending on the `arrow` crates: only three
//! layouts are needed, the C data interface is a fixed ABI, and arrow-array with arrow-schema
//! (`ffi` feature) bring 35 crates (arrow-data, arrow-buffer, chrono, half, num, ...) and about
//! 67 s of CPU to a release build whose whole extension takes about 81 s, for none of their
//! compute.
//!
//! The C data interface does not carry buffer lengths for `utf8` and `large_utf8`: their
//! offsets are trusted to lie inside the data buffer, as every consumer must. Offsets are
//! checked to be non-negative and non-decreasing, `string_view` views are checked against the
//! buffer sizes the layout does carry, and every value is checked to be valid UTF-8.
//!
//! [Arrow C data interface]: https://arrow.apache.org/docs/format/CDataInterface.html

use std::ffi::{c_char, c_int, c_void, CStr};

use crate::error::Error;

/// `struct ArrowSchema` of the C data interface.
#[repr(C)]
#[derive(Debug)]
pub struct FfiSchema {
    /// The type, as a format string (`"u"`, `"U"`, `"vu"`, ...).
    pub format: *const c_char,
    /// The field name (may be null).
    pub name: *const c_char,
    /// Metadata (may be null).
    pub metadata: *const c_char,
    /// Flags (nullable, ...).
    pub flags: i64,
    /// Number of children.
    pub n_children: i64,
    /// The children.
    pub children: *mut *mut FfiSchema,
    /// The dictionary's schema, for dictionary-encoded types.
    pub dictionary: *mut FfiSchema,
    /// Frees the struct's data; null once released.
    pub release: Option<unsafe extern "C" fn(*mut FfiSchema)>,
    /// The producer's data.
    pub private_data: *mut c_void,
}

/// `struct ArrowArray` of the C data interface.
#[repr(C)]
#[derive(Debug)]
pub struct FfiArray {
    /// Number of values.
    pub length: i64,
    /// Number of nulls (-1: not computed).
    pub null_count: i64,
    /// Logical offset into the buffers (a slice).
    pub offset: i64,
    /// Number of buffers.
    pub n_buffers: i64,
    /// Number of children.
    pub n_children: i64,
    /// The buffers (validity first).
    pub buffers: *mut *const c_void,
    /// The children.
    pub children: *mut *mut FfiArray,
    /// The dictionary, for dictionary-encoded types.
    pub dictionary: *mut FfiArray,
    /// Frees the struct's data; null once released.
    pub release: Option<unsafe extern "C" fn(*mut FfiArray)>,
    /// The producer's data.
    pub private_data: *mut c_void,
}

/// `struct ArrowArrayStream` of the C stream interface.
#[repr(C)]
#[derive(Debug)]
pub struct FfiStream {
    /// Writes the stream's schema.
    pub get_schema: Option<unsafe extern "C" fn(*mut FfiStream, *mut FfiSchema) -> c_int>,
    /// Writes the next chunk (a released array at the end).
    pub get_next: Option<unsafe extern "C" fn(*mut FfiStream, *mut FfiArray) -> c_int>,
    /// The last error's message.
    pub get_last_error: Option<unsafe extern "C" fn(*mut FfiStream) -> *const c_char>,
    /// Frees the stream; null once released.
    pub release: Option<unsafe extern "C" fn(*mut FfiStream)>,
    /// The producer's data.
    pub private_data: *mut c_void,
}

impl FfiSchema {
    /// A released (empty) struct for a producer to fill.
    #[must_use]
    pub const fn empty() -> Self {
        Self {
            format: std::ptr::null(),
            name: std::ptr::null(),
            metadata: std::ptr::null(),
            flags: 0,
            n_children: 0,
            children: std::ptr::null_mut(),
            dictionary: std::ptr::null_mut(),
            release: None,
            private_data: std::ptr::null_mut(),
        }
    }
}

impl FfiArray {
    /// A released (empty) struct for a producer to fill.
    #[must_use]
    pub const fn empty() -> Self {
        Self {
            length: 0,
            null_count: 0,
            offset: 0,
            n_buffers: 0,
            n_children: 0,
            buffers: std::ptr::null_mut(),
            children: std::ptr::null_mut(),
            dictionary: std::ptr::null_mut(),
            release: None,
            private_data: std::ptr::null_mut(),
        }
    }
}

/// A schema this side owns: released when dropped.
#[derive(Debug)]
pub struct OwnedSchema(pub FfiSchema);

impl Drop for OwnedSchema {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: the struct was filled by its producer and is released exactly once.
            unsafe { release(&mut self.0) };
        }
    }
}

/// An array this side owns: released when dropped. Its buffers stay valid until then.
#[derive(Debug)]
pub struct OwnedArray(pub FfiArray);

impl Drop for OwnedArray {
    fn drop(&mut self) {
        if let Some(release) = self.0.release {
            // SAFETY: the struct was filled by its producer and is released exactly once.
            unsafe { release(&mut self.0) };
        }
    }
}

// SAFETY: the C data interface requires producers to allow release from any thread, and the
// buffers are immutable while the array is alive.
unsafe impl Send for OwnedArray {}
// SAFETY: as above; nothing in the struct is mutated through a shared reference.
unsafe impl Sync for OwnedArray {}

/// The string layouts this module reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringLayout {
    /// `utf8` (format `"u"`): 32-bit offsets.
    Utf8,
    /// `large_utf8` (format `"U"`): 64-bit offsets.
    LargeUtf8,
    /// `string_view` (format `"vu"`): 16-byte views, short strings inline.
    Utf8View,
}

impl StringLayout {
    /// The layout of a schema.
    ///
    /// # Errors
    /// [`Error::UnsupportedArrowType`] for any other type.
    ///
    /// # Safety
    /// `schema` must be a live, filled `ArrowSchema` (not released).
    pub unsafe fn of(schema: &FfiSchema) -> Result<Self, Error> {
        if schema.format.is_null() {
            return Err(Error::InvalidArrowData { index: None, message: "the schema has no format string".into() });
        }
        // SAFETY: a filled schema's format is a NUL-terminated string (the caller's contract).
        let format = unsafe { CStr::from_ptr(schema.format) }.to_string_lossy();
        match &*format {
            "u" => Ok(Self::Utf8),
            "U" => Ok(Self::LargeUtf8),
            "vu" => Ok(Self::Utf8View),
            _ => Err(Error::UnsupportedArrowType { format: format.into_owned(), dictionary: !schema.dictionary.is_null() }),
        }
    }
}

fn invalid(index: Option<usize>, message: impl Into<String>) -> Error {
    Error::InvalidArrowData { index, message: message.into() }
}

fn utf8(bytes: &[u8], index: usize) -> Result<&str, Error> {
    std::str::from_utf8(bytes).map_err(|e| invalid(Some(index), format!("not valid UTF-8 ({e})")))
}

/// Appends the values of a string array to `out` (`None` for nulls). `first` is the index of
/// the array's first value in the whole input, for messages.
///
/// # Errors
/// [`Error::InvalidArrowData`] for a malformed array or a value that is not UTF-8, naming the
/// value's index.
///
/// # Safety
/// `array` must be a live `ArrowArray` of `layout` (as its schema says), filled by a producer
/// that follows the C data interface; the returned values borrow its buffers.
pub unsafe fn read_strings<'a>(layout: StringLayout, array: &'a FfiArray, first: usize, out: &mut Vec<Option<&'a str>>) -> Result<(), Error> {
    let (Ok(len), Ok(offset)) = (usize::try_from(array.length), usize::try_from(array.offset)) else {
        return Err(invalid(None, format!("negative length {} or offset {}", array.length, array.offset)));
    };
    if len == 0 {
        return Ok(());
    }
    // utf8 and large_utf8: validity, offsets, data; string_view: validity, views, the data
    // buffers (any number), their sizes.
    let want = 3;
    let n_buffers = usize::try_from(array.n_buffers).unwrap_or(0);
    if n_buffers < want || array.buffers.is_null() {
        return Err(invalid(None, format!("a string array needs at least {want} buffers, this one has {}", array.n_buffers)));
    }
    // SAFETY: `buffers` points to `n_buffers` pointers (the caller's contract).
    let buffers = unsafe { std::slice::from_raw_parts(array.buffers, n_buffers) };
    let validity = buffers[0].cast::<u8>();
    let is_valid = |i: usize| -> bool {
        if validity.is_null() || array.null_count == 0 {
            return true;
        }
        let bit = offset + i;
        // SAFETY: a validity bitmap holds at least offset + length bits.
        unsafe { *validity.add(bit / 8) >> (bit % 8) & 1 == 1 }
    };
    out.reserve(len);
    match layout {
        StringLayout::Utf8 | StringLayout::LargeUtf8 => {
            let (offsets, data) = (buffers[1], buffers[2].cast::<u8>());
            if offsets.is_null() {
                return Err(invalid(None, "the offsets buffer is null"));
            }
            // The value offsets, widened to i64.
            let at = |k: usize| -> i64 {
                // SAFETY: an offsets buffer holds offset + length + 1 entries.
                unsafe {
                    if layout == StringLayout::Utf8 {
                        i64::from(*offsets.cast::<i32>().add(offset + k))
                    } else {
                        *offsets.cast::<i64>().add(offset + k)
                    }
                }
            };
            let mut start = at(0);
            for i in 0..len {
                let end = at(i + 1);
                if start < 0 || end < start {
                    return Err(invalid(Some(first + i), format!("bad offsets {start}..{end}")));
                }
                if !is_valid(i) {
                    out.push(None);
                } else if end == start {
                    out.push(Some(""));
                } else {
                    if data.is_null() {
                        return Err(invalid(Some(first + i), "the data buffer is null"));
                    }
                    // SAFETY: offsets lie inside the data buffer (the interface's contract;
                    // it carries no buffer length to check against), and start <= end.
                    let bytes = unsafe { std::slice::from_raw_parts(data.add(start as usize), (end - start) as usize) };
                    out.push(Some(utf8(bytes, first + i)?));
                }
                start = end;
            }
        }
        StringLayout::Utf8View => {
            let views = buffers[1].cast::<u8>();
            if views.is_null() {
                return Err(invalid(None, "the views buffer is null"));
            }
            // Data buffers are 2..n-1; the last buffer holds their sizes (int64 each).
            let n_data = n_buffers - 3;
            let sizes = buffers[n_buffers - 1].cast::<i64>();
            if n_data > 0 && sizes.is_null() {
                return Err(invalid(None, "the variadic buffer sizes are missing"));
            }
            for i in 0..len {
                if !is_valid(i) {
                    out.push(None);
                    continue;
                }
                // SAFETY: the views buffer holds offset + length views of 16 bytes.
                let view = unsafe { std::slice::from_raw_parts(views.add((offset + i) * 16), 16) };
                let word = |k: usize| i32::from_le_bytes([view[k], view[k + 1], view[k + 2], view[k + 3]]);
                let n = word(0);
                let Ok(n) = usize::try_from(n) else {
                    return Err(invalid(Some(first + i), format!("negative view length {n}")));
                };
                if n <= 12 {
                    out.push(Some(utf8(&view[4..4 + n], first + i)?));
                    continue;
                }
                let (buf, at) = (word(8), word(12));
                let (Ok(buf), Ok(at)) = (usize::try_from(buf), usize::try_from(at)) else {
                    return Err(invalid(Some(first + i), format!("negative view buffer {buf} or offset {at}")));
                };
                if buf >= n_data {
                    return Err(invalid(Some(first + i), format!("view points to data buffer {buf} of {n_data}")));
                }
                // SAFETY: `sizes` holds one int64 per data buffer.
                let size = unsafe { *sizes.add(buf) };
                if at.checked_add(n).map_or(true, |e| e as u64 > size.max(0) as u64) {
                    return Err(invalid(Some(first + i), format!("view {at}..{} past the end of data buffer {buf} ({size} bytes)", at + n)));
                }
                let data = buffers[2 + buf].cast::<u8>();
                if data.is_null() {
                    return Err(invalid(Some(first + i), "a data buffer is null"));
                }
                // SAFETY: checked against the buffer's size just above.
                let bytes = unsafe { std::slice::from_raw_parts(data.add(at), n) };
                out.push(Some(utf8(bytes, first + i)?));
            }
        }
    }
    Ok(())
}

/// The chunks of an `ArrowArrayStream` and their layout, read to the end.
///
/// # Errors
/// [`Error::UnsupportedArrowType`] when the stream is not of strings,
/// [`Error::InvalidArrowData`] when the producer reports an error.
///
/// # Safety
/// `stream` must be a live, filled `ArrowArrayStream`; the caller keeps ownership (and
/// releases it).
pub unsafe fn read_stream(stream: &mut FfiStream) -> Result<(StringLayout, Vec<OwnedArray>), Error> {
    let fail = |stream: &mut FfiStream, code: c_int, what: &str| -> Error {
        let message = stream
            .get_last_error
            // SAFETY: the stream is live; the message (if any) is a NUL-terminated string
            // valid until the next call on the stream.
            .map(|f| unsafe { f(stream) })
            .filter(|p| !p.is_null())
            // SAFETY: as above.
            .map_or_else(|| format!("error code {code}"), |p| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned());
        invalid(None, format!("the Arrow stream failed to give its {what}: {message}"))
    };
    let (Some(get_schema), Some(get_next)) = (stream.get_schema, stream.get_next) else {
        return Err(invalid(None, "the Arrow stream is released"));
    };
    let mut schema = OwnedSchema(FfiSchema::empty());
    // SAFETY: the stream is live (the caller's contract); `schema` is an empty struct to fill.
    let code = unsafe { get_schema(stream, &mut schema.0) };
    if code != 0 {
        return Err(fail(stream, code, "schema"));
    }
    // SAFETY: filled by the producer just now.
    let layout = unsafe { StringLayout::of(&schema.0) }?;
    let mut chunks = Vec::new();
    loop {
        let mut array = OwnedArray(FfiArray::empty());
        // SAFETY: as for get_schema.
        let code = unsafe { get_next(stream, &mut array.0) };
        if code != 0 {
            return Err(fail(stream, code, "next chunk"));
        }
        if array.0.release.is_none() {
            return Ok((layout, chunks)); // the end of the stream
        }
        chunks.push(array);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An array over buffers that live in the test (no release callback).
    fn array(length: i64, offset: i64, null_count: i64, buffers: &mut Vec<*const c_void>) -> FfiArray {
        FfiArray { length, offset, null_count, n_buffers: buffers.len() as i64, buffers: buffers.as_mut_ptr(), ..FfiArray::empty() }
    }

    fn read(layout: StringLayout, a: &FfiArray) -> Result<Vec<Option<String>>, Error> {
        let mut out = Vec::new();
        // SAFETY: the arrays below are built to the layout.
        unsafe { read_strings(layout, a, 10, &mut out) }?;
        Ok(out.into_iter().map(|s| s.map(str::to_owned)).collect())
    }

    #[test]
    fn utf8_with_nulls_and_a_slice_offset() {
        let data = "abcdéfgh".as_bytes();
        let offsets: [i32; 5] = [0, 3, 3, 4, 9];
        let validity: [u8; 1] = [0b1011]; // value 2 is null
        let mut bufs: Vec<*const c_void> = vec![validity.as_ptr().cast(), offsets.as_ptr().cast(), data.as_ptr().cast()];
        let a = array(4, 0, 1, &mut bufs);
        assert_eq!(read(StringLayout::Utf8, &a).unwrap(), vec![Some("abc".into()), Some(String::new()), None, Some("éfgh".into())]);
        // The slice [1, 3): offsets and validity bits both start at 1.
        let a = array(2, 1, 1, &mut bufs);
        assert_eq!(read(StringLayout::Utf8, &a).unwrap(), vec![Some(String::new()), None]);
    }

    #[test]
    fn large_utf8_without_a_validity_bitmap() {
        let data = b"hello world";
        let offsets: [i64; 3] = [0, 5, 11];
        let mut bufs: Vec<*const c_void> = vec![std::ptr::null(), offsets.as_ptr().cast(), data.as_ptr().cast()];
        let a = array(2, 0, 0, &mut bufs);
        assert_eq!(read(StringLayout::LargeUtf8, &a).unwrap(), vec![Some("hello".into()), Some(" world".into())]);
    }

    fn view(s: &[u8], buf: i32, at: i32) -> [u8; 16] {
        let mut v = [0u8; 16];
        v[..4].copy_from_slice(&(s.len() as i32).to_le_bytes());
        if s.len() <= 12 {
            v[4..4 + s.len()].copy_from_slice(s);
        } else {
            v[4..8].copy_from_slice(&s[..4]);
            v[8..12].copy_from_slice(&buf.to_le_bytes());
            v[12..16].copy_from_slice(&at.to_le_bytes());
        }
        v
    }

    #[test]
    fn string_view_inline_and_out_of_line() {
        let long = b"a string longer than twelve bytes";
        let data: Vec<u8> = [b"xx".as_slice(), long].concat();
        let views: Vec<u8> = [view(b"short", 0, 0), view(long, 0, 2), [0; 16]].concat();
        let sizes: [i64; 1] = [data.len() as i64];
        let validity: [u8; 1] = [0b011];
        let mut bufs: Vec<*const c_void> = vec![validity.as_ptr().cast(), views.as_ptr().cast(), data.as_ptr().cast(), sizes.as_ptr().cast()];
        let a = array(3, 0, 1, &mut bufs);
        let got = read(StringLayout::Utf8View, &a).unwrap();
        assert_eq!(got, vec![Some("short".into()), Some(String::from_utf8(long.to_vec()).unwrap()), None]);
        let a = array(1, 1, 1, &mut bufs);
        assert_eq!(read(StringLayout::Utf8View, &a).unwrap().len(), 1);
    }

    #[test]
    fn string_view_out_of_bounds_is_an_error() {
        let long = b"a string longer than twelve bytes";
        let views: Vec<u8> = view(long, 0, 5).to_vec();
        let sizes: [i64; 1] = [long.len() as i64];
        let mut bufs: Vec<*const c_void> = vec![std::ptr::null(), views.as_ptr().cast(), long.as_ptr().cast(), sizes.as_ptr().cast()];
        let a = array(1, 0, 0, &mut bufs);
        let err = read(StringLayout::Utf8View, &a).unwrap_err();
        assert!(matches!(err, Error::InvalidArrowData { index: Some(10), .. }), "{err}");
        let views: Vec<u8> = view(long, 1, 0).to_vec();
        let mut bufs: Vec<*const c_void> = vec![std::ptr::null(), views.as_ptr().cast(), long.as_ptr().cast(), sizes.as_ptr().cast()];
        let a = array(1, 0, 0, &mut bufs);
        assert!(read(StringLayout::Utf8View, &a).is_err());
    }

    #[test]
    fn bad_utf8_and_bad_offsets_name_the_index() {
        let data = b"ok\xff";
        let offsets: [i32; 3] = [0, 2, 3];
        let mut bufs: Vec<*const c_void> = vec![std::ptr::null(), offsets.as_ptr().cast(), data.as_ptr().cast()];
        let a = array(2, 0, 0, &mut bufs);
        let err = read(StringLayout::Utf8, &a).unwrap_err();
        assert_eq!(err, Error::InvalidArrowData { index: Some(11), message: "not valid UTF-8 (invalid utf-8 sequence of 1 bytes from index 0)".into() });
        let offsets: [i32; 3] = [0, 2, 1];
        let mut bufs: Vec<*const c_void> = vec![std::ptr::null(), offsets.as_ptr().cast(), data.as_ptr().cast()];
        let a = array(2, 0, 0, &mut bufs);
        assert!(matches!(read(StringLayout::Utf8, &a), Err(Error::InvalidArrowData { index: Some(11), .. })));
    }

    #[test]
    fn too_few_buffers_is_an_error() {
        let mut bufs: Vec<*const c_void> = vec![std::ptr::null()];
        let a = array(1, 0, 0, &mut bufs);
        assert!(read(StringLayout::Utf8, &a).is_err());
    }

    #[test]
    fn formats() {
        for (f, want) in [(c"u", Some(StringLayout::Utf8)), (c"U", Some(StringLayout::LargeUtf8)), (c"vu", Some(StringLayout::Utf8View)), (c"l", None), (c"+s", None)] {
            let s = FfiSchema { format: f.as_ptr(), ..FfiSchema::empty() };
            // SAFETY: a filled schema with a static format string.
            assert_eq!(unsafe { StringLayout::of(&s) }.ok(), want);
        }
    }
}
