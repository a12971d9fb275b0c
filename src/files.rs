//! Saving and loading files the same way for every saved structure (profiles, dedup
//! indexes): atomic writes and I/O errors that name the path.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

fn io_error(path: &Path, e: &std::io::Error) -> Error {
    Error::Io { path: path.display().to_string(), message: e.to_string() }
}

/// Writes `bytes` to `path` through a temporary file beside it, synced and renamed at the end,
/// so an interrupted write never leaves a half-written file under the final name.
///
/// # Errors
/// [`Error::Io`] naming the path when the file cannot be written.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error(path, &e)
    })
}

/// Reads `path` and decodes it with `decode`; an [`Error::InvalidFile`] from `decode` gets the
/// path in front of its message.
///
/// # Errors
/// [`Error::Io`] naming the path when the file cannot be read; whatever `decode` returns.
pub fn read_with<T>(path: &Path, decode: impl FnOnce(&[u8]) -> Result<T, Error>) -> Result<T, Error> {
    let bytes = std::fs::read(path).map_err(|e| io_error(path, &e))?;
    decode(&bytes).map_err(|e| match e {
        Error::InvalidFile { message } => Error::InvalidFile { message: format!("{}: {message}", path.display()) },
        other => other,
    })
}
