//! Runs the models of one evaluation on one split: most-popular, BPR-MF and two-tower
//! variants (the ablations), each chosen on validation and scored once on test.

use std::time::Instant;

use tch::{Device, Tensor};

use super::Split;
use super::rank::{evaluate, items_by_user};
use super::report::ModelResult;
use super::source::ProtocolData;
use crate::config::{Modality, TrainingSettings, TwoTowerSettings};
use crate::recsys::baselines::{BprConfig, BprMf, MostPopular};
use crate::recsys::checkpoint::EpochRecord;
use crate::recsys::inputs::{ItemInputs, UserInputs};
use crate::recsys::train::{self, TrainData, TrainError};

#[derive(Clone, Debug)]
pub struct Variant {
    pub name: String,
    pub modalities: Vec<Modality>,
}

impl Variant {
    pub fn named(modalities: Vec<Modality>) -> Self {
        let names: Vec<&str> = modalities
            .iter()
            .map(|m| match m {
                Modality::Id => "id",
                Modality::Text => "text",
                Modality::Image => "image",
            })
            .collect();
        Self {
            name: format!("two-tower ({})", names.join("+")),
            modalities,
        }
    }
}

pub struct HarnessOptions {
    pub popular: bool,
    pub bpr: Option<BprConfig>,
    pub two_tower: TwoTowerSettings,
    pub training: TrainingSettings,
    pub variants: Vec<Variant>,
    pub device: Device,
    /// Planted tastes `[users, d]` and item vectors `[items, d]` of a synthetic world: ranked
    /// by as the ceiling.
    pub oracle: Option<(Tensor, Tensor)>,
}

pub struct HarnessOutput {
    pub results: Vec<ModelResult>,
    pub curves: Vec<(String, Vec<EpochRecord>)>,
}

/// # Errors
/// [`TrainError`] from libtorch.
pub fn run(
    data: &ProtocolData,
    split: &Split,
    options: &HarnessOptions,
    mut progress: impl FnMut(&str),
) -> Result<HarnessOutput, TrainError> {
    let users = data.dataset.user_count();
    let items = data.dataset.item_count();
    let seen = items_by_user(users, &[&split.train]);
    let valid = items_by_user(users, &[&split.valid]);
    let test = items_by_user(users, &[&split.test]);
    let known = items_by_user(users, &[&split.train, &split.valid]);
    let mut results = Vec::new();
    let mut curves = Vec::new();

    if options.popular {
        let started = Instant::now();
        let pop = MostPopular::fit(&split.train, items);
        results.push(ModelResult {
            name: "most-popular".into(),
            valid: Some(evaluate(|b| pop.score(b), items, &seen, &valid)),
            test: evaluate(|b| pop.score(b), items, &known, &test),
            best_epoch: None,
            epochs_run: None,
            train_seconds: started.elapsed().as_secs_f64(),
            samples_per_second: None,
        });
        progress("most-popular done");
    }
    if let Some((tastes, vectors)) = &options.oracle {
        let score = |block: &[i64]| {
            tastes
                .index_select(0, &Tensor::from_slice(block))
                .matmul(&vectors.transpose(0, 1))
        };
        results.push(ModelResult {
            name: "planted affinity (ceiling)".into(),
            valid: Some(evaluate(score, items, &seen, &valid)),
            test: evaluate(score, items, &known, &test),
            best_epoch: None,
            epochs_run: None,
            train_seconds: 0.0,
            samples_per_second: None,
        });
    }
    if let Some(config) = &options.bpr {
        let started = Instant::now();
        let fitted = BprMf::fit(users, items, &split.train, config, options.device, |m| {
            evaluate(|b| m.score(b), items, &seen, &valid).ndcg_at_10
        })?;
        let m = &fitted.model;
        results.push(ModelResult {
            name: "BPR-MF".into(),
            valid: Some(evaluate(|b| m.score(b), items, &seen, &valid)),
            test: evaluate(|b| m.score(b), items, &known, &test),
            best_epoch: Some(fitted.best_epoch),
            epochs_run: Some(fitted.epochs_run),
            train_seconds: started.elapsed().as_secs_f64(),
            samples_per_second: Some(fitted.samples_per_second),
        });
        progress(&format!("BPR-MF done (best epoch {})", fitted.best_epoch));
    }
    if options.variants.is_empty() {
        return Ok(HarnessOutput { results, curves });
    }
    let (text_dim, image_dim) = feature_dims(data);
    let item_inputs = ItemInputs::build(&data.items, text_dim, image_dim);
    let user_inputs = UserInputs::build(
        &data.user_features,
        &split.train,
        &item_inputs,
        options.two_tower.max_history,
        options.training.seed,
    );
    let train_data = TrainData {
        users: &user_inputs,
        items: &item_inputs,
        train: &split.train,
        seen: &seen,
        valid: &valid,
    };
    for variant in &options.variants {
        let started = Instant::now();
        let settings = TwoTowerSettings {
            modalities: variant.modalities.clone(),
            ..options.two_tower.clone()
        };
        let trained = train::train(
            &settings,
            &options.training,
            &train_data,
            options.device,
            None,
            false,
            |r| {
                progress(&format!(
                    "{}: epoch {} loss {:.4} valid NDCG@10 {:.4}",
                    variant.name, r.epoch, r.loss, r.valid_ndcg_at_10
                ));
            },
        )?;
        let users_d = user_inputs.to_device(options.device);
        let items_d = item_inputs.to_device(options.device);
        let test_metrics = train::evaluate_model(
            &trained.model,
            &users_d,
            &items_d,
            &known,
            &test,
            options.device,
        );
        results.push(ModelResult {
            name: variant.name.clone(),
            valid: Some(trained.best_valid),
            test: test_metrics,
            best_epoch: Some(trained.best_epoch),
            epochs_run: Some(trained.history.len()),
            train_seconds: started.elapsed().as_secs_f64(),
            samples_per_second: Some(trained.samples_per_second),
        });
        curves.push((variant.name.clone(), trained.history));
    }
    Ok(HarnessOutput { results, curves })
}

/// The widths of the text and image features (MiniLM's 384 and EfficientNet's 1280 when a
/// catalogue has none: zeros, marked absent).
pub fn feature_dims(data: &ProtocolData) -> (usize, usize) {
    let text = data
        .items
        .iter()
        .find_map(|i| i.text.as_ref().map(Vec::len));
    let image = data
        .items
        .iter()
        .find_map(|i| i.image.as_ref().map(Vec::len));
    (text.unwrap_or(384), image.unwrap_or(1280))
}

/// Scores of a two-tower model for dataset users, for outside callers (checkpoint tests).
pub fn two_tower_scores(
    model: &crate::recsys::two_tower::TwoTower,
    users: &UserInputs,
    items: &ItemInputs,
    block: &[i64],
    device: Device,
) -> Tensor {
    let item_vectors = model.item_vectors(items, device);
    let ids = Tensor::from_slice(block).to_device(device);
    model.logits(&model.user_vectors(users, items, &ids), &item_vectors)
}
