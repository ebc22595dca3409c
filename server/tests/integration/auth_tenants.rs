//! Tenant isolation: a table of every advertiser route and server function (a new one fails
//! until it is classified), each proving that an advertiser gets 403 or 404 on another
//! advertiser's resources, 401 without credentials, and that an admin passes.

use serde_json::{Value, json};

use crate::analytics_world::serve;
use crate::auth_support::{
    NOT_TENANT_ROUTES, advertiser_account, call, login, tenant_routes, world,
};
use crate::http_client::{get_with, post_json_with};

#[tokio::test]
async fn an_advertiser_never_reaches_another_advertisers_resources() {
    let (app, _) = serve().await;
    let w = world(&app, "Contoso Footwear").await;
    let (password, key) = advertiser_account(&app, "Contoso Footwear", "ads@contoso.example").await;
    let bearer = format!("Bearer {key}");
    let admin = format!("Bearer {}", app.key("analytics").await);
    let cases = tenant_routes(&w);

    // The table covers every route: a new route fails here until it is classified.
    for (method, path) in server::http::api::routes().routes {
        let known = cases.iter().any(|c| c.0 == method.as_str() && c.1 == path)
            || NOT_TENANT_ROUTES
                .iter()
                .any(|c| c.0 == method.as_str() && c.1 == path);
        assert!(
            known,
            "{method} /api/v1{path} is in neither tenant table: decide who may call it"
        );
    }
    for (method, route, path, body) in &cases {
        let theirs = call(
            &app,
            method,
            path,
            body.as_ref(),
            &[("Authorization", &bearer)],
        )
        .await;
        assert!(
            [403, 404].contains(&theirs.status),
            "{method} {route} as another advertiser: {} {}",
            theirs.status,
            theirs.body
        );
        let nobody = call(&app, method, path, body.as_ref(), &[]).await;
        assert_eq!(
            nobody.status, 401,
            "{method} {route} without credentials: {}",
            nobody.body
        );
        // The resource is real: an admin gets past the check.
        let by_admin = call(
            &app,
            method,
            path,
            body.as_ref(),
            &[("Authorization", &admin)],
        )
        .await;
        assert!(
            ![401, 403, 404].contains(&by_admin.status),
            "{method} {route} as admin: {} {}",
            by_admin.status,
            by_admin.body
        );
    }
    // Its own campaign, it sees.
    let own = post_json_with(
        app.addr,
        "/api/v1/analytics/campaign",
        &json!({"campaign_id": w.own_campaign}),
        &[("Authorization", &bearer)],
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.body);

    // The server functions, with the session cookie of a login.
    let r = login(&app, "ads@contoso.example", &password).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let set = r.header("set-cookie").expect("a session cookie").to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "no TLS here: {set}");
    let cookie = set.split(';').next().expect("name=value").to_owned();
    let fns: Vec<(&str, Value)> = vec![
        (
            "/api/fn/campaign_report",
            json!({"request": {"campaign_id": w.their_campaign}}),
        ),
        (
            "/api/fn/create_experiment",
            json!({"request": tenant_routes(&w)[1].3.clone()}),
        ),
        (
            "/api/fn/experiment_results",
            json!({"id": w.their_experiment}),
        ),
        (
            "/api/fn/create_study",
            json!({"request": tenant_routes(&w)[4].3.clone()}),
        ),
        ("/api/fn/study_results", json!({"id": w.their_study})),
    ];
    let public_fns = [
        "/api/fn/recommend",
        "/api/fn/system_report",
        "/api/fn/power",
        // Scoped to the caller by construction (analytics_campaigns.rs, dashboard_pages.rs).
        "/api/fn/campaign_list",
        "/api/fn/experiment_list",
        "/api/fn/study_list",
        // The platform and the demo feed, as `/system`, `/recommend` and `/similar` are.
        "/api/fn/model_report",
        "/api/fn/similar",
        "/api/fn/categories",
        // The demo feed's line of planted tastes: the synthetic world's ground truth, no tenant's.
        "/api/fn/planted_tastes",
        // Impressions, clicks and saves of the feed page (never conversions): feed_page.rs.
        "/api/fn/feed_events",
        // The caller's own role, for the navigation.
        "/api/fn/session",
        // The browser's own viewer, and whether the demo is on.
        "/api/fn/feed_viewer",
    ];
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        assert!(
            fns.iter().any(|f| f.0 == path) || public_fns.contains(&path),
            "server function {path} is in neither tenant table"
        );
    }
    for (path, body) in &fns {
        let r = post_json_with(app.addr, path, body, &[("Cookie", &cookie)]).await;
        let code = r.json()["code"].as_str().unwrap_or_default().to_owned();
        assert!(
            ["not_found", "forbidden"].contains(&code.as_str()),
            "{path} as another advertiser: {} {}",
            r.status,
            r.body
        );
    }
    let own = post_json_with(
        app.addr,
        "/api/fn/campaign_report",
        &json!({"request": {"campaign_id": w.own_campaign}}),
        &[("Cookie", &cookie)],
    )
    .await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert_eq!(own.json()["campaign_id"], w.own_campaign);

    // Logging out ends the session.
    let out = post_json_with(
        app.addr,
        "/api/v1/auth/logout",
        &json!({}),
        &[("Cookie", &cookie)],
    )
    .await;
    assert_eq!(out.status, 204);
    tokio::time::sleep(std::time::Duration::from_secs(
        app.state.settings.auth.cache_secs + 1,
    ))
    .await;
    let me = get_with(app.addr, "/api/v1/auth/me", &[("Cookie", &cookie)]).await;
    assert_eq!(me.status, 401, "{}", me.body);
    app.stop().await;
}
