//! Advertiser analytics on the wire: campaign reports, experiments and causal studies. Dates are
//! `YYYY-MM-DD` calendar days in the advertiser's time zone; instants are RFC 3339. A ratio
//! whose denominator is zero is `null`, never NaN.

use serde::{Deserialize, Serialize};

/// A breakdown of a campaign report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    Day,
    Creative,
    Segment,
    Geo,
}

/// The ratio metrics of a campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Clicks per impression.
    Ctr,
    /// Attributed conversions per click.
    Cvr,
    /// Spend per click.
    Cpc,
    /// Spend per thousand impressions.
    Cpm,
    /// Spend per attributed conversion.
    Cpa,
    /// Attributed revenue per unit of spend.
    Roas,
}

impl Metric {
    pub const ALL: [Metric; 6] = [
        Metric::Ctr,
        Metric::Cvr,
        Metric::Cpc,
        Metric::Cpm,
        Metric::Cpa,
        Metric::Roas,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Metric::Ctr => "ctr",
            Metric::Cvr => "cvr",
            Metric::Cpc => "cpc",
            Metric::Cpm => "cpm",
            Metric::Cpa => "cpa",
            Metric::Roas => "roas",
        }
    }
}

/// `POST /api/v1/analytics/campaign`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignReportRequest {
    #[serde(deserialize_with = "super::whole::number")]
    pub campaign_id: i32,
    /// The ratio metrics to report; all of them when empty or absent.
    #[serde(default)]
    pub metrics: Vec<Metric>,
    /// First day, inclusive (default: the campaign's first day with data).
    pub from: Option<String>,
    /// Last day, inclusive (default: its last day with data).
    pub to: Option<String>,
    pub breakdown: Option<Breakdown>,
    /// Also draw the daily series of each metric as SVG.
    #[serde(default)]
    pub charts: bool,
}

/// Counts, money and the requested ratios of one row.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MetricValues {
    pub impressions: i64,
    pub clicks: i64,
    /// Conversions within the attribution window of a click.
    pub conversions: i64,
    pub spend: f64,
    pub revenue: f64,
    pub ctr: Option<f64>,
    pub cvr: Option<f64>,
    pub cpc: Option<f64>,
    pub cpm: Option<f64>,
    pub cpa: Option<f64>,
    pub roas: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportRow {
    /// The day (`YYYY-MM-DD`), creative id, segment or geo.
    pub key: String,
    /// For people: the creative's name, or the key.
    pub label: String,
    pub values: MetricValues,
}

/// An SVG chart, drawn on the server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Chart {
    pub title: String,
    pub svg: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CampaignReport {
    pub campaign_id: i32,
    pub campaign_name: String,
    pub advertiser_id: i32,
    /// ISO 4217, e.g. `USD`.
    pub currency: String,
    /// The IANA zone days are counted in.
    pub time_zone: String,
    pub from: String,
    pub to: String,
    pub attribution_window_hours: u32,
    pub metrics: Vec<Metric>,
    pub breakdown: Option<Breakdown>,
    pub totals: MetricValues,
    pub rows: Vec<ReportRow>,
    pub charts: Vec<Chart>,
}

/// One arm of an experiment and its share of traffic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ArmSpec {
    pub name: String,
    pub weight: f64,
    /// The model version (registry id) that serves this arm's feeds, in an experiment between
    /// model versions; absent in an advertiser's experiment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_version: Option<String>,
}

/// The metrics an experiment reads per arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExperimentMetric {
    /// Clicks per impression (a ratio over users, by the delta method).
    Ctr,
    /// Saves per impression (a ratio over users).
    SaveRate,
    /// Seconds of dwell per click (a ratio over users).
    DwellPerClick,
    /// Conversions per click (a ratio over users).
    Cvr,
    /// Cost per conversion (a ratio over users; lower is better).
    Cpa,
    /// Cost per click (a ratio over users; lower is better).
    Cpc,
    /// The share of users with at least one click (two-proportion z-test).
    ClickingUsers,
    /// Conversions per user (Welch, CUPED-adjusted by the pre-period).
    ConversionsPerUser,
    /// Revenue per user (Welch, CUPED-adjusted by the pre-period).
    RevenuePerUser,
}

impl ExperimentMetric {
    /// In the order of the results table: the seed's five first.
    pub const ALL: [ExperimentMetric; 9] = [
        ExperimentMetric::Ctr,
        ExperimentMetric::SaveRate,
        ExperimentMetric::DwellPerClick,
        ExperimentMetric::Cvr,
        ExperimentMetric::Cpa,
        ExperimentMetric::Cpc,
        ExperimentMetric::ClickingUsers,
        ExperimentMetric::ConversionsPerUser,
        ExperimentMetric::RevenuePerUser,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ExperimentMetric::Ctr => "ctr",
            ExperimentMetric::SaveRate => "save_rate",
            ExperimentMetric::DwellPerClick => "dwell_per_click",
            ExperimentMetric::Cvr => "cvr",
            ExperimentMetric::Cpa => "cpa",
            ExperimentMetric::Cpc => "cpc",
            ExperimentMetric::ClickingUsers => "clicking_users",
            ExperimentMetric::ConversionsPerUser => "conversions_per_user",
            ExperimentMetric::RevenuePerUser => "revenue_per_user",
        }
    }
}

/// `POST /api/v1/experiments`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateExperiment {
    pub name: String,
    #[serde(default)]
    pub hypothesis: String,
    #[serde(deserialize_with = "super::whole::number")]
    pub campaign_id: i32,
    /// Two or more; the first is the control.
    pub arms: Vec<ArmSpec>,
    pub primary_metric: ExperimentMetric,
    /// RFC 3339; now when absent.
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
}

/// `POST /api/v1/experiments/models`: an experiment that splits the feed's traffic between
/// two model versions of the registry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateModelExperiment {
    pub name: String,
    #[serde(default)]
    pub hypothesis: String,
    /// The control's version; the serving version when absent.
    pub control: Option<String>,
    /// The challenger's version.
    pub treatment: String,
    /// The treatment's share of users, in (0, 1); 0.5 when absent.
    pub treatment_share: Option<f64>,
    /// CTR when absent.
    pub primary_metric: Option<ExperimentMetric>,
    /// RFC 3339; open-ended when absent.
    pub ends_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExperimentSummary {
    pub id: i32,
    pub name: String,
    pub hypothesis: String,
    pub campaign_id: Option<i32>,
    pub status: String,
    pub arms: Vec<ArmSpec>,
    pub primary_metric: String,
    pub starts_at: String,
    pub ends_at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ArmResult {
    pub name: String,
    pub weight: f64,
    pub users: u64,
    pub impressions: i64,
    pub clicks: i64,
    #[serde(default)]
    pub saves: i64,
    /// Seconds in view, summed.
    #[serde(default)]
    pub dwell_seconds: f64,
    pub conversions: i64,
    pub revenue: f64,
    /// What the advertiser paid (nothing in a feed experiment).
    #[serde(default)]
    pub cost: f64,
}

/// One metric, one treatment arm against the control.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MetricResult {
    pub metric: String,
    pub arm: String,
    /// How it was tested, e.g. `delta-method z-test`.
    pub method: String,
    pub control: f64,
    pub treatment: f64,
    /// Each arm's own interval, for the ratio metrics (delta method, clustered by user).
    #[serde(default)]
    pub control_ci: Option<[f64; 2]>,
    #[serde(default)]
    pub treatment_ci: Option<[f64; 2]>,
    pub absolute: f64,
    pub absolute_ci: [f64; 2],
    pub relative: f64,
    pub relative_ci: [f64; 2],
    pub statistic: f64,
    pub p_value: f64,
    /// Holm-adjusted across the experiment's metrics.
    pub p_holm: f64,
    /// Benjamini–Hochberg-adjusted across the experiment's metrics.
    pub p_bh: f64,
    /// Holm-adjusted p below `1 - confidence`.
    pub significant: bool,
    /// CUPED's share of variance removed, for the metrics it adjusts.
    pub variance_reduction: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SrmResult {
    pub statistic: f64,
    pub p_value: f64,
    /// p below 0.001: the split is not what was planned, and the results are suspect.
    pub flagged: bool,
    pub observed_shares: Vec<f64>,
    pub expected_shares: Vec<f64>,
}

/// The always-valid (mSPRT) reading of the primary metric's absolute lift, one look per day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SequentialResult {
    pub metric: String,
    pub looks: usize,
    pub p_value: f64,
    pub interval: [f64; 2],
    /// Safe to stop: the always-valid p is below `1 - confidence`.
    pub conclusive: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExperimentResults {
    pub experiment: ExperimentSummary,
    pub confidence: f64,
    pub arms: Vec<ArmResult>,
    pub metrics: Vec<MetricResult>,
    /// Metrics the data cannot test yet (too few events in an arm, say), with the reason.
    #[serde(default)]
    pub untested: Vec<UntestedMetric>,
    pub srm: SrmResult,
    pub sequential: Option<SequentialResult>,
    pub charts: Vec<Chart>,
}

/// A metric left out of an experiment's results, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UntestedMetric {
    pub metric: String,
    /// The treatment arm it would compare with the control.
    pub arm: String,
    pub reason: String,
}

/// `POST /api/v1/experiments/power`: the users a two-arm test needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PowerRequest {
    /// The control arm's rate, e.g. a CTR of 0.05.
    pub baseline_rate: f64,
    /// The smallest relative lift worth detecting, e.g. 0.1 for +10%.
    pub minimum_relative_lift: f64,
    #[serde(default = "default_alpha")]
    pub alpha: f64,
    #[serde(default = "default_power")]
    pub power: f64,
    /// Treatment units per control unit.
    #[serde(default = "default_ratio")]
    pub ratio: f64,
}

fn default_alpha() -> f64 {
    0.05
}
fn default_power() -> f64 {
    0.8
}
fn default_ratio() -> f64 {
    1.0
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PowerResponse {
    pub control_units: u64,
    pub treatment_units: u64,
    pub total_units: u64,
    /// Cohen's h.
    pub effect_size: f64,
}
