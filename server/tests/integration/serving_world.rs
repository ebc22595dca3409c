//! A small real world for the serving tests, built once per test run: MovieLens-100K in
//! SQLite, MiniLM text features of every title in LanceDB, a two-tower (ids and text) trained
//! for two epochs, and `vitrine index` over it. Each test serves its own copy of the folder.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use server::config::{IndexSettings, Modality, Settings, TrainingSettings, TwoTowerSettings};
use server::data::movielens;
use server::eval::Split;
use server::eval::rank::items_by_user;
use server::eval::source::{self, Positives};
use server::features::{self, ExtractOptions};
use server::recsys::checkpoint;
use server::recsys::inputs::{ItemInputs, UserInputs};
use server::recsys::train::{self, TrainData};
use server::recsys::vocab::Vocabulary;
use server::serving::index;
use server::vector::FeatureTable;
use tch::Device;

use crate::encoders::{cpu_encoders, venv_python};
use crate::import_movielens::movielens_dir;
use crate::support::TestApp;

pub const CATALOGUE: &str = "movielens";

/// Settings for a world in `dir`.
pub fn settings(dir: &Path) -> Settings {
    let mut s = crate::support::settings_in(dir);
    s.data.dir = dir.join("data");
    s.data.python = venv_python();
    s.inference.catalogue = CATALOGUE.into();
    s.inference.feed.history_kinds = vec!["rating".into()];
    s.inference.snapshot.poll_secs = 1;
    s.inference.feed.promotions_refresh_secs = 1;
    s.inference.index = index_settings();
    s
}

/// LanceDB's IVF_PQ is built even for MovieLens's 1,682 items.
pub fn index_settings() -> IndexSettings {
    IndexSettings {
        min_rows: 1000,
        partitions: 16,
        ..Default::default()
    }
}

fn model_dir(dir: &Path) -> PathBuf {
    dir.join("data/models").join(CATALOGUE)
}

async fn build(dir: &Path) {
    let app = TestApp::start(settings(dir), None).await;
    let db = app.state.db.conn();
    let data = movielens::read(&movielens_dir()).expect("files");
    movielens::load(db, &data, |_| Ok(())).await.expect("load");
    let (text, image) = tokio::task::spawn_blocking(cpu_encoders)
        .await
        .expect("join");
    let options = ExtractOptions {
        catalogue: Some(CATALOGUE.into()),
        limit: None,
        up_to: None,
        batch_size: 64,
        page_size: 256,
    };
    features::extract(
        db,
        &app.state.vectors,
        Box::new(text),
        Box::new(image),
        &options,
        |_, _| {},
    )
    .await
    .expect("extract");
    let table = FeatureTable::open_existing(&app.state.vectors)
        .await
        .expect("open");
    let protocol = source::load(
        db,
        table.as_ref(),
        CATALOGUE,
        Positives::RatingAtLeast(3.0),
        10,
        None,
    )
    .await
    .expect("protocol");
    let models = model_dir(dir);
    let out = models.clone();
    tokio::task::spawn_blocking(move || {
        let d = &protocol.dataset;
        let split = Split::by_user_ratio(d, [0.8, 0.1, 0.1], 2020);
        let (text_dim, image_dim) = server::eval::harness::feature_dims(&protocol);
        let items = ItemInputs::build(&protocol.items, text_dim, image_dim);
        let users = UserInputs::build(&protocol.user_features, &split.train, &items, 50, 2020);
        let seen = items_by_user(d.user_count(), &[&split.train]);
        let valid = items_by_user(d.user_count(), &[&split.valid]);
        let model = TwoTowerSettings {
            modalities: vec![Modality::Id, Modality::Text],
            hidden: vec![64],
            dim: 32,
            id_dim: 16,
            feature_dim: 32,
            max_history: 50,
            ..Default::default()
        };
        let training = TrainingSettings {
            batch_size: 512,
            max_epochs: 2,
            uniform_negatives: 128,
            warmup_steps: 5,
            threads: 1,
            ..Default::default()
        };
        let inputs = TrainData {
            users: &users,
            items: &items,
            train: &split.train,
            seen: &seen,
            valid: &valid,
        };
        train::train(
            &model,
            &training,
            &inputs,
            Device::Cpu,
            Some(&out.join("training")),
            false,
            |_| {},
        )
        .expect("train");
        checkpoint::publish(
            &out.join("training"),
            &out,
            &Vocabulary::of(CATALOGUE, &protocol),
        )
        .expect("publish");
    })
    .await
    .expect("join");
    index::build(
        db,
        &app.state.vectors,
        &models,
        CATALOGUE,
        &index_settings(),
        |_, _| {},
    )
    .await
    .expect("index");
    app.stop().await;
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else if let Err(e) = std::fs::copy(entry.path(), &target) {
            // LanceDB's background IO may still remove a temporary file of the last commit
            // after the build returns: a file gone between the listing and the copy was one.
            assert!(
                e.kind() == std::io::ErrorKind::NotFound && !entry.path().exists(),
                "copy {}: {e}",
                entry.path().display()
            );
        }
    }
}

/// A fresh copy of the world, and settings pointing at it.
pub fn world() -> (tempfile::TempDir, Settings) {
    static BUILT: OnceLock<tempfile::TempDir> = OnceLock::new();
    let original = BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().to_path_buf();
        // Its own runtime: the world outlives any one test's runtime.
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(build(&path));
        })
        .join()
        .expect("the serving world builds");
        dir
    });
    let copy = tempfile::tempdir().expect("temp dir");
    copy_dir(original.path(), copy.path());
    let settings = settings(copy.path());
    (copy, settings)
}

/// A server on a fresh copy of the world, with its snapshot loaded.
pub async fn serve_world() -> TestApp {
    serve_world_with(|_| {}).await
}

/// The same, with the `demo` setting on: the browser may view the feed as any user.
pub async fn serve_demo_world() -> TestApp {
    serve_world_with(|s| s.demo = true).await
}

pub async fn serve_world_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let (dir, mut settings) = tokio::task::spawn_blocking(world).await.expect("world");
    adjust(&mut settings);
    let app = TestApp::start(settings, Some(dir)).await;
    assert!(
        app.state.serving.current_version().is_some(),
        "the snapshot loads at start: {}",
        app.state.serving.problem()
    );
    app
}
