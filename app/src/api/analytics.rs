//! The dashboard's server functions over the analytics service (the REST routes call the same
//! methods), JSON in and out, for the session's caller. Pages ask for charts; machines usually
//! do not.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::ApiError;
use crate::wire::{
    CampaignList, CampaignListRequest, CampaignReport, CampaignReportRequest, CreateExperiment,
    CreateStudy, ExperimentList, ExperimentResults, ExperimentSummary, PowerRequest, PowerResponse,
    StudyList, StudyResults, StudySummary,
};

/// The caller's campaigns and their totals, for the Campaigns page.
#[server(prefix = "/api/fn", endpoint = "campaign_list", input = Json)]
pub async fn fetch_campaign_list(request: CampaignListRequest) -> Result<CampaignList, ApiError> {
    let caller = crate::services::caller().await?;
    crate::services::services()?
        .analytics
        .campaign_list(&caller, request)
        .await
}

/// A campaign's report, with charts.
#[server(prefix = "/api/fn", endpoint = "campaign_report", input = Json)]
pub async fn fetch_campaign_report(
    request: CampaignReportRequest,
) -> Result<CampaignReport, ApiError> {
    let caller = crate::services::caller().await?;
    crate::services::services()?
        .analytics
        .campaign_report(
            &caller,
            CampaignReportRequest {
                charts: true,
                ..request
            },
        )
        .await
}

#[server(prefix = "/api/fn", endpoint = "create_experiment", input = Json)]
pub async fn submit_experiment(request: CreateExperiment) -> Result<ExperimentSummary, ApiError> {
    let caller = crate::services::caller().await?;
    crate::services::services()?
        .analytics
        .create_experiment(&caller, request)
        .await
}

/// An experiment's results, with the lift chart.
#[server(prefix = "/api/fn", endpoint = "experiment_results", input = Json)]
pub async fn fetch_experiment_results(id: i32) -> Result<ExperimentResults, ApiError> {
    let caller = crate::services::caller().await?;
    crate::services::services()?
        .analytics
        .experiment_results(&caller, id, true)
        .await
}

/// The power calculator.
#[server(prefix = "/api/fn", endpoint = "power", input = Json)]
pub async fn compute_power(request: PowerRequest) -> Result<PowerResponse, ApiError> {
    let caller = crate::services::caller().await?;
    crate::services::services()?
        .analytics
        .power(&caller, request)
}

#[server(prefix = "/api/fn", endpoint = "create_study", input = Json)]
pub async fn submit_study(request: CreateStudy) -> Result<StudySummary, ApiError> {
    let caller = crate::services::caller().await?;
    crate::services::services()?
        .analytics
        .create_study(&caller, request)
        .await
}

/// A study's results, with its charts.
#[server(prefix = "/api/fn", endpoint = "study_results", input = Json)]
pub async fn fetch_study_results(id: i32) -> Result<StudyResults, ApiError> {
    let caller = crate::services::caller().await?;
    crate::services::services()?
        .analytics
        .study_results(&caller, id, true)
        .await
}

/// The caller's experiments, for the Experiments page.
#[server(prefix = "/api/fn", endpoint = "experiment_list", input = Json)]
pub async fn fetch_experiment_list() -> Result<ExperimentList, ApiError> {
    let caller = crate::services::caller().await?;
    crate::services::services()?
        .analytics
        .experiment_list(&caller)
        .await
}

/// The caller's causal studies, campaigns and geos, for the Studies page.
#[server(prefix = "/api/fn", endpoint = "study_list", input = Json)]
pub async fn fetch_study_list() -> Result<StudyList, ApiError> {
    let caller = crate::services::caller().await?;
    crate::services::services()?
        .analytics
        .study_list(&caller)
        .await
}
