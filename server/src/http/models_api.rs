//! `/api/v1/experiments/models`: an experiment that splits the feed between two model versions
//! (admin only). The feed starts routing users by it as soon as the challenger's snapshot is
//! built; its results are read like any experiment's, at `/api/v1/experiments/{id}/results`.

use app::wire::{CreateModelExperiment, ExperimentSummary};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::HttpError;
use super::api::ApiJson;
use super::auth_api::Who;
use crate::state::AppState;

/// `POST /api/v1/experiments/models`: the feed's traffic split between two model versions.
#[utoipa::path(post, path = "/api/v1/experiments/models", tag = "analytics",
    request_body = CreateModelExperiment,
    responses(
        (status = 201, body = ExperimentSummary),
        (status = 400, description = "no name, a share outside (0, 1), the same version twice"),
        (status = 401, description = "no credentials"),
        (status = 403, description = "not an admin"),
        (status = 404, description = "no such model version"),
        (status = 409, description = "another experiment between model versions is running"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn create_model_experiment(
    State(state): State<AppState>,
    Who(caller): Who,
    ApiJson(request): ApiJson<CreateModelExperiment>,
) -> Result<(StatusCode, Json<ExperimentSummary>), HttpError> {
    let created = state
        .services
        .admin
        .create_model_experiment(&caller, request)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}
