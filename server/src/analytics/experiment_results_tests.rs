//! The ratio metrics against a hand computation in numpy (float64) on a small fixed data set,
//! to 1e-10. For an arm of `n` users with per-user numerators `y` and denominators `x`:
//!
//! `R = ȳ / x̄`, `Var(R) = (s_yy - 2 R s_xy + R² s_xx) / (n x̄²)` (sample moments, ddof 1;
//! Deng, Knoblich and Lu, KDD 2018), the arm's interval `R ± z₀.₉₇₅ √Var(R)`, and the
//! difference's standard error `√(Var(R_c) + Var(R_t))`. The reference was computed as
//!
//! ```python
//! my, mx = y.mean(), x.mean(); r = my / mx
//! var = (np.var(y, ddof=1) - 2*r*np.cov(y, x, ddof=1)[0, 1] + r*r*np.var(x, ddof=1)) / (n*mx*mx)
//! ci = (r - norm.ppf(0.975)*np.sqrt(var), r + norm.ppf(0.975)*np.sqrt(var))
//! ```

use app::wire::ExperimentMetric;

use super::test;
use crate::analytics::experiment_data::UserTotals;

/// impressions, clicks, saves, dwell seconds, conversions, cost.
fn users(rows: &[[f64; 6]]) -> Vec<UserTotals> {
    rows.iter()
        .map(|r| UserTotals {
            impressions: r[0],
            clicks: r[1],
            saves: r[2],
            dwell: r[3],
            conversions: r[4],
            cost: r[5],
            revenue: 0.0,
        })
        .collect()
}

const CONTROL: [[f64; 6]; 6] = [
    [12.0, 2.0, 1.0, 64.5, 1.0, 0.36],
    [7.0, 0.0, 0.0, 0.0, 0.0, 0.21],
    [20.0, 5.0, 2.0, 210.0, 2.0, 0.60],
    [3.0, 1.0, 0.0, 12.25, 0.0, 0.09],
    [9.0, 1.0, 1.0, 40.0, 1.0, 0.27],
    [15.0, 3.0, 0.0, 95.5, 0.0, 0.45],
];
const TREATMENT: [[f64; 6]; 7] = [
    [10.0, 3.0, 2.0, 150.0, 1.0, 0.30],
    [8.0, 1.0, 1.0, 70.5, 1.0, 0.24],
    [18.0, 4.0, 3.0, 260.0, 2.0, 0.54],
    [5.0, 2.0, 0.0, 41.0, 1.0, 0.15],
    [11.0, 2.0, 1.0, 99.75, 0.0, 0.33],
    [14.0, 3.0, 2.0, 130.0, 2.0, 0.42],
    [6.0, 1.0, 0.0, 30.0, 0.0, 0.18],
];

/// numpy's figures: control ratio, its variance, treatment ratio, its variance.
struct Reference {
    metric: ExperimentMetric,
    control: f64,
    control_var: f64,
    treatment: f64,
    treatment_var: f64,
}

const REFERENCES: [Reference; 5] = [
    Reference {
        metric: ExperimentMetric::Ctr,
        control: 0.181_818_181_818_181_82,
        control_var: 0.001_156_569_451_084_853,
        treatment: 0.222_222_222_222_222_18,
        treatment_var: 0.000_522_341_614_591_271_3,
    },
    Reference {
        metric: ExperimentMetric::SaveRate,
        control: 0.060_606_060_606_060_6,
        control_var: 0.000_534_774_238_756_207_3,
        treatment: 0.125,
        treatment_var: 0.000_513_398_598_251_028_7,
    },
    Reference {
        metric: ExperimentMetric::DwellPerClick,
        control: 35.1875,
        control_var: 15.377_604_166_666_705,
        treatment: 48.828_125_000_000_01,
        treatment_var: 38.769_107_182_820_6,
    },
    Reference {
        metric: ExperimentMetric::Cpa,
        control: 0.495_000_000_000_000_05,
        control_var: 0.035_673_750_000_000_02,
        treatment: 0.308_571_428_571_428_6,
        treatment_var: 0.005_143_731_778_425_656,
    },
    Reference {
        metric: ExperimentMetric::Cpc,
        control: 0.165,
        control_var: 0.000_952_500_000_000_000_8,
        treatment: 0.135_000_000_000_000_04,
        treatment_var: 0.000_192_773_437_500_000_13,
    },
];

const Z_975: f64 = 1.959_963_984_540_054;

#[track_caller]
fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-10,
        "{what}: {got} against numpy's {want}"
    );
}

#[test]
fn ratio_metrics_match_numpy_to_1e_10() {
    let (control, treatment) = (users(&CONTROL), users(&TREATMENT));
    let none: Vec<UserTotals> = Vec::new();
    for r in &REFERENCES {
        let name = r.metric.name();
        let tested = test(r.metric, (&control, &treatment), (&none, &none), 0.95)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        close(tested.lift.control, r.control, name);
        close(tested.lift.treatment, r.treatment, name);
        close(tested.lift.absolute, r.treatment - r.control, name);
        close(
            tested.lift.std_error,
            (r.control_var + r.treatment_var).sqrt(),
            name,
        );
        let (c, t) = tested
            .arm_intervals
            .expect("a ratio metric has arm intervals");
        let half = |var: f64| Z_975 * var.sqrt();
        close(c[0], r.control - half(r.control_var), name);
        close(c[1], r.control + half(r.control_var), name);
        close(t[0], r.treatment - half(r.treatment_var), name);
        close(t[1], r.treatment + half(r.treatment_var), name);
    }
    // numpy's interval of the control's dwell per click, stated whole.
    let dwell = test(
        ExperimentMetric::DwellPerClick,
        (&control, &treatment),
        (&none, &none),
        0.95,
    )
    .expect("dwell per click");
    let (c, _) = dwell.arm_intervals.expect("intervals");
    close(
        c[0],
        27.501_640_700_794_443,
        "dwell per click, control, low",
    );
    close(
        c[1],
        42.873_359_299_205_56,
        "dwell per click, control, high",
    );
}

#[test]
fn a_ratio_with_too_few_users_with_events_is_named_not_tested() {
    let (control, treatment) = (users(&CONTROL), users(&TREATMENT));
    // Three control users converted: CPA's interval would rest on three clusters.
    let error = super::enough_events(ExperimentMetric::Cpa, (&control, &treatment))
        .expect_err("three users with conversions are too few");
    let reason = super::untested_reason(&error);
    assert!(reason.starts_with("too few events: 3 users"), "{reason}");
    // Five of six control users clicked, and six of seven treatment users: enough for CTR
    // (impressions) and dwell per click (clicks).
    for metric in [ExperimentMetric::Ctr, ExperimentMetric::DwellPerClick] {
        super::enough_events(metric, (&control, &treatment))
            .unwrap_or_else(|e| panic!("{}: {e}", metric.name()));
    }
    // Per-user metrics have no denominator to count.
    super::enough_events(ExperimentMetric::RevenuePerUser, (&control, &treatment))
        .expect("not a ratio");
}

#[test]
fn a_ratio_that_does_not_vary_between_users_has_no_zero_wide_interval() {
    // Every user converted nothing: CVR is 0 in both arms with no variance.
    let flat = |rows: &[[f64; 6]]| {
        let mut u = users(rows);
        for user in &mut u {
            user.conversions = 0.0;
        }
        u
    };
    let none: Vec<UserTotals> = Vec::new();
    let error = test(
        ExperimentMetric::Cvr,
        (&flat(&CONTROL), &flat(&TREATMENT)),
        (&none, &none),
        0.95,
    )
    .err()
    .expect("no variation, no test");
    let reason = super::untested_reason(&error);
    assert!(reason.starts_with("too few events"), "{reason}");
}
