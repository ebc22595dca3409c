//! The protocol on real MovieLens-100K, and the two-tower's training guarantees: a fixed seed
//! gives identical runs, checkpoints round-trip, and bad checkpoints are clear errors.

use std::path::Path;

use server::config::{Modality, TrainingSettings, TwoTowerSettings};
use server::data::movielens;
use server::eval::Split;
use server::eval::harness::two_tower_scores;
use server::eval::rank::items_by_user;
use server::eval::source::{self, Positives, ProtocolData};
use server::recsys::checkpoint::{self, CheckpointError, EpochRecord};
use server::recsys::inputs::{ItemInputs, UserInputs};
use server::recsys::train::{self, TrainData};
use server::recsys::two_tower::Shapes;
use tch::Device;

use crate::import_movielens::movielens_dir;
use crate::support::TestApp;

async fn movielens_protocol() -> ProtocolData {
    let app = TestApp::sqlite().await;
    let data = movielens::read(&movielens_dir()).expect("files");
    movielens::load(app.state.db.conn(), &data, |_| Ok(()))
        .await
        .expect("load");
    let protocol = source::load(
        app.state.db.conn(),
        None,
        "movielens",
        Positives::RatingAtLeast(3.0),
        10,
        None,
    )
    .await
    .expect("protocol data");
    app.stop().await;
    protocol
}

/// The part of an epoch's record that a seeded run must reproduce exactly: the epoch, its loss
/// and its validation NDCG@10 (bits, so that -0.0 and NaN would count too), not its duration.
fn reproducible(history: &[EpochRecord]) -> Vec<(usize, u64, u64)> {
    history
        .iter()
        .map(|r| (r.epoch, r.loss.to_bits(), r.valid_ndcg_at_10.to_bits()))
        .collect()
}

fn small_settings() -> (TwoTowerSettings, TrainingSettings) {
    let model = TwoTowerSettings {
        modalities: vec![Modality::Id],
        hidden: vec![64],
        dim: 32,
        id_dim: 16,
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
    (model, training)
}

#[tokio::test]
async fn the_movielens_protocol_has_the_published_counts_and_training_is_reproducible() {
    let data = movielens_protocol().await;
    let d = &data.dataset;
    // DESIGN.md: ratings >= 3, then the 10-core.
    assert_eq!(
        (d.user_count(), d.item_count(), d.interactions.len()),
        (939, 1_016, 80_393)
    );

    let split = Split::by_user_ratio(d, [0.8, 0.1, 0.1], 2020);
    assert_eq!(
        split.train.len() + split.valid.len() + split.test.len(),
        80_393
    );
    let items = ItemInputs::build(&data.items, 384, 1280);
    let users = UserInputs::build(&data.user_features, &split.train, &items, 50, 2020);
    let seen = items_by_user(d.user_count(), &[&split.train]);
    let valid = items_by_user(d.user_count(), &[&split.valid]);
    let train_data = TrainData {
        users: &users,
        items: &items,
        train: &split.train,
        seen: &seen,
        valid: &valid,
    };
    let (model, training) = small_settings();
    let dir = tempfile::tempdir().expect("temp");
    // libtorch's intra-op thread count is global, and servers that other tests start in this
    // process set it to 1 for their workers: both runs use 1, so the count cannot change
    // between them (a different count sums in another order).
    tch::set_num_threads(1);

    let first = train::train(
        &model,
        &training,
        &train_data,
        Device::Cpu,
        Some(dir.path()),
        false,
        |_| {},
    )
    .expect("train");
    let second = train::train(
        &model,
        &training,
        &train_data,
        Device::Cpu,
        None,
        false,
        |_| {},
    )
    .expect("train");
    assert_eq!(first.history.len(), 2);
    assert_eq!(reproducible(&first.history), reproducible(&second.history));
    assert!(first.best_valid.ndcg_at_10 > 0.0);

    // The checkpoint rebuilds a model that scores exactly like the trained one.
    let shapes = Shapes::of(&users, &items);
    let (loaded, _store, meta) =
        checkpoint::load_model(dir.path(), &shapes, Device::Cpu).expect("load");
    assert_eq!(meta.epoch, first.best_epoch);
    let block: Vec<i64> = (0..64).collect();
    let before = two_tower_scores(&first.model, &users, &items, &block, Device::Cpu);
    let after = two_tower_scores(&loaded, &users, &items, &block, Device::Cpu);
    assert!(
        before.allclose(&after, 0.0, 0.0, false),
        "identical scores after a round trip"
    );

    // Resuming goes on after the checkpoint's epoch (the best so far) and keeps its records.
    let longer = TrainingSettings {
        max_epochs: 3,
        ..training.clone()
    };
    let resumed = train::train(
        &model,
        &longer,
        &train_data,
        Device::Cpu,
        Some(dir.path()),
        true,
        |_| {},
    )
    .expect("resume");
    let kept = meta.history.len();
    assert_eq!(kept, meta.epoch);
    assert_eq!(resumed.history.len(), 3);
    // What was reproduced: the model and its metrics, never the wall-clock seconds.
    assert_eq!(
        reproducible(&resumed.history[..kept]),
        reproducible(&first.history[..kept])
    );
    // What was carried: the checkpoint's records, every float bit for bit (the seconds too),
    // through checkpoint.json (serde_json's float_roundtrip; see float_roundtrip_tests).
    let carried = |h: &[EpochRecord]| -> Vec<u64> {
        h.iter()
            .flat_map(|r| [r.loss, r.valid_ndcg_at_10, r.seconds])
            .map(f64::to_bits)
            .collect()
    };
    assert_eq!(carried(&resumed.history[..kept]), carried(&meta.history));

    check_bad_checkpoints(dir.path(), &shapes);
}

fn check_bad_checkpoints(dir: &Path, shapes: &Shapes) {
    // Shapes of other data.
    let other = Shapes {
        items: shapes.items + 1,
        ..shapes.clone()
    };
    let error = checkpoint::load_model(dir, &other, Device::Cpu)
        .err()
        .expect("mismatch");
    assert!(matches!(error, CheckpointError::Mismatch { .. }), "{error}");
    // Truncated weights.
    let name = checkpoint::read_meta(dir, None).expect("meta").weights_file;
    assert!(name.starts_with("model-"), "named by digest: {name}");
    let weights = dir.join(&name);
    let bytes = std::fs::read(&weights).expect("read");
    std::fs::write(&weights, &bytes[..bytes.len() / 2]).expect("truncate");
    let error = checkpoint::load_model(dir, shapes, Device::Cpu)
        .err()
        .expect("truncated")
        .to_string();
    assert!(error.contains(&name), "{error}");
    // Corrupt metadata.
    std::fs::write(dir.join(checkpoint::META), b"{ not json").expect("write");
    let error = checkpoint::load_model(dir, shapes, Device::Cpu)
        .err()
        .expect("corrupt")
        .to_string();
    assert!(error.contains("checkpoint.json"), "{error}");
}
