//! The catalogue API on the MovieLens serving world: 100 new items are served by "more like
//! this" within the configured delay while the feed is under load, a retired item leaves at
//! once, and bad batches are refused whole.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use server::db::entities::{item, user};

use crate::http_client::post_json_with;
use crate::serving::ids;
use crate::serving_world::world;
use crate::support::TestApp;

const DELAY_SECS: f64 = 1.0;

pub(crate) async fn serve(history_kinds: &[&str]) -> TestApp {
    let (dir, mut settings) = tokio::task::spawn_blocking(world).await.expect("world");
    settings.inference.additions.delay_secs = DELAY_SECS;
    settings.inference.feed.history_kinds = history_kinds.iter().map(|k| (*k).to_owned()).collect();
    let app = TestApp::start(settings, Some(dir)).await;
    assert!(
        app.state.serving.current_version().is_some(),
        "{}",
        app.state.serving.problem()
    );
    app
}

pub(crate) async fn catalogue(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let key = format!("Bearer {}", app.key("catalogue").await);
    let r = post_json_with(app.addr, path, body, &[("Authorization", &key)]).await;
    (r.status, r.json())
}

/// One click of `user` on each of `items`, through the events API with a feed key.
pub(crate) async fn post_clicks(app: &TestApp, user: &str, items: &[i64]) {
    let key = format!("Bearer {}", app.key("feed").await);
    let events: Vec<Value> = items
        .iter()
        .enumerate()
        .map(|(n, id)| {
            json!({"kind": "click", "user_id": user, "item_id": id,
                   "idempotency_key": format!("{user}-click-{n}")})
        })
        .collect();
    let r = post_json_with(
        app.addr,
        "/api/v1/events",
        &json!({"events": events}),
        &[("Authorization", &key)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// "More like this" for a description in a category: the query is encoded as an unseen item
/// with that content in that category would be.
async fn similar_text(app: &TestApp, item: &Value) -> Vec<i64> {
    let key = format!("Bearer {}", app.key("feed").await);
    let query = json!({"text": item["text"], "category": item["category"], "k": 20});
    let r = post_json_with(
        app.addr,
        "/api/v1/similar",
        &query,
        &[("Authorization", &key)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    ids(&r.json())
}

/// Distinct, describable items that MovieLens does not have.
fn new_item(i: usize) -> Value {
    let (what, place) = [
        ("a lighthouse keeper", "the Faroe Islands"),
        ("a jazz drummer", "New Orleans"),
        ("a beekeeping detective", "rural Japan"),
        ("two rival chess prodigies", "Soviet Leningrad"),
        ("a stranded astronaut", "a frozen moon"),
    ][i % 5];
    let category = ["Drama", "Comedy", "Thriller", "Documentary", "Sci-Fi"][i % 5];
    let mut item = json!({
        "external_id": format!("new-{i:03}"),
        "title": format!("Untold Story {i}"),
        "category": category,
        "text": format!("Untold Story {i}: {what} in {place}, chapter {i}."),
    });
    // Every tenth comes with a poster, stored and encoded with the rest.
    if i.is_multiple_of(10) {
        item["image_base64"] = json!(poster(i));
    }
    item
}

/// A small PNG, a different colour for each `i`, base64.
pub(crate) fn poster(i: usize) -> String {
    use base64::Engine;
    let shade = (i * 37 % 256) as u8;
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(32, 48, image::Rgb([shade, 255 - shade, 90]))
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("encode a poster");
    base64::engine::general_purpose::STANDARD.encode(png.into_inner())
}

#[tokio::test]
async fn new_items_are_served_within_the_delay_while_the_feed_runs() {
    let app = serve(&["rating"]).await;
    let db = app.state.db.conn();
    let before = item::Entity::find().count(db).await.expect("count");

    // The feed under load the whole time: every answer must be a 200.
    let (stop, served, failed) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let key = format!("Bearer {}", app.key("feed").await);
    let load = {
        let (stop, served, failed, addr) = (stop.clone(), served.clone(), failed.clone(), app.addr);
        tokio::spawn(async move {
            let mut i = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let body = json!({"user_id": (1 + i % 900).to_string(), "num_recommendations": 10});
                let r =
                    post_json_with(addr, "/api/v1/recommend", &body, &[("Authorization", &key)])
                        .await;
                if r.status == 200 {
                    served.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
                i += 1;
            }
        })
    };

    let items: Vec<Value> = (0..100).map(new_item).collect();
    let started = Instant::now();
    let (status, added) =
        catalogue(&app, "/api/v1/catalogue/items", &json!({"items": items})).await;
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["served_within_secs"], DELAY_SECS);
    let new_ids: Vec<i64> = added["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["item_id"].as_i64().expect("id"))
        .collect();
    assert_eq!(new_ids.len(), 100);
    assert_eq!(
        item::Entity::find().count(db).await.expect("count"),
        before + 100
    );
    let posters = server::db::items::with_picture(db, &new_ids)
        .await
        .expect("pictures");
    assert_eq!(posters.len(), 10, "every tenth item's poster is stored");

    // Each new item comes up for its own text once the snapshot has it.
    let mut waiting: Vec<(usize, i64)> = new_ids.iter().copied().enumerate().collect();
    // The bound: the configured delay, plus loading the encoders and encoding the batch on
    // this machine's CPU (the measured figure is printed below).
    let deadline = started + Duration::from_secs_f64(DELAY_SECS + 30.0);
    while !waiting.is_empty() && Instant::now() < deadline {
        let mut still = Vec::new();
        for (i, id) in waiting {
            if !similar_text(&app, &new_item(i)).await.contains(&id) {
                still.push((i, id));
            }
        }
        waiting = still;
        if !waiting.is_empty() {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let took = started.elapsed().as_secs_f64();
    assert!(
        waiting.is_empty(),
        "{} new items never came up for their own text: {waiting:?}",
        waiting.len()
    );
    eprintln!(
        "100 new items served by `similar` {took:.2} s after the POST (delay {DELAY_SECS} s)"
    );

    // A retired item leaves at once: no wait.
    let (status, retired) = catalogue(
        &app,
        "/api/v1/catalogue/items/retire",
        &json!({"external_ids": ["new-000"]}),
    )
    .await;
    assert_eq!(status, 200, "{retired}");
    assert!(!similar_text(&app, &new_item(0)).await.contains(&new_ids[0]));

    stop.store(true, Ordering::Relaxed);
    load.await.expect("load");
    let (served, failed) = (
        served.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
    );
    eprintln!("feed during the additions: {served} requests, {failed} failed");
    assert!(served > 0);
    assert_eq!(failed, 0);
    app.stop().await;
}

#[tokio::test]
async fn bad_batches_are_refused_whole() {
    let app = serve(&["rating"]).await;
    let db = app.state.db.conn();
    let (items_before, users_before) = (
        item::Entity::find().count(db).await.expect("count"),
        user::Entity::find().count(db).await.expect("count"),
    );
    let good = new_item(1);
    let gif = "R0lGODlhAQABAAAAACw=";
    let cases = [
        (
            json!({"items": [good.clone(), {"external_id": "bare", "title": "Bare", "category": "Drama"}]}),
            400,
            "neither text nor a picture",
        ),
        (
            json!({"items": [good.clone(), {"external_id": "gif", "title": "Gif", "category": "Drama", "image_base64": gif}]}),
            415,
            "PNG or JPEG",
        ),
        (
            json!({"items": [good.clone(), {"external_id": "1", "title": "Toy Story again", "category": "Comedy", "text": "x"}]}),
            409,
            "already in",
        ),
        (
            json!({"items": [good.clone(), good.clone()]}),
            400,
            "appears twice",
        ),
        (json!({"items": []}), 400, "1 to 1000"),
        (
            json!({"items": [good.clone()], "extra": 1}),
            400,
            "unknown field",
        ),
    ];
    for (body, status, says) in cases {
        let (got, answer) = catalogue(&app, "/api/v1/catalogue/items", &body).await;
        assert_eq!(got, status, "{answer}");
        assert!(
            answer["message"]
                .as_str()
                .unwrap_or_default()
                .contains(says),
            "{answer}"
        );
    }
    let (got, answer) = catalogue(
        &app,
        "/api/v1/catalogue/users",
        &json!({"user_ids": ["ok-1", "1"]}),
    )
    .await;
    assert_eq!(got, 409, "{answer}");
    let (got, answer) = catalogue(
        &app,
        "/api/v1/catalogue/items/retire",
        &json!({"external_ids": ["1", "nope"]}),
    )
    .await;
    assert_eq!(got, 404, "{answer}");
    assert_eq!(
        item::Entity::find().count(db).await.expect("count"),
        items_before
    );
    assert_eq!(
        user::Entity::find().count(db).await.expect("count"),
        users_before
    );

    // Without a catalogue key: 401; with a feed key: 403.
    let anonymous = post_json_with(
        app.addr,
        "/api/v1/catalogue/users",
        &json!({"user_ids": ["x"]}),
        &[],
    )
    .await;
    assert_eq!(anonymous.status, 401);
    let feed = format!("Bearer {}", app.key("feed").await);
    let wrong = post_json_with(
        app.addr,
        "/api/v1/catalogue/users",
        &json!({"user_ids": ["x"]}),
        &[("Authorization", &feed)],
    )
    .await;
    assert_eq!(wrong.status, 403);
    app.stop().await;
}

#[tokio::test]
async fn a_new_users_clicks_personalise_their_feed_without_retraining() {
    let app = crate::fashion_world::serve_fashion(|_| {}).await;
    let (status, created) = catalogue(
        &app,
        "/api/v1/catalogue/users",
        &json!({"user_ids": ["newcomer-1"]}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let feed = |body: Value| {
        let app = &app;
        async move {
            let (status, answer) = crate::serving::recommend(app, body).await;
            assert_eq!(status, 200, "{answer}");
            answer
        }
    };
    let cold = feed(json!({"user_id": "newcomer-1", "num_recommendations": 20})).await;
    assert_eq!(
        cold["fallback"], true,
        "no history yet: the cold-start feed"
    );

    // Ten clicks on the category's popular items, as a visitor browsing it would make.
    let category = "Sneaker";
    let browsed = feed(json!({"user_id": "newcomer-1", "num_recommendations": 10, "context": {"category": category}})).await;
    let clicked = ids(&browsed);
    assert_eq!(clicked.len(), 10);
    post_clicks(&app, "newcomer-1", &clicked).await;

    let warm = feed(json!({"user_id": "newcomer-1", "num_recommendations": 20})).await;
    assert_eq!(warm["fallback"], false, "ten clicks make a history");
    let share = |feed: &Value| {
        let items = feed["items"].as_array().expect("items");
        items.iter().filter(|i| i["category"] == category).count() as f64 / items.len() as f64
    };
    let (before, after) = (share(&cold), share(&warm));
    eprintln!(
        "{category} in the newcomer's top 20: {before:.2} before ten clicks, {after:.2} after"
    );
    assert!(after > before, "{category}: {before} -> {after}");
    app.stop().await;
}
