//! Times the segmenter on a file of pages separated by the record separator U+001E:
//! `cargo run --release --example throughput FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: throughput FILE");
    let text = std::fs::read_to_string(path).expect("a UTF-8 file");
    let pages: Vec<&str> = text.split('\u{1e}').collect();
    let seg = newsclean::Segmenter::default();
    let t0 = std::time::Instant::now();
    let mut lines = 0;
    for page in &pages {
        lines += seg.segment(page).lines.len();
    }
    let dt = t0.elapsed().as_secs_f64();
    println!("{} pages, {lines} lines, {:.1} MB/s on one thread", pages.len(), text.len() as f64 / 1e6 / dt);
}
