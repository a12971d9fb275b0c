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
    let hashed = parallel::map(texts, threads, |t| {
        let Some(t) = t.as_ref() else { return Vec::new() };
        t.as_ref()
            .split('\n')
            .enumerate()
            .filter_map(|(i, line)| {
                let norm = shingle::normalize(line);
                let words = if norm.is_empty() { 0 } else { norm.split(' ').count() };
                (words >= min_words.max(1)).then(|| (i, shingle::text_hash(&norm)))
            })
            .collect::<Vec<_>>()
    })?;
    let mut first: HashMap<u64, (usize, usize)> = HashMap::new();
    let mut out = Vec::new();
    for (doc, lines) in hashed.into_iter().enumerate() {
        for (line, h) in lines {
            match first.get(&h) {
                Some(&(first_doc, first_line)) => out.push(LineDup { doc, line, first_doc, first_line }),
                None => {
                    first.insert(h, (doc, line));
                }
            }
        }
    }
    Ok(out)
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
    }
}
