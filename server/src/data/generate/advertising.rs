//! The advertising side of the synthetic world: advertisers, campaigns and creatives, their
//! delivery (impressions, clicks, conversions with cost and revenue, by segment and geo), two
//! A/B experiments (one with planted lifts on the seed's five metrics, one with a planted
//! sample-ratio mismatch), and a geo intervention with a planted effect for
//! difference-in-differences and synthetic control.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::rng::SplitMix64;

pub const SEGMENTS: [&str; 3] = ["new", "returning", "loyal"];
pub const GEOS: [&str; 12] = [
    "CA", "NY", "TX", "FL", "WA", "IL", "PA", "OH", "GA", "NC", "MI", "AZ",
];
const DAYS: i64 = 28;
/// (campaign, experiment, the treatment's rates over the control's, share of treatment users
/// lost from logging)
const EXPERIMENTS: [(&str, &str, Rates, f64); 2] = [
    // The direction of the seed's A/B table: CTR, saves, dwell and conversions up, so that CPA
    // (and CPC) come down at the same price per impression.
    (
        "Creative test",
        "Headline test",
        Rates {
            ctr: 1.30,
            save_rate: 1.28,
            dwell_per_click: 1.42,
            cvr: 1.20,
        },
        0.0,
    ),
    ("Layout test", "Layout test", Rates::SAME, 0.08),
];
/// The control arm of every experiment.
const CONTROL: Rates = Rates {
    ctr: 0.05,
    save_rate: 0.03,
    dwell_per_click: 45.0,
    cvr: 0.10,
};
/// Mean ad impressions of an experiment's user over its two weeks.
const EXPERIMENT_IMPRESSIONS: f64 = 6.0;
/// The spread of ln(dwell seconds) around its mean.
const DWELL_LOG_SD: f64 = 0.6;
const DAY: i64 = 24 * 3600;

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

/// Saves and dwell on a campaign's promoted item, recorded by the feed (as interactions), not
/// by the ad server.
#[derive(Clone, Copy, Debug)]
pub struct SimFeedActivity {
    pub campaign: usize,
    pub creative: usize,
    pub user: usize,
    /// `save` or `dwell`.
    pub kind: &'static str,
    /// A dwell's seconds.
    pub seconds: Option<f64>,
    pub at_unix: i64,
}

/// An experiment arm's behaviour: clicks per impression, saves per impression, mean dwell
/// seconds per click and conversions per click (or, for a treatment, each as a multiple of the
/// control's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    pub ctr: f64,
    pub save_rate: f64,
    pub dwell_per_click: f64,
    pub cvr: f64,
}

impl Rates {
    const SAME: Rates = Rates {
        ctr: 1.0,
        save_rate: 1.0,
        dwell_per_click: 1.0,
        cvr: 1.0,
    };

    fn times(self, by: Rates) -> Rates {
        Rates {
            ctr: self.ctr * by.ctr,
            save_rate: self.save_rate * by.save_rate,
            dwell_per_click: self.dwell_per_click * by.dwell_per_click,
            cvr: self.cvr * by.cvr,
        }
    }

    /// Treatment / control - 1 of each experiment metric, by the metric's API name. Cost is
    /// the same per impression in both arms, so CPA falls as conversions per impression
    /// (CTR x CVR) rise, and CPC as CTR rises.
    pub fn relative_lifts(by: Rates) -> BTreeMap<String, f64> {
        [
            ("ctr", by.ctr - 1.0),
            ("save_rate", by.save_rate - 1.0),
            ("dwell_per_click", by.dwell_per_click - 1.0),
            ("cvr", by.cvr - 1.0),
            ("cpa", 1.0 / (by.ctr * by.cvr) - 1.0),
            ("cpc", 1.0 / by.ctr - 1.0),
        ]
        .into_iter()
        .map(|(metric, lift)| (metric.to_owned(), lift))
        .collect()
    }
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
fn push_funnel(
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
fn poisson(mean: f64, rng: &mut SplitMix64) -> usize {
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

/// Two experiments from day 14: a headline test with planted lifts on the seed's five
/// metrics, and a layout test with none whose treatment arm loses users from logging (a
/// sample-ratio mismatch).
fn experiments(
    campaigns: &[SimCampaign],
    truths: &[CampaignTruth],
    users: usize,
    window_start: i64,
    rng: &mut SplitMix64,
    (events, feed): (&mut Vec<SimAdEvent>, &mut Vec<SimFeedActivity>),
) -> (Vec<SimExperiment>, Vec<ExperimentTruth>) {
    let start_day = 14;
    let mut sims = Vec::new();
    let mut truths_out = Vec::new();
    for (campaign_name, name, treatment, loss) in EXPERIMENTS {
        let Some(c) = campaigns.iter().position(|c| c.name == campaign_name) else {
            continue;
        };
        let salt = format!("{:016x}", rng.next_u64());
        let assigner = SplitMix64::new(u64::from_str_radix(&salt, 16).unwrap_or(0));
        let arms = [CONTROL, CONTROL.times(treatment)];
        let mut assignments = Vec::new();
        for user in 0..users {
            let arm = usize::from(assigner.fork(user as u64).uniform() >= 0.5);
            if arm == 1 && rng.bernoulli(loss) {
                continue;
            }
            assignments.push((arm, user));
            let (segment, geo) = user_segment_and_geo(user);
            let rates = arms[arm];
            for _ in 0..poisson(EXPERIMENT_IMPRESSIONS, rng) {
                let day = start_day + rng.below((DAYS - start_day) as usize) as i64;
                let at = window_start + day * DAY + (rng.uniform() * DAY as f64) as i64;
                let impression = SimAdEvent {
                    campaign: c,
                    creative: arm,
                    user,
                    kind: "impression",
                    segment,
                    geo,
                    cost: campaigns[c].cpm / 1000.0,
                    revenue: 0.0,
                    at_unix: at,
                };
                let clicked = push_funnel(
                    impression,
                    (rates.ctr, rates.cvr, truths[c].mean_order_value),
                    rng,
                    events,
                );
                push_feed_activity(&impression, clicked, rates, rng, feed);
            }
        }
        sims.push(SimExperiment {
            advertiser: campaigns[c].advertiser,
            campaign: c,
            name,
            salt,
            assignments,
        });
        truths_out.push(ExperimentTruth {
            name: name.to_owned(),
            arms: vec!["control".into(), "treatment".into()],
            intended_weights: vec![0.5, 0.5],
            control: CONTROL,
            planted_lifts: Rates::relative_lifts(treatment),
            treatment_logging_loss: loss,
        });
    }
    (sims, truths_out)
}

/// What the feed records of an experiment's impression: maybe a save of the promoted item, and
/// the seconds spent on it after a click (log-normal with the arm's mean).
fn push_feed_activity(
    impression: &SimAdEvent,
    clicked: bool,
    rates: Rates,
    rng: &mut SplitMix64,
    out: &mut Vec<SimFeedActivity>,
) {
    let activity = |kind, seconds, delay| SimFeedActivity {
        campaign: impression.campaign,
        creative: impression.creative,
        user: impression.user,
        kind,
        seconds,
        at_unix: impression.at_unix + delay,
    };
    if rng.bernoulli(rates.save_rate) {
        out.push(activity("save", None, 30));
    }
    if clicked {
        // E[exp(N(m, s))] = exp(m + s^2 / 2): the mean is the arm's.
        let log_mean = rates.dwell_per_click.ln() - DWELL_LOG_SD * DWELL_LOG_SD / 2.0;
        let seconds = (log_mean + DWELL_LOG_SD * rng.normal())
            .exp()
            .min(app::wire::MAX_DWELL_SECONDS);
        out.push(activity("dwell", Some((seconds * 10.0).round() / 10.0), 60));
    }
}

#[cfg(test)]
#[path = "advertising_tests.rs"]
mod tests;
