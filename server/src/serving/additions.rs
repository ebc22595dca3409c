//! Items the catalogue API adds, into the served snapshot within `additions.delay_secs`: the
//! encoders over just the items without features (`extract`, which skips the rest), the
//! content tower over their features on the model's workers, and a new snapshot with them
//! filed into the IVF lists (`delta`). Retired items are masked at once. After a new index
//! version loads, active items it lacks (added since it was built) are caught up the same way.

use std::collections::HashSet;
use std::sync::Arc;

use app::error::ApiError;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::delta::NewRow;
use super::engine::Serving;
use super::snapshot::Snapshot;
use super::workers::StoredFeatures;
use crate::db::entities::{catalogue, item};
use crate::features::{ExtractOptions, extract};
use crate::vector::FeatureTable;

fn internal(error: impl std::fmt::Display) -> ApiError {
    tracing::error!(%error, "filing new items into the snapshot failed");
    ApiError::new("internal", "the new items could not be served yet")
}

impl Serving {
    /// Queues items to file into the snapshot on the next pass (at most `delay_secs` away).
    pub fn enqueue_additions(&self, ids: impl IntoIterator<Item = i64>) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.extend(ids);
        }
    }

    /// Masks retired items in the served snapshot now, and forgets the feeds that held them.
    ///
    /// # Errors
    /// `unavailable` before an index is loaded.
    pub async fn retire_items(&self, ids: Vec<i64>) -> Result<(), ApiError> {
        self.change_snapshot(Vec::new(), ids).await
    }

    /// A new snapshot with the changes, swapped in under the one lock on changes.
    async fn change_snapshot(&self, added: Vec<NewRow>, retired: Vec<i64>) -> Result<(), ApiError> {
        let _one_at_a_time = self.changes.lock().await;
        let current = self.snapshot()?;
        let next = tokio::task::spawn_blocking(move || current.with_changes(added, &retired))
            .await
            .map_err(internal)?
            .map_err(internal)?;
        if let Ok(mut slot) = self.current.write() {
            *slot = Some(Arc::new(next));
        }
        // Cached feeds were ranked over the old rows; users' vectors do not depend on them.
        self.feeds.invalidate_all();
        Ok(())
    }

    /// Files the queued items into the snapshot. Returns how many it added.
    ///
    /// # Errors
    /// `unavailable` before an index is loaded; `internal` when encoding or the store fails
    /// (the items stay in SQL, and the next `vitrine index` serves them).
    pub async fn drain_additions(&self) -> Result<usize, ApiError> {
        let queued: Vec<i64> = match self.pending.lock() {
            Ok(mut pending) => std::mem::take(&mut *pending),
            Err(_) => return Ok(0),
        };
        if queued.is_empty() {
            return Ok(0);
        }
        let snapshot = self.snapshot()?;
        let ids: Vec<i64> = queued
            .into_iter()
            .filter(|id| !snapshot.row_of.contains_key(id))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        if ids.is_empty() {
            return Ok(0);
        }
        self.extract_new().await?;
        let rows = self.new_rows(&snapshot, &ids).await?;
        let added = rows.len();
        if added < ids.len() {
            tracing::warn!(
                queued = ids.len(),
                added,
                "some new items have no content features; `vitrine index` will serve them"
            );
        }
        self.change_snapshot(rows, Vec::new()).await?;
        Ok(added)
    }

    /// `extract` over the served catalogue: only items without features are encoded.
    async fn extract_new(&self) -> Result<(), ApiError> {
        let (settings, python) = (
            self.settings.encoders.clone(),
            self.settings.data.python.clone(),
        );
        let (text, image) = tokio::task::spawn_blocking(move || {
            crate::encoders::load(
                &settings,
                &python,
                tch::Device::Cpu,
                crate::config::Precision::F32,
            )
        })
        .await
        .map_err(internal)?
        .map_err(internal)?;
        let options = ExtractOptions {
            catalogue: Some(self.settings.inference.catalogue.clone()),
            limit: None,
            up_to: None,
            batch_size: 32,
            page_size: 256,
        };
        extract(
            &self.db,
            &self.store,
            Box::new(text),
            Box::new(image),
            &options,
            |_, _| {},
        )
        .await
        .map_err(internal)?;
        Ok(())
    }

    /// The items' cards and content-tower vectors, for those with features.
    async fn new_rows(&self, snapshot: &Snapshot, ids: &[i64]) -> Result<Vec<NewRow>, ApiError> {
        let table = FeatureTable::open_existing(&self.store)
            .await
            .map_err(internal)?
            .ok_or_else(|| internal("no item_features table"))?;
        let features = table.read_items(ids).await.map_err(internal)?;
        let cards = crate::db::items::cards_of(&self.db, ids)
            .await
            .map_err(internal)?;
        let inputs: Vec<StoredFeatures> = features
            .into_iter()
            .filter_map(|f| {
                let card = cards.iter().find(|c| c.id == f.item_id)?;
                Some(StoredFeatures {
                    item_id: f.item_id,
                    category: card.category.clone(),
                    text: Some(f.text),
                    image: f.image,
                })
            })
            .collect();
        let indexed = snapshot.model.index_items(inputs).await.map_err(internal)?;
        Ok(indexed
            .into_iter()
            .filter_map(|indexed| {
                let card = cards.iter().find(|c| c.id == indexed.item_id)?.clone();
                Some(NewRow { indexed, card })
            })
            .collect())
    }

    /// Queues the served catalogue's active items that the snapshot lacks (after a load).
    pub(super) async fn enqueue_missing(&self) -> Result<usize, sea_orm::DbErr> {
        let Ok(snapshot) = self.snapshot() else {
            return Ok(0);
        };
        let Some(found) = catalogue::Entity::find()
            .filter(catalogue::Column::Name.eq(&self.settings.inference.catalogue))
            .one(&self.db)
            .await?
        else {
            return Ok(0);
        };
        let active: Vec<i64> = item::Entity::find()
            .select_only()
            .column(item::Column::Id)
            .filter(item::Column::CatalogueId.eq(found.id))
            .filter(item::Column::RetiredAt.is_null())
            .into_tuple()
            .all(&self.db)
            .await?;
        let missing: Vec<i64> = active
            .into_iter()
            .filter(|id| !snapshot.row_of.contains_key(id))
            .collect();
        let n = missing.len();
        self.enqueue_additions(missing);
        Ok(n)
    }
}
