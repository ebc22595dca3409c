use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::ApiError;
use crate::wire::{
    CategoryList, EventBatch, EventsReport, FeedViewer, PlantedTastes, RecommendRequest,
    RecommendResponse, SimilarRequest, SimilarResponse,
};

/// A page of a user's feed, for the Feed page ("load more" passes the cursor back).
#[server(prefix = "/api/fn", endpoint = "recommend", input = Json)]
pub async fn fetch_feed(request: RecommendRequest) -> Result<RecommendResponse, ApiError> {
    let caller = crate::services::feed_caller()?;
    crate::services::services()?
        .feed
        .recommend(&caller, request)
        .await
}

/// "More like this", by an item or by text.
#[server(prefix = "/api/fn", endpoint = "similar", input = Json)]
pub async fn fetch_similar(request: SimilarRequest) -> Result<SimilarResponse, ApiError> {
    let caller = crate::services::feed_caller()?;
    crate::services::services()?
        .feed
        .similar(&caller, request)
        .await
}

/// The feed's category filter.
#[server(prefix = "/api/fn", endpoint = "categories", input = Json)]
pub async fn fetch_categories() -> Result<CategoryList, ApiError> {
    let caller = crate::services::feed_caller()?;
    crate::services::services()?.feed.categories(&caller).await
}

/// Whose feed the browser shows, and whether the demo's "Viewing as" switch is on.
#[server(prefix = "/api/fn", endpoint = "feed_viewer", input = Json)]
pub async fn fetch_viewer() -> Result<FeedViewer, ApiError> {
    let caller = crate::services::feed_caller()?;
    crate::services::services()?.feed.viewer(&caller).await
}

/// The tastes the demo world planted for a synthetic user (the line under the feed).
#[server(prefix = "/api/fn", endpoint = "planted_tastes", input = Json)]
pub async fn fetch_planted_tastes(user_id: String) -> Result<Option<PlantedTastes>, ApiError> {
    let caller = crate::services::feed_caller()?;
    crate::services::services()?
        .feed
        .planted_tastes(&caller, user_id)
        .await
}

/// What the Feed page saw and did: the viewer's impressions, clicks and saves, never
/// conversions (those carry revenue and come from an advertiser's own systems, with a feed key).
#[server(prefix = "/api/fn", endpoint = "feed_events", input = Json)]
pub async fn log_feed_events(batch: EventBatch) -> Result<EventsReport, ApiError> {
    let caller = crate::services::feed_caller()?;
    crate::services::services()?
        .feed
        .record_events(&caller, batch)
        .await
}
