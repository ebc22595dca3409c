//! Updating items through the catalogue API on the MovieLens serving world: an item's new
//! title, text and picture reach SQL, its content features and its served vector within the
//! configured delay, and again after a restart from an index published before; a bad batch (an
//! unknown or retired item, no content, not a picture) changes nothing.

use std::time::{Duration, Instant};

use base64::Engine;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use server::db::entities::{item, item_image};
use server::vector::FeatureTable;

use crate::catalogue::{catalogue, poster, serve};
use crate::http_client::{post_json_with, put_json_with};
use crate::support::TestApp;

async fn update(app: &TestApp, items: Value) -> (u16, Value) {
    let key = format!("Bearer {}", app.key("catalogue").await);
    let r = put_json_with(
        app.addr,
        "/api/v1/catalogue/items",
        &json!({ "items": items }),
        &[("Authorization", &key)],
    )
    .await;
    (r.status, r.json())
}

/// "More like this" for an item: the item's card as served, and its neighbours with scores.
async fn similar(app: &TestApp, item_id: i64) -> (Value, Vec<(i64, f64)>) {
    let key = format!("Bearer {}", app.key("feed").await);
    let r = post_json_with(
        app.addr,
        "/api/v1/similar",
        &json!({"item_id": item_id, "k": 10}),
        &[("Authorization", &key)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let answer = r.json();
    let items = answer["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["item_id"].as_i64().expect("id"),
                i["score"].as_f64().expect("score"),
            )
        })
        .collect();
    (answer["source"].clone(), items)
}

async fn text_features(app: &TestApp, item_id: i64) -> (Vec<f32>, bool) {
    let table = FeatureTable::open_existing(&app.state.vectors)
        .await
        .expect("open")
        .expect("item_features");
    let rows = table.read_items(&[item_id]).await.expect("read");
    let row = rows.first().expect("a feature row");
    (row.text.clone(), row.image.is_some())
}

#[tokio::test]
async fn an_updated_item_is_served_with_its_new_content_and_bad_updates_change_nothing() {
    let app = serve(&["rating"]).await;
    let db = app.state.db.conn();
    let target = item::Entity::find_by_id(1)
        .one(db)
        .await
        .expect("q")
        .expect("item 1");
    let (source, neighbours) = similar(&app, target.id).await;
    assert_eq!(source["title"], json!(target.title));
    let (old_text, _) = text_features(&app, target.id).await;

    let new_content = json!([{
        "external_id": target.external_id,
        "title": "The Lighthouse Keeper's Chess Club",
        "category": target.category,
        "text": "A lighthouse keeper teaches chess to a village of beekeepers on a frozen moon.",
        "image_base64": poster(7),
    }]);
    let asked = Instant::now();
    let (status, body) = update(&app, new_content).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["items"][0]["item_id"], json!(target.id));

    // SQL at once; the served card and vector within the delay (plus encoding).
    let stored = item::Entity::find_by_id(1)
        .one(db)
        .await
        .expect("q")
        .expect("item 1");
    assert_eq!(stored.title, "The Lighthouse Keeper's Chess Club");
    assert!(stored.description.contains("beekeepers"));
    let pictures = item_image::Entity::find()
        .filter(item_image::Column::ItemId.eq(target.id))
        .count(db)
        .await
        .expect("count");
    assert_eq!(pictures, 1);
    let served = loop {
        let (source, now) = similar(&app, target.id).await;
        if source["title"] == json!("The Lighthouse Keeper's Chess Club") {
            break now;
        }
        assert!(
            asked.elapsed() < Duration::from_secs(30),
            "the update was not served: {source}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!(
        "an updated item was served {:.2} s after the request",
        asked.elapsed().as_secs_f64()
    );
    assert_ne!(served, neighbours, "the item's vector is the new content's");
    let (new_text, has_image) = text_features(&app, target.id).await;
    assert_ne!(new_text, old_text);
    assert!(has_image);

    // Bad batches: nothing changes, even for the good item in the same batch.
    let retired = item::Entity::find_by_id(2)
        .one(db)
        .await
        .expect("q")
        .expect("item 2");
    let (status, _) = catalogue(
        &app,
        "/api/v1/catalogue/items/retire",
        &json!({"external_ids": [retired.external_id]}),
    )
    .await;
    assert_eq!(status, 200);
    let third = item::Entity::find_by_id(3)
        .one(db)
        .await
        .expect("q")
        .expect("item 3");
    let fourth = item::Entity::find_by_id(4)
        .one(db)
        .await
        .expect("q")
        .expect("item 4");
    let good = json!({"external_id": third.external_id, "title": "Changed", "category": third.category, "text": "changed"});
    let gif =
        base64::engine::general_purpose::STANDARD.encode(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;");
    for (bad, status) in [
        (
            json!({"external_id": "no-such-item", "title": "x", "category": "Drama", "text": "x"}),
            404,
        ),
        (
            json!({"external_id": retired.external_id, "title": "x", "category": "Drama", "text": "x"}),
            409,
        ),
        (
            json!({"external_id": fourth.external_id, "title": "x", "category": "Drama"}),
            400,
        ),
        (
            json!({"external_id": fourth.external_id, "title": "x", "category": "Drama", "image_base64": gif}),
            415,
        ),
    ] {
        let (got, body) = update(&app, json!([good.clone(), bad.clone()])).await;
        assert_eq!(got, status, "{bad}: {body}");
        assert!(body["message"].is_string(), "{body}");
    }
    for before in [third, fourth] {
        let after = item::Entity::find_by_id(before.id)
            .one(db)
            .await
            .expect("q");
        assert_eq!(after, Some(before));
    }

    // After a restart, from an index published before both changes: the retired item is
    // masked at once, and the update is filed again within the delay.
    let app = app.restart().await;
    let snapshot = app.state.serving.snapshot().expect("served");
    let row = snapshot.row_of.get(&retired.id);
    assert!(
        row.is_none_or(|r| !snapshot.is_live(*r)),
        "the retired item is served"
    );
    let asked = Instant::now();
    loop {
        let (_, now) = similar(&app, target.id).await;
        if now == served {
            break;
        }
        assert!(
            asked.elapsed() < Duration::from_secs(30),
            "the old vector is served again"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.stop().await;
}
