//! CUPED (Deng, Xu, Kohavi and Walker, WSDM 2013): less variance from a pre-period covariate.

use serde::Serialize;

use crate::error::{Result, StatsError, all_finite};
use crate::lift::Lift;
use crate::means::{Summary, welch_test};

/// One arm: each user's outcome and their pre-period covariate.
#[derive(Clone, Copy, Debug)]
pub struct CupedArm<'a> {
    pub outcome: &'a [f64],
    pub covariate: &'a [f64],
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CupedResult {
    /// `cov(y, x) / var(x)` over both arms.
    pub theta: f64,
    /// `1 - var(y_adjusted) / var(y)` over both arms.
    pub variance_reduction: f64,
    /// Welch's test on the adjusted outcomes.
    pub lift: Lift,
}

/// Adjusts each outcome by the covariate, then runs Welch's test.
///
/// # Formula
/// `θ = cov(y, x) / var(x)` pooled over both arms, `y' = y - θ (x - x̄)` with the pooled mean
/// `x̄`; the arms' adjusted means keep the unadjusted difference in expectation.
///
/// # Errors
/// Mismatched lengths, values that are not finite, a constant covariate, or Welch's errors.
pub fn cuped_test(
    control: CupedArm<'_>,
    treatment: CupedArm<'_>,
    level: f64,
) -> Result<CupedResult> {
    for arm in [control, treatment] {
        if arm.outcome.len() != arm.covariate.len() {
            return Err(StatsError::Invalid(format!(
                "{} outcomes for {} covariates",
                arm.outcome.len(),
                arm.covariate.len()
            )));
        }
        all_finite("an outcome", arm.outcome)?;
        all_finite("a covariate", arm.covariate)?;
    }
    let ys = || control.outcome.iter().chain(treatment.outcome);
    let xs = || control.covariate.iter().chain(treatment.covariate);
    let n = (control.outcome.len() + treatment.outcome.len()) as f64;
    let (my, mx) = (ys().sum::<f64>() / n, xs().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (y, x) in ys().zip(xs()) {
        sxy += (y - my) * (x - mx);
        sxx += (x - mx).powi(2);
        syy += (y - my).powi(2);
    }
    if sxx == 0.0 {
        return Err(StatsError::Degenerate("the covariate"));
    }
    let theta = sxy / sxx;
    let adjust = |arm: CupedArm<'_>| -> Vec<f64> {
        arm.outcome
            .iter()
            .zip(arm.covariate)
            .map(|(y, x)| y - theta * (x - mx))
            .collect()
    };
    let (adj_c, adj_t) = (adjust(control), adjust(treatment));
    let adjusted_ss: f64 = adj_c.iter().chain(&adj_t).map(|v| (v - my).powi(2)).sum();
    let lift = welch_test(&Summary::of(&adj_c)?, &Summary::of(&adj_t)?, level)?;
    Ok(CupedResult {
        theta,
        variance_reduction: if syy > 0.0 {
            1.0 - adjusted_ss / syy
        } else {
            0.0
        },
        lift,
    })
}
