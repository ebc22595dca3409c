//! Health, readiness, metrics, the REST API and request limits.

use crate::http_client::{get, post};
use crate::support::TestApp;

#[tokio::test]
async fn health_and_readiness_answer() {
    let app = TestApp::sqlite().await;
    let health = get(app.addr, "/healthz").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    let ready = get(app.addr, "/readyz").await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert_eq!(ready.json()["database"]["ok"], true);
    assert_eq!(ready.json()["vectors"]["ok"], true);
    app.stop().await;
}

#[tokio::test]
async fn metrics_count_requests_by_route() {
    let app = TestApp::sqlite().await;
    assert_eq!(get(app.addr, "/healthz").await.status, 200);
    let metrics = get(app.addr, "/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .header("content-type")
            .unwrap_or_default()
            .starts_with("text/plain")
    );
    assert!(
        metrics
            .body
            .lines()
            .any(|l| l.starts_with("http_requests_total")
                && l.contains("route=\"/healthz\"")
                && l.contains("status=\"200\"")),
        "{}",
        metrics.body
    );
    app.stop().await;
}

#[tokio::test]
async fn rest_system_report_matches_the_stack() {
    let app = TestApp::sqlite().await;
    let response = get(app.addr, "/api/v1/system").await;
    assert_eq!(response.status, 200, "{}", response.body);
    let report = response.json();
    assert!(
        report["torch"]["libtorch_version"]
            .as_str()
            .unwrap_or_default()
            .starts_with("2.11")
    );
    assert_eq!(report["database"]["kind"], "sqlite");
    assert_eq!(
        report["database"]["pending_migrations"],
        serde_json::json!([])
    );
    assert_eq!(report["vectors"]["tables"], serde_json::json!([]));
    app.stop().await;
}

#[tokio::test]
async fn unknown_api_routes_are_json_404s() {
    let app = TestApp::sqlite().await;
    let response = get(app.addr, "/api/v1/no-such-thing").await;
    assert_eq!(response.status, 404);
    let body = response.json();
    assert_eq!(body["code"], "not_found");
    assert_eq!(body["status"], 404);
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("/api/v1/no-such-thing")
    );
    app.stop().await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = TestApp::sqlite().await;
    let limit = app.state.settings.server.body_limit_bytes;
    let body = vec![b'a'; limit + 1];
    let response = post(
        app.addr,
        "/api/fn/system_report",
        "application/x-www-form-urlencoded",
        &body,
    )
    .await;
    assert_eq!(response.status, 413);
    app.stop().await;
}

#[tokio::test]
async fn shutdown_is_graceful() {
    let app = TestApp::sqlite().await;
    let addr = app.addr;
    assert_eq!(get(addr, "/healthz").await.status, 200);
    app.stop().await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
}
