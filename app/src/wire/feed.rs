//! The feed's wire types: `/api/v1/recommend`, `/api/v1/similar`, `/api/v1/events`, and the
//! feed page's server functions. Unknown fields are rejected, so a misspelt option is a 400
//! rather than silently ignored.

use serde::{Deserialize, Serialize};

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
    pub num_recommendations: Option<usize>,
    #[serde(default)]
    pub context: FeedContext,
    /// Leave out items the user has already interacted with (default true).
    pub exclude_seen: Option<bool>,
    /// From a previous response's `next_cursor`: the next page of the same feed.
    pub cursor: Option<String>,
}

/// A promoted item's campaign and creative.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Sponsorship {
    pub campaign_id: i32,
    pub creative_id: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FeedItem {
    pub item_id: i64,
    pub external_id: String,
    pub title: String,
    pub category: String,
    /// `/media/items/{id}` when the item has a picture.
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
}

/// "More like this": exactly one of `item_id` and `text` (a picture goes as multipart).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SimilarRequest {
    pub item_id: Option<i64>,
    pub text: Option<String>,
    /// 1 to 1000; 20 when absent.
    pub k: Option<usize>,
    pub category: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SimilarResponse {
    /// `item`, `text` or `image`.
    pub query: String,
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
}

impl FeedEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Impression => "impression",
            Self::Click => "click",
            Self::Save => "save",
            Self::Conversion => "conversion",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FeedEvent {
    pub kind: FeedEventKind,
    pub user_id: String,
    pub item_id: i64,
    /// Both set for activity on a sponsored slot: it is then also an ad event.
    pub campaign_id: Option<i32>,
    pub creative_id: Option<i32>,
    /// A conversion's revenue.
    pub revenue: Option<f64>,
    /// RFC 3339; now when absent.
    pub occurred_at: Option<String>,
    /// An ad event (sponsored slot) sent again with the same key is recorded once.
    pub idempotency_key: Option<String>,
    pub segment: Option<String>,
    pub geo: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventBatch {
    /// 1 to 1000 events, stored together or not at all.
    pub events: Vec<FeedEvent>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventsReport {
    pub accepted: usize,
    /// Of them, also recorded as ad events (sponsored slots).
    pub ad_events: usize,
    /// Already recorded under the same idempotency key; not stored again.
    pub duplicates: usize,
}
