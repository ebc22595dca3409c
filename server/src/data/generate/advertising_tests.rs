//! The planted effects are visible in the simulated data, at the demo's scale (20,000 users).
//! Tolerances are about four standard errors, so a correct generator passes for any seed.

use super::*;

fn world() -> AdWorld {
    simulate(20_000, 500, 0, &mut SplitMix64::new(99))
}

/// Pearson's chi-square for a 50/50 split; 10.83 is the 0.999 quantile with one degree of
/// freedom (scipy.stats.chi2.ppf(0.999, 1) = 10.8276).
fn chi_square_half(a: usize, b: usize) -> f64 {
    let expected = (a + b) as f64 / 2.0;
    ((a as f64 - expected).powi(2) + (b as f64 - expected).powi(2)) / expected
}

fn arm_sizes(x: &SimExperiment) -> (usize, usize) {
    let treatment = x.assignments.iter().filter(|(arm, _)| *arm == 1).count();
    (x.assignments.len() - treatment, treatment)
}

#[test]
fn the_layout_test_has_a_sample_ratio_mismatch_and_the_headline_test_does_not() {
    let w = world();
    let headline = w
        .experiments
        .iter()
        .find(|x| x.name == "Headline test")
        .expect("headline");
    let layout = w
        .experiments
        .iter()
        .find(|x| x.name == "Layout test")
        .expect("layout");
    let (c, t) = arm_sizes(layout);
    assert!(chi_square_half(c, t) > 10.83, "layout {c} vs {t}");
    let (c, t) = arm_sizes(headline);
    assert!(chi_square_half(c, t) < 10.83, "headline {c} vs {t}");
}

/// Per arm: impressions, clicks, saves, dwell seconds, conversions, cost.
fn arm_totals(w: &AdWorld, campaign: usize) -> [[f64; 6]; 2] {
    let mut t = [[0.0_f64; 6]; 2];
    // The campaign delivers only through the experiment; the creative is the arm.
    for e in w.events.iter().filter(|e| e.campaign == campaign) {
        let arm = &mut t[e.creative];
        arm[5] += e.cost;
        match e.kind {
            "impression" => arm[0] += 1.0,
            "click" => arm[1] += 1.0,
            "conversion" => arm[4] += 1.0,
            _ => {}
        }
    }
    for a in w.feed.iter().filter(|a| a.campaign == campaign) {
        match (a.kind, a.seconds) {
            ("save", None) => t[a.creative][2] += 1.0,
            ("dwell", Some(seconds)) => t[a.creative][3] += seconds,
            other => panic!("unexpected feed activity {other:?}"),
        }
    }
    t
}

#[test]
fn the_headline_test_shows_its_planted_lifts_on_the_seeds_five_metrics() {
    let w = world();
    let (x, truth) = w
        .experiments
        .iter()
        .zip(&w.truth.experiments)
        .find(|(x, _)| x.name == "Headline test")
        .expect("headline");
    let [c, t] = arm_totals(&w, x.campaign);
    let ratio = |arm: &[f64; 6], num: usize, den: usize| arm[num] / arm[den];
    // (metric, numerator, denominator, the SE of the log of treatment / control). Counts are
    // near Poisson, so a count's log has variance 1 / count; a dwell's coefficient of variation
    // is sqrt(exp(0.6^2) - 1) = 0.66, which adds 0.44 / clicks per arm.
    let se = |n: usize| (1.0 / c[n] + 1.0 / t[n]).sqrt();
    let checks = [
        ("ctr", 1, 0, se(1)),
        ("save_rate", 2, 0, se(2)),
        (
            "dwell_per_click",
            3,
            1,
            (0.44 * (1.0 / c[1] + 1.0 / t[1])).sqrt(),
        ),
        ("cvr", 4, 1, (se(4).powi(2) + se(1).powi(2)).sqrt()),
        ("cpa", 5, 4, se(4)),
        ("cpc", 5, 1, se(1)),
    ];
    for (metric, num, den, se_log) in checks {
        let planted = truth.planted_lifts[metric];
        let seen = ratio(&t, num, den) / ratio(&c, num, den);
        // Four standard errors on the log scale: a correct generator passes for any seed,
        // and each lift is still told from none (the smallest, CVR's 20%, is 0.18 in logs
        // against an SE near 0.07 at this scale).
        assert!(
            (seen.ln() - (1.0 + planted).ln()).abs() < 4.0 * se_log,
            "{metric}: seen {seen}, planted {planted}, SE {se_log}, arms {c:?} {t:?}"
        );
    }
    // The direction of the seed's table.
    let lifts = &truth.planted_lifts;
    for up in ["ctr", "save_rate", "dwell_per_click", "cvr"] {
        assert!(lifts[up] > 0.0, "{up}");
    }
    assert!(lifts["cpa"] < 0.0 && lifts["cpc"] < 0.0, "{lifts:?}");
    assert!((lifts["cpa"] - (1.0 / (1.3 * 1.2) - 1.0)).abs() < 1e-12);
}

#[test]
fn the_layout_test_plants_no_lift_and_records_dwell_only_after_clicks() {
    let w = world();
    let (x, truth) = w
        .experiments
        .iter()
        .zip(&w.truth.experiments)
        .find(|(x, _)| x.name == "Layout test")
        .expect("layout");
    assert!(truth.planted_lifts.values().all(|l| l.abs() < 1e-12));
    let [c, t] = arm_totals(&w, x.campaign);
    let dwells = w
        .feed
        .iter()
        .filter(|a| a.campaign == x.campaign && a.kind == "dwell")
        .count() as f64;
    assert_eq!(dwells, c[1] + t[1], "one dwell a click");
    for a in &w.feed {
        if let Some(s) = a.seconds {
            assert!(s > 0.0 && s <= app::wire::MAX_DWELL_SECONDS, "{s}");
        }
    }
}

#[test]
fn the_geo_intervention_raises_treated_clicks_by_the_planted_effect() {
    let w = world();
    let study = &w.truth.study;
    let campaign = w
        .campaigns
        .iter()
        .position(|c| c.name == study.campaign)
        .expect("campaign");
    let mut counts = [[[0.0_f64; 2]; 2]; 2]; // [treated][post][impressions, clicks]
    for e in w.events.iter().filter(|e| e.campaign == campaign) {
        let treated = usize::from(study.treated_geos.iter().any(|g| g == e.geo));
        let post = usize::from(e.at_unix >= study.intervention_day * DAY);
        match e.kind {
            "impression" => counts[treated][post][0] += 1.0,
            "click" => counts[treated][post][1] += 1.0,
            _ => {}
        }
    }
    let ctr = |t: usize, p: usize| counts[t][p][1] / counts[t][p][0];
    // Ratio of ratios: geo levels and the common weekly rhythm cancel out. With about 2,000
    // clicks in the smallest cell the SE of its log is about sqrt(4 / 2000) = 0.045; 0.18 is
    // four SEs, and still tells the planted 0.30 from no effect.
    let effect = (ctr(1, 1) / ctr(1, 0)) / (ctr(0, 1) / ctr(0, 0)) - 1.0;
    assert!(
        (effect - study.planted_relative_effect).abs() < 0.18,
        "effect {effect}"
    );
}

#[test]
fn every_event_is_priced_and_placed_consistently() {
    let w = world();
    for e in &w.events {
        assert!(SEGMENTS.contains(&e.segment) && GEOS.contains(&e.geo));
        assert_eq!((e.segment, e.geo), user_segment_and_geo(e.user));
        match e.kind {
            "impression" => assert!(e.cost > 0.0 && e.revenue == 0.0),
            "click" => assert!(e.cost == 0.0 && e.revenue == 0.0),
            "conversion" => assert!(e.revenue > 0.0),
            other => panic!("unexpected kind {other}"),
        }
        assert!(e.at_unix >= 0 && e.at_unix < DAYS * DAY + 3_600);
    }
}
