//! Thread pools for the batch functions.
//!
//! Each thread count gets its own rayon pool, built on first use and kept. The pools remember
//! the process that built them: a child made by `fork()` inherits the parent's pool objects
//! (and perhaps a lock another thread held at the fork) but not its threads, so it builds
//! fresh pools, without touching the inherited lock, instead of waiting forever on threads
//! that do not exist (the fork deadlock that rayon's global pool has).

use std::collections::HashMap;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, Mutex};

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

/// The pools of one process. A child made by `fork()` finds the parent's state (its pid does
/// not match) and installs its own: the parent's mutex may have been held by another thread
/// at the moment of the fork, and that thread does not exist in the child, so the child must
/// never lock it.
struct ProcessPools {
    pid: u32,
    pools: Mutex<Pools>,
}

static STATE: AtomicPtr<ProcessPools> = AtomicPtr::new(std::ptr::null_mut());

fn process_pools() -> &'static ProcessPools {
    let pid = std::process::id();
    loop {
        let cur = STATE.load(Ordering::Acquire);
        // SAFETY: STATE only ever holds null or a pointer from `Box::into_raw` that is never
        // freed (states of earlier processes are leaked on purpose), so it is valid for 'static.
        if let Some(state) = unsafe { cur.as_ref() } {
            if state.pid == pid {
                return state;
            }
        }
        let fresh = Box::into_raw(Box::new(ProcessPools { pid, pools: Mutex::new(HashMap::new()) }));
        if STATE.compare_exchange(cur, fresh, Ordering::AcqRel, Ordering::Acquire).is_ok() {
            // The inherited state (and its pools, whose threads are not in this process) is
            // leaked: dropping it could wait on a lock or a thread that will never come.
            // SAFETY: `fresh` was just installed from a live Box.
            return unsafe { &*fresh };
        }
        // Another thread installed a state first: free ours, use theirs.
        // SAFETY: `fresh` was never shared.
        drop(unsafe { Box::from_raw(fresh) });
    }
}

/// The pool for `threads` threads (`None`: [`default_threads`]).
///
/// # Errors
/// [`Error::InvalidOption`] when `threads` is zero or the pool cannot be built.
pub fn pool(threads: Option<usize>) -> Result<Arc<rayon::ThreadPool>, Error> {
    let n = match threads {
        Some(0) => return Err(Error::InvalidOption { name: "num_threads", message: "must be at least 1".into() }),
        Some(n) => n.min(1024),
        None => default_threads(),
    };
    let mut guard = process_pools().pools.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(p) = guard.get(&n) {
        return Ok(Arc::clone(p));
    }
    let p = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("newsclean-{i}"))
        .build()
        .map_err(|e| Error::InvalidOption { name: "num_threads", message: e.to_string() })?;
    let p = Arc::new(p);
    guard.insert(n, Arc::clone(&p));
    Ok(p)
}

/// Runs `f` inside the pool for `threads` threads, so that any rayon call in it (a parallel
/// sort, `par_iter`) uses that pool. Every parallel call of the crate must go through this,
/// [`map`] or [`segment_batch`]: rayon's global pool is not fork-safe (a child forked after the
/// parent used it waits forever for the parent's threads).
///
/// # Errors
/// As [`pool`].
pub fn install<R: Send>(threads: Option<usize>, f: impl FnOnce() -> R + Send) -> Result<R, Error> {
    Ok(pool(threads)?.install(f))
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
