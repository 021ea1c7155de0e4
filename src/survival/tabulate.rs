//! Distinct times and per-label counts: the sorting step shared by the
//! Kaplan–Meier, G-rho, Aalen–Johansen and Gray computations, which only need,
//! for each distinct time, how many rows carry each label (event/censored,
//! group × event, cause, ...).
//!
//! Times that are all whole numbers up to a bound proportional to n (days,
//! months, the usual case in registry data) are counted straight into a
//! histogram: one pass, no comparison sort. Other times are sorted as
//! (bit pattern, label) pairs (the bit pattern of a finite value >= 0 orders
//! like the value); large inputs sort in parallel.

use rayon::prelude::*;

use super::TimeScan;
use crate::common::alloc;
use crate::common::keysort::{radix_sort_by_key, sort_packed};

/// `counts[j * width + l]` = rows with time `times[j]` and label `l`; `times` ascending.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tabulation {
    pub times: Vec<f64>,
    pub counts: Vec<u32>,
    pub width: usize,
}

impl Tabulation {
    pub fn len(&self) -> usize {
        self.times.len()
    }
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }
    #[inline]
    pub fn row(&self, j: usize) -> &[u32] {
        &self.counts[j * self.width..(j + 1) * self.width]
    }
}

/// Rows from which the passes over the rows run in parallel.
const PAR_ROWS: usize = 1 << 17;

/// Largest histogram (cells) the integer path may allocate for n rows.
fn histogram_budget(n: usize) -> usize {
    8 * n + (1 << 20)
}

/// Tabulate the rows `rows` (all rows when None) of `time`, row i carrying
/// label `label(i)`. `scan` is what [`super::check_times`] returned for the
/// whole of `time` (validated: finite, >= 0). A label >= `width` marks an
/// invalid row: the result is then `None` (the caller reports the row), so
/// label validation can ride along in the counting pass.
pub fn tabulate<F>(
    time: &[f64],
    label: F,
    rows: Option<&[usize]>,
    width: usize,
    scan: TimeScan,
) -> Option<Tabulation>
where
    F: Fn(usize) -> usize + Sync,
{
    let n = rows.map_or(time.len(), |r| r.len());
    let get = |k: usize| -> usize { rows.map_or(k, |r| r[k]) };
    let limit = (histogram_budget(n) / width.max(1)) as f64;
    let (integer, max) = (scan.integer && scan.max < limit, scan.max);
    if n > 0 && integer {
        let m = max as usize + 1;
        let cells = m * width;
        let top = width - 1;
        let fill = |range: std::ops::Range<usize>| {
            let mut hist = vec![0u32; cells];
            let mut bad = false;
            for k in range {
                let i = get(k);
                let l = label(i);
                bad |= l > top;
                hist[time[i] as i64 as usize * width + l.min(top)] += 1;
            }
            (hist, bad)
        };
        let threads = rayon::current_num_threads().max(1);
        let hist = if n >= 1 << 17 && threads > 1 && cells * threads <= n {
            let step = n.div_ceil(threads);
            (0..threads)
                .into_par_iter()
                .map(|c| fill(c * step..((c + 1) * step).min(n)))
                .reduce_with(|mut a, b| {
                    a.0.iter_mut().zip(&b.0).for_each(|(x, y)| *x += y);
                    (a.0, a.1 | b.1)
                })
                .unwrap_or_default()
        } else {
            fill(0..n)
        };
        let (hist, bad) = hist;
        if bad {
            return None;
        }
        let mut out = Tabulation {
            times: Vec::new(),
            counts: Vec::new(),
            width,
        };
        for (t, cell) in hist.chunks_exact(width).enumerate() {
            if cell.iter().any(|&c| c != 0) {
                out.times.push(t as f64);
                out.counts.extend_from_slice(cell);
            }
        }
        return Some(out);
    }
    sorted(time, &label, &get, n, width)
}

/// The sort path: each row becomes one `u64` key, the time's bit pattern
/// (less the smallest, so that only the varying bits remain) with the label in
/// the low bits, and the keys are radix sorted. Should time and label not fit
/// in 64 bits together (times spanning very many binades with a wide label),
/// (bit pattern, label) pairs are sorted instead. `None`: a label >= `width`.
fn sorted<F, G>(time: &[f64], label: &F, get: &G, n: usize, width: usize) -> Option<Tabulation>
where
    F: Fn(usize) -> usize + Sync,
    G: Fn(usize) -> usize + Sync,
{
    let bits = |k: usize| (time[get(k)] + 0.0).to_bits();
    // one pass: smallest and largest bit pattern, any label out of range
    // (large inputs in parallel, as the keys below)
    let scan = |(lo, hi, bad): (u64, u64, bool), k: usize| {
        let b = bits(k);
        (lo.min(b), hi.max(b), bad | (label(get(k)) >= width))
    };
    let first = (u64::MAX, 0u64, false);
    let (lo, hi, bad) = if n >= PAR_ROWS {
        (0..n)
            .into_par_iter()
            .fold(|| first, scan)
            .reduce(|| first, |a, b| (a.0.min(b.0), a.1.max(b.1), a.2 | b.2))
    } else {
        (0..n).fold(first, scan)
    };
    if bad {
        return None;
    }
    let lbits = usize::BITS - (width.max(1) - 1).leading_zeros();
    let tbits = u64::BITS - (hi.wrapping_sub(lo)).leading_zeros();
    let mut out = Tabulation {
        times: Vec::new(),
        counts: Vec::new(),
        width,
    };
    if n == 0 {
        return Some(out);
    }
    if tbits + lbits <= 64 {
        out.times = alloc::with_capacity(n);
        let key = |k: usize| ((bits(k) - lo) << lbits) | label(get(k)) as u64;
        let mut keys: Vec<u64> = if n >= PAR_ROWS {
            alloc::collect((0..n).into_par_iter().map(key))
        } else {
            (0..n).map(key).collect()
        };
        let value = |k: u64| f64::from_bits((k >> lbits) + lo);
        let range = (f64::from_bits(lo), f64::from_bits(hi));
        let nbits = tbits + lbits;
        // large inputs: the two halves are sorted at the same time and merged
        // by the counting pass below (no merged copy)
        let second: Vec<u64> = if n >= PAR_ROWS && rayon::current_num_threads() > 1 {
            let mut second = keys.split_off(n / 2);
            rayon::join(
                || sort_packed(&mut keys, nbits, value, range),
                || sort_packed(&mut second, nbits, value, range),
            );
            second
        } else {
            sort_packed(&mut keys, nbits, value, range);
            Vec::new()
        };
        let mask = (1u64 << lbits) - 1;
        // at most n distinct times: zeroed counts for n (untouched pages cost
        // nothing), cut to the distinct times found
        out.counts = alloc::filled(n * width, 0u32);
        let mut sorted = Merge {
            a: &keys,
            b: &second,
            i: 0,
            j: 0,
        };
        let mut base = 0;
        let mut next = sorted.next();
        while let Some(first) = next {
            let t = first >> lbits;
            out.times.push(f64::from_bits(t + lo));
            let cell = &mut out.counts[base..base + width];
            next = Some(first);
            while let Some(k) = next {
                if k >> lbits != t {
                    break;
                }
                cell[(k & mask) as usize] += 1;
                next = sorted.next();
            }
            base += width;
        }
        out.counts.truncate(base);
        out.counts.shrink_to_fit();
        return Some(out);
    }
    let mut pairs: Vec<(u64, u32)> = (0..n).map(|k| (bits(k), label(get(k)) as u32)).collect();
    radix_sort_by_key(&mut pairs, 64, |p| p.0);
    let mut i = 0;
    while i < n {
        let b = pairs[i].0;
        let base = out.counts.len();
        out.times.push(f64::from_bits(b));
        out.counts.resize(base + width, 0);
        while i < n && pairs[i].0 == b {
            out.counts[base + pairs[i].1 as usize] += 1;
            i += 1;
        }
    }
    Some(out)
}

/// The keys of two ascending runs in ascending order (a two-way merge; the
/// choice between the heads is a conditional move, not a branch).
struct Merge<'a> {
    a: &'a [u64],
    b: &'a [u64],
    i: usize,
    j: usize,
}

impl Iterator for Merge<'_> {
    type Item = u64;
    #[inline]
    fn next(&mut self) -> Option<u64> {
        match (self.a.get(self.i), self.b.get(self.j)) {
            (Some(&x), Some(&y)) => {
                let take_a = x <= y;
                self.i += usize::from(take_a);
                self.j += usize::from(!take_a);
                Some(if take_a { x } else { y })
            }
            (Some(&x), None) => {
                self.i += 1;
                Some(x)
            }
            (None, Some(&y)) => {
                self.j += 1;
                Some(y)
            }
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_and_sorted_paths_agree() {
        let t = [3.0, 1.0, 3.0, 0.0, 7.0, 1.0];
        let l = [1usize, 0, 1, 0, 1, 1];
        let a = tabulate(
            &t,
            |i| l[i],
            None,
            2,
            super::super::check_times(&t, "t").unwrap(),
        )
        .unwrap();
        assert_eq!(a.times, vec![0.0, 1.0, 3.0, 7.0]);
        assert_eq!(a.counts, vec![1, 0, 1, 1, 0, 2, 0, 1]);
        let t2: Vec<f64> = t.iter().map(|v| v + 0.5).collect();
        let b = tabulate(
            &t2,
            |i| l[i],
            None,
            2,
            super::super::check_times(&t2, "t").unwrap(),
        )
        .unwrap();
        assert!(tabulate(
            &t,
            |i| l[i] + 1,
            None,
            2,
            super::super::check_times(&t, "t").unwrap()
        )
        .is_none());
        assert!(tabulate(
            &t2,
            |i| l[i] + 1,
            None,
            2,
            super::super::check_times(&t2, "t").unwrap()
        )
        .is_none());
        assert_eq!(b.counts, a.counts);
        assert_eq!(b.times, vec![0.5, 1.5, 3.5, 7.5]);
    }

    /// Reference tabulation: a comparison sort of (time, label) pairs.
    fn naive(t: &[f64], l: &[usize], width: usize) -> Tabulation {
        let mut p: Vec<(f64, usize)> = t.iter().copied().zip(l.iter().copied()).collect();
        p.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut out = Tabulation {
            width,
            ..Default::default()
        };
        for (v, lab) in p {
            if out.times.last() != Some(&v) {
                out.times.push(v);
                out.counts.extend(std::iter::repeat_n(0, width));
            }
            let base = out.counts.len() - width;
            out.counts[base + lab] += 1;
        }
        out
    }

    #[test]
    fn packed_keys_and_pairs_agree_with_a_comparison_sort() {
        let mut next = crate::common::rng::lcg(3u64, |s| s >> 11);
        for (n, width, kind) in [
            (5000, 2, 0),
            (5000, 4, 0),
            (3000, 7, 1),
            (5000, 3, 2),
            (100, 4, 0),
            (40_000, 2, 1),
            (40_000, 4, 3),
            (200_000, 4, 1),
            (300_000, 2, 0), // two halves sorted in parallel and merged, with ties across them
        ] {
            let t: Vec<f64> = (0..n)
                .map(|_| {
                    let u = next() as f64 / (1u64 << 53) as f64;
                    match kind {
                        0 => (u * 1e4).round() / 8.0 + 0.25, // ties, not all whole
                        1 => u * 3.0,                        // all distinct
                        2 => (u * 2000.0 - 1000.0).exp2(),   // 2^-1000 .. 2^1000: too wide to pack
                        _ => u + 1e12 * f64::from(u8::from(u < 1e-4)), // far outliers: the grid is too coarse
                    }
                })
                .collect();
            let l: Vec<usize> = (0..n).map(|_| (next() % width as u64) as usize).collect();
            let sc = super::super::check_times(&t, "t").unwrap();
            let got = tabulate(&t, |i| l[i], None, width, sc).unwrap();
            assert_eq!(got, naive(&t, &l, width), "n {n} width {width} kind {kind}");
            assert!(tabulate(
                &t,
                |i| l[i] + usize::from(i == n - 1) * width,
                None,
                width,
                sc
            )
            .is_none());
        }
    }

    #[test]
    fn row_subset_and_huge_integers() {
        let t = [1e15, 2.0, 1e15];
        let l = [0usize, 0, 1];
        let sc = super::super::check_times(&t, "t").unwrap();
        let a = tabulate(&t, |i| l[i], Some(&[0, 2]), 2, sc).unwrap();
        assert_eq!(a.times, vec![1e15]);
        assert_eq!(a.counts, vec![1, 1]);
        assert!(tabulate(&t, |i| l[i], Some(&[]), 2, sc).unwrap().is_empty());
    }
}
