//! What the dashboard's list pages, the feed's filters and the System page read: the caller's
//! experiments and studies, the catalogue's categories, the served model and its evaluation.

use serde::{Deserialize, Serialize};

use super::analytics::{Chart, ExperimentSummary};
use super::studies::StudySummary;

/// A campaign by id and name, for links and the setup forms' choices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CampaignRef {
    pub campaign_id: i32,
    pub name: String,
}

/// `GET /api/v1/experiments`: the caller's experiments (an admin's: all), newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ExperimentList {
    pub experiments: Vec<ExperimentSummary>,
    /// The caller's campaigns, by id.
    pub campaigns: Vec<CampaignRef>,
}

/// `GET /api/v1/studies`: the caller's causal studies (an admin's: all), newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StudyList {
    pub studies: Vec<StudySummary>,
    pub campaigns: Vec<CampaignRef>,
    /// The geos the caller's campaigns have data in, sorted: a study's possible units.
    pub geos: Vec<String>,
}

/// A category of the served catalogue and how many active items it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CategoryCount {
    pub name: String,
    pub items: u64,
}

/// The served catalogue's categories, largest first: the feed's filter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CategoryList {
    pub catalogue: String,
    pub categories: Vec<CategoryCount>,
}

/// Who the session belongs to, for the navigation bar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// `advertiser` or `admin`.
    pub role: String,
}

/// The model in the model folder, from its checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelStatus {
    pub weights_digest: String,
    /// The epoch the weights come from, of `epochs_run`.
    pub epoch: usize,
    pub epochs_run: usize,
    pub best_valid_ndcg_at_10: f64,
    /// On a synthetic world: the planted model's validation NDCG@10 on the same split.
    #[serde(default)]
    pub planted_ceiling_ndcg_at_10: Option<f64>,
    /// The inputs the towers read, e.g. `id`, `text`, `image`.
    pub modalities: Vec<String>,
    pub dim: i64,
    /// RFC 3339: when the checkpoint was published.
    pub published_at: Option<String>,
}

/// One model's test metrics in an evaluation report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EvaluationRow {
    pub model: String,
    pub ndcg_at_10: f64,
    pub hit_at_10: f64,
    pub mrr_at_10: f64,
    pub recall_at_10: f64,
    pub coverage_at_20: f64,
    pub best_epoch: Option<usize>,
}

/// The newest `vitrine evaluate` report in the reports folder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EvaluationSummary {
    pub catalogue: String,
    pub created_at: String,
    pub users: usize,
    pub items: usize,
    pub interactions: usize,
    pub k_core: usize,
    pub models: Vec<EvaluationRow>,
}

/// One version of the model registry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelVersionRow {
    pub id: String,
    /// RFC 3339.
    pub created_at: String,
    pub valid_ndcg_at_10: f64,
    pub epochs: usize,
    /// Whether it serves the feed now.
    pub serving: bool,
    /// Its latest promotion: when, by whom, and whether it was forced past the gate.
    pub promoted: Option<String>,
    /// The largest SQL interaction id it trained on, and the LanceDB features version it read.
    pub interactions_watermark: Option<i64>,
    pub features_version: Option<u64>,
}

/// The last progress report of the background job that finishes the demo after the server is
/// up: encoding the remaining items, training the model, publishing its index.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BackgroundJob {
    /// `extract`, `train`, `index`; `done` when the whole job has finished, `failed` when it
    /// stopped on an error.
    pub stage: String,
    pub done: u64,
    pub total: u64,
    /// What `done` counts: `items`, `epochs`.
    pub unit: String,
    pub percent: f64,
    /// At the stage's rate so far; `None` until it can be told.
    pub seconds_left: Option<f64>,
    /// The last epoch's loss and validation NDCG@10 while training.
    pub detail: String,
    pub valid_ndcg_at_10: Option<f64>,
    /// RFC 3339: when this report was written.
    pub updated_at: String,
    /// The stages finished so far, in order.
    #[serde(default)]
    pub completed: Vec<String>,
    /// Why the job stopped, when it failed.
    pub error: Option<String>,
}

/// `GET /api/v1/system/model`: the served model, its index, what `doctor` finds, the training
/// curve and the latest evaluation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ModelReport {
    pub catalogue: String,
    /// Active items in SQL.
    pub items: usize,
    /// `None` until `vitrine train` has published a model.
    pub model: Option<ModelStatus>,
    /// The published index's version; empty when none is published.
    pub index_version: String,
    /// Items in the published index.
    pub indexed_items: usize,
    /// What `doctor` finds wrong between SQL, LanceDB and the model, in words; empty when all
    /// agree.
    pub problems: Vec<String>,
    /// What is unfinished as designed (items not yet encoded, no model yet), each with the
    /// command that finishes it.
    #[serde(default)]
    pub notes: Vec<String>,
    /// The demo's background job (features, training, index), while one runs or after it.
    #[serde(default)]
    pub background: Option<BackgroundJob>,
    /// Loss and validation NDCG@10 by epoch, when a model exists.
    pub training_curve: Option<Chart>,
    pub evaluation: Option<EvaluationSummary>,
    /// Every registered version, newest first.
    pub versions: Vec<ModelVersionRow>,
}
