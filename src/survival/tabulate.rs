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

use rayon::slice::ParallelSliceMut;

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

/// Tabulate the rows `rows` (all rows when None) of `time` with labels `label[i] < width`.
/// `time` must be validated (finite, >= 0).
pub fn tabulate(time: &[f64], label: &[u32], rows: Option<&[usize]>, width: usize) -> Tabulation {
    let n = rows.map_or(time.len(), |r| r.len());
    let get = |k: usize| -> usize { rows.map_or(k, |r| r[k]) };
    // integer path?
    let mut max = 0.0f64;
    let mut integer = true;
    for k in 0..n {
        let t = time[get(k)];
        if t.fract() != 0.0 {
            integer = false;
            break;
        }
        if t > max {
            max = t;
        }
    }
    if integer && n > 0 && (max + 1.0) * (width as f64) <= histogram_budget(n) as f64 {
        let m = max as usize + 1;
        let mut hist = vec![0u32; m * width];
        for k in 0..n {
            let i = get(k);
            hist[time[i] as usize * width + label[i] as usize] += 1;
        }
        let mut out = Tabulation { times: Vec::new(), counts: Vec::new(), width };
        for (t, cell) in hist.chunks_exact(width).enumerate() {
            if cell.iter().any(|&c| c != 0) {
                out.times.push(t as f64);
                out.counts.extend_from_slice(cell);
            }
        }
        return out;
    }
    let mut pairs: Vec<(u64, u32)> = (0..n)
        .map(|k| {
            let i = get(k);
            ((time[i] + 0.0).to_bits(), label[i])
        })
        .collect();
    if n > 1 << 16 {
        pairs.par_sort_unstable();
    } else {
        pairs.sort_unstable();
    }
    let mut out = Tabulation { times: Vec::new(), counts: Vec::new(), width };
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
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_and_sorted_paths_agree() {
        let t = [3.0, 1.0, 3.0, 0.0, 7.0, 1.0];
        let l = [1, 0, 1, 0, 1, 1];
        let a = tabulate(&t, &l, None, 2);
        assert_eq!(a.times, vec![0.0, 1.0, 3.0, 7.0]);
        assert_eq!(a.counts, vec![1, 0, 1, 1, 0, 2, 0, 1]);
        let t2: Vec<f64> = t.iter().map(|v| v + 0.5).collect();
        let b = tabulate(&t2, &l, None, 2);
        assert_eq!(b.counts, a.counts);
        assert_eq!(b.times, vec![0.5, 1.5, 3.5, 7.5]);
    }

    #[test]
    fn row_subset_and_huge_integers() {
        let t = [1e15, 2.0, 1e15];
        let l = [0, 0, 1];
        let a = tabulate(&t, &l, Some(&[0, 2]), 2);
        assert_eq!(a.times, vec![1e15]);
        assert_eq!(a.counts, vec![1, 1]);
        assert!(tabulate(&t, &l, Some(&[]), 2).is_empty());
    }
}
