//! The recommender engine on tch.
//!
//! - `device`     which libtorch is loaded, and the device to run on
//! - `baselines`  most-popular and BPR matrix factorisation
//! - `two_tower`  the two-tower model: content tower and user tower
//! - `inputs`     the tensors the towers read: item features, user features, histories
//! - `train`      training with in-batch softmax, log-Q correction and early stopping
//! - `checkpoint` safetensors checkpoints with their resolved configuration

pub mod baselines;
pub mod checkpoint;
pub mod device;
pub mod inputs;
pub mod train;
pub mod two_tower;
