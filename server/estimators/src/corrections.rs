//! Multiple-testing corrections across an experiment's metrics: adjusted p-values, to compare
//! with the unadjusted level.

use crate::error::{Result, StatsError};

fn check(p_values: &[f64]) -> Result<Vec<usize>> {
    if let Some(p) = p_values.iter().find(|p| !(0.0..=1.0).contains(*p)) {
        return Err(StatsError::Invalid(format!(
            "a p-value must be between 0 and 1, got {p}"
        )));
    }
    let mut order: Vec<usize> = (0..p_values.len()).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    Ok(order)
}

/// Holm's step-down adjustment (controls the family-wise error rate); statsmodels'
/// `multipletests(method="holm")`.
///
/// # Formula
/// With the p-values sorted ascending, `p̃_(i) = max_(j ≤ i) min(1, (m - j + 1) p_(j))`.
///
/// # Errors
/// A p-value outside `[0, 1]` (NaN included).
pub fn holm(p_values: &[f64]) -> Result<Vec<f64>> {
    let order = check(p_values)?;
    let m = p_values.len();
    let mut adjusted = vec![0.0; m];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p_values[i]).min(1.0));
        adjusted[i] = running;
    }
    Ok(adjusted)
}

/// Benjamini–Hochberg's step-up adjustment (controls the false discovery rate); statsmodels'
/// `multipletests(method="fdr_bh")`.
///
/// # Formula
/// With the p-values sorted ascending, `p̃_(i) = min_(j ≥ i) min(1, m p_(j) / j)`.
///
/// # Errors
/// A p-value outside `[0, 1]` (NaN included).
pub fn benjamini_hochberg(p_values: &[f64]) -> Result<Vec<f64>> {
    let order = check(p_values)?;
    let m = p_values.len();
    let mut adjusted = vec![0.0; m];
    let mut running: f64 = 1.0;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min(m as f64 * p_values[i] / (rank + 1) as f64);
        adjusted[i] = running;
    }
    Ok(adjusted)
}
