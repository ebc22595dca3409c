//! Catalogue changes made by other writers: the `vitrine catalogue` command line, or another
//! replica's API. Every poll reads the served catalogue's items whose `updated_at` or
//! `retired_at` moved since the last look (with an overlap, so a change whose transaction
//! committed late is still seen) and queues them like the API's: new items and new content
//! into the additions pass, retirements masked at once. Changes already queued (the API's own,
//! or an earlier look's) are remembered, so nothing is filed twice.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect};

use super::engine::Serving;
use crate::db::entities::{catalogue, item};

/// How far back each look reaches past the previous one.
const OVERLAP_SECS: i64 = 30;

/// Where the last look ended, and the changes already queued (item id -> its `updated_at` or
/// `retired_at`).
#[derive(Default)]
pub struct CatalogueCursor {
    seen_until: Option<DateTime<Utc>>,
    queued: HashMap<i64, DateTime<Utc>>,
}

impl CatalogueCursor {
    /// Notes changes queued by the API, made no later than now.
    pub fn note(&mut self, ids: &[i64]) {
        let now = Utc::now();
        for id in ids {
            self.queued.insert(*id, now);
        }
    }
}

/// What the served snapshot lacks of SQL's catalogue.
#[derive(Default)]
pub(super) struct CatalogueChanges {
    added: Vec<i64>,
    updated: Vec<i64>,
    retired: Vec<i64>,
}

impl CatalogueChanges {
    /// Files an item by SQL's word (retired or not), whether the snapshot serves it, and
    /// whether its content changed since the snapshot's copy was made.
    pub(super) fn file(&mut self, id: i64, retired: bool, served: bool, changed: bool) {
        match (retired, served) {
            (true, true) => self.retired.push(id),
            (false, false) => self.added.push(id),
            (false, true) if changed => self.updated.push(id),
            _ => {}
        }
    }

    pub(super) fn len(&self) -> usize {
        self.added.len() + self.updated.len() + self.retired.len()
    }
}

impl Serving {
    /// Notes items the API has just queued (added, updated or retired).
    pub fn note_catalogue_change(&self, ids: &[i64]) {
        if let Ok(mut cursor) = self.catalogue_cursor.lock() {
            cursor.note(ids);
        }
    }

    /// Queues the served catalogue's changes since the last look. The first look only starts
    /// the cursor: loading the snapshot covered everything before it.
    pub(super) async fn catch_up_catalogue(&self) {
        let started = Utc::now();
        let since = match self.catalogue_cursor.lock() {
            Ok(mut cursor) => match cursor.seen_until {
                Some(t) => t - Duration::seconds(OVERLAP_SECS),
                None => {
                    cursor.seen_until = Some(started);
                    return;
                }
            },
            Err(_) => return,
        };
        let changed = match self.changed_items(since).await {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(%error, "cannot read catalogue changes; trying again next poll");
                return;
            }
        };
        let Ok(snapshot) = self.snapshot() else {
            return;
        };
        let mut changes = CatalogueChanges::default();
        if let Ok(mut cursor) = self.catalogue_cursor.lock() {
            for (id, updated_at, retired_at) in changed {
                let at = retired_at.unwrap_or(updated_at).max(updated_at);
                if cursor.queued.get(&id).is_some_and(|q| *q >= at) {
                    continue;
                }
                cursor.queued.insert(id, at);
                let served = snapshot.row_of.contains_key(&id);
                changes.file(id, retired_at.is_some(), served, true);
            }
            cursor.seen_until = Some(started);
            cursor.queued.retain(|_, at| *at >= since);
        }
        self.apply_catalogue_changes(changes, "catalogue changes from another writer")
            .await;
    }

    /// Queues added and updated items for the next additions pass, and masks retired ones now.
    pub(super) async fn apply_catalogue_changes(&self, changes: CatalogueChanges, why: &str) {
        let CatalogueChanges {
            added,
            updated,
            retired,
        } = changes;
        if added.len() + updated.len() + retired.len() > 0 {
            tracing::info!(
                added = added.len(),
                updated = updated.len(),
                retired = retired.len(),
                "{why}"
            );
        }
        self.enqueue_additions(added);
        self.enqueue_updates(&updated);
        if !retired.is_empty()
            && let Err(error) = self.retire_items(retired).await
        {
            tracing::warn!(code = %error.code, "retired items stay served until the next poll");
        }
    }

    /// `(id, updated_at, retired_at)` of the served catalogue's items changed since `since`.
    async fn changed_items(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<(i64, DateTime<Utc>, Option<DateTime<Utc>>)>, sea_orm::DbErr> {
        let Some(found) = catalogue::Entity::find()
            .filter(catalogue::Column::Name.eq(&self.settings.inference.catalogue))
            .one(&self.db)
            .await?
        else {
            return Ok(Vec::new());
        };
        item::Entity::find()
            .select_only()
            .columns([
                item::Column::Id,
                item::Column::UpdatedAt,
                item::Column::RetiredAt,
            ])
            .filter(item::Column::CatalogueId.eq(found.id))
            .filter(
                Condition::any()
                    .add(item::Column::UpdatedAt.gt(since))
                    .add(item::Column::RetiredAt.gt(since)),
            )
            .into_tuple()
            .all(&self.db)
            .await
    }
}
