//! Large buffers that fault in as huge pages.
//!
//! A fresh 70 MB column (10M rows of f64) is 17,000 page faults of 4 KB on
//! first touch, and at that size the faults cost as much as the arithmetic
//! that fills the column. Linux maps 2 MB pages instead when the range is
//! marked `MADV_HUGEPAGE` (the machine's transparent-huge-page setting is
//! usually `madvise`, as numpy's allocator assumes for its own large
//! arrays). [`filled`] allocates, marks and fills (in parallel, so the
//! remaining faults are shared by the threads) in one step. Elsewhere, and
//! for small buffers, it is a plain `vec![value; n]`.

use std::mem::MaybeUninit;

use rayon::prelude::*;

/// Below this many bytes the plain allocation is used.
const HUGE_MIN_BYTES: usize = 4 << 20;

/// `vec![value; n]`, with the buffer marked for huge pages when large.
pub fn filled<T: Copy + Send + Sync>(n: usize, value: T) -> Vec<T> {
    if n.saturating_mul(std::mem::size_of::<T>()) < HUGE_MIN_BYTES {
        return vec![value; n];
    }
    collect(rayon::iter::repeat_n(value, n))
}

/// `Vec::with_capacity(n)`, the buffer marked for huge pages when large (for
/// a vector filled by `push` in a sequential pass).
pub fn with_capacity<T>(n: usize) -> Vec<T> {
    let mut v: Vec<T> = Vec::with_capacity(n);
    let bytes = n.saturating_mul(std::mem::size_of::<T>());
    if bytes >= HUGE_MIN_BYTES {
        advise_huge(v.as_mut_ptr() as *mut u8, bytes);
    }
    v
}

/// `0..n` as u32 row numbers (an identity order), huge-page backed when large.
pub fn iota_u32(n: usize) -> Vec<u32> {
    collect((0..n as u32).into_par_iter())
}

/// Collect an indexed parallel iterator of known length into a new vector,
/// huge-page backed when large (each element written once, no zero fill).
pub fn collect<T, I>(iter: I) -> Vec<T>
where
    T: Send,
    I: IndexedParallelIterator<Item = T>,
{
    let n = iter.len();
    let bytes = n.saturating_mul(std::mem::size_of::<T>());
    let mut v: Vec<T> = Vec::with_capacity(n);
    if bytes >= HUGE_MIN_BYTES {
        advise_huge(v.as_mut_ptr() as *mut u8, bytes);
    }
    v.par_extend(iter);
    v
}

/// `K` new vectors of `n` elements, element `i` of vector `k` being `f(i)[k]`:
/// filled in one parallel pass, each element written once (no zero fill
/// first), huge-page backed when large. For outputs computed together (e.g.
/// a baseline, the change and the percent change of one row).
pub fn columns<T, F, const K: usize>(n: usize, f: F) -> [Vec<T>; K]
where
    T: Copy + Send + Sync,
    F: Fn(usize) -> [T; K] + Sync,
{
    write_once(n, 1 << 14, |lo, pieces: &mut [&mut [MaybeUninit<T>]; K]| {
        let len = pieces.first().map_or(0, |p| p.len());
        for q in 0..len {
            let vals = f(lo + q);
            for (piece, x) in pieces.iter_mut().zip(vals) {
                piece[q].write(x);
            }
        }
    })
}

/// [`columns`] by groups of `per` consecutive elements: `f(g, entries)` fills
/// the `per` entries of group `g` (elements `g * per ..`), one `[T; K]` each
/// (`entries` starts as `init`). For outputs made a subject at a time.
pub fn columns_grouped<T, F, const K: usize>(
    groups: usize,
    per: usize,
    init: T,
    f: F,
) -> [Vec<T>; K]
where
    T: Copy + Send + Sync,
    F: Fn(usize, &mut [[T; K]]) + Sync,
{
    let per_chunk = per.max(1) * ((1 << 14) / per.max(1)).max(1);
    write_once(
        groups * per,
        per_chunk,
        |lo, pieces: &mut [&mut [MaybeUninit<T>]; K]| {
            let len = pieces.first().map_or(0, |p| p.len());
            let mut entries = vec![[init; K]; per];
            for (gi, q0) in (0..len).step_by(per.max(1)).enumerate() {
                entries.fill([init; K]);
                f(lo / per.max(1) + gi, &mut entries);
                for (q, e) in entries.iter().enumerate() {
                    for k in 0..K {
                        pieces[k][q0 + q].write(e[k]);
                    }
                }
            }
        },
    )
}

/// `K` vectors of `n` elements from parallel chunks of `chunk` elements:
/// `body(lo, pieces)` gets, for the chunk starting at element `lo`, the
/// uninitialised piece of each vector, and must write every element of every
/// piece (the callers above do; this stays private for that reason).
fn write_once<T, B, const K: usize>(n: usize, chunk: usize, body: B) -> [Vec<T>; K]
where
    T: Copy + Send + Sync,
    B: Fn(usize, &mut [&mut [MaybeUninit<T>]; K]) + Sync,
{
    // SAFETY: `body` writes every element of every piece and always succeeds
    let done = unsafe {
        try_write_chunks(n, chunk, |lo, pieces| {
            body(lo, pieces);
            Some(())
        })
    };
    // (every chunk returned Some: never the empty fallback)
    done.map_or_else(|| std::array::from_fn(|_| Vec::new()), |(out, _)| out)
}

/// `K` new vectors of `n` elements (huge-page backed when large) written in
/// parallel chunks of `chunk` elements by `body(lo, pieces)`: for the chunk
/// that starts at element `lo`, the uninitialised piece of each vector. A
/// chunk either writes all its pieces and returns `Some(a)`, or gives up with
/// `None`: then the result is `None` (nothing is read; the buffers are freed).
/// Otherwise the vectors and each chunk's `a`, in order.
///
/// # Safety
/// A `body` that returns `Some` must have written every element of every
/// piece it was given.
pub unsafe fn try_write_chunks<T, A, B, const K: usize>(
    n: usize,
    chunk: usize,
    body: B,
) -> Option<([Vec<T>; K], Vec<A>)>
where
    T: Copy + Send + Sync,
    A: Send,
    B: Fn(usize, &mut [&mut [MaybeUninit<T>]; K]) -> Option<A> + Sync,
{
    let chunk = chunk.max(1);
    let bytes = n.saturating_mul(std::mem::size_of::<T>());
    let mut out: [Vec<T>; K] = std::array::from_fn(|_| Vec::with_capacity(n));
    if bytes >= HUGE_MIN_BYTES {
        for v in &mut out {
            advise_huge(v.as_mut_ptr() as *mut u8, bytes);
        }
    }
    let acc: Option<Vec<A>> = {
        // per chunk: the matching piece of each vector's spare capacity (every
        // vector has `n` elements, so each yields the same chunks)
        let mut chunks = out
            .each_mut()
            .map(|v| v.spare_capacity_mut()[..n].chunks_mut(chunk));
        let parts: Vec<(usize, [&mut [MaybeUninit<T>]; K])> = (0..n.div_ceil(chunk))
            .map(|c| {
                (
                    c * chunk,
                    chunks.each_mut().map(|it| it.next().unwrap_or_default()),
                )
            })
            .collect();
        parts
            .into_par_iter()
            .map(|(lo, mut pieces)| body(lo, &mut pieces))
            .collect()
    };
    let acc = acc?;
    for v in &mut out {
        // SAFETY: every chunk returned Some, so (caller's contract) wrote every
        // element of its pieces; the chunks cover 0..n; `n` is within capacity.
        unsafe { v.set_len(n) };
    }
    Some((out, acc))
}

#[cfg(target_os = "linux")]
fn advise_huge(ptr: *mut u8, bytes: usize) {
    const PAGE: usize = 4096;
    let start = (ptr as usize).div_ceil(PAGE) * PAGE;
    let end = (ptr as usize + bytes) / PAGE * PAGE;
    if end > start {
        // SAFETY: [start, end) lies inside the allocation just made and owned
        // by the caller; madvise only changes how the kernel backs it (a
        // failure, e.g. THP disabled, leaves the plain pages: ignored).
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge(_ptr: *mut u8, _bytes: usize) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filled_and_iota_are_plain_vectors() {
        for n in [0usize, 1, 7, 1 << 20] {
            assert_eq!(filled(n, 2.5f64), vec![2.5; n]);
            let v = iota_u32(n);
            assert_eq!(v.len(), n);
            assert!(v.iter().enumerate().all(|(i, &x)| x as usize == i));
            let w = collect((0..n).into_par_iter().map(|i| i as f64 * 0.5));
            assert!(w.iter().enumerate().all(|(i, &x)| x == i as f64 * 0.5));
            let [a, b] = columns(n, |i| [i as f64, -(i as f64)]);
            assert!(a.len() == n && b.len() == n);
            assert!((0..n).all(|i| a[i] == i as f64 && b[i] == -(i as f64)));
            for per in [1usize, 3, 7] {
                let [g, q] = columns_grouped(n / per, per, -1i64, |g, e| {
                    for (j, x) in e.iter_mut().enumerate().skip(1) {
                        *x = [g as i64, j as i64];
                    }
                });
                assert_eq!(g.len(), n / per * per);
                for i in 0..g.len() {
                    let want = if i % per == 0 {
                        (-1, -1)
                    } else {
                        ((i / per) as i64, (i % per) as i64)
                    };
                    assert_eq!((g[i], q[i]), want);
                }
            }
        }
    }
}
