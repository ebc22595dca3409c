//! Advertiser analytics: the `AnalyticsService` over SQL, with the statistics from the
//! `estimators` crate.
//!
//! - `access`              who may see which campaign, experiment or study (one place)
//! - `rollup`              daily rollups from raw events (time zone, attribution window)
//! - `dates`               days, instants and ranges from the wire, checked
//! - `campaign`            campaign reports: totals and breakdowns from the rollups
//! - `campaign_list`       the caller's campaigns with their totals over a range
//! - `csv`                 tables as CSV
//! - `experiments`         creation, deterministic assignment, summaries
//! - `listing`             the caller's experiments and studies, for the list pages
//! - `model_experiments`   experiments between two model versions of the feed
//! - `experiment_data`     an experiment's users, events and pre-period covariates
//! - `feed_experiment_data`  the same from the feed's interactions (model experiments)
//! - `experiment_results`  tests per metric and arm, corrections, SRM, the sequential reading
//! - `studies`             causal studies: creation, the geo-by-day panel
//! - `study_results`       difference-in-differences and synthetic control on that panel

mod access;
mod campaign;
mod campaign_list;
pub mod csv;
mod dates;
mod experiment_data;
mod experiment_results;
pub mod experiments;
mod feed_experiment_data;
mod listing;
pub mod model_experiments;
pub mod rollup;
mod studies;
mod study_results;

use std::sync::Arc;
use std::time::Duration;

use access::Resource;
use app::error::{ApiError, ErrorCode};
use app::services::{AnalyticsService, Caller};
use app::wire::{
    CampaignList, CampaignListRequest, CampaignReport, CampaignReportRequest, CreateExperiment,
    CreateStudy, ExperimentList, ExperimentResults, ExperimentSummary, PowerRequest, PowerResponse,
    StudyList, StudyResults, StudySummary,
};
use async_trait::async_trait;
use sea_orm::DatabaseConnection;

use crate::config::Settings;
pub use rollup::RollupQueue;

pub(crate) fn database(error: sea_orm::DbErr) -> ApiError {
    crate::failure::database("an analytics query", error)
}

pub(crate) fn internal(error: impl std::fmt::Display) -> ApiError {
    crate::failure::internal("an analysis", error)
}

pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::NotFound, message)
}

/// Valid input that has nothing to analyse (a range without events, an arm without users).
pub(crate) fn no_data(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::NoData, message)
}

/// The statistics refused the data: said as it is, never as NaN.
pub(crate) fn invalid_stats(error: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::NoData,
        format!("the data cannot be analysed: {error}"),
    )
}

/// The analytics engine: the database, the settings and the rollup queue it drains.
pub struct Analytics {
    pub(crate) db: DatabaseConnection,
    pub(crate) settings: Arc<Settings>,
    pub(crate) rollups: Arc<RollupQueue>,
}

impl Analytics {
    pub fn new(
        db: DatabaseConnection,
        settings: Arc<Settings>,
        rollups: Arc<RollupQueue>,
    ) -> Arc<Self> {
        Arc::new(Self {
            db,
            settings,
            rollups,
        })
    }

    /// Rebuilds what the queue holds; returns the rollup rows written.
    ///
    /// # Errors
    /// The database's.
    pub async fn refresh_rollups(&self) -> Result<usize, sea_orm::DbErr> {
        match self.rollups.take() {
            None => Ok(0),
            Some(campaigns) => {
                rollup::rebuild(
                    &self.db,
                    campaigns,
                    self.settings.analytics.attribution_window_hours,
                )
                .await
            }
        }
    }

    /// Drains the rollup queue every `rollup_interval_secs` until the process ends.
    pub fn start(self: &Arc<Self>) {
        let this = self.clone();
        let every = Duration::from_secs(this.settings.analytics.rollup_interval_secs);
        tokio::spawn(async move {
            loop {
                match this.refresh_rollups().await {
                    Ok(0) => {}
                    Ok(rows) => tracing::info!(rows, "daily rollups rebuilt"),
                    Err(error) => {
                        tracing::warn!(%error, "rebuilding rollups failed; retrying");
                        this.rollups.mark_all();
                    }
                }
                tokio::time::sleep(every).await;
            }
        });
    }
}

#[async_trait]
impl AnalyticsService for Analytics {
    async fn campaign_report(
        &self,
        caller: &Caller,
        request: CampaignReportRequest,
    ) -> Result<CampaignReport, ApiError> {
        self.authorize(caller, Resource::Campaign(request.campaign_id))
            .await?;
        self.report(request).await
    }

    async fn campaign_list(
        &self,
        caller: &Caller,
        request: CampaignListRequest,
    ) -> Result<CampaignList, ApiError> {
        self.list_campaigns(caller, request).await
    }

    async fn experiment_list(&self, caller: &Caller) -> Result<ExperimentList, ApiError> {
        self.list_experiments(caller).await
    }

    async fn study_list(&self, caller: &Caller) -> Result<StudyList, ApiError> {
        self.list_studies(caller).await
    }

    async fn create_experiment(
        &self,
        caller: &Caller,
        request: CreateExperiment,
    ) -> Result<ExperimentSummary, ApiError> {
        self.authorize(caller, Resource::Campaign(request.campaign_id))
            .await?;
        self.create(request).await
    }

    async fn experiment_results(
        &self,
        caller: &Caller,
        id: i32,
        charts: bool,
    ) -> Result<ExperimentResults, ApiError> {
        self.authorize(caller, Resource::Experiment(id)).await?;
        self.results(id, charts).await
    }

    async fn assign(&self, caller: &Caller, id: i32, user_id: &str) -> Result<String, ApiError> {
        self.authorize(caller, Resource::Experiment(id)).await?;
        self.assignment(id, user_id).await
    }

    fn power(&self, caller: &Caller, request: PowerRequest) -> Result<PowerResponse, ApiError> {
        // Nothing stored is read: any advertiser or admin may use it.
        access::advertiser_of(caller)?;
        let treatment = request.baseline_rate * (1.0 + request.minimum_relative_lift);
        let size = estimators::sample_size(
            request.baseline_rate,
            treatment,
            request.alpha,
            request.power,
            request.ratio,
        )
        .map_err(|e| ApiError::new(ErrorCode::InvalidInput, e.to_string()))?;
        let (control, treated) = (size.control.ceil() as u64, size.treatment.ceil() as u64);
        Ok(PowerResponse {
            control_units: control,
            treatment_units: treated,
            total_units: control + treated,
            effect_size: size.effect_size,
        })
    }

    async fn create_study(
        &self,
        caller: &Caller,
        request: CreateStudy,
    ) -> Result<StudySummary, ApiError> {
        self.authorize(caller, Resource::Campaign(request.campaign_id))
            .await?;
        Analytics::create_study(self, request).await
    }

    async fn study_results(
        &self,
        caller: &Caller,
        id: i32,
        charts: bool,
    ) -> Result<StudyResults, ApiError> {
        self.authorize(caller, Resource::Study(id)).await?;
        Analytics::study_results(self, id, charts).await
    }
}
