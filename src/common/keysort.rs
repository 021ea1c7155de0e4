//! Sorting of integer sort keys (order-preserving images of floats) for the
//! per-endpoint rank tests: a short LSD radix sort plus insertion sort.

thread_local! {
    static SORT_SCRATCH: std::cell::RefCell<Vec<u64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Sort `u64` keys ascending: two counting-sort passes (LSD radix) on
/// the top 16 significant bits of `key - min`, then insertion sort, which
/// only has to order keys that share those bits. Should many do (clustered
/// data next to an outlier), the insertion sort gives up and a comparison
/// sort finishes.
pub fn sort_keys(keys: &mut [u64]) {
    let n = keys.len();
    if n < 64 {
        keys.sort_unstable();
        return;
    }
    let (mut lo, mut hi) = (u64::MAX, 0u64);
    for &k in keys.iter() {
        lo = lo.min(k);
        hi = hi.max(k);
    }
    let span = hi - lo;
    if span == 0 {
        return;
    }
    let shift = (64 - span.leading_zeros()).saturating_sub(16);
    let done = SORT_SCRATCH.with(|cell| {
        let tmp = &mut *cell.borrow_mut();
        tmp.clear();
        tmp.resize(n, 0);
        let mut c0 = [0u32; 256];
        let mut c1 = [0u32; 256];
        for &k in keys.iter() {
            let d = (k - lo) >> shift;
            c0[(d & 0xff) as usize] += 1;
            c1[((d >> 8) & 0xff) as usize] += 1;
        }
        let (mut a0, mut a1) = (0u32, 0u32);
        for (x, y) in c0.iter_mut().zip(c1.iter_mut()) {
            let (v0, v1) = (*x, *y);
            *x = a0;
            *y = a1;
            a0 += v0;
            a1 += v1;
        }
        let t = &mut tmp[..n];
        for &k in keys.iter() {
            let b = &mut c0[(((k - lo) >> shift) & 0xff) as usize];
            t[*b as usize] = k;
            *b += 1;
        }
        let o = &mut keys[..n];
        for &k in t.iter() {
            let b = &mut c1[((((k - lo) >> shift) >> 8) & 0xff) as usize];
            o[*b as usize] = k;
            *b += 1;
        }
        // insertion sort within equal top bits; bounded work
        let mut budget = 8 * n;
        for i in 1..n {
            let k = o[i];
            if o[i - 1] > k {
                let mut j = i;
                while j > 0 && o[j - 1] > k {
                    o[j] = o[j - 1];
                    j -= 1;
                }
                o[j] = k;
                budget = budget.saturating_sub(i - j);
                if budget == 0 {
                    return false;
                }
            }
        }
        true
    });
    if !done {
        keys.sort_unstable();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_a_comparison_sort() {
        let mut state = 7u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            state >> 20
        };
        for n in [0, 1, 63, 64, 65, 200, 3000] {
            for kind in 0..3 {
                let mut keys: Vec<u64> = (0..n)
                    .map(|i| match kind {
                        0 => next(),
                        1 => next() % 5,                        // heavy ties
                        _ => if i == 0 { u64::MAX } else { next() % 1000 }, // an outlier
                    })
                    .collect();
                let mut want = keys.clone();
                want.sort_unstable();
                sort_keys(&mut keys);
                assert_eq!(keys, want, "n {n} kind {kind}");
            }
        }
    }
}
