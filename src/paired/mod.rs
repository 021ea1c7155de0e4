//! Paired and one-sample tests on the differences `d = y - x` (x = before,
//! y = after), for one endpoint or many at once.
//!
//! Every entry point takes `x` (and optionally `y`) as an `ArrayView2` of shape
//! `(endpoints, observations)` (one row per endpoint; the Python layer moves
//! the `axis` there) and runs the endpoints in parallel with rayon. With
//! `strict` (the 1-D form) a degenerate endpoint (too few pairs, all
//! differences zero) is an error; in matrix mode it gives a NaN row, so one
//! empty feature does not stop twenty thousand.

use crate::common::{par, NanPolicy};
use crate::error::{Result, StatsError};
use ndarray::{ArrayView1, ArrayView2};

pub mod bootstrap;
pub mod mcnemar;
pub mod partial;
pub mod permutation;
pub mod sign;
pub mod ttest;
pub mod wilcoxon;

/// Output of one endpoint that can stand for "no result" (NaN fields).
pub trait NanRow: Send {
    fn nan_row() -> Self;
}

/// The paired input: `x` (and `y`), endpoints in rows.
#[derive(Clone, Copy)]
pub struct Pairs<'a> {
    pub x: ArrayView2<'a, f64>,
    pub y: Option<ArrayView2<'a, f64>>,
}

impl<'a> Pairs<'a> {
    pub fn new(x: ArrayView2<'a, f64>, y: Option<ArrayView2<'a, f64>>) -> Result<Self> {
        if let Some(y) = y {
            if y.dim() != x.dim() {
                return Err(StatsError::length("x", x.ncols(), "y", y.ncols()));
            }
        }
        Ok(Pairs { x, y })
    }
    pub fn endpoints(&self) -> usize {
        self.x.nrows()
    }
    pub fn len(&self) -> usize {
        self.x.ncols()
    }
    pub fn is_empty(&self) -> bool {
        self.x.ncols() == 0
    }
}

/// One endpoint's data handed to a test: the differences of complete pairs
/// and the raw rows (for means of x and y over the same pairs).
pub struct Endpoint<'a> {
    pub d: &'a [f64],
    pub x: ArrayView1<'a, f64>,
    pub y: Option<ArrayView1<'a, f64>>,
}

impl Endpoint<'_> {
    /// Means of x and of y over the complete pairs (y: NaN for one-sample).
    pub fn means(&self) -> (f64, f64) {
        let (mut sx, mut sy, mut k) = (0.0, 0.0, 0usize);
        match self.y {
            Some(y) => {
                for (&a, &b) in self.x.iter().zip(y.iter()) {
                    if !a.is_nan() && !b.is_nan() {
                        sx += a;
                        sy += b;
                        k += 1;
                    }
                }
                (sx / k as f64, sy / k as f64)
            }
            None => {
                for &a in self.x.iter() {
                    if !a.is_nan() {
                        sx += a;
                        k += 1;
                    }
                }
                (sx / k as f64, f64::NAN)
            }
        }
    }
}

/// Differences of endpoint `e` into `buf`. `Ok(false)`: a NaN under 'propagate'.
fn differences(
    p: &Pairs<'_>,
    e: usize,
    policy: NanPolicy,
    strict: bool,
    buf: &mut Vec<f64>,
) -> Result<bool> {
    buf.clear();
    let xr = p.x.row(e);
    let col = if strict { None } else { Some(e) };
    let raise = |arg: &'static str, i: usize, v: f64| StatsError::InvalidValue {
        arg: arg.into(),
        row: i,
        col,
        value: v,
        reason: crate::common::check::MISSING,
        allowed: "a number".into(),
    };
    let xs = xr.as_slice();
    match p.y {
        Some(y) => {
            let yr = y.row(e);
            if let (Some(a), Some(b), NanPolicy::Propagate) = (xs, yr.as_slice(), policy) {
                // fast path: contiguous rows; NaN anywhere makes the endpoint NaN
                buf.extend(a.iter().zip(b).map(|(&u, &v)| v - u));
                if buf.iter().any(|v| !v.is_finite()) {
                    if a.iter().chain(b).any(|v| v.is_nan()) {
                        return Ok(false);
                    }
                } else {
                    return Ok(true);
                }
            } else {
                for (i, (&a, &b)) in xr.iter().zip(yr.iter()).enumerate() {
                    if a.is_infinite() || b.is_infinite() {
                        // the input row and side, before any NaN pair is dropped
                        let (arg, v) = if a.is_infinite() { ("x", a) } else { ("y", b) };
                        return Err(not_finite(arg, i, col, v));
                    }
                    if a.is_nan() || b.is_nan() {
                        match policy {
                            NanPolicy::Propagate => return Ok(false),
                            NanPolicy::Omit => continue,
                            NanPolicy::Raise => {
                                return Err(raise(if a.is_nan() { "x" } else { "y" }, i, f64::NAN))
                            }
                        }
                    }
                    buf.push(b - a);
                }
            }
        }
        None => {
            for (i, &a) in xr.iter().enumerate() {
                if a.is_infinite() {
                    return Err(not_finite("x", i, col, a));
                }
                if a.is_nan() {
                    match policy {
                        NanPolicy::Propagate => return Ok(false),
                        NanPolicy::Omit => continue,
                        NanPolicy::Raise => return Err(raise("x", i, f64::NAN)),
                    }
                }
                buf.push(a);
            }
        }
    }
    if buf.iter().any(|v| !v.is_finite()) {
        // only the fast path gets here (no NaN was dropped, so positions are
        // input rows): name the infinite input itself, not the difference
        for (i, &a) in xr.iter().enumerate() {
            if a.is_infinite() {
                return Err(not_finite("x", i, col, a));
            }
            if let Some(b) = p.y.as_ref().map(|y| y[[e, i]]).filter(|b| b.is_infinite()) {
                return Err(not_finite("y", i, col, b));
            }
        }
    }
    Ok(true)
}

fn not_finite(arg: &'static str, row: usize, col: Option<usize>, value: f64) -> StatsError {
    StatsError::InvalidValue {
        arg: arg.into(),
        row,
        col,
        value,
        reason: "not finite",
        allowed: "finite numbers (NaN = missing)".into(),
    }
}

/// Whether an error is a property of one endpoint's data (NaN row in matrix
/// mode) rather than of the call (always raised).
fn degenerate(e: &StatsError) -> bool {
    matches!(e, StatsError::TooFew { .. })
}

/// Endpoint `e` through the general path: differences under the NaN policy,
/// then `f`; a degenerate endpoint in matrix mode gives a NaN row.
fn general<T, F>(
    p: &Pairs<'_>,
    e: usize,
    policy: NanPolicy,
    strict: bool,
    buf: &mut Vec<f64>,
    f: &F,
) -> Result<T>
where
    T: NanRow,
    F: Fn(usize, &Endpoint<'_>) -> Result<T>,
{
    if !differences(p, e, policy, strict, buf)? {
        return Ok(T::nan_row());
    }
    let ep = Endpoint {
        d: buf,
        x: p.x.row(e),
        y: p.y.as_ref().map(|y| y.row(e)),
    };
    match f(e, &ep) {
        Err(err) if !strict && degenerate(&err) => Ok(T::nan_row()),
        r => r,
    }
}

/// Endpoints per parallel task in the matrix kernels.
pub const CHUNK: usize = 64;

/// Where a matrix kernel puts its rows: a `Vec` of output structs, or one
/// column (`&mut [f64]`, one value per endpoint) per field, e.g. numpy
/// arrays the binding allocated (no row-struct array, no copies).
pub enum Sink<'s, T, const K: usize> {
    Rows(&'s mut Vec<T>),
    Columns([&'s mut [f64]; K], fn(&T) -> [f64; K]),
}

/// Work below which a matrix call runs on the calling thread only (waking the
/// pool costs more than it saves), in values of a paired t-test (one
/// subtraction and two sums each); a costlier test counts each value as
/// several (see its call of [`fill_chunked`]). Measured with
/// `rs.paired.ttest(axis=1)` at n = 200 on the 2-core machine under load
/// (load average 7): best of 300 calls, one thread vs two: 64 endpoints
/// 40 vs 41 us, 256: 85 vs 98 us, 512: 162 vs 181 us, 2048: 669 vs 469 us.
/// Two threads pay from ~100,000 values on; on a quiet machine earlier.
pub const PAR_MIN_CELLS: usize = 1 << 17;

/// Run `fill(first_endpoint, rows)` on chunks of [`CHUNK`] endpoints (rows
/// start as NaN rows) and store them in `sink`: on the calling thread, with
/// pool helpers taking chunks too when `work` (endpoints x observations x
/// the test's cost per value relative to a paired t) reaches
/// [`PAR_MIN_CELLS`] (see `common::par`). Errors: the lowest endpoint's wins.
pub fn fill_chunked<T, const K: usize, F>(
    m: usize,
    work: usize,
    sink: Sink<'_, T, K>,
    fill: F,
) -> Result<()>
where
    T: NanRow + Copy + Sync,
    F: Fn(usize, &mut [T]) -> Result<()> + Sync,
{
    let first_err = |res: Vec<Result<()>>| res.into_iter().collect::<Result<Vec<()>>>().map(|_| ());
    match sink {
        Sink::Rows(out) => {
            out.clear();
            out.resize(m, T::nan_row());
            if m <= CHUNK {
                // one chunk (the 1-D form, small matrices): on this thread
                return fill(0, out);
            }
            first_err(par::map_chunks_mut(
                out,
                CHUNK,
                work >= PAR_MIN_CELLS,
                |first, chunk| fill(first, chunk),
            ))
        }
        Sink::Columns(cols, fields) => {
            if cols.iter().any(|c| c.len() != m) {
                return Err(StatsError::argument(
                    "out",
                    "internal: output columns of the wrong length",
                ));
            }
            // per chunk: its slice of every column
            let mut its: Vec<_> = cols.into_iter().map(|c| c.chunks_mut(CHUNK)).collect();
            let mut tasks = Vec::with_capacity(m.div_ceil(CHUNK));
            for c in 0..m.div_ceil(CHUNK) {
                let parts: Vec<&mut [f64]> = its.iter_mut().filter_map(|it| it.next()).collect();
                tasks.push((c, parts));
            }
            let run = |(c, mut parts): (usize, Vec<&mut [f64]>)| -> Result<()> {
                let len = parts.first().map_or(0, |p| p.len());
                let mut rows = [T::nan_row(); CHUNK];
                fill(c * CHUNK, &mut rows[..len])?;
                for (i, r) in rows[..len].iter().enumerate() {
                    for (col, v) in parts.iter_mut().zip(fields(r)) {
                        col[i] = v;
                    }
                }
                Ok(())
            };
            if tasks.len() == 1 {
                return tasks.into_iter().try_for_each(run);
            }
            first_err(par::map_items(tasks, work >= PAR_MIN_CELLS, run))
        }
    }
}

/// Run `f` on every endpoint, in parallel when the work (endpoints x
/// observations x `cost`, the cost per value relative to a paired t; a
/// resampling test passes its number of resamples) reaches
/// [`PAR_MIN_CELLS`]. Errors: the lowest endpoint's wins.
pub fn each_endpoint<T, F>(
    p: &Pairs<'_>,
    policy: NanPolicy,
    strict: bool,
    cost: usize,
    f: F,
) -> Result<Vec<T>>
where
    T: NanRow,
    F: Fn(usize, &Endpoint<'_>) -> Result<T> + Sync,
{
    let run = |e: usize, buf: &mut Vec<f64>| -> Result<T> {
        if !differences(p, e, policy, strict, buf)? {
            return Ok(T::nan_row());
        }
        let ep = Endpoint {
            d: buf,
            x: p.x.row(e),
            y: p.y.as_ref().map(|y| y.row(e)),
        };
        match f(e, &ep) {
            Err(err) if !strict && degenerate(&err) => Ok(T::nan_row()),
            r => r,
        }
    };
    let m = p.endpoints();
    if m == 1 {
        let mut buf = Vec::with_capacity(p.len());
        return Ok(vec![run(0, &mut buf)?]);
    }
    // tasks of up to CHUNK endpoints (one when an endpoint is much work), one
    // difference buffer per task
    let per_endpoint = p.len().max(1).saturating_mul(cost.max(1));
    let size = (PAR_MIN_CELLS / 8 / per_endpoint).clamp(1, CHUNK);
    let chunks: Vec<usize> = (0..m.div_ceil(size)).collect();
    let parallel = m.saturating_mul(per_endpoint) >= PAR_MIN_CELLS;
    let results: Vec<Vec<Result<T>>> = par::map_items(chunks, parallel, |c| {
        let mut buf = Vec::with_capacity(p.len());
        (c * size..((c + 1) * size).min(m))
            .map(|e| run(e, &mut buf))
            .collect()
    });
    results.into_iter().flatten().collect()
}

/// Median of a slice (sorted copy; the mean of the two middle values for even n).
pub fn median(v: &[f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_unstable_by(|a, b| a.total_cmp(b));
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

/// Sum with four independent accumulators (vectorises, and rounds no worse
/// than a single running sum).
#[inline]
fn sum4(v: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let chunks = v.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            acc[k] += c[k];
        }
    }
    let tail: f64 = rest.iter().sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Sample mean and standard deviation (ddof = 1), two-pass for accuracy.
pub fn mean_sd(d: &[f64]) -> (f64, f64) {
    let mean = sum4(d) / d.len() as f64;
    (mean, sd_about(d, mean))
}

/// `d` = the contiguous differences `y - x` (or `x`) written into `buf`, and
/// their [`sum4`] (the same value, in one pass over the inputs).
fn fill_sum4(x: &[f64], y: Option<&[f64]>, buf: &mut Vec<f64>) -> f64 {
    let n = x.len();
    buf.clear();
    buf.resize(n, 0.0);
    let mut acc = [0.0f64; 4];
    let full = n - n % 4;
    match y {
        Some(y) => {
            for ((o, a), b) in buf[..full]
                .chunks_exact_mut(4)
                .zip(x[..full].chunks_exact(4))
                .zip(y[..full].chunks_exact(4))
            {
                for k in 0..4 {
                    let d = b[k] - a[k];
                    o[k] = d;
                    acc[k] += d;
                }
            }
            for i in full..n {
                buf[i] = y[i] - x[i];
            }
        }
        None => {
            for (o, a) in buf[..full]
                .chunks_exact_mut(4)
                .zip(x[..full].chunks_exact(4))
            {
                o.copy_from_slice(a);
                for k in 0..4 {
                    acc[k] += a[k];
                }
            }
            buf[full..].copy_from_slice(&x[full..]);
        }
    }
    let tail: f64 = buf[full..].iter().sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Differences of endpoint `e` into `buf` and their mean and sd, when every
/// value is finite (then every NaN policy gives these); `None` otherwise
/// (the caller takes the general path, which applies the policy).
fn finite_mean_sd(p: &Pairs<'_>, e: usize, buf: &mut Vec<f64>) -> Option<(f64, f64)> {
    let xr = p.x.row(e);
    let yr = p.y.as_ref().map(|y| y.row(e));
    let sum = match (xr.as_slice(), yr.as_ref().map(|r| r.as_slice())) {
        (Some(a), None) => fill_sum4(a, None, buf),
        (Some(a), Some(Some(b))) => fill_sum4(a, Some(b), buf),
        _ => {
            // strided rows (axis = 0 input read in place)
            buf.clear();
            match &yr {
                Some(y) => buf.extend(xr.iter().zip(y.iter()).map(|(&a, &b)| b - a)),
                None => buf.extend(xr.iter().copied()),
            }
            sum4(buf)
        }
    };
    // a NaN or infinity anywhere makes the sum non-finite (overflow too: the
    // general path then sorts it out)
    if !sum.is_finite() {
        return None;
    }
    let mean = sum / buf.len() as f64;
    Some((mean, sd_about(buf, mean)))
}

/// Sample standard deviation (ddof = 1) about a given mean.
fn sd_about(d: &[f64], mean: f64) -> f64 {
    let n = d.len() as f64;
    let mut acc = [0.0f64; 4];
    let chunks = d.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..4 {
            let e = c[k] - mean;
            acc[k] += e * e;
        }
    }
    let tail: f64 = rest.iter().map(|v| (v - mean) * (v - mean)).sum();
    let ss = (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail;
    (ss / (n - 1.0)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[derive(Debug, PartialEq)]
    struct N(f64);
    impl NanRow for N {
        fn nan_row() -> Self {
            N(f64::NAN)
        }
    }

    #[test]
    fn differences_follow_the_nan_policy() {
        let x = array![[1.0, 2.0, f64::NAN, 4.0]];
        let y = array![[2.0, 4.0, 5.0, 4.0]];
        let p = Pairs::new(x.view(), Some(y.view())).unwrap();
        let sum = |_: usize, e: &Endpoint<'_>| Ok(N(e.d.iter().sum()));
        assert_eq!(
            each_endpoint(&p, NanPolicy::Omit, true, 1, sum).unwrap(),
            vec![N(3.0)]
        );
        assert!(
            each_endpoint(&p, NanPolicy::Propagate, true, 1, sum).unwrap()[0]
                .0
                .is_nan()
        );
        let e = each_endpoint(&p, NanPolicy::Raise, true, 1, sum).unwrap_err();
        assert_eq!(e.row(), 2);
        assert!(e.to_string().starts_with("x[2]"));
    }

    #[test]
    fn matrix_mode_turns_degenerate_endpoints_into_nan() {
        let x = array![[1.0, 2.0], [f64::NAN, f64::NAN]];
        let p = Pairs::new(x.view(), None).unwrap();
        let f = |_: usize, e: &Endpoint<'_>| {
            if e.d.is_empty() {
                Err(StatsError::too_few("x", 0, 1))
            } else {
                Ok(N(e.d[0]))
            }
        };
        let out = each_endpoint(&p, NanPolicy::Omit, false, 1, f).unwrap();
        assert_eq!(out[0], N(1.0));
        assert!(out[1].0.is_nan());
        assert!(each_endpoint(
            &Pairs::new(x.slice(ndarray::s![1..2, ..]), None).unwrap(),
            NanPolicy::Omit,
            true,
            1,
            f
        )
        .is_err());
        let (m, s) = mean_sd(&[1.0, 2.0, 3.0]);
        assert_eq!((m, s), (2.0, 1.0));
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), 2.5);
    }
}
