//! The recommender engine on tch.
//!
//! - `device`     which libtorch is loaded, and the device to run on
//! - `baselines`  most-popular and BPR matrix factorisation
//! - `two_tower`  the two-tower model: content tower and user tower
//! - `inputs`     the tensors the towers read: item features, user features, histories
//! - `train`      training with in-batch softmax, log-Q correction and early stopping
//! - `checkpoint` safetensors checkpoints with their resolved configuration
//! - `vocab`      what each embedding row stands for, saved beside a checkpoint
//! - `serving`    a loaded checkpoint answering one item batch, user or query at a time
//! - `registry`   model versions, the serving one, promotions and rollbacks
//! - `warm_start` a new run's starting weights from a served version, mapped by vocabulary
//!
//! [`torch_rng`] guards libtorch's one CPU generator (see there).

pub mod baselines;
pub mod checkpoint;
pub mod device;
pub mod inputs;
pub mod registry;
pub mod serving;
pub mod train;
pub mod two_tower;
pub mod vocab;
pub mod warm_start;

static TORCH_RNG: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// libtorch has one CPU random generator per process. Training seeds it and draws from it
/// (initial weights, negatives, dropout); building a model to load weights into draws its
/// initial values from it too. Both hold this while they run, so a seeded training run stays
/// reproducible while another thread of the process (a server's snapshot load) builds a model.
pub fn torch_rng() -> std::sync::MutexGuard<'static, ()> {
    TORCH_RNG
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
