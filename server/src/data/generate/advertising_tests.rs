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

#[test]
fn the_headline_test_shows_its_planted_lift() {
    // 80,000 users give about 80,000 impressions and 4,000 clicks an arm.
    let w = simulate(80_000, 500, 0, &mut SplitMix64::new(5));
    let headline = w
        .experiments
        .iter()
        .find(|x| x.name == "Headline test")
        .expect("headline");
    let mut counts = [[0.0_f64; 2]; 2]; // [arm][impressions, clicks]
    let campaign = headline.campaign;
    // The campaign delivers only through the experiment; the creative is the arm.
    for e in w.events.iter().filter(|e| e.campaign == campaign) {
        match e.kind {
            "impression" => counts[e.creative][0] += 1.0,
            "click" => counts[e.creative][1] += 1.0,
            _ => {}
        }
    }
    let ctr = |arm: usize| counts[arm][1] / counts[arm][0];
    let lift = ctr(1) / ctr(0) - 1.0;
    // The SE of the log CTR ratio is about sqrt(1/4000 + 1/4600) = 0.022; 0.09 is four SEs,
    // which still tells the planted 0.15 from no lift at all.
    assert!((lift - 0.15).abs() < 0.09, "lift {lift}, counts {counts:?}");
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
