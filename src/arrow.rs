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
//! The C data interface does not carry buffer lengths, so some of a producer's promises cannot
//! be checked and are trusted, as by every consumer: the validity bitmap, offsets and views
//! buffers hold `offset + length` entries (plus one offset), `utf8`/`large_utf8` offsets lie
//! inside the data buffer, and a `string_view` array's variadic buffer sizes are true.
//! Everything else is checked, and a malformed array is refused with an error, never read out
//! of bounds: the length, offset and null count (a null count above zero needs a bitmap), the
//! number of buffers, null buffers, offsets that are negative or decrease, views whose buffer
//! index, offset or length lie outside the buffers they name or whose 4-byte prefix differs
//! from their data, and UTF-8 in every value that is read. The `arrow` fuzz target
//! (`fuzz/fuzz_targets/arrow.rs`) builds arbitrary arrays over buffers it owns and compares
//! what this module reads with a plain safe decoding of the same buffers.
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
    /// The Arrow name of the layout.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "utf8",
            Self::LargeUtf8 => "large_utf8",
            Self::Utf8View => "string_view",
        }
    }

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

/// The Arrow type a C data interface format string stands for (`"l"` is `int64`), for
/// messages; `None` for formats this table does not know.
#[must_use]
pub fn type_name(format: &str) -> Option<&'static str> {
    Some(match format {
        "n" => "null",
        "b" => "bool",
        "c" => "int8",
        "C" => "uint8",
        "s" => "int16",
        "S" => "uint16",
        "i" => "int32",
        "I" => "uint32",
        "l" => "int64",
        "L" => "uint64",
        "e" => "float16",
        "f" => "float32",
        "g" => "float64",
        "z" => "binary",
        "Z" => "large_binary",
        "vz" => "binary_view",
        "u" => "utf8",
        "U" => "large_utf8",
        "vu" => "string_view",
        "tdD" => "date32",
        "tdm" => "date64",
        "+l" => "list",
        "+L" => "large_list",
        "+vl" => "list_view",
        "+vL" => "large_list_view",
        "+s" => "struct",
        "+m" => "map",
        "+r" => "run_end_encoded",
        f if f.starts_with("ts") => "timestamp",
        f if f.starts_with("tt") => "time",
        f if f.starts_with("tD") => "duration",
        f if f.starts_with("ti") => "interval",
        f if f.starts_with("d:") => "decimal",
        f if f.starts_with("w:") => "fixed_size_binary",
        f if f.starts_with("+w:") => "fixed_size_list",
        f if f.starts_with("+u") => "union",
        _ => return None,
    })
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
/// first bad value's index when the fault is in a value (see the module docs for what is
/// checked).
///
/// # Safety
/// `array` must be a live `ArrowArray` of `layout` (as its schema says), filled by a producer
/// that keeps the promises the module docs list as trusted; the returned values borrow its
/// buffers.
pub unsafe fn read_strings<'a>(layout: StringLayout, array: &'a FfiArray, first: usize, out: &mut Vec<Option<&'a str>>) -> Result<(), Error> {
    let (Ok(len), Ok(offset)) = (usize::try_from(array.length), usize::try_from(array.offset)) else {
        return Err(invalid(None, format!("negative length {} or offset {}", array.length, array.offset)));
    };
    if len == 0 {
        return Ok(());
    }
    // Every entry the buffers hold must be addressable: offset + length views of 16 bytes (or
    // offsets of 8) cannot pass isize::MAX bytes in a real buffer.
    let Some(end) = offset.checked_add(len).filter(|&e| e.checked_add(1).and_then(|e| e.checked_mul(16)).is_some_and(|b| isize::try_from(b).is_ok())) else {
        return Err(invalid(None, format!("length {len} and offset {offset} are too large for any buffer")));
    };
    if array.null_count < -1 || array.null_count > array.length {
        return Err(invalid(None, format!("null count {} of an array of {len} values", array.null_count)));
    }
    // utf8 and large_utf8: validity, offsets, data; string_view: validity, views, the data
    // buffers (any number), their sizes.
    let n_buffers = usize::try_from(array.n_buffers).unwrap_or(0);
    let bad_count = match layout {
        StringLayout::Utf8 | StringLayout::LargeUtf8 => n_buffers != 3,
        StringLayout::Utf8View => n_buffers < 3,
    };
    if bad_count || array.buffers.is_null() {
        let want = if layout == StringLayout::Utf8View { "at least 3" } else { "3" };
        return Err(invalid(None, format!("a {} array needs {want} buffers, this one has {}", layout.name(), array.n_buffers)));
    }
    // SAFETY: `buffers` points to `n_buffers` pointers (the caller's contract).
    let buffers = unsafe { std::slice::from_raw_parts(array.buffers, n_buffers) };
    let validity = buffers[0].cast::<u8>();
    if validity.is_null() && array.null_count > 0 {
        return Err(invalid(None, format!("{} nulls but no validity bitmap", array.null_count)));
    }
    // A null count of 0 means no nulls, whatever the bitmap holds (as Arrow C++ reads it).
    let bitmap = if array.null_count == 0 || validity.is_null() {
        None
    } else {
        // SAFETY: a validity bitmap holds at least offset + length bits (the caller's contract).
        Some(unsafe { std::slice::from_raw_parts(validity, end.div_ceil(8)) })
    };
    let is_valid = |i: usize| bitmap.map_or(true, |b| b[(offset + i) / 8] >> ((offset + i) % 8) & 1 == 1);
    out.reserve(len);
    match layout {
        StringLayout::Utf8 | StringLayout::LargeUtf8 => {
            let (offsets, data) = (buffers[1], buffers[2].cast::<u8>());
            if offsets.is_null() {
                return Err(invalid(None, "the offsets buffer is null"));
            }
            // The value offsets, widened to i64, read unaligned (a producer may hand over a
            // buffer at any address; the interface only recommends alignment).
            let at = |k: usize| -> i64 {
                // SAFETY: an offsets buffer holds offset + length + 1 entries (the caller's
                // contract), and k <= length.
                unsafe {
                    if layout == StringLayout::Utf8 {
                        i64::from(offsets.cast::<i32>().add(offset + k).read_unaligned())
                    } else {
                        offsets.cast::<i64>().add(offset + k).read_unaligned()
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
                    let (Ok(from), Ok(n)) = (usize::try_from(start), usize::try_from(end - start)) else {
                        return Err(invalid(Some(first + i), format!("offsets {start}..{end} do not fit in memory")));
                    };
                    // SAFETY: offsets lie inside the data buffer (the interface's contract;
                    // it carries no buffer length to check against), and start <= end.
                    let bytes = unsafe { std::slice::from_raw_parts(data.add(from), n) };
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
            let data_buffers = &buffers[2..n_buffers - 1];
            let sizes = buffers[n_buffers - 1].cast::<i64>();
            if !data_buffers.is_empty() && sizes.is_null() {
                return Err(invalid(None, "the variadic buffer sizes are missing"));
            }
            // SAFETY: the views buffer holds offset + length views of 16 bytes (the caller's
            // contract); `end * 16` was checked to fit in isize above.
            let views = unsafe { std::slice::from_raw_parts(views.add(offset * 16), len * 16) };
            for (i, view) in views.chunks_exact(16).enumerate() {
                if !is_valid(i) {
                    out.push(None);
                    continue;
                }
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
                let Some(&data) = data_buffers.get(buf) else {
                    return Err(invalid(Some(first + i), format!("view points to data buffer {buf} of {}", data_buffers.len())));
                };
                // SAFETY: the sizes buffer holds one int64 per data buffer (the caller's
                // contract) and buf is one of them; read unaligned, as the offsets.
                let size = unsafe { sizes.add(buf).read_unaligned() };
                if u64::try_from(size).map_or(true, |size| (at + n) as u64 > size) {
                    return Err(invalid(Some(first + i), format!("view {at}..{} past the end of data buffer {buf} ({size} bytes)", at + n)));
                }
                if data.is_null() {
                    return Err(invalid(Some(first + i), "a data buffer is null"));
                }
                // SAFETY: checked against the buffer's size just above (sizes are trusted).
                let bytes = unsafe { std::slice::from_raw_parts(data.cast::<u8>().add(at), n) };
                if bytes[..4] != view[4..8] {
                    return Err(invalid(Some(first + i), "the view's 4-byte prefix differs from its data"));
                }
                out.push(Some(utf8(bytes, first + i)?));
            }
        }
    }
    Ok(())
}

/// The values of every chunk in order (`None` for nulls); indices in messages count over all
/// chunks.
///
/// # Errors
/// As [`read_strings`], for the first chunk that fails.
///
/// # Safety
/// As [`read_strings`], for every chunk.
pub unsafe fn read_chunks(layout: StringLayout, chunks: &[OwnedArray]) -> Result<Vec<Option<&str>>, Error> {
    let mut out = Vec::new();
    for chunk in chunks {
        // SAFETY: the caller's contract.
        unsafe { read_strings(layout, &chunk.0, out.len(), &mut out) }?;
    }
    Ok(out)
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
    let (Some(get_schema), Some(get_next), Some(_)) = (stream.get_schema, stream.get_next, stream.release) else {
        return Err(invalid(None, "the Arrow stream is released"));
    };
    let mut schema = OwnedSchema(FfiSchema::empty());
    // SAFETY: the stream is live (the caller's contract); `schema` is an empty struct to fill.
    let code = unsafe { get_schema(stream, &mut schema.0) };
    if code != 0 {
        return Err(fail(stream, code, "schema"));
    }
    if schema.0.release.is_none() {
        return Err(invalid(None, "the Arrow stream gave a released schema"));
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
    fn malformed_arrays_are_refused() {
        let data = b"abcdef";
        let offsets: [i32; 3] = [0, 3, 6];
        let validity = [0b11u8];
        let mut bufs: Vec<*const c_void> = vec![std::ptr::null(), offsets.as_ptr().cast(), data.as_ptr().cast()];
        let expect = |a: &FfiArray, layout, what: &str| {
            let err = read(layout, a).unwrap_err();
            assert!(err.to_string().contains(what), "{err}");
        };
        // Nulls counted but no bitmap to say which: refused rather than read as valid.
        expect(&array(2, 0, 1, &mut bufs), StringLayout::Utf8, "1 nulls but no validity bitmap");
        expect(&array(2, 0, -2, &mut bufs), StringLayout::Utf8, "null count -2");
        expect(&array(2, 0, 3, &mut bufs), StringLayout::Utf8, "null count 3");
        // A length and offset no buffer can hold (the views or offsets would wrap around).
        expect(&array(i64::MAX, 0, 0, &mut bufs), StringLayout::Utf8, "too large");
        expect(&array(1 << 60, 1 << 60, 0, &mut bufs), StringLayout::Utf8View, "too large");
        // utf8 has exactly three buffers.
        let mut four: Vec<*const c_void> = vec![std::ptr::null(), offsets.as_ptr().cast(), data.as_ptr().cast(), data.as_ptr().cast()];
        expect(&array(2, 0, 0, &mut four), StringLayout::Utf8, "a utf8 array needs 3 buffers, this one has 4");
        // Null buffers: the offsets, the data of a non-empty value.
        let mut nul: Vec<*const c_void> = vec![validity.as_ptr().cast(), std::ptr::null(), data.as_ptr().cast()];
        expect(&array(2, 0, 0, &mut nul), StringLayout::Utf8, "offsets buffer is null");
        // large_utf8 offsets are 64-bit: reading the 32-bit ones above would run past them.
        let large: [i64; 3] = [0, 3, 6];
        let mut nul: Vec<*const c_void> = vec![validity.as_ptr().cast(), large.as_ptr().cast(), std::ptr::null()];
        expect(&array(2, 0, 0, &mut nul), StringLayout::LargeUtf8, "data buffer is null");
    }

    #[test]
    fn unaligned_offsets_are_read() {
        // Offsets at an odd address: read unaligned, not undefined behaviour.
        let mut raw = vec![0u8; 1 + 3 * 8];
        for (k, o) in [0i64, 2, 5].iter().enumerate() {
            raw[1 + 8 * k..9 + 8 * k].copy_from_slice(&o.to_le_bytes());
        }
        let data = b"hello";
        let mut bufs: Vec<*const c_void> = vec![std::ptr::null(), raw[1..].as_ptr().cast(), data.as_ptr().cast()];
        let a = array(2, 0, 0, &mut bufs);
        assert_eq!(read(StringLayout::LargeUtf8, &a).unwrap(), vec![Some("he".into()), Some("llo".into())]);
    }

    #[test]
    fn string_view_prefix_must_match_its_data() {
        let long = b"a string longer than twelve bytes";
        let mut v = view(long, 0, 0);
        v[4] = b'A'; // the prefix says "A st", the data "a st"
        let sizes: [i64; 1] = [long.len() as i64];
        let mut bufs: Vec<*const c_void> = vec![std::ptr::null(), v.as_ptr().cast(), long.as_ptr().cast(), sizes.as_ptr().cast()];
        let err = read(StringLayout::Utf8View, &array(1, 0, 0, &mut bufs)).unwrap_err();
        assert_eq!(err, Error::InvalidArrowData { index: Some(10), message: "the view's 4-byte prefix differs from its data".into() });
        // Negative sizes and lengths, and a missing sizes buffer.
        let neg: [i64; 1] = [-1];
        // The view lives as long as the pointer to it (a temporary would dangle).
        let whole = view(long, 0, 0);
        let mut bufs: Vec<*const c_void> = vec![std::ptr::null(), whole.as_ptr().cast(), long.as_ptr().cast(), neg.as_ptr().cast()];
        assert!(read(StringLayout::Utf8View, &array(1, 0, 0, &mut bufs)).unwrap_err().to_string().contains("past the end"));
        let mut v = view(b"x", 0, 0);
        v[..4].copy_from_slice(&(-5i32).to_le_bytes());
        let mut bufs: Vec<*const c_void> = vec![std::ptr::null(), v.as_ptr().cast(), long.as_ptr().cast(), std::ptr::null()];
        assert!(read(StringLayout::Utf8View, &array(1, 0, 0, &mut bufs)).unwrap_err().to_string().contains("sizes are missing"));
        let mut bufs: Vec<*const c_void> = vec![std::ptr::null(), v.as_ptr().cast(), std::ptr::null()];
        assert!(read(StringLayout::Utf8View, &array(1, 0, 0, &mut bufs)).unwrap_err().to_string().contains("negative view length -5"));
    }

    #[test]
    fn type_names_for_messages() {
        assert_eq!(type_name("l"), Some("int64"));
        assert_eq!(type_name("tsu:UTC"), Some("timestamp"));
        assert_eq!(type_name("?"), None);
        let e = Error::UnsupportedArrowType { format: "l".into(), dictionary: false };
        assert!(e.to_string().starts_with("the Arrow data is of type int64 (format \"l\"), not strings"), "{e}");
        let e = Error::UnsupportedArrowType { format: "i".into(), dictionary: true };
        assert!(e.to_string().contains("dictionary-encoded (indices of int32 (format \"i\"))"), "{e}");
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
