//! Causal studies on the wire: geo experiments read by difference-in-differences or synthetic
//! control.

use serde::{Deserialize, Serialize};

use super::analytics::Chart;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StudyMethod {
    Did,
    SyntheticControl,
}

/// The daily outcome a study measures, per geo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StudyOutcome {
    Impressions,
    Clicks,
    Conversions,
    Spend,
    Revenue,
}

impl StudyOutcome {
    pub fn name(self) -> &'static str {
        match self {
            StudyOutcome::Impressions => "impressions",
            StudyOutcome::Clicks => "clicks",
            StudyOutcome::Conversions => "conversions",
            StudyOutcome::Spend => "spend",
            StudyOutcome::Revenue => "revenue",
        }
    }
}

/// `POST /api/v1/studies`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateStudy {
    pub name: String,
    pub method: StudyMethod,
    #[serde(deserialize_with = "super::whole::number")]
    pub campaign_id: i32,
    pub outcome: StudyOutcome,
    /// Geos that got the intervention.
    pub treated: Vec<String>,
    /// Geos that did not (the donors of a synthetic control).
    pub control: Vec<String>,
    /// The first day of the intervention, `YYYY-MM-DD` in the advertiser's zone.
    pub intervention_date: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StudySummary {
    pub id: i32,
    pub name: String,
    pub method: StudyMethod,
    pub campaign_id: i32,
    pub outcome: String,
    pub treated: Vec<String>,
    pub control: Vec<String>,
    pub intervention_date: String,
}

/// A coefficient with its cluster-robust interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EffectEstimate {
    pub estimate: f64,
    pub std_error: f64,
    pub ci: [f64; 2],
    pub p_value: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventPoint {
    /// Days from the intervention; -1 is the reference.
    pub relative_day: i64,
    pub estimate: f64,
    pub ci: [f64; 2],
}

/// Difference-in-differences on log(1 + outcome): effects are relative.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DidReport {
    pub units: usize,
    pub periods: usize,
    /// The 2x2 regression's interaction, in log points.
    pub two_by_two: EffectEstimate,
    /// Two-way fixed effects, in log points.
    pub twfe: EffectEstimate,
    /// `exp(twfe) - 1`, and its interval.
    pub relative_effect: f64,
    pub relative_ci: [f64; 2],
    pub event_study: Vec<EventPoint>,
    /// The joint test of the leads (cluster-robust Wald over its restrictions, read against
    /// F): a small p warns of a pre-trend.
    pub pre_trend_statistic: f64,
    pub pre_trend_p_value: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DonorWeight {
    pub geo: String,
    pub weight: f64,
}

/// Synthetic control on the index scale (each geo over its pre-period mean).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SynthReport {
    pub weights: Vec<DonorWeight>,
    /// The mean post-period gap per day, in the outcome's units (treated geos summed).
    pub effect: f64,
    pub relative_effect: f64,
    pub pre_rmspe: f64,
    pub post_rmspe: f64,
    pub rmspe_ratio: f64,
    /// Placebo-in-space permutation p-value.
    pub p_value: f64,
    pub placebos: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StudyResults {
    pub study: StudySummary,
    pub from: String,
    pub to: String,
    pub did: Option<DidReport>,
    pub synthetic: Option<SynthReport>,
    pub charts: Vec<Chart>,
}
