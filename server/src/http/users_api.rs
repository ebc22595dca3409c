//! `/api/v1/users`: the platform's own operations on feed users; admin only.

use app::wire::UserDeletion;
use axum::Json;
use axum::extract::{Path, State};

use super::HttpError;
use super::auth_api::Who;
use crate::state::AppState;

/// `DELETE /api/v1/users/{user_id}`: erase a user of the served catalogue.
#[utoipa::path(delete, path = "/api/v1/users/{user_id}", tag = "users",
    params(("user_id" = String, Path, description = "the catalogue's external user id")),
    responses(
        (status = 200, body = UserDeletion),
        (status = 401, description = "no credentials"),
        (status = 403, description = "not an admin"),
        (status = 404, description = "no such user"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn delete_user(
    State(state): State<AppState>,
    Who(caller): Who,
    Path(user_id): Path<String>,
) -> Result<Json<UserDeletion>, HttpError> {
    Ok(Json(
        state.services.admin.delete_user(&caller, &user_id).await?,
    ))
}
