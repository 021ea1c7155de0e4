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
        }
    }
}
