//! Sponsored impressions are attested: only events that bring the impression token the feed
//! signed for their slot cost money or count. Every forgery is refused with a 4xx, and the
//! campaign's events, spend, daily rollups and report are unchanged, checked in SQL.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
use server::db::entities::{advertiser, campaign, campaign_daily_stat, creative, event};
use server::serving::attestation::{Attestor, ImpressionClaims};

use crate::http_client::post_json_with;
use crate::serving::{ids, recommend};
use crate::serving_world::serve_world_with;
use crate::support::TestApp;

const SECRET: &str = "the-test-worlds-impression-secret-0123456789";

/// A campaign with a creative promoting `item`, active from yesterday, with `daily_budget`.
pub async fn promote(app: &TestApp, item: i64, daily_budget: f64) -> (i32, i32) {
    let db = app.state.db.conn();
    let now = Utc::now();
    let adv = advertiser::ActiveModel {
        name: Set(format!("Advertiser of {item}")),
        time_zone: Set("UTC".into()),
        currency: Set("USD".into()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("advertiser");
    let camp = campaign::ActiveModel {
        advertiser_id: Set(adv.id),
        name: Set(format!("Promoting {item}")),
        status: Set("active".into()),
        daily_budget: Set(daily_budget),
        total_budget: Set(None),
        starts_at: Set(now - chrono::Duration::days(1)),
        ends_at: Set(None),
        targeting: Set(json!({})),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("campaign");
    let ad = creative::ActiveModel {
        campaign_id: Set(camp.id),
        item_id: Set(item),
        name: Set("c".into()),
        headline: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("creative");
    (camp.id, ad.id)
}

/// User `user`'s feed, ranked afresh (a new context each try) until it holds a sponsored
/// slot or 20 s pass; the promotions are re-read in the background every second.
pub async fn sponsored_feed(app: &TestApp, user: &str, context: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    for attempt in 0.. {
        let (status, feed) = recommend(
            app,
            json!({"user_id": user, "num_recommendations": 10, "context": {"text": format!("{context} {attempt}")}}),
        )
        .await;
        assert_eq!(status, 200, "{feed}");
        let has = feed["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|i| !i["sponsored"].is_null()));
        if has || std::time::Instant::now() > deadline {
            return feed;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    unreachable!("the loop returns")
}

/// The sponsored slot of a feed: its item and token.
fn slot(feed: &Value) -> (i64, String) {
    let item = feed["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| !i["sponsored"].is_null()))
        .unwrap_or_else(|| panic!("a sponsored slot in {feed}"));
    let token = item["sponsored"]["impression_token"]
        .as_str()
        .expect("a token")
        .to_owned();
    (item["item_id"].as_i64().expect("an id"), token)
}

/// Everything an event could change, for one campaign: its events (kind, cost, revenue,
/// attestation), its daily rollups rebuilt now, and its report's totals.
async fn books(app: &TestApp, campaign_id: i32, auth: &str) -> (Vec<Value>, Vec<Value>, Value) {
    let db = app.state.db.conn();
    let events: Vec<Value> = event::Entity::find()
        .filter(event::Column::CampaignId.eq(campaign_id))
        .order_by_asc(event::Column::Id)
        .all(db)
        .await
        .expect("events")
        .into_iter()
        .map(|e| json!([e.kind, e.cost, e.revenue, e.attestation, e.user_id]))
        .collect();
    server::analytics::rollup::rebuild_campaign(db, campaign_id, 168)
        .await
        .expect("rollup");
    let rollups = campaign_daily_stat::Entity::find()
        .filter(campaign_daily_stat::Column::CampaignId.eq(campaign_id))
        .order_by_asc(campaign_daily_stat::Column::Day)
        .all(db)
        .await
        .expect("rollups")
        .into_iter()
        .map(|r| {
            json!([
                r.day.to_string(),
                r.impressions,
                r.clicks,
                r.conversions,
                r.spend,
                r.revenue
            ])
        })
        .collect();
    let report = post_json_with(
        app.addr,
        "/api/v1/analytics/campaign",
        &json!({"campaign_id": campaign_id}),
        &[("Authorization", auth)],
    )
    .await;
    // A campaign without events has no report yet (422 `no_data`).
    let totals = match report.status {
        422 => Value::Null,
        200 => report.json()["totals"].clone(),
        other => panic!("the report: {other} {}", report.body),
    };
    (events, rollups, totals)
}

#[tokio::test]
async fn only_attested_sponsored_events_cost_or_count() {
    let app = serve_world_with(|s| s.auth.impression_secret = SECRET.into()).await;
    let analytics_key = format!("Bearer {}", app.key("analytics").await);
    let post = |body: Value| crate::serving_live::events(&app, body);
    let (_, plain) = recommend(&app, json!({"user_id": "3", "num_recommendations": 10})).await;
    let promoted = ids(&plain)[4];
    let other_item = ids(&plain)[5];
    let (campaign_id, creative_id) = promote(&app, promoted, 1000.0).await;
    let feed = sponsored_feed(&app, "3", "attested").await;
    let (item, token) = slot(&feed);
    assert_eq!(item, promoted);
    let event = |kind: &str, user: &str, item: i64, key: &str, token: Option<&str>| {
        let mut e = json!({"kind": kind, "user_id": user, "item_id": item,
            "campaign_id": campaign_id, "creative_id": creative_id, "idempotency_key": key});
        if let Some(token) = token {
            e["impression_token"] = json!(token);
        }
        if kind == "conversion" {
            e["revenue"] = json!(25.0);
        }
        json!({"events": [e]})
    };
    let before = books(&app, campaign_id, &analytics_key).await;

    // Forgeries: no token, another user's, another item's, altered, expired, signed by
    // another server, and a conversion without its click.
    let attestor = Attestor::new(&app.state.settings.auth).expect("attestor");
    let claims = ImpressionClaims {
        user_id: "3".into(),
        item_id: promoted,
        campaign_id,
        creative_id,
        model_version: feed["model_version"].as_str().expect("a version").into(),
        served_at: Utc::now().timestamp() - 2 * 3600,
        nonce: "expired".into(),
    };
    let expired = attestor.sign(&claims);
    let foreign = Attestor::new(&server::config::AuthSettings {
        impression_secret: "another-servers-impression-secret-0123456789".into(),
        ..Default::default()
    })
    .expect("attestor")
    .sign(&ImpressionClaims {
        served_at: Utc::now().timestamp(),
        ..claims.clone()
    });
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[2] = parts[2].chars().rev().collect();
    let altered = parts.join(".");
    let forgeries = [
        (
            "no token",
            event("impression", "3", promoted, "f-1", None),
            403,
        ),
        (
            "another user's",
            event("impression", "4", promoted, "f-2", Some(&token)),
            403,
        ),
        (
            "another item's",
            event("impression", "3", other_item, "f-3", Some(&token)),
            403,
        ),
        (
            "altered",
            event("impression", "3", promoted, "f-4", Some(&altered)),
            403,
        ),
        (
            "expired",
            event("impression", "3", promoted, "f-5", Some(&expired)),
            403,
        ),
        (
            "another server's",
            event("impression", "3", promoted, "f-6", Some(&foreign)),
            403,
        ),
        (
            "a conversion before its click",
            event("conversion", "3", promoted, "f-7", Some(&token)),
            403,
        ),
    ];
    for (what, body, status) in &forgeries {
        let (got, error) = post(body.clone()).await;
        assert_eq!(got, *status, "{what}: {error}");
        assert!(error["message"].as_str().is_some(), "{what}: {error}");
    }
    assert_eq!(
        books(&app, campaign_id, &analytics_key).await,
        before,
        "no forgery changed the books"
    );

    // The genuine impression costs one CPM's thousandth; its token cannot pay for another.
    let (status, report) = post(event("impression", "3", promoted, "ok-1", Some(&token))).await;
    assert_eq!(
        (status, report["ad_events"].clone()),
        (200, json!(1)),
        "{report}"
    );
    let after_one = books(&app, campaign_id, &analytics_key).await;
    let cpm = app.state.settings.inference.feed.sponsored_cpm;
    assert_eq!(after_one.0.len(), before.0.len() + 1);
    assert!((after_one.2["spend"].as_f64().expect("spend") - cpm / 1000.0).abs() < 1e-12);
    let (status, reused) = post(event("impression", "3", promoted, "again-1", Some(&token))).await;
    assert_eq!(status, 409, "a reused token: {reused}");
    assert_eq!(reused["code"], "conflict");
    // A retried batch (the same key) is a duplicate, not a reuse.
    let (status, retried) = post(event("impression", "3", promoted, "ok-1", Some(&token))).await;
    assert_eq!(
        (status, retried["duplicates"].clone()),
        (200, json!(1)),
        "{retried}"
    );
    assert_eq!(books(&app, campaign_id, &analytics_key).await, after_one);

    // Its click, then the advertiser's conversion tied to it: once each.
    for (kind, key) in [("click", "ok-2"), ("conversion", "ok-3")] {
        let (status, report) = post(event(kind, "3", promoted, key, Some(&token))).await;
        assert_eq!(
            (status, report["ad_events"].clone()),
            (200, json!(1)),
            "{kind}: {report}"
        );
    }
    let (status, _) = post(event("conversion", "3", promoted, "again-2", Some(&token))).await;
    assert_eq!(status, 409, "a second conversion on one click");
    let (events, _, totals) = books(&app, campaign_id, &analytics_key).await;
    let kinds: Vec<&str> = events.iter().filter_map(|e| e[0].as_str()).collect();
    assert_eq!(kinds, ["impression", "click", "conversion"]);
    let attestations: Vec<&Value> = events.iter().map(|e| &e[3]).collect();
    assert!(
        attestations
            .iter()
            .all(|a| a.is_string() && *a == attestations[0])
    );
    assert_eq!(
        (
            totals["impressions"].clone(),
            totals["clicks"].clone(),
            totals["conversions"].clone()
        ),
        (json!(1), json!(1), json!(1)),
        "{totals}"
    );
    assert!((totals["revenue"].as_f64().expect("revenue") - 25.0).abs() < 1e-12);
    // Nothing else was written: no stray events of the campaign beyond the three.
    let all = event::Entity::find()
        .filter(event::Column::CampaignId.eq(campaign_id))
        .count(app.state.db.conn())
        .await
        .expect("count");
    assert_eq!(all, 3);
    app.stop().await;
}
