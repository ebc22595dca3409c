//! Ratio metrics (clicks per impression, revenue per click) whose unit of randomisation is the
//! user: the ratio of sums, with its variance by the delta method.

use crate::dist;
use crate::error::{Result, StatsError, all_finite, confidence};
use crate::lift::{Lift, relative_lift};

/// One arm's ratio `Σ y / Σ x` over its users, and the ratio's sampling variance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RatioSummary {
    pub users: usize,
    pub ratio: f64,
    pub variance: f64,
}

impl RatioSummary {
    /// From each user's numerator and denominator.
    ///
    /// # Formula
    /// `R = ȳ / x̄`, `Var(R) ≈ (s_yy - 2 R s_xy + R² s_xx) / (n x̄²)` with sample (ddof 1)
    /// variances and covariance (Deng et al., "Applying the Delta Method in Metric Analytics",
    /// KDD 2018).
    ///
    /// # Errors
    /// Mismatched lengths, fewer than two users, a value that is not finite, or a zero
    /// denominator sum.
    pub fn of(numerators: &[f64], denominators: &[f64]) -> Result<Self> {
        if numerators.len() != denominators.len() {
            return Err(StatsError::Invalid(format!(
                "{} numerators for {} denominators",
                numerators.len(),
                denominators.len()
            )));
        }
        let n = numerators.len();
        if n < 2 {
            return Err(StatsError::TooFew {
                what: "an arm",
                needed: 2,
                got: n,
            });
        }
        all_finite("a numerator", numerators)?;
        all_finite("a denominator", denominators)?;
        let nf = n as f64;
        let my = numerators.iter().sum::<f64>() / nf;
        let mx = denominators.iter().sum::<f64>() / nf;
        if mx == 0.0 {
            return Err(StatsError::Degenerate("the denominator (its sum is zero)"));
        }
        let (mut syy, mut sxx, mut sxy) = (0.0, 0.0, 0.0);
        for (y, x) in numerators.iter().zip(denominators) {
            syy += (y - my).powi(2);
            sxx += (x - mx).powi(2);
            sxy += (y - my) * (x - mx);
        }
        let (syy, sxx, sxy) = (syy / (nf - 1.0), sxx / (nf - 1.0), sxy / (nf - 1.0));
        let ratio = my / mx;
        let variance = (syy - 2.0 * ratio * sxy + ratio.powi(2) * sxx) / (nf * mx.powi(2));
        Ok(Self {
            users: n,
            ratio,
            variance,
        })
    }

    /// The ratio's own `level` interval, `R ± z · sqrt(Var(R))`.
    ///
    /// # Errors
    /// A `level` outside (0, 1).
    pub fn interval(&self, level: f64) -> Result<[f64; 2]> {
        let half = dist::normal_critical(confidence(level)?) * self.variance.max(0.0).sqrt();
        Ok([self.ratio - half, self.ratio + half])
    }
}

/// The z-test of two arms' ratios, with delta-method intervals.
///
/// # Errors
/// [`StatsError::Degenerate`] when neither ratio varies, or the control ratio is zero.
pub fn ratio_test(control: &RatioSummary, treatment: &RatioSummary, level: f64) -> Result<Lift> {
    let level = confidence(level)?;
    let se = (control.variance + treatment.variance).sqrt();
    if se == 0.0 || !se.is_finite() {
        return Err(StatsError::Degenerate("both arms' ratios"));
    }
    let diff = treatment.ratio - control.ratio;
    let z = diff / se;
    let half = dist::normal_critical(level) * se;
    let (relative, relative_ci) = relative_lift(
        control.ratio,
        treatment.ratio,
        control.variance,
        treatment.variance,
        level,
    )?;
    Ok(Lift {
        control: control.ratio,
        treatment: treatment.ratio,
        absolute: diff,
        absolute_ci: (diff - half, diff + half),
        std_error: se,
        relative,
        relative_ci,
        statistic: z,
        df: None,
        p_value: dist::normal_two_sided(z),
    })
}
