//! The feed's wire types: `/api/v1/recommend`, `/api/v1/similar`, `/api/v1/events`, and the
//! feed page's server functions. Unknown fields are rejected, so a misspelt option is a 400
//! rather than silently ignored.

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};

/// What the caller knows about the moment: a category to stay in, and free text to match.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FeedContext {
    pub category: Option<String>,
    pub text: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecommendRequest {
    /// The catalogue's external user id. An unknown user gets the cold-start feed.
    pub user_id: String,
    /// 1 to 1000; 20 when absent.
    #[serde(default, deserialize_with = "super::whole::optional")]
    pub num_recommendations: Option<usize>,
    #[serde(default)]
    pub context: FeedContext,
    /// Leave out items the user has already interacted with (default true).
    pub exclude_seen: Option<bool>,
    /// From a previous response's `next_cursor`: the next page of the same feed.
    pub cursor: Option<String>,
}

/// A promoted item's campaign and creative, and the token that attests this serving of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Sponsorship {
    pub campaign_id: i32,
    pub creative_id: i32,
    /// Signed by the server for this user, item, campaign, creative, model version and time.
    /// Send it back as `impression_token` with the slot's impression, click, save or
    /// conversion: each kind once, impressions, clicks and saves within an hour (by default),
    /// conversions within the attribution window. Events without it are refused.
    pub impression_token: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FeedItem {
    pub item_id: i64,
    pub external_id: String,
    pub title: String,
    pub category: String,
    /// `/media/items/{id}/image` when the item has a picture.
    pub image_url: Option<String>,
    /// Inner product with the query in the model's space (popularity rank for a cold start).
    pub score: f32,
    pub sponsored: Option<Sponsorship>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RecommendResponse {
    pub user_id: String,
    pub items: Vec<FeedItem>,
    /// Pass back as `cursor` for more; absent at the end of the feed.
    pub next_cursor: Option<String>,
    /// True when the user is unknown or has no history: popular and trending items, and the
    /// context's text, stand in for personalisation.
    pub fallback: bool,
    /// The published index the feed came from.
    pub index_version: String,
    /// The model version (registry id) that ranked it: the serving version, or the user's
    /// arm in an experiment between model versions.
    pub model_version: String,
}

/// Whose feed the browser shows: the viewer (a signed-in account, or the visitor cookie), and
/// whether the demo's "Viewing as" switch may show someone else's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedViewer {
    pub user_id: String,
    pub demo: bool,
}

impl FeedViewer {
    /// The user a page shows: in the demo, the one `asked` for (else `demo_default`);
    /// otherwise always the viewer.
    pub fn shown(&self, asked: Option<String>, demo_default: &str) -> String {
        if self.demo {
            asked.unwrap_or_else(|| demo_default.to_owned())
        } else {
            self.user_id.clone()
        }
    }
}

/// "More like this": exactly one of `item_id` and `text` (a picture goes as multipart).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SimilarRequest {
    #[serde(default, deserialize_with = "super::whole::optional")]
    pub item_id: Option<i64>,
    pub text: Option<String>,
    /// 1 to 1000; 20 when absent.
    #[serde(default, deserialize_with = "super::whole::optional")]
    pub k: Option<usize>,
    pub category: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SimilarResponse {
    /// `item`, `text` or `image`.
    pub query: String,
    /// The item asked about, for an `item` query.
    pub source: Option<FeedItem>,
    pub items: Vec<FeedItem>,
    pub index_version: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum FeedEventKind {
    Impression,
    Click,
    Save,
    Conversion,
    /// Seconds an item was in view (its card at least half visible, or its "more like this"
    /// page open), in `seconds`.
    Dwell,
}

impl FeedEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Impression => "impression",
            Self::Click => "click",
            Self::Save => "save",
            Self::Conversion => "conversion",
            Self::Dwell => "dwell",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FeedEvent {
    pub kind: FeedEventKind,
    pub user_id: String,
    #[serde(deserialize_with = "super::whole::number")]
    pub item_id: i64,
    /// Both set for activity on a sponsored slot: it is then also an ad event.
    #[serde(default, deserialize_with = "super::whole::optional")]
    pub campaign_id: Option<i32>,
    #[serde(default, deserialize_with = "super::whole::optional")]
    pub creative_id: Option<i32>,
    /// A conversion's revenue.
    pub revenue: Option<f64>,
    /// A dwell's seconds, 0 to 3,600; only on a dwell.
    #[serde(default)]
    pub seconds: Option<f64>,
    /// RFC 3339; now when absent.
    pub occurred_at: Option<String>,
    /// Required, unique per event (a UUID, say; 1 to 128 printable characters): an event sent
    /// again with the same key, in a retried batch or another, is recorded once.
    pub idempotency_key: String,
    pub segment: Option<String>,
    pub geo: Option<String>,
    /// The `model_version` of the feed response the item was shown in; when absent, the
    /// version that serves the user now is recorded. A sponsored slot's token names its own.
    #[serde(default)]
    pub model_version: Option<String>,
    /// A sponsored slot's `sponsored.impression_token`: required with `campaign_id`.
    #[serde(default)]
    pub impression_token: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    /// 1 to 1000 events, stored together or not at all.
    pub events: Vec<FeedEvent>,
}

/// Whether `v` looks like a model version id: the hex digits of a weights digest.
pub fn is_model_version(v: &str) -> bool {
    (1..=64).contains(&v.len()) && v.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The most events one batch may hold.
pub const MAX_EVENT_BATCH: usize = 1000;
/// The longest idempotency key.
pub const MAX_IDEMPOTENCY_KEY: usize = 128;
/// The longest dwell one event records: an hour.
pub const MAX_DWELL_SECONDS: f64 = 3600.0;

impl EventBatch {
    /// Checks what can be checked without the database (the server checks ids and times).
    ///
    /// # Errors
    /// `invalid_input` naming the first bad event and field.
    pub fn validate(&self) -> Result<(), ApiError> {
        let invalid = |message: String| ApiError::new(ErrorCode::InvalidInput, message);
        if self.events.is_empty() || self.events.len() > MAX_EVENT_BATCH {
            return Err(invalid(format!(
                "a batch holds 1 to {MAX_EVENT_BATCH} events, got {}",
                self.events.len()
            )));
        }
        for (i, e) in self.events.iter().enumerate() {
            if e.user_id.trim().is_empty() {
                return Err(invalid(format!("events[{i}].user_id must not be empty")));
            }
            let key = &e.idempotency_key;
            if key.is_empty()
                || key.chars().count() > MAX_IDEMPOTENCY_KEY
                || key.chars().any(char::is_control)
            {
                return Err(invalid(format!(
                    "events[{i}].idempotency_key must be 1 to {MAX_IDEMPOTENCY_KEY} printable characters"
                )));
            }
            if e.campaign_id.is_some() != e.creative_id.is_some() {
                return Err(invalid(format!(
                    "events[{i}]: give campaign_id and creative_id together"
                )));
            }
            if e.impression_token.is_some() && e.campaign_id.is_none() {
                return Err(invalid(format!(
                    "events[{i}]: an impression_token goes with the campaign_id and creative_id of its slot"
                )));
            }
            if let Some(r) = e.revenue
                && (!r.is_finite() || r < 0.0)
            {
                return Err(invalid(format!(
                    "events[{i}].revenue must be a non-negative number"
                )));
            }
            if let Some(v) = &e.model_version
                && !is_model_version(v)
            {
                return Err(invalid(format!(
                    "events[{i}].model_version must be a model version id (1 to 64 lowercase hex digits)"
                )));
            }
            if e.revenue.is_some() && e.kind != FeedEventKind::Conversion {
                return Err(invalid(format!(
                    "events[{i}]: only a conversion has revenue"
                )));
            }
            match (e.kind, e.seconds) {
                (FeedEventKind::Dwell, Some(s))
                    if s.is_finite() && (0.0..=MAX_DWELL_SECONDS).contains(&s) => {}
                (FeedEventKind::Dwell, _) => {
                    return Err(invalid(format!(
                        "events[{i}].seconds must be a number of seconds from 0 to {MAX_DWELL_SECONDS}"
                    )));
                }
                (_, Some(_)) => {
                    return Err(invalid(format!(
                        "events[{i}].seconds: only a dwell has seconds"
                    )));
                }
                (_, None) => {}
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventsReport {
    pub accepted: usize,
    /// Of them, also recorded as ad events (sponsored slots).
    pub ad_events: usize,
    /// Already recorded under the same idempotency key (or repeated within the batch); not
    /// stored again.
    pub duplicates: usize,
}

/// What `DELETE /api/v1/users/{user_id}` removed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserDeletion {
    pub user_id: String,
    pub interactions: u64,
    /// Ad events (impressions, clicks, conversions) the user made.
    pub events: u64,
    pub experiment_assignments: u64,
}

/// What `vitrine generate` planted for one of its synthetic users: the attribute values they
/// like and dislike (`pattern=patterned`), so that a person can hold the feed against them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlantedTastes {
    pub user_id: String,
    pub likes: Vec<String>,
    pub dislikes: Vec<String>,
}
