//! The analytics charts: a metric by day, the lift per metric with interval whiskers, DiD's
//! treated and control trends, synthetic against actual, the gap, and the placebo gaps. Each
//! draws something for empty data (a "no data" panel) and for a single point.

use app::wire::MetricResult;
use chrono::NaiveDate;
use plotters::prelude::*;

use super::{ChartError, err};

const SIZE: (u32, u32) = (720, 320);
const BLUE: RGBColor = RGBColor(37, 99, 235);
const ORANGE: RGBColor = RGBColor(234, 88, 12);
const GREY: RGBColor = RGBColor(148, 163, 184);

/// One line of a chart: its legend label, values per x (None leaves a hole), colour and width.
struct Line<'a> {
    label: &'a str,
    values: Vec<Option<f64>>,
    color: RGBColor,
    width: u32,
}

fn no_data(title: &str) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let style = TextStyle::from(("sans-serif", 16).into_font()).color(&GREY);
        root.draw_text(
            &format!("{title}: no data"),
            &style,
            (24, (SIZE.1 / 2) as i32),
        )
        .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// The y range of every finite value, padded, never empty.
fn y_range(lines: &[Line<'_>], include_zero: bool) -> Option<(f64, f64)> {
    let values = lines
        .iter()
        .flat_map(|l| l.values.iter().flatten().copied())
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold(None, |acc: Option<(f64, f64)>, v| match acc {
        None => Some((v, v)),
        Some((a, b)) => Some((a.min(v), b.max(v))),
    })?;
    let (lo, hi) = if include_zero {
        (lo.min(0.0), hi.max(0.0))
    } else {
        (lo, hi)
    };
    let pad = if hi > lo {
        (hi - lo) * 0.08
    } else {
        hi.abs().max(1.0) * 0.1
    };
    Some((lo - pad, hi + pad))
}

/// Lines over days, a dashed marker at `marker` (the intervention), labels as dates.
fn day_lines(
    title: &str,
    dates: &[NaiveDate],
    lines: &[Line<'_>],
    marker: Option<usize>,
    include_zero: bool,
) -> Result<String, ChartError> {
    let Some((lo, hi)) = y_range(lines, include_zero).filter(|_| !dates.is_empty()) else {
        return no_data(title);
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let n = dates.len() as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.5..n - 0.5, lo..hi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .x_labels(dates.len().min(8))
            .x_label_formatter(&|x| {
                let i = x.round();
                if i >= 0.0 && (i as usize) < dates.len() && (x - i).abs() < 1e-6 {
                    dates[i as usize].format("%b %d").to_string()
                } else {
                    String::new()
                }
            })
            .draw()
            .map_err(err)?;
        if let Some(m) = marker {
            let x = m as f64 - 0.5;
            chart
                .draw_series(DashedLineSeries::new(
                    [(x, lo), (x, hi)],
                    4,
                    4,
                    GREY.stroke_width(1),
                ))
                .map_err(err)?;
        }
        for line in lines {
            let points: Vec<(f64, f64)> = line
                .values
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.filter(|v| v.is_finite()).map(|v| (i as f64, v)))
                .collect();
            let style = line.color.stroke_width(line.width);
            let series = chart
                .draw_series(LineSeries::new(points.iter().copied(), style))
                .map_err(err)?;
            if !line.label.is_empty() {
                let color = line.color;
                series.label(line.label).legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2))
                });
            }
            if points.len() == 1 {
                chart
                    .draw_series(
                        points
                            .iter()
                            .map(|p| Circle::new(*p, 3, line.color.filled())),
                    )
                    .map_err(err)?;
            }
        }
        if lines.iter().any(|l| !l.label.is_empty()) {
            chart
                .configure_series_labels()
                .border_style(BLACK.mix(0.2))
                .background_style(WHITE.mix(0.9))
                .position(SeriesLabelPosition::UpperLeft)
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

/// A metric by day (days without a value leave a hole).
///
/// # Errors
/// [`ChartError`] when plotters fails.
pub fn metric_series(
    name: &str,
    points: &[(NaiveDate, Option<f64>)],
) -> Result<String, ChartError> {
    let dates: Vec<NaiveDate> = points.iter().map(|p| p.0).collect();
    let line = Line {
        label: "",
        values: points.iter().map(|p| p.1).collect(),
        color: BLUE,
        width: 2,
    };
    day_lines(
        &format!("{} by day", name.to_uppercase()),
        &dates,
        &[line],
        None,
        false,
    )
}

/// The mean outcome of treated and control geos per day, the intervention marked.
///
/// # Errors
/// [`ChartError`] when plotters fails.
pub fn did_trends(
    dates: &[NaiveDate],
    treated: &[f64],
    control: &[f64],
    start: Option<NaiveDate>,
) -> Result<String, ChartError> {
    let marker = start.and_then(|s| dates.iter().position(|d| *d == s));
    let lines = [
        Line {
            label: "treated",
            values: treated.iter().map(|v| Some(*v)).collect(),
            color: ORANGE,
            width: 2,
        },
        Line {
            label: "control",
            values: control.iter().map(|v| Some(*v)).collect(),
            color: BLUE,
            width: 2,
        },
    ];
    day_lines("Treated and control", dates, &lines, marker, false)
}

/// The treated unit and its synthetic control.
///
/// # Errors
/// [`ChartError`] when plotters fails.
pub fn synthetic_vs_actual(
    dates: &[NaiveDate],
    actual: &[f64],
    synthetic: &[f64],
    start: Option<NaiveDate>,
) -> Result<String, ChartError> {
    let marker = start.and_then(|s| dates.iter().position(|d| *d == s));
    let lines = [
        Line {
            label: "actual",
            values: actual.iter().map(|v| Some(*v)).collect(),
            color: ORANGE,
            width: 2,
        },
        Line {
            label: "synthetic",
            values: synthetic.iter().map(|v| Some(*v)).collect(),
            color: BLUE,
            width: 2,
        },
    ];
    day_lines("Actual and synthetic", dates, &lines, marker, false)
}

/// Actual minus synthetic per day, around zero.
///
/// # Errors
/// [`ChartError`] when plotters fails.
pub fn gap(
    dates: &[NaiveDate],
    gaps: &[f64],
    start: Option<NaiveDate>,
) -> Result<String, ChartError> {
    let marker = start.and_then(|s| dates.iter().position(|d| *d == s));
    let zero = Line {
        label: "",
        values: vec![Some(0.0); dates.len()],
        color: GREY,
        width: 1,
    };
    let line = Line {
        label: "gap",
        values: gaps.iter().map(|v| Some(*v)).collect(),
        color: ORANGE,
        width: 2,
    };
    day_lines(
        "Gap: actual minus synthetic",
        dates,
        &[zero, line],
        marker,
        true,
    )
}

/// The treated gap drawn over every placebo's gap.
///
/// # Errors
/// [`ChartError`] when plotters fails.
pub fn placebo_gaps(
    dates: &[NaiveDate],
    treated: &[f64],
    placebos: &[Vec<f64>],
    start: Option<NaiveDate>,
) -> Result<String, ChartError> {
    let marker = start.and_then(|s| dates.iter().position(|d| *d == s));
    let mut lines: Vec<Line<'_>> = placebos
        .iter()
        .enumerate()
        .map(|(i, g)| Line {
            label: if i == 0 { "placebos" } else { "" },
            values: g.iter().map(|v| Some(*v)).collect(),
            color: GREY,
            width: 1,
        })
        .collect();
    lines.push(Line {
        label: "treated",
        values: treated.iter().map(|v| Some(*v)).collect(),
        color: ORANGE,
        width: 2,
    });
    day_lines("Placebo gaps", dates, &lines, marker, true)
}

/// Each metric's relative lift with its interval as a whisker, around zero.
///
/// # Errors
/// [`ChartError`] when plotters fails.
pub fn lift_whiskers(metrics: &[MetricResult]) -> Result<String, ChartError> {
    let title = "Relative lift by metric";
    let finite: Vec<&MetricResult> = metrics
        .iter()
        .filter(|m| m.relative.is_finite() && m.relative_ci.iter().all(|v| v.is_finite()))
        .collect();
    if finite.is_empty() {
        return no_data(title);
    }
    let lo = finite
        .iter()
        .map(|m| m.relative_ci[0])
        .fold(0.0f64, f64::min);
    let hi = finite
        .iter()
        .map(|m| m.relative_ci[1])
        .fold(0.0f64, f64::max);
    let pad = ((hi - lo) * 0.1).max(0.01);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 80 + 44 * finite.len() as u32))
            .into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let n = finite.len() as f64;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(200)
            .build_cartesian_2d((lo - pad)..(hi + pad), -0.5..n - 0.5)
            .map_err(err)?;
        let labels: Vec<String> = finite
            .iter()
            .map(|m| format!("{} ({})", m.metric, m.arm))
            .collect();
        chart
            .configure_mesh()
            .light_line_style(WHITE.mix(0.0))
            .y_labels(finite.len())
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() {
                    labels[i as usize].clone()
                } else {
                    String::new()
                }
            })
            .x_label_formatter(&|x| format!("{:+.0}%", x * 100.0))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                [(0.0, -0.5), (0.0, n - 0.5)],
                GREY.stroke_width(1),
            ))
            .map_err(err)?;
        for (i, m) in finite.iter().enumerate() {
            let y = i as f64;
            let color = if m.significant { ORANGE } else { BLUE };
            chart
                .draw_series(LineSeries::new(
                    [(m.relative_ci[0], y), (m.relative_ci[1], y)],
                    color.stroke_width(2),
                ))
                .map_err(err)?;
            chart
                .draw_series([Circle::new((m.relative, y), 4, color.filled())])
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(svg)
}

#[cfg(test)]
#[path = "analytics_tests.rs"]
mod tests;
