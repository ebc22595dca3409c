//! Property tests: every float the product persists comes back bit for bit.
//!
//! Each type goes through the writer and the reader the product itself uses: checkpoints
//! (`checkpoint.json` through [`checkpoint::read_meta`]), the registry's `version.json`,
//! evaluation reports (through the System page's reader), the wire types the browser parses,
//! the YAML settings and the CSV exports. serde_json parses exactly only with its
//! `float_roundtrip` feature (the workspace turns it on); without it these tests fail within a
//! run (about one float in a thousand comes back one ulp off).

use std::path::Path;
use std::time::Duration;

use proptest::prelude::*;

use crate::config::{TrainingSettings, TwoTowerSettings};
use crate::eval::RankingMetrics;
use crate::eval::report::{DatasetStats, EvaluationReport, ModelResult};
use crate::recsys::checkpoint::{self, CheckpointMeta, EpochRecord};
use crate::recsys::registry::{self, VersionInfo};
use crate::recsys::two_tower::Shapes;

/// Any finite f64: uniform over bit patterns (every exponent), proptest's classes (subnormals
/// and signed zeros among them), and the kinds of values the product writes (durations in
/// seconds, rates in [0, 1]).
fn finite() -> impl Strategy<Value = f64> {
    use proptest::num::f64 as class;
    prop_oneof![
        any::<u64>()
            .prop_map(f64::from_bits)
            .prop_filter("finite", |x| x.is_finite()),
        class::POSITIVE | class::NEGATIVE | class::NORMAL | class::SUBNORMAL | class::ZERO,
        (0u64..100_000_000_000).prop_map(|ns| Duration::from_nanos(ns).as_secs_f64()),
        0.0..=1.0f64,
    ]
}

fn bits(values: impl IntoIterator<Item = f64>) -> Vec<u64> {
    values.into_iter().map(f64::to_bits).collect()
}

fn settings(f: &[f64; 5]) -> (TwoTowerSettings, TrainingSettings) {
    let model = TwoTowerSettings {
        dropout: f[0],
        modality_dropout: f[1],
        temperature: f[2],
        ..TwoTowerSettings::default()
    };
    let training = TrainingSettings {
        learning_rate: f[3],
        weight_decay: f[4],
        ..TrainingSettings::default()
    };
    (model, training)
}

fn setting_floats(model: &TwoTowerSettings, training: &TrainingSettings) -> Vec<u64> {
    bits([
        model.dropout,
        model.modality_dropout,
        model.temperature,
        training.learning_rate,
        training.weight_decay,
    ])
}

fn checkpoint_meta(best: f64, knobs: &[f64; 5], history: &[(f64, f64, f64)]) -> CheckpointMeta {
    let (model, training) = settings(knobs);
    CheckpointMeta {
        model,
        training,
        shapes: Shapes {
            users: 3,
            items: 4,
            categories: 2,
            feature_vocab: 5,
            text_dim: 384,
            image_dim: 1280,
        },
        epoch: 1,
        best_valid_ndcg_at_10: best,
        history: history
            .iter()
            .enumerate()
            .map(|(i, &(loss, ndcg, seconds))| EpochRecord {
                epoch: i + 1,
                loss,
                valid_ndcg_at_10: ndcg,
                seconds,
            })
            .collect(),
        weights_digest: "0".repeat(64),
        weights_file: "model-0.safetensors".into(),
        vocabulary_file: None,
        planted_ceiling_valid_ndcg_at_10: Some(best / 3.0),
    }
}

fn history_floats(meta: &CheckpointMeta) -> Vec<u64> {
    let mut out = setting_floats(&meta.model, &meta.training);
    out.push(meta.best_valid_ndcg_at_10.to_bits());
    out.extend(meta.planted_ceiling_valid_ndcg_at_10.map(f64::to_bits));
    for r in &meta.history {
        out.extend(bits([r.loss, r.valid_ndcg_at_10, r.seconds]));
    }
    out
}

fn metrics(f: &[f64; 8]) -> RankingMetrics {
    RankingMetrics {
        ndcg_at_10: f[0],
        hit_at_10: f[1],
        mrr_at_10: f[2],
        recall_at_10: f[3],
        precision_at_10: f[4],
        hit_at_20: f[5],
        ndcg_at_20: f[6],
        coverage_at_20: f[7],
        users: 7,
        ndcg_at_10_se: f[0] / 10.0,
    }
}

fn report(models: &[[f64; 8]], seconds: f64) -> EvaluationReport {
    EvaluationReport {
        catalogue: "movielens".into(),
        created_at: "2026-12-07T00:00:00Z".into(),
        seed: 2020,
        positives: "all".into(),
        k_core: 10,
        split: [0.8, 0.1, 0.1],
        ranking: "full",
        dataset: DatasetStats {
            users: 3,
            items: 4,
            interactions: 5,
            train: 3,
            valid: 1,
            test: 1,
            items_with_text: 4,
            items_with_image: 0,
        },
        config: serde_json::json!({ "seconds": seconds }),
        split_files: vec![],
        models: models
            .iter()
            .enumerate()
            .map(|(i, m)| ModelResult {
                name: format!("model {i}"),
                valid: Some(metrics(m)),
                test: metrics(m),
                cold: Some(metrics(m)),
                best_epoch: Some(1),
                epochs_run: Some(2),
                train_seconds: seconds,
                samples_per_second: Some(m[0]),
            })
            .collect(),
        seconds,
    }
}

/// Every float in a JSON tree, as bits, in the tree's order.
fn json_floats(value: &serde_json::Value) -> Vec<u64> {
    fn walk(value: &serde_json::Value, out: &mut Vec<u64>) {
        match value {
            serde_json::Value::Number(n) => {
                out.extend(n.as_f64().filter(|_| n.is_f64()).map(f64::to_bits))
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            serde_json::Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut out);
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    crate::fsio::write(&dir.join(name), bytes).expect("write");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `checkpoint.json`, written by `checkpoint::commit` (as `save` and `publish` do) and read
    /// by `read_meta`.
    #[test]
    fn checkpoints_keep_every_float(
        best in finite(),
        knobs in prop::array::uniform5(finite()),
        history in prop::collection::vec((finite(), finite(), finite()), 1..48),
    ) {
        let meta = checkpoint_meta(best, &knobs, &history);
        let dir = tempfile::tempdir().expect("tempdir");
        checkpoint::commit(dir.path(), &meta).expect("write");
        let back = checkpoint::read_meta(dir.path(), None).expect("read");
        prop_assert_eq!(history_floats(&back), history_floats(&meta));
    }

    /// The registry's `version.json`, its settings carried as a JSON value.
    #[test]
    fn version_records_keep_every_float(ndcg in finite(), knobs in prop::array::uniform5(finite())) {
        let (model, training) = settings(&knobs);
        let info = VersionInfo {
            id: "abc".into(),
            created_at: "2026-12-07T00:00:00Z".into(),
            weights_digest: "0".repeat(64),
            valid_ndcg_at_10: ndcg,
            epochs: 3,
            config: serde_json::json!({"model": model, "training": training}),
            data: None,
            promotions: vec![],
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("version.json");
        registry::write_json(&path, &info).expect("write");
        let back: VersionInfo = registry::read_json(&path).expect("read");
        prop_assert_eq!(back.valid_ndcg_at_10.to_bits(), ndcg.to_bits());
        let model: TwoTowerSettings = serde_json::from_value(back.config["model"].clone()).expect("model");
        let training: TrainingSettings = serde_json::from_value(back.config["training"].clone()).expect("training");
        let (want_model, want_training) = settings(&knobs);
        prop_assert_eq!(setting_floats(&model, &training), setting_floats(&want_model, &want_training));
    }

    /// `evaluation-<catalogue>.json` as `vitrine evaluate` writes it: every float survives a
    /// generic reader (an outside tool's view), and the System page's reader gets the metrics
    /// exactly. Then the page's summary crosses to the browser as JSON.
    #[test]
    fn evaluation_reports_keep_every_float(
        models in prop::collection::vec(prop::array::uniform8(finite()), 1..6),
        seconds in finite(),
    ) {
        let report = report(&models, seconds);
        let written = serde_json::to_string_pretty(&report).expect("json");
        let generic: serde_json::Value = serde_json::from_str(&written).expect("parse");
        let want = json_floats(&serde_json::to_value(&report).expect("value"));
        prop_assert!(want.len() > 16 * models.len(), "{} floats", want.len());
        prop_assert_eq!(json_floats(&generic), want);

        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "evaluation-movielens.json", written.as_bytes());
        let summary = crate::model_report::newest_evaluation(dir.path()).expect("a report");
        let read = |s: &app::wire::EvaluationSummary| -> Vec<u64> {
            s.models
                .iter()
                .flat_map(|r| bits([r.ndcg_at_10, r.hit_at_10, r.mrr_at_10, r.recall_at_10, r.coverage_at_20]))
                .collect()
        };
        let want: Vec<u64> = models.iter().flat_map(|m| bits([m[0], m[1], m[2], m[3], m[7]])).collect();
        prop_assert_eq!(read(&summary), want.clone());
        let in_browser: app::wire::EvaluationSummary =
            serde_json::from_str(&serde_json::to_string(&summary).expect("json")).expect("parse");
        prop_assert_eq!(read(&in_browser), want);
    }

    /// The YAML settings (`configs/*.yaml`) parse back exactly what was printed.
    #[test]
    fn yaml_settings_keep_every_float(knobs in prop::array::uniform5(finite())) {
        let (model, training) = settings(&knobs);
        let model_back: TwoTowerSettings =
            serde_yaml::from_str(&serde_yaml::to_string(&model).expect("yaml")).expect("parse");
        let training_back: TrainingSettings =
            serde_yaml::from_str(&serde_yaml::to_string(&training).expect("yaml")).expect("parse");
        prop_assert_eq!(setting_floats(&model_back, &training_back), setting_floats(&model, &training));
    }

    /// CSV exports print floats with `Display`, the shortest text that parses back exactly.
    #[test]
    fn csv_cells_keep_every_float(values in prop::collection::vec(finite(), 1..32)) {
        let rows = values.iter().map(|v| vec![v.to_string()]);
        let csv = crate::analytics::csv::table(&["value"], rows);
        let back: Vec<f64> = csv
            .lines()
            .skip(1)
            .map(|cell| cell.parse().expect("a float"))
            .collect();
        prop_assert_eq!(bits(back), bits(values));
    }
}
