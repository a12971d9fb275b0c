//! Nothing in the crate may run on rayon's global pool: a process forked after the parent used
//! it inherits the pool without its threads, and any job sent to it waits forever (the fork
//! deadlock that `newsclean::parallel` avoids with its own pools). This test binary makes the
//! global pool such a pool, with threads that never take a job, then runs every batch entry
//! point: one that sends work to the global pool hangs, and the test fails on its timeout,
//! naming the call.
//!
//! Found by `test_properties.py::test_fork_after_and_during_the_new_entry_points`: the teaser
//! catalogue weighed its forms with `par_iter_mut` outside the crate's pools, and dedup sorted
//! its candidate pairs with `par_sort_unstable`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use newsclean::dedup::{dedup, index::DedupIndex, minhash, repeated_lines, stages, Keep, Options, RepeatedLines};
use newsclean::teasers::{catalogue, Collector, Input};
use newsclean::{parallel, Profile, Segmenter};

#[test]
fn no_work_goes_to_the_global_pool() {
    // The global pool of a forked child: its threads never take a job. (Threads that never
    // start would not do: `build_global` waits for every thread to start its main loop. The
    // start handler runs after that, before the thread looks for work.)
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .start_handler(|_| loop {
            std::thread::park();
        })
        .build_global()
        .expect("the global pool is built before anything uses it");
    // The emulation holds: a job sent to the global pool never runs.
    let ran = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&ran);
    rayon::spawn(move || flag.store(true, Ordering::SeqCst));
    std::thread::sleep(Duration::from_millis(200));
    assert!(!ran.load(Ordering::SeqCst), "the global pool ran a job: this test could not see work sent to it");
    let (done, wait) = mpsc::channel::<&'static str>();
    std::thread::spawn(move || {
        // Enough texts that parallel sorts do not fall back to a sequential sort.
        let base = "The council approved the budget on Monday after a debate that lasted six hours and the mayor said";
        let texts: Vec<Option<String>> = (0..400).map(|i| Some(format!("{base} word{} and more {}", i % 50, i % 3))).collect();
        let pages: Vec<String> = (0..60)
            .map(|i| format!("Home\n{base} story {i}.\nRead more\n{}\nShare on X", (0..8).map(|k| format!("Blurb number {} about the harbour and its ferries.", (i + k) % 20)).collect::<Vec<_>>().join("\n")))
            .collect();
        let pages_opt: Vec<Option<&str>> = pages.iter().map(|p| Some(p.as_str())).collect();
        let seg = Segmenter::default();
        let inputs: Vec<Input<'_>> = pages.iter().map(|p| Input { text: Some(p), site: None, id: None }).collect();
        let step = |name: &'static str| done.send(name).unwrap();
        for threads in [Some(1), Some(2)] {
            step("dedup");
            dedup(&texts, &Options::default(), &Keep::Longest, threads).unwrap();
            step("DedupIndex::add");
            DedupIndex::new(Options::default()).unwrap().add(&texts, None, &Keep::First, threads).unwrap();
            step("stages::signatures");
            stages::signatures(&texts, &Options::default(), true, threads).unwrap();
            step("teasers::catalogue");
            catalogue(&seg, &inputs, None, &Default::default(), threads).unwrap();
            step("Collector add, link, finish");
            let mut c = Collector::new(Default::default()).unwrap();
            c.add(&seg, &inputs, None, threads).unwrap();
            c.link(&seg, &inputs, None, threads).unwrap();
            c.finish(threads).unwrap();
            step("Profile::learn, teasers with the learned profile");
            let learn: Vec<(Option<&str>, &str)> = pages.iter().map(|p| (Some("a"), p.as_str())).collect();
            let profile = Profile::learn(&learn, threads).unwrap();
            catalogue(&seg, &inputs, Some(&profile), &Default::default(), threads).unwrap();
            step("minhash");
            minhash(&texts, &Options::default(), threads).unwrap();
            step("stages::verify_pairs");
            let pairs: Vec<(&str, &str)> = texts.windows(2).map(|w| (w[0].as_deref().unwrap(), w[1].as_deref().unwrap())).collect();
            stages::verify_pairs(&Options::default(), &pairs, threads).unwrap();
            step("repeated_lines, RepeatedLines");
            repeated_lines(&pages_opt, 3, threads).unwrap();
            let mut lines = RepeatedLines::new(3);
            lines.add(&pages_opt, threads).unwrap();
            let _ = lines.finish();
            step("parallel::segment_batch");
            parallel::segment_batch(&seg, &texts, threads).unwrap();
        }
        step("");
    });
    // Generous: a passing run ends as soon as the work is done; only a hang waits this long.
    let mut last = "the start";
    loop {
        match wait.recv_timeout(Duration::from_secs(120)) {
            Ok("") => break,
            Ok(name) => last = name,
            Err(_) => panic!("{last} waited on rayon's global pool (no progress for 120 s)"),
        }
    }
}
