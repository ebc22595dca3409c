//! Every error leaves the server as JSON `{ "code", "message", "status" }`. Statuses are chosen
//! here, from the code, and nowhere else.

use app::error::{ApiError, ErrorCode};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error on its way to an HTTP client: a service's [`ApiError`], whose code decides the
/// status.
#[derive(Debug)]
pub struct HttpError(ApiError);

impl HttpError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(ApiError::new(code, message))
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// The database failed us, not the client: 503, logged with a reference, no SQL in the
    /// body.
    pub fn database(error: sea_orm::DbErr) -> Self {
        Self(crate::failure::database("a request", error))
    }

    pub fn status(&self) -> StatusCode {
        status_of(self.0.code)
    }
}

#[derive(Serialize)]
struct Body<'a> {
    code: ErrorCode,
    message: &'a str,
    status: u16,
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = Body {
            code: self.0.code,
            message: &self.0.message,
            status: status.as_u16(),
        };
        (status, Json(body)).into_response()
    }
}

/// The HTTP status of a service error's code (REST, server functions and forms alike). No
/// catch-all: a new code does not compile until it has its status.
pub fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidInput => StatusCode::BAD_REQUEST,
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::NoData => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::DatabaseUnavailable
        | ErrorCode::VectorStoreUnavailable
        | ErrorCode::Unavailable
        // Only the browser raises it (the server was not reached); a gateway would say 503.
        | ErrorCode::Network => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Internal | ErrorCode::Transport => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A service error's code decides its status.
impl From<ApiError> for HttpError {
    fn from(error: ApiError) -> Self {
        Self(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_own_documented_status_and_wire_name() {
        for code in ErrorCode::ALL {
            let status = status_of(code);
            assert!(
                status.is_client_error() || status.is_server_error(),
                "{code}"
            );
            // The wire name is serde's, so the JSON and `as_str` cannot drift apart.
            let json = serde_json::to_value(code).expect("serialises");
            assert_eq!(json, serde_json::json!(code.as_str()));
            let back: ErrorCode = serde_json::from_value(json).expect("parses");
            assert_eq!(back, code);
        }
        // The statuses the API documents for its most common codes.
        assert_eq!(status_of(ErrorCode::InvalidInput), StatusCode::BAD_REQUEST);
        assert_eq!(
            status_of(ErrorCode::NoData),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            status_of(ErrorCode::DatabaseUnavailable),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            status_of(ErrorCode::Internal),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
