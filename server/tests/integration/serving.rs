//! The feed, "more like this" and events over HTTP, on the real MovieLens world
//! (`serving_world`): personalisation, paging, cold start, sponsored slots and budgets, bad
//! requests, and an index rebuilt while requests flow.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::http_client::{get, post_keyed};
use crate::serving_world::serve_world;
use crate::support::TestApp;

pub async fn recommend(app: &TestApp, body: Value) -> (u16, Value) {
    let r = post_keyed(
        app,
        "/api/v1/recommend",
        "application/json",
        body.to_string().as_bytes(),
    )
    .await;
    (r.status, r.json())
}

pub fn ids(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["item_id"].as_i64()).collect())
        .unwrap_or_default()
}

/// The SQL item ids user `external` has interacted with.
pub async fn seen_by(app: &TestApp, external: &str) -> HashSet<i64> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    use server::db::entities::{interaction, user};
    let db = app.state.db.conn();
    let u = user::Entity::find()
        .filter(user::Column::ExternalId.eq(external))
        .one(db)
        .await
        .expect("query")
        .expect("the user exists");
    interaction::Entity::find()
        .select_only()
        .column(interaction::Column::ItemId)
        .filter(interaction::Column::UserId.eq(u.id))
        .into_tuple::<i64>()
        .all(db)
        .await
        .expect("query")
        .into_iter()
        .collect()
}

#[tokio::test]
async fn feeds_are_personalised_paged_and_leave_out_what_was_seen() {
    let app = serve_world().await;
    let (status, first) = recommend(&app, json!({"user_id": "1", "num_recommendations": 10})).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["fallback"], false);
    let page_one = ids(&first);
    assert_eq!(page_one.len(), 10);
    // The second ask is answered from the kept page bytes, and says the same.
    let (_, again) = recommend(&app, json!({"user_id": "1", "num_recommendations": 10})).await;
    assert_eq!(again, first);
    let service = app.state.services.feed.clone();
    let admin = app::services::FeedCaller::Client(app::services::Caller::Admin { account_id: 0 });
    let through_service = service
        .recommend(
            &admin,
            serde_json::from_value(json!({"user_id": "1", "num_recommendations": 10}))
                .expect("request"),
        )
        .await
        .expect("the service answers");
    let served: Vec<i64> = through_service.items.iter().map(|i| i.item_id).collect();
    assert_eq!(served, page_one, "REST and server functions see one feed");
    assert_eq!(
        through_service.next_cursor.as_deref(),
        first["next_cursor"].as_str()
    );
    let seen = seen_by(&app, "1").await;
    assert!(
        page_one.iter().all(|i| !seen.contains(i)),
        "seen items are left out"
    );
    let items = first["items"].as_array().expect("items");
    assert!(
        items
            .iter()
            .all(|i| i["title"].as_str().is_some_and(|t| !t.is_empty()))
    );
    assert!(
        items
            .windows(2)
            .filter(|w| w[0]["sponsored"].is_null() && w[1]["sponsored"].is_null())
            .count()
            > 0
    );

    // "Load more" continues the same ranking with new items.
    let cursor = first["next_cursor"].as_str().expect("a cursor").to_owned();
    let (status, second) = recommend(
        &app,
        json!({"user_id": "1", "num_recommendations": 10, "cursor": cursor}),
    )
    .await;
    assert_eq!(status, 200, "{second}");
    let page_two = ids(&second);
    assert_eq!(page_two.len(), 10);
    assert!(
        page_two.iter().all(|i| !page_one.contains(i)),
        "pages do not repeat"
    );

    // Another user with another history gets another feed.
    let (_, other) = recommend(&app, json!({"user_id": "405", "num_recommendations": 10})).await;
    assert_eq!(other["fallback"], false);
    let overlap = ids(&other).iter().filter(|i| page_one.contains(i)).count();
    assert!(overlap < 10, "two users' feeds differ (overlap {overlap})");

    // A category keeps the feed inside it.
    let category = items[0]["category"].as_str().expect("category").to_owned();
    let (status, within) = recommend(
        &app,
        json!({"user_id": "1", "num_recommendations": 5, "context": {"category": category}}),
    )
    .await;
    assert_eq!(status, 200, "{within}");
    assert!(!ids(&within).is_empty());
    assert!(
        within["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|i| i["category"] == category.as_str())
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_user_gets_the_fallback_and_text_context_steers_it() {
    let app = serve_world().await;
    let (status, cold) = recommend(&app, json!({"user_id": "nobody-at-all"})).await;
    assert_eq!(status, 200, "{cold}");
    assert_eq!(cold["fallback"], true);
    assert_eq!(ids(&cold).len(), 20);
    let (status, steered) = recommend(
        &app,
        json!({"user_id": "nobody-at-all", "num_recommendations": 5, "context": {"text": "space opera with jedi knights"}}),
    )
    .await;
    assert_eq!(status, 200, "{steered}");
    assert_eq!(steered["fallback"], true);
    // The text's nearest items in the content space lead the cold start (diversity may
    // reorder within its look-ahead, so compare with a deeper "more like this").
    let like = post_keyed(
        &app,
        "/api/v1/similar",
        "application/json",
        br#"{"text": "space opera with jedi knights", "k": 100}"#,
    )
    .await;
    assert_eq!(like.status, 200, "{}", like.body);
    let near = ids(&like.json());
    assert!(ids(&steered).iter().all(|i| near.contains(i)), "{steered}");
    assert_ne!(
        ids(&steered),
        ids(&cold)[..5].to_vec(),
        "text changes the cold start"
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_feed_requests_are_json_errors() {
    let app = serve_world().await;
    for (body, why) in [
        (json!({"user_id": "1", "num_recommendations": 0}), "zero"),
        (
            json!({"user_id": "1", "num_recommendations": 1001}),
            "too many",
        ),
        (
            json!({"user_id": "1", "num_recommendations": 1_000_000_000u64}),
            "10^9",
        ),
        (json!({"user_id": "1", "cursor": "garbage"}), "cursor"),
        (
            json!({"user_id": "1", "context": {"category": "No Such Genre"}}),
            "category",
        ),
        (json!({"user_id": "1", "surprise": true}), "unknown field"),
        (json!({"user_id": ""}), "empty user"),
    ] {
        let (status, error) = recommend(&app, body).await;
        assert_eq!(status, 400, "{why}: {error}");
        assert_eq!(error["code"], "invalid_input", "{why}");
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let malformed = post_keyed(
        &app,
        "/api/v1/recommend",
        "application/json",
        b"{\"user_id\": ",
    )
    .await;
    assert_eq!(malformed.status, 400, "{}", malformed.body);
    assert_eq!(malformed.json()["code"], "invalid_input");
    let not_json = post_keyed(&app, "/api/v1/recommend", "text/plain", b"hello").await;
    assert_eq!(not_json.status, 415, "{}", not_json.body);
    assert_eq!(not_json.json()["code"], "unsupported_media_type");

    // Integers as JSON means them: 20.0 is twenty, 20.5 is not a whole number and the error
    // names the field. (Sent as raw text: serde_json would write 20.0 as 20.0, but be sure.)
    let raw = |body: &'static [u8]| post_keyed(&app, "/api/v1/recommend", "application/json", body);
    let whole = raw(br#"{"user_id":"1","num_recommendations":20.0}"#).await;
    assert_eq!(whole.status, 200, "{}", whole.body);
    assert_eq!(ids(&whole.json()).len(), 20);
    let fraction = raw(br#"{"user_id":"1","num_recommendations":20.5}"#).await;
    assert_eq!(fraction.status, 400, "{}", fraction.body);
    let message = fraction.json()["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains("num_recommendations") && message.contains("whole number"),
        "{message}"
    );
    app.stop().await;
}

#[tokio::test]
async fn without_an_index_the_feed_says_to_run_vitrine_index() {
    let app = TestApp::sqlite().await;
    let (status, error) = recommend(&app, json!({"user_id": "1"})).await;
    assert_eq!(status, 503, "{error}");
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("vitrine index"),
        "{error}"
    );
    let similar = post_keyed(
        &app,
        "/api/v1/similar",
        "application/json",
        br#"{"text": "a dress"}"#,
    )
    .await;
    assert_eq!(similar.status, 503, "{}", similar.body);
    app.stop().await;
}

fn multipart(field: &str, filename: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "vitrine-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn similar_items_by_item_and_text_and_pictures_are_checked() {
    let app = serve_world().await;
    let (_, feed) = recommend(&app, json!({"user_id": "7", "num_recommendations": 1})).await;
    let item = ids(&feed)[0];
    let by_item = post_keyed(
        &app,
        "/api/v1/similar",
        "application/json",
        json!({"item_id": item, "k": 5}).to_string().as_bytes(),
    )
    .await;
    assert_eq!(by_item.status, 200, "{}", by_item.body);
    let found = ids(&by_item.json());
    assert_eq!(found.len(), 5);
    assert!(!found.contains(&item), "an item is not its own neighbour");

    let by_text = post_keyed(
        &app,
        "/api/v1/similar",
        "application/json",
        br#"{"text": "toy story", "k": 3}"#,
    )
    .await;
    assert_eq!(by_text.status, 200, "{}", by_text.body);
    assert_eq!(by_text.json()["query"], "text");

    for (body, status) in [
        (json!({"item_id": 1, "text": "both"}), 400),
        (json!({}), 400),
        (json!({"item_id": -5}), 404),
        (json!({"text": "x", "k": 0}), 400),
    ] {
        let r = post_keyed(
            &app,
            "/api/v1/similar",
            "application/json",
            body.to_string().as_bytes(),
        )
        .await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
    }
    // Not a picture, and a truncated PNG: 400, never a crash.
    let (ct, body) = multipart("image", "notes.txt", b"this is not an image");
    let r = post_keyed(&app, "/api/v1/similar", &ct, &body).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.json()["code"], "invalid_input");
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(64, 64, |x, y| {
        image::Rgb([x as u8 * 4, y as u8 * 4, 90])
    }))
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .expect("encode");
    let (ct, body) = multipart("image", "cut.png", &png[..png.len() / 2]);
    let r = post_keyed(&app, "/api/v1/similar", &ct, &body).await;
    assert_eq!(r.status, 400, "{}", r.body);
    app.stop().await;
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = TestApp::sqlite().await;
    let r = get(app.addr, "/api/v1/openapi.json").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let doc = r.json();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    for (method, path) in server::http::api::routes().routes {
        let documented = &doc["paths"][format!("/api/v1{path}")][method.as_str().to_lowercase()];
        assert!(
            documented.is_object(),
            "{method} /api/v1{path} is missing from openapi.json"
        );
    }
    app.stop().await;
}
