//! Row-parallel map: the engine of every vectorised score.

use crate::error::{Result, StatsError};

/// Rows per parallel task; below this the map runs on the calling thread.
pub const CHUNK: usize = 1 << 15;

/// Fill `out` chunk by chunk: `f(first_row, chunk)` fills one chunk and
/// returns the first error in it. Chunks run in parallel; the error of the
/// lowest row is returned, whatever the thread count.
pub fn fill_chunks<T, F>(n: usize, f: F) -> Result<Vec<T>>
where
    T: Send + Copy + Default,
    F: Fn(usize, &mut [T]) -> Option<StatsError> + Sync,
{
    let mut out = vec![T::default(); n];
    fill_chunks_into(&mut out, f)?;
    Ok(out)
}

/// As [`fill_chunks`], writing into a caller-provided buffer (the binding
/// layer passes numpy-allocated memory, which avoids a copy and uses numpy's
/// huge-page-friendly allocator for large outputs).
pub fn fill_chunks_into<T, F>(out: &mut [T], f: F) -> Result<()>
where
    T: Send,
    F: Fn(usize, &mut [T]) -> Option<StatsError> + Sync,
{
    let err = if out.len() <= CHUNK {
        f(0, out)
    } else {
        // the calling thread takes chunks too (see `common::par`)
        crate::common::par::map_chunks_mut(out, CHUNK, true, |first, chunk| f(first, chunk))
            .into_iter()
            .flatten()
            .min_by_key(|e| e.row())
    };
    match err {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// `out[i] = f(i)` for `i in 0..n`, in parallel chunks (see [`fill_chunks`]).
pub fn map_rows<T, F>(n: usize, f: F) -> Result<Vec<T>>
where
    T: Send + Copy + Default,
    F: Fn(usize) -> Result<T> + Sync,
{
    fill_chunks(n, |base, chunk: &mut [T]| {
        for (j, o) in chunk.iter_mut().enumerate() {
            match f(base + j) {
                Ok(v) => *o = v,
                Err(e) => return Some(e),
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_in_order_and_reports_the_first_bad_row() {
        let n = 3 * CHUNK + 17;
        let v = map_rows(n, |i| Ok(i as f64)).unwrap();
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as f64));
        let bad = [CHUNK + 5, 2 * CHUNK + 1, 40];
        let e = map_rows(n, |i| {
            if bad.contains(&i) {
                Err(StatsError::invalid("x", i, i as f64, "bad", "none"))
            } else {
                Ok(0.0)
            }
        })
        .unwrap_err();
        assert_eq!(e.row(), 40);
    }
}
