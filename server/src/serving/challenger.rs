//! A challenger snapshot: the served snapshot's rows (cards, categories, popularity, retired
//! items) with the vectors of another model version, computed in memory by that version's
//! content tower from the stored features. Nothing is published: the served index stays the
//! store of record, and the challenger lives as long as the experiment that needs it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::delta::push_projection;
use super::snapshot::{Snapshot, SnapshotError, ivf};
use super::workers::{EncoderSource, ModelPool, StoredFeatures};
use crate::config::SnapshotSettings;
use crate::vector::{FeatureRow, FeatureTable, IndexedItem, VectorStore};

/// Items read and encoded per step, so memory holds one page of raw features at a time.
const PAGE: usize = 4096;

fn model_error(dir: &std::path::Path, message: impl std::fmt::Display) -> SnapshotError {
    SnapshotError::Model(dir.display().to_string(), message.to_string())
}

/// Builds the snapshot of `champion`'s rows scored by the model in `dir` (a registry version).
///
/// # Errors
/// [`SnapshotError::Model`] for a model that does not load or whose vectors do not fit;
/// the store's errors.
pub async fn build(
    champion: Arc<Snapshot>,
    store: &VectorStore,
    dir: PathBuf,
    encoders: EncoderSource,
    settings: SnapshotSettings,
) -> Result<Snapshot, SnapshotError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let at = dir.clone();
    let model = tokio::task::spawn_blocking(move || ModelPool::start(&at, threads, encoders))
        .await?
        .map_err(|e| model_error(&dir, e))?;
    let table = FeatureTable::open_existing(store).await?;
    let mut indexed: Vec<IndexedItem> = Vec::with_capacity(champion.len());
    for (page, ids) in champion.item_ids.chunks(PAGE).enumerate() {
        let found: Vec<FeatureRow> = match &table {
            Some(t) => t.read_items(ids).await?,
            None => Vec::new(),
        };
        let mut by_id: HashMap<i64, FeatureRow> =
            found.into_iter().map(|r| (r.item_id, r)).collect();
        let inputs = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let features = by_id.remove(id);
                StoredFeatures {
                    item_id: *id,
                    category: champion.cards[page * PAGE + i].category.clone(),
                    text: features.as_ref().map(|f| f.text.clone()),
                    image: features.and_then(|f| f.image),
                }
            })
            .collect();
        indexed.extend(
            model
                .index_items(inputs)
                .await
                .map_err(|e| model_error(&dir, e))?,
        );
    }
    tokio::task::spawn_blocking(move || champion.scored_by(model, indexed, &settings, &dir)).await?
}

impl Snapshot {
    /// A copy of these rows with `indexed` (one per row, in row order) as the vectors.
    fn scored_by(
        &self,
        model: ModelPool,
        indexed: Vec<IndexedItem>,
        settings: &SnapshotSettings,
        dir: &std::path::Path,
    ) -> Result<Self, SnapshotError> {
        if indexed.len() != self.len()
            || indexed
                .iter()
                .zip(&self.item_ids)
                .any(|(i, id)| i.item_id != *id)
        {
            return Err(model_error(
                dir,
                "the model did not index every served item",
            ));
        }
        let dim = indexed.first().map_or(self.dim, |i| i.vector.len());
        let fd = indexed
            .iter()
            .map(|i| i.history_text.len().max(i.history_image.len()))
            .max()
            .unwrap_or(self.feature_dim);
        let rows = indexed.len();
        let mut vectors = Vec::with_capacity(rows * dim);
        let (mut history_text, mut history_image) =
            (Vec::with_capacity(rows * fd), Vec::with_capacity(rows * fd));
        let (mut has_text, mut has_image) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
        for item in &indexed {
            if item.vector.len() != dim {
                return Err(model_error(dir, "vectors of different widths"));
            }
            vectors.extend_from_slice(&item.vector);
            push_projection(&item.history_text, fd, &mut history_text, &mut has_text);
            push_projection(&item.history_image, fd, &mut history_image, &mut has_image);
        }
        drop(indexed);
        let (ann, probes) = ivf(&vectors, dim, settings)?;
        let model = Arc::new(model);
        let index_version = format!(
            "{}-in-memory",
            &model.weights_digest()[..12.min(model.weights_digest().len())]
        );
        Ok(Self {
            version: self.version,
            revision: self.revision,
            index_version,
            dim,
            feature_dim: fd,
            ann,
            probes,
            item_ids: self.item_ids.clone(),
            cards: self.cards.clone(),
            category_of: self.category_of.clone(),
            categories: self.categories.clone(),
            vectors,
            history_text,
            has_text,
            history_image,
            has_image,
            row_of: self.row_of.clone(),
            popular: self.popular.clone(),
            trending: self.trending.clone(),
            retired: self.retired.clone(),
            model,
        })
    }
}
