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
    /// An Arrow array or stream handed over through the C data interface is not of strings.
    UnsupportedArrowType {
        /// Its format string (`"l"`, `"+s"`, ...).
        format: String,
        /// It is dictionary-encoded (its format is that of the indices).
        dictionary: bool,
    },
    /// An Arrow string array is malformed, or a value is not valid UTF-8.
    InvalidArrowData {
        /// The value at fault (its index in the whole input), when there is one.
        index: Option<usize>,
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
            Self::UnsupportedArrowType { format, dictionary } => {
                let named = match crate::arrow::type_name(format) {
                    Some(name) => format!("{name} (format {format:?})"),
                    None => format!("format {format:?}"),
                };
                let kind = if *dictionary { format!("dictionary-encoded (indices of {named})") } else { format!("of type {named}") };
                write!(f, "the Arrow data is {kind}, not strings: expected utf8, large_utf8 or string_view (cast it first)")
            }
            Self::InvalidArrowData { index: Some(i), message } => write!(f, "texts[{i}]: invalid Arrow string data: {message}"),
            Self::InvalidArrowData { index: None, message } => write!(f, "invalid Arrow string data: {message}"),
            Self::Io { path, message } => write!(f, "{path}: {message}"),
        }
    }
}

impl std::error::Error for Error {}
