//! A study's estimate: difference-in-differences (2x2, two-way fixed effects and an event
//! study on log(1 + outcome)) or synthetic control with placebos, stored as the study's last
//! result, with its charts.

use app::error::ApiError;
use app::wire::{
    Chart, DidReport, DonorWeight, EffectEstimate, EventPoint, StudyMethod, StudyResults,
    SynthReport,
};
use chrono::Duration;
use estimators::{Estimate, Panel, Scale, SynthInput, did_2x2, event_study, placebo_test, twfe};
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};

use super::studies::{Design, GeoPanel, design_of, method_of};
use super::{Analytics, database, internal, invalid_stats};
use crate::charts::analytics as draw;

/// Leads and lags of the event study, at most a week each way.
const EVENT_WINDOW: usize = 7;

fn effect(e: &Estimate) -> EffectEstimate {
    EffectEstimate {
        estimate: e.estimate,
        std_error: e.std_error,
        ci: [e.ci.0, e.ci.1],
        p_value: e.p_value,
    }
}

fn did(panel: &GeoPanel, design: &Design, level: f64) -> Result<DidReport, ApiError> {
    let units: Vec<(&String, bool)> = design
        .treated
        .iter()
        .map(|g| (g, true))
        .chain(design.control.iter().map(|g| (g, false)))
        .collect();
    let outcomes: Vec<f64> = units
        .iter()
        .flat_map(|(g, _)| panel.series[*g].iter().map(|y| y.max(0.0).ln_1p()))
        .collect();
    let data = Panel::new(
        units.iter().map(|u| u.1).collect(),
        panel.days,
        outcomes,
        panel.intervention,
    )
    .map_err(invalid_stats)?;
    let two_by_two = did_2x2(&data, level).map_err(invalid_stats)?;
    let fe = twfe(&data, level).map_err(invalid_stats)?;
    let post = panel.days - panel.intervention;
    // The pre-trend test needs more clusters than leads.
    let leads = panel
        .intervention
        .min(EVENT_WINDOW)
        .min(units.len().saturating_sub(2));
    let lags = (post - 1).min(EVENT_WINDOW);
    let (event_study, pre_trend) = if leads >= 2 && post >= 2 {
        let study = event_study(&data, leads, lags, level).map_err(invalid_stats)?;
        let points = study
            .coefficients
            .iter()
            .map(|(rel, e)| EventPoint {
                relative_day: *rel,
                estimate: e.estimate,
                ci: [e.ci.0, e.ci.1],
            })
            .collect();
        (points, (study.pre_trend.statistic, study.pre_trend.p_value))
    } else {
        (Vec::new(), (0.0, 1.0))
    };
    Ok(DidReport {
        units: units.len(),
        periods: panel.days,
        two_by_two: effect(&two_by_two.effect),
        relative_effect: fe.effect.estimate.exp_m1(),
        relative_ci: [fe.effect.ci.0.exp_m1(), fe.effect.ci.1.exp_m1()],
        twfe: effect(&fe.effect),
        event_study,
        pre_trend_statistic: pre_trend.0,
        pre_trend_p_value: pre_trend.1,
    })
}

/// The treated geos summed into one unit, each control geo a donor.
fn treated_and_donors(panel: &GeoPanel, design: &Design) -> (Vec<f64>, Vec<Vec<f64>>) {
    let treated = (0..panel.days)
        .map(|d| design.treated.iter().map(|g| panel.series[g][d]).sum())
        .collect();
    let donors = design
        .control
        .iter()
        .map(|g| panel.series[g].clone())
        .collect();
    (treated, donors)
}

fn synthetic(
    panel: &GeoPanel,
    design: &Design,
) -> Result<(SynthReport, estimators::PlaceboTest), ApiError> {
    let (treated, donors) = treated_and_donors(panel, design);
    let test = placebo_test(&SynthInput {
        treated: &treated,
        donors: &donors,
        pre_periods: panel.intervention,
        covariates: None,
        scale: Scale::Index,
    })
    .map_err(invalid_stats)?;
    let fit = &test.fit;
    let report = SynthReport {
        weights: design
            .control
            .iter()
            .zip(&fit.weights)
            .map(|(geo, w)| DonorWeight {
                geo: geo.clone(),
                weight: *w,
            })
            .collect(),
        effect: fit.effect,
        relative_effect: fit.relative_effect,
        pre_rmspe: fit.pre_rmspe,
        post_rmspe: fit.post_rmspe,
        rmspe_ratio: fit.rmspe_ratio,
        p_value: test.p_value,
        placebos: test.placebo_ratios.len(),
    };
    Ok((report, test))
}

impl Analytics {
    pub(crate) async fn study_results(
        &self,
        id: i32,
        charts: bool,
    ) -> Result<StudyResults, ApiError> {
        let model = self.study(id).await?;
        let design = design_of(&model)?;
        let zone = self.zone_of(design.campaign_id).await?;
        let summary = self.study_summary(&model, zone)?;
        let panel = self.geo_panel(&model, &design, zone).await?;
        let level = self.settings.analytics.confidence;
        let dates: Vec<chrono::NaiveDate> = (0..panel.days)
            .map(|d| panel.first_day + Duration::days(d as i64))
            .collect();
        let intervention_day = dates.get(panel.intervention).copied();
        let mut out = StudyResults {
            study: summary,
            from: panel.first_day.to_string(),
            to: dates.last().map(ToString::to_string).unwrap_or_default(),
            did: None,
            synthetic: None,
            charts: Vec::new(),
        };
        match method_of(&model)? {
            StudyMethod::Did => {
                out.did = Some(did(&panel, &design, level)?);
                if charts {
                    let mean = |geos: &[String]| -> Vec<f64> {
                        (0..panel.days)
                            .map(|d| {
                                geos.iter().map(|g| panel.series[g][d]).sum::<f64>()
                                    / geos.len() as f64
                            })
                            .collect()
                    };
                    let svg = draw::did_trends(
                        &dates,
                        &mean(&design.treated),
                        &mean(&design.control),
                        intervention_day,
                    )
                    .map_err(internal)?;
                    out.charts.push(Chart {
                        title: "Treated and control geos, mean per day".into(),
                        svg,
                    });
                }
            }
            StudyMethod::SyntheticControl => {
                let (report, test) = synthetic(&panel, &design)?;
                out.synthetic = Some(report);
                if charts {
                    let (treated, _) = treated_and_donors(&panel, &design);
                    let charts = [
                        (
                            "Actual and synthetic",
                            draw::synthetic_vs_actual(
                                &dates,
                                &treated,
                                &test.fit.synthetic,
                                intervention_day,
                            ),
                        ),
                        (
                            "Gap: actual minus synthetic",
                            draw::gap(&dates, &test.fit.gaps, intervention_day),
                        ),
                        (
                            "Placebo gaps",
                            draw::placebo_gaps(
                                &dates,
                                &test.fit.gaps,
                                &test.placebo_gaps,
                                intervention_day,
                            ),
                        ),
                    ];
                    for (title, svg) in charts {
                        out.charts.push(Chart {
                            title: title.into(),
                            svg: svg.map_err(internal)?,
                        });
                    }
                }
            }
        }
        let stored = serde_json::json!({ "did": out.did, "synthetic": out.synthetic, "computed_at": chrono::Utc::now() });
        let mut active = model.into_active_model();
        active.result = Set(Some(stored));
        active.update(&self.db).await.map_err(database)?;
        Ok(out)
    }
}
