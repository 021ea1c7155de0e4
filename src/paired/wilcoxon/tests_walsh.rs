//! The Walsh-sum counter of the asymptotic Hodges–Lehmann replay gives the
//! same bits as ranking the rounded `|x - mu|` (R's way), on data made to
//! tie, round and cancel.

use super::hl::*;
use super::walsh::WalshCount;
use super::*;

struct Lcg<F: FnMut() -> f64>(F);
impl<F: FnMut() -> f64> Lcg<F> {
    fn unif(&mut self) -> f64 {
        (self.0)()
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unif(), self.unif());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// Uniforms in (0, 1) from the tests' generator.
fn lcg(seed: u64) -> Lcg<impl FnMut() -> f64> {
    Lcg(crate::common::rng::lcg(seed, |s| {
        ((s >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }))
}

/// Samples of many kinds: continuous, rounded to a grid (ties, tied Walsh
/// sums), huge offsets (x - mu rounds), values closer than the rounding of
/// x - mu, mixed magnitudes, a few points, duplicates.
fn samples() -> Vec<Vec<f64>> {
    let mut g = lcg(20261203);
    let mut out = Vec::new();
    for rep in 0..40 {
        let n = [2, 3, 5, 17, 50, 51, 120, 200][rep % 8];
        let base: Vec<f64> = (0..n).map(|_| 0.5 + 3.0 * g.normal()).collect();
        out.push(base.clone());
        out.push(base.iter().map(|v| (v * 4.0).round() / 4.0).collect());
        out.push(base.iter().map(|v| (v * 10.0).round() / 10.0).collect());
        out.push(base.iter().map(|v| 1e9 + v).collect());
        out.push(base.iter().map(|v| 1e15 + (v * 8.0).round()).collect());
        out.push(base.iter().map(|v| v * 1e-12 + 1e-3).collect());
        // magnitudes from 1e-20 to 1e3 around zero
        out.push(
            base.iter()
                .map(|v| v.signum() * 10f64.powf(v.abs() * 4.0 - 20.0).min(1e3))
                .collect(),
        );
        // neighbours a few ulps apart
        out.push(
            base.iter()
                .enumerate()
                .map(|(i, v)| if i % 3 == 0 { v.next_up() } else { *v })
                .chain(base.iter().take(n / 3).map(|v| v.next_up().next_up()))
                .collect(),
        );
    }
    out.into_iter()
        .filter(|v| v.len() >= 2)
        .map(|mut v| {
            v.retain(|&a| a != 0.0);
            v.sort_unstable_by(|a, b| a.total_cmp(b));
            v
        })
        .collect()
}

#[test]
fn counted_w_equals_ranked_w_bit_for_bit() {
    let mut wc = WalshCount::default();
    let mut g = lcg(7);
    let (mut counted, mut total) = (0usize, 0usize);
    for (s, x) in samples().into_iter().enumerate() {
        let n = x.len();
        wc.reset(&x);
        // shifts: random inside, the data, Walsh averages (ties), midpoints
        // of neighbouring Walsh averages, and their neighbouring floats
        let mut mus: Vec<f64> = (0..60)
            .map(|_| x[0] + (x[n - 1] - x[0]) * g.unif())
            .collect();
        for _ in 0..60 {
            let (i, j) = (
                (g.unif() * n as f64) as usize,
                (g.unif() * n as f64) as usize,
            );
            let w = (x[i] + x[j]) / 2.0;
            mus.extend([w, w.next_up(), w.next_down(), x[i]]);
        }
        for (m, mu) in mus.into_iter().enumerate() {
            let want = w_at(&x, mu, true, Alternative::TwoSided);
            let mut ev = WEval {
                x: &x,
                wc: &mut wc,
                alt: Alternative::TwoSided,
                count: true,
            };
            let got = ev.w(mu, true);
            assert_eq!(got.to_bits(), want.to_bits(), "mu {mu} x {x:?}");
            if s % 8 == 0 && m < 60 && n > 2 {
                // continuous sample, random shift: the counter should answer
                total += 1;
                counted += wc.v_pos(&x, mu).is_some() as usize;
            }
        }
    }
    assert!(counted * 10 > total * 9, "{counted} of {total}");
}

#[test]
fn counted_interval_equals_ranked_interval_bit_for_bit() {
    let mut wc = WalshCount::default();
    let mut answered = 0;
    for x in samples() {
        for alt in [
            Alternative::TwoSided,
            Alternative::Less,
            Alternative::Greater,
        ] {
            for (correction, conf_level) in [(true, 0.95), (false, 0.8), (true, 0.999)] {
                let o = WilcoxonOptions {
                    alternative: alt,
                    correction,
                    conf_level,
                    ..opts()
                };
                let run = |wc: &mut WalshCount, count: bool| {
                    wc.reset(&x);
                    let mut ev = WEval {
                        x: &x,
                        wc,
                        alt,
                        count,
                    };
                    hl_asymptotic(&mut ev, &o, 1.0 - conf_level)
                };
                let want = run(&mut wc, false);
                let got = run(&mut wc, true);
                let bits = |r: (f64, f64, f64, bool)| (r.0.to_bits(), r.1.to_bits(), r.2.to_bits());
                assert_eq!(bits(got), bits(want), "{alt:?} {correction} x {x:?}");
                answered += want.0.is_finite() as usize;
            }
        }
    }
    assert!(answered > 500, "{answered}");
}

fn opts() -> WilcoxonOptions {
    WilcoxonOptions {
        alternative: Alternative::TwoSided,
        method: Method::Approx,
        zero_method: ZeroMethod::Wilcox,
        correction: true,
        conf_level: 0.95,
        popmean: 0.0,
        conf_int: true,
        nan_policy: NanPolicy::Propagate,
        strict: true,
    }
}
