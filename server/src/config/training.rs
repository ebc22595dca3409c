//! The two-tower model (`configs/model.yaml`, `two_tower`) and its training
//! (`configs/training.yaml`, `training` and `baselines`).

use serde::{Deserialize, Serialize};

use super::{ConfigError, DeviceChoice};
use crate::recsys::baselines::BprConfig;

/// The inputs a tower may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Modality {
    /// Item and user id embeddings, and the pooled ids of the user's history.
    Id,
    /// Text features, and their mean over the user's history.
    Text,
    /// Image features, and their mean over the user's history.
    Image,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Relu,
    Gelu,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TwoTowerSettings {
    /// The shared space both towers map into.
    pub dim: i64,
    /// Hidden widths of each tower's MLP; the last layer maps to `dim`.
    pub hidden: Vec<i64>,
    pub id_dim: i64,
    pub category_dim: i64,
    /// Width of the projected text and image features.
    pub feature_dim: i64,
    pub dropout: f64,
    pub activation: Activation,
    pub modalities: Vec<Modality>,
    /// Each modality of an item (and of a user's pooled history) is dropped with this
    /// probability in training, so that one modality alone maps into the same space.
    pub modality_dropout: f64,
    pub use_category: bool,
    /// Scores are dot products of unit vectors divided by this.
    pub temperature: f64,
    pub learn_temperature: bool,
    /// History ids pooled per user (a random sample when longer).
    pub max_history: usize,
    /// Give each known user an id embedding beside the pooled history. Off by default: the
    /// history carries the user (and a new user's first clicks count at once), and on
    /// MovieLens the extra embedding overfits.
    pub user_id_embedding: bool,
}

impl Default for TwoTowerSettings {
    fn default() -> Self {
        Self {
            dim: 128,
            hidden: vec![512, 256],
            id_dim: 64,
            category_dim: 16,
            feature_dim: 128,
            dropout: 0.1,
            activation: Activation::Relu,
            modalities: vec![Modality::Id, Modality::Text, Modality::Image],
            modality_dropout: 0.5,
            use_category: true,
            temperature: 0.07,
            learn_temperature: false,
            max_history: 200,
            user_id_embedding: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    Adam,
    Adamw,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainingSettings {
    pub batch_size: usize,
    pub max_epochs: usize,
    pub learning_rate: f64,
    pub weight_decay: f64,
    pub optimizer: OptimizerKind,
    /// Linear warm-up steps, then cosine annealing to zero over the remaining steps.
    pub warmup_steps: usize,
    /// Uniform negatives per batch, beside the in-batch ones.
    pub uniform_negatives: usize,
    /// Subtract log Q (the chance an item is in a batch) from in-batch logits.
    pub log_q_correction: bool,
    /// Epochs without a better validation NDCG@10 before stopping.
    pub patience: usize,
    pub seed: u64,
    pub device: DeviceChoice,
    /// libtorch intra-op threads; 0 = one per core.
    pub threads: usize,
}

impl Default for TrainingSettings {
    fn default() -> Self {
        Self {
            batch_size: 1024,
            max_epochs: 40,
            learning_rate: 1e-3,
            weight_decay: 1e-4,
            optimizer: OptimizerKind::Adamw,
            warmup_steps: 100,
            uniform_negatives: 1024,
            log_q_correction: true,
            patience: 6,
            seed: 2020,
            device: DeviceChoice::Auto,
            threads: 0,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BaselineSettings {
    pub bpr: BprConfig,
}

impl TwoTowerSettings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &'static str, reason: &str| {
            Err(ConfigError::Value {
                key,
                reason: reason.into(),
            })
        };
        if self.dim < 1 || self.id_dim < 1 || self.feature_dim < 1 || self.category_dim < 1 {
            return bad("two_tower.dim", "every width must be at least 1");
        }
        if self.hidden.iter().any(|&h| h < 1) {
            return bad("two_tower.hidden", "every width must be at least 1");
        }
        if self.modalities.is_empty() {
            return bad(
                "two_tower.modalities",
                "name at least one of id, text, image",
            );
        }
        if !(0.0..1.0).contains(&self.dropout) || !(0.0..1.0).contains(&self.modality_dropout) {
            return bad("two_tower.dropout", "dropout rates must be in [0, 1)");
        }
        if self.temperature.is_nan() || self.temperature <= 0.0 {
            return bad("two_tower.temperature", "must be positive");
        }
        Ok(())
    }
}

impl TrainingSettings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.batch_size < 2 {
            return Err(ConfigError::Value {
                key: "training.batch_size",
                reason: "in-batch negatives need at least 2".into(),
            });
        }
        if self.learning_rate.is_nan() || self.learning_rate <= 0.0 {
            return Err(ConfigError::Value {
                key: "training.learning_rate",
                reason: "must be positive".into(),
            });
        }
        Ok(())
    }
}
