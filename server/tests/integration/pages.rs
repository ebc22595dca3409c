//! Server-rendered pages and the server-function round trip, through the same context.

use crate::http_client::{get, post};
use crate::support::TestApp;

#[tokio::test]
async fn every_page_renders_with_navigation_and_the_hydration_script() {
    let app = TestApp::sqlite().await;
    for path in ["/", "/campaigns", "/experiments", "/studies", "/system"] {
        let page = get(app.addr, path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert!(
            page.header("content-type")
                .unwrap_or_default()
                .starts_with("text/html")
        );
        for link in [
            "href=\"/campaigns\"",
            "href=\"/experiments\"",
            "href=\"/studies\"",
            "href=\"/system\"",
        ] {
            assert!(page.body.contains(link), "{path} lacks {link}");
        }
        assert!(
            page.body.contains("/pkg/vitrine.js"),
            "{path} lacks the hydration script"
        );
        assert!(
            page.body.contains("/pkg/vitrine.css"),
            "{path} lacks the stylesheet"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_system_page_is_complete_without_javascript() {
    let app = TestApp::sqlite().await;
    let page = get(app.addr, "/system").await;
    assert_eq!(page.status, 200);
    // Rendered through the SystemService in the Leptos context, not a fallback.
    assert!(
        page.body.contains("data-testid=\"libtorch-version\">2.11"),
        "{}",
        page.body
    );
    assert!(page.body.contains("data-testid=\"db-kind\">sqlite"));
    assert!(!page.body.contains("Loading system status"));
    app.stop().await;
}

#[tokio::test]
async fn the_server_function_round_trip_returns_the_report() {
    let app = TestApp::sqlite().await;
    let response = post(
        app.addr,
        "/api/fn/system_report",
        "application/x-www-form-urlencoded",
        b"",
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.body);
    let report = response.json();
    assert_eq!(report["database"]["kind"], "sqlite");
    assert!(
        report["torch"]["libtorch_version"]
            .as_str()
            .unwrap_or_default()
            .starts_with("2.11")
    );
    app.stop().await;
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let app = TestApp::sqlite().await;
    let page = get(app.addr, "/no/such/page").await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("Page not found"));
    app.stop().await;
}
