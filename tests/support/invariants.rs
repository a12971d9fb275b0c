//! The page invariants, shared by the property tests (`tests/properties.rs`) and the fuzz
//! targets (`fuzz/fuzz_targets/`), which include this file with `#[path]`. The Python twin is
//! `check_page` in `tests/conftest.py`.

use newsclean::{Label, Page, REASONS};

/// Asserts everything the crate documents about `page`, segmented from `text`.
pub fn check_page(page: &Page, text: &str) {
    let parts: Vec<&str> = text.split('\n').collect();
    assert_eq!(page.lines.len(), parts.len(), "one line per '\\n'-separated part");
    assert_eq!(page.lines[0].start, 0);
    assert_eq!(page.lines.last().unwrap().end, text.chars().count(), "the spans end at the end of the input");
    for w in page.lines.windows(2) {
        assert_eq!(w[0].end, w[1].start, "the spans are contiguous");
    }
    let mut body = Vec::new();
    let (mut byte, mut chars) = (0, 0);
    for (i, line) in page.lines.iter().enumerate() {
        let own = &text[line.bytes.clone()];
        assert!(parts[i] == own || parts[i].strip_suffix('\r') == Some(own), "line {i} is the part, less a final CR");
        chars += text[byte..line.bytes.start].chars().count();
        byte = line.bytes.start;
        assert_eq!(chars, line.start, "line {i}: code-point start matches its bytes");
        let brk = usize::from(i + 1 < parts.len()) + usize::from(parts[i].len() > own.len());
        assert_eq!(line.end - line.start, own.chars().count() + brk, "line {i}: the span is the text and its break");
        let (_, desc) = REASONS.iter().find(|(r, _)| *r == line.reason).unwrap_or_else(|| panic!("undocumented reason {}", line.reason));
        assert_eq!(desc.split(':').next(), Some(line.label.as_str()), "line {i}: reason {} gives label {:?}", line.reason, line.label);
        if line.label == Label::Body {
            body.push(own);
        }
    }
    assert_eq!(page.body, body.join("\n"), "the body is the body lines joined");
    let mut previous = None;
    for t in &page.teasers {
        assert!(t.headline.is_some() || t.lede.is_some());
        if let Some(h) = t.headline {
            // A teaser's title: a headline line, or an item of a list of titles (labelled
            // teaser, reason list-item, as the README documents).
            let l = &page.lines[h];
            assert!(l.label == Label::Headline || (l.label, l.reason) == (Label::Teaser, "list-item"), "{l:?}");
        }
        if let Some(l) = t.lede {
            assert_eq!(page.lines[l].label, Label::Teaser);
            if t.truncated {
                let lede = text[page.lines[l].bytes.clone()].trim_end();
                assert!(lede.ends_with("...") || lede.ends_with('…') || lede.ends_with("[...]") || lede.ends_with("[…]") || lede.ends_with("(...)"));
            }
        } else {
            assert!(!t.truncated);
        }
        let first = t.headline.into_iter().chain(t.lede).min();
        assert!(first > previous, "teasers are in page order");
        previous = first;
    }
}
