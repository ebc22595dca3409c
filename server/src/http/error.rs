//! Every error leaves the server as JSON `{ "code", "message", "status" }`. Statuses are chosen
//! here and nowhere else.

use app::error::ApiError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error on its way to an HTTP client.
#[derive(Debug, Serialize)]
pub struct HttpError {
    #[serde(skip)]
    status: StatusCode,
    code: String,
    message: String,
}

impl HttpError {
    pub fn new(status: StatusCode, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// The database failed us, not the client: 503, logged, with no SQL in the body.
    pub fn database(error: sea_orm::DbErr) -> Self {
        tracing::error!(%error, "database error");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "the database is unavailable",
        )
    }
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    status: u16,
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let body = Body {
            code: &self.code,
            message: &self.message,
            status: self.status.as_u16(),
        };
        (self.status, Json(body)).into_response()
    }
}

/// The HTTP status of a service error's stable code (REST and server functions alike).
pub fn status_of(code: &str) -> StatusCode {
    match code {
        "invalid_input" => StatusCode::BAD_REQUEST,
        "unauthorized" => StatusCode::UNAUTHORIZED,
        "forbidden" => StatusCode::FORBIDDEN,
        "not_found" => StatusCode::NOT_FOUND,
        "conflict" => StatusCode::CONFLICT,
        "unsupported_media_type" => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "no_data" => StatusCode::UNPROCESSABLE_ENTITY,
        "too_many_requests" => StatusCode::TOO_MANY_REQUESTS,
        "database_unavailable" | "vector_store_unavailable" | "unavailable" => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A service error's stable code decides its status.
impl From<ApiError> for HttpError {
    fn from(error: ApiError) -> Self {
        let status = status_of(&error.code);
        Self {
            status,
            code: error.code,
            message: error.message,
        }
    }
}
