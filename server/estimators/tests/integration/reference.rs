//! Every statistic, p-value and interval against the values `tests/fixtures/reference.py`
//! computed with scipy 1.17, statsmodels 0.15 and numpy 2.4 from `tests/fixtures/data.json`
//! (written by `make_fixtures.py`). Tolerances: 1e-6 relative for statistics, p-values and
//! intervals; 1e-6 absolute for synthetic-control weights.

#[path = "../fixtures/expected.rs"]
#[allow(clippy::unreadable_literal, clippy::excessive_precision)]
mod expected;

use estimators::*;
use expected::*;
use serde_json::Value;

fn data() -> Value {
    let text = include_str!("../fixtures/data.json");
    serde_json::from_str(text).expect("data.json parses")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

#[track_caller]
fn close(actual: f64, expected: f64, what: &str) {
    let tolerance = 1e-6 * expected.abs();
    assert!(
        (actual - expected).abs() <= tolerance,
        "{what}: {actual} against the reference {expected} (relative error {:e})",
        ((actual - expected) / expected).abs()
    );
}

#[track_caller]
fn weight(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= 1e-6,
        "{what}: weight {actual} against the reference {expected}"
    );
}

#[test]
fn two_proportion_tests_match_statsmodels() {
    let d = data();
    let cases = [
        (
            PROP0_Z,
            PROP0_P,
            PROP0_ABS_LO,
            PROP0_ABS_HI,
            PROP0_REL_LO,
            PROP0_REL_HI,
        ),
        (
            PROP1_Z,
            PROP1_P,
            PROP1_ABS_LO,
            PROP1_ABS_HI,
            PROP1_REL_LO,
            PROP1_REL_HI,
        ),
    ];
    for (case, (z, p, lo, hi, rlo, rhi)) in d["proportions"]
        .as_array()
        .expect("cases")
        .iter()
        .zip(cases)
    {
        let arm = |v: &Value| {
            let v = floats(v);
            Proportion::new(v[0] as u64, v[1] as u64).expect("a valid arm")
        };
        let lift = two_proportion_test(arm(&case["control"]), arm(&case["treatment"]), 0.95)
            .expect("the test runs");
        close(lift.statistic, z, "z");
        close(lift.p_value, p, "p");
        close(lift.absolute_ci.0, lo, "absolute interval, low");
        close(lift.absolute_ci.1, hi, "absolute interval, high");
        close(lift.relative_ci.0, rlo, "relative interval, low");
        close(lift.relative_ci.1, rhi, "relative interval, high");
    }
}

#[test]
fn welch_matches_scipy() {
    let d = data();
    let control = Summary::of(&floats(&d["welch"]["control"])).expect("control");
    let treatment = Summary::of(&floats(&d["welch"]["treatment"])).expect("treatment");
    let lift = welch_test(&control, &treatment, 0.95).expect("the test runs");
    close(lift.statistic, WELCH_T, "t");
    close(lift.df.expect("Welch has df"), WELCH_DF, "df");
    close(lift.p_value, WELCH_P, "p");
    close(lift.absolute_ci.0, WELCH_LO, "interval, low");
    close(lift.absolute_ci.1, WELCH_HI, "interval, high");
}

#[test]
fn ratio_metrics_match_the_delta_method_reference() {
    let d = data();
    let arm = |v: &Value| {
        RatioSummary::of(&floats(&v["clicks"]), &floats(&v["impressions"])).expect("an arm")
    };
    let (control, treatment) = (arm(&d["ratio"]["control"]), arm(&d["ratio"]["treatment"]));
    close(control.ratio, RATIO_CONTROL, "ratio");
    close(control.variance, RATIO_CONTROL_VAR, "ratio variance");
    let lift = ratio_test(&control, &treatment, 0.95).expect("the test runs");
    close(lift.statistic, RATIO_Z, "z");
    close(lift.p_value, RATIO_P, "p");
    close(lift.absolute_ci.0, RATIO_ABS_LO, "interval, low");
}

#[test]
fn cuped_matches_the_numpy_reference() {
    let d = data();
    let c = &d["cuped"];
    let (yc, xc) = (
        floats(&c["control"]["outcome"]),
        floats(&c["control"]["covariate"]),
    );
    let (yt, xt) = (
        floats(&c["treatment"]["outcome"]),
        floats(&c["treatment"]["covariate"]),
    );
    let result = cuped_test(
        CupedArm {
            outcome: &yc,
            covariate: &xc,
        },
        CupedArm {
            outcome: &yt,
            covariate: &xt,
        },
        0.95,
    )
    .expect("the test runs");
    close(result.theta, CUPED_THETA, "theta");
    close(result.lift.statistic, CUPED_T, "t");
    close(result.lift.p_value, CUPED_P, "p");
    close(result.lift.absolute_ci.0, CUPED_LO, "interval, low");
    close(result.lift.absolute_ci.1, CUPED_HI, "interval, high");
    assert!(
        result.variance_reduction > 0.5,
        "the covariate explains most of the outcome"
    );
}

#[test]
fn sample_ratio_checks_match_scipy() {
    let d = data();
    let expected = [
        (SRM0_CHI2, SRM0_P),
        (SRM1_CHI2, SRM1_P),
        (SRM2_CHI2, SRM2_P),
    ];
    for (case, (chi2, p)) in d["srm"].as_array().expect("cases").iter().zip(expected) {
        let observed: Vec<u64> = floats(&case["observed"])
            .iter()
            .map(|v| *v as u64)
            .collect();
        let check = sample_ratio_check(&observed, &floats(&case["weights"])).expect("runs");
        close(check.statistic, chi2, "chi-square");
        close(check.p_value, p, "p");
        assert_eq!(check.flagged, p < SRM_ALPHA);
    }
}

#[test]
fn corrections_match_statsmodels() {
    let d = data();
    let p = floats(&d["p_values"]);
    let holm_expected = [HOLM_0, HOLM_1, HOLM_2, HOLM_3, HOLM_4, HOLM_5];
    let bh_expected = [BH_0, BH_1, BH_2, BH_3, BH_4, BH_5];
    for (a, e) in holm(&p).expect("holm").iter().zip(holm_expected) {
        close(*a, e, "Holm");
    }
    for (a, e) in benjamini_hochberg(&p).expect("BH").iter().zip(bh_expected) {
        close(*a, e, "Benjamini-Hochberg");
    }
}

#[test]
fn msprt_matches_the_numpy_reference() {
    let d = data();
    let m = &d["msprt"];
    let looks: Vec<Look> = m["looks"]
        .as_array()
        .expect("looks")
        .iter()
        .map(|l| {
            let l = floats(l);
            Look {
                estimate: l[0],
                variance: l[1],
            }
        })
        .collect();
    let test = Msprt::new(m["tau2"].as_f64().expect("tau2")).expect("valid");
    let statuses = test
        .run(&looks, m["alpha"].as_f64().expect("alpha"))
        .expect("runs");
    let expected = [
        (MSPRT_P0, MSPRT_LO0, MSPRT_HI0),
        (MSPRT_P1, MSPRT_LO1, MSPRT_HI1),
        (MSPRT_P2, MSPRT_LO2, MSPRT_HI2),
        (MSPRT_P3, MSPRT_LO3, MSPRT_HI3),
    ];
    for (status, (p, lo, hi)) in statuses.iter().zip(expected) {
        close(status.p_value, p, "always-valid p");
        close(status.interval.0, lo, "confidence sequence, low");
        close(status.interval.1, hi, "confidence sequence, high");
    }
    assert!(
        statuses.windows(2).all(|w| w[1].p_value <= w[0].p_value),
        "p never rises"
    );
}

#[test]
fn power_and_sample_size_match_statsmodels() {
    let d = data();
    let expected = [(POWER0_N, POWER0_AT_1000), (POWER1_N, POWER1_AT_1000)];
    for (case, (n, at_1000)) in d["power"].as_array().expect("cases").iter().zip(expected) {
        let c = floats(case);
        let size = sample_size(c[0], c[1], c[2], c[3], c[4]).expect("solves");
        close(size.control, n, "sample size");
        close(
            power(cohens_h(c[0], c[1]), 1000.0, c[2], c[4]),
            at_1000,
            "power at 1,000",
        );
    }
}

fn panel() -> Panel {
    let d = data();
    let p = &d["panel"];
    Panel::new(
        p["treated"]
            .as_array()
            .expect("treated")
            .iter()
            .map(|t| t.as_bool().expect("bool"))
            .collect(),
        p["periods"].as_u64().expect("periods") as usize,
        floats(&p["outcomes"]),
        p["intervention"].as_u64().expect("intervention") as usize,
    )
    .expect("a valid panel")
}

#[test]
fn difference_in_differences_matches_statsmodels() {
    let panel = panel();
    let did = did_2x2(&panel, 0.95).expect("2x2");
    close(did.effect.estimate, DID_EST, "2x2 estimate");
    close(did.effect.std_error, DID_SE, "2x2 cluster-robust se");
    close(did.effect.p_value, DID_P, "2x2 p");
    close(did.effect.ci.0, DID_LO, "2x2 interval, low");
    close(did.effect.ci.1, DID_HI, "2x2 interval, high");
    let fe = twfe(&panel, 0.95).expect("twfe");
    close(fe.effect.estimate, TWFE_EST, "TWFE estimate");
    close(fe.effect.std_error, TWFE_SE, "TWFE se");
    close(fe.effect.p_value, TWFE_P, "TWFE p");
    close(fe.effect.ci.0, TWFE_LO, "TWFE interval, low");
    close(fe.effect.ci.1, TWFE_HI, "TWFE interval, high");
}

#[test]
fn the_event_study_matches_statsmodels() {
    let study = event_study(&panel(), 4, 5, 0.95).expect("event study");
    let at = |k: i64| {
        &study
            .coefficients
            .iter()
            .find(|(rel, _)| *rel == k)
            .expect("a bin")
            .1
    };
    close(at(-4).estimate, EVENT_M4, "lead 4");
    close(at(-2).std_error, EVENT_M2_SE, "lead 2 se");
    close(at(0).estimate, EVENT_P0, "lag 0");
    close(at(5).ci.0, EVENT_P5_LO, "lag 5 interval, low");
    close(study.pre_trend.statistic, EVENT_PRETREND_F, "pre-trend F");
    assert_eq!((study.pre_trend.df_num, study.pre_trend.df_den), (3, 9));
    close(study.pre_trend.p_value, EVENT_PRETREND_P, "pre-trend p");
}

fn synth_data() -> (Vec<f64>, Vec<Vec<f64>>, usize, Value) {
    let d = data();
    let s = &d["synth"];
    let donors = s["donors"]
        .as_array()
        .expect("donors")
        .iter()
        .map(floats)
        .collect();
    (
        floats(&s["treated"]),
        donors,
        s["pre_periods"].as_u64().expect("pre") as usize,
        s["covariates"].clone(),
    )
}

#[test]
fn synthetic_control_weights_match_the_scipy_reference() {
    let (treated, donors, pre, cov) = synth_data();
    let input = SynthInput {
        treated: &treated,
        donors: &donors,
        pre_periods: pre,
        covariates: None,
        scale: Scale::Level,
    };
    let fit = synthetic_control(&input).expect("fits");
    let expected = [SC_W0, SC_W1, SC_W2, SC_W3, SC_W4, SC_W5, SC_W6, SC_W7];
    for (w, e) in fit.weights.iter().zip(expected) {
        weight(*w, e, "level");
    }
    close(fit.effect, SC_EFFECT, "effect");
    close(fit.rmspe_ratio, SC_RATIO, "RMSPE ratio");

    let cov_donors: Vec<Vec<f64>> = cov["donors"]
        .as_array()
        .expect("donors")
        .iter()
        .map(floats)
        .collect();
    let cov_treated = floats(&cov["treated"]);
    let with_covariates = SynthInput {
        covariates: Some(Covariates {
            treated: &cov_treated,
            donors: &cov_donors,
            weight: cov["weight"].as_f64().expect("weight"),
        }),
        ..input
    };
    let fit = synthetic_control(&with_covariates).expect("fits");
    let expected = [
        SC_COV_W0, SC_COV_W1, SC_COV_W2, SC_COV_W3, SC_COV_W4, SC_COV_W5, SC_COV_W6, SC_COV_W7,
    ];
    for (w, e) in fit.weights.iter().zip(expected) {
        weight(*w, e, "with covariates");
    }

    let fit = synthetic_control(&SynthInput {
        scale: Scale::Index,
        ..input
    })
    .expect("fits");
    let expected = [
        SC_IDX_W0, SC_IDX_W1, SC_IDX_W2, SC_IDX_W3, SC_IDX_W4, SC_IDX_W5, SC_IDX_W6, SC_IDX_W7,
    ];
    for (w, e) in fit.weights.iter().zip(expected) {
        weight(*w, e, "index scale");
    }
    close(fit.effect, SC_IDX_EFFECT, "index-scale effect");
    assert!((fit.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    assert!(fit.weights.iter().all(|w| *w >= 0.0));
}

#[test]
fn placebo_ratios_and_the_permutation_p_match_the_scipy_reference() {
    let (treated, donors, pre, _) = synth_data();
    let input = SynthInput {
        treated: &treated,
        donors: &donors,
        pre_periods: pre,
        covariates: None,
        scale: Scale::Level,
    };
    let test = placebo_test(&input).expect("runs");
    assert_eq!(test.placebo_gaps.len(), donors.len());
    let expected = [
        PLACEBO_RATIO0,
        PLACEBO_RATIO1,
        PLACEBO_RATIO2,
        PLACEBO_RATIO3,
        PLACEBO_RATIO4,
        PLACEBO_RATIO5,
        PLACEBO_RATIO6,
        PLACEBO_RATIO7,
    ];
    for (ratio, e) in test.placebo_ratios.iter().zip(expected) {
        close(*ratio, e, "placebo RMSPE ratio");
    }
    // The planted +4 stands out against every placebo: the smallest p-value, 1 / (J + 1).
    close(test.p_value, PLACEBO_P, "permutation p");
}
