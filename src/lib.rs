//! # newsclean
//!
//! Fast cleaning of scraped news text, one block of text per line: boilerplate stripping,
//! teaser segmentation (every line labelled headline, teaser, body or boilerplate with a
//! reason), and the article body decoded as one coherent run.
//!
//! The core is plain Rust; the Python binding lives behind the `python` feature, so
//! `cargo test` never links libpython.
//!
//! ```
//! use newsclean::{Label, Segmenter};
//!
//! let text = "Download our app from the App Store and Google Play.\n\
//!     The council approved the budget on Monday after a debate that lasted more than six hours, \
//!     the longest in the city's history.\n\
//!     The mayor said the new budget would protect the libraries and the bus routes that serve \
//!     the outer districts, which had been threatened with closure.\n\
//!     Leave the first comment";
//! let page = Segmenter::default().segment(text);
//! assert_eq!(page.lines[0].label, Label::Boilerplate);
//! assert_eq!(page.lines[0].reason, "rule:app");
//! assert_eq!(page.lines[1].label, Label::Body);
//! assert!(page.body.starts_with("The council approved"));
//! ```
#![deny(missing_docs)]

pub mod arrow;
pub mod codepoints;
pub mod dedup;
pub mod error;
pub mod files;
pub mod parallel;
pub mod profile;
pub mod rules;
pub mod segment;
pub mod teasers;
pub mod text;

#[cfg(feature = "python")]
mod python;

pub use error::Error;
pub use profile::{Profile, SiteProfile};
pub use rules::{Category, Rules};
pub use segment::{Label, Line, Page, Segmenter, Teaser, REASONS};

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Segmenter>();
    assert_send_sync::<Page>();
    assert_send_sync::<Error>();
    assert_send_sync::<Profile>();
    assert_send_sync::<teasers::Collector>();
};
