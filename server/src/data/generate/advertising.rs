//! The advertising side of the synthetic world: advertisers, campaigns and creatives, their
//! delivery (impressions, clicks, conversions with cost and revenue, by segment and geo), two
//! A/B experiments (one with planted lifts on the seed's five metrics, one with a planted
//! sample-ratio mismatch), and a geo intervention with a planted effect for
//! difference-in-differences and synthetic control.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::rng::SplitMix64;
use super::ad_experiments::{EXPERIMENTS, experiments};
pub use super::ad_experiments::{Rates, SimFeedActivity};

pub const SEGMENTS: [&str; 3] = ["new", "returning", "loyal"];
pub const GEOS: [&str; 12] = [
    "CA", "NY", "TX", "FL", "WA", "IL", "PA", "OH", "GA", "NC", "MI", "AZ",
];
pub(super) const DAYS: i64 = 28;
pub(super) const DAY: i64 = 24 * 3600;

/// (name, IANA time zone, campaign names)
const ADVERTISERS: [(&str, &str, [&str; 2]); 4] = [
    (
        "Northwind Apparel",
        "America/New_York",
        ["Spring launch", "Always-on dresses"],
    ),
    (
        "Contoso Footwear",
        "America/Los_Angeles",
        ["Creative test", "Sneaker retargeting"],
    ),
    (
        "Fabrikam Bags",
        "Europe/Berlin",
        ["Tote promotion", "Layout test"],
    ),
    ("Tailspin Outerwear", "UTC", ["Coat season", "Clearance"]),
];

pub struct SimCampaign {
    pub advertiser: usize,
    pub name: String,
    pub daily_budget: f64,
    /// Planted cost per thousand impressions.
    pub cpm: f64,
    /// Indices into the world's items, one per creative.
    pub creative_items: Vec<usize>,
}

#[derive(Clone, Copy)]
pub struct SimAdEvent {
    pub campaign: usize,
    /// Index into the campaign's creatives.
    pub creative: usize,
    pub user: usize,
    pub kind: &'static str,
    pub segment: &'static str,
    pub geo: &'static str,
    pub cost: f64,
    pub revenue: f64,
    pub at_unix: i64,
}

pub struct SimExperiment {
    pub advertiser: usize,
    pub campaign: usize,
    pub name: &'static str,
    pub salt: String,
    /// (arm, user) pairs that were logged.
    pub assignments: Vec<(usize, usize)>,
}

/// What was planted, for `ground_truth.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdTruth {
    pub campaigns: Vec<CampaignTruth>,
    pub experiments: Vec<ExperimentTruth>,
    pub study: StudyTruth,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignTruth {
    pub advertiser: String,
    pub campaign: String,
    pub cpm: f64,
    /// Planted click-through rate of each creative, before segment and geo multipliers.
    pub creative_ctr: Vec<f64>,
    pub cvr: f64,
    pub mean_order_value: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentTruth {
    pub name: String,
    pub arms: Vec<String>,
    pub intended_weights: Vec<f64>,
    /// The control arm's planted behaviour (absent from worlds generated before it was kept).
    #[serde(default)]
    pub control: Rates,
    /// Treatment / control - 1 of each metric the treatment moves, by the metric's API name
    /// (`ctr`, `save_rate`, `dwell_per_click`, `cvr`, `cpa`, `cpc`).
    #[serde(default)]
    pub planted_lifts: BTreeMap<String, f64>,
    /// Share of treatment users lost from logging (a sample-ratio mismatch); 0 if none.
    pub treatment_logging_loss: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudyTruth {
    pub campaign: String,
    pub outcome: String,
    pub treated_geos: Vec<String>,
    pub control_geos: Vec<String>,
    /// Day index (from the window start) when the intervention began.
    pub intervention_day: i64,
    /// Treated geos' CTR is multiplied by 1 + this from that day on.
    pub planted_relative_effect: f64,
}

pub struct AdWorld {
    pub campaigns: Vec<SimCampaign>,
    pub events: Vec<SimAdEvent>,
    /// Saves and dwell of the experiments' users on the promoted items.
    pub feed: Vec<SimFeedActivity>,
    pub experiments: Vec<SimExperiment>,
    pub truth: AdTruth,
}

pub fn advertisers() -> impl Iterator<Item = (&'static str, &'static str)> {
    ADVERTISERS.iter().map(|(name, zone, _)| (*name, *zone))
}

/// A user's segment and geo never change.
pub fn user_segment_and_geo(user: usize) -> (&'static str, &'static str) {
    let mut rng = SplitMix64::new(0x5E6).fork(user as u64);
    (
        SEGMENTS[rng.below(SEGMENTS.len())],
        GEOS[rng.below(GEOS.len())],
    )
}

/// Builds the advertising world over `users` and `items` (item count), from `rng`.
pub fn simulate(users: usize, items: usize, window_start: i64, rng: &mut SplitMix64) -> AdWorld {
    let mut campaigns = Vec::new();
    let mut truths = Vec::new();
    for (a, (adv, _, names)) in ADVERTISERS.iter().enumerate() {
        for name in names {
            let creatives = 2 + rng.below(2);
            let creative_ctr: Vec<f64> = (0..creatives)
                .map(|_| 0.02 + 0.04 * rng.uniform())
                .collect();
            let cpm = 4.0 + 8.0 * rng.uniform();
            truths.push(CampaignTruth {
                advertiser: (*adv).to_owned(),
                campaign: (*name).to_owned(),
                cpm: (cpm * 100.0).round() / 100.0,
                creative_ctr,
                cvr: 0.05 + 0.10 * rng.uniform(),
                mean_order_value: 40.0 + 80.0 * rng.uniform(),
            });
            campaigns.push(SimCampaign {
                advertiser: a,
                name: (*name).to_owned(),
                daily_budget: 50.0 * (1 + rng.below(6)) as f64,
                cpm: (cpm * 100.0).round() / 100.0,
                creative_items: (0..creatives).map(|_| rng.below(items)).collect(),
            });
        }
    }
    let study = StudyTruth {
        campaign: "Spring launch".into(),
        outcome: "clicks".into(),
        treated_geos: GEOS[..4].iter().map(|g| (*g).to_owned()).collect(),
        control_geos: GEOS[4..].iter().map(|g| (*g).to_owned()).collect(),
        intervention_day: 14,
        planted_relative_effect: 0.30,
    };
    let mut events = Vec::new();
    for (c, campaign) in campaigns.iter().enumerate() {
        // An experiment's campaign delivers only through the experiment, so that its arms
        // are clean.
        if EXPERIMENTS
            .iter()
            .any(|(campaign_name, ..)| *campaign_name == campaign.name)
        {
            continue;
        }
        let truth = &truths[c];
        let is_study = campaign.name == study.campaign;
        let per_day = if is_study { 10_000.0 } else { 300.0 };
        for day in 0..DAYS {
            // A weekly rhythm shared by all geos: the common trend that DiD differences out.
            let season = 1.0 + 0.15 * ((day % 7) as f64 / 7.0 * std::f64::consts::TAU).sin();
            let impressions = poisson(per_day * season, rng);
            for _ in 0..impressions {
                let user = rng.below(users);
                let (segment, geo) = user_segment_and_geo(user);
                let creative = rng.below(campaign.creative_items.len());
                let mut ctr = truth.creative_ctr[creative]
                    * segment_multiplier(segment)
                    * geo_multiplier(geo);
                if is_study
                    && day >= study.intervention_day
                    && study.treated_geos.iter().any(|g| g == geo)
                {
                    ctr *= 1.0 + study.planted_relative_effect;
                }
                let at = window_start + day * DAY + (rng.uniform() * DAY as f64) as i64;
                let impression = SimAdEvent {
                    campaign: c,
                    creative,
                    user,
                    kind: "impression",
                    segment,
                    geo,
                    cost: campaign.cpm / 1000.0,
                    revenue: 0.0,
                    at_unix: at,
                };
                push_funnel(
                    impression,
                    (ctr, truth.cvr, truth.mean_order_value),
                    rng,
                    &mut events,
                );
            }
        }
    }
    let mut feed = Vec::new();
    let (experiments, experiment_truths) = experiments(
        &campaigns,
        &truths,
        users,
        window_start,
        rng,
        (&mut events, &mut feed),
    );
    AdWorld {
        campaigns,
        events,
        feed,
        experiments,
        truth: AdTruth {
            campaigns: truths,
            experiments: experiment_truths,
            study,
        },
    }
}

/// An impression (priced by the CPM), then maybe a click, then maybe a conversion; returns
/// whether it was clicked.
pub(super) fn push_funnel(
    impression: SimAdEvent,
    (ctr, cvr, order_value): (f64, f64, f64),
    rng: &mut SplitMix64,
    out: &mut Vec<SimAdEvent>,
) -> bool {
    out.push(impression);
    if !rng.bernoulli(ctr) {
        return false;
    }
    let follow = |kind, revenue, delay| SimAdEvent {
        kind,
        cost: 0.0,
        revenue,
        at_unix: impression.at_unix + delay,
        ..impression
    };
    out.push(follow("click", 0.0, 5));
    if rng.bernoulli(cvr) {
        let revenue = (order_value * (0.35 * rng.normal()).exp() * 100.0).round() / 100.0;
        out.push(follow("conversion", revenue, 600));
    }
    true
}

fn segment_multiplier(segment: &str) -> f64 {
    match segment {
        "new" => 0.8,
        "loyal" => 1.3,
        _ => 1.0,
    }
}

/// Geos differ in level (0.7 to 1.3), which DiD's geo effects absorb.
fn geo_multiplier(geo: &str) -> f64 {
    let index = GEOS.iter().position(|g| *g == geo).unwrap_or(0);
    0.7 + 0.6 * index as f64 / (GEOS.len() - 1) as f64
}

/// Poisson draws: Knuth's method for small means, the normal approximation for large ones.
pub(super) fn poisson(mean: f64, rng: &mut SplitMix64) -> usize {
    if mean > 50.0 {
        return (mean + mean.sqrt() * rng.normal()).round().max(0.0) as usize;
    }
    let limit = (-mean).exp();
    let (mut count, mut product) = (0, rng.uniform());
    while product > limit {
        count += 1;
        product *= rng.uniform();
    }
    count
}

#[cfg(test)]
#[path = "advertising_tests.rs"]
mod tests;
