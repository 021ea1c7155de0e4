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
    if (0..n).any(|k| label(get(k)) >= width) {
        return None;
    }
    if width == 2 {
        // one label bit fits below the time's bit pattern (whose top bit is 0)
        let mut keys: Vec<u64> = (0..n)
            .map(|k| {
                let i = get(k);
                ((time[i] + 0.0).to_bits() << 1) | label(i) as u64
            })
            .collect();
        radix_sort_by_key(&mut keys, |&k| k);
        let mut out = Tabulation {
            times: Vec::with_capacity(n),
            counts: Vec::with_capacity(2 * n),
            width,
        };
        let mut i = 0;
        while i < n {
            let b = keys[i] >> 1;
            out.times.push(f64::from_bits(b));
            let mut c = [0u32; 2];
            while i < n && keys[i] >> 1 == b {
                c[(keys[i] & 1) as usize] += 1;
                i += 1;
            }
            out.counts.extend_from_slice(&c);
        }
        return Some(out);
    }
    let mut pairs: Vec<(u64, u32)> = (0..n)
        .map(|k| {
            let i = get(k);
            ((time[i] + 0.0).to_bits(), label(i) as u32)
        })
        .collect();
    radix_sort_by_key(&mut pairs, |p| p.0);
    let mut out = Tabulation {
        times: Vec::new(),
        counts: Vec::new(),
        width,
    };
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

/// Stable LSD radix sort on a u64 key, 16 bits per pass; passes where every
/// key has the same digit (e.g. the exponent bits of times of one magnitude)
/// are skipped. Small inputs use the standard sort.
pub fn radix_sort_by_key<T: Copy + Default, K: Fn(&T) -> u64>(v: &mut Vec<T>, key: K) {
    let n = v.len();
    if n < 1 << 12 {
        v.sort_by_key(|x| key(x));
        return;
    }
    const BITS: usize = 16;
    const B: usize = 1 << BITS;
    let mut counts = vec![[0usize; 4]; B];
    for x in v.iter() {
        let k = key(x);
        for d in 0..4 {
            counts[((k >> (BITS * d)) as usize) & (B - 1)][d] += 1;
        }
    }
    let mut buf = vec![T::default(); n];
    for d in 0..4 {
        if counts.iter().any(|c| c[d] == n) {
            continue; // all keys share this digit
        }
        let mut offset = vec![0usize; B];
        let mut sum = 0;
        for (o, c) in offset.iter_mut().zip(&counts) {
            *o = sum;
            sum += c[d];
        }
        for x in v.iter() {
            let b = ((key(x) >> (BITS * d)) as usize) & (B - 1);
            buf[offset[b]] = *x;
            offset[b] += 1;
        }
        std::mem::swap(v, &mut buf);
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

    #[test]
    fn radix_sort_matches_std_sort() {
        let mut s = 7u64;
        let mut v: Vec<(u64, u32)> = (0..20_000)
            .map(|i| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (((s >> 20) as f64 / 1e9).to_bits(), i)
            })
            .collect();
        let mut w = v.clone();
        radix_sort_by_key(&mut v, |p| p.0);
        w.sort_by_key(|p| p.0); // stable, like the radix sort
        assert_eq!(v, w);
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
