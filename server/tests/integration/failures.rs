//! A forced database failure under a running server: the `interactions` table, behind the
//! feed's history and every event, is dropped. Each door (REST, the server function, the
//! dwell beacon) answers with the failure's code, a plain sentence and a reference to quote,
//! and no database error text reaches a response body.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::http_client::{post_json_with, post_with};
use crate::serving::{ids, recommend};
use crate::serving_world::serve_world;

/// Words of SQLite's and SeaORM's error text, and the table's own name.
const LEAKS: [&str; 6] = [
    "no such table",
    "interactions",
    "SQL",
    "sqlx",
    "Query Error",
    "DbErr",
];

#[tokio::test]
async fn a_database_failure_reaches_no_response_body() {
    let app = serve_world().await;
    let key = format!("Bearer {}", app.key("feed").await);
    let (_, feed) = recommend(&app, json!({"user_id": "3", "num_recommendations": 1})).await;
    let item = ids(&feed)[0];
    app.state
        .db
        .conn()
        .execute_unprepared("DROP TABLE interactions")
        .await
        .expect("the table is dropped");

    let event = |key: &str| json!({"kind": "click", "user_id": "3", "item_id": item, "idempotency_key": key});
    // The browser's doors record the viewer's own activity: a visitor's, by its cookie.
    let cookie = "vitrine_visitor=failureVisitor00000000";
    let visitor = "visitor-failureVisitor00000000";
    let visitor_event = |key: &str| json!({"kind": "click", "user_id": visitor, "item_id": item, "idempotency_key": key});
    let dwell = json!({"events": [{"kind": "dwell", "user_id": visitor, "item_id": item,
        "seconds": 12.0, "idempotency_key": "f-3"}]});
    let answers = [
        (
            "REST events",
            post_json_with(
                app.addr,
                "/api/v1/events",
                &json!({"events": [event("f-1")]}),
                &[("Authorization", &key)],
            )
            .await,
        ),
        (
            "REST feed of a user not yet cached",
            post_json_with(
                app.addr,
                "/api/v1/recommend",
                &json!({"user_id": "5", "num_recommendations": 5}),
                &[("Authorization", &key)],
            )
            .await,
        ),
        (
            "server function events",
            post_json_with(
                app.addr,
                "/api/fn/feed_events",
                &json!({"batch": {"events": [visitor_event("f-2")]}}),
                &[("Cookie", cookie)],
            )
            .await,
        ),
        (
            "dwell beacon",
            post_with(
                app.addr,
                "/beacon/dwell",
                "text/plain;charset=UTF-8",
                dwell.to_string().as_bytes(),
                &[("Cookie", cookie)],
            )
            .await,
        ),
    ];
    for (door, r) in answers {
        assert_eq!(r.status, 503, "{door}: {}", r.body);
        let error: Value = r.json();
        assert_eq!(error["code"], "database_unavailable", "{door}: {error}");
        let message = error["message"].as_str().expect("a message");
        assert!(
            message.starts_with("the database is unavailable (reference "),
            "{door}: {message}"
        );
        for leak in LEAKS {
            assert!(!r.body.contains(leak), "{door} leaks `{leak}`: {}", r.body);
        }
    }
    app.stop().await;
}
