//! Simulated people: tastes over the items' attributes, a logging policy that decides what
//! they are shown, and the clicks, saves, dwell times and conversions that follow. Every
//! probability is written down in [`BehaviourParams`] and saved as ground truth.

use serde::{Deserialize, Serialize};

use super::super::rng::SplitMix64;
use super::attributes::{AttributeValue, Carrier};

/// The planted model.
///
/// - A user's affinity for an item is the sum of the weights of their tastes that the item
///   has: `+class_weight` for each liked category, `+like_weight` for each liked picture or
///   text value, `-dislike_weight` for the disliked one.
/// - Each impression comes from the logging policy: with `popular_share` an item drawn by
///   popularity (Zipf with `popularity_exponent` over a seeded order), with `random_share` a
///   uniform item, otherwise the served feed, which draws item `i` with probability
///   proportional to `popularity_i * exp(feed_sharpness * affinity)`.
/// - P(click | impression) = sigmoid(click_alpha + click_beta * affinity); saves,
///   conversions and dwell follow a click and grow with that probability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BehaviourParams {
    pub click_alpha: f64,
    pub click_beta: f64,
    /// P(save | click) = save_base + save_slope * P(click).
    pub save_base: f64,
    pub save_slope: f64,
    /// P(conversion | click) = conversion_base + conversion_slope * P(click).
    pub conversion_base: f64,
    pub conversion_slope: f64,
    /// ln(dwell seconds | click) ~ Normal(dwell_log_mean + dwell_log_slope * P(click), dwell_log_sd).
    pub dwell_log_mean: f64,
    pub dwell_log_slope: f64,
    pub dwell_log_sd: f64,
    pub class_weight: f64,
    pub like_weight: f64,
    pub dislike_weight: f64,
    /// Chance of a third liked value beside one picture and one text value.
    pub extra_like: f64,
    pub popular_share: f64,
    pub random_share: f64,
    pub feed_sharpness: f64,
    pub popularity_exponent: f64,
}

impl Default for BehaviourParams {
    fn default() -> Self {
        Self {
            click_alpha: -4.0,
            click_beta: 1.5,
            save_base: 0.05,
            save_slope: 0.30,
            conversion_base: 0.01,
            conversion_slope: 0.08,
            dwell_log_mean: 2.0,
            dwell_log_slope: 1.5,
            dwell_log_sd: 0.5,
            class_weight: 2.0,
            like_weight: 1.5,
            dislike_weight: 1.5,
            extra_like: 0.5,
            popular_share: 0.3,
            random_share: 0.2,
            feed_sharpness: 2.5,
            popularity_exponent: 1.2,
        }
    }
}

impl BehaviourParams {
    pub fn click_probability(&self, affinity: f64) -> f64 {
        1.0 / (1.0 + (-(self.click_alpha + self.click_beta * affinity)).exp())
    }

    pub fn feed_share(&self) -> f64 {
        (1.0 - self.popular_share - self.random_share).max(0.0)
    }
}

pub struct SimItem {
    pub id: i64,
    /// Bit `v` set when the item has attribute value `v`.
    pub mask: u64,
}

/// One taste: an attribute value and its weight (negative for a dislike).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Taste {
    pub value: usize,
    pub weight: f64,
}

pub struct SimUser {
    pub external_id: String,
    pub tastes: Vec<Taste>,
}

impl SimUser {
    pub fn affinity(&self, mask: u64) -> f64 {
        self.tastes
            .iter()
            .filter(|t| mask & (1 << t.value) != 0)
            .map(|t| t.weight)
            .sum()
    }
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

/// Draws one of `candidates` with probability proportional to how many items carry it.
fn pick_common(vocab: &[AttributeValue], candidates: &[usize], rng: &mut SplitMix64) -> usize {
    let total: usize = candidates.iter().map(|&v| vocab[v].items).sum();
    let mut target = rng.below(total.max(1));
    for &v in candidates {
        if target < vocab[v].items {
            return v;
        }
        target -= vocab[v].items;
    }
    candidates.last().copied().unwrap_or(0)
}

/// A user with one or two liked categories, a liked picture value, a liked text value,
/// sometimes a third like, and one dislike; values are drawn in proportion to how common they
/// are, so that tastes find items.
pub fn make_user(
    index: usize,
    vocab: &[AttributeValue],
    params: &BehaviourParams,
    rng: &mut SplitMix64,
) -> SimUser {
    let of = |carrier: Carrier| -> Vec<usize> {
        (0..vocab.len())
            .filter(|&v| vocab[v].carrier == carrier && vocab[v].items > 0)
            .collect()
    };
    let (classes, pictures, texts) = (of(Carrier::Both), of(Carrier::Picture), of(Carrier::Text));
    let content: Vec<usize> = pictures.iter().chain(&texts).copied().collect();
    let mut tastes: Vec<Taste> = Vec::with_capacity(6);
    let mut add = |pool: &[usize], weight: f64, rng: &mut SplitMix64| {
        // One taste per family, except that a user may like two categories.
        let free: Vec<usize> = pool
            .iter()
            .copied()
            .filter(|&v| {
                tastes.iter().all(|t| {
                    t.value != v
                        && (vocab[v].carrier == Carrier::Both
                            || vocab[t.value].family != vocab[v].family)
                })
            })
            .collect();
        if !free.is_empty() {
            let value = pick_common(vocab, &free, rng);
            tastes.push(Taste { value, weight });
        }
    };
    for _ in 0..1 + rng.below(2) {
        add(&classes, params.class_weight, rng);
    }
    add(&pictures, params.like_weight, rng);
    add(&texts, params.like_weight, rng);
    if rng.bernoulli(params.extra_like) {
        add(&content, params.like_weight, rng);
    }
    add(&content, -params.dislike_weight, rng);
    SimUser {
        external_id: format!("gen-{index:07}"),
        tastes,
    }
}

/// What every user's feed draws from: the items, and their popularity.
pub struct Exposure<'a> {
    pub items: &'a [SimItem],
    /// Normalised popularity per item.
    pub popularity: Vec<f64>,
    /// Its running sum, for drawing by popularity.
    popularity_cumulative: Vec<f64>,
}

impl<'a> Exposure<'a> {
    /// Popularity `1 / rank^s` over a seeded order of the items.
    pub fn new(items: &'a [SimItem], params: &BehaviourParams, rng: &mut SplitMix64) -> Self {
        let mut order: Vec<usize> = (0..items.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let mut popularity = vec![0.0; items.len()];
        for (rank, &item) in order.iter().enumerate() {
            popularity[item] = ((rank + 1) as f64).powf(-params.popularity_exponent);
        }
        let total: f64 = popularity.iter().sum();
        popularity.iter_mut().for_each(|p| *p /= total);
        let popularity_cumulative = running_sum(popularity.iter().copied());
        Self {
            items,
            popularity,
            popularity_cumulative,
        }
    }
}

fn running_sum(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut sum = 0.0;
    values
        .map(|v| {
            sum += v;
            sum
        })
        .collect()
}

fn draw(cumulative: &[f64], rng: &mut SplitMix64) -> usize {
    let total = cumulative.last().copied().unwrap_or(0.0);
    let target = rng.uniform() * total;
    cumulative
        .partition_point(|&c| c <= target)
        .min(cumulative.len().saturating_sub(1))
}

/// The served feed's running weights for `user` into `out`:
/// `popularity * exp(sharpness * affinity)`. Affinity depends only on which of the user's (at
/// most six) tastes an item has, so each combination's weight is computed once, and an item
/// with none of them (most items) costs one AND. This loop is the generator's hot spot at the
/// scale size (users x items).
fn feed_cumulative(user: &SimUser, exposure: &Exposure<'_>, sharpness: f64, out: &mut Vec<f64>) {
    let combos = 1_usize << user.tastes.len();
    let boost: Vec<f64> = (0..combos)
        .map(|combo| {
            let affinity: f64 = user
                .tastes
                .iter()
                .enumerate()
                .filter(|(k, _)| combo & (1 << k) != 0)
                .map(|(_, t)| t.weight)
                .sum();
            (sharpness * affinity).exp()
        })
        .collect();
    let wanted = user.tastes.iter().fold(0_u64, |m, t| m | (1 << t.value));
    out.clear();
    out.reserve(exposure.items.len());
    let mut sum = 0.0;
    for (item, p) in exposure.items.iter().zip(&exposure.popularity) {
        let shared = item.mask & wanted;
        let combo = if shared == 0 {
            0
        } else {
            user.tastes.iter().enumerate().fold(0, |c, (k, t)| {
                c | ((((shared >> t.value) & 1) as usize) << k)
            })
        };
        sum += p * boost[combo];
        out.push(sum);
    }
}

/// Appends impressions of `user` (index `u`), with what follows each, within
/// `[start, start + span)` seconds, until at least `budget` events are out: an impression's
/// outcomes are never cut off, so the planted probabilities hold exactly in the data.
/// Returns the sum of click probabilities over the impressions, the expected click count.
/// `feed` is scratch space for the served feed's weights, reused from user to user.
#[allow(clippy::too_many_arguments)]
pub fn simulate_user(
    u: usize,
    user: &SimUser,
    exposure: &Exposure<'_>,
    params: &BehaviourParams,
    budget: usize,
    (start, span): (i64, i64),
    rng: &mut SplitMix64,
    (out, feed): (&mut Vec<SimEvent>, &mut Vec<f64>),
) -> f64 {
    feed_cumulative(user, exposure, params.feed_sharpness, feed);
    let items = exposure.items;
    let mut expected_clicks = 0.0;
    let mut emitted = 0;
    while emitted < budget {
        let source = rng.uniform();
        let index = if source < params.popular_share {
            draw(&exposure.popularity_cumulative, rng)
        } else if source < params.popular_share + params.random_share {
            rng.below(items.len())
        } else {
            draw(feed, rng)
        };
        let item = &items[index];
        let at = start + (rng.uniform() * span as f64) as i64;
        let p_click = params.click_probability(user.affinity(item.mask));
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
            + params.dwell_log_slope * p_click
            + params.dwell_log_sd * rng.normal())
        .exp();
        push(Kind::Dwell, Some((dwell * 10.0).round() / 10.0), 1);
        if rng.bernoulli(params.save_base + params.save_slope * p_click) {
            push(Kind::Save, None, 2);
        }
        if rng.bernoulli(params.conversion_base + params.conversion_slope * p_click) {
            push(Kind::Conversion, None, 3);
        }
    }
    expected_clicks
}
