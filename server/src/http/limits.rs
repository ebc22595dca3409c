//! The one rate-limit layer: every request through a door that does work (REST under
//! `/api/`, server functions under `/api/fn/`, the forms, the session routes and the beacons)
//! spends one token from its caller's bucket: the API key's, the session's, or the client
//! address's for anyone else (`Auth::admit_request`). Over the limit is a 429 with the JSON
//! error body, the same on every door. Pages, assets, media and health checks are not limited
//! here (pages reach the services through server functions, which are).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::HttpError;
use crate::auth::{bearer, session_cookie};
use crate::state::AppState;

/// The paths whose requests spend from a bucket.
const LIMITED: [&str; 4] = ["/api/", "/forms/", "/session", "/beacon/"];

pub(super) fn is_limited(path: &str) -> bool {
    LIMITED.iter().any(|prefix| path.starts_with(prefix))
}

pub(super) async fn limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !is_limited(request.uri().path()) {
        return next.run(request).await;
    }
    let mut request = request;
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let headers = request.headers();
    let admitted = state
        .auth
        .admit_request(bearer(headers), session_cookie(headers), address)
        .await;
    match admitted {
        Ok(caller) => {
            // `Who` reads it: the request resolves its caller once.
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(error) => HttpError::from(error).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::is_limited;

    #[test]
    fn every_door_that_does_work_is_limited_and_nothing_else() {
        for path in [
            "/api/v1/recommend",
            "/api/fn/recommend",
            "/forms/save",
            "/session",
            "/session/end",
            "/beacon/dwell",
        ] {
            assert!(is_limited(path), "{path}");
        }
        for path in [
            "/",
            "/healthz",
            "/readyz",
            "/metrics",
            "/media/items/1/image",
            "/pkg/app.wasm",
        ] {
            assert!(!is_limited(path), "{path}");
        }
    }
}
