//! Every door, every caller: one table (`doors_table.rs`) of every `/api/v1` route and every
//! server function (a new one fails here until it is classified), each with who may call it.
//! The test walks the table as nobody, as another advertiser, and with a feed, a catalogue and
//! an admin's key, and checks the 401, 403 or 404 the table promises, each a refusal the
//! route's OpenAPI document lists; then, with a low limit, that every door answers an
//! exhausted key with 429 while a fresh key gets through; and that on the browser's doors a
//! body naming another user is ignored (the feed) or refused (events), never served. Which
//! advertiser's resources an advertiser reaches is `auth_tenants.rs`.

use serde_json::{Value, json};

use crate::analytics_world::serve;
use crate::auth_support::{advertiser_account, world};
use crate::doors_table::{Door, VIEWER, by_route, expected, knock, table};
use crate::http_client::get_with;
use crate::support::TestApp;

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
