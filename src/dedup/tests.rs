use super::*;

/// A deterministic corpus: `n` base stories of random words, and copies of some of them
/// (exact with other punctuation, a few words changed, a cut-off lede, a short version).
fn corpus(n: usize) -> (Vec<Option<String>>, Vec<usize>) {
    let mut state = 12_345u64;
    let mut next = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        shingle::mix64(state)
    };
    let vocab: Vec<String> = (0..3000).map(|i| format!("w{i}x")).collect();
    let mut texts = Vec::new();
    let mut story = Vec::new();
    for s in 0..n {
        let len = 120 + (next() % 200) as usize;
        let words: Vec<&str> = (0..len).map(|_| vocab[(next() % 3000) as usize].as_str()).collect();
        texts.push(Some(words.join(" ") + "."));
        story.push(s);
        match s % 5 {
            0 => {
                texts.push(Some(words.join(", ").to_uppercase()));
                story.push(s);
            }
            1 => {
                let mut w = words.clone();
                w[len / 2] = "changed";
                w[len / 3] = "edited";
                texts.push(Some(w.join(" ")));
                story.push(s);
            }
            2 => {
                texts.push(Some(words[..25].join(" ") + "…"));
                story.push(s);
            }
            3 => {
                texts.push(Some(words[..len / 3].join(" ")));
                story.push(s);
            }
            _ => {}
        }
    }
    texts.push(None);
    story.push(usize::MAX);
    texts.push(Some(" ... ".into()));
    story.push(usize::MAX - 1);
    (texts, story)
}

fn partition(cluster: &[usize]) -> Vec<Vec<usize>> {
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, &c) in cluster.iter().enumerate() {
        groups.entry(c).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().collect();
    out.sort();
    out
}

#[test]
fn finds_every_planted_copy() {
    let (texts, story) = corpus(200);
    let res = dedup(&texts, &Options::default(), &Keep::Longest, Some(2)).unwrap();
    for i in 0..texts.len() {
        for j in 0..texts.len() {
            let same = story[i] == story[j];
            assert_eq!(res.cluster[i] == res.cluster[j], same, "{i} {j} {:?} {:?}", texts[i].as_ref().map(|t| &t[..t.len().min(300)]), texts[j].as_ref().map(|t| &t[..t.len().min(300)]));
        }
    }
    let kinds: std::collections::HashSet<_> = res.links.iter().map(|l| l.kind).collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    // The representative is the longest copy, and it is kept.
    for (i, &c) in res.cluster.iter().enumerate() {
        assert!(res.keep[c]);
        assert_eq!(res.keep[i], c == i);
        let len = |k: usize| texts[k].as_ref().map_or(0, |t| t.chars().count());
        assert!(len(c) >= len(i));
        assert!((0.0..=1.0).contains(&res.similarity[i]));
    }
    // Empty texts are their own clusters.
    let n = texts.len();
    assert!(res.keep[n - 1] && res.keep[n - 2]);
}

#[test]
fn same_clusters_for_any_thread_count_and_order() {
    let (texts, _) = corpus(120);
    let one = dedup(&texts, &Options::default(), &Keep::Longest, Some(1)).unwrap();
    let three = dedup(&texts, &Options::default(), &Keep::Longest, Some(3)).unwrap();
    assert_eq!(one, three);
    // Reverse the input: the same clusters, mapped back.
    let rev: Vec<Option<String>> = texts.iter().rev().cloned().collect();
    let back = dedup(&rev, &Options::default(), &Keep::Longest, Some(2)).unwrap();
    let n = texts.len();
    let mapped: Vec<usize> = (0..n).map(|i| n - 1 - back.cluster[n - 1 - i]).collect();
    assert_eq!(partition(&one.cluster), partition(&mapped));
    // Representatives are the same texts (no ties between different texts here).
    for i in 0..n {
        assert_eq!(texts[one.cluster[i]], texts[mapped[i]]);
    }
}

#[test]
fn keep_policies() {
    let long = "the council approved the budget on monday after a debate that lasted more than six hours in the hall";
    let texts = [Some(&long[..60]), Some(long), Some(long)];
    let longest = dedup(&texts, &Options::default(), &Keep::Longest, None).unwrap();
    assert_eq!(longest.cluster, vec![1, 1, 1]);
    assert_eq!(longest.links.iter().map(|l| l.kind).collect::<Vec<_>>(), vec![LinkKind::Contained, LinkKind::Exact]);
    let first = dedup(&texts, &Options::default(), &Keep::First, None).unwrap();
    assert_eq!(first.cluster, vec![0, 0, 0]);
    assert_eq!(first.keep, vec![true, false, false]);
    assert_eq!(first.similarity[1], first.similarity[2]);
    assert!(first.similarity[1] >= 0.8 && first.similarity[1] < 1.0);
    let prio = dedup(&texts, &Options::default(), &Keep::Priority(&[0.0, 1.0, 5.0]), None).unwrap();
    assert_eq!(prio.cluster, vec![2, 2, 2]);
    assert!(dedup(&texts, &Options::default(), &Keep::Priority(&[1.0]), None).is_err());
    let no_contain = Options { containment: false, ..Options::default() };
    assert_eq!(dedup(&texts, &no_contain, &Keep::Longest, None).unwrap().cluster, vec![0, 1, 1]);
}

#[test]
fn options_and_edge_cases() {
    let empty: [Option<&str>; 0] = [];
    assert_eq!(dedup(&empty, &Options::default(), &Keep::Longest, None).unwrap(), Dedup::default());
    for bad in [
        Options { threshold: 0.0, ..Options::default() },
        Options { threshold: f64::NAN, ..Options::default() },
        Options { num_perm: 0, ..Options::default() },
        Options { ngram: 0, ..Options::default() },
    ] {
        assert!(matches!(dedup(&[Some("a")], &bad, &Keep::Longest, None), Err(Error::InvalidOption { .. })));
    }
    let chars = Options { unit: Unit::Char, ngram: 3, ..Options::default() };
    let res = dedup(&[Some("東京で大きな地震がありました"), Some("東京で大きな地震がありました。"), Some("大阪")], &chars, &Keep::First, None).unwrap();
    assert_eq!(res.cluster, vec![0, 0, 2]);
    let sig = minhash(&[Some("a b c"), None], &Options { num_perm: 16, ..Options::default() }, None).unwrap();
    assert_eq!(sig.len(), 32);
    assert!(sig[16..].iter().all(|&v| v == u32::MAX));
}

#[test]
fn index_matches_one_batch() {
    let (texts, _) = corpus(100);
    let once = dedup(&texts, &Options::default(), &Keep::First, None).unwrap();
    let mut index = DedupIndex::new(Options::default()).unwrap();
    let half = texts.len() / 2;
    let a = index.add(&texts[..half], None, &Keep::First, None).unwrap();
    let b = index.add(&texts[half..], None, &Keep::First, None).unwrap();
    let joined: Vec<usize> = a.cluster.iter().chain(&b.cluster).copied().collect();
    assert_eq!(partition(&once.cluster), partition(&joined));
    assert_eq!(index.len(), texts.len());
    assert_eq!(index.ids()[half], half.to_string());

    // Save and load: the loaded index answers a new batch as the original does.
    let bytes = index.to_bytes();
    let mut loaded = DedupIndex::from_bytes(&bytes).unwrap();
    assert_eq!(loaded.to_bytes(), bytes);
    let probe = [texts[3].clone(), Some("nothing like anything seen before at all here".into())];
    let x = index.add(&probe, Some(vec!["p".into(), "q".into()]), &Keep::First, None).unwrap();
    let y = loaded.add(&probe, Some(vec!["p".into(), "q".into()]), &Keep::First, None).unwrap();
    assert_eq!(x, y);
    assert!(!x.keep[0] && x.keep[1]);

    // Corrupt, truncated and other-version files are refused.
    let mut corrupt = bytes.clone();
    corrupt[40] ^= 1;
    for (bad, want) in [
        (corrupt, "checksum"),
        (bytes[..bytes.len() - 3].to_vec(), "checksum"),
        (bytes[..10].to_vec(), "magic"),
        (b"hello world, not an index".to_vec(), "magic"),
        ([&bytes[..8], &3u32.to_le_bytes(), &bytes[12..]].concat(), "version 3"),
        ([&bytes[..8], &1u32.to_le_bytes(), &bytes[12..]].concat(), "rebuild the index"),
    ] {
        match DedupIndex::from_bytes(&bad) {
            Err(Error::InvalidFile { message }) => assert!(message.contains(want), "{message}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(DedupIndex::load("/nonexistent/dir/x.ncdedup"), Err(Error::Io { .. })));
}

/// The index saved in tests/fixtures/dedup_index_v2.ncdedup: "a", "b" (an exact copy of "a"
/// but for case and punctuation) and "c", threshold 0.8, 16 bins.
fn golden_index() -> DedupIndex {
    let mut index = DedupIndex::new(Options { num_perm: 16, ..Options::default() }).unwrap();
    let texts = [
        Some("The city council approved the new budget on Monday after a debate that lasted six hours."),
        Some("THE CITY COUNCIL approved the new budget on Monday, after a debate that lasted six hours!"),
        Some("Fishermen in the harbour reported record catches of herring this spring."),
    ];
    index.add(&texts, Some(vec!["a".into(), "b".into(), "c".into()]), &Keep::First, None).unwrap();
    index
}

const GOLDEN: &[u8] = include_bytes!("../../tests/fixtures/dedup_index_v2.ncdedup");

#[test]
fn golden_index_file() {
    let mut index = DedupIndex::from_bytes(GOLDEN).unwrap();
    assert_eq!(index.ids(), ["a", "b", "c"]);
    assert_eq!(index.options().num_perm, 16);
    // Built again from its texts, the index is the same bytes: hashing and the layout are
    // unchanged. A change to either must bump `index::VERSION` and write a new golden file
    // (`cargo test write_golden_index_file -- --ignored`).
    assert_eq!(golden_index().to_bytes(), GOLDEN, "the saved index changed: bump the format version");
    let res = index
        .add(&[Some("the city council approved the new budget on Monday after a debate that lasted six hours")], None, &Keep::Longest, None)
        .unwrap();
    assert_eq!(res.cluster, vec![0]);
}

#[test]
fn version_1_files_are_refused() {
    let v1 = include_bytes!("../../tests/fixtures/dedup_index_v1.ncdedup");
    match DedupIndex::from_bytes(v1) {
        Err(Error::InvalidFile { message }) => assert!(message.contains("version 1") && message.contains("rebuild the index"), "{message}"),
        other => panic!("{other:?}"),
    }
}

/// Writes the golden file (run by hand after a format change and a version bump).
#[test]
#[ignore = "writes tests/fixtures; run by hand after bumping the format version"]
fn write_golden_index_file() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/dedup_index_v{}.ncdedup", index::VERSION));
    golden_index().save(path).unwrap();
}

#[test]
fn short_ledes_behind_agency_prefixes() {
    let full = "(AP) — DETROIT -- Hockeytown turned into hockey school for the Canucks on Saturday night, \
        as the home side outshot them by a wide margin and won the game with two late goals.";
    let texts = [
        Some(full),
        Some("Hockeytown turned into hockey school for…"), // 2 shingles, 2 words behind the start
        Some("DETROIT -- Hockeytown turned into hockey…"),  // 1 shingle
        Some("Hockeytown is a nickname of the city of Detroit, home of a famous team."),
    ];
    let res = dedup(&texts, &Options::default(), &Keep::Longest, None).unwrap();
    assert_eq!(res.cluster, vec![0, 0, 0, 3]);
    assert!(res.links.iter().all(|l| l.kind == LinkKind::Contained && l.a == 0));
}

#[test]
fn a_text_that_ends_a_longer_one() {
    // A release of 150 words that a page of 400 words ends with, after 250 words of its own:
    // Jaccard about 0.37 and a different opening, but all of it is in the page. The suffix
    // sketches find it; without containment it stays apart.
    let mut state = 77u64;
    let mut word = move || {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        format!("w{}", shingle::mix64(state) % 5000)
    };
    let release: Vec<String> = (0..150).map(|_| word()).collect();
    let lead: Vec<String> = (0..250).map(|_| word()).collect();
    let page = format!("{} {}", lead.join(" "), release.join(" "));
    let other = (0..300).map(|_| word()).collect::<Vec<_>>().join(" ");
    let texts = [Some(release.join(" ")), Some(page), Some(other)];
    let res = dedup(&texts, &Options::default(), &Keep::Longest, Some(2)).unwrap();
    assert_eq!(res.cluster, vec![1, 1, 2]);
    assert_eq!(res.links.len(), 1);
    assert_eq!((res.links[0].kind, res.links[0].similarity), (LinkKind::Contained, 1.0));
    let apart = dedup(&texts, &Options { containment: false, ..Options::default() }, &Keep::Longest, None).unwrap();
    assert_eq!(apart.cluster, vec![0, 1, 2]);
}

#[test]
fn level_counts() {
    for len in 0..2000u32 {
        let prefix = if len == 1 { 1 } else { PREFIX_LEVELS.iter().filter(|&&g| g < len as usize).count() };
        assert_eq!(levels_of(len), prefix, "{len}");
        assert_eq!(suffix_levels_of(len), SUFFIX_LEVELS.iter().filter(|&&g| g < len as usize).count(), "{len}");
    }
}

#[test]
fn any_split_into_chunks_gives_the_same_result() {
    let (texts, _) = corpus(150);
    let whole = dedup(&texts, &Options::default(), &Keep::Longest, Some(2)).unwrap();
    assert!(whole.links.len() > 100);
    for size in [1, 7, 64, 10_000] {
        let mut job = Job::new(&Options::default(), texts.len()).unwrap();
        for chunk in texts.chunks(size) {
            job.prep(chunk, Some(2)).unwrap();
        }
        job.candidates(Some(1)).unwrap();
        let need = job.needed().to_vec();
        assert!(!need.is_empty() && need.len() < texts.len());
        for chunk in need.chunks(size) {
            let picked: Vec<Option<&str>> = chunk.iter().map(|&i| texts[i as usize].as_deref()).collect();
            job.sets(&picked, None).unwrap();
        }
        assert_eq!(job.finish(&Keep::Longest, Some(3)).unwrap(), whole, "chunks of {size}");
        // An open job (no count announced) gives the same, for any keep policy.
        for keep in [Keep::Longest, Keep::First] {
            let mut job = Job::open(&Options::default()).unwrap();
            for chunk in texts.chunks(size) {
                job.prep(chunk, Some(2)).unwrap();
            }
            assert_eq!(job.len(), texts.len());
            job.candidates(None).unwrap();
            assert!(job.prep(&texts[..1], None).is_err(), "no texts after the candidates");
            assert_eq!(job.needed(), &need[..]);
            for chunk in need.chunks(size) {
                let picked: Vec<Option<&str>> = chunk.iter().map(|&i| texts[i as usize].as_deref()).collect();
                job.sets(&picked, Some(1)).unwrap();
            }
            let want = if keep == Keep::First { dedup(&texts, &Options::default(), &Keep::First, None).unwrap() } else { whole.clone() };
            assert_eq!(job.finish(&keep, Some(2)).unwrap(), want, "open job, chunks of {size}");
        }
    }
    let empty = Job::open(&Options::default()).unwrap();
    assert_eq!(empty.finish(&Keep::First, None).unwrap(), Dedup::default());
    // A new index fed in chunks answers as the one-off call does.
    let mut index = DedupIndex::new(Options::default()).unwrap();
    let mut job = index.job(texts.len()).unwrap();
    for chunk in texts.chunks(13) {
        job.prep(chunk, None).unwrap();
    }
    assert_eq!(index.finish(job, None, &Keep::Longest, None).unwrap(), whole);
    // A one-off job is not finished by an index, nor an index's by itself.
    let other = DedupIndex::new(Options { threshold: 0.9, ..Options::default() }).unwrap();
    let mut job = other.job(1).unwrap();
    job.prep(&[Some("a b c")], None).unwrap();
    assert!(index.finish(job, None, &Keep::First, None).is_err(), "options differ");
    let mut job = index.job(1).unwrap();
    job.prep(&[Some("a b c")], None).unwrap();
    assert!(job.candidates(None).is_err());
}
