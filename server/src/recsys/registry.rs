//! Model versions. Every trained model is kept under `versions/<id>` of its catalogue's model
//! folder (`id`: the first 12 hex digits of its weights digest), with `version.json`: its
//! configuration, the data it saw (the SQL watermark and the LanceDB features version), its
//! validation NDCG@10 and who promoted it when. `registry.json` names the serving version and
//! the order of promotions, which `rollback` walks back. The served folder itself holds a copy
//! of the serving version, so everything that loads "the model" is unchanged.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::checkpoint::{self, CheckpointError, CheckpointMeta};

pub const VERSIONS: &str = "versions";
const BOOK: &str = "registry.json";
const INFO: &str = "version.json";

/// The data a version was trained on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataSnapshot {
    /// The largest interaction id in SQL when training began.
    pub interactions_watermark: i64,
    /// The LanceDB version of `item_features` the run read.
    pub features_version: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Promotion {
    pub at: String,
    /// A person (`--by`), `first model`, `rollback`, or `adopted` (served before the registry).
    pub by: String,
    pub forced: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub id: String,
    pub created_at: String,
    pub weights_digest: String,
    pub valid_ndcg_at_10: f64,
    pub epochs: usize,
    /// The model's and the training's settings.
    pub config: serde_json::Value,
    pub data: Option<DataSnapshot>,
    pub promotions: Vec<Promotion>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Book {
    serving: Option<String>,
    /// Every promotion, oldest first.
    history: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error("{path}: {reason}")]
    File { path: PathBuf, reason: String },
    #[error("no model version `{0}`: `vitrine models list` shows them")]
    Unknown(String),
    #[error(
        "refused: version {candidate} has validation NDCG@10 {candidate_ndcg:.4}, below the serving version {serving}'s {serving_ndcg:.4} by more than the margin {margin} (`--force` to promote it anyway)"
    )]
    Gate {
        candidate: String,
        candidate_ndcg: f64,
        serving: String,
        serving_ndcg: f64,
        margin: f64,
    },
    #[error("there is no earlier version to roll back to")]
    NothingToRollBack,
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> RegistryError {
    RegistryError::File {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

pub(crate) fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, RegistryError> {
    let bytes = std::fs::read(path).map_err(|e| file_error(path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| file_error(path, e))
}

pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), RegistryError> {
    let json = serde_json::to_vec_pretty(value).map_err(|e| file_error(path, e))?;
    crate::fsio::write(path, &json).map_err(|e| file_error(path, e))
}

/// The versions of one catalogue's model, in its served folder.
pub struct Registry {
    served: PathBuf,
}

impl Registry {
    pub fn new(served: &Path) -> Self {
        Self {
            served: served.to_path_buf(),
        }
    }

    pub fn dir_of(&self, id: &str) -> PathBuf {
        self.served.join(VERSIONS).join(id)
    }

    fn book(&self) -> Result<Book, RegistryError> {
        let path = self.served.join(BOOK);
        if path.is_file() {
            read_json(&path)
        } else {
            Ok(Book::default())
        }
    }

    /// Every version, oldest first.
    ///
    /// # Errors
    /// [`RegistryError::File`] for an unreadable `version.json`.
    pub fn list(&self) -> Result<Vec<VersionInfo>, RegistryError> {
        let dir = self.served.join(VERSIONS);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let info = entry.path().join(INFO);
            if info.is_file() {
                out.push(read_json::<VersionInfo>(&info)?);
            }
        }
        out.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(out)
    }

    /// The version `id` (or the one version whose id starts with it).
    ///
    /// # Errors
    /// [`RegistryError::Unknown`] when none or several match.
    pub fn get(&self, id: &str) -> Result<VersionInfo, RegistryError> {
        let mut matching: Vec<VersionInfo> = self
            .list()?
            .into_iter()
            .filter(|v| !id.is_empty() && v.id.starts_with(id))
            .collect();
        match matching.len() {
            1 => Ok(matching.remove(0)),
            _ => Err(RegistryError::Unknown(id.to_owned())),
        }
    }

    /// The serving version's id as recorded, without adopting anything (for readers).
    pub fn serving_recorded(&self) -> Option<String> {
        self.book().ok().and_then(|b| b.serving)
    }

    /// The serving version's id; a served model from before the registry is adopted first.
    ///
    /// # Errors
    /// [`RegistryError`] when the served folder cannot be registered.
    pub fn serving(&self) -> Result<Option<String>, RegistryError> {
        if let Some(id) = self.book()?.serving {
            return Ok(Some(id));
        }
        if checkpoint::read_meta(&self.served, None).is_err() {
            return Ok(None);
        }
        let adopted = self.register(&self.served, None)?;
        self.record(&adopted.id, "adopted", false)?;
        Ok(Some(adopted.id))
    }

    /// Copies the published model in `published` into `versions/<id>` and describes it.
    ///
    /// # Errors
    /// [`RegistryError`] for a missing checkpoint or a failed write.
    pub fn register(
        &self,
        published: &Path,
        data: Option<DataSnapshot>,
    ) -> Result<VersionInfo, RegistryError> {
        let meta: CheckpointMeta = checkpoint::read_meta(published, None)?;
        let id: String = meta.weights_digest.chars().take(12).collect();
        let dir = self.dir_of(&id);
        let info_path = dir.join(INFO);
        if info_path.is_file() {
            return read_json(&info_path);
        }
        checkpoint::copy_published(published, &dir)?;
        let info = VersionInfo {
            id,
            created_at: chrono::Utc::now().to_rfc3339(),
            weights_digest: meta.weights_digest.clone(),
            valid_ndcg_at_10: meta.best_valid_ndcg_at_10,
            epochs: meta.history.len(),
            config: serde_json::json!({"model": meta.model, "training": meta.training}),
            data,
            promotions: Vec::new(),
        };
        write_json(&info_path, &info)?;
        Ok(info)
    }

    /// The gate: refuses a candidate worse than the serving version by more than `margin`.
    ///
    /// # Errors
    /// [`RegistryError::Gate`] with both figures.
    pub fn check_gate(&self, candidate: &VersionInfo, margin: f64) -> Result<(), RegistryError> {
        let Some(serving) = self.serving()? else {
            return Ok(());
        };
        let serving = self.get(&serving)?;
        if candidate.valid_ndcg_at_10 < serving.valid_ndcg_at_10 - margin {
            return Err(RegistryError::Gate {
                candidate: candidate.id.clone(),
                candidate_ndcg: candidate.valid_ndcg_at_10,
                serving: serving.id,
                serving_ndcg: serving.valid_ndcg_at_10,
                margin,
            });
        }
        Ok(())
    }

    /// Copies version `id` into the served folder (after the caller published its index) and
    /// records the promotion.
    ///
    /// # Errors
    /// [`RegistryError`] for a failed copy or write.
    pub fn serve(&self, id: &str, by: &str, forced: bool) -> Result<(), RegistryError> {
        checkpoint::copy_published(&self.dir_of(id), &self.served)?;
        self.record(id, by, forced)
    }

    fn record(&self, id: &str, by: &str, forced: bool) -> Result<(), RegistryError> {
        let info_path = self.dir_of(id).join(INFO);
        let mut info: VersionInfo = read_json(&info_path)?;
        info.promotions.push(Promotion {
            at: chrono::Utc::now().to_rfc3339(),
            by: by.to_owned(),
            forced,
        });
        write_json(&info_path, &info)?;
        let mut book = self.book()?;
        book.serving = Some(id.to_owned());
        book.history.push(id.to_owned());
        write_json(&self.served.join(BOOK), &book)
    }

    /// The version served before the current one, to roll back to.
    ///
    /// # Errors
    /// [`RegistryError::NothingToRollBack`] when there is none.
    pub fn previous(&self) -> Result<String, RegistryError> {
        let book = self.book()?;
        let current = book
            .serving
            .clone()
            .ok_or(RegistryError::NothingToRollBack)?;
        book.history
            .iter()
            .rev()
            .find(|id| **id != current)
            .cloned()
            .ok_or(RegistryError::NothingToRollBack)
    }
}
