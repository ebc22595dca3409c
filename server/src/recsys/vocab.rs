//! `vocabulary-<digest>.json` beside a published checkpoint: what each embedding row of the model stands for (SQL
//! item ids, categories, demographic tokens, users), so that `vitrine index` and serving can
//! feed the model items and users by their ids. It records the digest of the weights it
//! belongs to; a vocabulary from another training run is refused.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::eval::source::ProtocolData;
use crate::recsys::checkpoint::{CheckpointError, CheckpointMeta};

/// The vocabulary's name before names carried the digest (still read).
pub const VOCABULARY: &str = "vocabulary.json";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vocabulary {
    pub catalogue: String,
    pub weights_digest: String,
    /// Row `i + 1` of the item embeddings is SQL item `item_ids[i]`.
    pub item_ids: Vec<i64>,
    /// Row `k + 1` of the category embeddings.
    pub categories: Vec<String>,
    /// Row `k + 1` of the demographic token embeddings.
    pub feature_tokens: Vec<String>,
    /// Row `u + 1` of the user id embeddings: external user ids.
    pub users: Vec<String>,
}

/// Values in order of first appearance: the order `ItemInputs` and `UserInputs` number them in.
fn first_seen<'a>(values: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    values
        .filter(|v| seen.insert(*v))
        .map(str::to_owned)
        .collect()
}

impl Vocabulary {
    pub fn of(catalogue: &str, data: &ProtocolData) -> Self {
        Self {
            catalogue: catalogue.to_owned(),
            weights_digest: String::new(),
            item_ids: data.item_ids.clone(),
            categories: first_seen(data.items.iter().map(|i| i.category.as_str())),
            feature_tokens: first_seen(data.user_features.iter().flatten().map(String::as_str)),
            users: data.dataset.users.clone(),
        }
    }

    /// Writes the vocabulary for the weights `meta` describes into `dir`, as
    /// `vocabulary-<digest>.json`, and returns that name (for `checkpoint.json` to record).
    ///
    /// # Errors
    /// [`CheckpointError::Write`] naming the file.
    pub fn save(&self, dir: &Path, meta: &CheckpointMeta) -> Result<String, CheckpointError> {
        let name = format!("vocabulary-{}.json", meta.weights_digest);
        let path = dir.join(&name);
        let vocab = Self {
            weights_digest: meta.weights_digest.clone(),
            ..self.clone()
        };
        let write = |reason: String| CheckpointError::Write {
            path: path.clone(),
            reason,
        };
        let json = serde_json::to_vec(&vocab).map_err(|e| write(e.to_string()))?;
        crate::fsio::write(&path, &json).map_err(|e| write(e.to_string()))?;
        Ok(name)
    }

    /// Reads the vocabulary in `dir` and checks that it belongs to the weights of `meta`.
    ///
    /// # Errors
    /// [`CheckpointError`] for a missing or unreadable file, or one from another training run.
    pub fn load(dir: &Path, meta: &CheckpointMeta) -> Result<Self, CheckpointError> {
        let path = dir.join(meta.vocabulary_file.as_deref().unwrap_or(VOCABULARY));
        let read = |reason: String| CheckpointError::Read {
            path: path.clone(),
            reason,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| read(e.to_string()))?;
        let vocab: Self = serde_json::from_str(&text).map_err(|e| read(e.to_string()))?;
        if vocab.weights_digest != meta.weights_digest {
            return Err(CheckpointError::Mismatch {
                path: path.clone(),
                reason: "it belongs to other weights; train again".into(),
            });
        }
        Ok(vocab)
    }

    /// Lookups from a value to its embedding row (0: unknown).
    pub fn item_rows(&self) -> HashMap<i64, i64> {
        rows(self.item_ids.iter().copied())
    }

    pub fn category_rows(&self) -> HashMap<String, i64> {
        rows(self.categories.iter().cloned())
    }

    pub fn token_rows(&self) -> HashMap<String, i64> {
        rows(self.feature_tokens.iter().cloned())
    }

    pub fn user_rows(&self) -> HashMap<String, i64> {
        rows(self.users.iter().cloned())
    }
}

fn rows<K: std::hash::Hash + Eq>(values: impl Iterator<Item = K>) -> HashMap<K, i64> {
    values.zip(1..).collect()
}
