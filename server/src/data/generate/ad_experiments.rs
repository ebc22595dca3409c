//! The advertising world's two A/B experiments: a headline test with planted lifts on the
//! seed's five metrics (CTR, saves, dwell and conversions up, so CPA and CPC down) and a layout
//! test with none but a sample-ratio mismatch; their users' ad funnels, and the saves and dwell
//! the feed records on the promoted items.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::super::rng::SplitMix64;
use super::advertising::{
    CampaignTruth, DAY, DAYS, ExperimentTruth, SimAdEvent, SimCampaign, SimExperiment, poisson,
    push_funnel, user_segment_and_geo,
};

/// (campaign, experiment, the treatment's rates over the control's, share of treatment users
/// lost from logging)
pub(super) const EXPERIMENTS: [(&str, &str, Rates, f64); 2] = [
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

/// Two experiments from day 14: a headline test with planted lifts on the seed's five
/// metrics, and a layout test with none whose treatment arm loses users from logging (a
/// sample-ratio mismatch).
pub(super) fn experiments(
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
