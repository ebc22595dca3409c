//! Tables as CSV (RFC 4180): a header, then one line per row; a field with a comma, a quote or
//! a line break is quoted, its quotes doubled.

use app::wire::{CampaignReport, ExperimentResults, MetricValues, StudyResults};

fn field(out: &mut String, value: &str) {
    if value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// `header` then `rows`, each line ended by CRLF.
pub fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        for (i, cell) in cells.enumerate() {
            if i > 0 {
                out.push(',');
            }
            field(&mut out, cell);
        }
        out.push_str("\r\n");
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

fn optional(v: Option<f64>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn values(v: &MetricValues) -> Vec<String> {
    vec![
        v.impressions.to_string(),
        v.clicks.to_string(),
        v.conversions.to_string(),
        v.spend.to_string(),
        v.revenue.to_string(),
        optional(v.ctr),
        optional(v.cvr),
        optional(v.cpc),
        optional(v.cpm),
        optional(v.cpa),
        optional(v.roas),
    ]
}

const METRICS: [&str; 11] = [
    "impressions",
    "clicks",
    "conversions",
    "spend",
    "revenue",
    "ctr",
    "cvr",
    "cpc",
    "cpm",
    "cpa",
    "roas",
];

/// The report's breakdown rows (or its totals when it has none).
pub fn campaign_report(report: &CampaignReport) -> String {
    let mut header = vec!["key", "label"];
    header.extend(METRICS);
    let rows: Vec<Vec<String>> = if report.rows.is_empty() {
        vec![
            [
                vec!["total".to_owned(), report.campaign_name.clone()],
                values(&report.totals),
            ]
            .concat(),
        ]
    } else {
        report
            .rows
            .iter()
            .map(|r| [vec![r.key.clone(), r.label.clone()], values(&r.values)].concat())
            .collect()
    };
    table(&header, rows)
}

/// One line per metric and treatment arm.
pub fn experiment_results(results: &ExperimentResults) -> String {
    let header = [
        "metric",
        "arm",
        "method",
        "control",
        "control_low",
        "control_high",
        "treatment",
        "treatment_low",
        "treatment_high",
        "absolute",
        "absolute_low",
        "absolute_high",
        "relative",
        "relative_low",
        "relative_high",
        "p_value",
        "p_holm",
        "p_bh",
        "significant",
    ];
    let rows = results.metrics.iter().map(|m| {
        vec![
            m.metric.clone(),
            m.arm.clone(),
            m.method.clone(),
            m.control.to_string(),
            optional(m.control_ci.map(|c| c[0])),
            optional(m.control_ci.map(|c| c[1])),
            m.treatment.to_string(),
            optional(m.treatment_ci.map(|c| c[0])),
            optional(m.treatment_ci.map(|c| c[1])),
            m.absolute.to_string(),
            m.absolute_ci[0].to_string(),
            m.absolute_ci[1].to_string(),
            m.relative.to_string(),
            m.relative_ci[0].to_string(),
            m.relative_ci[1].to_string(),
            m.p_value.to_string(),
            m.p_holm.to_string(),
            m.p_bh.to_string(),
            m.significant.to_string(),
        ]
    });
    table(&header, rows)
}

/// A study's table: the event study's points (DiD) or the donor weights (synthetic control).
pub fn study_results(results: &StudyResults) -> String {
    if let Some(did) = &results.did {
        let rows = did.event_study.iter().map(|p| {
            vec![
                p.relative_day.to_string(),
                p.estimate.to_string(),
                p.ci[0].to_string(),
                p.ci[1].to_string(),
            ]
        });
        return table(&["relative_day", "estimate", "ci_low", "ci_high"], rows);
    }
    let rows = results
        .synthetic
        .iter()
        .flat_map(|s| &s.weights)
        .map(|w| vec![w.geo.clone(), w.weight.to_string()]);
    table(&["geo", "weight"], rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_separators_are_quoted() {
        let csv = table(
            &["a", "b"],
            [vec!["plain".into(), "with, comma \"quoted\"".into()]],
        );
        assert_eq!(csv, "a,b\r\nplain,\"with, comma \"\"quoted\"\"\"\r\n");
    }
}
