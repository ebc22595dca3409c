//! The synthetic advertising world for the analytics tests, built once per test run: the small
//! catalogue, `generate` with its advertisers, campaigns, experiments and geo study over 10,000
//! users, and the daily rollups. Each test serves its own copy of the SQLite file.

use std::path::Path;
use std::sync::OnceLock;

use server::analytics::rollup;
use server::data::fashion;
use server::data::generate::{self, GenerateConfig, GroundTruth};

use crate::generate::small_catalogue;
use crate::import_movielens::fresh_sqlite;
use crate::support::TestApp;

pub fn config(dir: &Path) -> GenerateConfig {
    GenerateConfig {
        catalogue: fashion::CATALOGUE.to_owned(),
        advertising: true,
        users: 10_000,
        events: 20_000,
        seed: 11,
        out_dir: dir.join("truth"),
    }
}

/// Loads the catalogue, generates the world and builds its rollups in `db`.
pub async fn populate(db: &sea_orm::DatabaseConnection, dir: &Path) -> GroundTruth {
    fashion::load(db, fashion::CATALOGUE, &small_catalogue(), |_| Ok(()))
        .await
        .expect("catalogue");
    let truth = generate::run(db, &config(dir), |_| Ok(()))
        .await
        .expect("generate");
    rollup::rebuild(db, None, 168).await.expect("rollups");
    truth
}

struct Built {
    dir: tempfile::TempDir,
    truth: GroundTruth,
}

/// A fresh copy of the world, and its ground truth.
pub fn world() -> (tempfile::TempDir, GroundTruth) {
    static BUILT: OnceLock<Built> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().to_path_buf();
        let truth = std::thread::spawn(move || {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(async {
                    let db = fresh_sqlite(&path).await;
                    let truth = populate(db.conn(), &path).await;
                    // Closed, so that the file holds everything (no write-ahead log left).
                    db.conn().clone().close().await.expect("close");
                    truth
                })
        })
        .join()
        .expect("the analytics world builds");
        Built { dir, truth }
    });
    let copy = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        built.dir.path().join("v.sqlite"),
        copy.path().join("vitrine.sqlite"),
    )
    .expect("copy the database");
    (copy, built.truth.clone())
}

/// A server on a fresh copy of the world.
pub async fn serve() -> (TestApp, GroundTruth) {
    let (dir, truth) = tokio::task::spawn_blocking(world).await.expect("world");
    let settings = crate::support::settings_in(dir.path());
    (TestApp::start(settings, Some(dir)).await, truth)
}
