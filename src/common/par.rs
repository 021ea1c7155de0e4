//! Parallel loops in which the calling thread works too.
//!
//! A rayon parallel iterator called from outside the pool (the Python thread,
//! with the GIL released) hands the whole job to the pool and blocks until it
//! is done. After a pause the pool threads are asleep, and the job waits for
//! them to wake up and be scheduled (on a busy machine, behind other
//! processes) before any work starts. Here the tasks are numbered and handed
//! out through one shared counter: the calling thread takes tasks from the
//! start, helper jobs spawned into the pool take them as soon as they run, and
//! a helper that runs late finds nothing left and returns. A call is never
//! slower than on one thread by more than the spawn of its helpers and the
//! wait for a helper still running (or not yet started) when the caller runs
//! out of tasks.
//!
//! Helpers are spawned only when the work is large enough: `parallel = false`
//! (the caller's size threshold) runs everything on the calling thread.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// `f(item)` for every item, in item order, on the calling thread plus (when
/// `parallel` and there is more than one item) up to `threads - 1` pool
/// helpers pulling items from a shared counter.
pub fn map_items<I, R, F>(items: Vec<I>, parallel: bool, f: F) -> Vec<R>
where
    I: Send,
    R: Send,
    F: Fn(I) -> R + Sync,
{
    let helpers = rayon::current_num_threads().saturating_sub(1);
    if !parallel || items.len() < 2 || helpers == 0 {
        return items.into_iter().map(f).collect();
    }
    let n = items.len();
    let slots: Vec<Mutex<Option<I>>> = items.into_iter().map(|i| Mutex::new(Some(i))).collect();
    let out: Vec<Mutex<Option<R>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= n {
            break;
        }
        // each index is taken once, so its slot is full and uncontended
        let item = slots[i].lock().ok().and_then(|mut s| s.take());
        if let Some(item) = item {
            let r = f(item);
            if let Ok(mut o) = out[i].lock() {
                *o = Some(r);
            }
        }
    };
    rayon::in_place_scope(|s| {
        for _ in 0..helpers.min(n - 1) {
            s.spawn(|_| work());
        }
        work();
    });
    // every slot was filled (a panic in `f` propagates out of the scope)
    out.into_iter()
        .filter_map(|o| o.into_inner().ok().flatten())
        .collect()
}

/// `f(first_index, chunk)` on consecutive chunks of `data` of `chunk` items,
/// as [`map_items`]; results in chunk order.
pub fn map_chunks_mut<T, R, F>(data: &mut [T], chunk: usize, parallel: bool, f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(usize, &mut [T]) -> R + Sync,
{
    let chunk = chunk.max(1);
    let items: Vec<(usize, &mut [T])> = data.chunks_mut(chunk).enumerate().collect();
    map_items(items, parallel, |(c, part)| f(c * chunk, part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_once_in_order() {
        for parallel in [false, true] {
            for n in [0usize, 1, 2, 3, 64, 1000] {
                let got = map_items((0..n).collect(), parallel, |i| i * 2);
                assert_eq!(got, (0..n).map(|i| i * 2).collect::<Vec<_>>());
            }
            let mut v = vec![0usize; 1003];
            let firsts = map_chunks_mut(&mut v, 10, parallel, |first, c| {
                for (j, x) in c.iter_mut().enumerate() {
                    *x = first + j;
                }
                first
            });
            assert_eq!(firsts, (0..101).map(|c| c * 10).collect::<Vec<_>>());
            assert!(v.iter().enumerate().all(|(i, &x)| i == x));
        }
    }

    #[test]
    fn works_inside_the_pool_and_on_one_thread() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build();
        if let Ok(pool) = pool {
            let got = pool.install(|| map_items((0..100).collect(), true, |i: usize| i + 1));
            assert_eq!(got.len(), 100);
            assert_eq!(got[99], 100);
        }
        // nested: a parallel map inside a parallel map
        let got = map_items((0..8).collect(), true, |i: usize| {
            map_items((0..50).collect(), true, |j: usize| i * j)
                .iter()
                .sum::<usize>()
        });
        assert_eq!(got[3], 3 * (49 * 50 / 2));
    }
}
