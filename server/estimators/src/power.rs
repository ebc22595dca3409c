//! Power and sample size for a two-arm test of proportions, on Cohen's arcsine effect size
//! (statsmodels' `NormalIndPower` with `proportion_effectsize`).

use serde::Serialize;

use crate::dist;
use crate::error::{Result, StatsError};

/// Cohen's h: `2 asin(sqrt(p_t)) - 2 asin(sqrt(p_c))`.
pub fn cohens_h(control: f64, treatment: f64) -> f64 {
    2.0 * treatment.sqrt().asin() - 2.0 * control.sqrt().asin()
}

/// The power of a two-sided z-test at `alpha` with `control_n` units in control and
/// `ratio · control_n` in treatment, for effect size `h`.
///
/// # Formula
/// `n = 1 / (1/n_c + 1/n_t)`, `power = Φ̄(z_(1-α/2) - h √n) + Φ(-z_(1-α/2) - h √n)`.
pub fn power(h: f64, control_n: f64, alpha: f64, ratio: f64) -> f64 {
    let n = 1.0 / (1.0 / control_n + 1.0 / (control_n * ratio));
    let crit = dist::normal_quantile(1.0 - alpha / 2.0);
    dist::normal_sf(crit - h * n.sqrt()) + dist::normal_cdf(-crit - h * n.sqrt())
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SampleSize {
    /// Units the control arm needs (not rounded).
    pub control: f64,
    /// Units the treatment arm needs (not rounded).
    pub treatment: f64,
    /// Cohen's h of the rates.
    pub effect_size: f64,
}

/// The units each arm needs to detect `control_rate → treatment_rate` with `power` at `alpha`.
///
/// # Errors
/// Rates outside (0, 1) or equal, `alpha` or `power` outside (0, 1), or a ratio that is not
/// positive.
///
/// # Examples
/// ```
/// use estimators::sample_size;
/// let n = sample_size(0.05, 0.055, 0.05, 0.8, 1.0).unwrap();
/// assert!(n.control > 30_000.0 && n.control < 32_000.0);
/// ```
pub fn sample_size(
    control_rate: f64,
    treatment_rate: f64,
    alpha: f64,
    target_power: f64,
    ratio: f64,
) -> Result<SampleSize> {
    let unit = |what: &str, v: f64| {
        if v > 0.0 && v < 1.0 {
            Ok(())
        } else {
            Err(StatsError::Invalid(format!(
                "{what} must be between 0 and 1, got {v}"
            )))
        }
    };
    unit("the control rate", control_rate)?;
    unit("the treatment rate", treatment_rate)?;
    unit("alpha", alpha)?;
    unit("the power", target_power)?;
    if !(ratio.is_finite() && ratio > 0.0) {
        return Err(StatsError::Invalid(format!(
            "the arms' ratio must be positive, got {ratio}"
        )));
    }
    let h = cohens_h(control_rate, treatment_rate);
    if h == 0.0 {
        return Err(StatsError::Invalid(
            "the rates are equal: no sample detects no difference".into(),
        ));
    }
    let shortfall = |n: f64| power(h, n, alpha, ratio) - target_power;
    // Power grows with n: bracket the root, then bisect to the last representable digit.
    let (mut lo, mut hi) = (1e-6, 1.0);
    while shortfall(hi) < 0.0 {
        lo = hi;
        hi *= 2.0;
        if hi > 1e15 {
            return Err(StatsError::Invalid(
                "the effect is too small to detect".into(),
            ));
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if shortfall(mid) < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi {
            break;
        }
    }
    let control = 0.5 * (lo + hi);
    Ok(SampleSize {
        control,
        treatment: control * ratio,
        effect_size: h,
    })
}
