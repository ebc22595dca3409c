//! The baselines of the evaluation harness: most-popular, and BPR matrix factorisation
//! (Rendle et al. 2009) trained in tch with uniform negative sampling.

use serde::{Deserialize, Serialize};
use tch::nn::{self, OptimizerConfig};
use tch::{Device, Kind, Tensor};

use crate::data::rng::SplitMix64;
use crate::eval::Interaction;

/// Scores every item by its number of training interactions, the same for every user.
pub struct MostPopular {
    counts: Tensor,
}

impl MostPopular {
    pub fn fit(train: &[Interaction], item_count: usize) -> Self {
        let mut counts = vec![0f32; item_count];
        for i in train {
            counts[i.item as usize] += 1.0;
        }
        Self {
            counts: Tensor::from_slice(&counts),
        }
    }

    /// `[users.len(), items]`.
    pub fn score(&self, users: &[i64]) -> Tensor {
        self.counts
            .unsqueeze(0)
            .expand([users.len() as i64, -1], false)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BprConfig {
    pub dim: i64,
    pub learning_rate: f64,
    pub weight_decay: f64,
    pub batch_size: usize,
    pub max_epochs: usize,
    /// Epochs without a better validation NDCG@10 before stopping.
    pub patience: usize,
    pub seed: u64,
}

impl Default for BprConfig {
    fn default() -> Self {
        Self {
            dim: 64,
            learning_rate: 1e-3,
            weight_decay: 0.0,
            batch_size: 2048,
            max_epochs: 300,
            patience: 10,
            seed: 2020,
        }
    }
}

/// BPR-MF: a user and an item embedding; the score is their dot product.
pub struct BprMf {
    users: nn::Embedding,
    items: nn::Embedding,
    store: nn::VarStore,
}

impl BprMf {
    pub fn new(user_count: usize, item_count: usize, config: &BprConfig, device: Device) -> Self {
        tch::manual_seed(config.seed as i64);
        let store = nn::VarStore::new(device);
        let init = nn::EmbeddingConfig {
            ws_init: nn::Init::Randn {
                mean: 0.0,
                stdev: 0.1,
            },
            ..Default::default()
        };
        let root = store.root();
        Self {
            users: nn::embedding(&root / "user", user_count as i64, config.dim, init),
            items: nn::embedding(&root / "item", item_count as i64, config.dim, init),
            store,
        }
    }

    pub fn score(&self, users: &[i64]) -> Tensor {
        let device = self.store.device();
        let u = self
            .users
            .ws
            .index_select(0, &Tensor::from_slice(users).to_device(device));
        u.matmul(&self.items.ws.transpose(0, 1))
    }

    /// One epoch over `train` in shuffled mini-batches, one uniform negative per positive
    /// (resampled when it is a known positive). Returns the mean loss.
    pub fn train_epoch(
        &mut self,
        train: &[Interaction],
        seen: &[std::collections::HashSet<u32>],
        item_count: usize,
        optimizer: &mut nn::Optimizer,
        batch_size: usize,
        rng: &mut SplitMix64,
    ) -> f64 {
        let device = self.store.device();
        let mut order: Vec<usize> = (0..train.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let (mut total, mut batches) = (0.0, 0);
        for chunk in order.chunks(batch_size) {
            let mut users = Vec::with_capacity(chunk.len());
            let mut positives = Vec::with_capacity(chunk.len());
            let mut negatives = Vec::with_capacity(chunk.len());
            for &k in chunk {
                let Interaction { user, item, .. } = train[k];
                let negative = loop {
                    let j = rng.below(item_count) as u32;
                    if !seen[user as usize].contains(&j) {
                        break j;
                    }
                };
                users.push(i64::from(user));
                positives.push(i64::from(item));
                negatives.push(i64::from(negative));
            }
            let tensor = |v: &[i64]| Tensor::from_slice(v).to_device(device);
            let u = self.users.ws.index_select(0, &tensor(&users));
            let p = self.items.ws.index_select(0, &tensor(&positives));
            let n = self.items.ws.index_select(0, &tensor(&negatives));
            let margin = (&u * (p - n)).sum_dim_intlist(1, false, Kind::Float);
            let loss = -margin.log_sigmoid().mean(Kind::Float);
            optimizer.backward_step(&loss);
            total += loss.double_value(&[]);
            batches += 1;
        }
        total / f64::from(batches.max(1))
    }

    pub fn optimizer(&self, config: &BprConfig) -> Result<nn::Optimizer, tch::TchError> {
        nn::Adam {
            wd: config.weight_decay,
            ..Default::default()
        }
        .build(&self.store, config.learning_rate)
    }

    pub fn store(&self) -> &nn::VarStore {
        &self.store
    }
}

/// A trained BPR-MF with the epoch validation chose.
pub struct FittedBpr {
    pub model: BprMf,
    pub best_epoch: usize,
    pub epochs_run: usize,
    pub samples_per_second: f64,
}

impl BprMf {
    /// Trains with early stopping: after each epoch, `validate` scores the model (validation
    /// NDCG@10); the best epoch's weights are kept.
    ///
    /// # Errors
    /// [`tch::TchError`] from the optimiser.
    pub fn fit(
        user_count: usize,
        item_count: usize,
        train: &[Interaction],
        config: &BprConfig,
        device: Device,
        mut validate: impl FnMut(&BprMf) -> f64,
    ) -> Result<FittedBpr, tch::TchError> {
        let mut model = Self::new(user_count, item_count, config, device);
        let mut optimizer = model.optimizer(config)?;
        let mut seen = vec![std::collections::HashSet::new(); user_count];
        for i in train {
            seen[i.user as usize].insert(i.item);
        }
        let mut rng = SplitMix64::new(config.seed);
        let (mut best, mut best_epoch, mut stale, mut epochs_run) = (f64::NEG_INFINITY, 0, 0, 0);
        let mut best_weights = model.snapshot();
        let (mut seconds, mut samples) = (0.0, 0usize);
        for epoch in 1..=config.max_epochs {
            let started = std::time::Instant::now();
            model.train_epoch(
                train,
                &seen,
                item_count,
                &mut optimizer,
                config.batch_size,
                &mut rng,
            );
            seconds += started.elapsed().as_secs_f64();
            samples += train.len();
            epochs_run = epoch;
            let score = validate(&model);
            if score > best {
                (best, best_epoch, stale) = (score, epoch, 0);
                best_weights = model.snapshot();
            } else {
                stale += 1;
                if stale >= config.patience {
                    break;
                }
            }
        }
        model.restore(&best_weights);
        Ok(FittedBpr {
            model,
            best_epoch,
            epochs_run,
            samples_per_second: samples as f64 / f64::max(seconds, 1e-9),
        })
    }

    fn snapshot(&self) -> (Tensor, Tensor) {
        tch::no_grad(|| (self.users.ws.copy(), self.items.ws.copy()))
    }

    fn restore(&mut self, (users, items): &(Tensor, Tensor)) {
        tch::no_grad(|| {
            self.users.ws.copy_(users);
            self.items.ws.copy_(items);
        });
    }
}
