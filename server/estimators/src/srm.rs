//! Sample-ratio mismatch: did the arms get the traffic they were meant to?

use serde::Serialize;

use crate::dist;
use crate::error::{Result, StatsError};

/// A mismatch is flagged below this p-value: strict, because every experiment is checked and a
/// flag means the results should not be read at all.
pub const SRM_ALPHA: f64 = 0.001;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SampleRatio {
    /// Pearson's chi-square statistic.
    pub statistic: f64,
    pub df: usize,
    pub p_value: f64,
    /// `p_value < SRM_ALPHA`.
    pub flagged: bool,
    /// Each arm's observed share of the units.
    pub observed_shares: Vec<f64>,
    /// Each arm's planned share (the weights, normalised).
    pub expected_shares: Vec<f64>,
}

/// Pearson's chi-square goodness-of-fit of the arms' unit counts to their planned weights
/// (scipy's `chisquare(observed, expected)`).
///
/// # Formula
/// `χ² = Σ (o_i - e_i)² / e_i`, `e_i = N w_i / Σ w`, with `k - 1` degrees of freedom.
///
/// # Errors
/// Fewer than two arms, mismatched lengths, a weight that is not positive and finite, or no
/// units at all.
///
/// # Examples
/// ```
/// use estimators::sample_ratio_check;
/// let check = sample_ratio_check(&[48_000, 52_000], &[1.0, 1.0]).unwrap();
/// assert!(check.flagged);
/// ```
pub fn sample_ratio_check(observed: &[u64], weights: &[f64]) -> Result<SampleRatio> {
    if observed.len() < 2 {
        return Err(StatsError::TooFew {
            what: "a sample-ratio check (arms)",
            needed: 2,
            got: observed.len(),
        });
    }
    if observed.len() != weights.len() {
        return Err(StatsError::Invalid(format!(
            "{} arm counts for {} weights",
            observed.len(),
            weights.len()
        )));
    }
    if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
        return Err(StatsError::Invalid(format!(
            "an arm's weight must be positive, got {w}"
        )));
    }
    let total: u64 = observed.iter().sum();
    if total == 0 {
        return Err(StatsError::TooFew {
            what: "a sample-ratio check (units)",
            needed: 1,
            got: 0,
        });
    }
    let weight_sum: f64 = weights.iter().sum();
    let expected_shares: Vec<f64> = weights.iter().map(|w| w / weight_sum).collect();
    let statistic = observed
        .iter()
        .zip(&expected_shares)
        .map(|(&o, share)| {
            let e = total as f64 * share;
            (o as f64 - e).powi(2) / e
        })
        .sum::<f64>();
    let df = observed.len() - 1;
    let p_value = dist::chi2_sf(statistic, df as f64)?;
    Ok(SampleRatio {
        statistic,
        df,
        p_value,
        flagged: p_value < SRM_ALPHA,
        observed_shares: observed.iter().map(|&o| o as f64 / total as f64).collect(),
        expected_shares,
    })
}
