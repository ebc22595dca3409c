//! The services the server implements and hands to page rendering and server functions through
//! the Leptos context. Declared here, behind `ssr`, so that `app` never depends on `server`.

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::{ApiError, ErrorCode};
use crate::wire::{
    CampaignList, CampaignListRequest, CampaignReport, CampaignReportRequest, CategoryList,
    CreateExperiment, CreateModelExperiment, CreateStudy, EventBatch, EventsReport, ExperimentList,
    ExperimentResults, ExperimentSummary, FeedViewer, ItemsAdded, ItemsRetired, ModelReport,
    NewItems, NewUsers, PlantedTastes, PowerRequest, PowerResponse, RecommendRequest,
    RecommendResponse, RetireItems, SimilarRequest, SimilarResponse, StudyList, StudyResults,
    StudySummary, SystemReport, UserDeletion, UsersAdded,
};

/// Health and versions of the stack: libtorch, SQL, LanceDB. Anyone may read them (the
/// platform's status, like `/healthz`); the caller is taken like every service's.
#[async_trait]
pub trait SystemService: Send + Sync {
    /// Gathers a fresh report. Touches the database and the vector store, so it is not free.
    async fn report(&self, caller: &Caller) -> Result<SystemReport, ApiError>;
    /// The served model, its index, what `doctor` finds, the training curve and the latest
    /// evaluation.
    async fn model_report(&self, caller: &Caller) -> Result<ModelReport, ApiError>;
}

/// The catalogue API: new and changed items, retired items, new users. A catalogue key's (or
/// an admin's); the feed serves the changes within `inference.additions.delay_secs`.
#[async_trait]
pub trait CatalogueService: Send + Sync {
    /// All of the batch, or none.
    async fn add_items(&self, caller: &Caller, request: NewItems) -> Result<ItemsAdded, ApiError>;
    /// Each item becomes what the request says; all of the batch, or none.
    async fn update_items(
        &self,
        caller: &Caller,
        request: NewItems,
    ) -> Result<ItemsAdded, ApiError>;
    /// The items leave the feed at once.
    async fn retire_items(
        &self,
        caller: &Caller,
        request: RetireItems,
    ) -> Result<ItemsRetired, ApiError>;
    async fn add_users(&self, caller: &Caller, request: NewUsers) -> Result<UsersAdded, ApiError>;
}

/// What only an admin may do to the platform: split the feed between model versions, erase a
/// feed user.
#[async_trait]
pub trait AdminService: Send + Sync {
    async fn create_model_experiment(
        &self,
        caller: &Caller,
        request: CreateModelExperiment,
    ) -> Result<ExperimentSummary, ApiError>;
    /// Deletes the user and everything stored or cached about them.
    async fn delete_user(&self, caller: &Caller, user_id: &str) -> Result<UserDeletion, ApiError>;
}

/// The discovery feed: personalised recommendations, "more like this", and feed events. Every
/// method takes the caller; the feed's access policy (`serving/access.rs`) decides in one place
/// what each may do.
#[async_trait]
pub trait FeedService: Send + Sync {
    /// A page of the user's feed (the cold-start feed for an unknown user). From the browser,
    /// the viewer's own feed, whatever user the request names (outside the demo).
    async fn recommend(
        &self,
        caller: &FeedCaller,
        request: RecommendRequest,
    ) -> Result<RecommendResponse, ApiError>;
    /// Items like an item, or like free text.
    async fn similar(
        &self,
        caller: &FeedCaller,
        request: SimilarRequest,
    ) -> Result<SimilarResponse, ApiError>;
    /// Items like an uploaded picture.
    async fn similar_to_picture(
        &self,
        caller: &FeedCaller,
        picture: Vec<u8>,
        k: Option<usize>,
        category: Option<String>,
    ) -> Result<SimilarResponse, ApiError>;
    /// Stores a batch of impressions, clicks, saves and conversions, all or nothing. From the
    /// browser, only the viewer's own activity, and never conversions.
    async fn record_events(
        &self,
        caller: &FeedCaller,
        batch: EventBatch,
    ) -> Result<EventsReport, ApiError>;
    /// The served catalogue's categories, largest first: the feed's filter.
    async fn categories(&self, caller: &FeedCaller) -> Result<CategoryList, ApiError>;
    /// The browser's viewer, and whether the demo's "Viewing as" switch is on.
    async fn viewer(&self, caller: &FeedCaller) -> Result<FeedViewer, ApiError>;
    /// The tastes planted for a synthetic user of the generated world; none for anyone else.
    async fn planted_tastes(
        &self,
        caller: &FeedCaller,
        user_id: String,
    ) -> Result<Option<PlantedTastes>, ApiError>;
}

/// Who a feed request is for, and which door it came through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedCaller {
    /// A machine through `/api/v1`: its key decides whether it may use the feed at all, and the
    /// request names the user.
    Client(Caller),
    /// The browser (server functions, forms, beacons): `viewer` is the feed user of its
    /// session's account or of its visitor cookie, never a body field.
    Browser { viewer: String },
}

/// The viewer of a browser request, put in its extensions by the server's visitor layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer(pub String);

/// Who is asking: resolved once per request from an API key or the session cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// No key and no session.
    Anonymous,
    /// An advertiser's account (session) or analytics key: sees its advertiser only.
    Advertiser { account_id: i32, advertiser_id: i32 },
    /// An admin's account or key: sees every advertiser.
    Admin { account_id: i32 },
    /// A feed client's key: recommendations, similar items and events.
    FeedClient { account_id: i32, key_id: i32 },
    /// A catalogue key: adds, retires and creates items and users.
    CatalogueClient { account_id: i32, key_id: i32 },
}

/// Accounts, sessions and keys.
#[async_trait]
pub trait AuthService: Send + Sync {
    /// The caller behind a request's headers (`Authorization: Bearer`, or the session cookie).
    async fn caller(&self, headers: &http::HeaderMap) -> Caller;
}

/// Advertiser analytics: campaign reports, experiments and causal studies. Every method
/// checks that `caller` may see the campaign, experiment or study it names.
#[async_trait]
pub trait AnalyticsService: Send + Sync {
    /// The caller's campaigns (an admin's: all) with their totals over a date range.
    async fn campaign_list(
        &self,
        caller: &Caller,
        request: CampaignListRequest,
    ) -> Result<CampaignList, ApiError>;
    /// A campaign's metrics over a date range, with an optional breakdown.
    async fn campaign_report(
        &self,
        caller: &Caller,
        request: CampaignReportRequest,
    ) -> Result<CampaignReport, ApiError>;
    /// The caller's experiments (an admin's: all), newest first.
    async fn experiment_list(&self, caller: &Caller) -> Result<ExperimentList, ApiError>;
    /// The caller's causal studies (an admin's: all), newest first, and the geos they may use.
    async fn study_list(&self, caller: &Caller) -> Result<StudyList, ApiError>;
    async fn create_experiment(
        &self,
        caller: &Caller,
        request: CreateExperiment,
    ) -> Result<ExperimentSummary, ApiError>;
    /// Per-arm metrics, tests, corrections, the SRM check and the sequential reading.
    async fn experiment_results(
        &self,
        caller: &Caller,
        id: i32,
        charts: bool,
    ) -> Result<ExperimentResults, ApiError>;
    /// The arm a user falls in (deterministic, from the experiment's salt).
    async fn assign(&self, caller: &Caller, id: i32, user_id: &str) -> Result<String, ApiError>;
    fn power(&self, caller: &Caller, request: PowerRequest) -> Result<PowerResponse, ApiError>;
    async fn create_study(
        &self,
        caller: &Caller,
        request: CreateStudy,
    ) -> Result<StudySummary, ApiError>;
    async fn study_results(
        &self,
        caller: &Caller,
        id: i32,
        charts: bool,
    ) -> Result<StudyResults, ApiError>;
}

/// Every service, as shared trait objects. Cloning is cheap.
#[derive(Clone)]
pub struct Services {
    pub system: Arc<dyn SystemService>,
    pub feed: Arc<dyn FeedService>,
    pub analytics: Arc<dyn AnalyticsService>,
    pub auth: Arc<dyn AuthService>,
    pub catalogue: Arc<dyn CatalogueService>,
    pub admin: Arc<dyn AdminService>,
}

/// The caller of the server function being run, from its request's headers.
pub async fn caller() -> Result<Caller, ApiError> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()
        .ok_or_else(|| ApiError::new(ErrorCode::Unavailable, "no request in the context"))?;
    // The limit layer resolved it when it admitted the request.
    if let Some(caller) = parts.extensions.get::<Caller>() {
        return Ok(caller.clone());
    }
    Ok(services()?.auth.caller(&parts.headers).await)
}

/// The browser's feed caller of the server function being run: its viewer, from the request's
/// extensions (the session's account or the visitor cookie).
///
/// # Errors
/// `unavailable` outside a request the server's visitor layer saw (a wiring bug).
pub fn feed_caller() -> Result<FeedCaller, ApiError> {
    let parts = leptos::prelude::use_context::<http::request::Parts>()
        .ok_or_else(|| ApiError::new(ErrorCode::Unavailable, "no request in the context"))?;
    let viewer = parts
        .extensions
        .get::<Viewer>()
        .ok_or_else(|| ApiError::new(ErrorCode::Unavailable, "the request has no viewer"))?;
    Ok(FeedCaller::Browser {
        viewer: viewer.0.clone(),
    })
}

/// Takes the services from the Leptos context that the server provided.
///
/// # Errors
/// `unavailable` when called outside a request the server set up (a wiring bug, not user input).
pub fn services() -> Result<Services, ApiError> {
    leptos::prelude::use_context::<Services>().ok_or_else(|| {
        ApiError::new(
            ErrorCode::Unavailable,
            "services are not in the request context",
        )
    })
}
