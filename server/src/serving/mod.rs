//! Serving: everything a feed request touches, answered from memory.
//!
//! - `access`      the feed's access policy: who may use it, whose feed and events, the demo
//! - `index`       `vitrine index`: the content tower over the catalogue, published to LanceDB
//! - `snapshot`    one published index version in memory (IVF-Flat, cards, popularity, model)
//! - `workers`     the model's threads: user vectors, text and picture queries, off the executor
//! - `engine`      `Serving`: the current snapshot, its hot swap, the moka caches, promotions
//! - `feed`        recommend: cache, user vector, filtered ANN, rerank, sponsored slots, cursor
//! - `cards`       what a page shows of each entry: item cards and their sponsorship
//! - `rerank`      the rerank hook: category diversity and sponsored slots
//! - `cold_start`  the feed of a user without history: text matches, trending, popular
//! - `before_index` the feed before any index exists: the catalogue in cold-start order, no model
//! - `users`       a user's tokens, history and seen items from SQL
//! - `promotions`  active campaigns within schedule and budget, and their creatives
//! - `similar`     "more like this" by item, text or picture; the snapshot's categories
//! - `events`      recording feed activity in batches
//! - `attestation` sponsored slots' signed impression tokens (HMAC), and checking them
//! - `attested`    the rule that only events with a valid, unused token cost or count
//! - `deletion`    deleting a user and everything stored or cached about them
//! - `delta`       a snapshot with items added (filed into the IVF lists) or retired (masked)
//! - `additions`   the catalogue API's new items into the snapshot within a bounded delay
//! - `catch_up`    catalogue changes by other writers (the CLI, another replica), each poll
//! - `model_arms`  an experiment between model versions: each user's arm, exposures
//! - `challenger`  a snapshot of the served rows scored by another model version, in memory
//! - `planted`     a synthetic user's planted tastes from the ground truth (the demo's line)

pub mod access;
mod additions;
pub mod attestation;
mod attested;
mod before_index;
mod cards;
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
use app::services::{FeedCaller, FeedService};
use app::wire::{
    CategoryList, EventBatch, EventsReport, FeedViewer, PlantedTastes, RecommendRequest,
    RecommendResponse, SimilarRequest, SimilarResponse,
};

pub use engine::Serving;
pub use model_arms::running_model_experiment;
pub use similar::MAX_PICTURE_BYTES;

/// The feed service the pages, server functions and REST handlers share. Each method asks
/// the access policy (`access`) first.
pub struct FeedEngine(pub Arc<Serving>);

impl FeedEngine {
    fn demo(&self) -> bool {
        self.0.settings.demo
    }
}

#[async_trait::async_trait]
impl FeedService for FeedEngine {
    async fn recommend(
        &self,
        caller: &FeedCaller,
        mut request: RecommendRequest,
    ) -> Result<RecommendResponse, ApiError> {
        request.user_id = access::feed_user(caller, self.demo(), request.user_id)?;
        self.0.recommend(request).await
    }

    async fn similar(
        &self,
        caller: &FeedCaller,
        request: SimilarRequest,
    ) -> Result<SimilarResponse, ApiError> {
        access::admit(caller)?;
        self.0.similar(request).await
    }

    async fn similar_to_picture(
        &self,
        caller: &FeedCaller,
        picture: Vec<u8>,
        k: Option<usize>,
        category: Option<String>,
    ) -> Result<SimilarResponse, ApiError> {
        access::admit(caller)?;
        self.0.similar_to_picture(picture, k, category).await
    }

    async fn record_events(
        &self,
        caller: &FeedCaller,
        batch: EventBatch,
    ) -> Result<EventsReport, ApiError> {
        access::events(caller, self.demo(), &batch)?;
        // A visitor becomes a feed user at their first event.
        let newcomer = match caller {
            FeedCaller::Browser { viewer } => Some(viewer.as_str()),
            FeedCaller::Client(_) => None,
        };
        self.0.record_events(batch, newcomer).await
    }

    async fn planted_tastes(
        &self,
        caller: &FeedCaller,
        user_id: String,
    ) -> Result<Option<PlantedTastes>, ApiError> {
        let Some(user_id) = access::planted_user(caller, self.demo(), user_id)? else {
            return Ok(None);
        };
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

    async fn categories(&self, caller: &FeedCaller) -> Result<CategoryList, ApiError> {
        access::admit(caller)?;
        self.0.categories().await
    }

    async fn viewer(&self, caller: &FeedCaller) -> Result<FeedViewer, ApiError> {
        Ok(FeedViewer {
            user_id: access::feed_user(caller, false, String::new())?,
            demo: self.demo(),
        })
    }
}
