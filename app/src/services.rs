//! The services the server implements and hands to page rendering and server functions through
//! the Leptos context. Declared here, behind `ssr`, so that `app` never depends on `server`.

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::ApiError;
use crate::wire::{
    CampaignReport, CampaignReportRequest, CreateExperiment, CreateStudy, EventBatch, EventsReport,
    ExperimentResults, ExperimentSummary, PowerRequest, PowerResponse, RecommendRequest,
    RecommendResponse, SimilarRequest, SimilarResponse, StudyResults, StudySummary, SystemReport,
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

/// Advertiser analytics: campaign reports, experiments and causal studies.
#[async_trait]
pub trait AnalyticsService: Send + Sync {
    /// A campaign's metrics over a date range, with an optional breakdown.
    async fn campaign_report(
        &self,
        request: CampaignReportRequest,
    ) -> Result<CampaignReport, ApiError>;
    async fn create_experiment(
        &self,
        request: CreateExperiment,
    ) -> Result<ExperimentSummary, ApiError>;
    /// Per-arm metrics, tests, corrections, the SRM check and the sequential reading.
    async fn experiment_results(
        &self,
        id: i32,
        charts: bool,
    ) -> Result<ExperimentResults, ApiError>;
    /// The arm a user falls in (deterministic, from the experiment's salt).
    async fn assign(&self, id: i32, user_id: &str) -> Result<String, ApiError>;
    fn power(&self, request: PowerRequest) -> Result<PowerResponse, ApiError>;
    async fn create_study(&self, request: CreateStudy) -> Result<StudySummary, ApiError>;
    async fn study_results(&self, id: i32, charts: bool) -> Result<StudyResults, ApiError>;
}

/// Every service, as shared trait objects. Cloning is cheap.
#[derive(Clone)]
pub struct Services {
    pub system: Arc<dyn SystemService>,
    pub feed: Arc<dyn FeedService>,
    pub analytics: Arc<dyn AnalyticsService>,
}

/// Takes the services from the Leptos context that the server provided.
///
/// # Errors
/// `unavailable` when called outside a request the server set up (a wiring bug, not user input).
pub fn services() -> Result<Services, ApiError> {
    leptos::prelude::use_context::<Services>()
        .ok_or_else(|| ApiError::new("unavailable", "services are not in the request context"))
}
