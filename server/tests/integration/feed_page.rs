//! The feed page's server side on the MovieLens serving world: the page renders its cards and
//! the category filter, "more like this" names its item, the save form records one save per
//! user and item, the page's event function refuses conversions, and the System page's model
//! report agrees with the model folder.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use server::db::entities::interaction;

use crate::http_client::{get, post, post_json_with};
use crate::serving_world::serve_demo_world;

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn the_feed_page_renders_filters_saves_and_logs_through_the_events_service() {
    // The demo: the page views as MovieLens user 3.
    let app = serve_demo_world().await;
    let db = app.state.db.conn();

    // Categories, largest first, with counts that add up to the snapshot.
    let categories = post_json_with(app.addr, "/api/fn/categories", &json!({}), &[]).await;
    assert_eq!(categories.status, 200, "{}", categories.body);
    let list = categories.json()["categories"]
        .as_array()
        .expect("categories")
        .clone();
    assert!(list.len() > 1);
    let counts: Vec<u64> = list
        .iter()
        .map(|c| c["items"].as_u64().expect("n"))
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    let biggest = list[0]["name"].as_str().expect("a name").to_owned();

    // The page, whole from the server: 24 cards, the filter offering every category.
    let page = get(app.addr, "/?user=3").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.body.matches("class=\"feed-card\"").count(),
        24,
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("<option value=\"{biggest}\"")));
    let filtered = get(
        app.addr,
        &format!("/?user=3&category={}", biggest.replace(' ', "%20")),
    )
    .await;
    let chips = filtered
        .body
        .matches(&format!("title=\"Only {biggest}\""))
        .count();
    assert_eq!(
        chips,
        filtered.body.matches("class=\"feed-card\"").count(),
        "only {biggest}"
    );
    assert!(chips > 0);

    // More like this: the item asked about heads the page.
    let first = post_json_with(
        app.addr,
        "/api/fn/similar",
        &json!({"request": {"item_id": 1, "k": 5}}),
        &[],
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.body);
    let answer = first.json();
    assert_eq!(answer["source"]["item_id"], 1);
    assert_eq!(answer["items"].as_array().expect("items").len(), 5);
    let title = answer["source"]["title"]
        .as_str()
        .expect("a title")
        .to_owned();
    let similar = get(app.addr, "/similar?item=1&user=3").await;
    assert!(
        similar
            .body
            .contains(&format!("More like “{}”", title.replace('&', "&amp;"))),
        "{}",
        similar.body
    );
    let unknown = get(app.addr, "/similar?item=999999").await;
    assert!(unknown.body.contains("no item 999999") && unknown.body.contains("role=\"alert\""));

    // Saving by the form, twice: one save, and back to the page it came from.
    for _ in 0..2 {
        let saved = post(
            app.addr,
            "/forms/save",
            FORM,
            b"user_id=3&item_id=1&back=%2F%3Fuser%3D3",
        )
        .await;
        assert_eq!(saved.status, 303);
        assert_eq!(saved.header("location"), Some("/?user=3"));
    }
    let saves = interaction::Entity::find()
        .filter(interaction::Column::IdempotencyKey.eq("save:3:1"))
        .count(db)
        .await
        .expect("count");
    assert_eq!(saves, 1);
    let elsewhere = post(
        app.addr,
        "/forms/save",
        FORM,
        b"user_id=3&item_id=1&back=https://evil.example",
    )
    .await;
    assert_eq!(elsewhere.header("location"), Some("/"));

    // The page's events: impressions are stored; a conversion is refused and nothing is kept.
    let shown = post_json_with(
        app.addr,
        "/api/fn/feed_events",
        &json!({"batch": {"events": [
            {"kind": "impression", "user_id": "3", "item_id": 2, "idempotency_key": "page-imp-1"},
            {"kind": "click", "user_id": "3", "item_id": 2, "idempotency_key": "page-click-1"}
        ]}}),
        &[],
    )
    .await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert_eq!(shown.json()["accepted"], 2);
    let forged = post_json_with(
        app.addr,
        "/api/fn/feed_events",
        &json!({"batch": {"events": [
            {"kind": "impression", "user_id": "3", "item_id": 2, "idempotency_key": "page-imp-2"},
            {"kind": "conversion", "user_id": "3", "item_id": 2, "idempotency_key": "page-conv-1", "revenue": 100.0}
        ]}}),
        &[],
    )
    .await;
    assert_eq!(forged.status, 400, "{}", forged.body);
    assert_eq!(forged.json()["code"], "invalid_input");
    let kept = interaction::Entity::find()
        .filter(interaction::Column::IdempotencyKey.is_in(["page-imp-2", "page-conv-1"]))
        .count(db)
        .await
        .expect("count");
    assert_eq!(kept, 0);

    // The System page's model report: the folder's weights, the published index, no problems.
    let model = crate::http_client::get_with(app.addr, "/api/v1/system/model", &[]).await;
    assert_eq!(model.status, 200, "{}", model.body);
    let report = model.json();
    let (_, index_version) = app.state.serving.current_version().expect("a snapshot");
    assert_eq!(report["index_version"], index_version);
    assert_eq!(report["problems"], json!([]), "{report}");
    assert_eq!(report["items"], report["indexed_items"]);
    assert!(
        report["training_curve"]["svg"]
            .as_str()
            .expect("a curve")
            .starts_with("<svg")
    );
    let meta = server::recsys::checkpoint::read_meta(
        &app.state
            .settings
            .data
            .dir
            .join("models")
            .join(crate::serving_world::CATALOGUE),
        None,
    )
    .expect("the model's checkpoint");
    assert_eq!(report["model"]["weights_digest"], meta.weights_digest);
    let system = get(app.addr, "/system").await;
    assert!(system.body.contains("SQL and LanceDB agree") && system.body.contains("Served model"));
    app.stop().await;
}
