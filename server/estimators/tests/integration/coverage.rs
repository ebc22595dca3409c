//! Coverage over 1,000 fixed seeds: the 95% intervals must cover the planted truth 93% to 97%
//! of the time, and the mean bias must stay under 10% of the effect. A 1,000-seed coverage of
//! a true 95% interval lies in that band with probability above 0.99.

use estimators::*;

use super::simulate::{Rng, geo_clicks};

const SEEDS: u64 = 1_000;

struct Tally {
    covered: usize,
    estimates: f64,
    runs: usize,
}

impl Tally {
    fn new() -> Self {
        Self {
            covered: 0,
            estimates: 0.0,
            runs: 0,
        }
    }

    fn add(&mut self, estimate: f64, ci: (f64, f64), truth: f64) {
        self.runs += 1;
        self.estimates += estimate;
        self.covered += usize::from(ci.0 <= truth && truth <= ci.1);
    }

    #[track_caller]
    fn check(&self, truth: f64, what: &str) {
        let coverage = self.covered as f64 / self.runs as f64;
        let bias = self.estimates / self.runs as f64 - truth;
        println!("{what}: coverage {coverage:.3}, mean bias {bias:+.5} (truth {truth})");
        assert!(
            (0.93..=0.97).contains(&coverage),
            "{what}: coverage {coverage}"
        );
        assert!(
            bias.abs() < 0.1 * truth.abs(),
            "{what}: bias {bias} against {truth}"
        );
    }
}

#[test]
fn experiment_lift_intervals_cover_the_planted_lift() {
    let (control_ctr, lift) = (0.05, 0.15);
    let (mut relative, mut absolute) = (Tally::new(), Tally::new());
    for seed in 0..SEEDS {
        let mut rng = Rng::new(seed);
        let users = super::simulate::experiment(&mut rng, 20_000, control_ctr, lift);
        let arm = |a: usize| {
            let (y, x): (Vec<f64>, Vec<f64>) = users
                .iter()
                .filter(|u| u.0 == a)
                .map(|u| (u.1, u.2))
                .unzip();
            RatioSummary::of(&y, &x).expect("an arm")
        };
        let result = ratio_test(&arm(0), &arm(1), 0.95).expect("the test runs");
        relative.add(result.relative, result.relative_ci, lift);
        absolute.add(result.absolute, result.absolute_ci, control_ctr * lift);
    }
    relative.check(lift, "relative CTR lift (ratio metric, delta method)");
    absolute.check(control_ctr * lift, "absolute CTR lift");
}

#[test]
fn did_intervals_cover_the_planted_effect() {
    // 40 geos, 16 treated, 28 days, the intervention on day 14; the effect multiplies clicks by
    // 1.3, so on log clicks it is ln 1.3 and the trends are parallel.
    let (geos, days, intervention, effect) = (40, 28, 14, 0.30);
    let treated: Vec<bool> = (0..geos).map(|g| g % 5 < 2).collect();
    let truth = (1.0f64 + effect).ln();
    let (mut fe, mut two_by_two) = (Tally::new(), Tally::new());
    for seed in 0..SEEDS {
        let mut rng = Rng::new(10_000 + seed);
        let clicks = geo_clicks(&mut rng, &treated, days, intervention, 60.0, effect);
        let logs = clicks.iter().map(|c| c.max(1.0).ln()).collect();
        let panel = Panel::new(treated.clone(), days, logs, intervention).expect("a panel");
        let r = twfe(&panel, 0.95).expect("TWFE");
        fe.add(r.effect.estimate, r.effect.ci, truth);
        let r = did_2x2(&panel, 0.95).expect("2x2");
        two_by_two.add(r.effect.estimate, r.effect.ci, truth);
    }
    fe.check(truth, "DiD, two-way fixed effects");
    two_by_two.check(truth, "DiD, 2x2");
}

#[test]
fn the_pre_trend_test_rejects_about_five_percent_of_parallel_worlds() {
    // The DiD world above (parallel trends in logs): the leads' joint test at 5% should
    // reject about 5% of 1,000 worlds (binomial sd 0.7 points).
    let (geos, days, intervention) = (40, 28, 14);
    let treated: Vec<bool> = (0..geos).map(|g| g % 5 < 2).collect();
    let rejected = (0..SEEDS)
        .filter(|seed| {
            let mut rng = Rng::new(20_000 + seed);
            let clicks = geo_clicks(&mut rng, &treated, days, intervention, 60.0, 0.3);
            let logs = clicks.iter().map(|c| c.max(1.0).ln()).collect();
            let panel = Panel::new(treated.clone(), days, logs, intervention).expect("a panel");
            event_study(&panel, 7, 7, 0.95)
                .expect("event study")
                .pre_trend
                .p_value
                < 0.05
        })
        .count();
    let rate = rejected as f64 / SEEDS as f64;
    println!("pre-trend F test: rejects {rate:.3} of parallel worlds at 5%");
    assert!((0.03..=0.07).contains(&rate), "rejection rate {rate}");
}

/// Relative effects over `worlds` simulated studies like the generator's: 12 geos, the 4
/// smallest treated (averaged into one unit below every donor's level, hence the index scale),
/// +30% clicks from day 14 of 28, `clicks_per_day` at the geos' mean level.
fn synthetic_control_estimates(worlds: u64, clicks_per_day: f64, effect: f64) -> Vec<f64> {
    let (geos, days, intervention) = (12, 28, 14);
    let treated: Vec<bool> = (0..geos).map(|g| g < 4).collect();
    (0..worlds)
        .map(|seed| {
            let mut rng = Rng::new(50_000 + seed);
            let clicks = geo_clicks(
                &mut rng,
                &treated,
                days,
                intervention,
                clicks_per_day,
                effect,
            );
            let series: Vec<&[f64]> = clicks.chunks(days).collect();
            let treated_mean: Vec<f64> = (0..days)
                .map(|d| series[..4].iter().map(|s| s[d]).sum::<f64>() / 4.0)
                .collect();
            let donors: Vec<Vec<f64>> = series[4..].iter().map(|s| s.to_vec()).collect();
            let fit = synthetic_control(&SynthInput {
                treated: &treated_mean,
                donors: &donors,
                pre_periods: intervention,
                covariates: None,
                scale: Scale::Index,
            })
            .expect("fits");
            assert!((fit.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            fit.relative_effect
        })
        .collect()
}

#[test]
fn synthetic_control_recovers_the_planted_effect() {
    let effect = 0.30;
    // At the demo world's traffic (about 33 clicks per geo-day) one world is noisy, but the
    // estimator is unbiased: the mean over 200 worlds is within 10%.
    let demo = synthetic_control_estimates(200, 33.0, effect);
    let mean = demo.iter().sum::<f64>() / demo.len() as f64;
    let within = |e: &[f64]| {
        e.iter()
            .filter(|e| (*e - effect).abs() <= 0.1 * effect)
            .count()
    };
    println!(
        "synthetic control at 33 clicks/geo-day: mean {mean:.4} (planted {effect}), {}/200 worlds within 10%",
        within(&demo)
    );
    assert!(
        (mean - effect).abs() <= 0.1 * effect,
        "mean estimate {mean}"
    );
    // With 30 times the traffic (a campaign of about 300K impressions a day), nearly every
    // single world is within 10%.
    let busy = synthetic_control_estimates(200, 1000.0, effect);
    println!(
        "synthetic control at 1,000 clicks/geo-day: {}/200 worlds within 10%",
        within(&busy)
    );
    assert!(
        within(&busy) >= 190,
        "{} of 200 worlds within 10%",
        within(&busy)
    );
}

#[test]
fn a_48_52_split_over_100k_users_is_flagged_and_a_fair_one_is_not() {
    let skewed = sample_ratio_check(&[48_000, 52_000], &[0.5, 0.5]).expect("runs");
    assert!(skewed.flagged, "48/52 of 100K: p = {}", skewed.p_value);
    let fair = sample_ratio_check(&[50_080, 49_920], &[0.5, 0.5]).expect("runs");
    assert!(!fair.flagged, "50.08/49.92 of 100K: p = {}", fair.p_value);
    // And over simulated fair 50/50 assignments, the flag fires about 0.1% of the time.
    let flagged = (0..SEEDS)
        .filter(|&seed| {
            let mut rng = Rng::new(90_000 + seed);
            let treatment = (0..100_000).filter(|_| rng.bernoulli(0.5)).count() as u64;
            sample_ratio_check(&[100_000 - treatment, treatment], &[1.0, 1.0])
                .expect("runs")
                .flagged
        })
        .count();
    assert!(
        flagged <= 5,
        "{flagged} of {SEEDS} fair experiments flagged"
    );
}
