//! The same server against a real PostgreSQL. The test script starts one and sets
//! `VITRINE_TEST_POSTGRES_URL`; with `VITRINE_REQUIRE_POSTGRES=1` (as in the test command)
//! a missing URL fails the test instead of skipping it.

use server::data::generate::{self, GenerateConfig};
use server::data::{fashion, movielens};

use crate::generate::small_catalogue;
use crate::http_client::{get, get_with};
use crate::import_movielens::{counts, fresh_sqlite, movielens_dir};
use crate::support::TestApp;

pub fn postgres_url() -> Option<String> {
    match std::env::var("VITRINE_TEST_POSTGRES_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("VITRINE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") => {
            panic!("VITRINE_REQUIRE_POSTGRES=1 but VITRINE_TEST_POSTGRES_URL is not set")
        }
        Err(_) => {
            eprintln!("skipped: set VITRINE_TEST_POSTGRES_URL (scripts/test.sh does)");
            None
        }
    }
}

#[tokio::test]
async fn migrations_readiness_and_report_on_postgres() {
    let Some(url) = postgres_url() else { return };
    let app = TestApp::with_database(url).await;
    let state = app
        .state
        .db
        .migration_state()
        .await
        .expect("migration state");
    assert!(state.pending.is_empty());
    assert!(!state.applied.is_empty());
    // A second run changes nothing.
    assert_eq!(app.state.db.migrate().await.expect("migrate again"), state);

    let ready = get(app.addr, "/readyz").await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    let report = get(app.addr, "/api/v1/system").await.json();
    assert_eq!(report["database"]["kind"], "postgres");
    assert!(
        !report["database"]["url"]
            .as_str()
            .unwrap_or_default()
            .contains("secret")
    );
    let page = get(app.addr, "/system").await;
    assert!(page.body.contains("data-testid=\"db-kind\">postgres"));

    // The MovieLens import gives the same counts on PostgreSQL, twice.
    let data = movielens::read(&movielens_dir()).expect("valid files");
    for _ in 0..2 {
        movielens::load(app.state.db.conn(), &data, |_| Ok(()))
            .await
            .expect("load on postgres");
        let (catalogues, users, items, interactions) = counts(&app.state.db).await;
        assert_eq!((users, items, interactions), (943, 1_682, 100_000));
        assert!(catalogues >= 1);
    }

    // A seed names the same world on both engines.
    let tmp = tempfile::tempdir().expect("temp dir");
    let sqlite = fresh_sqlite(tmp.path()).await;
    let config = GenerateConfig {
        catalogue: fashion::CATALOGUE.to_owned(),
        advertising: false,
        users: 50,
        events: 5_000,
        seed: 17,
        out_dir: tmp.path().join("truth"),
    };
    let mut worlds = Vec::new();
    for db in [sqlite.conn(), app.state.db.conn()] {
        fashion::load(db, fashion::CATALOGUE, &small_catalogue(), |_| Ok(()))
            .await
            .expect("catalogue");
        worlds.push(
            generate::run(db, &config, |_| Ok(()))
                .await
                .expect("generate"),
        );
    }
    assert_eq!(worlds[0].counts, worlds[1].counts);
    assert_eq!(worlds[0].events, worlds[1].events);
    app.stop().await;
}

/// Every number in `a` within 1e-9 (relative) of the same number in `b`, the rest equal.
#[track_caller]
fn same_numbers(a: &serde_json::Value, b: &serde_json::Value, path: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().expect("x"), y.as_f64().expect("y"));
            assert!(
                (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                "{path}: {x} vs {y}"
            );
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                same_numbers(x, y, &format!("{path}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                // Ids and creation times differ between two databases; the numbers must not.
                if ![
                    "campaign_id",
                    "advertiser_id",
                    "id",
                    "starts_at",
                    "key",
                    "label",
                ]
                .contains(&k.as_str())
                {
                    same_numbers(v, &y[k], &format!("{path}.{k}"));
                }
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

#[tokio::test]
async fn analytics_give_the_same_numbers_on_postgres() {
    use sea_orm::{ConnectionTrait, EntityTrait};
    use serde_json::json;
    use server::db::entities::{campaign, causal_study, experiment};

    let Some(url) = postgres_url() else { return };
    // A database of its own: the other PostgreSQL tests load their own data.
    let admin = sea_orm::Database::connect(url.as_str())
        .await
        .expect("connect");
    admin
        .execute_unprepared("DROP DATABASE IF EXISTS vitrine_analytics")
        .await
        .expect("drop");
    admin
        .execute_unprepared("CREATE DATABASE vitrine_analytics")
        .await
        .expect("create");
    let base = url.rsplit_once('/').expect("a database in the URL").0;
    let pg_url = format!("{base}/vitrine_analytics");
    let pg = TestApp::with_database(pg_url).await;
    let tmp = tempfile::tempdir().expect("temp dir");
    crate::analytics_world::populate(pg.state.db.conn(), tmp.path()).await;
    let (lite, _) = crate::analytics_world::serve().await;
    let pg_auth = format!("Bearer {}", pg.key("analytics").await);
    let lite_auth = format!("Bearer {}", lite.key("analytics").await);

    async fn first<E: EntityTrait>(app: &TestApp, f: impl Fn(&E::Model) -> bool) -> E::Model
    where
        E::Model: Send + Sync,
    {
        E::find()
            .all(app.state.db.conn())
            .await
            .expect("query")
            .into_iter()
            .find(|m| f(m))
            .expect("a row")
    }
    let spring = |c: &campaign::Model| c.name == "Spring launch";
    let (pg_campaign, lite_campaign) = (
        first::<campaign::Entity>(&pg, spring).await.id,
        first::<campaign::Entity>(&lite, spring).await.id,
    );
    for breakdown in [
        json!(null),
        json!("day"),
        json!("creative"),
        json!("segment"),
        json!("geo"),
    ] {
        let ask = |id: i32| json!({"campaign_id": id, "breakdown": breakdown});
        let a = crate::http_client::post_json_with(
            pg.addr,
            "/api/v1/analytics/campaign",
            &ask(pg_campaign),
            &[("Authorization", &pg_auth)],
        )
        .await;
        let b = crate::http_client::post_json_with(
            lite.addr,
            "/api/v1/analytics/campaign",
            &ask(lite_campaign),
            &[("Authorization", &lite_auth)],
        )
        .await;
        assert_eq!(a.status, 200, "{}", a.body);
        same_numbers(&a.json(), &b.json(), &format!("report by {breakdown}"));
    }
    let headline = |x: &experiment::Model| x.name == "Headline test";
    let (x_pg, x_lite) = (
        first::<experiment::Entity>(&pg, headline).await.id,
        first::<experiment::Entity>(&lite, headline).await.id,
    );
    let a = get_with(
        pg.addr,
        &format!("/api/v1/experiments/{x_pg}/results"),
        &[("Authorization", &pg_auth)],
    )
    .await;
    let b = get_with(
        lite.addr,
        &format!("/api/v1/experiments/{x_lite}/results"),
        &[("Authorization", &lite_auth)],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    same_numbers(
        &a.json()["metrics"],
        &b.json()["metrics"],
        "experiment metrics",
    );
    let did = |s: &causal_study::Model| s.method == "did";
    let (s_pg, s_lite) = (
        first::<causal_study::Entity>(&pg, did).await.id,
        first::<causal_study::Entity>(&lite, did).await.id,
    );
    let a = get_with(
        pg.addr,
        &format!("/api/v1/studies/{s_pg}/results"),
        &[("Authorization", &pg_auth)],
    )
    .await;
    let b = get_with(
        lite.addr,
        &format!("/api/v1/studies/{s_lite}/results"),
        &[("Authorization", &lite_auth)],
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    same_numbers(&a.json()["did"], &b.json()["did"], "DiD");
    pg.stop().await;
    lite.stop().await;
}
