//! An experiment between two model versions on the MovieLens serving world: a second version
//! trained by the real binary, the feed split between it and the served one by the
//! experiment's assignment, every impression logged with the version that ranked it, and the
//! experiment's results (the same analytics engine as an advertiser's) read from those events,
//! as JSON and as the experiment's page.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};
use server::analytics::experiments::{assign_arm, stable_hash};
use server::db::entities::{experiment_assignment, interaction, user};

use crate::dashboard_pages::sign_in;
use crate::http_client::{get_with, post_json_with};
use crate::registry::{ok, vitrine};
use crate::serving_world::world;
use crate::support::TestApp;

const USERS: u64 = 300;
/// Each page a simulated user sees.
const PAGE: usize = 20;

async fn feed(app: &TestApp, key: &str, user: &str) -> Value {
    let r = post_json_with(
        app.addr,
        "/api/v1/recommend",
        &json!({"user_id": user, "num_recommendations": PAGE}),
        &[("Authorization", key)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

/// How many of the page a user clicks: 0 to 2 in the control, 1 to 3 in the treatment, so
/// the treatment's CTR is twice the control's on average but varies between users.
fn clicks_of(user: &str, treated: bool) -> usize {
    (stable_hash(user.as_bytes()) % 3) as usize + usize::from(treated)
}

/// The planted lift of dwell per click.
const DWELL_LIFT: f64 = 0.5;

/// Seconds a user spends on an item they clicked: 30 to 60 by user, half as long again in the
/// treatment.
fn dwell_of(user: &str, treated: bool) -> f64 {
    let base = 30.0 + (stable_hash(format!("dwell:{user}").as_bytes()) % 31) as f64;
    base * if treated { 1.0 + DWELL_LIFT } else { 1.0 }
}

#[tokio::test]
async fn an_experiment_between_model_versions_splits_the_feed_and_reads_its_events() {
    let (dir, mut settings) = tokio::task::spawn_blocking(world).await.expect("world");
    settings.inference.snapshot.poll_secs = 1;
    let app = TestApp::start(settings.clone(), Some(dir)).await;
    let feed_key = format!("Bearer {}", app.key("feed").await);
    let admin = format!("Bearer {}", app.key("analytics").await);
    let db = app.state.db.conn();
    let before: Value = feed(&app, &feed_key, "1").await;
    let served = before["model_version"]
        .as_str()
        .expect("a version")
        .to_owned();
    assert_eq!(served.len(), 12, "{before}");

    // A second version, registered as a candidate (the served one is not replaced).
    let stdout = ok(
        &vitrine(
            &settings,
            &["train", "--catalogue", "movielens", "--max-epochs", "1"],
            &[],
        ),
        "train",
    );
    let candidate = stdout
        .split("version ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("train names the registered version")
        .to_owned();
    assert_ne!(candidate, served);

    // Only an admin creates one, with versions the registry has.
    let addr = app.addr;
    let create = move |body: Value, key: Option<String>| {
        let headers: Vec<(&'static str, String)> =
            key.map(|k| vec![("Authorization", k)]).unwrap_or_default();
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_json_with(addr, "/api/v1/experiments/models", &body, &headers).await
        }
    };
    let body = json!({"name": "New tower", "hypothesis": "one more epoch ranks better", "treatment": candidate});
    assert_eq!(create(body.clone(), None).await.status, 401);
    assert_eq!(
        create(body.clone(), Some(feed_key.clone())).await.status,
        403
    );
    for (bad, status) in [
        (json!({"name": "x", "treatment": "0123456789ab"}), 404),
        (json!({"name": "x", "treatment": served}), 400),
        (
            json!({"name": "x", "treatment": candidate, "treatment_share": 1.5}),
            400,
        ),
        (json!({"name": " ", "treatment": candidate}), 400),
    ] {
        let r = create(bad.clone(), Some(admin.clone())).await;
        assert_eq!(r.status, status, "{bad}: {}", r.body);
        assert!(r.json()["message"].is_string(), "{}", r.body);
    }
    let r = create(body.clone(), Some(admin.clone())).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let created: Value = r.json();
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["campaign_id"], Value::Null);
    assert_eq!(created["arms"][0]["model_version"], json!(served));
    assert_eq!(created["arms"][1]["model_version"], json!(candidate));
    let again = create(body, Some(admin.clone())).await;
    assert_eq!(again.status, 409, "{}", again.body);

    // The challenger's snapshot is built in memory; the split starts once it is ready.
    let x = server::db::entities::experiment::Entity::find_by_id(i32::try_from(id).expect("id"))
        .one(db)
        .await
        .expect("q")
        .expect("stored");
    let arms: Vec<app::wire::ArmSpec> = serde_json::from_value(x.arms).expect("arms");
    // The simulated users, chosen before the first treated one is looked for among them: a
    // treated user from outside them would be one more exposed user than the test expects.
    let users: Vec<String> = user::Entity::find()
        .select_only()
        .column(user::Column::ExternalId)
        .order_by_asc(user::Column::Id)
        .limit(USERS)
        .into_tuple()
        .all(db)
        .await
        .expect("users");
    let treated_user = users
        .iter()
        .find(|u| assign_arm(&x.salt, u, &arms).name == "treatment")
        .expect("a treated user")
        .clone();
    let started = Instant::now();
    loop {
        let page = feed(&app, &feed_key, &treated_user).await;
        if page["model_version"] == json!(candidate) {
            println!(
                "the challenger served its first feed {:.2} s after the experiment was created",
                started.elapsed().as_secs_f64()
            );
            assert!(
                page["index_version"]
                    .as_str()
                    .expect("v")
                    .ends_with("-in-memory")
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no challenger: {page}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Users see their arm's version; they look at the page, click a few, save some, and
    // spend longer on what they click in the treatment.
    let mut expected: HashMap<&str, (u64, i64, i64, i64)> = HashMap::new();
    let mut events = Vec::new();
    for u in &users {
        let arm = assign_arm(&x.salt, u, &arms);
        let page = feed(&app, &feed_key, u).await;
        assert_eq!(
            page["model_version"].as_str(),
            arm.model_version.as_deref(),
            "user {u} in arm {}",
            arm.name
        );
        let items: Vec<i64> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["item_id"].as_i64().expect("id"))
            .collect();
        assert_eq!(items.len(), PAGE);
        let clicks = clicks_of(u, arm.name == "treatment");
        let saves = usize::from(stable_hash(format!("save:{u}").as_bytes()).is_multiple_of(2));
        for (n, item) in items.iter().enumerate() {
            let mut kinds = vec!["impression"];
            kinds.extend((n < clicks).then_some("click"));
            kinds.extend((n < saves).then_some("save"));
            for kind in kinds {
                events.push(json!({"kind": kind, "user_id": u, "item_id": item,
                    "idempotency_key": format!("{kind}:{u}:{item}")}));
            }
            if n < clicks {
                events.push(json!({"kind": "dwell", "user_id": u, "item_id": item,
                    "seconds": dwell_of(u, arm.name == "treatment"),
                    "idempotency_key": format!("dwell:{u}:{item}")}));
            }
        }
        let e = expected.entry(arm.name.as_str()).or_default();
        *e = (
            e.0 + 1,
            e.1 + PAGE as i64,
            e.2 + clicks as i64,
            e.3 + saves as i64,
        );
    }
    for batch in events.chunks(1000) {
        let r = post_json_with(
            app.addr,
            "/api/v1/events",
            &json!({"events": batch}),
            &[("Authorization", &feed_key)],
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }

    // Every impression keeps the version that ranked it; every user was exposed once.
    let logged: Vec<(String, Option<String>)> = interaction::Entity::find()
        .select_only()
        .columns([
            interaction::Column::IdempotencyKey,
            interaction::Column::ModelVersion,
        ])
        .filter(interaction::Column::Kind.eq("view"))
        .filter(interaction::Column::IdempotencyKey.is_not_null())
        .into_tuple::<(Option<String>, Option<String>)>()
        .all(db)
        .await
        .expect("interactions")
        .into_iter()
        .map(|(k, v)| (k.expect("key"), v))
        .collect();
    assert_eq!(logged.len(), users.len() * PAGE);
    for (key, version) in &logged {
        let u = key.split(':').nth(1).expect("user");
        assert_eq!(
            version.as_deref(),
            assign_arm(&x.salt, u, &arms).model_version.as_deref(),
            "{key}"
        );
    }
    let exposed = experiment_assignment::Entity::find()
        .filter(experiment_assignment::Column::ExperimentId.eq(x.id))
        .all(db)
        .await
        .expect("assignments");
    assert_eq!(exposed.len(), users.len());

    // The results: the same engine as an advertiser's experiment, from the feed's events.
    let r = get_with(
        app.addr,
        &format!("/api/v1/experiments/{id}/results?charts=true"),
        &[("Authorization", &admin)],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let results: Value = r.json();
    for arm in results["arms"].as_array().expect("arms") {
        let name = arm["name"].as_str().expect("name");
        let (n, impressions, clicks, saves) = expected[name];
        assert_eq!(arm["users"], json!(n), "{arm}");
        assert_eq!(arm["impressions"], json!(impressions), "{arm}");
        assert_eq!(arm["clicks"], json!(clicks), "{arm}");
        // Saves are told apart from conversions (the feed's users converted nothing).
        assert_eq!(arm["saves"], json!(saves), "{arm}");
        assert_eq!(arm["conversions"], json!(0), "{arm}");
    }
    let metric = |name: &str| {
        results["metrics"]
            .as_array()
            .expect("metrics")
            .iter()
            .find(|m| m["metric"] == json!(name))
            .unwrap_or_else(|| panic!("no {name}: {results}"))
            .clone()
    };
    let ctr = metric("ctr");
    let rate = |arm: &str| {
        let (_, impressions, clicks, _) = expected[arm];
        clicks as f64 / impressions as f64
    };
    // The ratio of sums, to rounding.
    assert!(
        (ctr["control"].as_f64().expect("c") - rate("control")).abs() < 1e-12,
        "{ctr}"
    );
    assert!(
        (ctr["treatment"].as_f64().expect("t") - rate("treatment")).abs() < 1e-12,
        "{ctr}"
    );
    // Twice the clicks per user: a lift this large over 300 users is significant.
    assert!(ctr["relative"].as_f64().expect("lift") > 0.3, "{ctr}");
    assert_eq!(ctr["significant"], json!(true), "{ctr}");
    println!("arms: {}\nctr: {ctr}", results["arms"]);
    metric("clicking_users");
    // Saves per impression, the ratio of sums, with each arm's own interval around it.
    let save_rate = metric("save_rate");
    for arm in ["control", "treatment"] {
        let (_, impressions, _, saves) = expected[arm];
        let value = save_rate[arm].as_f64().expect("a rate");
        assert!(
            (value - saves as f64 / impressions as f64).abs() < 1e-12,
            "{save_rate}"
        );
        let ci = &save_rate[format!("{arm}_ci")];
        let (low, high) = (ci[0].as_f64().expect("low"), ci[1].as_f64().expect("high"));
        assert!(low < value && value < high, "{save_rate}");
    }
    // Dwell per click: each user's seconds vary, so the arms differ from the planted 50% by
    // who landed where; four of the interval's SEs (95%: 1.96 either side) cover that.
    let dwell = metric("dwell_per_click");
    let (lo, hi) = (
        dwell["relative_ci"][0].as_f64().expect("lo"),
        dwell["relative_ci"][1].as_f64().expect("hi"),
    );
    let relative = dwell["relative"].as_f64().expect("lift");
    assert!(
        (relative - DWELL_LIFT).abs() < 4.0 * (hi - lo) / 3.92 && lo > 0.0,
        "{dwell}"
    );
    assert_eq!(
        results["srm"]["flagged"],
        json!(false),
        "{}",
        results["srm"]
    );
    assert!(!results["charts"].as_array().expect("charts").is_empty());

    // The page an admin reads.
    let password = "a long admin password";
    app.state
        .auth
        .create_account("ml@vitrine.example", password, "admin", None)
        .await
        .expect("an admin");
    let cookie = sign_in(&app, "ml@vitrine.example", password).await;
    let page = get_with(
        app.addr,
        &format!("/experiments/{id}"),
        &[("Cookie", &cookie)],
    )
    .await;
    assert_eq!(page.status, 200);
    for needle in [
        "model-experiment",
        "metric-results",
        "CTR",
        candidate.as_str(),
        served.as_str(),
    ] {
        assert!(page.body.contains(needle), "the page lacks {needle}");
    }
    app.stop().await;
}
