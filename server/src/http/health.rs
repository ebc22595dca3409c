//! Liveness, readiness and metrics.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;

use crate::state::AppState;

/// The process is up. Touches nothing else, so it stays cheap under load.
pub async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok" }))
}

#[derive(Serialize)]
struct Readiness {
    status: &'static str,
    database: Check,
    vectors: Check,
    /// The feed's in-memory index. Reported, not required: pages and the dashboard work
    /// without it, and the feed answers 503 with what to run.
    index: IndexCheck,
}

#[derive(Serialize)]
struct IndexCheck {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    index_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct Check {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl<E: std::fmt::Display> From<Result<(), E>> for Check {
    fn from(result: Result<(), E>) -> Self {
        match result {
            Ok(()) => Check {
                ok: true,
                error: None,
            },
            Err(e) => Check {
                ok: false,
                error: Some(e.to_string()),
            },
        }
    }
}

/// Ready when SQL answers and LanceDB can be listed; 503 with the failing check otherwise.
/// The feed index's state is reported beside them.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let (database, vectors) = tokio::join!(state.db.ping(), state.vectors.table_names());
    let database = Check::from(database);
    let vectors = Check::from(vectors.map(|_| ()));
    let ready = database.ok && vectors.ok;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let index = match state.serving.current_version() {
        Some((version, index_version)) => IndexCheck {
            ok: true,
            version: Some(version),
            index_version: Some(index_version),
            error: None,
        },
        None => IndexCheck {
            ok: false,
            version: None,
            index_version: None,
            error: Some(state.serving.problem()),
        },
    };
    let body = Readiness {
        status: if ready { "ready" } else { "unavailable" },
        database,
        vectors,
        index,
    };
    (status, Json(body))
}

/// Prometheus text exposition.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
