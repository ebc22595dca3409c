//! Advertiser analytics (`analytics:` in `configs/default.yaml`): attribution, rollups and the
//! statistics' defaults.

use serde::{Deserialize, Serialize};

use super::ConfigError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnalyticsSettings {
    /// A conversion counts for a campaign when the same user clicked it at most this many hours
    /// before. Rollups are rebuilt with the window in force when the server starts.
    pub attribution_window_hours: u32,
    /// How often campaigns with new events have their daily rollups rebuilt.
    pub rollup_interval_secs: u64,
    /// The level of every interval shown.
    pub confidence: f64,
    /// The sequential test's prior scale of the effect, relative to the control arm's metric
    /// (mSPRT's mixing standard deviation is this times the control value).
    pub sequential_relative_effect: f64,
    /// The longest date range one report may cover.
    pub max_range_days: u32,
}

impl Default for AnalyticsSettings {
    fn default() -> Self {
        Self {
            attribution_window_hours: 168,
            rollup_interval_secs: 10,
            confidence: 0.95,
            sequential_relative_effect: 0.1,
            max_range_days: 731,
        }
    }
}

impl AnalyticsSettings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key, reason: &str| {
            Err(ConfigError::Value {
                key,
                reason: reason.into(),
            })
        };
        if self.attribution_window_hours == 0 {
            return bad("analytics.attribution_window_hours", "must be at least 1");
        }
        if self.rollup_interval_secs == 0 {
            return bad("analytics.rollup_interval_secs", "must be at least 1");
        }
        if !(self.confidence > 0.5 && self.confidence < 1.0) {
            return bad("analytics.confidence", "must be between 0.5 and 1");
        }
        if !(self.sequential_relative_effect.is_finite() && self.sequential_relative_effect > 0.0) {
            return bad("analytics.sequential_relative_effect", "must be positive");
        }
        if self.max_range_days == 0 {
            return bad("analytics.max_range_days", "must be at least 1");
        }
        Ok(())
    }
}
