//! `/api/v1/experiments/models`: an experiment that splits the feed between two model versions
//! (admin only). The feed starts routing users by it as soon as the challenger's snapshot is
//! built; its results are read like any experiment's, at `/api/v1/experiments/{id}/results`.

use app::error::ErrorCode;
use app::services::Caller;
use app::wire::{CreateModelExperiment, ExperimentSummary};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::HttpError;
use super::api::ApiJson;
use super::auth_api::Who;
use crate::analytics::model_experiments;
use crate::recsys::registry::Registry;
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
        (status = 409, description = "another experiment between model versions is running")))]
pub(super) async fn create_model_experiment(
    State(state): State<AppState>,
    Who(caller): Who,
    ApiJson(request): ApiJson<CreateModelExperiment>,
) -> Result<(StatusCode, Json<ExperimentSummary>), HttpError> {
    match caller {
        Caller::Admin { .. } => {}
        Caller::Anonymous => {
            return Err(HttpError::new(
                ErrorCode::Unauthorized,
                "sign in as an admin, or send an admin's key",
            ));
        }
        _ => {
            return Err(HttpError::new(
                ErrorCode::Forbidden,
                "experiments between model versions take an admin",
            ));
        }
    }
    let served = state
        .settings
        .data
        .dir
        .join("models")
        .join(&state.settings.inference.catalogue);
    let created =
        model_experiments::create(state.db.conn(), Registry::new(&served), request).await?;
    // Build the challenger now rather than at the next poll.
    let serving = state.serving.clone();
    tokio::spawn(async move { serving.refresh_model_arms().await });
    Ok((StatusCode::CREATED, Json(created)))
}
