//! The recommender engine on tch: devices now; encoders, the two-tower model, training and
//! evaluation as they land.

pub mod device;
