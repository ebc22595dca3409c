//! Charts as SVG strings, drawn with plotters on the server; pages show them inline.

pub mod analytics;

use plotters::prelude::*;

use crate::recsys::checkpoint::EpochRecord;

#[derive(Debug, thiserror::Error)]
#[error("cannot draw the chart: {0}")]
pub struct ChartError(String);

pub(crate) fn err(e: impl std::fmt::Display) -> ChartError {
    ChartError(e.to_string())
}

/// The training curve: loss (left axis) and validation NDCG@10 (right axis) per epoch.
///
/// # Errors
/// [`ChartError`] when there is nothing to draw or plotters fails.
pub fn training_curve(history: &[EpochRecord], title: &str) -> Result<String, ChartError> {
    if history.is_empty() {
        return Err(ChartError("no epochs to draw".into()));
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let epochs = history.len() as f64;
        let max_loss = history
            .iter()
            .map(|r| r.loss)
            .fold(f64::MIN, f64::max)
            .max(1e-9);
        let min_loss = history
            .iter()
            .map(|r| r.loss)
            .fold(f64::MAX, f64::min)
            .min(max_loss);
        let max_ndcg = history
            .iter()
            .map(|r| r.valid_ndcg_at_10)
            .fold(0.0, f64::max)
            .max(1e-3);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .right_y_label_area_size(56)
            .build_cartesian_2d(0.5..epochs + 0.5, (min_loss * 0.95)..(max_loss * 1.05))
            .map_err(err)?
            .set_secondary_coord(0.5..epochs + 0.5, 0.0..max_ndcg * 1.1);
        chart
            .configure_mesh()
            .x_desc("epoch")
            .y_desc("training loss")
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err)?;
        chart
            .configure_secondary_axes()
            .y_desc("validation NDCG@10")
            .draw()
            .map_err(err)?;
        let loss_color = RGBColor(37, 99, 235);
        let ndcg_color = RGBColor(234, 88, 12);
        chart
            .draw_series(LineSeries::new(
                history.iter().map(|r| (r.epoch as f64, r.loss)),
                loss_color.stroke_width(2),
            ))
            .map_err(err)?
            .label("training loss")
            .legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 16, y)], loss_color.stroke_width(2))
            });
        chart
            .draw_secondary_series(LineSeries::new(
                history.iter().map(|r| (r.epoch as f64, r.valid_ndcg_at_10)),
                ndcg_color.stroke_width(2),
            ))
            .map_err(err)?
            .label("validation NDCG@10")
            .legend(move |(x, y)| {
                PathElement::new([(x, y), (x + 16, y)], ndcg_color.stroke_width(2))
            });
        chart
            .configure_series_labels()
            .border_style(BLACK.mix(0.2))
            .background_style(WHITE.mix(0.9))
            .position(SeriesLabelPosition::MiddleRight)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_training_curve_is_an_svg_with_both_series() {
        let history: Vec<EpochRecord> = (1..=5)
            .map(|e| EpochRecord {
                epoch: e,
                loss: 5.0 / e as f64,
                valid_ndcg_at_10: 0.05 * e as f64,
                seconds: 1.0,
            })
            .collect();
        let svg = training_curve(&history, "two-tower on movielens").expect("draw");
        assert!(svg.starts_with("<svg"), "{}", &svg[..40.min(svg.len())]);
        assert!(svg.contains("validation NDCG@10") && svg.contains("two-tower on movielens"));
        assert!(svg.matches("<polyline").count() >= 2, "two lines");
        assert!(training_curve(&[], "empty").is_err());
    }
}
