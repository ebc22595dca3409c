//! Accounts, keys and sessions: login throttling, feed keys for events, per-key rate limits,
//! and secrets never stored or logged in the clear.

use serde_json::json;

use crate::analytics_world::serve;
use crate::auth_support::{advertiser_account, login};
use crate::http_client::{get_with, post_json_with};
use crate::support::TestApp;

#[tokio::test]
async fn logins_are_throttled_and_say_nothing_about_which_part_was_wrong() {
    let (app, _) = serve().await;
    let (password, _) = advertiser_account(&app, "Fabrikam Bags", "ads@fabrikam.example").await;
    let unknown = login(&app, "nobody@fabrikam.example", "whatever-password").await;
    let wrong = login(&app, "ads@fabrikam.example", "not-the-password").await;
    assert_eq!((unknown.status, wrong.status), (401, 401));
    assert_eq!(unknown.json()["message"], wrong.json()["message"]);
    for _ in 0..4 {
        assert_eq!(
            login(&app, "ads@fabrikam.example", "not-the-password")
                .await
                .status,
            401
        );
    }
    // Five failures: even the right password waits out the window.
    let throttled = login(&app, "ads@fabrikam.example", &password).await;
    assert_eq!(throttled.status, 429, "{}", throttled.body);
    assert_eq!(
        login(&app, "ADS@fabrikam.example", &password).await.status,
        429,
        "e-mails are compared case-blind"
    );
    app.stop().await;
}

#[tokio::test]
async fn events_need_a_feed_key() {
    let (app, _) = serve().await;
    let (_, analytics_key) =
        advertiser_account(&app, "Tailspin Outerwear", "ads@tailspin.example").await;
    let batch = json!({"events": [{"kind": "click", "user_id": "gen-0000001", "item_id": 1, "idempotency_key": "a-1"}]});
    let none = post_json_with(app.addr, "/api/v1/events", &batch, &[]).await;
    assert_eq!(none.status, 401, "{}", none.body);
    let advertiser = post_json_with(
        app.addr,
        "/api/v1/events",
        &batch,
        &[("Authorization", &format!("Bearer {analytics_key}"))],
    )
    .await;
    assert_eq!(advertiser.status, 403, "{}", advertiser.body);
    let forged = post_json_with(
        app.addr,
        "/api/v1/events",
        &batch,
        &[("Authorization", "Bearer vk_forged.key")],
    )
    .await;
    assert_eq!(forged.status, 401, "{}", forged.body);
    app.stop().await;
}

#[tokio::test]
async fn passwords_and_keys_are_never_stored_or_logged_in_the_clear() {
    let logs = crate::support::captured_logs();
    let (app, _) = serve().await;
    let (password, key) =
        advertiser_account(&app, "Northwind Apparel", "ads@northwind.example").await;
    assert_eq!(
        login(&app, "ads@northwind.example", &password).await.status,
        204
    );
    let secret_part = key.split_once('.').expect("prefix.secret").1.to_owned();
    let used = post_json_with(
        app.addr,
        "/api/v1/analytics/campaign",
        &json!({"campaign_id": 1}),
        &[("Authorization", &format!("Bearer {key}"))],
    )
    .await;
    assert!(used.status < 500);
    // A failed login with a near miss, and a logout, log too.
    assert_eq!(
        login(&app, "ads@northwind.example", &format!("{password}x"))
            .await
            .status,
        401
    );
    // Every byte SQLite holds (the file and any write-ahead log), while the server runs.
    let url = app.state.settings.database.url.clone();
    let path = url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .expect("path")
        .to_owned();
    let mut bytes = std::fs::read(&path).expect("the database file");
    if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
        bytes.extend(wal);
    }
    app.stop().await;
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains(&password), "the password is in the database");
    assert!(!text.contains(&secret_part), "the key is in the database");
    assert!(text.contains("$argon2id$"), "passwords are argon2id hashes");
    let logged = String::from_utf8_lossy(&logs.lock().expect("logs")).into_owned();
    assert!(
        logged.contains("/api/v1/auth/login"),
        "the capture holds the requests' logs"
    );
    assert!(!logged.contains(&password), "the password is in the logs");
    assert!(!logged.contains(&secret_part), "the key is in the logs");
}

#[tokio::test]
async fn a_key_over_its_rate_gets_429_and_others_are_unaffected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = crate::support::settings_in(dir.path());
    settings.auth.key_requests_per_sec = 3;
    let app = TestApp::start(settings, Some(dir)).await;
    let key = format!("Bearer {}", app.key("feed").await);
    let mut statuses = Vec::new();
    for _ in 0..20 {
        statuses.push(
            get_with(app.addr, "/api/v1/auth/me", &[("Authorization", &key)])
                .await
                .status,
        );
    }
    // A burst of twice the rate passes, then the bucket is empty.
    assert!(statuses[..6].iter().all(|s| *s == 200), "{statuses:?}");
    assert!(statuses.contains(&429), "{statuses:?}");
    let other = format!("Bearer {}", app.key("analytics").await);
    assert_eq!(
        get_with(app.addr, "/api/v1/auth/me", &[("Authorization", &other)])
            .await
            .status,
        200
    );
    app.stop().await;
}

/// Statuses of `n` quick requests.
async fn statuses(app: &TestApp, n: usize, path: &str, headers: &[(&str, &str)]) -> Vec<u16> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let r = crate::http_client::post_json_with(app.addr, path, &serde_json::json!({}), headers)
            .await;
        if r.status == 429 {
            assert_eq!(r.json()["code"], "too_many_requests", "{}", r.body);
        }
        out.push(r.status);
    }
    out
}

#[tokio::test]
async fn one_limit_covers_rest_server_functions_and_anonymous_callers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = crate::support::settings_in(dir.path());
    settings.auth.key_requests_per_sec = 3;
    settings.auth.anonymous_requests_per_sec = 3;
    let app = TestApp::start(settings, Some(dir)).await;
    let key = format!("Bearer {}", app.key("feed").await);
    // A key spent on REST is spent on the server functions too: one bucket, two doors.
    let rest = statuses(&app, 20, "/api/v1/auth/me", &[("Authorization", &key)]).await;
    assert!(rest.contains(&429), "{rest:?}");
    let fns = statuses(&app, 3, "/api/fn/categories", &[("Authorization", &key)]).await;
    assert!(
        fns.contains(&429),
        "the server functions honour the key's limit: {fns:?}"
    );
    // Another key is unaffected, on either door.
    let other = format!("Bearer {}", app.key("analytics").await);
    let fresh = statuses(&app, 3, "/api/fn/categories", &[("Authorization", &other)]).await;
    assert!(!fresh.contains(&429), "{fresh:?}");
    // Without a key or session the client's address has its bucket, on the server functions
    // as on REST.
    let anonymous = statuses(&app, 20, "/api/fn/categories", &[]).await;
    assert!(anonymous[..6].iter().all(|s| *s != 429), "{anonymous:?}");
    assert!(anonymous.contains(&429), "{anonymous:?}");
    let rest_anonymous = statuses(&app, 3, "/api/v1/recommend", &[]).await;
    assert!(rest_anonymous.contains(&429), "{rest_anonymous:?}");
    // Pages and health checks are outside the limit.
    assert_eq!(get_with(app.addr, "/healthz", &[]).await.status, 200);
    app.stop().await;
}
