//! The ceiling of a synthetic world: rank items by the probability that the planted model
//! gives a click in one impression (the logging policy's chance of showing the item, times the
//! planted click probability), from the ground-truth files alone, under the same split and
//! exclusions as the models. No learned model can rank the world's clicks better in
//! expectation.

use std::collections::HashMap;
use std::path::Path;

use tch::Tensor;

use super::source::ProtocolData;
use crate::data::generate::GroundTruth;
use crate::data::generate::behaviour::BehaviourParams;

#[derive(Debug, thiserror::Error)]
pub enum OracleError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
}

/// The planted model over the whole simulated catalogue, and where the dataset's items sit in
/// it.
pub struct PlantedScorer {
    /// `[users, values]`: each dataset user's taste weights.
    tastes: Tensor,
    /// `[catalogue, values]`: 1 where an item has a value.
    values: Tensor,
    /// `[catalogue]`: log of the normalised popularity.
    log_popularity: Tensor,
    /// `[dataset items]`: each dataset item's row in the catalogue.
    columns: Tensor,
    row_of: HashMap<i64, i64>,
    params: BehaviourParams,
}

impl PlantedScorer {
    /// `[block, dataset items]` log-probabilities of a click in one impression.
    pub fn score(&self, users: &[i64]) -> Tensor {
        self.score_columns(users, &self.columns)
    }

    /// The rows of items (by SQL id) in the planted catalogue, for [`Self::score_columns`].
    ///
    /// # Errors
    /// [`OracleError`] naming an item the ground truth does not know.
    pub fn columns_for(&self, item_ids: &[i64]) -> Result<Tensor, OracleError> {
        rows_of(&self.row_of, item_ids)
    }

    /// `[block, columns]` log-probabilities of a click in one impression, for catalogue rows.
    pub fn score_columns(&self, users: &[i64], columns: &Tensor) -> Tensor {
        let p = &self.params;
        let catalogue = self.values.size()[0] as f64;
        let affinity = self
            .tastes
            .index_select(0, &Tensor::from_slice(users))
            .matmul(&self.values.transpose(0, 1));
        let feed_logits = self.log_popularity.unsqueeze(0) + &affinity * p.feed_sharpness;
        let feed = (&feed_logits - feed_logits.logsumexp([1].as_slice(), true)).exp();
        let shown = self.log_popularity.exp().unsqueeze(0) * p.popular_share
            + p.random_share / catalogue
            + feed * p.feed_share();
        let clicked = (affinity * p.click_beta + p.click_alpha).log_sigmoid();
        (shown.log() + clicked).index_select(1, columns)
    }
}

fn rows_of(row_of: &HashMap<i64, i64>, item_ids: &[i64]) -> Result<Tensor, OracleError> {
    let rows: Vec<i64> = item_ids
        .iter()
        .map(|id| {
            row_of.get(id).copied().ok_or_else(|| OracleError::Read {
                path: "item_attributes.tsv".into(),
                reason: format!("no attributes for item {id}: another world's ground truth?"),
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Tensor::from_slice(&rows))
}

fn read(dir: &Path, name: &str) -> Result<String, OracleError> {
    let path = dir.join(name);
    std::fs::read_to_string(&path).map_err(|e| OracleError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// Reads `ground_truth.json`, `user_tastes.tsv` and `item_attributes.tsv` from `truth_dir`.
///
/// # Errors
/// [`OracleError`] when a file is missing or malformed, or does not cover the data (another
/// world's ground truth).
pub fn planted(data: &ProtocolData, truth_dir: &Path) -> Result<PlantedScorer, OracleError> {
    let bad = |name: &str, reason: String| OracleError::Read {
        path: truth_dir.join(name).display().to_string(),
        reason,
    };
    let truth: GroundTruth = serde_json::from_str(&read(truth_dir, "ground_truth.json")?)
        .map_err(|e| bad("ground_truth.json", e.to_string()))?;
    let index: HashMap<String, usize> = truth
        .attributes
        .iter()
        .enumerate()
        .map(|(v, a)| (a.label(), v))
        .collect();
    let width = index.len();
    let value_of = |file: &str, label: &str| {
        index
            .get(label)
            .copied()
            .ok_or_else(|| bad(file, format!("unknown attribute value `{label}`")))
    };

    let mut tastes_by_user: HashMap<&str, Vec<f32>> = HashMap::new();
    let tastes_text = read(truth_dir, "user_tastes.tsv")?;
    for (line, row) in tastes_text.lines().enumerate().skip(1) {
        let (user, tastes) = row
            .split_once('\t')
            .ok_or_else(|| bad("user_tastes.tsv", format!("line {}: two columns", line + 1)))?;
        let mut weights = vec![0f32; width];
        for taste in tastes.split('|').filter(|t| !t.is_empty()) {
            let parsed = taste
                .rsplit_once(':')
                .and_then(|(label, w)| w.parse::<f32>().ok().map(|w| (label, w)));
            let (label, weight) = parsed.ok_or_else(|| {
                bad(
                    "user_tastes.tsv",
                    format!("line {}: taste `{taste}`", line + 1),
                )
            })?;
            weights[value_of("user_tastes.tsv", label)?] += weight;
        }
        tastes_by_user.insert(user, weights);
    }
    let mut tastes = Vec::with_capacity(data.dataset.user_count() * width);
    for user in &data.dataset.users {
        let weights = tastes_by_user.get(user.as_str()).ok_or_else(|| {
            bad(
                "user_tastes.tsv",
                format!("no taste for user {user}: another world's ground truth?"),
            )
        })?;
        tastes.extend_from_slice(weights);
    }

    let items_text = read(truth_dir, "item_attributes.tsv")?;
    let mut row_of: HashMap<i64, i64> = HashMap::new();
    let (mut values, mut popularity) = (Vec::new(), Vec::new());
    for (line, row) in items_text.lines().enumerate().skip(1) {
        let mut fields = row.split('\t');
        let malformed = || bad("item_attributes.tsv", format!("line {}", line + 1));
        let id: i64 = fields
            .next()
            .and_then(|f| f.parse().ok())
            .ok_or_else(malformed)?;
        let p: f64 = fields
            .next()
            .and_then(|f| f.parse().ok())
            .filter(|p: &f64| *p > 0.0)
            .ok_or_else(malformed)?;
        let mut one_hot = vec![0f32; width];
        for label in fields
            .next()
            .unwrap_or("")
            .split('|')
            .filter(|l| !l.is_empty())
        {
            one_hot[value_of("item_attributes.tsv", label)?] = 1.0;
        }
        row_of.insert(id, popularity.len() as i64);
        values.extend(one_hot);
        popularity.push(p.ln() as f32);
    }
    let users = data.dataset.user_count() as i64;
    Ok(PlantedScorer {
        tastes: Tensor::from_slice(&tastes).view([users, width as i64]),
        values: Tensor::from_slice(&values).view([-1, width as i64]),
        log_popularity: Tensor::from_slice(&popularity),
        columns: rows_of(&row_of, &data.item_ids)?,
        row_of,
        params: truth.params,
    })
}
