//! Simulated people: tastes in the latent space, and the impressions, clicks, saves, dwell
//! times and conversions that follow from them. Every probability is written down in
//! [`BehaviourParams`] and saved as ground truth.

use serde::{Deserialize, Serialize};

use super::super::rng::SplitMix64;
use super::features::{LATENT_DIM, dot, normalise};

/// The planted model: P(click | impression) = sigmoid(alpha + beta * affinity), where
/// affinity = taste . item vector in [-1, 1]; the other outcomes follow a click.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BehaviourParams {
    pub click_alpha: f64,
    pub click_beta: f64,
    /// P(save | click) = save_base + save_slope * max(affinity, 0).
    pub save_base: f64,
    pub save_slope: f64,
    /// P(conversion | click) = conversion_base + conversion_slope * max(affinity, 0).
    pub conversion_base: f64,
    pub conversion_slope: f64,
    /// ln(dwell seconds | click) ~ Normal(dwell_log_mean + dwell_log_slope * affinity, dwell_log_sd).
    pub dwell_log_mean: f64,
    pub dwell_log_slope: f64,
    pub dwell_log_sd: f64,
    /// Share of impressions drawn from the whole catalogue rather than favourite categories.
    pub explore: f64,
    /// How strongly a user's taste leans to their favourite categories' centroids (vs noise).
    pub taste_focus: f64,
}

impl Default for BehaviourParams {
    fn default() -> Self {
        Self {
            click_alpha: -4.0,
            click_beta: 4.0,
            save_base: 0.10,
            save_slope: 0.30,
            conversion_base: 0.02,
            conversion_slope: 0.10,
            dwell_log_mean: 2.5,
            dwell_log_slope: 1.0,
            dwell_log_sd: 0.5,
            explore: 0.4,
            taste_focus: 2.0,
        }
    }
}

pub struct SimItem {
    pub id: i64,
    pub category: usize,
    pub z: [f64; LATENT_DIM],
}

pub struct SimUser {
    pub external_id: String,
    pub favourite_categories: Vec<usize>,
    pub taste: [f64; LATENT_DIM],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    View,
    Click,
    Save,
    Dwell,
    Conversion,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::View => "view",
            Kind::Click => "click",
            Kind::Save => "save",
            Kind::Dwell => "dwell",
            Kind::Conversion => "conversion",
        }
    }
}

pub struct SimEvent {
    pub user: usize,
    pub item_id: i64,
    pub kind: Kind,
    /// Dwell seconds for `Dwell`.
    pub value: Option<f64>,
    pub at_unix: i64,
}

/// A user who likes one to three categories: their taste is near those categories' centroids.
pub fn make_user(
    index: usize,
    centroids: &[[f64; LATENT_DIM]],
    params: &BehaviourParams,
    rng: &mut SplitMix64,
) -> SimUser {
    let count = 1 + rng.below(3);
    let mut favourite_categories: Vec<usize> = Vec::with_capacity(count);
    while favourite_categories.len() < count.min(centroids.len()) {
        let c = rng.below(centroids.len());
        if !favourite_categories.contains(&c) {
            favourite_categories.push(c);
        }
    }
    let mut taste = [0.0; LATENT_DIM];
    for &c in &favourite_categories {
        for (t, z) in taste.iter_mut().zip(&centroids[c]) {
            *t += params.taste_focus * z / count as f64;
        }
    }
    for t in &mut taste {
        *t += rng.normal() / (LATENT_DIM as f64).sqrt();
    }
    SimUser {
        external_id: format!("gen-{index:07}"),
        favourite_categories,
        taste: normalise(taste),
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Appends impressions of `user` (index `u`), with what follows each, within
/// `[start, start + span)` seconds, until at least `budget` events are out: an impression's
/// outcomes are never cut off, so the planted probabilities hold exactly in the data.
/// Returns the sum of click probabilities over the impressions, the expected click count.
#[allow(clippy::too_many_arguments)]
pub fn simulate_user(
    u: usize,
    user: &SimUser,
    items: &[SimItem],
    by_category: &[Vec<usize>],
    params: &BehaviourParams,
    budget: usize,
    (start, span): (i64, i64),
    rng: &mut SplitMix64,
    out: &mut Vec<SimEvent>,
) -> f64 {
    let mut expected_clicks = 0.0;
    let mut emitted = 0;
    while emitted < budget {
        let item = if rng.bernoulli(params.explore) || user.favourite_categories.is_empty() {
            &items[rng.below(items.len())]
        } else {
            let pool = &by_category[*rng.pick(&user.favourite_categories)];
            &items[*rng.pick(pool)]
        };
        let at = start + (rng.uniform() * span as f64) as i64;
        let affinity = dot(&user.taste, &item.z);
        let p_click = sigmoid(params.click_alpha + params.click_beta * affinity);
        expected_clicks += p_click;
        let mut push = |kind: Kind, value: Option<f64>, offset: i64| {
            out.push(SimEvent {
                user: u,
                item_id: item.id,
                kind,
                value,
                at_unix: at + offset,
            });
            emitted += 1;
        };
        push(Kind::View, None, 0);
        if !rng.bernoulli(p_click) {
            continue;
        }
        push(Kind::Click, None, 1);
        let dwell = (params.dwell_log_mean
            + params.dwell_log_slope * affinity
            + params.dwell_log_sd * rng.normal())
        .exp();
        push(Kind::Dwell, Some((dwell * 10.0).round() / 10.0), 1);
        let positive = affinity.max(0.0);
        if rng.bernoulli(params.save_base + params.save_slope * positive) {
            push(Kind::Save, None, 2);
        }
        if rng.bernoulli(params.conversion_base + params.conversion_slope * positive) {
            push(Kind::Conversion, None, 3);
        }
    }
    expected_clicks
}
