use leptos::prelude::*;

use crate::error::ApiError;
use crate::wire::{RecommendRequest, RecommendResponse};

/// A page of a user's feed, for the Feed page ("load more" passes the cursor back).
#[server(prefix = "/api/fn", endpoint = "recommend")]
pub async fn fetch_feed(request: RecommendRequest) -> Result<RecommendResponse, ApiError> {
    crate::services::services()?.feed.recommend(request).await
}
