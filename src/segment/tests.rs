use super::*;

const SAMPLE: &str = include_str!("../../tests/fixtures/sample_page.txt");

fn labels(page: &Page) -> Vec<&'static str> {
    page.lines.iter().map(|l| l.label.as_str()).collect()
}

#[test]
fn sample_page_is_labelled_line_by_line() {
    let page = Segmenter::default().segment(SAMPLE);
    let want = [
        "headline", "teaser", "body", "body", "boilerplate", "body", "body", "body", "body", // article
        "teaser", "teaser", "teaser", "teaser", "teaser", "teaser", "teaser", // blurb list
        "boilerplate", "boilerplate", "boilerplate", "boilerplate",
    ];
    assert_eq!(labels(&page), want);
    assert_eq!(page.lines[4].reason, "rule:ad");
    assert_eq!(page.lines[1].reason, "truncated");
    assert_eq!(page.lines[16].reason, "rule:app");
    assert!(page.body.starts_with("The northern valley's apple growers"));
    assert!(page.body.ends_with("ripen fully."));
    assert!(!page.body.contains("Advertisement"));
}

#[test]
fn teasers_group_headline_and_lede() {
    let page = Segmenter::default().segment(SAMPLE);
    assert_eq!(page.teasers[0], Teaser { headline: Some(0), lede: Some(1), truncated: true });
    assert_eq!(page.teasers.len(), 8);
    assert!(page.teasers[1..].iter().all(|t| t.headline.is_none() && !t.truncated));
}

#[test]
fn spans_partition_input_and_body_is_body_lines() {
    for text in [SAMPLE, "", "\n", "one line", "a\r\nb\r\n", "x\n\n\ny"] {
        let page = Segmenter::default().segment(text);
        assert_eq!(page.lines.len(), text.split('\n').count());
        assert_eq!(page.lines.first().unwrap().start, 0);
        assert_eq!(page.lines.last().unwrap().end, text.chars().count());
        for w in page.lines.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        let body: Vec<&str> = page.lines.iter().filter(|l| l.label == Label::Body).map(|l| &text[l.bytes.clone()]).collect();
        assert_eq!(page.body, body.join("\n"));
        for l in &page.lines {
            assert!(REASONS.iter().any(|(r, _)| *r == l.reason), "{}", l.reason);
        }
    }
}

#[test]
fn short_paragraph_inside_article_stays_body() {
    let page = Segmenter::default().segment(SAMPLE);
    assert_eq!(page.lines[6].label, Label::Body, "{:?}", page.lines[6]);
}

#[test]
fn empty_and_blank_pages_have_no_body() {
    let seg = Segmenter::default();
    assert_eq!(seg.segment("").body, "");
    let page = seg.segment("\n  \n\t");
    assert!(page.lines.iter().all(|l| l.reason == "empty"));
}

#[test]
fn user_rules_override_prose() {
    let text = SAMPLE.replace("Olsen said the valley's", "SPONSORED: Olsen said the valley's");
    let rules = Rules::new(&[], &["^SPONSORED:".to_string()]).unwrap();
    let page = Segmenter::new(rules).segment(&text);
    assert_eq!(page.lines[6].label, Label::Boilerplate);
    assert_eq!(page.lines[6].reason, "user-rule");
}
