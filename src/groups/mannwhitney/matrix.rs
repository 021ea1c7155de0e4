//! Many endpoints at once: the normal-approximation fast path on sortable integer keys, parallel over endpoints.

use super::*;

#[inline]
pub(super) fn ordered_key(v: f64) -> u64 {
    let b = (v + 0.0).to_bits(); // -0.0 -> 0.0 so that they tie
    b ^ ((((b as i64) >> 63) as u64) | 0x8000_0000_0000_0000)
}

/// `Some(U)`, `U = #{(i, j): y_j < x_i}`, for ascending values (integer keys
/// or finite floats) without any tie (within or across the samples); `None`
/// when there is one. A branch-free merge: when the first copy of a value
/// shared by both samples is reached, both heads hold it, so cross ties are
/// seen by the `==` test.
pub(super) fn count_below_no_ties<T: PartialOrd + Copy>(xs: &[T], ys: &[T]) -> Option<u64> {
    let within = |v: &[T]| v.windows(2).fold(false, |t, w| t | (w[0] == w[1]));
    if within(xs) || within(ys) {
        return None;
    }
    let (nx, ny) = (xs.len(), ys.len());
    let (mut i, mut j, mut u, mut tie) = (0usize, 0usize, 0u64, false);
    while i < nx && j < ny {
        let (a, b) = (xs[i], ys[j]);
        tie |= a == b;
        let take = (a < b) as usize;
        u += (j as u64) & 0u64.wrapping_sub(take as u64);
        i += take;
        j += 1 - take;
    }
    u += ((nx - i) * ny) as u64;
    (!tie).then_some(u)
}

/// The rank sum of x and the ties term `sum(t^3 - t)` of two ascending
/// samples: [`merge_ranks`], through the branch-free count when there are no
/// ties (the same numbers: the ranks are then integers, their sum exact).
pub(super) fn rank_sum<T: PartialOrd + Copy>(xs: &[T], ys: &[T]) -> (f64, f64) {
    match count_below_no_ties(xs, ys) {
        Some(u) => (untied_rank_sum(u, xs.len()), 0.0),
        None => {
            let mr = merge_ranks(xs, ys);
            (mr.rank_sum_x, mr.tie_term)
        }
    }
}

/// The normal-approximation test without estimate/CI on NaN-free integer keys
/// (the many-endpoint fast path; same formulas, and the same numbers, as [`mannwhitney`]).
/// Also whether there were ties.
pub(super) fn approx_from_keys(xk: &mut [u64], yk: &mut [u64], o: &MwOptions) -> (MwOutput, bool) {
    xk.sort_unstable();
    yk.sort_unstable();
    let (rx, tt) = rank_sum(xk, yk);
    let ties = tt > 0.0;
    (approx_result(rx, tt, xk.len(), yk.len(), o), ties)
}

/// [`approx_result`] without ties, from `U = #{(i, j): y_j < x_i}` (the
/// rank sum `U + n_x (n_x + 1) / 2` is an integer, as the merge walk's sum).
pub(super) fn approx_out(u: u64, nx: usize, ny: usize, o: &MwOptions) -> MwOutput {
    approx_result(untied_rank_sum(u, nx), 0.0, nx, ny, o)
}

/// The rank sum of x without ties, `U + n_x (n_x + 1) / 2`: an integer, as
/// the merge walk's sum of integer ranks.
pub(super) fn untied_rank_sum(u: u64, nx: usize) -> f64 {
    (u + (nx * (nx + 1) / 2) as u64) as f64
}

/// The normal approximation from the rank sum of x and the ties term.
pub(super) fn approx_result(rx: f64, tt: f64, nx: usize, ny: usize, o: &MwOptions) -> MwOutput {
    let (fx, fy) = (nx as f64, ny as f64);
    let w = rx - fx * (fx + 1.0) / 2.0;
    let sigma = tie_sigma(fx, fy, tt);
    let z0 = w - fx * fy / 2.0;
    let z = (z0 - o.alternative.continuity(o.correction, z0)) / sigma;
    let pvalue = if sigma > 0.0 {
        match o.alternative {
            // min(cdf(z), sf(z)) is sf(|z|), bit for bit: both are
            // erfc(|z| / sqrt 2) / 2 (statrs), and the other one is >= 1/2
            Alternative::TwoSided => (2.0 * dist::norm_sf(z.abs())).min(1.0),
            alt => alt.pvalue(dist::norm_cdf(z), dist::norm_sf(z)),
        }
    } else {
        f64::NAN
    };
    MwOutput {
        statistic: w,
        pvalue,
        exact: false,
        n_x: nx,
        n_y: ny,
        ..MwOutput::nan(0, 0)
    }
}

/// Values from a row/column into `dst`; their range if all are finite.
pub(super) fn finite_into(src: ArrayView1<'_, f64>, dst: &mut Vec<f64>) -> Option<(f64, f64)> {
    dst.clear();
    match src.as_slice() {
        Some(s) => dst.extend_from_slice(s),
        None => dst.extend(src.iter().copied()),
    }
    let finite = dst.iter().fold(true, |f, &v| f & v.is_finite());
    finite.then(|| range(dst))
}

/// The normal-approximation test without estimate/CI on finite samples
/// whose values lie in `[lo, hi]`. Usually one radix sort of both samples
/// together: the values mapped monotonically onto a 30-bit grid over their
/// range ([`Grid30`]), the group in the lowest bit. If two values share a grid
/// point (ties among them, or values closer than the grid) the order is not
/// settled there, and the exact ordered keys of each sample are sorted and
/// merged instead. Same numbers either way: without ties the rank sum is an
/// integer.
pub(super) fn approx_values(
    xs: &[f64],
    ys: &[f64],
    lo: f64,
    hi: f64,
    sc: &mut Scratch,
    o: &MwOptions,
) -> MwOutput {
    // after an endpoint with ties (integer scores, say), the grid would most
    // likely fail again: straight to the exact keys (same numbers either way)
    if !sc.ties_last {
        if let Some(out) = approx_grid(xs, ys, lo, hi, sc, o) {
            return out;
        }
    }
    let (xk, yk) = (&mut sc.xk, &mut sc.yk);
    xk.clear();
    yk.clear();
    xk.extend(xs.iter().map(|&v| ordered_key(v)));
    yk.extend(ys.iter().map(|&v| ordered_key(v)));
    let (out, ties) = approx_from_keys(xk, yk, o);
    sc.ties_last = ties;
    out
}

/// Key buffers of one worker.
#[derive(Default)]
pub(super) struct Scratch {
    keys: Vec<u32>,
    tmp: Vec<u32>,
    xk: Vec<u64>,
    yk: Vec<u64>,
    /// The last endpoint through [`approx_from_keys`] had ties.
    ties_last: bool,
}

/// Smallest and largest of finite values (four lanes, so it vectorises).
pub(super) fn range(v: &[f64]) -> (f64, f64) {
    let (mut lo, mut hi) = ([f64::INFINITY; 4], [f64::NEG_INFINITY; 4]);
    let chunks = v.chunks_exact(4);
    for &a in chunks.remainder() {
        lo[0] = if a < lo[0] { a } else { lo[0] };
        hi[0] = if a > hi[0] { a } else { hi[0] };
    }
    for c in chunks {
        for k in 0..4 {
            lo[k] = if c[k] < lo[k] { c[k] } else { lo[k] };
            hi[k] = if c[k] > hi[k] { c[k] } else { hi[k] };
        }
    }
    (
        lo[0].min(lo[1]).min(lo[2].min(lo[3])),
        hi[0].max(hi[1]).max(hi[2].max(hi[3])),
    )
}

/// [`approx_values`] through the grid; `None` when two values share a grid point.
pub(super) fn approx_grid(
    xs: &[f64],
    ys: &[f64],
    lo: f64,
    hi: f64,
    sc: &mut Scratch,
    o: &MwOptions,
) -> Option<MwOutput> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("bmi2")
        {
            // SAFETY: the CPU supports AVX2 and BMI2 (checked just above)
            return unsafe { approx_grid_avx2(xs, ys, lo, hi, sc, o) };
        }
    }
    approx_grid_body(xs, ys, lo, hi, sc, o)
}

/// [`approx_grid_body`] compiled for AVX2 and BMI2 (wider vectors for the
/// keys and folds, shifts by a variable in one instruction). Integer results:
/// the same numbers as the baseline build.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi2")]
fn approx_grid_avx2(
    xs: &[f64],
    ys: &[f64],
    lo: f64,
    hi: f64,
    sc: &mut Scratch,
    o: &MwOptions,
) -> Option<MwOutput> {
    approx_grid_body(xs, ys, lo, hi, sc, o)
}

#[inline(always)]
fn approx_grid_body(
    xs: &[f64],
    ys: &[f64],
    lo: f64,
    hi: f64,
    sc: &mut Scratch,
    o: &MwOptions,
) -> Option<MwOutput> {
    let g = Grid30::new(lo, hi)?;
    let (nx, n) = (xs.len(), xs.len() + ys.len());
    let keys = &mut sc.keys;
    keys.resize(n, 0); // every slot is written below: no clearing
    let (kx, ky) = keys.split_at_mut(nx);
    for (k, &v) in kx.iter_mut().zip(xs) {
        *k = g.key(v) | 1;
    }
    for (k, &v) in ky.iter_mut().zip(ys) {
        *k = g.key(v);
    }
    sort_keys_u32(keys, &mut sc.tmp);
    if shares_a_point(keys) {
        return None;
    }
    // U = #{(i, j): y_j < x_i} = (sum of the 0-based positions of the xs) - nx (nx - 1) / 2
    let pos: u64 = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (i as u64) & 0u64.wrapping_sub((k & 1) as u64))
        .sum();
    let nx = nx as u64;
    Some(approx_out(
        pos - nx * (nx.saturating_sub(1)) / 2,
        xs.len(),
        ys.len(),
        o,
    ))
}

/// Endpoints per task in [`mannwhitney_rows`] (two cache lines of f64 columns).
const TILE: usize = 16;
/// Tiles per parallel task (64 endpoints).
const TILES_PER_TASK: usize = 4;

/// `TILE` columns of one sample, column `t` at `v[t * nrows..]`, with the
/// smallest and largest value of each column and whether it holds a NaN.
pub(super) struct Tile {
    v: Vec<f64>,
    lo: [f64; TILE],
    hi: [f64; TILE],
    nan: [bool; TILE],
}

impl Default for Tile {
    fn default() -> Self {
        Tile {
            v: Vec::new(),
            lo: [f64::INFINITY; TILE],
            hi: [f64::NEG_INFINITY; TILE],
            nan: [false; TILE],
        }
    }
}

impl Tile {
    /// Column `t`, its range, and whether all its values are finite.
    fn column(&self, t: usize, n: usize) -> (&[f64], f64, f64, bool) {
        let (lo, hi) = (self.lo[t], self.hi[t]);
        let finite = !self.nan[t] && lo > f64::NEG_INFINITY && hi < f64::INFINITY;
        (&self.v[t * n..(t + 1) * n], lo, hi, finite)
    }
}

/// Ask for the cache lines of `s` (a hint: no effect on results).
#[inline(always)]
fn prefetch(s: &[f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let (p, len) = (s.as_ptr() as *const i8, std::mem::size_of_val(s));
        let mut off = 0;
        while off < len {
            // SAFETY: a prefetch never faults and does not change memory;
            // the addresses are inside `s` anyway
            unsafe { _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(off)) };
            off += 64;
        }
        // SAFETY: as above (the last byte, in case `s` straddles one more line)
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(len.saturating_sub(1))) };
    }
}

/// Columns `e0..e1` (at most [`TILE`]) of `a` into `tl`, read row by row
/// (whole cache lines). The next tile's lines are prefetched on the way: the
/// rows are far apart in memory, and the hardware does not guess that.
pub(super) fn tile_values(a: ArrayView2<'_, f64>, e0: usize, e1: usize, tl: &mut Tile) {
    let (n, w) = (a.nrows(), e1 - e0);
    tl.v.resize(TILE * n, 0.0); // the slots of columns e0..e1 are all written below
    let mut lo = [f64::INFINITY; TILE];
    let mut hi = [f64::NEG_INFINITY; TILE];
    let mut nan = [false; TILE];
    let mut put = |r: usize, t: usize, v: f64| {
        lo[t] = if v < lo[t] { v } else { lo[t] };
        hi[t] = if v > hi[t] { v } else { hi[t] };
        nan[t] |= v.is_nan();
        tl.v[t * n + r] = v;
    };
    match a.as_slice() {
        Some(s) => {
            // C order: row r is s[r * ncols..]
            let m = a.ncols();
            let next = (e1 + TILE).min(m);
            for r in 0..n {
                let row = &s[r * m..(r + 1) * m];
                prefetch(&row[e1..next]);
                match <&[f64; TILE]>::try_from(&row[e0..e1]) {
                    Ok(full) => {
                        for (t, &v) in full.iter().enumerate() {
                            put(r, t, v);
                        }
                    }
                    Err(_) => {
                        for (t, &v) in row[e0..e1].iter().enumerate() {
                            put(r, t, v);
                        }
                    }
                }
            }
        }
        None => {
            for r in 0..n {
                for t in 0..w {
                    put(r, t, a[[r, e0 + t]]);
                }
            }
        }
    }
    (tl.lo, tl.hi, tl.nan) = (lo, hi, nan);
}

type Bufs = (Vec<f64>, Vec<f64>, Scratch);

/// Many endpoints. With `by_column`, endpoint `e` is column `e` of `x` (n_x x endpoints)
/// and of `y`; otherwise row `e`. NaN: `Propagate` gives a NaN result for that endpoint,
/// `Omit` drops them, `Raise` errors naming (row, column) of the input. An endpoint
/// left with an empty group gives NaN.
pub fn mannwhitney_rows(
    x: ArrayView2<'_, f64>,
    y: ArrayView2<'_, f64>,
    by_column: bool,
    o: &MwOptions,
    policy: NanPolicy,
) -> Result<Vec<MwOutput>> {
    check_conf_level(o.conf_level)?;
    let (kx, ky) = if by_column {
        (x.ncols(), y.ncols())
    } else {
        (x.nrows(), y.nrows())
    };
    if kx != ky {
        return Err(StatsError::length("x", kx, "y", ky));
    }
    // the normal approximation without the interval, when both groups are non-empty
    let (nx, ny) = if by_column {
        (x.nrows(), y.nrows())
    } else {
        (x.ncols(), y.ncols())
    };
    let fast_approx = !o.conf_int
        && nx > 0
        && ny > 0
        && match o.method {
            Method::Approx => true,
            Method::Exact => false,
            Method::Auto => !(nx < AUTO_EXACT_BELOW && ny < AUTO_EXACT_BELOW),
        };
    // the test of endpoint `e` on its NaN-free values; a value error names
    // the (row, column) of the input
    let core = |xv: &[f64], yv: &[f64], e: usize| -> Result<MwOutput> {
        mannwhitney(xv, yv, o).map_err(|err| match err {
            StatsError::InvalidValue {
                arg,
                row,
                value,
                reason,
                allowed,
                ..
            } => {
                let (r, c) = if by_column { (row, e) } else { (e, row) };
                StatsError::InvalidValue {
                    arg,
                    row: r,
                    col: Some(c),
                    value,
                    reason,
                    allowed,
                }
            }
            err => err,
        })
    };
    let one = |(xv, yv, sc): &mut Bufs, e: usize| -> Result<MwOutput> {
        let (xr, yr) = if by_column {
            (x.column(e), y.column(e))
        } else {
            (x.row(e), y.row(e))
        };
        // every value finite (then every NaN policy gives the same): keys
        // straight from the input, no copies
        if fast_approx {
            if let (Some((lx, hx)), Some((ly, hy))) = (finite_into(xr, xv), finite_into(yr, yv)) {
                return Ok(approx_values(xv, yv, lx.min(ly), hx.max(hy), sc, o));
            }
        }
        xv.clear();
        yv.clear();
        for (arg, src, dst) in [("x", &xr, &mut *xv), ("y", &yr, &mut *yv)] {
            for (i, &v) in src.iter().enumerate() {
                if v.is_nan() {
                    match policy {
                        NanPolicy::Raise => {
                            let (r, c) = if by_column { (i, e) } else { (e, i) };
                            return Err(StatsError::invalid_at(
                                arg,
                                r,
                                c,
                                v,
                                crate::common::check::MISSING,
                                "values must be numbers",
                            ));
                        }
                        NanPolicy::Propagate => return Ok(MwOutput::nan(xr.len(), yr.len())),
                        NanPolicy::Omit => continue,
                    }
                }
                if v.is_infinite() {
                    let (r, c) = if by_column { (i, e) } else { (e, i) };
                    return Err(StatsError::invalid_at(
                        arg,
                        r,
                        c,
                        v,
                        "not finite",
                        "values must be finite numbers",
                    ));
                }
                dst.push(v);
            }
        }
        let approx = match o.method {
            Method::Approx => true,
            Method::Exact => false,
            Method::Auto => !(xv.len() < AUTO_EXACT_BELOW && yv.len() < AUTO_EXACT_BELOW),
        };
        if approx && !o.conf_int && !xv.is_empty() && !yv.is_empty() {
            let ((lx, hx), (ly, hy)) = (range(xv), range(yv));
            return Ok(approx_values(xv, yv, lx.min(ly), hx.max(hy), sc, o));
        }
        if xv.is_empty() || yv.is_empty() {
            return Ok(MwOutput::nan(xv.len(), yv.len()));
        }
        core(xv, yv, e)
    };
    // endpoints in the columns: read TILE of them per row (whole cache lines),
    // unless the columns are contiguous themselves (Fortran order)
    let contiguous_columns = |a: &ArrayView2<'_, f64>| {
        a.nrows() > 1 && a.ncols() > 0 && a.column(0).as_slice().is_some()
    };
    let tiled = by_column && !(contiguous_columns(&x) && contiguous_columns(&y));
    // groups of TILES_PER_TASK tiles, one set of buffers per group; the calling
    // thread takes groups too (see `common::par`), helpers only from
    // PAR_MIN_CELLS values on
    let tasks: Vec<usize> = (0..kx.div_ceil(TILE * TILES_PER_TASK)).collect();
    let parallel = kx * (nx + ny) * 8 >= crate::paired::PAR_MIN_CELLS;
    let res: Vec<Result<MwOutput>> = crate::common::par::map_items(tasks, parallel, |g| {
        let (mut bufs, mut xt, mut yt) = (Bufs::default(), Tile::default(), Tile::default());
        let (bufs, xt, yt) = (&mut bufs, &mut xt, &mut yt);
        let mut out = Vec::new();
        let c_end = ((g + 1) * TILES_PER_TASK).min(kx.div_ceil(TILE));
        for c in g * TILES_PER_TASK..c_end {
            let (e0, e1) = (c * TILE, ((c + 1) * TILE).min(kx));
            if tiled {
                tile_values(x, e0, e1, xt);
                tile_values(y, e0, e1, yt);
                for t in 0..e1 - e0 {
                    let (xs, lx, hx, okx) = xt.column(t, nx);
                    let (ys, ly, hy, oky) = yt.column(t, ny);
                    out.push(match (okx && oky, fast_approx) {
                        (true, true) => Ok(approx_values(
                            xs,
                            ys,
                            lx.min(ly),
                            hx.max(hy),
                            &mut bufs.2,
                            o,
                        )),
                        // every value finite: every NaN policy gives the same
                        (true, false) if nx > 0 && ny > 0 => core(xs, ys, e0 + t),
                        _ => one(bufs, e0 + t),
                    });
                }
            } else {
                for e in e0..e1 {
                    out.push(one(bufs, e));
                }
            }
        }
        out
    })
    .into_iter()
    .flatten()
    .collect();
    let mut out = Vec::with_capacity(res.len());
    let mut first_err: Option<StatsError> = None;
    for r in res {
        match r {
            Ok(v) => out.push(v),
            Err(e) => {
                if first_err.is_none() {
                    first_err = Some(e);
                }
            }
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}
