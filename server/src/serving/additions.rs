//! Items the catalogue API adds, into the served snapshot within `additions.delay_secs`: the
//! encoders over just the items without features (`extract`, which skips the rest), the
//! content tower over their features on the model's workers, and a new snapshot with them
//! filed into the IVF lists (`delta`); an updated item's new row replaces its old one. Retired
//! items are masked at once. After a new index version loads, active items it lacks (added
//! since it was built) are caught up the same way. Challenger snapshots (`model_arms`) get
//! every change too, with their own model's vectors.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use app::error::ApiError;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::catch_up::CatalogueChanges;
use super::delta::NewRow;
use super::engine::Serving;
use super::snapshot::Snapshot;
use super::workers::StoredFeatures;
use crate::db::entities::{catalogue, item};
use crate::db::items::ItemCard;
use crate::features::{ExtractOptions, extract};
use crate::vector::{FeatureRow, FeatureTable};

fn internal(error: impl std::fmt::Display) -> ApiError {
    crate::failure::internal("filing new items into the snapshot", error)
}

impl Serving {
    /// Queues items to file into the snapshot on the next pass (at most `delay_secs` away).
    pub fn enqueue_additions(&self, ids: impl IntoIterator<Item = i64>) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.extend(ids);
        }
    }

    /// Queues items whose content changed: on the next pass their new vectors replace their
    /// rows in the snapshot.
    pub fn enqueue_updates(&self, ids: &[i64]) {
        if let Ok(mut replacing) = self.replacing.lock() {
            replacing.extend(ids);
        }
        self.enqueue_additions(ids.iter().copied());
    }

    /// Masks retired items in the served snapshot now, and forgets the feeds that held them.
    ///
    /// # Errors
    /// `unavailable` before an index is loaded.
    pub async fn retire_items(&self, ids: Vec<i64>) -> Result<(), ApiError> {
        self.change_snapshot(&[], ids).await.map(|_| ())
    }

    /// New snapshots with the changes (the served one and every challenger, each with its own
    /// model's vectors for the added items), swapped in together under the one lock on
    /// changes. Returns how many items were added.
    async fn change_snapshot(&self, added: &[i64], retired: Vec<i64>) -> Result<usize, ApiError> {
        let _one_at_a_time = self.changes.lock().await;
        let current = self.snapshot()?;
        let read = if added.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            self.read_new(added).await?
        };
        let rows = rows_for(&current, &read).await?;
        let count = rows.len();
        let next = changed(current, rows, retired.clone()).await?;
        let challengers = match self.model_arms.read() {
            Ok(arms) => arms.challengers.clone(),
            Err(_) => Default::default(),
        };
        let mut next_challengers = std::collections::HashMap::new();
        for (version, challenger) in challengers {
            let rows = rows_for(&challenger, &read).await?;
            let next = changed(challenger, rows, retired.clone()).await?;
            next_challengers.insert(version, Arc::new(next));
        }
        if let Ok(mut slot) = self.current.write() {
            *slot = Some(Arc::new(next));
        }
        if let Ok(mut arms) = self.model_arms.write() {
            arms.challengers = next_challengers;
        }
        // Cached feeds were ranked over the old rows; users' vectors do not depend on them.
        self.feeds.invalidate_all();
        Ok(count)
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
        let replacing: HashSet<i64> = match self.replacing.lock() {
            Ok(mut r) => std::mem::take(&mut *r),
            Err(_) => HashSet::new(),
        };
        let ids: Vec<i64> = queued
            .into_iter()
            .filter(|id| replacing.contains(id) || !snapshot.row_of.contains_key(id))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        if ids.is_empty() {
            return Ok(0);
        }
        self.extract_new().await?;
        let added = self.change_snapshot(&ids, Vec::new()).await?;
        if added < ids.len() {
            tracing::warn!(
                queued = ids.len(),
                added,
                "some new items have no content features; `vitrine index` will serve them"
            );
        }
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

    /// The stored features and cards of new items (those with features).
    async fn read_new(&self, ids: &[i64]) -> Result<(Vec<FeatureRow>, Vec<ItemCard>), ApiError> {
        let table = FeatureTable::open_existing(&self.store)
            .await
            .map_err(internal)?
            .ok_or_else(|| internal("no item_features table"))?;
        let features = table.read_items(ids).await.map_err(internal)?;
        let cards = crate::db::items::cards_of(&self.db, ids)
            .await
            .map_err(internal)?;
        Ok((features, cards))
    }

    /// After a load, brings the snapshot up to what SQL says now: active items the published
    /// index lacks are queued, items whose content changed since it was published are queued
    /// to replace their rows, and items retired since are masked. Returns how many changed.
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
        let items: Vec<(i64, DateTime<Utc>, Option<DateTime<Utc>>)> = item::Entity::find()
            .select_only()
            .columns([
                item::Column::Id,
                item::Column::UpdatedAt,
                item::Column::RetiredAt,
            ])
            .filter(item::Column::CatalogueId.eq(found.id))
            .into_tuple()
            .all(&self.db)
            .await?;
        // The index version ends with the publication's time in milliseconds.
        let published = snapshot
            .index_version
            .rsplit('-')
            .next()
            .and_then(|millis| millis.parse::<i64>().ok())
            .and_then(DateTime::from_timestamp_millis);
        let mut changes = CatalogueChanges::default();
        for (id, updated_at, retired_at) in items {
            let changed = published.is_some_and(|p| updated_at > p);
            changes.file(
                id,
                retired_at.is_some(),
                snapshot.row_of.contains_key(&id),
                changed,
            );
        }
        let n = changes.len();
        self.apply_catalogue_changes(
            changes,
            "catching up with the catalogue since the index was published",
        )
        .await;
        Ok(n)
    }
}

/// `snapshot`'s model's vectors for the new items, with their cards.
async fn rows_for(
    snapshot: &Snapshot,
    (features, cards): &(Vec<FeatureRow>, Vec<ItemCard>),
) -> Result<Vec<NewRow>, ApiError> {
    if features.is_empty() {
        return Ok(Vec::new());
    }
    let card_of: HashMap<i64, &ItemCard> = cards.iter().map(|c| (c.id, c)).collect();
    let inputs: Vec<StoredFeatures> = features
        .iter()
        .filter_map(|f| {
            let card = card_of.get(&f.item_id)?;
            Some(StoredFeatures {
                item_id: f.item_id,
                category: card.category.clone(),
                text: Some(f.text.clone()),
                image: f.image.clone(),
            })
        })
        .collect();
    let indexed = snapshot.model.index_items(inputs).await.map_err(internal)?;
    Ok(indexed
        .into_iter()
        .filter_map(|indexed| {
            let card = (*card_of.get(&indexed.item_id)?).clone();
            Some(NewRow { indexed, card })
        })
        .collect())
}

/// `snapshot` with the rows added and the items retired, built on a blocking thread.
async fn changed(
    snapshot: Arc<Snapshot>,
    added: Vec<NewRow>,
    retired: Vec<i64>,
) -> Result<Snapshot, ApiError> {
    tokio::task::spawn_blocking(move || snapshot.with_changes(added, &retired))
        .await
        .map_err(internal)?
        .map_err(internal)
}
