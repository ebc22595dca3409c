//! `/media`: item pictures by URL, for `<img>` tags. Immutable for a given content hash, so
//! browsers cache them and revalidate with `If-None-Match`.

use app::error::ErrorCode;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::HttpError;
use crate::db::entities::item_image;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/items/{item_id}/image", get(item_image))
}

/// `GET /media/items/{item_id}/image`.
async fn item_image(
    State(state): State<AppState>,
    Path(item_id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let item_id: i64 = item_id.parse().map_err(|_| {
        HttpError::new(
            ErrorCode::InvalidInput,
            format!("item id {item_id:?} is not a number"),
        )
    })?;
    let image = item_image::Entity::find()
        .filter(item_image::Column::ItemId.eq(item_id))
        .one(state.db.conn())
        .await
        .map_err(HttpError::database)?
        .ok_or_else(|| HttpError::not_found(format!("item {item_id} has no image")))?;
    let etag = format!("\"{}\"", image.content_hash);
    let cache = [
        (header::ETAG, etag.clone()),
        (header::CACHE_CONTROL, "public, max-age=86400".to_owned()),
    ];
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    let content_type = HeaderValue::from_str(&image.mime_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let mut response = (cache, Body::from(image.content)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, content_type);
    Ok(response)
}
