//! The crate's one error type.

use std::fmt;

/// Everything that can go wrong in the core. The Python binding maps each variant to a
/// built-in exception class in exactly one place (`src/python/mod.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A user rule (phrase or regular expression) was rejected.
    InvalidPattern {
        /// The list the rule came from: `"phrases"` or `"patterns"`.
        list: &'static str,
        /// Position of the rule in the list the user gave.
        index: usize,
        /// The rule's text.
        pattern: String,
        /// Why it was rejected.
        message: String,
    },
    /// An option had a value outside its domain.
    InvalidOption {
        /// The option's name.
        name: &'static str,
        /// What was wrong.
        message: String,
    },
    /// A saved file (a dedup index) is truncated, corrupt, or of another format version.
    InvalidFile {
        /// What was wrong.
        message: String,
    },
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidPattern { list, index, pattern, message } => {
                write!(f, "invalid rule at index {index} of {list} ({pattern:?}): {message}")
            }
            Self::InvalidOption { name, message } => write!(f, "invalid value for {name}: {message}"),
            Self::InvalidFile { message } => write!(f, "invalid file: {message}"),
            Self::Io { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for Error {}
