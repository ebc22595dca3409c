//! The campaign list: an advertiser sees its own campaigns only, an admin sees all of them,
//! and the totals add up to the campaigns' rows.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use server::db::entities::{advertiser, campaign};

use crate::analytics_world::serve;
use crate::auth_support::advertiser_account;
use crate::http_client::post_json_with;

fn ids(list: &Value) -> HashSet<i64> {
    list["campaigns"]
        .as_array()
        .expect("campaigns")
        .iter()
        .filter_map(|c| c["campaign_id"].as_i64())
        .collect()
}

#[tokio::test]
async fn the_campaign_list_shows_the_callers_campaigns_and_adds_up() {
    let (app, _) = serve().await;
    let db = app.state.db.conn();
    let (_, key) = advertiser_account(&app, "Contoso Footwear", "ads@contoso.example").await;
    let contoso = advertiser::Entity::find()
        .filter(advertiser::Column::Name.eq("Contoso Footwear"))
        .one(db)
        .await
        .expect("q")
        .expect("advertiser");
    let all = campaign::Entity::find().all(db).await.expect("campaigns");
    let own: HashSet<i64> = all
        .iter()
        .filter(|c| c.advertiser_id == contoso.id)
        .map(|c| i64::from(c.id))
        .collect();
    assert!(!own.is_empty() && own.len() < all.len());

    let path = "/api/v1/analytics/campaigns";
    let mine = post_json_with(
        app.addr,
        path,
        &json!({}),
        &[("Authorization", &format!("Bearer {key}"))],
    )
    .await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(ids(&mine.json()), own, "only its own campaigns");

    let admin = format!("Bearer {}", app.key("analytics").await);
    let everything = post_json_with(app.addr, path, &json!({}), &[("Authorization", &admin)]).await;
    let list = everything.json();
    assert_eq!(ids(&list).len(), all.len());
    // One currency in the demo: the totals are the sum of the rows.
    let rows = list["campaigns"].as_array().expect("rows");
    for field in ["impressions", "clicks", "conversions"] {
        let sum: i64 = rows
            .iter()
            .map(|r| r["values"][field].as_i64().expect("count"))
            .sum();
        assert_eq!(list["totals"][field].as_i64(), Some(sum), "{field}");
    }
    assert!(list["totals"]["impressions"].as_i64().expect("n") > 0);
    // A range is checked; the default is the last 28 days with data.
    let (from, to) = (
        list["from"].as_str().expect("from"),
        list["to"].as_str().expect("to"),
    );
    let days = chrono::NaiveDate::parse_from_str(to, "%Y-%m-%d").expect("to")
        - chrono::NaiveDate::parse_from_str(from, "%Y-%m-%d").expect("from");
    assert!(days.num_days() <= 27, "{from}..{to}");
    let backwards = post_json_with(
        app.addr,
        path,
        &json!({"from": to, "to": from}),
        &[("Authorization", &admin)],
    )
    .await;
    assert_eq!(
        backwards.status,
        if from == to { 200 } else { 400 },
        "{}",
        backwards.body
    );

    let nobody = post_json_with(app.addr, path, &json!({}), &[]).await;
    assert_eq!(nobody.status, 401, "{}", nobody.body);
    let feed = format!("Bearer {}", app.key("feed").await);
    let feed_client = post_json_with(app.addr, path, &json!({}), &[("Authorization", &feed)]).await;
    assert_eq!(feed_client.status, 403, "{}", feed_client.body);
    app.stop().await;
}
