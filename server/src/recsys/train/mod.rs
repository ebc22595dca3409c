//! Training the two-tower model: in-batch sampled softmax with log-Q correction, plus optional
//! uniform negatives (mixed negative sampling, Yang et al. 2020); AdamW or Adam with warm-up
//! and cosine annealing; early stopping on validation NDCG@10; the best weights kept, and
//! checkpointed when a folder is given.

mod schedule;

use std::path::Path;
use std::time::Instant;

use tch::nn::{self, OptimizerConfig};
use tch::{Device, Kind, Reduction, Tensor};

use super::checkpoint::{self, CheckpointError, CheckpointMeta, EpochRecord};
use super::inputs::{ItemInputs, UserInputs};
use super::two_tower::{ItemBatch, Shapes, TwoTower, UserBatch};
use crate::config::{OptimizerKind, TrainingSettings, TwoTowerSettings};
use crate::data::rng::SplitMix64;
use crate::eval::{Interaction, RankingMetrics, rank};

pub use schedule::warmup_cosine;

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error("nothing to train on: the training split is empty")]
    Empty,
}

/// The data of one run, indexed like the evaluation dataset.
pub struct TrainData<'a> {
    pub users: &'a UserInputs,
    pub items: &'a ItemInputs,
    pub train: &'a [Interaction],
    /// Per user: training items (excluded from validation rankings).
    pub seen: &'a [Vec<u32>],
    /// Per user: validation items.
    pub valid: &'a [Vec<u32>],
}

pub struct Trained {
    pub model: TwoTower,
    pub store: nn::VarStore,
    pub history: Vec<EpochRecord>,
    pub best_epoch: usize,
    pub best_valid: RankingMetrics,
    /// Training pairs per second of optimisation (evaluation excluded).
    pub samples_per_second: f64,
}

/// Ranks the catalogue for `relevant` users, excluding `excluded` items.
pub fn evaluate_model(
    model: &TwoTower,
    users: &UserInputs,
    items: &ItemInputs,
    excluded: &[Vec<u32>],
    relevant: &[Vec<u32>],
    device: Device,
) -> RankingMetrics {
    let item_vectors = model.item_vectors(items, device);
    rank::evaluate(
        |block| {
            let ids = Tensor::from_slice(block).to_device(device);
            model.logits(&model.user_vectors(users, items, &ids), &item_vectors)
        },
        items.count as usize,
        excluded,
        relevant,
    )
}

fn snapshot(store: &nn::VarStore) -> Vec<(String, Tensor)> {
    tch::no_grad(|| {
        store
            .variables()
            .into_iter()
            .map(|(name, t)| (name, t.copy()))
            .collect()
    })
}

fn restore(store: &nn::VarStore, saved: &[(String, Tensor)]) {
    let variables = store.variables();
    tch::no_grad(|| {
        for (name, value) in saved {
            if let Some(var) = variables.get(name) {
                let mut var = var.shallow_clone();
                var.copy_(value);
            }
        }
    });
}

/// Trains from scratch, or from the checkpoint in `checkpoint_dir` when `resume` is set.
///
/// # Errors
/// [`TrainError`] for libtorch failures and unusable checkpoints.
pub fn train(
    settings: &TwoTowerSettings,
    training: &TrainingSettings,
    data: &TrainData<'_>,
    device: Device,
    checkpoint_dir: Option<&Path>,
    resume: bool,
    mut on_epoch: impl FnMut(&EpochRecord),
) -> Result<Trained, TrainError> {
    if data.train.is_empty() {
        return Err(TrainError::Empty);
    }
    let _rng = crate::recsys::torch_rng();
    tch::manual_seed(training.seed as i64);
    let shapes = Shapes::of(data.users, data.items);
    let mut store = nn::VarStore::new(device);
    let model = TwoTower::new(&store.root(), settings, &shapes);
    let mut history = Vec::new();
    let mut best = (0usize, f64::NEG_INFINITY);
    if let (true, Some(dir)) = (resume, checkpoint_dir) {
        let meta = checkpoint::read_meta(dir, Some(&shapes))?;
        checkpoint::load_weights(dir, &mut store, &meta)?;
        history = meta.history;
        best = (meta.epoch, meta.best_valid_ndcg_at_10);
    }
    let users = data.users.to_device(device);
    let items = data.items.to_device(device);
    let mut optimizer = match training.optimizer {
        OptimizerKind::Adam => nn::Adam {
            wd: training.weight_decay,
            ..Default::default()
        }
        .build(&store, training.learning_rate)?,
        OptimizerKind::Adamw => nn::AdamW {
            wd: training.weight_decay,
            ..Default::default()
        }
        .build(&store, training.learning_rate)?,
    };
    let log_q = log_popularity(
        data.train,
        data.items.count as usize,
        training.batch_size,
        device,
    );
    let steps_per_epoch = data.train.len().div_ceil(training.batch_size);
    let total_steps = steps_per_epoch * training.max_epochs;
    let mut best_weights = snapshot(&store);
    let mut best_valid = RankingMetrics::default();
    let (mut train_seconds, mut samples) = (0.0, 0usize);
    let mut stale = 0;
    for epoch in history.len()..training.max_epochs {
        let started = Instant::now();
        let mut rng = SplitMix64::new(training.seed).fork(epoch as u64);
        let mut order: Vec<usize> = (0..data.train.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let mut loss_sum = 0.0;
        for (b, chunk) in order.chunks(training.batch_size).enumerate() {
            if chunk.len() < 2 {
                continue;
            }
            let step = epoch * steps_per_epoch + b;
            optimizer.set_lr(warmup_cosine(
                training.learning_rate,
                step,
                training.warmup_steps,
                total_steps,
            ));
            let loss = batch_loss(
                &model, &users, &items, data.train, chunk, &log_q, training, &mut rng, device,
            );
            optimizer.backward_step(&loss);
            loss_sum += loss.double_value(&[]);
            samples += chunk.len();
        }
        train_seconds += started.elapsed().as_secs_f64();
        let valid = evaluate_model(&model, &users, &items, data.seen, data.valid, device);
        let record = EpochRecord {
            epoch: epoch + 1,
            loss: loss_sum / steps_per_epoch as f64,
            valid_ndcg_at_10: valid.ndcg_at_10,
            seconds: started.elapsed().as_secs_f64(),
        };
        on_epoch(&record);
        history.push(record);
        if valid.ndcg_at_10 > best.1 {
            best = (epoch + 1, valid.ndcg_at_10);
            best_valid = valid;
            best_weights = snapshot(&store);
            stale = 0;
            if let Some(dir) = checkpoint_dir {
                let meta = CheckpointMeta {
                    model: settings.clone(),
                    training: training.clone(),
                    shapes: shapes.clone(),
                    epoch: epoch + 1,
                    best_valid_ndcg_at_10: valid.ndcg_at_10,
                    history: history.clone(),
                    weights_digest: String::new(),
                    weights_file: String::new(),
                    vocabulary_file: None,
                    planted_ceiling_valid_ndcg_at_10: None,
                };
                checkpoint::save(dir, &store, meta)?;
            }
        } else {
            stale += 1;
            if stale >= training.patience {
                break;
            }
        }
    }
    restore(&store, &best_weights);
    Ok(Trained {
        model,
        store,
        history,
        best_epoch: best.0,
        best_valid,
        samples_per_second: samples as f64 / train_seconds.max(1e-9),
    })
}

/// `log(B * p_j)` for in-batch columns: the chance that item `j` is in a batch of `B` pairs.
fn log_popularity(
    train: &[Interaction],
    item_count: usize,
    batch: usize,
    device: Device,
) -> Tensor {
    let mut counts = vec![0f64; item_count];
    for i in train {
        counts[i.item as usize] += 1.0;
    }
    let total = train.len() as f64;
    let values: Vec<f32> = counts
        .iter()
        .map(|c| ((batch as f64 * c / total).max(1e-12)).ln() as f32)
        .collect();
    Tensor::from_slice(&values).to_device(device)
}

#[allow(clippy::too_many_arguments)]
fn batch_loss(
    model: &TwoTower,
    users: &UserInputs,
    items: &ItemInputs,
    train: &[Interaction],
    chunk: &[usize],
    log_q: &Tensor,
    training: &TrainingSettings,
    rng: &mut SplitMix64,
    device: Device,
) -> Tensor {
    let (user_ids, item_ids): (Vec<i64>, Vec<i64>) = chunk
        .iter()
        .map(|&k| (i64::from(train[k].user), i64::from(train[k].item)))
        .unzip();
    let user_ids = Tensor::from_slice(&user_ids).to_device(device);
    let item_ids = Tensor::from_slice(&item_ids).to_device(device);
    let u = model.user.forward_t(
        &UserBatch::known(users, items, &user_ids, Some(&item_ids)),
        true,
        0.0,
    );
    let v = model
        .content
        .forward_t(&ItemBatch::known(items, &item_ids), true, 0.0);
    let raw = model.logits(&u, &v);
    let mut logits = if training.log_q_correction {
        raw - log_q.index_select(0, &item_ids).unsqueeze(0)
    } else {
        raw
    };
    // The same item twice in a batch is not a negative of itself.
    let rows = item_ids.size()[0];
    let duplicate = item_ids
        .unsqueeze(1)
        .eq_tensor(&item_ids.unsqueeze(0))
        .logical_and(&Tensor::eye(rows, (Kind::Bool, device)).logical_not());
    logits = logits.masked_fill(&duplicate, f64::NEG_INFINITY);
    if training.uniform_negatives > 0 {
        let count = items.count as usize;
        let negatives: Vec<i64> = (0..training.uniform_negatives)
            .map(|_| rng.below(count) as i64)
            .collect();
        let negatives = Tensor::from_slice(&negatives).to_device(device);
        let n = model
            .content
            .forward_t(&ItemBatch::known(items, &negatives), true, 0.0);
        let raw = model.logits(&u, &n);
        let extra = if training.log_q_correction {
            raw - (training.uniform_negatives as f64 / count as f64).ln()
        } else {
            raw
        };
        let positive = item_ids.unsqueeze(1).eq_tensor(&negatives.unsqueeze(0));
        logits = Tensor::cat(
            &[logits, extra.masked_fill(&positive, f64::NEG_INFINITY)],
            1,
        );
    }
    let targets = Tensor::arange(rows, (Kind::Int64, device));
    logits.cross_entropy_loss::<Tensor>(&targets, None, Reduction::Mean, -100, 0.0)
}

/// Optimisation steps only, no evaluation: training samples per second over `steps` batches
/// after one warm-up batch. The training benchmark compares this with PyTorch.
///
/// # Errors
/// [`TrainError`] from libtorch.
pub fn time_steps(
    settings: &TwoTowerSettings,
    training: &TrainingSettings,
    data: &TrainData<'_>,
    device: Device,
    steps: usize,
) -> Result<f64, TrainError> {
    tch::manual_seed(training.seed as i64);
    let store = nn::VarStore::new(device);
    let model = TwoTower::new(&store.root(), settings, &Shapes::of(data.users, data.items));
    let users = data.users.to_device(device);
    let items = data.items.to_device(device);
    let mut optimizer = nn::AdamW {
        wd: training.weight_decay,
        ..Default::default()
    }
    .build(&store, training.learning_rate)?;
    let log_q = log_popularity(
        data.train,
        data.items.count as usize,
        training.batch_size,
        device,
    );
    let mut rng = SplitMix64::new(training.seed);
    let order: Vec<usize> = (0..data.train.len()).collect();
    let mut batches = order.chunks(training.batch_size).cycle();
    let mut run = |rng: &mut SplitMix64| {
        let chunk = batches.next().unwrap_or(&[]);
        let loss = batch_loss(
            &model, &users, &items, data.train, chunk, &log_q, training, rng, device,
        );
        optimizer.backward_step(&loss);
        chunk.len()
    };
    run(&mut rng);
    let started = Instant::now();
    let samples: usize = (0..steps).map(|_| run(&mut rng)).sum();
    if device.is_cuda() {
        tch::Cuda::synchronize(0);
    }
    Ok(samples as f64 / started.elapsed().as_secs_f64().max(1e-9))
}
