//! Synthetic control (Abadie, Diamond and Hainmueller, JASA 2010): the treated unit's
//! counterfactual as a convex combination of donor units fitted on the pre-period, with
//! placebo-in-space inference.

use serde::Serialize;

use crate::error::{Result, StatsError, all_finite};
use crate::simplex::simplex_least_squares;

/// How outcomes are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// The outcomes as they are: the treated unit must lie within the donors' range.
    Level,
    /// Each unit's outcomes divided by its own pre-period mean, so units of different size
    /// are compared by their shape (a geo with half the traffic is still a good donor); the
    /// effect is reported back in the treated unit's units.
    Index,
}

/// Pre-period predictors other than the outcome, matched alongside it.
#[derive(Clone, Copy, Debug)]
pub struct Covariates<'a> {
    /// The treated unit's values, one per covariate.
    pub treated: &'a [f64],
    /// Each donor's values, in the same order.
    pub donors: &'a [Vec<f64>],
    /// How much the covariates count against the pre-period outcomes (each covariate is
    /// standardised over the units, then weighted by `sqrt(weight)`).
    pub weight: f64,
}

/// One synthetic-control problem.
#[derive(Clone, Copy, Debug)]
pub struct SynthInput<'a> {
    /// The treated unit's outcome in every period.
    pub treated: &'a [f64],
    /// Each donor's outcome in every period.
    pub donors: &'a [Vec<f64>],
    /// Periods before the intervention.
    pub pre_periods: usize,
    pub covariates: Option<Covariates<'a>>,
    pub scale: Scale,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SynthFit {
    /// Donor weights: non-negative, summing to one.
    pub weights: Vec<f64>,
    /// The synthetic unit in every period, in the treated unit's units.
    pub synthetic: Vec<f64>,
    /// Actual minus synthetic, per period.
    pub gaps: Vec<f64>,
    pub pre_rmspe: f64,
    pub post_rmspe: f64,
    /// `post_rmspe / pre_rmspe`: large when the post-period gap stands out from the fit.
    pub rmspe_ratio: f64,
    /// The mean post-period gap.
    pub effect: f64,
    /// `effect` over the synthetic post-period mean.
    pub relative_effect: f64,
}

fn check(input: &SynthInput<'_>) -> Result<()> {
    let periods = input.treated.len();
    if input.pre_periods < 2 {
        return Err(StatsError::TooFew {
            what: "a study (pre-periods)",
            needed: 2,
            got: input.pre_periods,
        });
    }
    if input.pre_periods >= periods {
        return Err(StatsError::TooFew {
            what: "a study (post-periods)",
            needed: 1,
            got: 0,
        });
    }
    if input.donors.len() < 2 {
        return Err(StatsError::TooFew {
            what: "a synthetic control (donors)",
            needed: 2,
            got: input.donors.len(),
        });
    }
    if let Some(d) = input.donors.iter().find(|d| d.len() != periods) {
        return Err(StatsError::Invalid(format!(
            "a donor has {} periods, the treated unit {periods}",
            d.len()
        )));
    }
    all_finite("an outcome", input.treated)?;
    input
        .donors
        .iter()
        .try_for_each(|d| all_finite("an outcome", d))
}

/// `series` on the comparison scale, and the factor that takes it back.
fn rescale(series: &[f64], pre: usize, scale: Scale) -> Result<(Vec<f64>, f64)> {
    match scale {
        Scale::Level => Ok((series.to_vec(), 1.0)),
        Scale::Index => {
            let mean = series[..pre].iter().sum::<f64>() / pre as f64;
            if mean == 0.0 {
                return Err(StatsError::Degenerate(
                    "a unit's pre-period outcome (its mean is zero)",
                ));
            }
            Ok((series.iter().map(|v| v / mean).collect(), mean))
        }
    }
}

fn rmspe(gaps: &[f64]) -> f64 {
    (gaps.iter().map(|g| g * g).sum::<f64>() / gaps.len() as f64).sqrt()
}

/// Fits the weights on the pre-period and reads the effect off the post-period.
///
/// # Formula
/// `w = argmin ‖X₁ - X₀ w‖²` over `w ≥ 0`, `Σ w = 1`, where the rows of `X` are the
/// pre-period outcomes (on the chosen scale) and the standardised, weighted covariates.
///
/// # Errors
/// Fewer than two pre-periods or donors, no post-period, mismatched shapes, values that are
/// not finite, or (on the index scale) a unit whose pre-period mean is zero.
pub fn synthetic_control(input: &SynthInput<'_>) -> Result<SynthFit> {
    check(input)?;
    let pre = input.pre_periods;
    let (treated, back) = rescale(input.treated, pre, input.scale)?;
    let donors = input
        .donors
        .iter()
        .map(|d| rescale(d, pre, input.scale).map(|(s, _)| s))
        .collect::<Result<Vec<_>>>()?;
    let j = donors.len();
    let mut a: Vec<f64> = (0..pre)
        .flat_map(|t| donors.iter().map(move |d| d[t]))
        .collect();
    let mut b: Vec<f64> = treated[..pre].to_vec();
    if let Some(cov) = input.covariates {
        append_covariates(&cov, j, &mut a, &mut b)?;
    }
    let weights = simplex_least_squares(&a, &b, j)?;
    let synthetic_scaled: Vec<f64> = (0..treated.len())
        .map(|t| donors.iter().zip(&weights).map(|(d, w)| d[t] * w).sum())
        .collect();
    let synthetic: Vec<f64> = synthetic_scaled.iter().map(|v| v * back).collect();
    let gaps: Vec<f64> = input
        .treated
        .iter()
        .zip(&synthetic)
        .map(|(y, s)| y - s)
        .collect();
    let (pre_rmspe, post_rmspe) = (rmspe(&gaps[..pre]), rmspe(&gaps[pre..]));
    let post = (treated.len() - pre) as f64;
    let effect = gaps[pre..].iter().sum::<f64>() / post;
    let synthetic_post = synthetic[pre..].iter().sum::<f64>() / post;
    Ok(SynthFit {
        weights,
        rmspe_ratio: if pre_rmspe > 0.0 {
            post_rmspe / pre_rmspe
        } else {
            f64::MAX
        },
        synthetic,
        gaps,
        pre_rmspe,
        post_rmspe,
        effect,
        relative_effect: if synthetic_post == 0.0 {
            0.0
        } else {
            effect / synthetic_post
        },
    })
}

fn append_covariates(
    cov: &Covariates<'_>,
    j: usize,
    a: &mut Vec<f64>,
    b: &mut Vec<f64>,
) -> Result<()> {
    let m = cov.treated.len();
    if cov.donors.len() != j || cov.donors.iter().any(|d| d.len() != m) {
        return Err(StatsError::Invalid(format!(
            "covariates must be {m} values for the treated unit and each of {j} donors"
        )));
    }
    if !(cov.weight.is_finite() && cov.weight >= 0.0) {
        return Err(StatsError::Invalid(format!(
            "the covariates' weight must be non-negative, got {}",
            cov.weight
        )));
    }
    all_finite("a covariate", cov.treated)?;
    cov.donors
        .iter()
        .try_for_each(|d| all_finite("a covariate", d))?;
    for c in 0..m {
        let values: Vec<f64> = std::iter::once(cov.treated[c])
            .chain(cov.donors.iter().map(|d| d[c]))
            .collect();
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let sd =
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64).sqrt();
        // A covariate that does not vary says nothing about the weights.
        if sd == 0.0 {
            continue;
        }
        let k = cov.weight.sqrt() / sd;
        a.extend(cov.donors.iter().map(|d| d[c] * k));
        b.push(cov.treated[c] * k);
    }
    Ok(())
}

/// The treated fit beside every donor's placebo fit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlaceboTest {
    pub fit: SynthFit,
    /// Each donor's gaps when it is treated as if it were the treated unit.
    pub placebo_gaps: Vec<Vec<f64>>,
    pub placebo_ratios: Vec<f64>,
    /// The share of all units (treated included) whose RMSPE ratio is at least the treated
    /// unit's: the permutation p-value.
    pub p_value: f64,
}

/// Placebo-in-space inference: each donor in turn plays the treated unit, with the other
/// donors as its pool (covariates are not used for placebos).
///
/// # Errors
/// As [`synthetic_control`], for the treated unit and for each placebo (which needs at least
/// three donors in all).
pub fn placebo_test(input: &SynthInput<'_>) -> Result<PlaceboTest> {
    let fit = synthetic_control(input)?;
    let mut placebo_gaps = Vec::with_capacity(input.donors.len());
    let mut placebo_ratios = Vec::with_capacity(input.donors.len());
    for (i, donor) in input.donors.iter().enumerate() {
        let pool: Vec<Vec<f64>> = input
            .donors
            .iter()
            .enumerate()
            .filter(|&(other, _)| other != i)
            .map(|(_, d)| d.clone())
            .collect();
        let placebo = synthetic_control(&SynthInput {
            treated: donor,
            donors: &pool,
            covariates: None,
            ..*input
        })?;
        placebo_ratios.push(placebo.rmspe_ratio);
        placebo_gaps.push(placebo.gaps);
    }
    let at_least = placebo_ratios
        .iter()
        .filter(|&&r| r >= fit.rmspe_ratio)
        .count();
    Ok(PlaceboTest {
        p_value: (1 + at_least) as f64 / (1 + placebo_ratios.len()) as f64,
        fit,
        placebo_gaps,
        placebo_ratios,
    })
}
