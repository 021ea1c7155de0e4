//! HAQ-DI (SCORING_SPEC section 5): Stanford scoring with aids/devices and help.

use ndarray::ArrayView2;

use crate::common::check::{self, At};
use crate::common::rows::map_rows;
use crate::common::Choice;
use crate::common::NanPolicy;
use crate::error::{Arg, Result, StatsError};

/// The 20 items in questionnaire order.
pub const ITEMS: [&str; 20] = [
    "dress_self",
    "shampoo_hair",
    "stand_from_chair",
    "in_out_of_bed",
    "cut_meat",
    "lift_cup_to_mouth",
    "open_milk_carton",
    "walk_outdoors",
    "climb_five_steps",
    "wash_dry_body",
    "take_tub_bath",
    "on_off_toilet",
    "reach_overhead_object",
    "pick_up_clothing",
    "open_car_doors",
    "open_jars",
    "turn_faucets",
    "run_errands",
    "in_out_of_car",
    "do_chores",
];

/// The 8 categories, in order.
pub const CATEGORIES: [&str; 8] = [
    "dressing",
    "arising",
    "eating",
    "walking",
    "hygiene",
    "reach",
    "grip",
    "activities",
];

/// First item of each category, plus the end (items per category 2,2,3,2,3,2,3,3).
pub const CATEGORY_START: [usize; 9] = [0, 2, 4, 7, 9, 12, 14, 17, 20];

/// Fewer answered categories than this gives NaN (Stanford convention).
pub const MIN_CATEGORIES: usize = 6;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Method {
    /// Standard HAQ-DI: aids/devices or help raise a category score of 0/1 to 2.
    Aids,
    /// Alternative disability index without the aids adjustment.
    NoAids,
}

impl Choice for Method {
    const ARG: &'static str = "method";
    const VALUES: &'static [(&'static str, Self)] =
        &[("aids", Method::Aids), ("no_aids", Method::NoAids)];
}

/// Check boxes (aids/devices or help): an (n, k) 0/1 matrix and, for each of
/// its k columns, the category (0-7) it counts for. Several columns may map
/// to one category (e.g. cane, walker, crutches, wheelchair -> walking).
#[derive(Clone, Debug)]
pub struct Ticks<'a> {
    pub values: ArrayView2<'a, f64>,
    pub category: Vec<usize>,
}

impl<'a> Ticks<'a> {
    /// One column per category, in category order.
    pub fn per_category(values: ArrayView2<'a, f64>) -> Self {
        Ticks {
            values,
            category: (0..8).collect(),
        }
    }

    fn check(&self, arg: &'static str, n: usize) -> Result<()> {
        if self.values.ncols() != self.category.len() || self.category.iter().any(|&c| c >= 8) {
            return Err(StatsError::argument(
                arg,
                "each column must map to one of the 8 HAQ categories",
            ));
        }
        if self.values.nrows() != n {
            return Err(StatsError::length("items", n, arg, self.values.nrows()));
        }
        Ok(())
    }

    /// Which categories are ticked in row `i` (bit c = category c).
    fn row_mask(&self, arg: &Arg, i: usize) -> Result<u8> {
        let mut mask = 0u8;
        for ((j, &c), &v) in self
            .category
            .iter()
            .enumerate()
            .zip(self.values.row(i).iter())
        {
            if check::checkbox(v, At::cell(arg, i, j))? {
                mask |= 1 << c;
            }
        }
        Ok(mask)
    }
}

/// HAQ-DI per row, 0-3, NaN when fewer than 6 categories are answered.
/// `aids`/`help` are check boxes (NaN = not ticked), see [`Ticks`].
pub fn haq_di(
    items: ArrayView2<f64>,
    aids: Option<Ticks<'_>>,
    help: Option<Ticks<'_>>,
    method: Method,
    policy: NanPolicy,
) -> Result<Vec<f64>> {
    let policy = policy.rowwise()?;
    let n = items.nrows();
    if items.ncols() != 20 {
        return Err(StatsError::argument(
            "items",
            format!("must have 20 columns (HAQ items), got {}", items.ncols()),
        ));
    }
    if n == 0 {
        return Err(StatsError::too_few("items", 0, 1));
    }
    if let Some(a) = &aids {
        a.check("aids", n)?;
    }
    if let Some(h) = &help {
        h.check("help", n)?;
    }
    let (a_items, a_aids, a_help): (Arg, Arg, Arg) = ("items".into(), "aids".into(), "help".into());
    map_rows(n, |i| {
        let mut row = [0.0f64; 20];
        for (r, &v) in row.iter_mut().zip(items.row(i).iter()) {
            *r = v;
        }
        // one branch-free validity test per row; the detailed check (which
        // names the offending item) runs only when it fails
        let mut ok = true;
        for &v in &row {
            ok &= ((v >= 0.0) & (v <= 3.0) & check::is_integer(v))
                | (v.is_nan() & (policy != NanPolicy::Raise));
        }
        if !ok {
            for (j, &v) in row.iter().enumerate() {
                check::integer(
                    v,
                    0.0,
                    3.0,
                    policy,
                    At::cell(&a_items, i, j),
                    "allowed integers 0-3",
                )?;
            }
        }
        let mut ticked_mask = 0u8;
        if let Some(a) = &aids {
            ticked_mask |= a.row_mask(&a_aids, i)?;
        }
        if let Some(h) = &help {
            ticked_mask |= h.row_mask(&a_help, i)?;
        }
        let mut sum = 0.0;
        let mut answered = 0usize;
        for c in 0..8 {
            // highest answered item (NaN = unanswered; f64::max ignores NaN)
            let best = row[CATEGORY_START[c]..CATEGORY_START[c + 1]]
                .iter()
                .fold(f64::NAN, |m, &v| m.max(v));
            if best.is_nan() {
                continue;
            }
            let ticked = ticked_mask & (1 << c) != 0;
            sum += if method == Method::Aids && ticked && best < 2.0 {
                2.0
            } else {
                best
            };
            answered += 1;
        }
        Ok(if answered < MIN_CATEGORIES {
            f64::NAN
        } else {
            sum / answered as f64
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    const IT2: [f64; 20] = [
        1., 0., 1., 1., 2., 1., 0., 1., 0., 1., 2., 0., 1., 1., 0., 1., 0., 2., 1., 1.,
    ];

    fn one(items: [f64; 20], aids: Option<[f64; 8]>, help: Option<[f64; 8]>, m: Method) -> f64 {
        let it = Array2::from_shape_vec((1, 20), items.to_vec()).unwrap();
        let a = aids.map(|a| Array2::from_shape_vec((1, 8), a.to_vec()).unwrap());
        let h = help.map(|a| Array2::from_shape_vec((1, 8), a.to_vec()).unwrap());
        let a = a.as_ref().map(|x| Ticks::per_category(x.view()));
        let h = h.as_ref().map(|x| Ticks::per_category(x.view()));
        haq_di(it.view(), a, h, m, NanPolicy::Propagate).unwrap()[0]
    }

    #[test]
    fn spec_examples() {
        // SCORING_SPEC section 5 worked examples
        assert_eq!(one([0.0; 20], None, None, Method::Aids), 0.0);
        let cane = [0., 0., 0., 1., 0., 0., 0., 0.];
        assert_eq!(one([0.0; 20], Some(cane), None, Method::Aids), 0.25);
        assert_eq!(one([0.0; 20], Some(cane), None, Method::NoAids), 0.0);
        assert_eq!(one(IT2, None, None, Method::Aids), 1.375);
        let aids = [1., 0., 0., 0., 0., 0., 1., 0.];
        let help = [0., 0., 1., 0., 0., 0., 0., 0.];
        assert_eq!(one(IT2, Some(aids), Some(help), Method::Aids), 1.625);
        assert_eq!(one(IT2, Some(aids), Some(help), Method::NoAids), 1.375);
        let mut x = IT2;
        for v in x.iter_mut().take(17).skip(12) {
            *v = f64::NAN;
        }
        assert_eq!(one(x, None, None, Method::Aids), 1.5);
        x[7] = f64::NAN;
        x[8] = f64::NAN;
        assert!(one(x, None, None, Method::Aids).is_nan());
        let mut y = [0.0; 20];
        y[0] = f64::NAN;
        y[1] = 3.0;
        assert_eq!(one(y, None, None, Method::Aids), 0.375);
        let mut z = [1.0; 20];
        z[0] = 3.0;
        z[1] = 3.0;
        assert_eq!(
            one(
                z,
                Some([1., 0., 0., 0., 0., 0., 0., 0.]),
                None,
                Method::Aids
            ),
            1.25
        );
        assert_eq!(one([3.0; 20], None, None, Method::Aids), 3.0);
    }

    #[test]
    fn aids_never_create_an_unanswered_category() {
        let mut x = [0.0; 20];
        x[7] = f64::NAN;
        x[8] = f64::NAN;
        // walking unanswered + cane: still 7 categories all 0
        assert_eq!(
            one(
                x,
                Some([0., 0., 0., 1., 0., 0., 0., 0.]),
                None,
                Method::Aids
            ),
            0.0
        );
    }

    #[test]
    fn bad_items() {
        let mut it = Array2::<f64>::zeros((2, 20));
        it[[1, 3]] = 4.0;
        assert!(haq_di(it.view(), None, None, Method::Aids, NanPolicy::Propagate).is_err());
        it[[1, 3]] = 2.5;
        assert!(haq_di(it.view(), None, None, Method::Aids, NanPolicy::Propagate).is_err());
        it[[1, 3]] = 0.0;
        let bad = Array2::<f64>::from_elem((2, 8), 2.0);
        let t = Ticks::per_category(bad.view());
        assert!(haq_di(it.view(), Some(t), None, Method::Aids, NanPolicy::Propagate).is_err());
        // several device columns may map to one category (cane + walker -> walking)
        let dev = Array2::from_shape_vec((2, 2), vec![0.0, 1.0, 0.0, 0.0]).unwrap();
        let t = Ticks {
            values: dev.view(),
            category: vec![3, 3],
        };
        let r = haq_di(it.view(), Some(t), None, Method::Aids, NanPolicy::Propagate).unwrap();
        assert_eq!(r, vec![0.25, 0.0]);
    }
}
