//! Counting walks without the walk: the row pointers `J_i(t) = #{j : a_i + b_j
//! <= t}` of a threshold from a bucket table over `b`, each row on its own (no
//! dependency chain from row to row, so the rows overlap in the CPU, where a
//! staircase step has to wait for the one before).
//!
//! `b` is cut into equal-width buckets over its range; `start[q]` is the number
//! of `b` below bucket `q`. For row `i` the bucket of `t - a_i` gives a first
//! column `L` a little before where the row's sums cross `t`, and the row is
//! settled by comparing the rounded sums `a_i + b_j` themselves with `t` over
//! a window of [`SPAN`] columns from `L`. The window is checked: the sum just
//! before it must be `<= t` and the one just after it `> t` (the sums of a row
//! are non-decreasing in `j`, rounding included), so the count is the walk's
//! count, exactly, whatever the rounding of `t - a_i` or of the bucket index.
//! A row that fails the check (values crowded into one bucket, or far outside
//! the table) makes the caller walk instead.

/// Columns compared per row (three vectors of four), the first and the last
/// being the checks.
pub(super) const SPAN: usize = 12;
/// Columns the window starts before the bucket's first (rounding of `t - a_i`).
const BEFORE: u32 = 2;

/// The bucket table over one ascending, finite `b`.
#[derive(Default)]
pub(super) struct Buckets {
    ok: bool,
    lo: f64,
    scale: f64,
    last: usize,
    /// `start[q]`: number of `b` in buckets before `q` (`q = 0..=nb`).
    start: Vec<u32>,
}

impl Buckets {
    /// Build the table for `b` (ascending, finite); usable only when no
    /// bucket holds more than the window can absorb.
    pub(super) fn build(&mut self, b: &[f64]) {
        self.ok = false;
        let m = b.len();
        if m < 2 {
            return;
        }
        let (lo, hi) = (b[0], b[m - 1]);
        let span = hi - lo;
        let nb = (2 * m).next_power_of_two().max(16);
        let scale = nb as f64 / span;
        if !(span > 0.0 && span.is_finite() && scale.is_finite()) {
            return;
        }
        (self.lo, self.scale, self.last) = (lo, scale, nb - 1);
        self.start.clear();
        self.start.resize(nb + 1, 0);
        for &v in b {
            let q = self.bucket(v) as usize;
            self.start[q + 1] += 1;
        }
        let mut acc = 0u32;
        let mut widest = 0u32;
        for s in self.start.iter_mut() {
            widest = widest.max(*s);
            acc += *s;
            *s = acc;
        }
        // the window covers BEFORE columns, the bucket, and what rounding
        // moves across its upper edge
        self.ok = (widest as usize) + (BEFORE as usize) + 4 <= SPAN;
    }

    pub(super) fn usable(&self) -> bool {
        self.ok
    }

    /// `J_i(t)` of every row into `rows[..n]` and their sum; `None` when a
    /// row's window did not hold its crossing. `bp` is `b` with `-inf` in
    /// front and at least `SPAN - 1` `+inf` behind; `t` finite.
    pub(super) fn rows(&self, a: &[f64], bp: &[f64], t: f64, rows: &mut [u32]) -> Option<u64> {
        let m = self.start[self.last + 1] as usize;
        assert!(bp.len() >= m + SPAN && rows.len() >= a.len());
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("popcnt")
            {
                // SAFETY: the CPU supports AVX2 and POPCNT (checked just
                // above); `bp` has the padding `rows_avx2` reads (asserted)
                return unsafe { self.rows_avx2(a, bp, t, rows) };
            }
        }
        self.rows_scalar(a, bp, t, rows)
    }

    /// Bucket of `v` (in `[0, last]`: `max`/`min` also drop a NaN, and the
    /// cast of a value in range floors); the table's values and a row's
    /// `t - a_i` alike (the AVX2 pass computes the same, four at a time).
    #[inline(always)]
    fn bucket(&self, v: f64) -> u32 {
        ((v - self.lo) * self.scale).max(0.0).min(self.last as f64) as u32
    }

    fn rows_scalar(&self, a: &[f64], bp: &[f64], t: f64, rows: &mut [u32]) -> Option<u64> {
        let (mut total, mut ok) = (0u64, true);
        for (r, &ai) in rows.iter_mut().zip(a) {
            let l = self.start[self.bucket(t - ai) as usize].saturating_sub(BEFORE) as usize;
            // bp[l] is b[l - 1]: the columns b[l - 1 ..= l + SPAN - 2]
            let w = &bp[l..l + SPAN];
            let le = w.iter().fold(0u32, |c, &v| c + (ai + v <= t) as u32);
            ok &= (ai + w[0] <= t) & (ai + w[SPAN - 1] > t);
            let j = (l as u32 + le).wrapping_sub(1);
            *r = j;
            total += j as u64;
        }
        ok.then_some(total)
    }

    /// Two passes: the buckets of four rows at a time (kept in `rows`), then
    /// each row's window. Apart, each pass has a short dependency chain per
    /// row, so many rows are in flight at once.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,popcnt")]
    unsafe fn rows_avx2(&self, a: &[f64], bp: &[f64], t: f64, rows: &mut [u32]) -> Option<u64> {
        use std::arch::x86_64::*;
        let n = a.len();
        let (tv, lov, sv) = (
            _mm256_set1_pd(t),
            _mm256_set1_pd(self.lo),
            _mm256_set1_pd(self.scale),
        );
        let (zero, lastv) = (_mm256_setzero_pd(), _mm256_set1_pd(self.last as f64));
        let quads = n / 4;
        for c in 0..quads {
            // SAFETY: 4c + 3 < n <= rows.len() (asserted by the caller)
            unsafe {
                let v = _mm256_sub_pd(tv, _mm256_loadu_pd(a.as_ptr().add(4 * c)));
                let x = _mm256_mul_pd(_mm256_sub_pd(v, lov), sv);
                // max/min return their second operand for a NaN: x in [0, last]
                let x = _mm256_min_pd(_mm256_max_pd(x, zero), lastv);
                _mm_storeu_si128(
                    rows.as_mut_ptr().add(4 * c) as *mut __m128i,
                    _mm256_cvttpd_epi32(x),
                );
            }
        }
        for i in 4 * quads..n {
            rows[i] = self.bucket(t - a[i]);
        }
        let (mut total, mut bad) = (0u64, 0u32);
        let (p, start) = (bp.as_ptr(), &self.start[..]);
        for (r, &ai) in rows[..n].iter_mut().zip(a) {
            let l = start[*r as usize].saturating_sub(BEFORE) as usize;
            let av = _mm256_set1_pd(ai);
            // SAFETY: l <= m and bp has m + SPAN entries (asserted by the caller)
            let (s0, s1, s2) = unsafe {
                (
                    _mm256_add_pd(av, _mm256_loadu_pd(p.add(l))),
                    _mm256_add_pd(av, _mm256_loadu_pd(p.add(l + 4))),
                    _mm256_add_pd(av, _mm256_loadu_pd(p.add(l + 8))),
                )
            };
            let mask = _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LE_OQ>(s0, tv))
                | (_mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LE_OQ>(s1, tv)) << 4)
                | (_mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LE_OQ>(s2, tv)) << 8);
            let mask = mask as u32;
            // the sum before the window <= t, the one after it > t
            bad |= (!mask & 1) | (mask >> (SPAN - 1));
            let j = (l as u32 + mask.count_ones()).wrapping_sub(1);
            *r = j;
            total += j as u64;
        }
        (bad == 0).then_some(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::rng::lcg;

    /// Every row pointer the table gives equals the direct count of the
    /// rounded sums, or the table declines; on spread-out data it answers.
    #[test]
    fn rows_equal_the_direct_count_or_decline() {
        let mut u = lcg(11, |s| (s >> 11) as f64 / (1u64 << 53) as f64);
        let (mut answered, mut asked) = (0, 0);
        for case in 0..300usize {
            let (n, m) = (1 + case % 37, 2 + (case * 7) % 41);
            let scale = [1.0, 1e-300, 1e300, 1e-12][case % 4];
            let offset = [0.0, 1e6, -3.0, 1e15][(case / 4) % 4];
            let draw = |u: &mut dyn FnMut() -> f64, k: usize| -> Vec<f64> {
                let mut v: Vec<f64> = (0..k)
                    .map(|_| match case % 3 {
                        0 => offset + scale * (u() - 0.5),
                        1 => offset + scale * ((u() * 8.0).round() - 4.0), // ties
                        _ => offset + scale * (u() - 0.5).powi(3) * 1e3,   // crowded centre
                    })
                    .collect();
                v.sort_by(|p, q| p.total_cmp(q));
                v
            };
            let a = draw(&mut u, n);
            let b: Vec<f64> = draw(&mut u, m).iter().rev().map(|v| -v).collect();
            let mut bk = Buckets::default();
            bk.build(&b);
            let mut bp = vec![f64::NEG_INFINITY];
            bp.extend_from_slice(&b);
            bp.extend([f64::INFINITY; SPAN - 1]);
            let mut rows = vec![0u32; n];
            for _ in 0..20 {
                // thresholds at sums, next to sums, and anywhere in the range
                let (i, j) = ((u() * n as f64) as usize % n, (u() * m as f64) as usize % m);
                let s = a[i] + b[j];
                for t in [s, next_up(s), -next_up(-s), s + (u() - 0.5) * scale] {
                    if !t.is_finite() || !bk.usable() {
                        continue;
                    }
                    asked += 1;
                    let direct: Vec<u32> = a
                        .iter()
                        .map(|&ai| b.iter().filter(|&&bj| ai + bj <= t).count() as u32)
                        .collect();
                    for simd in [true, false] {
                        let got = if simd {
                            bk.rows(&a, &bp, t, &mut rows)
                        } else {
                            bk.rows_scalar(&a, &bp, t, &mut rows)
                        };
                        let Some(total) = got else { continue };
                        answered += 1;
                        assert_eq!(&rows[..n], &direct[..], "case {case} t {t} simd {simd}");
                        assert_eq!(total, direct.iter().map(|&c| c as u64).sum::<u64>());
                    }
                }
            }
        }
        assert!(
            answered > asked,
            "the table answered {answered} of {} calls",
            2 * asked
        );
    }

    fn next_up(v: f64) -> f64 {
        if v.is_nan() || v == f64::INFINITY {
            return v;
        }
        if v == 0.0 {
            return f64::from_bits(1);
        }
        let b = v.to_bits();
        f64::from_bits(if v > 0.0 { b + 1 } else { b - 1 })
    }
}
