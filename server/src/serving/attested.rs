//! Only attested events cost money or count in campaign reports. An impression, click, save
//! or conversion on a sponsored slot must bring the impression token the feed signed when it
//! served the slot (`attestation`), and the token must:
//! - be this server's (or a replica's with the same secret), unaltered;
//! - name the event's user, item, campaign and creative;
//! - be within its window: `auth.impression_token_secs` after serving for impressions, clicks
//!   and saves, `analytics.attribution_window_hours` for conversions;
//! - not have attested an event of the same kind before (in SQL, or earlier in the batch);
//! - for a conversion, have attested the slot's click already.
//!
//! Anything else refuses the whole batch with a 4xx, before anything is written. A dwell on a
//! sponsored slot is feed activity only and needs no token.

use std::collections::{HashMap, HashSet};

use app::error::{ApiError, ErrorCode};
use app::wire::{EventBatch, FeedEvent, FeedEventKind};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::attestation::Attested;
use super::engine::Serving;
use crate::db::entities::event;

/// How far an event's time may sit before its serving, or a serving in the future: clocks of
/// clients and replicas differ a little.
const CLOCK_SLACK_SECS: i64 = 300;

fn forbidden(message: String) -> ApiError {
    ApiError::new(ErrorCode::Forbidden, message)
}

/// Whether `e` is billable activity on a sponsored slot.
pub(super) fn is_sponsored(e: &FeedEvent) -> bool {
    e.campaign_id.is_some() && e.kind != FeedEventKind::Dwell
}

impl Serving {
    /// The attestation of each sponsored event of `batch` that is to be written (by index),
    /// at `times[i]`; `skipped` holds the indices already recorded under their idempotency keys.
    ///
    /// # Errors
    /// `forbidden` for a missing, foreign, altered, mismatched or expired token, or a
    /// conversion without its click; `conflict` for a token already used for the kind.
    pub(super) async fn attest(
        &self,
        batch: &EventBatch,
        times: &[DateTime<Utc>],
        skipped: &HashSet<usize>,
    ) -> Result<HashMap<usize, Attested>, ApiError> {
        let now = Utc::now().timestamp();
        let mut attested = HashMap::new();
        for (i, e) in batch.events.iter().enumerate() {
            if skipped.contains(&i) || !is_sponsored(e) {
                continue;
            }
            let token = e.impression_token.as_deref().ok_or_else(|| {
                forbidden(format!(
                    "events[{i}]: activity on a sponsored slot needs the impression_token the feed served with it"
                ))
            })?;
            let a = self
                .attestor
                .verify(token)
                .map_err(|why| forbidden(format!("events[{i}].impression_token {why}")))?;
            self.fits(i, e, &a, now, times[i].timestamp())?;
            attested.insert(i, a);
        }
        if attested.is_empty() {
            return Ok(attested);
        }
        let ids: HashSet<&str> = attested.values().map(|a| a.id.as_str()).collect();
        let used: HashSet<(String, String)> = event::Entity::find()
            .select_only()
            .columns([event::Column::Attestation, event::Column::Kind])
            .filter(event::Column::Attestation.is_in(ids))
            .into_tuple::<(Option<String>, String)>()
            .all(&self.db)
            .await
            .map_err(|e| crate::failure::database("checking impression tokens", e))?
            .into_iter()
            .filter_map(|(id, kind)| id.map(|id| (id, kind)))
            .collect();
        let mut in_batch: HashSet<(&str, &str)> = HashSet::new();
        let mut indices: Vec<&usize> = attested.keys().collect();
        indices.sort_unstable();
        for &i in indices {
            let (e, a) = (&batch.events[i], &attested[&i]);
            let kind = e.kind.as_str();
            if used.contains(&(a.id.clone(), kind.to_owned())) || !in_batch.insert((&a.id, kind)) {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    format!("events[{i}].impression_token has already attested a {kind}"),
                ));
            }
            let clicked = used.contains(&(a.id.clone(), "click".to_owned()))
                || in_batch.contains(&(a.id.as_str(), "click"));
            if e.kind == FeedEventKind::Conversion && !clicked {
                return Err(forbidden(format!(
                    "events[{i}]: a conversion needs the attested click of its slot first"
                )));
            }
        }
        Ok(attested)
    }

    /// Whether the token's claims fit event `i`, and it is within its window at `now`.
    fn fits(
        &self,
        i: usize,
        e: &FeedEvent,
        a: &Attested,
        now: i64,
        at: i64,
    ) -> Result<(), ApiError> {
        let c = &a.claims;
        let mismatch = [
            (c.user_id != e.user_id, "another user"),
            (c.item_id != e.item_id, "another item"),
            (
                Some(c.campaign_id) != e.campaign_id || Some(c.creative_id) != e.creative_id,
                "another campaign or creative",
            ),
        ]
        .into_iter()
        .find_map(|(differs, what)| differs.then_some(what));
        if let Some(what) = mismatch {
            return Err(forbidden(format!(
                "events[{i}].impression_token was served for {what}"
            )));
        }
        let window = if e.kind == FeedEventKind::Conversion {
            i64::from(self.settings.analytics.attribution_window_hours) * 3600
        } else {
            i64::try_from(self.settings.auth.impression_token_secs).unwrap_or(i64::MAX)
        };
        let age = now - c.served_at;
        if age > window || age < -CLOCK_SLACK_SECS {
            return Err(forbidden(format!(
                "events[{i}].impression_token has expired: a {} is attested within {window} s of serving, and this slot was served {age} s ago",
                e.kind.as_str()
            )));
        }
        if at < c.served_at - CLOCK_SLACK_SECS || at > now + CLOCK_SLACK_SECS {
            return Err(forbidden(format!(
                "events[{i}].occurred_at is outside the life of its impression token"
            )));
        }
        Ok(())
    }
}
