//! Vitrine's statistics, written here and tested against scipy, statsmodels and independent
//! numpy references (`tests/reference.rs`; the Python beside each value). statrs supplies the
//! distributions. Pure numerics with no I/O, a crate of its own so its tests build and run in
//! seconds, and the server's analytics call it.
//!
//! Module map:
//! - `error`        `StatsError`, and the input checks (the NaN policy: NaN in, an error out)
//! - `dist`         normal, t and chi-square tails and quantiles
//! - `lift`         `Lift` (what every test reports) and the delta-method relative interval
//! - `proportions`  the two-proportion z-test
//! - `means`        Welch's t-test
//! - `ratio`        ratio metrics by the delta method
//! - `cuped`        CUPED variance reduction
//! - `srm`          the sample-ratio-mismatch chi-square check
//! - `corrections`  Holm and Benjamini–Hochberg adjusted p-values
//! - `sequential`   mSPRT always-valid p-values and confidence sequences
//! - `power`        power and sample size for proportions
//! - `linalg`       Cholesky inverse, a linear solve, OLS with cluster-robust covariance
//! - `did`          difference-in-differences: 2x2, two-way fixed effects, event study
//! - `simplex`      least squares over the simplex (the synthetic-control solver)
//! - `synth`        synthetic control and its placebo-in-space test

mod corrections;
mod cuped;
mod did;
pub mod dist;
mod error;
mod lift;
pub mod linalg;
mod means;
mod power;
mod proportions;
mod ratio;
mod sequential;
pub mod simplex;
mod srm;
mod synth;

pub use corrections::{benjamini_hochberg, holm};
pub use cuped::{CupedArm, CupedResult, cuped_test};
pub use did::{DidResult, Estimate, EventStudy, Panel, WaldTest, did_2x2, event_study, twfe};
pub use error::{Result, StatsError};
pub use lift::{Lift, relative_lift};
pub use means::{Summary, welch_test};
pub use power::{SampleSize, cohens_h, power, sample_size};
pub use proportions::{Proportion, two_proportion_test};
pub use ratio::{RatioSummary, ratio_test};
pub use sequential::{Look, Msprt, SequentialStatus};
pub use srm::{SRM_ALPHA, SampleRatio, sample_ratio_check};
pub use synth::{
    Covariates, PlaceboTest, Scale, SynthFit, SynthInput, placebo_test, synthetic_control,
};
