//! User rules from arbitrary input: `Rules::new` either refuses a rule with an error naming it
//! or builds rules that segment any page without panicking.
//!
//! Input layout (decoded lossily): the rules, then a NUL, then the page. Each line of the
//! rules part is one rule: a phrase when it starts with `~`, else a regular expression. At most
//! four rules of 200 bytes are taken, to keep compiling them cheap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use newsclean::{Error, Rules, Segmenter};

#[path = "../../tests/support/invariants.rs"]
mod invariants;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let (spec, page) = input.split_once('\0').unwrap_or((&input, "Photo: Reuters\nThe council approved the budget."));
    let (mut phrases, mut patterns) = (Vec::new(), Vec::new());
    for rule in spec.split('\n').take(4).filter(|r| r.len() <= 200) {
        match rule.strip_prefix('~') {
            Some(p) => phrases.push(p.to_owned()),
            None => patterns.push(rule.to_owned()),
        }
    }
    match Rules::new(&phrases, &patterns) {
        Ok(rules) => invariants::check_page(&Segmenter::new(rules).segment(page), page),
        Err(Error::InvalidPattern { list, index, pattern, message }) => {
            // The error names the rule: its list, its index and its text.
            let given = if list == "phrases" { &phrases } else { &patterns };
            assert_eq!(given.get(index), Some(&pattern), "{list}[{index}]");
            assert!(!message.is_empty());
        }
        Err(Error::InvalidOption { name, message }) => assert!(matches!(name, "phrases" | "patterns") && !message.is_empty()),
        Err(e) => panic!("unexpected error {e}"),
    }
});
