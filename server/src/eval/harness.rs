//! Runs the models of one evaluation on one split: chance, most-popular, BPR-MF and two-tower
//! variants (the ablations), each chosen on validation and scored once on test; and, under the
//! cold-start protocol, each again on the held-out items.

use std::time::Instant;

use tch::{Device, Tensor};

use super::Split;
use super::cold::ColdItems;
use super::oracle::PlantedScorer;
use super::rank::{evaluate, items_by_user};
use super::report::ModelResult;
use super::source::ProtocolData;
use crate::config::{Modality, TrainingSettings, TwoTowerSettings};
use crate::data::rng::SplitMix64;
use crate::eval::RankingMetrics;
use crate::recsys::baselines::{BprConfig, BprMf, MostPopular};
use crate::recsys::checkpoint::EpochRecord;
use crate::recsys::inputs::{ItemInputs, UserInputs};
use crate::recsys::train::{self, TrainData, TrainError};

#[derive(Clone, Debug)]
pub struct Variant {
    pub name: String,
    pub modalities: Vec<Modality>,
    /// Leave the category embedding out whatever the settings say: in an ablation each row
    /// then shows what its own modalities carry (both text and pictures carry the category).
    pub without_category: bool,
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
            without_category: false,
        }
    }

    /// The same modalities without the category embedding (ablations).
    pub fn ablated(modalities: Vec<Modality>) -> Self {
        Self {
            without_category: true,
            ..Self::named(modalities)
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
    /// A synthetic world's planted model: ranked by as the ceiling.
    pub oracle: Option<PlantedScorer>,
    /// The cold-start protocol's held-out items, with their rows in the planted model.
    pub cold: Option<ColdSetup>,
}

pub struct ColdSetup {
    pub items: ColdItems,
    /// The held-out items' rows in the planted model ([`PlantedScorer::columns_for`]), when
    /// there is one.
    pub oracle_columns: Option<Tensor>,
}

impl ColdSetup {
    /// Ranks every held-out item for each user who interacted with some, nothing excluded.
    /// Ties are broken at random (seeded), not by position: a model that cannot tell unseen
    /// items apart scores them all alike, and must then rank as chance does.
    fn evaluate(&self, mut score: impl FnMut(&[i64]) -> Tensor) -> RankingMetrics {
        let none = vec![Vec::new(); self.items.relevant.len()];
        let count = self.items.item_ids.len();
        let jittered = |block: &[i64]| {
            let scores = score(block)
                .to_device(tch::Device::Cpu)
                .to_kind(tch::Kind::Float);
            scores + uniform_scores(0xC01D, block, count) * 1e-4
        };
        evaluate(jittered, count, &none, &self.items.relevant)
    }

    /// A model with nothing to say about unseen items ranks them all equal: chance.
    fn unknown(&self) -> RankingMetrics {
        let count = self.items.item_ids.len() as i64;
        self.evaluate(|block| Tensor::zeros([block.len() as i64, count], tch::kind::FLOAT_CPU))
    }
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
    // One line per epoch and per model; a model's last line ends in ` done`.
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

    let cold = options.cold.as_ref();
    if options.popular {
        // Seeded uniform scores: the level every metric has by chance.
        let chance =
            |block: &[i64], count: usize| uniform_scores(options.training.seed, block, count);
        let cold_items = cold.map_or(0, |c| c.items.item_ids.len());
        results.push(ModelResult {
            valid: Some(evaluate(|b| chance(b, items), items, &seen, &valid)),
            test: evaluate(|b| chance(b, items), items, &known, &test),
            cold: cold.map(|c| c.evaluate(|b| chance(b, cold_items))),
            ..ModelResult::named("random (chance)")
        });
        let started = Instant::now();
        let pop = MostPopular::fit(&split.train, items);
        results.push(ModelResult {
            valid: Some(evaluate(|b| pop.score(b), items, &seen, &valid)),
            test: evaluate(|b| pop.score(b), items, &known, &test),
            // No unseen item has a count.
            cold: cold.map(ColdSetup::unknown),
            train_seconds: started.elapsed().as_secs_f64(),
            ..ModelResult::named("most-popular")
        });
        progress("most-popular done");
    }
    if let Some(oracle) = &options.oracle {
        let score = |block: &[i64]| oracle.score(block);
        let cold_metrics = cold.and_then(|c| {
            let columns = c.oracle_columns.as_ref()?;
            Some(c.evaluate(|block| oracle.score_columns(block, columns)))
        });
        results.push(ModelResult {
            valid: Some(evaluate(score, items, &seen, &valid)),
            test: evaluate(score, items, &known, &test),
            cold: cold_metrics,
            ..ModelResult::named("planted (ceiling)")
        });
        progress("planted ceiling done");
    }
    if let Some(config) = &options.bpr {
        let started = Instant::now();
        let fitted = BprMf::fit(users, items, &split.train, config, options.device, |m| {
            evaluate(|b| m.score(b), items, &seen, &valid).ndcg_at_10
        })?;
        let m = &fitted.model;
        results.push(ModelResult {
            valid: Some(evaluate(|b| m.score(b), items, &seen, &valid)),
            test: evaluate(|b| m.score(b), items, &known, &test),
            // An unseen item has no vector.
            cold: cold.map(ColdSetup::unknown),
            best_epoch: Some(fitted.best_epoch),
            epochs_run: Some(fitted.epochs_run),
            train_seconds: started.elapsed().as_secs_f64(),
            samples_per_second: Some(fitted.samples_per_second),
            ..ModelResult::named("BPR-MF")
        });
        progress(&format!("BPR-MF done (best epoch {})", fitted.best_epoch));
    }
    if options.variants.is_empty() {
        return Ok(HarnessOutput { results, curves });
    }
    let (text_dim, image_dim) = feature_dims(data);
    // Held-out items share the category vocabulary but are never part of training.
    let (item_inputs, cold_inputs) = match cold {
        Some(c) => {
            let all: Vec<_> = data.items.iter().chain(&c.items.sources).cloned().collect();
            let (warm, held_out) =
                ItemInputs::build(&all, text_dim, image_dim).split_at(data.items.len() as i64);
            (warm, Some(held_out))
        }
        None => (ItemInputs::build(&data.items, text_dim, image_dim), None),
    };
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
            use_category: options.two_tower.use_category && !variant.without_category,
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
        let cold_metrics = cold.zip(cold_inputs.as_ref()).map(|(c, inputs)| {
            let vectors = trained
                .model
                .unseen_item_vectors(&inputs.to_device(options.device), options.device);
            c.evaluate(|block| {
                let ids = Tensor::from_slice(block).to_device(options.device);
                let users = trained.model.user_vectors(&users_d, &items_d, &ids);
                trained.model.logits(&users, &vectors)
            })
        });
        results.push(ModelResult {
            valid: Some(trained.best_valid),
            test: test_metrics,
            cold: cold_metrics,
            best_epoch: Some(trained.best_epoch),
            epochs_run: Some(trained.history.len()),
            train_seconds: started.elapsed().as_secs_f64(),
            samples_per_second: Some(trained.samples_per_second),
            ..ModelResult::named(&variant.name)
        });
        curves.push((variant.name.clone(), trained.history));
        progress(&format!("{} done", variant.name));
    }
    Ok(HarnessOutput { results, curves })
}

/// `[block, count]` seeded uniform scores in [0, 1), drawn per block of users.
fn uniform_scores(seed: u64, block: &[i64], count: usize) -> Tensor {
    let first = block.first().copied().unwrap_or(0) as u64;
    let mut rng = SplitMix64::new(seed).fork(first);
    let scores: Vec<f32> = (0..block.len() * count)
        .map(|_| rng.uniform() as f32)
        .collect();
    Tensor::from_slice(&scores).view([block.len() as i64, count as i64])
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
