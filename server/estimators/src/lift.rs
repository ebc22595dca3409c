//! `Lift`: the comparison every experiment test reports, and the delta-method interval of the
//! relative lift that they share.

use serde::Serialize;

use crate::dist;
use crate::error::{Result, StatsError};

/// Treatment against control for one metric.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Lift {
    /// The metric in the control arm.
    pub control: f64,
    /// The metric in the treatment arm.
    pub treatment: f64,
    /// `treatment - control`.
    pub absolute: f64,
    pub absolute_ci: (f64, f64),
    /// The standard error of `absolute`.
    pub std_error: f64,
    /// `treatment / control - 1`.
    pub relative: f64,
    /// Delta-method interval of the relative lift.
    pub relative_ci: (f64, f64),
    /// The test statistic (z, or t when `df` is set).
    pub statistic: f64,
    /// Degrees of freedom of a t statistic; `None` for z.
    pub df: Option<f64>,
    pub p_value: f64,
}

/// The relative lift `t / c - 1` and its `level` interval by the delta method, from the arm
/// estimates and their sampling variances.
///
/// # Formula
/// `Var(t / c) ≈ var_t / c² + t² var_c / c⁴`, interval `t / c - 1 ± z · sqrt(Var)`.
///
/// # Errors
/// [`StatsError::Degenerate`] when the control estimate is zero.
pub fn relative_lift(
    control: f64,
    treatment: f64,
    var_control: f64,
    var_treatment: f64,
    level: f64,
) -> Result<(f64, (f64, f64))> {
    if control == 0.0 {
        return Err(StatsError::Degenerate(
            "the control arm's metric (it is zero)",
        ));
    }
    let ratio = treatment / control;
    let var = var_treatment / control.powi(2) + treatment.powi(2) * var_control / control.powi(4);
    let half = dist::normal_critical(level) * var.sqrt();
    Ok((ratio - 1.0, (ratio - 1.0 - half, ratio - 1.0 + half)))
}
