//! Accounts, keys and sessions: tenant isolation over every advertiser route and server
//! function (a table that a new route must join), secrets never stored or logged in the clear,
//! login throttling, and events only from feed keys.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use server::db::entities::{advertiser, campaign, causal_study, experiment};

use crate::analytics_world::serve;
use crate::http_client::{Response, get_with, post_json_with};
use crate::support::TestApp;

/// Routes that are not an advertiser's, and why.
const NOT_TENANT_ROUTES: [(&str, &str, &str); 9] = [
    ("GET", "/system", "the platform's status"),
    ("GET", "/openapi.json", "this API's description"),
    ("POST", "/recommend", "the feed"),
    ("POST", "/similar", "the feed"),
    ("POST", "/events", "feed clients' keys only (tested below)"),
    ("POST", "/auth/login", "before a caller exists"),
    ("POST", "/auth/logout", "ends the caller's own session"),
    ("GET", "/auth/me", "the caller's own identity"),
    (
        "POST",
        "/experiments/power",
        "reads nothing stored (any advertiser may use it)",
    ),
];

/// Another advertiser's resources, and one of the caller's own.
struct World {
    own_campaign: i32,
    their_campaign: i32,
    their_experiment: i32,
    their_study: i32,
}

async fn world(app: &TestApp, own: &str) -> World {
    let db = app.state.db.conn();
    let mine = advertiser::Entity::find()
        .filter(advertiser::Column::Name.eq(own))
        .one(db)
        .await
        .expect("q")
        .expect("the advertiser");
    let campaigns = campaign::Entity::find().all(db).await.expect("campaigns");
    let own_campaign = campaigns
        .iter()
        .find(|c| c.advertiser_id == mine.id)
        .expect("own")
        .id;
    let their_campaign = campaigns
        .iter()
        .find(|c| c.advertiser_id != mine.id)
        .expect("theirs")
        .id;
    let their_experiment = experiment::Entity::find()
        .all(db)
        .await
        .expect("q")
        .into_iter()
        .find(|x| x.advertiser_id != Some(mine.id))
        .expect("an experiment of another advertiser")
        .id;
    let their_study = causal_study::Entity::find()
        .all(db)
        .await
        .expect("q")
        .into_iter()
        .find(|s| s.advertiser_id != mine.id)
        .expect("a study of another advertiser")
        .id;
    World {
        own_campaign,
        their_campaign,
        their_experiment,
        their_study,
    }
}

/// Every advertiser route: (method, route, the request to make against another's resource).
fn tenant_routes(w: &World) -> Vec<(&'static str, &'static str, String, Option<Value>)> {
    let experiment = json!({"name": "x", "campaign_id": w.their_campaign, "primary_metric": "ctr",
        "arms": [{"name": "a", "weight": 1.0}, {"name": "b", "weight": 1.0}]});
    let study = json!({"name": "x", "method": "did", "campaign_id": w.their_campaign, "outcome": "clicks",
        "treated": ["CA"], "control": ["TX"], "intervention_date": "2026-10-14"});
    vec![
        (
            "POST",
            "/analytics/campaign",
            "/api/v1/analytics/campaign".into(),
            Some(json!({"campaign_id": w.their_campaign})),
        ),
        (
            "POST",
            "/experiments",
            "/api/v1/experiments".into(),
            Some(experiment),
        ),
        (
            "GET",
            "/experiments/{id}/results",
            format!("/api/v1/experiments/{}/results", w.their_experiment),
            None,
        ),
        (
            "GET",
            "/experiments/{id}/assignment",
            format!(
                "/api/v1/experiments/{}/assignment?user_id=u1",
                w.their_experiment
            ),
            None,
        ),
        ("POST", "/studies", "/api/v1/studies".into(), Some(study)),
        (
            "GET",
            "/studies/{id}/results",
            format!("/api/v1/studies/{}/results", w.their_study),
            None,
        ),
    ]
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> Response {
    match (method, body) {
        ("GET", _) => get_with(app.addr, path, headers).await,
        (_, Some(body)) => post_json_with(app.addr, path, body, headers).await,
        (_, None) => post_json_with(app.addr, path, &json!({}), headers).await,
    }
}

/// An advertiser account of `name` with a password, and an analytics key of it.
async fn advertiser_account(app: &TestApp, name: &str, email: &str) -> (String, String) {
    let db = app.state.db.conn();
    let a = advertiser::Entity::find()
        .filter(advertiser::Column::Name.eq(name))
        .one(db)
        .await
        .expect("q")
        .expect("advertiser");
    let password = format!("pw-{email}-0123456789");
    let account = app
        .state
        .auth
        .create_account(email, &password, "advertiser", Some(a.id))
        .await
        .expect("account");
    let key = app
        .state
        .auth
        .create_key(account.id, "analytics", "test")
        .await
        .expect("key");
    (password, key)
}

async fn login(app: &TestApp, email: &str, password: &str) -> Response {
    post_json_with(
        app.addr,
        "/api/v1/auth/login",
        &json!({"email": email, "password": password}),
        &[],
    )
    .await
}

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
    let batch = json!({"events": [{"kind": "click", "user_id": "gen-0000001", "item_id": 1}]});
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
