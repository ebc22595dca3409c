//! The distributions the tests need, from statrs, with the tail arithmetic in one place.

use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor, Normal, StudentsT};

use crate::error::{Result, StatsError};

fn standard_normal() -> Normal {
    // Mean 0 and sd 1 are valid parameters: this cannot fail.
    Normal::standard()
}

/// P(Z > z) for a standard normal Z.
pub fn normal_sf(z: f64) -> f64 {
    standard_normal().sf(z)
}

/// P(Z <= z) for a standard normal Z.
pub fn normal_cdf(z: f64) -> f64 {
    standard_normal().cdf(z)
}

/// The two-sided p-value of a z statistic.
pub fn normal_two_sided(z: f64) -> f64 {
    (2.0 * normal_sf(z.abs())).min(1.0)
}

/// The standard normal quantile at `p`.
pub fn normal_quantile(p: f64) -> f64 {
    standard_normal().inverse_cdf(p)
}

/// The two-sided critical value of a `level` interval (1.96 for 0.95).
pub fn normal_critical(level: f64) -> f64 {
    normal_quantile(0.5 + level / 2.0)
}

fn student(df: f64) -> Result<StudentsT> {
    StudentsT::new(0.0, 1.0, df)
        .map_err(|_| StatsError::Invalid(format!("no t distribution with {df} degrees of freedom")))
}

/// The two-sided p-value of a t statistic with `df` degrees of freedom.
pub fn t_two_sided(t: f64, df: f64) -> Result<f64> {
    Ok((2.0 * student(df)?.sf(t.abs())).min(1.0))
}

/// The two-sided critical value of a `level` interval under t with `df` degrees of freedom.
pub fn t_critical(level: f64, df: f64) -> Result<f64> {
    Ok(student(df)?.inverse_cdf(0.5 + level / 2.0))
}

/// P(X > x) for X chi-square with `df` degrees of freedom.
pub fn chi2_sf(x: f64, df: f64) -> Result<f64> {
    let chi2 = ChiSquared::new(df)
        .map_err(|_| StatsError::Invalid(format!("no chi-square with {df} degrees of freedom")))?;
    Ok(chi2.sf(x))
}

/// P(X > x) for X following F with `(d1, d2)` degrees of freedom.
pub fn f_sf(x: f64, d1: f64, d2: f64) -> Result<f64> {
    let f = FisherSnedecor::new(d1, d2).map_err(|_| {
        StatsError::Invalid(format!(
            "no F distribution with ({d1}, {d2}) degrees of freedom"
        ))
    })?;
    Ok(f.sf(x))
}
