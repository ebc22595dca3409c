//! Middleware applied to every route: request metrics, tracing, timeout, body limit, and the
//! status of server functions' errors.

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::ServerSettings;
use crate::state::AppState;

/// Wraps `router`. The last layer added is the outermost, so metrics see every response,
/// timeouts (408) and rejected bodies (413) included.
pub fn apply(router: Router<AppState>, settings: &ServerSettings) -> Router<AppState> {
    router
        .layer(RequestBodyLimitLayer::new(settings.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(settings.request_timeout_secs),
        ))
        .layer(middleware::map_response(server_fn_status))
        .layer(TraceLayer::new_for_http())
        .layer(middleware::from_fn(record))
}

/// Counts requests and records their latency, labelled by route pattern (not the raw path,
/// which would explode the label set), method and status.
async fn record(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The body of a server function's error is a small JSON `ApiError`; more is not one of ours.
const FN_ERROR_LIMIT: usize = 64 * 1024;

/// Server functions answer every error with 500; ours carry a stable code, so the status is
/// set from it as for REST (401 for no session, 404, 422...): clients and logs see what
/// happened, and an expected "please sign in" is not logged as a server failure.
async fn server_fn_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key("serverfnerror")
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, FN_ERROR_LIMIT).await else {
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<app::error::ApiError>(&bytes) {
        parts.status = super::error::status_of(error.code);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}
