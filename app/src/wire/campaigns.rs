//! The campaign list: `POST /api/v1/analytics/campaigns` and the Campaigns page.

use serde::{Deserialize, Serialize};

use super::MetricValues;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignListRequest {
    /// First day, inclusive (default: four weeks before `to`, or the first day with data).
    pub from: Option<String>,
    /// Last day, inclusive (default: the last day with data).
    pub to: Option<String>,
}

/// One campaign and its totals over the list's range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CampaignSummary {
    pub campaign_id: i32,
    pub name: String,
    pub advertiser: String,
    /// `active`, `paused` or `ended`.
    pub status: String,
    /// ISO 4217.
    pub currency: String,
    pub values: MetricValues,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CampaignList {
    /// The range the totals cover; empty when no campaign has data yet.
    pub from: String,
    pub to: String,
    /// The caller's campaigns (an admin's: every advertiser's), by id.
    pub campaigns: Vec<CampaignSummary>,
    /// Over all of them, when they share one currency.
    pub totals: Option<MetricValues>,
    pub currency: Option<String>,
}
