use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::{ApiError, ErrorCode};
use crate::wire::{
    CategoryList, EventBatch, EventsReport, PlantedTastes, RecommendRequest, RecommendResponse,
    SimilarRequest, SimilarResponse,
};

/// A page of a user's feed, for the Feed page ("load more" passes the cursor back).
#[server(prefix = "/api/fn", endpoint = "recommend", input = Json)]
pub async fn fetch_feed(request: RecommendRequest) -> Result<RecommendResponse, ApiError> {
    crate::services::services()?.feed.recommend(request).await
}

/// "More like this", by an item or by text.
#[server(prefix = "/api/fn", endpoint = "similar", input = Json)]
pub async fn fetch_similar(request: SimilarRequest) -> Result<SimilarResponse, ApiError> {
    crate::services::services()?.feed.similar(request).await
}

/// The feed's category filter.
#[server(prefix = "/api/fn", endpoint = "categories", input = Json)]
pub async fn fetch_categories() -> Result<CategoryList, ApiError> {
    crate::services::services()?.feed.categories().await
}

/// The tastes the demo world planted for a synthetic user (the line under the feed).
#[server(prefix = "/api/fn", endpoint = "planted_tastes", input = Json)]
pub async fn fetch_planted_tastes(user_id: String) -> Result<Option<PlantedTastes>, ApiError> {
    crate::services::services()?
        .feed
        .planted_tastes(user_id)
        .await
}

/// What the Feed page saw and did: impressions, clicks and saves, never conversions (those
/// carry revenue and come from an advertiser's own systems, with a feed key).
#[server(prefix = "/api/fn", endpoint = "feed_events", input = Json)]
pub async fn log_feed_events(batch: EventBatch) -> Result<EventsReport, ApiError> {
    if let Some(i) = batch
        .events
        .iter()
        .position(|e| e.kind == crate::wire::FeedEventKind::Conversion || e.revenue.is_some())
    {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!("events[{i}]: the feed page records impressions, clicks and saves only"),
        ));
    }
    crate::services::services()?.feed.record_events(batch).await
}
