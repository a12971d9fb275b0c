//! Thread pools for the batch functions.
//!
//! Each thread count gets its own rayon pool, built on first use and kept. The pools remember
//! the process that built them: a child made by `fork()` inherits the parent's pool objects but
//! not its threads, so it builds fresh pools instead of waiting forever on threads that do not
//! exist (the fork deadlock that rayon's global pool has).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use crate::error::Error;
use crate::segment::{Page, Segmenter};

/// Environment variable giving the default thread count (else: the number of cores).
pub const THREADS_ENV: &str = "NEWSCLEAN_NUM_THREADS";

/// The number of threads a batch call uses when the caller does not say.
#[must_use]
pub fn default_threads() -> usize {
    std::env::var(THREADS_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get))
}

type Pools = HashMap<usize, Arc<rayon::ThreadPool>>;

/// The pool for `threads` threads (`None`: [`default_threads`]).
///
/// # Errors
/// [`Error::InvalidOption`] when `threads` is zero or the pool cannot be built.
pub fn pool(threads: Option<usize>) -> Result<Arc<rayon::ThreadPool>, Error> {
    static POOLS: OnceLock<Mutex<(u32, Pools)>> = OnceLock::new();
    let n = match threads {
        Some(0) => return Err(Error::InvalidOption { name: "num_threads", message: "must be at least 1".into() }),
        Some(n) => n.min(1024),
        None => default_threads(),
    };
    let pid = std::process::id();
    let mut guard = POOLS.get_or_init(|| Mutex::new((pid, HashMap::new()))).lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if guard.0 != pid {
        // Forked: the inherited pools have no threads. Leak them (dropping would join threads
        // that do not exist) and start afresh.
        for (_, p) in guard.1.drain() {
            std::mem::forget(p);
        }
        guard.0 = pid;
    }
    if let Some(p) = guard.1.get(&n) {
        return Ok(Arc::clone(p));
    }
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("newsclean-{i}"))
        .build()
        .map_err(|e| Error::InvalidOption { name: "num_threads", message: e.to_string() })?;
    let p = Arc::new(p);
    guard.1.insert(n, Arc::clone(&p));
    Ok(p)
}

/// Applies `f` to every item on `threads` threads; the output keeps the input's order.
///
/// # Errors
/// As [`pool`].
pub fn map<T: Sync, R: Send>(items: &[T], threads: Option<usize>, f: impl Fn(&T) -> R + Sync + Send) -> Result<Vec<R>, Error> {
    let p = pool(threads)?;
    Ok(p.install(|| items.par_iter().with_min_len(4).map(f).collect()))
}

/// Segments many pages in parallel. `None` texts give `None`.
///
/// # Errors
/// As [`pool`].
pub fn segment_batch<S: AsRef<str> + Sync>(seg: &Segmenter, texts: &[Option<S>], threads: Option<usize>) -> Result<Vec<Option<Page>>, Error> {
    map(texts, threads, |t| t.as_ref().map(|t| seg.segment(t.as_ref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_output_for_any_thread_count() {
        let texts: Vec<Option<String>> = (0..50)
            .map(|i| if i % 7 == 0 { None } else { Some(format!("Menu\nThe council met on day {i} and agreed a plan to repair the roads before the winter.\nShare")) })
            .collect();
        let seg = Segmenter::default();
        let one = segment_batch(&seg, &texts, Some(1)).unwrap();
        let three = segment_batch(&seg, &texts, Some(3)).unwrap();
        assert_eq!(one, three);
        assert!(one[0].is_none() && one[1].is_some());
        assert!(pool(Some(0)).is_err());
    }
}
