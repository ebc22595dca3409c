//! The same server against a real PostgreSQL. The test script starts one and sets
//! `VITRINE_TEST_POSTGRES_URL`; with `VITRINE_REQUIRE_POSTGRES=1` (as in the test command)
//! a missing URL fails the test instead of skipping it.

use server::data::generate::{self, GenerateConfig};
use server::data::{fashion, movielens};

use crate::generate::small_catalogue;
use crate::http_client::get;
use crate::import_movielens::{counts, fresh_sqlite, movielens_dir};
use crate::support::TestApp;

fn postgres_url() -> Option<String> {
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
