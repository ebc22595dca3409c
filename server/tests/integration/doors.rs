//! Every door, every caller: one table of every `/api/v1` route and every server function
//! (a new one fails here until it is classified), each with who may call it. The test walks
//! the table as nobody, as another advertiser, and with a feed, a catalogue and an admin's key,
//! and checks the 401, 403 or 404 the table promises; then, with a low limit, that every door
//! answers an exhausted key with 429 while a fresh key gets through; that every refusal of a
//! REST route is one its OpenAPI document lists; and that on the browser's
//! doors a body naming another user is ignored (the feed) or refused (events), never served.
//! Which advertiser's resources an advertiser reaches is `auth_tenants.rs`.

use serde_json::{Value, json};

use crate::analytics_world::serve;
use crate::auth_support::{advertiser_account, world};
use crate::http_client::{Response, get_with, post_with};
use crate::support::TestApp;

/// Who may call a door.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    /// Anyone: the platform's status, this API's description, logging out.
    Anyone,
    /// The browser's feed: anyone, always as themselves (their session or visitor cookie).
    Viewer,
    /// A feed client's key, or an admin.
    FeedKey,
    /// A catalogue key, or an admin.
    CatalogueKey,
    /// An admin only.
    Admin,
    /// An advertiser's own resource: another advertiser's is 403 or 404.
    Tenant,
    /// Any advertiser (their own data only), or an admin.
    Advertiser,
    /// Whoever holds a key or session: their own identity.
    Identified,
    /// Logging in: before a caller exists (a wrong password is 401 for everyone).
    Login,
}

/// The visitor every browser door is knocked as (its cookie), and the feed user it is.
const VISITOR: (&str, &str) = ("Cookie", "vitrine_visitor=doorsVisitor0000000000");
const VIEWER: &str = "visitor-doorsVisitor0000000000";

struct Door {
    method: &'static str,
    /// The route as registered (`/api/v1` routes relative to it), or the server function's path.
    route: &'static str,
    path: String,
    body: Option<Value>,
    /// Server functions without `input = Json` take a URL-encoded form.
    form: bool,
    who: Who,
}

fn door(
    method: &'static str,
    route: &'static str,
    path: String,
    body: Option<Value>,
    who: Who,
) -> Door {
    Door {
        method,
        route,
        path,
        body,
        form: false,
        who,
    }
}

fn rest(method: &'static str, route: &'static str, body: Option<Value>, who: Who) -> Door {
    door(method, route, format!("/api/v1{route}"), body, who)
}

fn function(path: &'static str, body: Value, who: Who) -> Door {
    door("POST", path, path.to_owned(), Some(body), who)
}

fn form_function(path: &'static str, who: Who) -> Door {
    Door {
        form: true,
        ..door("POST", path, path.to_owned(), None, who)
    }
}

fn table(w: &crate::auth_support::World, item: i64) -> Vec<Door> {
    let experiment = json!({"name": "x", "campaign_id": w.their_campaign, "primary_metric": "ctr",
        "arms": [{"name": "a", "weight": 1.0}, {"name": "b", "weight": 1.0}]});
    let study = json!({"name": "x", "method": "did", "campaign_id": w.their_campaign, "outcome": "clicks",
        "treated": ["CA"], "control": ["TX"], "intervention_date": "2026-10-14"});
    let power = json!({"baseline_rate": 0.05, "minimum_relative_lift": 0.1, "alpha": 0.05, "power": 0.8, "ratio": 1.0});
    let feed = json!({"user_id": "gen-0000003", "num_recommendations": 3});
    let events = |user: &str| {
        json!({"events": [{"kind": "click", "user_id": user, "item_id": item,
        "idempotency_key": format!("doors-click-{user}")}]})
    };
    vec![
        rest("GET", "/system", None, Who::Anyone),
        rest("GET", "/system/model", None, Who::Anyone),
        rest("GET", "/openapi.json", None, Who::Anyone),
        rest("POST", "/recommend", Some(feed.clone()), Who::FeedKey),
        rest(
            "POST",
            "/similar",
            Some(json!({"item_id": item, "k": 3})),
            Who::FeedKey,
        ),
        rest("POST", "/events", Some(events("gen-0000003")), Who::FeedKey),
        rest(
            "POST",
            "/auth/login",
            Some(json!({"email": "nobody@doors.example", "password": "not the password"})),
            Who::Login,
        ),
        rest("POST", "/auth/logout", None, Who::Anyone),
        rest("GET", "/auth/me", None, Who::Identified),
        rest(
            "POST",
            "/analytics/campaign",
            Some(json!({"campaign_id": w.their_campaign})),
            Who::Tenant,
        ),
        rest(
            "POST",
            "/analytics/campaigns",
            Some(json!({})),
            Who::Advertiser,
        ),
        rest("GET", "/experiments", None, Who::Advertiser),
        rest(
            "POST",
            "/experiments",
            Some(experiment.clone()),
            Who::Tenant,
        ),
        rest(
            "POST",
            "/experiments/power",
            Some(power.clone()),
            Who::Advertiser,
        ),
        rest(
            "POST",
            "/experiments/models",
            Some(json!({"name": "x", "hypothesis": "h", "treatment": "abc"})),
            Who::Admin,
        ),
        door(
            "GET",
            "/experiments/{id}/results",
            format!("/api/v1/experiments/{}/results", w.their_experiment),
            None,
            Who::Tenant,
        ),
        door(
            "GET",
            "/experiments/{id}/assignment",
            format!(
                "/api/v1/experiments/{}/assignment?user_id=u1",
                w.their_experiment
            ),
            None,
            Who::Tenant,
        ),
        rest("GET", "/studies", None, Who::Advertiser),
        rest("POST", "/studies", Some(study.clone()), Who::Tenant),
        door(
            "GET",
            "/studies/{id}/results",
            format!("/api/v1/studies/{}/results", w.their_study),
            None,
            Who::Tenant,
        ),
        rest(
            "POST",
            "/catalogue/items",
            Some(json!({"items": []})),
            Who::CatalogueKey,
        ),
        rest(
            "PUT",
            "/catalogue/items",
            Some(json!({"items": []})),
            Who::CatalogueKey,
        ),
        rest(
            "POST",
            "/catalogue/items/retire",
            Some(json!({"external_ids": []})),
            Who::CatalogueKey,
        ),
        rest(
            "POST",
            "/catalogue/users",
            Some(json!({"user_ids": []})),
            Who::CatalogueKey,
        ),
        door(
            "DELETE",
            "/users/{user_id}",
            "/api/v1/users/no-such-user".into(),
            None,
            Who::Admin,
        ),
        function("/api/fn/recommend", json!({"request": feed}), Who::Viewer),
        function(
            "/api/fn/similar",
            json!({"request": {"item_id": item, "k": 3}}),
            Who::Viewer,
        ),
        function("/api/fn/categories", json!({}), Who::Viewer),
        function("/api/fn/feed_viewer", json!({}), Who::Viewer),
        function(
            "/api/fn/planted_tastes",
            json!({"user_id": "gen-0000003"}),
            Who::Viewer,
        ),
        function(
            "/api/fn/feed_events",
            json!({"batch": events(VIEWER)}),
            Who::Viewer,
        ),
        form_function("/api/fn/system_report", Who::Anyone),
        form_function("/api/fn/model_report", Who::Anyone),
        form_function("/api/fn/session", Who::Anyone),
        function(
            "/api/fn/campaign_list",
            json!({"request": {}}),
            Who::Advertiser,
        ),
        function(
            "/api/fn/campaign_report",
            json!({"request": {"campaign_id": w.their_campaign}}),
            Who::Tenant,
        ),
        function(
            "/api/fn/create_experiment",
            json!({"request": experiment}),
            Who::Tenant,
        ),
        function(
            "/api/fn/experiment_results",
            json!({"id": w.their_experiment}),
            Who::Tenant,
        ),
        function("/api/fn/experiment_list", json!({}), Who::Advertiser),
        function("/api/fn/power", json!({"request": power}), Who::Advertiser),
        function(
            "/api/fn/create_study",
            json!({"request": study}),
            Who::Tenant,
        ),
        function(
            "/api/fn/study_results",
            json!({"id": w.their_study}),
            Who::Tenant,
        ),
        function("/api/fn/study_list", json!({}), Who::Advertiser),
    ]
}

async fn knock(app: &TestApp, d: &Door, headers: &[(&str, &str)]) -> Response {
    if d.method == "GET" {
        return get_with(app.addr, &d.path, headers).await;
    }
    let (content_type, body) = if d.form {
        ("application/x-www-form-urlencoded", String::new())
    } else {
        (
            "application/json",
            d.body.clone().unwrap_or_else(|| json!({})).to_string(),
        )
    };
    if d.method == "DELETE" {
        return crate::http_client::delete_with(app.addr, &d.path, headers).await;
    }
    let mut all = headers.to_vec();
    all.push(VISITOR);
    if d.method == "PUT" {
        return crate::http_client::put_json_with(
            app.addr,
            &d.path,
            d.body.as_ref().unwrap_or(&json!({})),
            headers,
        )
        .await;
    }
    post_with(app.addr, &d.path, content_type, body.as_bytes(), &all).await
}

/// What each caller must get, in the order nobody, another advertiser, a feed key, a
/// catalogue key, an admin: `Some(statuses)` the door must answer with, `None` for "gets past
/// the check" (no 401, 403 or 429).
fn expected(who: Who) -> [Option<&'static [u16]>; 5] {
    const PASS: Option<&[u16]> = None;
    const NO: Option<&[u16]> = Some(&[401]);
    const DENIED: Option<&[u16]> = Some(&[403]);
    match who {
        Who::Anyone | Who::Viewer => [PASS; 5],
        Who::FeedKey => [NO, DENIED, PASS, DENIED, PASS],
        Who::CatalogueKey => [NO, DENIED, DENIED, PASS, PASS],
        Who::Admin => [NO, DENIED, DENIED, DENIED, PASS],
        Who::Tenant => [NO, Some(&[403, 404]), DENIED, DENIED, PASS],
        Who::Advertiser => [NO, PASS, DENIED, DENIED, PASS],
        Who::Identified => [NO, PASS, PASS, PASS, PASS],
        Who::Login => [NO; 5],
    }
}

#[tokio::test]
async fn every_door_answers_every_caller_as_its_table_says() {
    let (app, _) = serve().await;
    let w = world(&app, "Contoso Footwear").await;
    let (_, advertiser) =
        advertiser_account(&app, "Contoso Footwear", "doors@contoso.example").await;
    let item = first_item(&app).await;
    let doors = table(&w, item);

    // The table covers every route and server function.
    for (method, route) in server::http::api::routes().routes {
        assert!(
            doors
                .iter()
                .any(|d| d.method == method.as_str() && d.route == route),
            "{method} /api/v1{route} is not in the table: decide who may call it"
        );
    }
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        assert!(
            doors.iter().any(|d| d.route == path),
            "server function {path} is not in the table: decide who may call it"
        );
    }

    // Every refusal the table promises on REST, and the rate limit's, is documented.
    let doc: Value = get_with(app.addr, "/api/v1/openapi.json", &[]).await.json();
    for d in doors.iter().filter(|d| !d.route.starts_with("/api/fn")) {
        let path = format!("/api/v1{}", d.route);
        let responses = &doc["paths"][path.as_str()][d.method.to_lowercase()]["responses"];
        let promised = expected(d.who)
            .into_iter()
            .flatten()
            .flat_map(|statuses| statuses.iter().copied())
            .chain([429]);
        for status in promised {
            assert!(
                responses[status.to_string()].is_object(),
                "{} {path} does not document its {status}: {responses}",
                d.method
            );
        }
    }

    let callers = [
        ("nobody", String::new()),
        ("another advertiser", format!("Bearer {advertiser}")),
        ("a feed key", format!("Bearer {}", app.key("feed").await)),
        (
            "a catalogue key",
            format!("Bearer {}", app.key("catalogue").await),
        ),
        ("an admin", format!("Bearer {}", app.key("analytics").await)),
    ];
    for d in &doors {
        for ((caller, bearer), want) in callers.iter().zip(expected(d.who)) {
            let headers: Vec<(&str, &str)> = if bearer.is_empty() {
                Vec::new()
            } else {
                vec![("Authorization", bearer.as_str())]
            };
            let r = knock(&app, d, &headers).await;
            match want {
                Some(statuses) => assert!(
                    statuses.contains(&r.status),
                    "{} {} as {caller}: want {statuses:?}, got {} {}",
                    d.method,
                    d.route,
                    r.status,
                    r.body
                ),
                None => assert!(
                    ![401, 403, 429].contains(&r.status),
                    "{} {} as {caller} must get past the check: {} {}",
                    d.method,
                    d.route,
                    r.status,
                    r.body
                ),
            }
            if r.status >= 400 {
                assert!(
                    r.json()["code"].is_string(),
                    "{} {} as {caller}: every error is the JSON error body: {}",
                    d.method,
                    d.route,
                    r.body
                );
            }
        }
    }

    // On the browser's doors a body naming another user is ignored (the feed is the
    // viewer's own) or refused (their events), and nothing of theirs is read.
    let mut feed = by_route(&doors, "/api/fn/recommend");
    feed.body = Some(json!({"request": {"user_id": "gen-0000003", "num_recommendations": 3}}));
    let served = knock(&app, &feed, &[]).await;
    assert_eq!(served.status, 200, "{}", served.body);
    assert_eq!(served.json()["user_id"], VIEWER);
    let mut events = by_route(&doors, "/api/fn/feed_events");
    events.body = Some(
        json!({"batch": {"events": [{"kind": "click", "user_id": "gen-0000003",
        "item_id": item, "idempotency_key": "doors-theirs"}]}}),
    );
    let refused = knock(&app, &events, &[]).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let tastes = knock(&app, &by_route(&doors, "/api/fn/planted_tastes"), &[]).await;
    assert_eq!((tastes.status, tastes.json()), (200, Value::Null));
    app.stop().await;
    over_the_limit_every_door_is_429_and_another_key_is_not(&doors).await;
}

fn by_route(doors: &[Door], route: &str) -> Door {
    let d = doors
        .iter()
        .find(|d| d.route == route)
        .expect("in the table");
    Door {
        path: d.path.clone(),
        body: d.body.clone(),
        ..*d
    }
}

async fn first_item(app: &TestApp) -> i64 {
    use sea_orm::{EntityTrait, QueryOrder};
    server::db::entities::item::Entity::find()
        .order_by_asc(server::db::entities::item::Column::Id)
        .one(app.state.db.conn())
        .await
        .expect("query")
        .expect("an item")
        .id
}

/// One request per second per key (bursts of two): each door is knocked with a key just
/// spent, and then with a fresh key, on both doors alike.
async fn over_the_limit_every_door_is_429_and_another_key_is_not(doors: &[Door]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = crate::support::settings_in(dir.path());
    settings.auth.key_requests_per_sec = 1;
    let app = TestApp::start(settings, Some(dir)).await;
    let spent = format!("Bearer {}", app.key("analytics").await);
    let account = app
        .state
        .auth
        .create_account(
            "limits@doors.example",
            "a long test password",
            "admin",
            None,
        )
        .await
        .expect("an account");
    for d in doors {
        for _ in 0..3 {
            get_with(app.addr, "/api/v1/auth/me", &[("Authorization", &spent)]).await;
        }
        let r = knock(&app, d, &[("Authorization", &spent)]).await;
        assert_eq!(
            r.status, 429,
            "{} {} over the limit: {}",
            d.method, d.route, r.body
        );
        assert_eq!(r.json()["code"], "too_many_requests");
        let fresh = app
            .state
            .auth
            .create_key(account.id, "analytics", "fresh")
            .await
            .expect("a key");
        let r = knock(&app, d, &[("Authorization", &format!("Bearer {fresh}"))]).await;
        assert_ne!(
            r.status, 429,
            "{} {} with a fresh key: {}",
            d.method, d.route, r.body
        );
    }
    app.stop().await;
}
