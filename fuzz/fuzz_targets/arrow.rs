//! The Arrow C data interface reader (`newsclean::arrow`) on arrays built from arbitrary bytes,
//! malformed ones included, over buffers this target owns (each allocated to its exact size,
//! so AddressSanitizer sees any read past one).
//!
//! The bytes choose the layout (utf8, large_utf8, string_view), the length, offset and null
//! count, which buffers are null, the number of buffers, the validity bits, the offsets
//! (negative, decreasing or not), the data bytes (valid UTF-8 or not), the views (well-formed,
//! or any 16 bytes) and the variadic buffer sizes. The reader must either refuse the array with
//! an error, naming the first bad value when the fault is in a value, or return exactly what
//! `reference` (a plain, safe decoding of the same owned buffers) returns. The arrays are read
//! one by one, in chunks (`read_chunks`: indices count over the chunks), and through an
//! `ArrowArrayStream` whose producer may fail, end early or give another type; every struct the
//! stream hands over must be released exactly once.
//!
//! What the C data interface carries no lengths for is the producer's promise, and the target
//! keeps it (the reader cannot check it): the bitmap, offsets and views buffers hold
//! `offset + length` entries (and one offset more), utf8 offsets never pass the end of the data
//! buffer, and a view's buffer size is never more than the buffer holds.
#![no_main]

use std::ffi::{c_char, c_int, c_void, CStr};

use libfuzzer_sys::fuzz_target;
use newsclean::arrow::{read_chunks, read_stream, read_strings, FfiArray, FfiSchema, FfiStream, OwnedArray, StringLayout};
use newsclean::Error;

/// Reads the fuzz input a piece at a time; zeros once it runs out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let (&b, rest) = self.0.split_first().unwrap_or((&0, &[]));
        self.0 = rest;
        b
    }
    fn below(&mut self, n: usize) -> usize {
        usize::from(self.byte()) % n.max(1)
    }
    fn chance(&mut self, in_256: u8) -> bool {
        self.byte() < in_256
    }
    fn take(&mut self, n: usize) -> Vec<u8> {
        let k = n.min(self.0.len());
        let (a, b) = self.0.split_at(k);
        self.0 = b;
        let mut v = a.to_vec();
        v.resize(n, 0);
        v
    }
    fn i32(&mut self) -> i32 {
        i32::from_le_bytes(self.take(4).try_into().unwrap())
    }
}

/// One array's buffers, owned here (boxed slices: exactly their length), and its header.
struct Built {
    layout: StringLayout,
    length: i64,
    offset: i64,
    null_count: i64,
    validity: Option<Box<[u8]>>,
    offsets32: Option<Box<[i32]>>,
    offsets64: Option<Box<[i64]>>,
    views: Option<Box<[u8]>>,
    data: Vec<Option<Box<[u8]>>>,
    sizes: Option<Box<[i64]>>,
    /// Extra null pointers appended to the buffer list (utf8: a wrong buffer count).
    extra_buffers: usize,
    /// Buffers dropped from the end of the list (a wrong buffer count).
    fewer_buffers: usize,
}

const LAYOUTS: [StringLayout; 3] = [StringLayout::Utf8, StringLayout::LargeUtf8, StringLayout::Utf8View];

fn build(b: &mut Bytes<'_>) -> Built {
    let layout = LAYOUTS[b.below(3)];
    let mut length = b.below(9) as i64;
    let mut offset = b.below(4) as i64;
    // Rarely, a header no buffer can back: negative or enormous (refused before any read).
    let wild = b.chance(8);
    if wild {
        const WILD: [i64; 5] = [-1, i64::MIN, i64::MAX, 1 << 59, 1 << 62];
        match b.below(2) {
            0 => length = WILD[b.below(WILD.len())],
            _ => offset = WILD[b.below(WILD.len())],
        }
    }
    // The entries the buffers must hold, for a sane header (none are read for a wild one).
    let entries = if wild { 0 } else { (offset + length) as usize };
    let validity = b.chance(160).then(|| b.take(entries.div_ceil(8)).into_boxed_slice());
    let nulls = validity.as_ref().filter(|_| !wild).map_or(0, |v| (0..length as usize).filter(|&i| v[(offset as usize + i) / 8] >> ((offset as usize + i) % 8) & 1 == 0).count() as i64);
    let null_count = match b.below(8) {
        0 => -1,
        1 => 0,
        2 => b.byte() as i64 - 4, // any small number, wrong ones included
        _ => nulls,
    };
    let mut built = Built {
        layout,
        length,
        offset,
        null_count,
        validity,
        offsets32: None,
        offsets64: None,
        views: None,
        data: Vec::new(),
        sizes: None,
        extra_buffers: 0,
        fewer_buffers: 0,
    };
    if layout == StringLayout::Utf8View {
        let n_data = b.below(3);
        for _ in 0..n_data {
            let n = b.below(48);
            built.data.push((!b.chance(10)).then(|| b.take(n).into_boxed_slice()));
        }
        if n_data > 0 && !b.chance(10) {
            // Sizes may understate a buffer (or be negative), never overstate it.
            let sizes: Vec<i64> = built
                .data
                .iter()
                .map(|d| {
                    let real = d.as_ref().map_or(0, |d| d.len()) as i64;
                    match b.below(8) {
                        0 => -(b.byte() as i64) - 1,
                        1 => real - b.below(20) as i64,
                        _ => real,
                    }
                })
                .collect();
            built.sizes = Some(sizes.into_boxed_slice());
        }
        if !b.chance(6) {
            let mut views = Vec::with_capacity(entries * 16);
            for _ in 0..entries {
                views.extend_from_slice(&make_view(b, &built.data));
            }
            built.views = Some(views.into_boxed_slice());
        }
        if b.chance(6) {
            built.fewer_buffers = 1 + b.below(3);
        }
    } else {
        let n = b.below(40);
        let data = b.take(n);
        if !b.chance(6) {
            // Offsets: a run that grows by small steps (mostly valid), or arbitrary values;
            // none past the end of the data (the producer's promise).
            let arbitrary = b.chance(40);
            let mut at = b.below(4) as i64;
            let mut offs = Vec::with_capacity(entries + 1);
            for _ in 0..=entries {
                let o = if arbitrary || b.chance(6) { b.i32() as i64 } else { at };
                let o = o.min(data.len() as i64);
                offs.push(o);
                at = (o.max(0) + b.below(8) as i64).min(data.len() as i64);
            }
            if layout == StringLayout::Utf8 {
                built.offsets32 = Some(offs.iter().map(|&o| o as i32).collect());
            } else {
                built.offsets64 = Some(offs.into_boxed_slice());
            }
        }
        built.data.push((!b.chance(10)).then(|| data.into_boxed_slice()));
        if b.chance(6) {
            built.extra_buffers = 1 + b.below(2);
        }
        if b.chance(6) {
            built.fewer_buffers = 1 + b.below(3);
        }
    }
    built
}

/// A view: inline, pointing into a data buffer (with its prefix, possibly out of range), or
/// any 16 bytes.
fn make_view(b: &mut Bytes<'_>, data: &[Option<Box<[u8]>>]) -> [u8; 16] {
    let mut v = [0u8; 16];
    match b.below(4) {
        0 => v.copy_from_slice(&b.take(16)),
        1 => {
            let n = b.below(13);
            v[..4].copy_from_slice(&(n as i32).to_le_bytes());
            v[4..4 + n].copy_from_slice(&b.take(n));
        }
        _ => {
            let buf = b.below(data.len() + 1);
            let real = data.get(buf).and_then(|d| d.as_deref()).unwrap_or(&[]);
            let at = b.below(real.len() + 2);
            let n = 13 + b.below(real.len().saturating_sub(at) + 3);
            v[..4].copy_from_slice(&(n as i32).to_le_bytes());
            let mut prefix = [0u8; 4];
            for (k, p) in prefix.iter_mut().enumerate() {
                *p = real.get(at + k).copied().unwrap_or(0);
            }
            if b.chance(20) {
                prefix[b.below(4)] ^= 1 << b.below(8);
            }
            v[4..8].copy_from_slice(&prefix);
            v[8..12].copy_from_slice(&(buf as i32).to_le_bytes());
            v[12..16].copy_from_slice(&(at as i32).to_le_bytes());
        }
    }
    v
}

fn ptr<T>(b: &Option<Box<[T]>>) -> *const c_void {
    b.as_ref().map_or(std::ptr::null(), |b| b.as_ptr().cast())
}

/// The buffer list of an array (exactly its length, so a read past it is seen).
fn buffer_list(a: &Built) -> Box<[*const c_void]> {
    let mut list = vec![ptr(&a.validity)];
    if a.layout == StringLayout::Utf8View {
        list.push(ptr(&a.views));
        list.extend(a.data.iter().map(ptr));
        list.push(ptr(&a.sizes));
    } else {
        list.push(if a.layout == StringLayout::Utf8 { ptr(&a.offsets32) } else { ptr(&a.offsets64) });
        list.push(ptr(&a.data[0]));
        list.extend(std::iter::repeat(std::ptr::null()).take(a.extra_buffers));
    }
    list.truncate(list.len().saturating_sub(a.fewer_buffers));
    list.into_boxed_slice()
}

fn header(a: &Built, list: &mut [*const c_void]) -> FfiArray {
    FfiArray {
        length: a.length,
        offset: a.offset,
        null_count: a.null_count,
        n_buffers: list.len() as i64,
        buffers: if list.is_empty() { std::ptr::null_mut() } else { list.as_mut_ptr() },
        ..FfiArray::empty()
    }
}

/// What the reader must give: the values, or an error at a value (`Some(i)`) or in the array
/// (`None`). Plain safe code over the owned buffers.
fn reference(a: &Built) -> Result<Vec<Option<Vec<u8>>>, Option<usize>> {
    if a.length < 0 || a.offset < 0 {
        return Err(None);
    }
    let (len, off) = (a.length as usize, a.offset as usize);
    if len == 0 {
        return Ok(Vec::new());
    }
    if off.checked_add(len).and_then(|e| e.checked_add(1)).and_then(|e| e.checked_mul(16)).map_or(true, |b| b > isize::MAX as usize) {
        return Err(None);
    }
    if a.null_count < -1 || a.null_count > a.length {
        return Err(None);
    }
    let n_buffers = buffer_list(a).len();
    let wanted = match a.layout {
        StringLayout::Utf8View => n_buffers >= 3,
        _ => n_buffers == 3,
    };
    if !wanted {
        return Err(None);
    }
    if a.validity.is_none() && a.null_count > 0 {
        return Err(None);
    }
    let valid = |i: usize| match (&a.validity, a.null_count) {
        (Some(v), n) if n != 0 => v[(off + i) / 8] >> ((off + i) % 8) & 1 == 1,
        _ => true,
    };
    let text = |bytes: &[u8], i: usize| std::str::from_utf8(bytes).map(|_| Some(bytes.to_vec())).map_err(|_| Some(i));
    let mut out = Vec::new();
    if a.layout != StringLayout::Utf8View {
        let offsets: Vec<i64> = match (&a.offsets32, &a.offsets64) {
            (Some(o), _) if a.layout == StringLayout::Utf8 => o.iter().map(|&x| i64::from(x)).collect(),
            (_, Some(o)) if a.layout == StringLayout::LargeUtf8 => o.to_vec(),
            _ => return Err(None),
        };
        for i in 0..len {
            let (s, e) = (offsets[off + i], offsets[off + i + 1]);
            if s < 0 || e < s {
                return Err(Some(i));
            }
            if !valid(i) {
                out.push(None);
            } else if s == e {
                out.push(Some(Vec::new()));
            } else {
                let Some(data) = &a.data[0] else { return Err(Some(i)) };
                out.push(text(&data[s as usize..e as usize], i)?);
            }
        }
        return Ok(out);
    }
    let Some(views) = &a.views else { return Err(None) };
    // With buffers dropped from the list, the last pointer left is read as the sizes and the
    // ones between as data buffers: rebuild that reading.
    let list = buffer_list(a);
    let n_data = list.len() - 3;
    let sizes_ptr = list[list.len() - 1];
    if n_data > 0 && sizes_ptr.is_null() {
        return Err(None);
    }
    for i in 0..len {
        if !valid(i) {
            out.push(None);
            continue;
        }
        let v = &views[(off + i) * 16..(off + i + 1) * 16];
        let word = |k: usize| i32::from_le_bytes(v[k..k + 4].try_into().unwrap());
        let n = word(0);
        if n < 0 {
            return Err(Some(i));
        }
        let n = n as usize;
        if n <= 12 {
            out.push(text(&v[4..4 + n], i)?);
            continue;
        }
        let (buf, at) = (word(8), word(12));
        if buf < 0 || at < 0 || buf as usize >= n_data {
            return Err(Some(i));
        }
        let (buf, at) = (buf as usize, at as usize);
        // Only whole lists reach here: a shortened one has fewer data buffers than `a.data`,
        // and its last pointer is a data buffer read as sizes; refuse to model that case.
        assert_eq!(a.fewer_buffers, 0, "a shortened view buffer list with data buffers is not generated");
        let size = a.sizes.as_ref().expect("checked above")[buf];
        if size < 0 || (at + n) as i64 > size {
            return Err(Some(i));
        }
        let Some(data) = &a.data[buf] else { return Err(Some(i)) };
        let bytes = &data[at..at + n];
        if bytes[..4] != v[4..8] {
            return Err(Some(i));
        }
        out.push(text(bytes, i)?);
    }
    Ok(out)
}

fn check(got: Result<Vec<Option<&str>>, Error>, want: Result<Vec<Option<Vec<u8>>>, Option<usize>>, first: usize) {
    match (got, want) {
        (Ok(got), Ok(want)) => {
            let got: Vec<Option<&[u8]>> = got.iter().map(|v| v.map(str::as_bytes)).collect();
            let want: Vec<Option<&[u8]>> = want.iter().map(|v| v.as_deref()).collect();
            assert_eq!(got, want, "the reader's values differ from the buffers'");
        }
        (Err(Error::InvalidArrowData { index, message }), Err(at)) => {
            assert_eq!(index, at.map(|i| first + i), "the error names the wrong value: {message}");
            assert!(!message.is_empty());
        }
        (got, want) => panic!("reader {got:?}, reference {want:?}"),
    }
}

// --------------------------------------------------------------------------- a stream

/// The producer's side of a stream: the arrays to hand over, how it ends.
struct Producer {
    format: &'static CStr,
    schema_fails: bool,
    arrays: Vec<FfiArray>,
    next: usize,
    /// Fail (with or without a message) instead of giving this chunk.
    fail_at: Option<(usize, bool)>,
    schema_released: usize,
    arrays_released: Vec<usize>,
}

unsafe extern "C" fn release_schema(s: *mut FfiSchema) {
    // SAFETY: `private_data` is the producer (alive for the whole read).
    let p = unsafe { &mut *(*s).private_data.cast::<Producer>() };
    p.schema_released += 1;
    unsafe { (*s).release = None };
}

unsafe extern "C" fn release_array(a: *mut FfiArray) {
    // SAFETY: as above; the index of the chunk is in `null_count`'s neighbour, `n_children`.
    let p = unsafe { &mut *(*a).private_data.cast::<Producer>() };
    p.arrays_released[unsafe { (*a).n_children } as usize] += 1;
    unsafe { (*a).release = None };
}

unsafe extern "C" fn get_schema(s: *mut FfiStream, out: *mut FfiSchema) -> c_int {
    let p = unsafe { &mut *(*s).private_data.cast::<Producer>() };
    if p.schema_fails {
        return 5;
    }
    let me: *mut Producer = p;
    unsafe { *out = FfiSchema { format: p.format.as_ptr(), release: Some(release_schema), private_data: me.cast(), ..FfiSchema::empty() } };
    0
}

unsafe extern "C" fn get_next(s: *mut FfiStream, out: *mut FfiArray) -> c_int {
    let p = unsafe { &mut *(*s).private_data.cast::<Producer>() };
    if let Some((at, _)) = p.fail_at {
        if at == p.next {
            return 22;
        }
    }
    if p.next == p.arrays.len() {
        unsafe { *out = FfiArray::empty() }; // released: the end
        return 0;
    }
    let me: *mut Producer = p;
    let k = p.next;
    p.next += 1;
    // The chunk's header, owned by the consumer from here; `n_children` (0 for strings) is
    // borrowed to carry the chunk's number to the release callback.
    let a = &p.arrays[k];
    unsafe {
        *out = FfiArray {
            length: a.length,
            offset: a.offset,
            null_count: a.null_count,
            n_buffers: a.n_buffers,
            buffers: a.buffers,
            n_children: k as i64,
            release: Some(release_array),
            private_data: me.cast(),
            ..FfiArray::empty()
        }
    };
    0
}

unsafe extern "C" fn last_error(s: *mut FfiStream) -> *const c_char {
    let p = unsafe { &*(*s).private_data.cast::<Producer>() };
    match p.fail_at {
        Some((_, true)) => c"the producer broke".as_ptr(),
        _ => std::ptr::null(),
    }
}

unsafe extern "C" fn release_stream(s: *mut FfiStream) {
    unsafe { (*s).release = None };
}

fuzz_target!(|input: &[u8]| {
    let mut b = Bytes(input);
    let n = 1 + b.below(3);
    let built: Vec<Built> = (0..n).map(|_| build(&mut b)).collect();
    // A shortened view list with data buffers reads a data buffer as the sizes, which only the
    // producer could know to be wrong (its length is not carried): such arrays are not made.
    let built: Vec<Built> = built.into_iter().filter(|a| !(a.layout == StringLayout::Utf8View && a.fewer_buffers > 0 && buffer_list(a).len() > 3)).collect();
    let mut lists: Vec<Box<[*const c_void]>> = built.iter().map(buffer_list).collect();
    let headers: Vec<FfiArray> = built.iter().zip(lists.iter_mut()).map(|(a, l)| header(a, l)).collect();

    // Each array alone, read as its own layout.
    for (a, h) in built.iter().zip(&headers) {
        let mut out = Vec::new();
        // SAFETY: the header describes buffers owned above, kept to the trusted promises.
        let got = unsafe { read_strings(a.layout, h, 7, &mut out) }.map(|()| out);
        check(got, reference(a), 7);
    }

    // As the chunks of one input, when they share a layout: indices count over the chunks.
    let layout = built.first().map_or(StringLayout::Utf8, |a| a.layout);
    let same: Vec<usize> = (0..built.len()).filter(|&k| built[k].layout == layout).collect();
    let mut want: Result<Vec<Option<Vec<u8>>>, Option<usize>> = Ok(Vec::new());
    for &k in &same {
        let Ok(values) = &mut want else { break };
        let before = values.len();
        match reference(&built[k]) {
            Ok(v) => values.extend(v),
            Err(e) => want = Err(e.map(|i| before + i)),
        }
    }
    let owned: Vec<OwnedArray> = same.iter().map(|&k| OwnedArray(copy(&headers[k]))).collect();
    // SAFETY: as above; the owned headers have no release callback.
    check(unsafe { read_chunks(layout, &owned) }, want.clone(), 0);

    // Through a stream: another format, a failing producer, or the same chunks.
    let format = match b.below(8) {
        0 => c"l",
        1 => c"vz",
        _ => match layout {
            StringLayout::Utf8 => c"u",
            StringLayout::LargeUtf8 => c"U",
            StringLayout::Utf8View => c"vu",
        },
    };
    let schema_fails = b.chance(10);
    let fail_at = b.chance(40).then(|| (b.below(same.len() + 1), b.chance(128)));
    let mut producer = Producer {
        format,
        schema_fails,
        arrays: same.iter().map(|&k| copy(&headers[k])).collect(),
        next: 0,
        fail_at,
        schema_released: 0,
        arrays_released: vec![0; same.len()],
    };
    let mut stream = FfiStream {
        get_schema: Some(get_schema),
        get_next: Some(get_next),
        get_last_error: Some(last_error),
        release: Some(release_stream),
        private_data: (&mut producer as *mut Producer).cast(),
    };
    {
        // SAFETY: a live stream over the producer above.
        let res = unsafe { read_stream(&mut stream) };
        match res {
            Ok((got_layout, chunks)) => {
                assert!(!schema_fails && fail_at.is_none() && format.to_bytes() != b"l" && format.to_bytes() != b"vz");
                assert_eq!(got_layout, layout);
                assert_eq!(chunks.len(), same.len());
                // SAFETY: the chunks are live arrays over the buffers owned above.
                check(unsafe { read_chunks(got_layout, &chunks) }, want, 0);
            }
            Err(Error::UnsupportedArrowType { format: f, .. }) => assert_eq!(f.as_bytes(), format.to_bytes()),
            Err(Error::InvalidArrowData { index: None, message }) => {
                assert!(schema_fails || fail_at.is_some(), "{message}");
                if fail_at.is_some_and(|f| f.1) && !schema_fails {
                    assert!(message.contains("the producer broke"), "{message}");
                }
            }
            Err(e) => panic!("unexpected stream error {e}"),
        }
    }
    // Every chunk handed over, and the schema, released exactly once (by the consumer).
    assert!(producer.arrays_released.iter().take(producer.next).all(|&r| r == 1), "{:?}", producer.arrays_released);
    assert!(producer.arrays_released.iter().skip(producer.next).all(|&r| r == 0));
    assert_eq!(producer.schema_released, usize::from(!schema_fails));
    drop(built);
});

/// A header copy without a release callback (the buffers stay owned by this target).
fn copy(h: &FfiArray) -> FfiArray {
    FfiArray { length: h.length, offset: h.offset, null_count: h.null_count, n_buffers: h.n_buffers, buffers: h.buffers, ..FfiArray::empty() }
}
