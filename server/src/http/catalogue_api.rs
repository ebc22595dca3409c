//! `/api/v1/catalogue`: new and updated items (with their picture and text), retiring items, and new
//! users, in batches, with a catalogue key (or an admin's). New items are served within
//! `inference.additions.delay_secs` plus their encoding; retired ones leave the feed at once.

use app::wire::{ItemsAdded, ItemsRetired, NewItems, NewUsers, RetireItems, UsersAdded};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::HttpError;
use super::api::ApiJson;
use super::auth_api::Who;
use crate::state::AppState;

/// `POST /api/v1/catalogue/items`: all of the batch, or none.
#[utoipa::path(post, path = "/api/v1/catalogue/items", tag = "catalogue",
    request_body = NewItems,
    responses(
        (status = 201, body = ItemsAdded),
        (status = 400, description = "a missing field, a repeated id, neither text nor picture, a picture that does not decode"),
        (status = 401, description = "no catalogue key"),
        (status = 409, description = "an id the catalogue already has"),
        (status = 415, description = "a picture that is not PNG or JPEG"),
        (status = 403, description = "a key of another kind (feed, analytics)"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn add_items(
    State(state): State<AppState>,
    Who(caller): Who,
    ApiJson(request): ApiJson<NewItems>,
) -> Result<(StatusCode, Json<ItemsAdded>), HttpError> {
    let added = state.services.catalogue.add_items(&caller, request).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// `POST /api/v1/catalogue/items/retire`: the items leave the feed at once.
#[utoipa::path(post, path = "/api/v1/catalogue/items/retire", tag = "catalogue",
    request_body = RetireItems,
    responses(
        (status = 200, body = ItemsRetired),
        (status = 401, description = "no catalogue key"),
        (status = 404, description = "an id the catalogue does not have (nothing is retired)"),
        (status = 403, description = "a key of another kind (feed, analytics)"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn retire_items(
    State(state): State<AppState>,
    Who(caller): Who,
    ApiJson(request): ApiJson<RetireItems>,
) -> Result<Json<ItemsRetired>, HttpError> {
    Ok(Json(
        state
            .services
            .catalogue
            .retire_items(&caller, request)
            .await?,
    ))
}

/// `PUT /api/v1/catalogue/items`: each item becomes what the request says (a missing picture
/// removes the stored one); all of the batch, or none. The new content is served within the
/// same delay as a new item's.
#[utoipa::path(put, path = "/api/v1/catalogue/items", tag = "catalogue",
    request_body = NewItems,
    responses(
        (status = 200, body = ItemsAdded),
        (status = 400, description = "a missing field, a repeated id, neither text nor picture, a picture that does not decode"),
        (status = 401, description = "no catalogue key"),
        (status = 404, description = "an id the catalogue does not have (nothing is changed)"),
        (status = 409, description = "a retired item (nothing is changed)"),
        (status = 415, description = "a picture that is not PNG or JPEG"),
        (status = 403, description = "a key of another kind (feed, analytics)"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn update_items(
    State(state): State<AppState>,
    Who(caller): Who,
    ApiJson(request): ApiJson<NewItems>,
) -> Result<Json<ItemsAdded>, HttpError> {
    Ok(Json(
        state
            .services
            .catalogue
            .update_items(&caller, request)
            .await?,
    ))
}

/// `POST /api/v1/catalogue/users`: they start on the cold-start feed, and their first events
/// personalise it.
#[utoipa::path(post, path = "/api/v1/catalogue/users", tag = "catalogue",
    request_body = NewUsers,
    responses(
        (status = 201, body = UsersAdded),
        (status = 400, description = "a bad or repeated id"),
        (status = 401, description = "no catalogue key"),
        (status = 409, description = "a user the catalogue already has (nothing is added)"),
        (status = 403, description = "a key of another kind (feed, analytics)"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn add_users(
    State(state): State<AppState>,
    Who(caller): Who,
    ApiJson(request): ApiJson<NewUsers>,
) -> Result<(StatusCode, Json<UsersAdded>), HttpError> {
    let created = state.services.catalogue.add_users(&caller, request).await?;
    Ok((StatusCode::CREATED, Json(created)))
}
