//! `vitrine index`: the content tower over every active item of the served catalogue, written
//! to LanceDB `item_vectors` in one commit (a new version), with its IVF_PQ index. Features
//! are read from `item_features` in pages, so memory holds one page of raw features at a time.

use std::path::Path;
use std::time::Instant;

use sea_orm::DatabaseConnection;

use crate::config::IndexSettings;
use crate::db::items::catalogue_cards;
use crate::recsys::checkpoint::CheckpointError;
use crate::recsys::serving::{ItemFeatures, ServingModel};
use crate::vector::{
    FeatureRow, FeatureTable, IndexedItem, VectorError, VectorStore, item_vectors,
};

const PAGE: usize = 4096;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no trained model in {0}: run `vitrine train --catalogue <name>` first ({1})")]
    NoModel(String, CheckpointError),
    #[error("the catalogue `{0}` has no items: import it first")]
    NoItems(String),
    #[error("the model was trained on `{trained}`, not on `{catalogue}`")]
    OtherCatalogue { trained: String, catalogue: String },
    #[error(transparent)]
    Vectors(#[from] VectorError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error("an indexing task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

#[derive(Debug)]
pub struct IndexReport {
    pub items: usize,
    pub with_features: usize,
    pub version: u64,
    pub index_version: String,
    pub seconds: f64,
}

/// The label of one publication: the weights it came from and when.
fn index_version(digest: &str) -> String {
    let millis = chrono::Utc::now().timestamp_millis();
    format!("{}-{millis}", &digest[..digest.len().min(12)])
}

/// Indexes `catalogue` with the model in `model_dir` and publishes it.
///
/// # Errors
/// [`IndexError`]: no model, no items, or a store failure (the previous version stays).
pub async fn build(
    db: &DatabaseConnection,
    store: &VectorStore,
    model_dir: &Path,
    catalogue: &str,
    settings: &IndexSettings,
    mut progress: impl FnMut(usize, usize),
) -> Result<IndexReport, IndexError> {
    let started = Instant::now();
    let dir = model_dir.to_path_buf();
    let model = tokio::task::spawn_blocking(move || ServingModel::load(&dir))
        .await?
        .map_err(|e| IndexError::NoModel(model_dir.display().to_string(), e))?;
    let trained = model.vocabulary().catalogue.clone();
    if trained != catalogue {
        return Err(IndexError::OtherCatalogue {
            trained,
            catalogue: catalogue.to_owned(),
        });
    }
    let mut model = Some(model);
    let cards = catalogue_cards(db, catalogue).await?;
    if cards.is_empty() {
        return Err(IndexError::NoItems(catalogue.to_owned()));
    }
    let features = FeatureTable::open_existing(store).await?;
    let mut rows: Vec<IndexedItem> = Vec::with_capacity(cards.len());
    let mut with_features = 0;
    for page in cards.chunks(PAGE) {
        let ids: Vec<i64> = page.iter().map(|c| c.id).collect();
        let found: Vec<FeatureRow> = match &features {
            Some(table) => table.read_items(&ids).await?,
            None => Vec::new(),
        };
        with_features += found.len();
        let page: Vec<(i64, String)> = page.iter().map(|c| (c.id, c.category.clone())).collect();
        // The model is not `Sync`: it moves into the blocking task and comes back.
        let owned = model
            .take()
            .ok_or(IndexError::NoItems(catalogue.to_owned()))?;
        let (back, indexed) = tokio::task::spawn_blocking(move || {
            let by_id: std::collections::HashMap<i64, &FeatureRow> =
                found.iter().map(|r| (r.item_id, r)).collect();
            let inputs: Vec<ItemFeatures<'_>> = page
                .iter()
                .map(|(id, category)| {
                    let row = by_id.get(id);
                    ItemFeatures {
                        item_id: *id,
                        category,
                        text: row.map(|r| r.text.as_slice()),
                        image: row.and_then(|r| r.image.as_deref()),
                    }
                })
                .collect();
            let indexed = owned.index_items(&inputs);
            drop(inputs);
            (owned, indexed)
        })
        .await?;
        model = Some(back);
        rows.extend(indexed);
        progress(rows.len(), cards.len());
    }
    let model = model.ok_or(IndexError::NoItems(catalogue.to_owned()))?;
    let index_version = index_version(model.weights_digest());
    let version =
        item_vectors::publish(store, &rows, model.feature_dim(), &index_version, settings).await?;
    Ok(IndexReport {
        items: rows.len(),
        with_features,
        version,
        index_version,
        seconds: started.elapsed().as_secs_f64(),
    })
}
