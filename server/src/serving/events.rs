//! `POST /api/v1/events`: a batch of feed activity in one transaction. Every event becomes a
//! user x item interaction (an impression is a `view`); one on a sponsored slot (campaign and
//! creative given, and attested by its impression token: `attested`) is also an ad event, with
//! the impression's cost at the configured CPM. A
//! retried batch is recognised by its idempotency keys. Each keeps the model version that
//! served it (the event's, or the user's now). The users' caches are invalidated.

use std::collections::{HashMap, HashSet};

use app::error::{ApiError, ErrorCode};
use app::wire::{EventBatch, EventsReport, FeedEvent, FeedEventKind};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};

use super::engine::Serving;
use super::feed::invalid;
use crate::db::entities::{catalogue, creative, event, interaction, item, user};

fn db_error(e: sea_orm::DbErr) -> ApiError {
    crate::failure::database("recording events", e)
}

fn when(e: &FeedEvent, index: usize) -> Result<DateTime<Utc>, ApiError> {
    match &e.occurred_at {
        None => Ok(Utc::now()),
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| invalid(format!("events[{index}].occurred_at `{t}` is not RFC 3339"))),
    }
}

/// Every check of [`EventBatch::validate`], and each event's time, parsed once.
fn validate(batch: &EventBatch) -> Result<Vec<DateTime<Utc>>, ApiError> {
    batch.validate()?;
    batch
        .events
        .iter()
        .enumerate()
        .map(|(i, e)| when(e, i))
        .collect()
}

impl Serving {
    /// Records `batch`. `newcomer`, the browser's viewer, becomes a feed user first if the
    /// batch names them and they are not one yet.
    pub async fn record_events(
        &self,
        batch: EventBatch,
        newcomer: Option<&str>,
    ) -> Result<EventsReport, ApiError> {
        let times = validate(&batch)?;
        let db = &self.db;
        let catalogue_name = &self.settings.inference.catalogue;
        let found = catalogue::Entity::find()
            .filter(catalogue::Column::Name.eq(catalogue_name.as_str()))
            .one(db)
            .await
            .map_err(db_error)?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Unavailable,
                    format!("the catalogue `{catalogue_name}` is not imported"),
                )
            })?;
        let externals: HashSet<&str> = batch.events.iter().map(|e| e.user_id.as_str()).collect();
        let mut users: HashMap<String, i64> = user::Entity::find()
            .select_only()
            .columns([user::Column::ExternalId, user::Column::Id])
            .filter(user::Column::CatalogueId.eq(found.id))
            .filter(user::Column::ExternalId.is_in(externals.iter().copied()))
            .into_tuple::<(String, i64)>()
            .all(db)
            .await
            .map_err(db_error)?
            .into_iter()
            .collect();
        if let Some(viewer) = newcomer
            && externals.contains(viewer)
            && !users.contains_key(viewer)
        {
            let id = super::users::ensure(db, found.id, viewer)
                .await
                .map_err(db_error)?;
            users.insert(viewer.to_owned(), id);
        }
        let item_ids: HashSet<i64> = batch.events.iter().map(|e| e.item_id).collect();
        let items: HashSet<i64> = item::Entity::find()
            .select_only()
            .column(item::Column::Id)
            .filter(item::Column::CatalogueId.eq(found.id))
            .filter(item::Column::Id.is_in(item_ids))
            .into_tuple::<i64>()
            .all(db)
            .await
            .map_err(db_error)?
            .into_iter()
            .collect();
        // Every recorded event left an interaction with its key, so that table alone says
        // which keys are taken.
        let keys: Vec<&str> = batch
            .events
            .iter()
            .map(|e| e.idempotency_key.as_str())
            .collect();
        let known_keys: HashSet<String> = interaction::Entity::find()
            .select_only()
            .column(interaction::Column::IdempotencyKey)
            .filter(interaction::Column::IdempotencyKey.is_in(keys))
            .into_tuple::<Option<String>>()
            .all(db)
            .await
            .map_err(db_error)?
            .into_iter()
            .flatten()
            .collect();
        let creatives: HashMap<i32, (i32, i64)> = {
            let ids: HashSet<i32> = batch.events.iter().filter_map(|e| e.creative_id).collect();
            creative::Entity::find()
                .filter(creative::Column::Id.is_in(ids))
                .all(db)
                .await
                .map_err(db_error)?
                .into_iter()
                .map(|c| (c.id, (c.campaign_id, c.item_id)))
                .collect()
        };
        // The version that serves each user now, for events that do not name theirs.
        let serving_version: HashMap<&str, Option<String>> = externals
            .iter()
            .map(|u| (*u, self.version_for(u)))
            .collect();
        let cpm = self.settings.inference.feed.sponsored_cpm;
        // Events already recorded under their keys (a retried batch) are skipped, not checked
        // again: their tokens were spent by the first try.
        let mut batch_keys = HashSet::new();
        let skipped: HashSet<usize> = batch
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                let key = e.idempotency_key.as_str();
                known_keys.contains(key) || !batch_keys.insert(key)
            })
            .map(|(i, _)| i)
            .collect();
        let attested = self.attest(&batch, &times, &skipped).await?;
        let mut interactions = Vec::new();
        let mut ads = Vec::new();
        let duplicates = skipped.len();
        for (i, e) in batch.events.iter().enumerate() {
            let key = &e.idempotency_key;
            if skipped.contains(&i) {
                continue;
            }
            let user_id = *users.get(&e.user_id).ok_or_else(|| {
                invalid(format!(
                    "events[{i}].user_id `{}` is not a user of `{catalogue_name}`",
                    e.user_id
                ))
            })?;
            if !items.contains(&e.item_id) {
                return Err(invalid(format!(
                    "events[{i}].item_id {} is not an item of `{catalogue_name}`",
                    e.item_id
                )));
            }
            let at = times[i];
            let attestation = attested.get(&i);
            // A token names the version that served the slot; the body's word is not needed.
            let model_version = attestation
                .map(|a| a.claims.model_version.clone())
                .or_else(|| e.model_version.clone())
                .or_else(|| serving_version.get(e.user_id.as_str()).cloned().flatten());
            let kind = match e.kind {
                FeedEventKind::Impression => "view",
                other => other.as_str(),
            };
            interactions.push(interaction::ActiveModel {
                user_id: Set(user_id),
                item_id: Set(e.item_id),
                kind: Set(kind.to_owned()),
                value: Set(e.revenue.or(e.seconds)),
                occurred_at: Set(at),
                idempotency_key: Set(Some(key.clone())),
                model_version: Set(model_version.clone()),
                ..Default::default()
            });
            // A dwell on a sponsored slot is feed activity only: ad events are what is billed.
            if let (Some(campaign_id), Some(creative_id), Some(attestation)) =
                (e.campaign_id, e.creative_id, attestation)
            {
                match creatives.get(&creative_id) {
                    Some((campaign, item)) if *campaign == campaign_id && *item == e.item_id => {}
                    _ => {
                        return Err(invalid(format!(
                            "events[{i}]: creative {creative_id} of campaign {campaign_id} does not promote item {}",
                            e.item_id
                        )));
                    }
                }
                ads.push(event::ActiveModel {
                    idempotency_key: Set(Some(key.clone())),
                    kind: Set(e.kind.as_str().to_owned()),
                    campaign_id: Set(campaign_id),
                    creative_id: Set(creative_id),
                    user_id: Set(Some(user_id)),
                    segment: Set(e.segment.clone().unwrap_or_else(|| "unknown".into())),
                    geo: Set(e.geo.clone().unwrap_or_else(|| "unknown".into())),
                    cost: Set(if e.kind == FeedEventKind::Impression {
                        cpm / 1000.0
                    } else {
                        0.0
                    }),
                    revenue: Set(e.revenue.unwrap_or(0.0)),
                    model_version: Set(model_version),
                    occurred_at: Set(at),
                    attestation: Set(Some(attestation.id.clone())),
                    ..Default::default()
                });
            }
        }
        let mut report = EventsReport {
            accepted: interactions.len(),
            ad_events: ads.len(),
            duplicates,
        };
        let txn = db.begin().await.map_err(db_error)?;
        if !interactions.is_empty() {
            // A concurrent retry of the same batch may have committed since the lookup above:
            // its keys are skipped here rather than failing the batch.
            let written = interaction::Entity::insert_many(interactions)
                .on_conflict(
                    OnConflict::column(interaction::Column::IdempotencyKey)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await
                .map_err(db_error)?;
            let written = usize::try_from(written).unwrap_or(report.accepted);
            report.duplicates += report.accepted.saturating_sub(written);
            report.accepted = written;
        }
        let campaigns: Vec<i32> = ads
            .iter()
            .filter_map(|a| match &a.campaign_id {
                sea_orm::ActiveValue::Set(c) | sea_orm::ActiveValue::Unchanged(c) => Some(*c),
                sea_orm::ActiveValue::NotSet => None,
            })
            .collect();
        if !ads.is_empty() {
            let written = event::Entity::insert_many(ads)
                .on_conflict(
                    OnConflict::column(event::Column::IdempotencyKey)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await
                .map_err(|e| match e.sql_err() {
                    // A concurrent batch spent the same token on the same kind first.
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ApiError::new(
                        ErrorCode::Conflict,
                        "an impression token in this batch has just attested the same kind of event",
                    ),
                    _ => db_error(e),
                })?;
            report.ad_events = usize::try_from(written).unwrap_or(report.ad_events);
        }
        txn.commit().await.map_err(db_error)?;
        self.rollups.mark(campaigns);
        for user in externals {
            self.invalidate_user(user);
        }
        Ok(report)
    }
}
