//! The learning-rate schedule: linear warm-up, then cosine annealing to zero.

/// The learning rate at `step` of `total` steps.
///
/// # Formula
/// `base * (step + 1) / warmup` during warm-up, then
/// `base * 0.5 * (1 + cos(pi * (step - warmup) / (total - warmup)))`.
pub fn warmup_cosine(base: f64, step: usize, warmup: usize, total: usize) -> f64 {
    if step < warmup {
        return base * (step + 1) as f64 / warmup as f64;
    }
    let span = total.saturating_sub(warmup).max(1) as f64;
    let progress = ((step - warmup) as f64 / span).min(1.0);
    base * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos())
}

#[cfg(test)]
mod tests {
    use super::warmup_cosine;

    #[test]
    fn warms_up_linearly_then_anneals_to_zero() {
        assert!((warmup_cosine(1.0, 0, 10, 110) - 0.1).abs() < 1e-12);
        assert!((warmup_cosine(1.0, 9, 10, 110) - 1.0).abs() < 1e-12);
        assert!((warmup_cosine(1.0, 10, 10, 110) - 1.0).abs() < 1e-12);
        assert!((warmup_cosine(1.0, 60, 10, 110) - 0.5).abs() < 1e-12);
        assert!(warmup_cosine(1.0, 110, 10, 110).abs() < 1e-12);
        assert!(warmup_cosine(1.0, 500, 10, 110).abs() < 1e-12);
    }
}
