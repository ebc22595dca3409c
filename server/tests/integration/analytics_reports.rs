//! Campaign reports over the synthetic advertising world, through the REST API: numbers that
//! agree with the raw events, the advertiser's days and the attribution window, CSV, and bad
//! input answered as JSON errors.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use server::db::entities::{advertiser, campaign, event};

use crate::analytics_client::{campaign_id, post, post_csv, raw_count};
use crate::analytics_world::serve;

#[tokio::test]
async fn campaign_reports_agree_with_the_raw_events() {
    let (app, _) = serve().await;
    let id = campaign_id(&app, "Spring launch").await;
    let (status, report) = post(
        &app,
        "/api/v1/analytics/campaign",
        json!({"campaign_id": id, "breakdown": "day"}),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let totals = &report["totals"];
    assert_eq!(
        totals["impressions"],
        raw_count(&app, id, "impression").await
    );
    assert_eq!(totals["clicks"], raw_count(&app, id, "click").await);
    // Every generated conversion follows its click by 10 minutes: all fall in a 7-day window.
    assert_eq!(
        totals["conversions"],
        raw_count(&app, id, "conversion").await
    );
    let (i, c, spend) = (
        totals["impressions"].as_f64().expect("i"),
        totals["clicks"].as_f64().expect("c"),
        totals["spend"].as_f64().expect("spend"),
    );
    assert!((totals["ctr"].as_f64().expect("ctr") - c / i).abs() < 1e-12);
    assert!((totals["cpm"].as_f64().expect("cpm") - 1000.0 * spend / i).abs() < 1e-9);
    let rows = report["rows"].as_array().expect("rows");
    assert_eq!(
        rows.len(),
        29,
        "28 days in New York time span 29 calendar days"
    );
    let summed: i64 = rows
        .iter()
        .map(|r| r["values"]["impressions"].as_i64().expect("n"))
        .sum();
    assert_eq!(summed, totals["impressions"].as_i64().expect("n"));
    assert_eq!(report["time_zone"], "America/New_York");

    // By creative and by segment, the rows add up to the same totals; the CSV says the same.
    for breakdown in ["creative", "segment", "geo"] {
        let (status, by) = post(
            &app,
            "/api/v1/analytics/campaign",
            json!({"campaign_id": id, "breakdown": breakdown, "metrics": ["ctr"]}),
        )
        .await;
        assert_eq!(status, 200, "{by}");
        let clicks: i64 = by["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["values"]["clicks"].as_i64().expect("n"))
            .sum();
        assert_eq!(clicks, c as i64, "{breakdown}");
        assert!(
            by["rows"][0]["values"]["cpa"].is_null(),
            "only the metrics asked for"
        );
    }
    let csv = post_csv(
        &app,
        "/api/v1/analytics/campaign",
        json!({"campaign_id": id, "breakdown": "segment"}),
    )
    .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-type")
            .is_some_and(|t| t.starts_with("text/csv"))
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(
        lines[0].starts_with("key,label,impressions,clicks"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 4, "a header and three segments");
    app.stop().await;
}

#[tokio::test]
async fn days_are_the_advertisers_and_conversions_need_a_recent_click() {
    let (app, _) = serve().await;
    let db = app.state.db.conn();
    let id = campaign_id(&app, "Spring launch").await;
    let ny = advertiser::Entity::find()
        .filter(advertiser::Column::TimeZone.eq("America/New_York"))
        .one(db)
        .await
        .expect("q")
        .expect("NY");
    assert!(
        campaign::Entity::find_by_id(id)
            .one(db)
            .await
            .expect("q")
            .is_some_and(|c| c.advertiser_id == ny.id)
    );
    // 03:00 UTC on 2027-03-02 is still 1 March in New York. A click there, a conversion 2 days
    // later (attributed), and a conversion 9 days after that (outside the 7-day window).
    let (status, report) = post(&app, "/api/v1/events", json!({"events": []})).await;
    assert_eq!(status, 400, "{report}");
    let creative = server::db::entities::creative::Entity::find()
        .filter(server::db::entities::creative::Column::CampaignId.eq(id))
        .one(db)
        .await
        .expect("q")
        .expect("a creative");
    let user = server::db::entities::user::Entity::find()
        .one(db)
        .await
        .expect("q")
        .expect("a user");
    let at = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .expect("time")
            .with_timezone(&chrono::Utc)
    };
    for (kind, when, revenue) in [
        ("click", "2027-03-02T03:00:00Z", 0.0),
        ("conversion", "2027-03-04T03:00:00Z", 50.0),
        ("conversion", "2027-03-13T03:00:00Z", 70.0),
    ] {
        use sea_orm::{ActiveModelTrait, Set};
        event::ActiveModel {
            kind: Set(kind.into()),
            campaign_id: Set(id),
            creative_id: Set(creative.id),
            user_id: Set(Some(user.id)),
            segment: Set("new".into()),
            geo: Set("CA".into()),
            cost: Set(0.0),
            revenue: Set(revenue),
            occurred_at: Set(at(when)),
            ..Default::default()
        }
        .insert(db)
        .await
        .expect("insert");
    }
    server::analytics::rollup::rebuild(db, Some(vec![id]), 168)
        .await
        .expect("rollup");
    let (status, march) = post(
        &app,
        "/api/v1/analytics/campaign",
        json!({"campaign_id": id, "from": "2027-03-01", "to": "2027-03-31", "breakdown": "day"}),
    )
    .await;
    assert_eq!(status, 200, "{march}");
    let day = |d: &str| {
        march["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["key"] == d)
            .expect("the day")["values"]
            .clone()
    };
    assert_eq!(
        day("2027-03-01")["clicks"],
        1,
        "the click falls on the advertiser's 1 March"
    );
    assert_eq!(
        day("2027-03-03")["conversions"],
        1,
        "22:00 on 3 March in New York, within the window"
    );
    assert_eq!(
        day("2027-03-12")["conversions"],
        0,
        "nine days after the click: not attributed"
    );
    assert_eq!(march["totals"]["revenue"], 50.0);
    app.stop().await;
}

#[tokio::test]
async fn bad_report_requests_are_json_errors() {
    let (app, _) = serve().await;
    let id = campaign_id(&app, "Spring launch").await;
    for (body, status) in [
        (json!({"campaign_id": 999_999}), 404),
        (
            json!({"campaign_id": id, "from": "2031-01-01", "to": "2031-01-31"}),
            422,
        ),
        (json!({"campaign_id": id, "from": "yesterday"}), 400),
        (
            json!({"campaign_id": id, "from": "2027-02-01", "to": "2027-01-01"}),
            400,
        ),
        (
            json!({"campaign_id": id, "from": "2020-01-01", "to": "2029-01-01"}),
            400,
        ),
        (json!({"campaign_id": id, "breakdown": "planet"}), 400),
        (json!({"campaign_id": id, "metrics": ["ctr", "vibes"]}), 400),
        (json!({"campaign": id}), 400),
    ] {
        let (got, error) = post(&app, "/api/v1/analytics/campaign", body.clone()).await;
        assert_eq!(got, status, "{body}: {error}");
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{error}"
        );
        assert!(!error.to_string().contains("NaN"));
    }
    app.stop().await;
}
