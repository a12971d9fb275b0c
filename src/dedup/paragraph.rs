//! Paragraph level: lines repeated across a corpus.

use std::collections::HashMap;

use super::shingle;
use crate::error::Error;
use crate::parallel;

/// A repeated line: line `line` of text `doc` normalises like the earlier line
/// `first_line` of text `first_doc` (the first occurrence in input order, which is kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineDup {
    /// The text holding the repeat.
    pub doc: usize,
    /// Its line (an index into `text.split("\n")`).
    pub line: usize,
    /// The text of the first occurrence.
    pub first_doc: usize,
    /// The line of the first occurrence.
    pub first_line: usize,
}

/// Every line (split on `"\n"`) whose normalised form has at least `min_words` words and
/// appeared earlier in the corpus (in an earlier text, or earlier in the same text), in input
/// order. Drop these spans to keep one copy of each repeated paragraph.
///
/// # Errors
/// [`Error::InvalidOption`] for a bad thread count.
pub fn repeated_lines<S: AsRef<str> + Sync>(texts: &[Option<S>], min_words: usize, threads: Option<usize>) -> Result<Vec<LineDup>, Error> {
    let mut lines = RepeatedLines::new(min_words);
    lines.add(texts, threads)?;
    Ok(lines.finish())
}

/// [`repeated_lines`] for texts that come in chunks: the chunks, in order, are one corpus.
#[derive(Debug, Clone, Default)]
pub struct RepeatedLines {
    min_words: usize,
    docs: usize,
    first: HashMap<u64, (usize, usize)>,
    out: Vec<LineDup>,
}

impl RepeatedLines {
    /// No texts yet.
    #[must_use]
    pub fn new(min_words: usize) -> Self {
        Self { min_words: min_words.max(1), ..Self::default() }
    }

    /// The next texts of the corpus.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a bad thread count.
    pub fn add<S: AsRef<str> + Sync>(&mut self, texts: &[Option<S>], threads: Option<usize>) -> Result<(), Error> {
        let min_words = self.min_words;
        let hashed = parallel::map(texts, threads, |t| {
            let Some(t) = t.as_ref() else { return Vec::new() };
            t.as_ref()
                .split('\n')
                .enumerate()
                .filter_map(|(i, line)| {
                    let norm = shingle::normalize(line);
                    let words = if norm.is_empty() { 0 } else { norm.split(' ').count() };
                    (words >= min_words).then(|| (i, shingle::text_hash(&norm)))
                })
                .collect::<Vec<_>>()
        })?;
        for (k, lines) in hashed.into_iter().enumerate() {
            let doc = self.docs + k;
            for (line, h) in lines {
                match self.first.get(&h) {
                    Some(&(first_doc, first_line)) => self.out.push(LineDup { doc, line, first_doc, first_line }),
                    None => {
                        self.first.insert(h, (doc, line));
                    }
                }
            }
        }
        self.docs += texts.len();
        Ok(())
    }

    /// Every repeat, in input order.
    #[must_use]
    pub fn finish(self) -> Vec<LineDup> {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_paragraphs() {
        let texts = [
            Some("Subscribe to our newsletter today\nThe council met on Monday to discuss it."),
            None,
            Some("Other story here, quite different.\nSUBSCRIBE to our newsletter today!\nok"),
            Some("ok\nThe council met on Monday to discuss it.\nThe council met on Monday to discuss it."),
        ];
        let d = repeated_lines(&texts, 3, Some(2)).unwrap();
        assert_eq!(
            d,
            vec![
                LineDup { doc: 2, line: 1, first_doc: 0, first_line: 0 },
                LineDup { doc: 3, line: 1, first_doc: 0, first_line: 1 },
                LineDup { doc: 3, line: 2, first_doc: 0, first_line: 1 },
            ]
        );
        assert_eq!(repeated_lines(&texts, 1, None).unwrap().len(), 4, "\"ok\" counts at min_words 1");
        // In chunks: the same repeats, documents counted across chunks.
        let mut chunked = RepeatedLines::new(3);
        chunked.add(&texts[..1], None).unwrap();
        chunked.add(&texts[1..3], Some(2)).unwrap();
        chunked.add(&texts[3..], None).unwrap();
        assert_eq!(chunked.finish(), d);
    }
}
