//! Prints each line of a page with its label and reason:
//! `cargo run --example explain [-- --profile FILE.ncprof --site SITE] FILE`.
//!
//! Columns: prose score, run gain, cohesion, `R` inside the article run, `T` template (with a
//! profile: then also the line's page count on the site), line number, label, reason, text.
use std::io::Read;

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut path, mut profile_path, mut site) = (None, None, None);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--profile" => profile_path = args.next(),
            "--site" => site = args.next(),
            _ => path = Some(a),
        }
    }
    let mut text = String::new();
    match path {
        Some(path) => text = std::fs::read_to_string(path).expect("readable UTF-8 file"),
        None => {
            std::io::stdin().read_to_string(&mut text).expect("UTF-8 on stdin");
        }
    }
    let profile = profile_path.map(|p| newsclean::Profile::load(std::path::Path::new(&p)).expect("a readable profile"));
    let sp = profile.as_ref().and_then(|p| p.site(site.as_deref()));
    let seg = newsclean::Segmenter::default();
    let page = seg.segment_with(&text, sp);
    let scores = newsclean::segment::debug_scores(&text, sp);
    if let Some(sp) = sp {
        println!("site {:?}: {} pages", site.as_deref().unwrap_or(""), sp.pages);
    }
    for (i, line) in page.lines.iter().enumerate() {
        let (base, gain, run, coh, template) = scores[i];
        let f = |s: Option<f32>| s.map_or("    -".to_string(), |s| format!("{s:>5.1}"));
        let t = &text[line.bytes.clone()];
        let count = sp.map_or(String::new(), |sp| format!("{:>4} ", sp.count(t)));
        print!("{} {} {} {}{} {count}", f(base), f(gain), f(coh), if run { "R" } else { " " }, if template { "T" } else { " " });
        let short: String = t.chars().take(90).collect();
        println!("{i:>4} {:<11} {:<16} {}", line.label.as_str(), line.reason, short);
    }
}
