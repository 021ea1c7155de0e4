//! ACR20/50/70 response (SCORING_SPEC section 4).

use super::das28::Reactant;
use super::NA;
use crate::common::check::{self, same_length, At};
use crate::common::rows::map_rows;
use crate::common::{ge, Choice, NanPolicy};
use crate::error::{Arg, Result, StatsError};

/// Core-set column names, in the order the kernel takes them.
pub const CORE: [&str; 7] = [
    "tjc",
    "sjc",
    "pain",
    "patient_global",
    "physician_global",
    "haq_di",
    "apr",
];

/// The acute-phase reactant of the core set, as the `apr` option spells it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Apr(pub Reactant);

impl Choice for Apr {
    const ARG: &'static str = "apr";
    const VALUES: &'static [(&'static str, Self)] =
        &[("esr", Apr(Reactant::Esr)), ("crp", Apr(Reactant::Crp))];
}

/// Valid range of each core-set measure: (lo, hi, integer, message).
fn range(k: usize, apr: Apr) -> (f64, f64, bool, &'static str) {
    match k {
        0 => (0.0, 68.0, true, "allowed integers 0-68"),
        1 => (0.0, 66.0, true, "allowed integers 0-66"),
        2..=4 => (0.0, 100.0, false, "allowed 0-100"),
        5 => (0.0, 3.0, false, "allowed 0-3"),
        _ => match apr.0 {
            Reactant::Esr => (0.0, f64::INFINITY, false, "ESR must be >= 0 mm/h"),
            Reactant::Crp => (0.0, f64::INFINITY, false, "CRP must be >= 0"),
        },
    }
}

/// `true` when the fractional improvement `(b - f)/b` reaches `t`; baseline 0 is not improved.
#[inline]
pub fn improved(b: f64, f: f64, t: f64) -> bool {
    b != 0.0 && ge((b - f) / b, t)
}

/// ACR response per row (1 responder, 0 not, -1 missing). `baseline[k]` and
/// `followup[k]` are the columns in `CORE` order; `apr` names the reactant.
pub fn response(
    baseline: [&[f64]; 7],
    followup: [&[f64]; 7],
    apr: Apr,
    level: f64,
    policy: NanPolicy,
) -> Result<Vec<i8>> {
    let policy = policy.rowwise()?;
    if !(level > 0.0 && level <= 100.0) {
        return Err(StatsError::argument(
            "level",
            format!("{level} is outside (0, 100]"),
        ));
    }
    let t = level / 100.0;
    let name = |side: &str, k: usize| -> Arg {
        let col = if k == 6 { apr.name() } else { CORE[k] };
        format!("{side}['{col}']").into()
    };
    let b_names: Vec<Arg> = (0..7).map(|k| name("baseline", k)).collect();
    let f_names: Vec<Arg> = (0..7).map(|k| name("followup", k)).collect();
    let mut lens = Vec::with_capacity(14);
    for k in 0..7 {
        lens.push((&b_names[k], baseline[k].len()));
        lens.push((&f_names[k], followup[k].len()));
    }
    let n = same_length(&lens)?;
    map_rows(n, |i| {
        let mut missing = false;
        let mut f = [false; 7];
        for k in 0..7 {
            let (lo, hi, int, allowed) = range(k, apr);
            for (vals, names) in [(baseline[k], &b_names), (followup[k], &f_names)] {
                let at = At::new(&names[k], i);
                if int {
                    check::integer(vals[i], lo, hi, policy, at, allowed)?;
                } else {
                    check::real(
                        vals[i],
                        lo,
                        hi,
                        false,
                        hi.is_infinite(),
                        policy,
                        at,
                        allowed,
                    )?;
                }
                missing |= vals[i].is_nan();
            }
            f[k] = improved(baseline[k][i], followup[k][i], t);
        }
        if missing {
            return Ok(NA);
        }
        let others = f[2..].iter().filter(|&&x| x).count();
        Ok((f[0] && f[1] && others >= 3) as i8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(b: [f64; 7], f: [f64; 7], level: f64) -> i8 {
        let bs: Vec<[f64; 1]> = b.iter().map(|&v| [v]).collect();
        let fs: Vec<[f64; 1]> = f.iter().map(|&v| [v]).collect();
        let bb: [&[f64]; 7] = std::array::from_fn(|k| &bs[k][..]);
        let ff: [&[f64]; 7] = std::array::from_fn(|k| &fs[k][..]);
        response(bb, ff, Apr(Reactant::Crp), level, NanPolicy::Propagate).unwrap()[0]
    }

    #[test]
    fn spec_examples() {
        // SCORING_SPEC section 4, patients A-D
        let a_b = [20.0, 15.0, 60.0, 70.0, 60.0, 1.5, 20.0];
        let a_f = [10.0, 9.0, 40.0, 50.0, 50.0, 1.375, 12.0];
        assert_eq!(run(a_b, a_f, 20.0), 1);
        assert_eq!(run(a_b, a_f, 50.0), 0);
        assert_eq!(run(a_b, a_f, 70.0), 0);
        let b_b = [10.0, 5.0, 50.0, 50.0, 50.0, 1.0, 10.0];
        let b_f = [8.0, 4.0, 40.0, 40.0, 45.0, 0.9, 8.0];
        assert_eq!(run(b_b, b_f, 20.0), 1);
        let mut c_b = a_b;
        let mut c_f = a_f;
        c_b[1] = 0.0;
        c_f[1] = 0.0;
        assert_eq!(run(c_b, c_f, 20.0), 0);
        let d_b = [12.0, 10.0, 0.0, 60.0, 50.0, 1.25, 30.0];
        let d_f = [6.0, 5.0, 10.0, 30.0, 25.0, 0.625, 33.0];
        assert_eq!(run(d_b, d_f, 20.0), 1);
        assert_eq!(run(d_b, d_f, 50.0), 1);
        assert_eq!(run(d_b, d_f, 70.0), 0);
    }
}
