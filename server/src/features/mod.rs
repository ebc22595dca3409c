//! `vitrine extract`: the catalogue through the pretrained encoders into LanceDB's
//! `item_features`.
//!
//! Three stages overlap, joined by bounded channels: SQL reads pages of items and pictures
//! (async), one worker thread that owns the encoders decodes, preprocesses and runs them (off
//! the async executor; tch tensors are not `Sync`), and LanceDB takes each page as one commit.
//! Items already done by the same encoders are skipped, so an interrupted run resumes; items
//! done by other encoders are recomputed and replaced.

mod pipeline;
mod source;

use std::time::Instant;

use sea_orm::{DatabaseConnection, DbErr};

use crate::encoders::{EncoderError, ImageEncoder, TextEncoder};
use crate::vector::{FeatureStamp, FeatureTable, RowState, VectorError, VectorStore};

pub use source::item_text;

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error(transparent)]
    Vector(#[from] VectorError),
    #[error(transparent)]
    Encoder(#[from] EncoderError),
    #[error("unknown catalogue `{0}`")]
    UnknownCatalogue(String),
    #[error("the encoder worker stopped: {0}")]
    Worker(String),
}

#[derive(Clone, Debug)]
pub struct ExtractOptions {
    /// Only this catalogue's items; all catalogues when `None`.
    pub catalogue: Option<String>,
    /// At most this many items in this run (the rest on the next run).
    pub limit: Option<usize>,
    /// Stop once this many items in scope have features from the current encoders (a quick
    /// first start; later runs with the same cap do nothing).
    pub up_to: Option<usize>,
    /// Items per forward pass.
    pub batch_size: usize,
    /// Items per SQL read and per LanceDB commit.
    pub page_size: usize,
}

/// An item that could not be encoded (a corrupt or truncated picture); it is left out, and the
/// next run tries it again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemFailure {
    pub item_id: i64,
    pub reason: String,
}

#[derive(Clone, Debug, Default)]
pub struct ExtractReport {
    /// Active items in scope.
    pub items: usize,
    /// Skipped: already extracted by the same encoders.
    pub already_done: usize,
    /// Written in this run (text and image, or text only).
    pub extracted: usize,
    pub with_image: usize,
    pub text_only: usize,
    /// Of `extracted`, rows that replaced vectors of other encoders.
    pub replaced: usize,
    pub failed: Vec<ItemFailure>,
    pub seconds: f64,
}

impl ExtractReport {
    /// Items written per second of this run.
    pub fn items_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.extracted as f64 / self.seconds
        } else {
            0.0
        }
    }
}

/// Runs extraction; `progress` hears how many items each page settled (written or failed).
///
/// # Errors
/// [`ExtractError`] for SQL, LanceDB or libtorch failures. A bad picture is not an error: it
/// lands in [`ExtractReport::failed`].
pub async fn extract(
    db: &DatabaseConnection,
    store: &VectorStore,
    text: Box<dyn TextEncoder>,
    image: Box<dyn ImageEncoder>,
    options: &ExtractOptions,
    progress: impl FnMut(usize, usize),
) -> Result<ExtractReport, ExtractError> {
    let started = Instant::now();
    let stamp = FeatureStamp {
        text_encoder: text.info().stamp(),
        image_encoder: image.info().stamp(),
        text_dim: text.info().dim,
        image_dim: image.info().dim,
    };
    let table = FeatureTable::open_or_create(store, stamp).await?;
    let states = table.row_states().await?;
    let ids = source::active_item_ids(db, options.catalogue.as_deref()).await?;
    let mut report = ExtractReport {
        items: ids.len(),
        ..Default::default()
    };
    let mut todo: Vec<i64> = ids
        .into_iter()
        .filter(|id| states.get(id) != Some(&RowState::Current))
        .collect();
    report.already_done = report.items - todo.len();
    if let Some(limit) = options.limit {
        todo.truncate(limit);
    }
    if let Some(up_to) = options.up_to {
        todo.truncate(up_to.saturating_sub(report.already_done));
    }
    pipeline::run(
        db,
        &table,
        &states,
        text,
        image,
        todo,
        options,
        &mut report,
        progress,
    )
    .await?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
