//! Prints each line of a page with its label and reason: `cargo run --example explain FILE`.
use std::io::Read;

fn main() {
    let mut text = String::new();
    match std::env::args().nth(1) {
        Some(path) => text = std::fs::read_to_string(path).expect("readable UTF-8 file"),
        None => {
            std::io::stdin().read_to_string(&mut text).expect("UTF-8 on stdin");
        }
    }
    let page = newsclean::Segmenter::default().segment(&text);
    let scores = newsclean::segment::debug_scores(&text);
    for (i, line) in page.lines.iter().enumerate() {
        let (base, gain, run, coh) = scores[i];
        let f = |s: Option<f32>| s.map_or("    -".to_string(), |s| format!("{s:>5.1}"));
        print!("{} {} {} {} ", f(base), f(gain), f(coh), if run { "R" } else { " " });
        let t = &text[line.bytes.clone()];
        let short: String = t.chars().take(90).collect();
        println!("{i:>4} {:<11} {:<16} {}", line.label.as_str(), line.reason, short);
    }
}
