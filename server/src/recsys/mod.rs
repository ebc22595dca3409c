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
