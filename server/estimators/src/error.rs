//! The one error type of the estimators: every constructor and test checks its input and says
//! what is wrong, so that no NaN reaches a response.

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    #[error("{what} needs at least {needed}, got {got}")]
    TooFew {
        what: &'static str,
        needed: usize,
        got: usize,
    },
    #[error("{what} must be a finite number, got {value}")]
    NotFinite { what: &'static str, value: f64 },
    #[error("{0}")]
    Invalid(String),
    #[error("{0} has no variance, so the statistic is undefined")]
    Degenerate(&'static str),
    #[error("the model cannot be estimated: {0}")]
    Singular(String),
}

pub type Result<T> = std::result::Result<T, StatsError>;

/// `value`, or [`StatsError::NotFinite`] naming it.
pub(crate) fn finite(what: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(StatsError::NotFinite { what, value })
    }
}

/// Every value of `values` finite (the NaN policy: NaN in, an error out).
pub(crate) fn all_finite(what: &'static str, values: &[f64]) -> Result<()> {
    values.iter().try_for_each(|&v| finite(what, v).map(drop))
}

/// A confidence level strictly between 0 and 1.
pub(crate) fn confidence(level: f64) -> Result<f64> {
    if level > 0.0 && level < 1.0 {
        Ok(level)
    } else {
        Err(StatsError::Invalid(format!(
            "the confidence level must be between 0 and 1, got {level}"
        )))
    }
}
