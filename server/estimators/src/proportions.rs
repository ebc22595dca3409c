//! Conversion-style metrics (clicks of impressions, conversions of users): the two-proportion
//! z-test.

use crate::dist;
use crate::error::{Result, StatsError, confidence};
use crate::lift::{Lift, relative_lift};

/// `successes` out of `trials`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Proportion {
    pub successes: u64,
    pub trials: u64,
}

impl Proportion {
    /// # Errors
    /// [`StatsError::TooFew`] for no trials, [`StatsError::Invalid`] for more successes than
    /// trials.
    pub fn new(successes: u64, trials: u64) -> Result<Self> {
        if trials == 0 {
            return Err(StatsError::TooFew {
                what: "an arm",
                needed: 1,
                got: 0,
            });
        }
        if successes > trials {
            return Err(StatsError::Invalid(format!(
                "{successes} successes out of {trials} trials"
            )));
        }
        Ok(Self { successes, trials })
    }

    pub fn rate(self) -> f64 {
        self.successes as f64 / self.trials as f64
    }

    /// The sampling variance of the rate, `p (1 - p) / n`.
    pub fn variance(self) -> f64 {
        let p = self.rate();
        p * (1.0 - p) / self.trials as f64
    }
}

/// The two-proportion z-test of treatment against control.
///
/// # Formula
/// `z = (p_t - p_c) / sqrt(p (1 - p) (1/n_t + 1/n_c))` with the pooled `p`; the absolute
/// interval is Wald's, unpooled: `p_t - p_c ± z_(1-α/2) sqrt(p_t(1-p_t)/n_t + p_c(1-p_c)/n_c)`;
/// the relative interval is the delta method's ([`relative_lift`]). These are statsmodels'
/// `proportions_ztest` and `confint_proportions_2indep(method="wald")`.
///
/// # Errors
/// [`StatsError::Degenerate`] when both arms are all successes or all failures; an invalid
/// confidence level.
///
/// # Examples
/// ```
/// use estimators::{Proportion, two_proportion_test};
/// let control = Proportion::new(500, 10_000).unwrap();
/// let treatment = Proportion::new(575, 10_000).unwrap();
/// let lift = two_proportion_test(control, treatment, 0.95).unwrap();
/// assert!((lift.relative - 0.15).abs() < 1e-12);
/// assert!(lift.p_value < 0.05);
/// ```
pub fn two_proportion_test(control: Proportion, treatment: Proportion, level: f64) -> Result<Lift> {
    let level = confidence(level)?;
    let (pc, pt) = (control.rate(), treatment.rate());
    let (nc, nt) = (control.trials as f64, treatment.trials as f64);
    let pooled = (control.successes + treatment.successes) as f64 / (nc + nt);
    let se_null = (pooled * (1.0 - pooled) * (1.0 / nc + 1.0 / nt)).sqrt();
    if se_null == 0.0 {
        return Err(StatsError::Degenerate("the pooled proportion"));
    }
    let z = (pt - pc) / se_null;
    let half = dist::normal_critical(level) * (control.variance() + treatment.variance()).sqrt();
    let (relative, relative_ci) =
        relative_lift(pc, pt, control.variance(), treatment.variance(), level)?;
    Ok(Lift {
        control: pc,
        treatment: pt,
        absolute: pt - pc,
        absolute_ci: (pt - pc - half, pt - pc + half),
        std_error: (control.variance() + treatment.variance()).sqrt(),
        relative,
        relative_ci,
        statistic: z,
        df: None,
        p_value: dist::normal_two_sided(z),
    })
}
