//! Checkpoints: `checkpoint.json` (the resolved configuration, the shapes the model was built
//! for, the epoch, a digest of the weights, and the names of the weights and vocabulary files)
//! beside `model-<digest>.safetensors` and `vocabulary-<digest>.json` in one folder.
//!
//! `checkpoint.json` is the commit point: the files it names are written whole, under names of
//! their own, before it is renamed into place ([`crate::fsio`]), and files it no longer names are
//! removed only after. A process killed at any moment leaves the folder at the previous
//! checkpoint or the new one, never a mixture. The digest catches a file changed behind our
//! back, and a truncated or corrupt weights file fails to load with the file named.
//!
//! [`publish`] moves a finished run from its staging folder (where `vitrine train` checkpoints
//! every improving epoch) into the served folder the same way.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tch::nn;

use crate::config::{TrainingSettings, TwoTowerSettings};
use crate::recsys::two_tower::Shapes;

/// The weights' name before names carried the digest (still read).
pub const WEIGHTS: &str = "model.safetensors";
pub const META: &str = "checkpoint.json";

fn legacy_weights() -> String {
    WEIGHTS.to_owned()
}

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
    /// The weights file in the folder, `model-<digest>.safetensors`.
    #[serde(default = "legacy_weights")]
    pub weights_file: String,
    /// The vocabulary file in the folder, once the run is published; `vocabulary.json` when
    /// absent.
    #[serde(default)]
    pub vocabulary_file: Option<String>,
    /// On a synthetic world: the planted model's validation NDCG@10 on the same split, the
    /// ceiling that `best_valid_ndcg_at_10` is read against.
    #[serde(default)]
    pub planted_ceiling_valid_ndcg_at_10: Option<f64>,
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
    meta.weights_file = format!("model-{}.safetensors", meta.weights_digest);
    let named = dir.join(&meta.weights_file);
    std::fs::rename(&temp, &named).map_err(|e| CheckpointError::Write {
        path: named,
        reason: e.to_string(),
    })?;
    commit(dir, &meta)
}

/// Writes `meta` as the folder's checkpoint, then removes the files it no longer names.
pub(crate) fn commit(dir: &Path, meta: &CheckpointMeta) -> Result<(), CheckpointError> {
    let path = dir.join(META);
    let write = |reason: String| CheckpointError::Write {
        path: path.clone(),
        reason,
    };
    let json = serde_json::to_vec_pretty(meta).map_err(|e| write(e.to_string()))?;
    crate::fsio::write(&path, &json).map_err(|e| write(e.to_string()))?;
    remove_unnamed(dir, meta);
    Ok(())
}

/// Removes weights and vocabularies of earlier checkpoints, and partial files of a killed save.
/// Best effort: a file left behind costs space, never correctness.
fn remove_unnamed(dir: &Path, meta: &CheckpointMeta) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let vocabulary = meta
        .vocabulary_file
        .as_deref()
        .unwrap_or(crate::recsys::vocab::VOCABULARY);
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours = (name.starts_with("model") && name.contains(".safetensors"))
            || (name.starts_with("vocabulary") && name.contains(".json"));
        let unnamed = name != meta.weights_file && name != vocabulary;
        if ours
            && unnamed
            && entry.path().is_file()
            && let Err(e) = std::fs::remove_file(entry.path())
        {
            tracing::warn!(file = %entry.path().display(), error = %e, "cannot remove an old checkpoint file");
        }
    }
}

/// Publishes the checkpoint in `staging` into `dir` with its vocabulary: the weights are
/// copied under their own name, the vocabulary written, then `checkpoint.json` committed.
///
/// # Errors
/// [`CheckpointError`] naming the file; `dir` then still holds its previous checkpoint.
pub fn publish(
    staging: &Path,
    dir: &Path,
    vocabulary: &crate::recsys::vocab::Vocabulary,
) -> Result<CheckpointMeta, CheckpointError> {
    let mut meta = read_meta(staging, None)?;
    copy_whole(staging, dir, &meta.weights_file, true)?;
    meta.vocabulary_file = Some(vocabulary.save(dir, &meta)?);
    commit(dir, &meta)?;
    Ok(meta)
}

/// Copies a published model (its weights and vocabulary, then `checkpoint.json` as the commit
/// point) from `from` into `to`: a registered version into the served folder, or back.
///
/// # Errors
/// [`CheckpointError`] naming the file.
pub fn copy_published(from: &Path, to: &Path) -> Result<CheckpointMeta, CheckpointError> {
    let meta = read_meta(from, None)?;
    std::fs::create_dir_all(to).map_err(|e| CheckpointError::Write {
        path: to.to_path_buf(),
        reason: e.to_string(),
    })?;
    let vocabulary = meta
        .vocabulary_file
        .clone()
        .unwrap_or_else(|| crate::recsys::vocab::VOCABULARY.to_owned());
    // Weights are named by their digest: one already there is the same. A legacy
    // `vocabulary.json` is not, so vocabularies are always copied (they are small).
    copy_whole(from, to, &meta.weights_file, true)?;
    copy_whole(from, to, &vocabulary, false)?;
    commit(to, &meta)?;
    Ok(meta)
}

/// Copies file `name` from `from` into `to`, whole or not at all; with `keep_existing`, a file
/// already there is left as it is.
fn copy_whole(
    from: &Path,
    to: &Path,
    name: &str,
    keep_existing: bool,
) -> Result<(), CheckpointError> {
    let (source, target) = (from.join(name), to.join(name));
    if keep_existing && target.is_file() {
        return Ok(());
    }
    let mut reader = std::fs::File::open(&source).map_err(|e| CheckpointError::Read {
        path: source.clone(),
        reason: e.to_string(),
    })?;
    crate::fsio::write_with(&target, |out| std::io::copy(&mut reader, out).map(|_| ())).map_err(
        |e| CheckpointError::Write {
            path: target.clone(),
            reason: e.to_string(),
        },
    )
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
    let path = verified_weights(dir, meta)?;
    store.load(&path).map_err(|e| CheckpointError::Read {
        reason: e.to_string().lines().next().unwrap_or_default().to_owned(),
        path,
    })
}

/// The path of `dir`'s weights file, once its bytes match the digest `meta` recorded.
fn verified_weights(dir: &Path, meta: &CheckpointMeta) -> Result<PathBuf, CheckpointError> {
    let path = dir.join(&meta.weights_file);
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
    Ok(path)
}

/// The named tensors of `dir`'s weights (on the CPU), after checking the digest.
///
/// # Errors
/// [`CheckpointError`] for a missing, truncated or corrupt file.
pub fn read_tensors(
    dir: &Path,
    meta: &CheckpointMeta,
) -> Result<Vec<(String, tch::Tensor)>, CheckpointError> {
    let path = verified_weights(dir, meta)?;
    tch::Tensor::read_safetensors(&path).map_err(|e| CheckpointError::Read {
        reason: e.to_string(),
        path,
    })
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
    let model = {
        // Its initial draw is overwritten at once, but it must not disturb a seeded run.
        let _rng = crate::recsys::torch_rng();
        crate::recsys::two_tower::TwoTower::new(&store.root(), &meta.model, shapes)
    };
    load_weights(dir, &mut store, &meta)?;
    Ok((model, store, meta))
}
