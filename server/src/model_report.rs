//! The System page's model section: the model in the model folder (from its checkpoint), the
//! published index, what `doctor` finds between SQL and LanceDB, the training curve, and the
//! newest evaluation report in the reports folder, and the registry's versions.

use std::path::{Path, PathBuf};

use app::error::{ApiError, ErrorCode};
use app::wire::{
    Chart, EvaluationRow, EvaluationSummary, ModelReport, ModelStatus, ModelVersionRow,
};
use sea_orm::DatabaseConnection;
use serde::Deserialize;

use crate::agreement;
use crate::recsys::checkpoint::{self, CheckpointMeta};
use crate::recsys::registry::Registry;
use crate::vector::VectorStore;

/// Where a catalogue's model and the evaluation reports live.
#[derive(Clone, Debug)]
pub struct ModelPaths {
    pub catalogue: String,
    pub model_dir: PathBuf,
    pub reports_dir: PathBuf,
    /// Where the background job's status file is (`crate::jobs`).
    pub data_dir: PathBuf,
}

impl ModelPaths {
    pub fn new(catalogue: &str, data_dir: &Path) -> Self {
        Self {
            catalogue: catalogue.to_owned(),
            model_dir: data_dir.join("models").join(catalogue),
            reports_dir: data_dir.join("reports"),
            data_dir: data_dir.to_path_buf(),
        }
    }
}

/// Gathers the report. Reads the checkpoint's JSON and one report file, never the weights.
///
/// # Errors
/// `database_unavailable` or `vector_store_unavailable` when SQL or LanceDB cannot be read.
pub async fn gather(
    db: &DatabaseConnection,
    store: &VectorStore,
    paths: &ModelPaths,
) -> Result<ModelReport, ApiError> {
    let found = agreement::check(db, store, &paths.catalogue, &paths.model_dir)
        .await
        .map_err(|e| {
            crate::failure::hidden(
                ErrorCode::Unavailable,
                "the catalogue cannot be checked",
                "the agreement check",
                &e,
            )
        })?;
    let (model_dir, reports_dir) = (paths.model_dir.clone(), paths.reports_dir.clone());
    let data_dir = paths.data_dir.clone();
    // File reads and the chart's drawing stay off the async executor.
    let (meta, published_at, evaluation, versions, background) =
        tokio::task::spawn_blocking(move || {
            let meta = checkpoint::read_meta(&model_dir, None).ok();
            let published_at = modified(&model_dir.join(checkpoint::META));
            let versions = versions(&model_dir);
            (
                meta,
                published_at,
                newest_evaluation(&reports_dir),
                versions,
                crate::jobs::read(&data_dir),
            )
        })
        .await
        .map_err(|e| crate::failure::internal("reading the model's files", e))?;
    let training_curve = meta.as_ref().and_then(curve);
    Ok(ModelReport {
        catalogue: found.catalogue,
        items: found.items,
        model: meta.map(|m| status(m, published_at)),
        index_version: found.index_version,
        indexed_items: found.indexed,
        problems: found.problems,
        notes: found.notes,
        background,
        training_curve,
        evaluation,
        versions,
    })
}

/// The registry's versions, newest first (none when it cannot be read).
fn versions(model_dir: &Path) -> Vec<ModelVersionRow> {
    let registry = Registry::new(model_dir);
    let serving = registry.serving_recorded();
    let mut rows: Vec<ModelVersionRow> = match registry.list() {
        Ok(list) => list
            .into_iter()
            .map(|v| ModelVersionRow {
                serving: serving.as_deref() == Some(v.id.as_str()),
                promoted: v.promotions.last().map(|p| {
                    format!(
                        "{} by {}{}",
                        p.at.chars().take(16).collect::<String>().replace('T', " "),
                        p.by,
                        if p.forced { " (forced)" } else { "" }
                    )
                }),
                interactions_watermark: v.data.as_ref().map(|d| d.interactions_watermark),
                features_version: v.data.as_ref().and_then(|d| d.features_version),
                id: v.id,
                created_at: v.created_at,
                valid_ndcg_at_10: v.valid_ndcg_at_10,
                epochs: v.epochs,
            })
            .collect(),
        Err(error) => {
            tracing::warn!(%error, "the model registry cannot be read");
            Vec::new()
        }
    };
    rows.reverse();
    rows
}

fn status(meta: CheckpointMeta, published_at: Option<String>) -> ModelStatus {
    ModelStatus {
        weights_digest: meta.weights_digest,
        epoch: meta.epoch,
        epochs_run: meta.history.len(),
        best_valid_ndcg_at_10: meta.best_valid_ndcg_at_10,
        planted_ceiling_ndcg_at_10: meta.planted_ceiling_valid_ndcg_at_10,
        modalities: meta
            .model
            .modalities
            .iter()
            .map(|m| format!("{m:?}").to_lowercase())
            .collect(),
        dim: meta.model.dim,
        published_at,
    }
}

fn curve(meta: &CheckpointMeta) -> Option<Chart> {
    let title = "Training loss and validation NDCG@10 by epoch";
    match crate::charts::training_curve(&meta.history, title) {
        Ok(svg) => Some(Chart {
            title: title.to_owned(),
            svg,
        }),
        Err(e) => {
            tracing::warn!(error = %e, "the training curve could not be drawn");
            None
        }
    }
}

fn modified(path: &Path) -> Option<String> {
    let at = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(chrono::DateTime::<chrono::Utc>::from(at).to_rfc3339())
}

/// The parts of `evaluation-<catalogue>.json` the page shows.
#[derive(Deserialize)]
struct StoredReport {
    catalogue: String,
    created_at: String,
    k_core: usize,
    dataset: StoredDataset,
    models: Vec<StoredModel>,
}

#[derive(Deserialize)]
struct StoredDataset {
    users: usize,
    items: usize,
    interactions: usize,
}

#[derive(Deserialize)]
struct StoredModel {
    name: String,
    test: StoredMetrics,
    best_epoch: Option<usize>,
}

#[derive(Deserialize)]
struct StoredMetrics {
    ndcg_at_10: f64,
    hit_at_10: f64,
    mrr_at_10: f64,
    recall_at_10: f64,
    coverage_at_20: f64,
}

/// The most recently written `evaluation-*.json`; an unreadable one is skipped with a warning.
pub(crate) fn newest_evaluation(dir: &Path) -> Option<EvaluationSummary> {
    let mut reports: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("evaluation-"))
        })
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .collect();
    reports.sort();
    reports.into_iter().rev().find_map(|(_, path)| {
        let parsed = std::fs::read(&path)
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice::<StoredReport>(&b).map_err(|e| e.to_string()));
        match parsed {
            Ok(r) => Some(summary(r)),
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "skipped an unreadable evaluation report");
                None
            }
        }
    })
}

fn summary(r: StoredReport) -> EvaluationSummary {
    EvaluationSummary {
        catalogue: r.catalogue,
        created_at: r.created_at,
        users: r.dataset.users,
        items: r.dataset.items,
        interactions: r.dataset.interactions,
        k_core: r.k_core,
        models: r
            .models
            .into_iter()
            .map(|m| EvaluationRow {
                model: m.name,
                ndcg_at_10: m.test.ndcg_at_10,
                hit_at_10: m.test.hit_at_10,
                mrr_at_10: m.test.mrr_at_10,
                recall_at_10: m.test.recall_at_10,
                coverage_at_20: m.test.coverage_at_20,
                best_epoch: m.best_epoch,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_readable_report_wins() {
        let dir = tempfile::tempdir().expect("tempdir");
        let report = |name: &str, ndcg: f64| {
            serde_json::json!({
                "catalogue": name, "created_at": "2026-11-26T00:00:00Z", "k_core": 10,
                "dataset": {"users": 3, "items": 4, "interactions": 5},
                "models": [{"name": "two-tower", "best_epoch": 2, "test": {
                    "ndcg_at_10": ndcg, "hit_at_10": 0.2, "mrr_at_10": 0.1,
                    "recall_at_10": 0.2, "coverage_at_20": 0.5}}]
            })
            .to_string()
        };
        // Modification times are set, not slept for: a file system with coarse timestamps
        // would otherwise give two reports the same time.
        let at = |seconds: u64| std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
        let write = |name: &str, text: &str, modified: std::time::SystemTime| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("write a report");
            std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_modified(modified))
                .expect("set the time");
        };
        write("evaluation-old.json", &report("old", 0.1), at(1_000));
        write("evaluation-new.json", &report("new", 0.3), at(2_000));
        let found = newest_evaluation(dir.path()).expect("a report");
        assert_eq!(found.catalogue, "new");
        assert_eq!(found.models[0].ndcg_at_10, 0.3);
        // A newer but truncated report is skipped, not fatal.
        write("evaluation-broken.json", "{\"catalogue\":", at(3_000));
        assert_eq!(
            newest_evaluation(dir.path()).expect("a report").catalogue,
            "new"
        );
        assert!(newest_evaluation(&dir.path().join("missing")).is_none());
    }
}
