//! `/api/v1` routes of advertiser analytics: campaign reports, experiments and causal studies.
//! Every table (a report, an experiment's or a study's results) comes as CSV when the request
//! accepts `text/csv`.
//! Each needs an advertiser's or an admin's session or analytics key; the analytics service
//! decides what the caller may see.

use app::wire::{
    CampaignList, CampaignListRequest, CampaignReport, CampaignReportRequest, CreateExperiment,
    CreateStudy, ExperimentList, ExperimentResults, ExperimentSummary, PowerRequest, PowerResponse,
    StudyList, StudyResults, StudySummary,
};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::HttpError;
use super::api::ApiJson;
use super::auth_api::Who;
use crate::analytics::csv;
use crate::state::AppState;

/// `value` as JSON, or as the CSV `table(&value)` (a download named `name.csv`) when the
/// request accepts `text/csv`.
fn json_or_csv<T: serde::Serialize>(
    headers: &HeaderMap,
    value: T,
    name: &str,
    table: fn(&T) -> String,
) -> Response {
    let wants_csv = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/csv"));
    if !wants_csv {
        return Json(value).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        table(&value),
    )
        .into_response()
}

/// `?charts=true` asks for the SVG charts too.
#[derive(Deserialize, utoipa::IntoParams)]
pub(super) struct ChartsQuery {
    #[serde(default)]
    charts: bool,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub(super) struct AssignmentQuery {
    user_id: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub(super) struct Assignment {
    experiment_id: i32,
    user_id: String,
    arm: String,
}

/// `POST /api/v1/analytics/campaigns`: the caller's campaigns and their totals over a range.
#[utoipa::path(post, path = "/api/v1/analytics/campaigns", tag = "analytics",
    request_body = CampaignListRequest,
    responses(
        (status = 200, body = CampaignList),
        (status = 400, description = "malformed JSON, a bad date or range"),
        (status = 401, description = "no session or analytics key"),
        (status = 403, description = "a feed or catalogue key"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn campaign_list(
    State(state): State<AppState>,
    Who(caller): Who,
    ApiJson(request): ApiJson<CampaignListRequest>,
) -> Result<Json<CampaignList>, HttpError> {
    Ok(Json(
        state
            .services
            .analytics
            .campaign_list(&caller, request)
            .await?,
    ))
}

/// `GET /api/v1/experiments`: the caller's experiments, newest first, and its campaigns.
#[utoipa::path(get, path = "/api/v1/experiments", tag = "analytics",
    responses(
        (status = 200, body = ExperimentList),
        (status = 401, description = "no session or analytics key"),
        (status = 403, description = "a feed or catalogue key"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn experiment_list(
    State(state): State<AppState>,
    Who(caller): Who,
) -> Result<Json<ExperimentList>, HttpError> {
    Ok(Json(
        state.services.analytics.experiment_list(&caller).await?,
    ))
}

/// `GET /api/v1/studies`: the caller's causal studies, newest first, its campaigns and geos.
#[utoipa::path(get, path = "/api/v1/studies", tag = "analytics",
    responses(
        (status = 200, body = StudyList),
        (status = 401, description = "no session or analytics key"),
        (status = 403, description = "a feed or catalogue key"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn study_list(
    State(state): State<AppState>,
    Who(caller): Who,
) -> Result<Json<StudyList>, HttpError> {
    Ok(Json(state.services.analytics.study_list(&caller).await?))
}

/// `POST /api/v1/analytics/campaign`: a campaign's metrics over a date range.
#[utoipa::path(post, path = "/api/v1/analytics/campaign", tag = "analytics",
    request_body = CampaignReportRequest,
    responses(
        (status = 200, body = CampaignReport, description = "JSON, or CSV of the rows with `Accept: text/csv`"),
        (status = 400, description = "malformed JSON, a bad date or range"),
        (status = 404, description = "no such campaign"),
        (status = 422, description = "no events in the range"),
        (status = 401, description = "no session or analytics key"),
        (status = 403, description = "a feed or catalogue key"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn campaign_report(
    State(state): State<AppState>,
    Who(caller): Who,
    headers: HeaderMap,
    ApiJson(request): ApiJson<CampaignReportRequest>,
) -> Result<Response, HttpError> {
    let report = state
        .services
        .analytics
        .campaign_report(&caller, request)
        .await?;
    let name = format!("campaign-{}", report.campaign_id);
    Ok(json_or_csv(&headers, report, &name, csv::campaign_report))
}

/// `POST /api/v1/experiments`: a new experiment on a campaign.
#[utoipa::path(post, path = "/api/v1/experiments", tag = "analytics",
    request_body = CreateExperiment,
    responses(
        (status = 201, body = ExperimentSummary),
        (status = 400, description = "fewer than two arms, a bad weight or time"),
        (status = 404, description = "no such campaign"),
        (status = 401, description = "no session or analytics key"),
        (status = 403, description = "a feed or catalogue key"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn create_experiment(
    State(state): State<AppState>,
    Who(caller): Who,
    ApiJson(request): ApiJson<CreateExperiment>,
) -> Result<(StatusCode, Json<ExperimentSummary>), HttpError> {
    let created = state
        .services
        .analytics
        .create_experiment(&caller, request)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `GET /api/v1/experiments/{id}/results`: tests per metric and arm, corrections, SRM and the
/// sequential reading.
#[utoipa::path(get, path = "/api/v1/experiments/{id}/results", tag = "analytics",
    params(("id" = i32, Path, description = "the experiment"), ChartsQuery),
    responses(
        (status = 200, body = ExperimentResults, description = "JSON, or CSV of the metrics with `Accept: text/csv`"),
        (status = 404, description = "no such experiment"),
        (status = 422, description = "an arm without users"),
        (status = 401, description = "no session or analytics key"),
        (status = 403, description = "a feed or catalogue key"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn experiment_results(
    State(state): State<AppState>,
    Who(caller): Who,
    headers: HeaderMap,
    Path(id): Path<i32>,
    Query(query): Query<ChartsQuery>,
) -> Result<Response, HttpError> {
    let results = state
        .services
        .analytics
        .experiment_results(&caller, id, query.charts)
        .await?;
    Ok(json_or_csv(
        &headers,
        results,
        &format!("experiment-{id}"),
        csv::experiment_results,
    ))
}

/// `GET /api/v1/experiments/{id}/assignment?user_id=`: the user's arm, recorded as exposed.
#[utoipa::path(get, path = "/api/v1/experiments/{id}/assignment", tag = "analytics",
    params(("id" = i32, Path, description = "the experiment"), AssignmentQuery),
    responses((status = 200, body = Assignment), (status = 404, description = "no such experiment"),
        (status = 401, description = "no session or analytics key"),
        (status = 403, description = "a feed or catalogue key"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn assignment(
    State(state): State<AppState>,
    Who(caller): Who,
    Path(id): Path<i32>,
    Query(query): Query<AssignmentQuery>,
) -> Result<Json<Assignment>, HttpError> {
    let arm = state
        .services
        .analytics
        .assign(&caller, id, &query.user_id)
        .await?;
    Ok(Json(Assignment {
        experiment_id: id,
        user_id: query.user_id,
        arm,
    }))
}

/// `POST /api/v1/experiments/power`: the units a two-arm test of a rate needs.
#[utoipa::path(post, path = "/api/v1/experiments/power", tag = "analytics",
    request_body = PowerRequest,
    responses((status = 200, body = PowerResponse), (status = 400, description = "rates, alpha or power outside (0, 1)"),
        (status = 401, description = "no session or analytics key"),
        (status = 403, description = "a feed or catalogue key"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn power(
    State(state): State<AppState>,
    Who(caller): Who,
    ApiJson(request): ApiJson<PowerRequest>,
) -> Result<Json<PowerResponse>, HttpError> {
    Ok(Json(state.services.analytics.power(&caller, request)?))
}

/// `POST /api/v1/studies`: a new causal study of a geo intervention.
#[utoipa::path(post, path = "/api/v1/studies", tag = "analytics",
    request_body = CreateStudy,
    responses(
        (status = 201, body = StudySummary),
        (status = 400, description = "no treated or control geos, a geo in both, a bad date"),
        (status = 404, description = "no such campaign"),
        (status = 401, description = "no session or analytics key"),
        (status = 403, description = "a feed or catalogue key"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn create_study(
    State(state): State<AppState>,
    Who(caller): Who,
    ApiJson(request): ApiJson<CreateStudy>,
) -> Result<(StatusCode, Json<StudySummary>), HttpError> {
    let created = state
        .services
        .analytics
        .create_study(&caller, request)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `GET /api/v1/studies/{id}/results`: the study's estimate, computed now and stored.
#[utoipa::path(get, path = "/api/v1/studies/{id}/results", tag = "analytics",
    params(("id" = i32, Path, description = "the study"), ChartsQuery),
    responses(
        (status = 200, body = StudyResults, description = "JSON, or CSV of the event study or donor weights with `Accept: text/csv`"),
        (status = 404, description = "no such study"),
        (status = 422, description = "fewer than two pre-periods, a geo without data"),
        (status = 401, description = "no session or analytics key"),
        (status = 403, description = "a feed or catalogue key"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn study_results(
    State(state): State<AppState>,
    Who(caller): Who,
    headers: HeaderMap,
    Path(id): Path<i32>,
    Query(query): Query<ChartsQuery>,
) -> Result<Response, HttpError> {
    let results = state
        .services
        .analytics
        .study_results(&caller, id, query.charts)
        .await?;
    Ok(json_or_csv(
        &headers,
        results,
        &format!("study-{id}"),
        csv::study_results,
    ))
}
