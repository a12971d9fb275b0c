//! Times the steps of a deduplication on a file of texts separated by the record separator
//! U+001E, for profiling (`valgrind --tool=callgrind`, `perf`) without Python:
//! `cargo run --release --example dedup_steps FILE [THREADS] [ROUNDS]`.
use newsclean::dedup::{Job, Keep, Options};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: dedup_steps FILE [THREADS] [ROUNDS]");
    let threads: usize = args.next().map_or(1, |t| t.parse().expect("a thread count"));
    let rounds: usize = args.next().map_or(1, |t| t.parse().expect("a number of rounds"));
    let text = std::fs::read_to_string(path).expect("a UTF-8 file");
    let texts: Vec<Option<&str>> = text.split('\u{1e}').map(Some).collect();
    let opts = Options::default();
    for _ in 0..rounds {
        let t0 = std::time::Instant::now();
        let mut job = Job::new(&opts, texts.len()).expect("options");
        job.prep(&texts, Some(threads)).expect("prep");
        let t1 = t0.elapsed().as_secs_f64();
        job.candidates(Some(threads)).expect("candidates");
        let t2 = t0.elapsed().as_secs_f64();
        let picked: Vec<Option<&str>> = job.needed().iter().map(|&i| texts[i as usize]).collect();
        job.sets(&picked, Some(threads)).expect("sets");
        let t3 = t0.elapsed().as_secs_f64();
        let res = job.finish(&Keep::Longest, Some(threads)).expect("finish");
        let t4 = t0.elapsed().as_secs_f64();
        println!(
            "{} texts, {:.1} MB, {} kept, {} links, {} sets: prep {t1:.3} s, candidates {:.3} s, sets {:.3} s, finish {:.3} s, total {t4:.3} s on {threads} thread(s)",
            texts.len(),
            text.len() as f64 / 1e6,
            res.keep.iter().filter(|&&k| k).count(),
            res.links.len(),
            picked.len(),
            t2 - t1,
            t3 - t2,
            t4 - t3,
        );
    }
}
