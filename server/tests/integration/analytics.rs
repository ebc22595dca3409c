//! Campaign reports, experiments and causal studies over the synthetic advertising world,
//! through the REST API: numbers that agree with the raw events, the planted effects found,
//! CSV, charts, and bad input answered as JSON errors.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use server::db::entities::{advertiser, campaign, event};

use crate::analytics_world::serve;
use crate::http_client::{Response, get_with, post_json_with};
use crate::support::TestApp;

/// An admin's analytics key, as a header value.
async fn bearer(app: &TestApp) -> String {
    format!("Bearer {}", app.key("analytics").await)
}

async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let auth = bearer(app).await;
    let r = post_json_with(app.addr, path, &body, &[("Authorization", &auth)]).await;
    (r.status, r.json())
}

async fn post_csv(app: &TestApp, path: &str, body: Value) -> Response {
    let auth = bearer(app).await;
    post_json_with(
        app.addr,
        path,
        &body,
        &[("Authorization", &auth), ("Accept", "text/csv")],
    )
    .await
}

async fn get(app: &TestApp, path: &str) -> Response {
    let auth = bearer(app).await;
    get_with(app.addr, path, &[("Authorization", &auth)]).await
}

async fn get_csv(app: &TestApp, path: &str) -> Response {
    let auth = bearer(app).await;
    get_with(
        app.addr,
        path,
        &[("Authorization", &auth), ("Accept", "text/csv")],
    )
    .await
}

async fn campaign_id(app: &TestApp, name: &str) -> i32 {
    campaign::Entity::find()
        .filter(campaign::Column::Name.eq(name))
        .one(app.state.db.conn())
        .await
        .expect("query")
        .expect("the campaign exists")
        .id
}

async fn raw_count(app: &TestApp, campaign: i32, kind: &str) -> i64 {
    event::Entity::find()
        .filter(event::Column::CampaignId.eq(campaign))
        .filter(event::Column::Kind.eq(kind))
        .count(app.state.db.conn())
        .await
        .expect("count") as i64
}

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

async fn experiment_named(app: &TestApp, name: &str) -> i32 {
    server::db::entities::experiment::Entity::find()
        .filter(server::db::entities::experiment::Column::Name.eq(name))
        .one(app.state.db.conn())
        .await
        .expect("query")
        .expect("the experiment exists")
        .id
}

#[tokio::test]
async fn experiments_find_the_planted_lift_and_the_planted_mismatch() {
    let (app, truth) = serve().await;
    let ads = truth.advertising.as_ref().expect("advertising");
    let headline = experiment_named(&app, "Headline test").await;
    let r = get(
        &app,
        &format!("/api/v1/experiments/{headline}/results?charts=true"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let results = r.json();
    assert_eq!(results["srm"]["flagged"], false, "{}", results["srm"]);
    let ctr = results["metrics"]
        .as_array()
        .expect("metrics")
        .iter()
        .find(|m| m["metric"] == "ctr")
        .expect("ctr")
        .clone();
    let planted = ads.experiments[0].planted_relative_lift;
    let ci = ctr["relative_ci"].as_array().expect("ci");
    assert!(
        ci[0].as_f64().expect("lo") <= planted && planted <= ci[1].as_f64().expect("hi"),
        "{ctr}"
    );
    for m in results["metrics"].as_array().expect("metrics") {
        let (p, holm, bh) = (
            m["p_value"].as_f64().expect("p"),
            m["p_holm"].as_f64().expect("h"),
            m["p_bh"].as_f64().expect("b"),
        );
        assert!(p <= bh && bh <= holm && holm <= 1.0, "{m}");
    }
    let sequential = &results["sequential"];
    assert_eq!(sequential["metric"], "ctr");
    assert!(
        sequential["looks"].as_u64().expect("looks") >= 10,
        "{sequential}"
    );
    let svg = results["charts"][0]["svg"].as_str().expect("a lift chart");
    roxmltree::Document::parse(svg).expect("the chart is XML");

    // The layout test lost 8% of its treatment users from logging: flagged.
    let layout = experiment_named(&app, "Layout test").await;
    let results = get(&app, &format!("/api/v1/experiments/{layout}/results"))
        .await
        .json();
    assert_eq!(results["srm"]["flagged"], true, "{}", results["srm"]);
    let csv = get_csv(&app, &format!("/api/v1/experiments/{layout}/results")).await;
    assert!(csv.body.starts_with("metric,arm,method"), "{}", csv.body);
    app.stop().await;
}

#[tokio::test]
async fn experiments_are_created_assigned_and_checked() {
    let (app, _) = serve().await;
    let id = campaign_id(&app, "Clearance").await;
    let body = json!({"name": "Price badge", "campaign_id": id, "primary_metric": "ctr",
        "arms": [{"name": "control", "weight": 1.0}, {"name": "badge", "weight": 1.0}]});
    let (status, created) = post(&app, "/api/v1/experiments", body).await;
    assert_eq!(status, 201, "{created}");
    let x = created["id"].as_i64().expect("id");
    let first = get(
        &app,
        &format!("/api/v1/experiments/{x}/assignment?user_id=gen-0000042"),
    )
    .await
    .json();
    let again = get(
        &app,
        &format!("/api/v1/experiments/{x}/assignment?user_id=gen-0000042"),
    )
    .await
    .json();
    assert_eq!(first["arm"], again["arm"]);
    // No user has reached the "badge" arm's campaign yet: an empty arm is a clear 422.
    let r = get(&app, &format!("/api/v1/experiments/{x}/results")).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("no users")),
        "{}",
        r.body
    );
    for bad in [
        json!({"name": "x", "campaign_id": id, "primary_metric": "ctr", "arms": [{"name": "only", "weight": 1.0}]}),
        json!({"name": "x", "campaign_id": id, "primary_metric": "ctr", "arms": [{"name": "a", "weight": 1.0}, {"name": "a", "weight": 1.0}]}),
        json!({"name": "x", "campaign_id": id, "primary_metric": "ctr", "arms": [{"name": "a", "weight": 1.0}, {"name": "b", "weight": -1.0}]}),
        json!({"name": "x", "campaign_id": id, "primary_metric": "mood", "arms": []}),
    ] {
        let (status, error) = post(&app, "/api/v1/experiments", bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {error}");
    }
    let (status, power) = post(
        &app,
        "/api/v1/experiments/power",
        json!({"baseline_rate": 0.05, "minimum_relative_lift": 0.1}),
    )
    .await;
    assert_eq!(status, 200, "{power}");
    // statsmodels: NormalIndPower().solve_power(proportion_effectsize(0.055, 0.05), alpha=0.05, power=0.8) = 31217.42
    assert_eq!(power["control_units"], 31_218);
    let (status, _) = post(
        &app,
        "/api/v1/experiments/power",
        json!({"baseline_rate": 1.5, "minimum_relative_lift": 0.1}),
    )
    .await;
    assert_eq!(status, 400);
    app.stop().await;
}

#[tokio::test]
async fn studies_estimate_the_planted_geo_effect() {
    let (app, truth) = serve().await;
    let study = &truth.advertising.as_ref().expect("advertising").study;
    let studies = server::db::entities::causal_study::Entity::find()
        .all(app.state.db.conn())
        .await
        .expect("studies");
    for s in &studies {
        let r = get(
            &app,
            &format!("/api/v1/studies/{}/results?charts=true", s.id),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let results = r.json();
        for chart in results["charts"].as_array().expect("charts") {
            roxmltree::Document::parse(chart["svg"].as_str().expect("svg")).expect("XML");
        }
        if s.method == "did" {
            let did = &results["did"];
            let effect = did["relative_effect"].as_f64().expect("effect");
            assert!(
                (effect - study.planted_relative_effect).abs() < 0.1,
                "DiD {effect} against {}",
                study.planted_relative_effect
            );
            assert!(did["event_study"].as_array().is_some_and(|e| !e.is_empty()));
        } else {
            let sc = &results["synthetic"];
            let weights: f64 = sc["weights"]
                .as_array()
                .expect("w")
                .iter()
                .map(|w| w["weight"].as_f64().expect("w"))
                .sum();
            assert!((weights - 1.0).abs() < 1e-9);
            let effect = sc["relative_effect"].as_f64().expect("effect");
            assert!(
                (effect - study.planted_relative_effect).abs() < 0.1,
                "SC {effect}"
            );
            assert_eq!(results["charts"].as_array().map(Vec::len), Some(3));
        }
    }
    assert_eq!(studies.len(), 2);
    let csv = get_csv(&app, &format!("/api/v1/studies/{}/results", studies[0].id)).await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(
        csv.body.starts_with("relative_day,") || csv.body.starts_with("geo,weight"),
        "{}",
        csv.body
    );
    app.stop().await;
}

#[tokio::test]
async fn bad_studies_are_refused_clearly() {
    let (app, _) = serve().await;
    let id = campaign_id(&app, "Spring launch").await;
    let base = json!({"name": "Too early", "method": "did", "campaign_id": id, "outcome": "clicks",
        "treated": ["CA"], "control": ["TX", "WA"]});
    // The data starts on the intervention's day: no pre-period at all.
    let first_day = post(
        &app,
        "/api/v1/analytics/campaign",
        json!({"campaign_id": id}),
    )
    .await
    .1["from"]
        .clone();
    let mut early = base.clone();
    early["intervention_date"] = first_day;
    let (status, created) = post(&app, "/api/v1/studies", early).await;
    assert_eq!(status, 201, "{created}");
    let r = get(&app, &format!("/api/v1/studies/{}/results", created["id"])).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("pre-periods"), "{}", r.body);
    for (patch, status) in [
        (json!({"treated": ["CA"], "control": ["CA"]}), 400),
        (json!({"treated": [], "control": ["TX"]}), 400),
        (json!({"campaign_id": 999_999}), 404),
        (json!({"intervention_date": "soon"}), 400),
        (
            json!({"method": "synthetic_control", "control": ["TX"]}),
            400,
        ),
    ] {
        let mut body = base.clone();
        body["intervention_date"] = json!("2026-12-01");
        for (k, v) in patch.as_object().expect("object") {
            body[k] = v.clone();
        }
        let (got, error) = post(&app, "/api/v1/studies", body.clone()).await;
        assert_eq!(got, status, "{body}: {error}");
    }
    assert_eq!(
        get(&app, "/api/v1/studies/424242/results").await.status,
        404
    );
    app.stop().await;
}
