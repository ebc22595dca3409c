//! Serving: everything a feed request touches, answered from memory.
//!
//! - `index`       `vitrine index`: the content tower over the catalogue, published to LanceDB
//! - `snapshot`    one published index version in memory (IVF-Flat, cards, popularity, model)
//! - `workers`     the model's threads: user vectors, text and picture queries, off the executor
//! - `engine`      `Serving`: the current snapshot, its hot swap, the moka caches, promotions
//! - `feed`        recommend: cache, user vector, filtered ANN, rerank, sponsored slots, cursor
//! - `rerank`      the rerank hook: category diversity and sponsored slots
//! - `cold_start`  the feed of a user without history: text matches, trending, popular
//! - `before_index` the feed before any index exists: the catalogue in cold-start order, no model
//! - `users`       a user's tokens, history and seen items from SQL
//! - `promotions`  active campaigns within schedule and budget, and their creatives
//! - `similar`     "more like this" by item, text or picture; the snapshot's categories
//! - `events`      recording feed activity in batches
//! - `deletion`    deleting a user and everything stored or cached about them
//! - `delta`       a snapshot with items added (filed into the IVF lists) or retired (masked)
//! - `additions`   the catalogue API's new items into the snapshot within a bounded delay
//! - `catch_up`    catalogue changes by other writers (the CLI, another replica), each poll
//! - `model_arms`  an experiment between model versions: each user's arm, exposures
//! - `challenger`  a snapshot of the served rows scored by another model version, in memory
//! - `planted`     a synthetic user's planted tastes from the ground truth (the demo's line)

mod additions;
mod before_index;
mod catch_up;
mod challenger;
mod cold_start;
pub mod deletion;
mod delta;
mod engine;
mod events;
mod feed;
pub mod index;
mod model_arms;
mod planted;
pub mod promotions;
pub mod rerank;
mod similar;
pub mod snapshot;
mod users;
pub mod workers;

use std::sync::Arc;

use app::error::ApiError;
use app::services::FeedService;
use app::wire::{
    CategoryList, EventBatch, EventsReport, PlantedTastes, RecommendRequest, RecommendResponse,
    SimilarRequest, SimilarResponse,
};

pub use engine::Serving;
pub use model_arms::running_model_experiment;
pub use similar::MAX_PICTURE_BYTES;

/// The feed service the pages, server functions and REST handlers share.
pub struct FeedEngine(pub Arc<Serving>);

#[async_trait::async_trait]
impl FeedService for FeedEngine {
    async fn recommend(&self, request: RecommendRequest) -> Result<RecommendResponse, ApiError> {
        self.0.recommend(request).await
    }

    async fn similar(&self, request: SimilarRequest) -> Result<SimilarResponse, ApiError> {
        self.0.similar(request).await
    }

    async fn similar_to_picture(
        &self,
        picture: Vec<u8>,
        k: Option<usize>,
        category: Option<String>,
    ) -> Result<SimilarResponse, ApiError> {
        self.0.similar_to_picture(picture, k, category).await
    }

    async fn record_events(&self, batch: EventBatch) -> Result<EventsReport, ApiError> {
        self.0.record_events(batch).await
    }

    async fn planted_tastes(&self, user_id: String) -> Result<Option<PlantedTastes>, ApiError> {
        let path = self
            .0
            .settings
            .data
            .dir
            .join("ground_truth")
            .join("user_tastes.tsv");
        tokio::task::spawn_blocking(move || planted::find(&path, &user_id))
            .await
            .map_err(|e| crate::failure::internal("reading planted tastes", e))?
            .map_err(|e| crate::failure::internal("reading planted tastes", e))
    }

    async fn categories(&self) -> Result<CategoryList, ApiError> {
        self.0.categories().await
    }
}
