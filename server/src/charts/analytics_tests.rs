//! Every chart parses as XML for empty data, a single point and normal data.

use app::wire::MetricResult;
use chrono::NaiveDate;

use super::*;

#[track_caller]
fn parses(svg: &str, what: &str) {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{what}: not XML: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg", "{what}");
}

fn dates(n: usize) -> Vec<NaiveDate> {
    let start = NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date");
    (0..n)
        .map(|d| start + chrono::Duration::days(d as i64))
        .collect()
}

fn lift(metric: &str, relative: f64) -> MetricResult {
    MetricResult {
        metric: metric.into(),
        arm: "treatment".into(),
        method: "z".into(),
        control: 0.05,
        treatment: 0.05 * (1.0 + relative),
        control_ci: None,
        treatment_ci: None,
        absolute: 0.05 * relative,
        absolute_ci: [0.0, 0.1],
        relative,
        relative_ci: [relative - 0.05, relative + 0.05],
        statistic: 2.0,
        p_value: 0.04,
        p_holm: 0.08,
        p_bh: 0.06,
        significant: false,
        variance_reduction: None,
    }
}

#[test]
fn every_chart_is_xml_for_empty_single_and_normal_data() {
    for n in [0usize, 1, 28] {
        let d = dates(n);
        let values: Vec<f64> = (0..n).map(|i| 100.0 + (i as f64).sin() * 10.0).collect();
        let other: Vec<f64> = values.iter().map(|v| v * 0.8).collect();
        let start = d.get(n / 2).copied();
        let points: Vec<(NaiveDate, Option<f64>)> = d
            .iter()
            .zip(&values)
            .map(|(d, v)| (*d, Some(v / 1000.0)))
            .collect();
        let what = format!("{n} points");
        parses(
            &metric_series("ctr", &points).expect("series"),
            &format!("series, {what}"),
        );
        parses(
            &did_trends(&d, &values, &other, start).expect("trends"),
            &format!("trends, {what}"),
        );
        parses(
            &synthetic_vs_actual(&d, &values, &other, start).expect("synthetic"),
            &format!("synthetic, {what}"),
        );
        let gaps: Vec<f64> = values.iter().zip(&other).map(|(a, b)| a - b).collect();
        parses(
            &gap(&d, &gaps, start).expect("gap"),
            &format!("gap, {what}"),
        );
        parses(
            &placebo_gaps(&d, &gaps, &[other.clone(), values.clone()], start).expect("placebos"),
            &format!("placebos, {what}"),
        );
        let lifts: Vec<MetricResult> = (0..n.min(5))
            .map(|i| lift(&format!("m{i}"), 0.1 * i as f64))
            .collect();
        parses(
            &lift_whiskers(&lifts).expect("lift"),
            &format!("lift, {what}"),
        );
    }
}

#[test]
fn charts_draw_their_data_and_say_when_there_is_none() {
    let empty = metric_series("ctr", &[]).expect("empty");
    assert!(empty.contains("no data"), "an empty chart says so");
    let d = dates(10);
    let values: Vec<f64> = (0..10).map(f64::from).collect();
    let svg = synthetic_vs_actual(&d, &values, &values, d.get(5).copied()).expect("draws");
    assert!(
        svg.matches("<polyline").count() >= 2,
        "two lines and the marker"
    );
    assert!(svg.contains("synthetic") && svg.contains("actual"));
    // A hole (None) does not become NaN in the SVG.
    let holes: Vec<(NaiveDate, Option<f64>)> = d
        .iter()
        .enumerate()
        .map(|(i, d)| (*d, (i % 2 == 0).then_some(0.1)))
        .collect();
    assert!(!metric_series("cvr", &holes).expect("draws").contains("NaN"));
}
