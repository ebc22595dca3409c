//! The dashboard's server functions over the analytics service (the REST routes call the same
//! methods). Pages ask for charts; machines usually do not.

use leptos::prelude::*;

use crate::error::ApiError;
use crate::wire::{
    CampaignReport, CampaignReportRequest, CreateExperiment, CreateStudy, ExperimentResults,
    ExperimentSummary, PowerRequest, PowerResponse, StudyResults, StudySummary,
};

/// A campaign's report, with charts.
#[server(prefix = "/api/fn", endpoint = "campaign_report")]
pub async fn fetch_campaign_report(
    request: CampaignReportRequest,
) -> Result<CampaignReport, ApiError> {
    crate::services::services()?
        .analytics
        .campaign_report(CampaignReportRequest {
            charts: true,
            ..request
        })
        .await
}

#[server(prefix = "/api/fn", endpoint = "create_experiment")]
pub async fn submit_experiment(request: CreateExperiment) -> Result<ExperimentSummary, ApiError> {
    crate::services::services()?
        .analytics
        .create_experiment(request)
        .await
}

/// An experiment's results, with the lift chart.
#[server(prefix = "/api/fn", endpoint = "experiment_results")]
pub async fn fetch_experiment_results(id: i32) -> Result<ExperimentResults, ApiError> {
    crate::services::services()?
        .analytics
        .experiment_results(id, true)
        .await
}

/// The power calculator.
#[server(prefix = "/api/fn", endpoint = "power")]
pub async fn compute_power(request: PowerRequest) -> Result<PowerResponse, ApiError> {
    crate::services::services()?.analytics.power(request)
}

#[server(prefix = "/api/fn", endpoint = "create_study")]
pub async fn submit_study(request: CreateStudy) -> Result<StudySummary, ApiError> {
    crate::services::services()?
        .analytics
        .create_study(request)
        .await
}

/// A study's results, with its charts.
#[server(prefix = "/api/fn", endpoint = "study_results")]
pub async fn fetch_study_results(id: i32) -> Result<StudyResults, ApiError> {
    crate::services::services()?
        .analytics
        .study_results(id, true)
        .await
}
