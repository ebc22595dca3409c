//! The services the server implements and hands to page rendering and server functions through
//! the Leptos context. Declared here, behind `ssr`, so that `app` never depends on `server`.

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::ApiError;
use crate::wire::{
    EventBatch, EventsReport, RecommendRequest, RecommendResponse, SimilarRequest, SimilarResponse,
    SystemReport,
};

/// Health and versions of the stack: libtorch, SQL, LanceDB.
#[async_trait]
pub trait SystemService: Send + Sync {
    /// Gathers a fresh report. Touches the database and the vector store, so it is not free.
    async fn report(&self) -> Result<SystemReport, ApiError>;
}

/// The discovery feed: personalised recommendations, "more like this", and feed events.
#[async_trait]
pub trait FeedService: Send + Sync {
    /// A page of the user's feed (the cold-start feed for an unknown user).
    async fn recommend(&self, request: RecommendRequest) -> Result<RecommendResponse, ApiError>;
    /// Items like an item, or like free text.
    async fn similar(&self, request: SimilarRequest) -> Result<SimilarResponse, ApiError>;
    /// Items like an uploaded picture.
    async fn similar_to_picture(
        &self,
        picture: Vec<u8>,
        k: Option<usize>,
        category: Option<String>,
    ) -> Result<SimilarResponse, ApiError>;
    /// Stores a batch of impressions, clicks, saves and conversions, all or nothing.
    async fn record_events(&self, batch: EventBatch) -> Result<EventsReport, ApiError>;
}

/// Every service, as shared trait objects. Cloning is cheap.
#[derive(Clone)]
pub struct Services {
    pub system: Arc<dyn SystemService>,
    pub feed: Arc<dyn FeedService>,
}

/// Takes the services from the Leptos context that the server provided.
///
/// # Errors
/// `unavailable` when called outside a request the server set up (a wiring bug, not user input).
pub fn services() -> Result<Services, ApiError> {
    leptos::prelude::use_context::<Services>()
        .ok_or_else(|| ApiError::new("unavailable", "services are not in the request context"))
}
