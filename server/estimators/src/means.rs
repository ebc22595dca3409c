//! Continuous metrics (revenue per user): Welch's t-test on summaries or samples.

use crate::dist;
use crate::error::{Result, StatsError, all_finite, confidence};
use crate::lift::{Lift, relative_lift};

/// The count, mean and unbiased variance (ddof 1) of one arm's values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    pub n: f64,
    pub mean: f64,
    pub variance: f64,
}

impl Summary {
    /// # Errors
    /// Fewer than two values, or a value that is not finite.
    pub fn of(values: &[f64]) -> Result<Self> {
        if values.len() < 2 {
            return Err(StatsError::TooFew {
                what: "an arm",
                needed: 2,
                got: values.len(),
            });
        }
        all_finite("a value", values)?;
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        Ok(Self { n, mean, variance })
    }

    /// The sampling variance of the mean.
    pub fn mean_variance(&self) -> f64 {
        self.variance / self.n
    }
}

/// Welch's t-test of treatment against control, and its intervals.
///
/// # Formula
/// `t = (m_t - m_c) / sqrt(v_t/n_t + v_c/n_c)`, Welch–Satterthwaite degrees of freedom
/// `(v_t/n_t + v_c/n_c)² / ((v_t/n_t)²/(n_t-1) + (v_c/n_c)²/(n_c-1))`; the absolute interval uses
/// the t quantile at those degrees of freedom (scipy's `ttest_ind(equal_var=False)` and its
/// `confidence_interval`), the relative interval the delta method.
///
/// # Errors
/// [`StatsError::Degenerate`] when both arms are constant or the control mean is zero.
///
/// # Examples
/// ```
/// use estimators::{Summary, welch_test};
/// let control = Summary::of(&[1.0, 2.0, 3.0, 4.0]).unwrap();
/// let treatment = Summary::of(&[2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
/// let lift = welch_test(&control, &treatment, 0.95).unwrap();
/// assert!((lift.absolute - 1.5).abs() < 1e-12);
/// assert!(lift.p_value > 0.05);
/// ```
pub fn welch_test(control: &Summary, treatment: &Summary, level: f64) -> Result<Lift> {
    let level = confidence(level)?;
    let (vc, vt) = (control.mean_variance(), treatment.mean_variance());
    let se = (vc + vt).sqrt();
    if se == 0.0 || !se.is_finite() {
        return Err(StatsError::Degenerate("both arms"));
    }
    let df =
        (vc + vt).powi(2) / (vc.powi(2) / (control.n - 1.0) + vt.powi(2) / (treatment.n - 1.0));
    let diff = treatment.mean - control.mean;
    let t = diff / se;
    let half = dist::t_critical(level, df)? * se;
    let (relative, relative_ci) = relative_lift(control.mean, treatment.mean, vc, vt, level)?;
    Ok(Lift {
        control: control.mean,
        treatment: treatment.mean,
        absolute: diff,
        absolute_ci: (diff - half, diff + half),
        std_error: se,
        relative,
        relative_ci,
        statistic: t,
        df: Some(df),
        p_value: dist::t_two_sided(t, df)?,
    })
}
