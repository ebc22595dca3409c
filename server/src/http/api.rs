//! `/api/v1`: the REST surface for machines. Handlers call the same services as the server
//! functions and map errors through `HttpError`.

use app::wire::SystemReport;
use axum::extract::{OriginalUri, State};
use axum::routing::get;
use axum::{Json, Router};

use super::HttpError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/system", get(system_report))
        .fallback(unknown_route)
}

/// `GET /api/v1/system`: what `vitrine doctor` reports.
async fn system_report(State(state): State<AppState>) -> Result<Json<SystemReport>, HttpError> {
    Ok(Json(state.services.system.report().await?))
}

/// `OriginalUri`: inside `nest`, the plain `Uri` has lost its `/api/v1` prefix.
async fn unknown_route(OriginalUri(uri): OriginalUri) -> HttpError {
    HttpError::not_found(format!("no API route at {}", uri.path()))
}
