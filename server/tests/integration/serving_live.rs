//! The feed while things change: events invalidate a user's cached feed, sponsored slots
//! follow campaigns' budgets, and an index rebuilt under load swaps in without a failed
//! request.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use server::db::entities::interaction;
use server::serving::index;

use crate::http_client::post_json_with;
use crate::serving::{ids, recommend};
use crate::serving_world::{CATALOGUE, index_settings, serve_world};

/// Posts `body` to `/api/v1/events` with a feed key: the status and the answer.
pub async fn events(
    app: &crate::support::TestApp,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let key = format!("Bearer {}", app.key("feed").await);
    let r = post_json_with(
        app.addr,
        "/api/v1/events",
        &body,
        &[("Authorization", &key)],
    )
    .await;
    (r.status, r.json())
}

#[tokio::test]
async fn events_invalidate_the_feed_and_budgets_stop_promotions() {
    let app = serve_world().await;
    let (_, before) = recommend(&app, json!({"user_id": "3", "num_recommendations": 5})).await;
    let top = ids(&before)[0];
    let batch = json!({"events": [
        {"kind": "click", "user_id": "3", "item_id": top, "idempotency_key": "k-1"},
        {"kind": "save", "user_id": "3", "item_id": top, "idempotency_key": "k-2"}
    ]});
    let (status, report) = events(&app, batch.clone()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["accepted"], 2);
    // The client retries the whole batch (a lost response, say): nothing is counted twice.
    let (status, retried) = events(&app, batch).await;
    assert_eq!(status, 200, "{retried}");
    assert_eq!(
        (retried["accepted"].clone(), retried["duplicates"].clone()),
        (json!(0), json!(2))
    );
    let recorded = interaction::Entity::find()
        .filter(interaction::Column::IdempotencyKey.is_in(["k-1", "k-2"]))
        .count(app.state.db.conn())
        .await
        .expect("count");
    assert_eq!(recorded, 2, "one interaction per key");
    let (_, after) = recommend(&app, json!({"user_id": "3", "num_recommendations": 5})).await;
    assert!(
        !ids(&after).contains(&top),
        "a clicked item leaves the cached feed at once"
    );

    // Bad batches change nothing.
    for body in [
        json!({"events": []}),
        json!({"events": [{"kind": "click", "user_id": "no-such-user", "item_id": top, "idempotency_key": "b-1"}]}),
        json!({"events": [{"kind": "click", "user_id": "3", "item_id": -1, "idempotency_key": "b-2"}]}),
        json!({"events": [{"kind": "teleport", "user_id": "3", "item_id": top, "idempotency_key": "b-3"}]}),
        json!({"events": [{"kind": "click", "user_id": "3", "item_id": top, "occurred_at": "yesterday", "idempotency_key": "b-4"}]}),
        json!({"events": [{"kind": "click", "user_id": "3", "item_id": top}]}),
        json!({"events": [{"kind": "click", "user_id": "3", "item_id": top, "idempotency_key": ""}]}),
        json!({"events": [{"kind": "click", "user_id": "3", "item_id": top, "idempotency_key": "b-5", "model_version": "NOT-A-VERSION"}]}),
    ] {
        let (status, error) = events(&app, body.clone()).await;
        assert_eq!(status, 400, "{body}: {error}");
    }

    // A campaign promoting an item the user has not seen takes a sponsored slot...
    let promoted = ids(&after)[4];
    let (campaign_id, creative_id) = crate::impressions::promote(&app, promoted, 0.004).await;
    let feed = fresh_feed_until(&app, "fresh", |feed| sponsored_count(feed) > 0).await;
    let sponsored: Vec<&serde_json::Value> = feed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| !i["sponsored"].is_null())
        .collect();
    assert_eq!(sponsored.len(), 1, "{feed}");
    assert_eq!(sponsored[0]["item_id"], promoted);
    assert_eq!(sponsored[0]["sponsored"]["creative_id"], creative_id);
    assert_eq!(
        feed["items"][2]["item_id"], promoted,
        "the first sponsored slot is position 2"
    );

    // ...until an impression at 5.00 CPM spends its 0.004 daily budget. Each serving of the
    // slot carries its own token (impressions.rs tries to forge them).
    let impression = |key: &str, feed: &serde_json::Value| {
        let token = feed["items"][2]["sponsored"]["impression_token"].clone();
        json!({"events": [{"kind": "impression", "user_id": "3", "item_id": promoted,
            "campaign_id": campaign_id, "creative_id": creative_id, "idempotency_key": key,
            "impression_token": token}]})
    };
    // Served twice before the budget runs out.
    let second = fresh_feed_until(&app, "again", |feed| sponsored_count(feed) > 0).await;
    let (status, report) = events(&app, impression("imp-0", &feed)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["ad_events"], 1);
    // A retried batch with the same idempotency key is not recorded twice.
    let (_, first) = events(&app, impression("imp-1", &second)).await;
    let (_, retried) = events(&app, impression("imp-1", &second)).await;
    assert_eq!(
        (first["ad_events"].clone(), retried["duplicates"].clone()),
        (json!(1), json!(1)),
        "{retried}"
    );
    let spent = fresh_feed_until(&app, "later", |feed| sponsored_count(feed) == 0).await;
    assert!(
        spent["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["sponsored"].is_null()),
        "{spent}"
    );
    app.stop().await;
}

fn sponsored_count(feed: &serde_json::Value) -> usize {
    feed["items"].as_array().map_or(0, |items| {
        items.iter().filter(|i| !i["sponsored"].is_null()).count()
    })
}

/// User 3's feed, ranked afresh (a context not asked for before, so no cached feed answers)
/// until `done` holds or 20 s pass. The promotions are re-read in the background every second;
/// a fixed sleep would race that task on a busy machine.
async fn fresh_feed_until(
    app: &crate::support::TestApp,
    context: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut text = context.to_owned();
    let mut attempt = 0;
    loop {
        let (status, feed) = recommend(
            app,
            json!({"user_id": "3", "num_recommendations": 10, "context": {"text": text}}),
        )
        .await;
        assert_eq!(status, 200, "{feed}");
        if done(&feed) || std::time::Instant::now() > deadline {
            return feed;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        attempt += 1;
        text = format!("{context} {attempt}");
    }
}

#[tokio::test]
async fn the_index_is_rebuilt_while_requests_flow_and_none_fails() {
    let app = Arc::new(serve_world().await);
    let (first_version, _) = app.state.serving.current_version().expect("loaded");
    let failures = Arc::new(AtomicUsize::new(0));
    let served = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..4 {
        let (app, failures, served, stop) =
            (app.clone(), failures.clone(), served.clone(), stop.clone());
        clients.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let user = (c * 97 + n * 13) % 900 + 1;
                let (status, body) = recommend(
                    &app,
                    json!({"user_id": user.to_string(), "num_recommendations": 10}),
                )
                .await;
                if status != 200 || ids(&body).len() != 10 {
                    failures.fetch_add(1, Ordering::Relaxed);
                    eprintln!("failed during the rebuild: {status} {body}");
                }
                served.fetch_add(1, Ordering::Relaxed);
                n += 1;
            }
        }));
    }
    let dir = app.state.settings.data.dir.join("models").join(CATALOGUE);
    let report = index::build(
        app.state.db.conn(),
        &app.state.vectors,
        &dir,
        CATALOGUE,
        &index_settings(),
        |_, _| {},
    )
    .await
    .expect("rebuild");
    let mut swapped = false;
    for _ in 0..100 {
        if app
            .state
            .serving
            .current_version()
            .is_some_and(|(v, _)| v != first_version)
        {
            swapped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Keep asking for a moment on the new snapshot too.
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.expect("client");
    }
    assert!(
        swapped,
        "the server picked up version {} within 10 s",
        report.version
    );
    assert!(
        served.load(Ordering::Relaxed) > 20,
        "requests flowed throughout"
    );
    assert_eq!(failures.load(Ordering::Relaxed), 0);
    match Arc::try_unwrap(app) {
        Ok(app) => app.stop().await,
        Err(_) => panic!("clients still hold the app"),
    }
}

#[tokio::test]
async fn dwell_is_recorded_in_seconds_and_a_bad_one_names_the_field() {
    let app = serve_world().await;
    let (_, feed) = recommend(&app, json!({"user_id": "3", "num_recommendations": 1})).await;
    let item = ids(&feed)[0];
    let body = |seconds: &str, key: &str| {
        format!(
            r#"{{"events": [{{"kind": "dwell", "user_id": "3", "item_id": {item}, "seconds": {seconds}, "idempotency_key": "{key}"}}]}}"#
        )
    };
    // -1, over an hour, NaN (not JSON, so a syntax error at that field), a string, and none.
    for (seconds, key) in [
        ("-1", "d-1"),
        ("3601", "d-2"),
        ("NaN", "d-3"),
        (r#""ten""#, "d-4"),
        ("null", "d-5"),
    ] {
        let r = crate::http_client::post_keyed(
            &app,
            "/api/v1/events",
            "application/json",
            body(seconds, key).as_bytes(),
        )
        .await;
        assert_eq!(r.status, 400, "{seconds}: {}", r.body);
        let error = r.json();
        assert_eq!(error["code"], "invalid_input", "{seconds}: {error}");
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains("seconds")),
            "{seconds}: {error}"
        );
    }
    let clicked = json!({"events": [
        {"kind": "click", "user_id": "3", "item_id": item, "idempotency_key": "d-6", "seconds": 3.0}
    ]});
    assert_eq!(
        events(&app, clicked).await.0,
        400,
        "only a dwell has seconds"
    );
    let db = app.state.db.conn();
    let stored = |keys: &'static [&'static str]| {
        interaction::Entity::find()
            .filter(interaction::Column::IdempotencyKey.is_in(keys.iter().copied()))
            .all(db)
    };
    let refused = stored(&["d-1", "d-2", "d-3", "d-4", "d-5", "d-6"])
        .await
        .expect("query");
    assert!(refused.is_empty(), "nothing refused is stored: {refused:?}");

    let (status, report) = events(
        &app,
        json!({"events": [
            {"kind": "dwell", "user_id": "3", "item_id": item, "seconds": 12.5, "idempotency_key": "d-7"},
            {"kind": "dwell", "user_id": "3", "item_id": item, "seconds": 3600, "idempotency_key": "d-8"}
        ]}),
    )
    .await;
    assert_eq!(
        (status, report["accepted"].clone()),
        (200, json!(2)),
        "{report}"
    );
    let mut kept = stored(&["d-7", "d-8"]).await.expect("query");
    kept.sort_by(|a, b| a.idempotency_key.cmp(&b.idempotency_key));
    let seen: Vec<(&str, Option<f64>)> = kept.iter().map(|i| (i.kind.as_str(), i.value)).collect();
    assert_eq!(seen, [("dwell", Some(12.5)), ("dwell", Some(3600.0))]);

    // The Feed page's beacon: plain text (as `sendBeacon` posts it), dwell only, the viewer's
    // own (a visitor, by its cookie), the same checks and keys as the REST door.
    let beacon = |body: String| {
        let addr = app.addr;
        async move {
            crate::http_client::post_with(
                addr,
                "/beacon/dwell",
                "text/plain;charset=UTF-8",
                body.as_bytes(),
                &[("Cookie", "vitrine_visitor=dwellingVisitor0000000")],
            )
            .await
        }
    };
    let visitor = |seconds: &str, key: &str| {
        body(seconds, key).replace("\"3\"", "\"visitor-dwellingVisitor0000000\"")
    };
    let theirs = beacon(body("41.5", "b-0")).await;
    assert_eq!(theirs.status, 403, "another user's dwell: {}", theirs.body);
    let r = beacon(visitor("41.5", "b-1")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["accepted"], 1, "{}", r.body);
    let again = beacon(visitor("41.5", "b-1")).await;
    assert_eq!(
        again.json()["duplicates"],
        1,
        "a resent beacon counts once: {}",
        again.body
    );
    for (bad, names) in [
        (visitor("3601", "b-2"), "seconds"),
        ("{\"events\": [".to_owned(), "JSON"),
        (
            format!(
                r#"{{"events": [{{"kind": "click", "user_id": "3", "item_id": {item}, "idempotency_key": "b-3"}}]}}"#
            ),
            "dwell events only",
        ),
    ] {
        let r = beacon(bad.clone()).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(r.body.contains(names), "{bad}: {}", r.body);
    }
    let beacons = stored(&["b-0", "b-1", "b-2", "b-3"]).await.expect("query");
    let seen: Vec<(&str, Option<f64>)> =
        beacons.iter().map(|i| (i.kind.as_str(), i.value)).collect();
    assert_eq!(seen, [("dwell", Some(41.5))]);
    app.stop().await;
}
