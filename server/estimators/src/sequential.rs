//! Sequential testing that may be peeked at: the mixture sequential probability ratio test
//! (mSPRT) of Johari, Koomen, Pekelis and Walsh, "Always Valid Inference" (Operations Research,
//! 2022), with a normal mixture over the effect.

use serde::Serialize;

use crate::error::{Result, StatsError, finite};

/// One look at the running experiment: the estimated difference and its sampling variance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Look {
    pub estimate: f64,
    pub variance: f64,
}

/// Where the experiment stands after a look.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SequentialStatus {
    /// The mixture likelihood ratio against "no difference".
    pub likelihood_ratio: f64,
    /// The always-valid p-value: the running minimum of `1 / Λ`, capped at 1.
    pub p_value: f64,
    /// The always-valid interval: the running intersection of the confidence sequence.
    pub interval: (f64, f64),
    /// `p_value < alpha`: stopping now keeps the error rate at `alpha`.
    pub conclusive: bool,
}

/// mSPRT with mixing variance `tau2` (the prior scale of the effect, in the metric's units
/// squared).
#[derive(Clone, Copy, Debug)]
pub struct Msprt {
    tau2: f64,
}

impl Msprt {
    /// # Errors
    /// A mixing variance that is not positive and finite.
    pub fn new(tau2: f64) -> Result<Self> {
        if tau2.is_finite() && tau2 > 0.0 {
            Ok(Self { tau2 })
        } else {
            Err(StatsError::Invalid(format!(
                "the mixing variance must be positive, got {tau2}"
            )))
        }
    }

    /// The status after each of `looks`, in order.
    ///
    /// # Formula
    /// With `V` the variance of the estimate `θ̂`:
    /// `Λ = sqrt(V / (V + τ²)) exp(τ² θ̂² / (2 V (V + τ²)))`; the confidence sequence is
    /// `θ̂ ± sqrt(V (V + τ²) / τ² · (ln((V + τ²) / V) - 2 ln α))`.
    ///
    /// # Errors
    /// `alpha` outside (0, 1), or a look with a non-finite estimate or a variance that is not
    /// positive.
    pub fn run(&self, looks: &[Look], alpha: f64) -> Result<Vec<SequentialStatus>> {
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(StatsError::Invalid(format!(
                "alpha must be between 0 and 1, got {alpha}"
            )));
        }
        let tau2 = self.tau2;
        let mut p_value: f64 = 1.0;
        let mut interval = (f64::NEG_INFINITY, f64::INFINITY);
        let mut out = Vec::with_capacity(looks.len());
        for look in looks {
            let theta = finite("an estimate", look.estimate)?;
            let v = finite("a variance", look.variance)?;
            if v <= 0.0 {
                return Err(StatsError::Degenerate("a look's estimate"));
            }
            let log_lr =
                0.5 * (v / (v + tau2)).ln() + tau2 * theta * theta / (2.0 * v * (v + tau2));
            p_value = p_value.min((-log_lr).exp().min(1.0));
            let half = (v * (v + tau2) / tau2 * (((v + tau2) / v).ln() - 2.0 * alpha.ln())).sqrt();
            interval = (interval.0.max(theta - half), interval.1.min(theta + half));
            out.push(SequentialStatus {
                likelihood_ratio: log_lr.exp(),
                p_value,
                interval,
                conclusive: p_value < alpha,
            });
        }
        Ok(out)
    }
}
