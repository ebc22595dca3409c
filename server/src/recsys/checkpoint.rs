//! Checkpoints: `model.safetensors` and `checkpoint.json` (the resolved configuration, the
//! shapes the model was built for, the epoch, and a digest of the weights) in one folder.
//! Each file is renamed into place whole ([`crate::fsio`] for the JSON); the digest catches a pair
//! from two different saves, and a truncated or corrupt weights file fails to load with the
//! file named.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tch::nn;

use crate::config::{TrainingSettings, TwoTowerSettings};
use crate::recsys::two_tower::Shapes;

pub const WEIGHTS: &str = "model.safetensors";
pub const META: &str = "checkpoint.json";

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("cannot read the checkpoint {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("the checkpoint in {path} does not fit: {reason}")]
    Mismatch { path: PathBuf, reason: String },
}

/// One epoch's record, for the curve and the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochRecord {
    pub epoch: usize,
    pub loss: f64,
    pub valid_ndcg_at_10: f64,
    pub seconds: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointMeta {
    pub model: TwoTowerSettings,
    pub training: TrainingSettings,
    pub shapes: Shapes,
    /// The epoch these weights come from, and the epochs run so far.
    pub epoch: usize,
    pub best_valid_ndcg_at_10: f64,
    pub history: Vec<EpochRecord>,
    pub weights_digest: String,
}

fn digest(bytes: &[u8]) -> String {
    crate::data::fashion::content_hash(bytes)
}

/// Saves the variables of `store` and `meta` into `dir`.
///
/// # Errors
/// [`CheckpointError::Write`] naming the file.
pub fn save(
    dir: &Path,
    store: &nn::VarStore,
    mut meta: CheckpointMeta,
) -> Result<(), CheckpointError> {
    std::fs::create_dir_all(dir).map_err(|e| CheckpointError::Write {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    })?;
    let weights = dir.join(WEIGHTS);
    let mut temp = weights.as_os_str().to_owned();
    temp.push(".partial.safetensors");
    let temp = PathBuf::from(temp);
    store.save(&temp).map_err(|e| CheckpointError::Write {
        path: weights.clone(),
        reason: e.to_string(),
    })?;
    let bytes = std::fs::read(&temp).map_err(|e| CheckpointError::Write {
        path: temp.clone(),
        reason: e.to_string(),
    })?;
    meta.weights_digest = digest(&bytes);
    std::fs::rename(&temp, &weights).map_err(|e| CheckpointError::Write {
        path: weights,
        reason: e.to_string(),
    })?;
    let json = serde_json::to_vec_pretty(&meta).map_err(|e| CheckpointError::Write {
        path: dir.join(META),
        reason: e.to_string(),
    })?;
    crate::fsio::write(&dir.join(META), &json).map_err(|e| CheckpointError::Write {
        path: dir.join(META),
        reason: e.to_string(),
    })
}

/// Reads `checkpoint.json` from `dir` and checks it against the data's `shapes`.
///
/// # Errors
/// [`CheckpointError`] naming the file, or what does not match.
pub fn read_meta(dir: &Path, shapes: Option<&Shapes>) -> Result<CheckpointMeta, CheckpointError> {
    let path = dir.join(META);
    let text = std::fs::read_to_string(&path).map_err(|e| CheckpointError::Read {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    let meta: CheckpointMeta = serde_json::from_str(&text).map_err(|e| CheckpointError::Read {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    if let Some(shapes) = shapes.filter(|s| **s != meta.shapes) {
        return Err(CheckpointError::Mismatch {
            path: dir.to_path_buf(),
            reason: format!(
                "it was trained on {:?}, the data has {:?}",
                meta.shapes, shapes
            ),
        });
    }
    Ok(meta)
}

/// Loads the weights of `dir` into `store`, after checking the digest `meta` recorded.
///
/// # Errors
/// [`CheckpointError`] for a missing, truncated or corrupt file, or a digest mismatch.
pub fn load_weights(
    dir: &Path,
    store: &mut nn::VarStore,
    meta: &CheckpointMeta,
) -> Result<(), CheckpointError> {
    let path = dir.join(WEIGHTS);
    let read = |reason: String| CheckpointError::Read {
        path: path.clone(),
        reason,
    };
    let bytes = std::fs::read(&path).map_err(|e| read(e.to_string()))?;
    if digest(&bytes) != meta.weights_digest {
        return Err(read(format!(
            "its digest does not match {META}: truncated, corrupt, or from another save"
        )));
    }
    store
        .load(&path)
        .map_err(|e| read(e.to_string().lines().next().unwrap_or_default().to_owned()))
}

/// Rebuilds the model saved in `dir` for data of `shapes`, on `device`.
///
/// # Errors
/// [`CheckpointError`] for an unreadable, corrupt or mismatched checkpoint.
pub fn load_model(
    dir: &Path,
    shapes: &Shapes,
    device: tch::Device,
) -> Result<
    (
        crate::recsys::two_tower::TwoTower,
        nn::VarStore,
        CheckpointMeta,
    ),
    CheckpointError,
> {
    let meta = read_meta(dir, Some(shapes))?;
    let mut store = nn::VarStore::new(device);
    let model = crate::recsys::two_tower::TwoTower::new(&store.root(), &meta.model, shapes);
    load_weights(dir, &mut store, &meta)?;
    Ok((model, store, meta))
}
