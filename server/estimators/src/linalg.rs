//! The small dense algebra the regressions need: Cholesky factorisation and inversion of a
//! symmetric positive-definite matrix, and OLS with cluster-robust covariance. Matrices are
//! row-major `Vec<f64>`; models here have tens of columns, so clarity beats blocking.

use crate::error::{Result, StatsError};

/// The inverse of the symmetric positive-definite `k × k` matrix `a`.
///
/// # Errors
/// [`StatsError::Singular`] when `a` is not positive definite (collinear regressors).
pub fn spd_inverse(a: &[f64], k: usize) -> Result<Vec<f64>> {
    // Cholesky: a = L Lᵀ.
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let dot: f64 = (0..j).map(|m| l[i * k + m] * l[j * k + m]).sum();
            if i == j {
                let d = a[i * k + i] - dot;
                if d <= 1e-12 * a[i * k + i].abs().max(1e-300) {
                    return Err(StatsError::Singular(format!(
                        "regressor {i} is a combination of the others"
                    )));
                }
                l[i * k + i] = d.sqrt();
            } else {
                l[i * k + j] = (a[i * k + j] - dot) / l[j * k + j];
            }
        }
    }
    // Columns of the inverse: solve L Lᵀ x = e_c.
    let mut inv = vec![0.0; k * k];
    let mut col = vec![0.0; k];
    for c in 0..k {
        for i in 0..k {
            let rhs = if i == c { 1.0 } else { 0.0 };
            let dot: f64 = (0..i).map(|m| l[i * k + m] * col[m]).sum();
            col[i] = (rhs - dot) / l[i * k + i];
        }
        for i in (0..k).rev() {
            let dot: f64 = (i + 1..k).map(|m| l[m * k + i] * col[m]).sum();
            col[i] = (col[i] - dot) / l[i * k + i];
        }
        for i in 0..k {
            inv[i * k + c] = col[i];
        }
    }
    Ok(inv)
}

/// An OLS fit with a cluster-robust covariance.
pub struct ClusteredOls {
    pub beta: Vec<f64>,
    /// `k × k`, row-major.
    pub covariance: Vec<f64>,
    pub clusters: usize,
}

/// OLS of `y` on the `n × k` design `x`, with the CR1 cluster-robust covariance (statsmodels'
/// `cov_type="cluster"` with its default small-sample correction).
///
/// # Formula
/// `β = (XᵀX)⁻¹ Xᵀy`, `V = c (XᵀX)⁻¹ (Σ_g s_g s_gᵀ) (XᵀX)⁻¹` with `s_g = Σ_(i∈g) x_i u_i` and
/// `c = G/(G-1) · (n-1)/(n-k)`.
///
/// # Errors
/// [`StatsError::Singular`] for collinear regressors; [`StatsError::TooFew`] for fewer than
/// two clusters or no residual degrees of freedom.
pub fn clustered_ols(x: &[f64], y: &[f64], k: usize, cluster: &[usize]) -> Result<ClusteredOls> {
    let n = y.len();
    let groups = cluster.iter().max().map_or(0, |g| g + 1);
    if groups < 2 {
        return Err(StatsError::TooFew {
            what: "a cluster-robust fit (clusters)",
            needed: 2,
            got: groups,
        });
    }
    if n <= k {
        return Err(StatsError::TooFew {
            what: "a regression (observations beyond its parameters)",
            needed: k + 1,
            got: n,
        });
    }
    let mut xtx = vec![0.0; k * k];
    let mut xty = vec![0.0; k];
    for (row, &yi) in x.chunks_exact(k).zip(y) {
        for i in 0..k {
            xty[i] += row[i] * yi;
            for j in 0..=i {
                xtx[i * k + j] += row[i] * row[j];
            }
        }
    }
    for i in 0..k {
        for j in 0..i {
            xtx[j * k + i] = xtx[i * k + j];
        }
    }
    let bread = spd_inverse(&xtx, k)?;
    let beta: Vec<f64> = (0..k)
        .map(|i| (0..k).map(|j| bread[i * k + j] * xty[j]).sum())
        .collect();
    let mut scores = vec![0.0; groups * k];
    for ((row, &yi), &g) in x.chunks_exact(k).zip(y).zip(cluster) {
        let fitted: f64 = row.iter().zip(&beta).map(|(a, b)| a * b).sum();
        let u = yi - fitted;
        for (s, xi) in scores[g * k..(g + 1) * k].iter_mut().zip(row) {
            *s += xi * u;
        }
    }
    let mut meat = vec![0.0; k * k];
    for s in scores.chunks_exact(k) {
        for i in 0..k {
            for j in 0..k {
                meat[i * k + j] += s[i] * s[j];
            }
        }
    }
    let (g, nf, kf) = (groups as f64, n as f64, k as f64);
    let scale = g / (g - 1.0) * (nf - 1.0) / (nf - kf);
    let half = multiply(&bread, &meat, k);
    let mut covariance = multiply(&half, &bread, k);
    covariance.iter_mut().for_each(|v| *v *= scale);
    Ok(ClusteredOls {
        beta,
        covariance,
        clusters: groups,
    })
}

fn multiply(a: &[f64], b: &[f64], k: usize) -> Vec<f64> {
    let mut out = vec![0.0; k * k];
    for i in 0..k {
        for m in 0..k {
            let aim = a[i * k + m];
            for j in 0..k {
                out[i * k + j] += aim * b[m * k + j];
            }
        }
    }
    out
}

/// Solves the square system `a x = b` (`n × n`, row-major) by Gaussian elimination with
/// partial pivoting; `None` when `a` is singular.
pub fn solve(mut a: Vec<f64>, mut b: Vec<f64>, n: usize) -> Option<Vec<f64>> {
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    for col in 0..n {
        let pivot =
            (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))?;
        if a[pivot * n + col].abs() <= 1e-13 * scale {
            return None;
        }
        if pivot != col {
            for m in 0..n {
                a.swap(col * n + m, pivot * n + m);
            }
            b.swap(col, pivot);
        }
        for row in col + 1..n {
            let f = a[row * n + col] / a[col * n + col];
            if f != 0.0 {
                for m in col..n {
                    a[row * n + m] -= f * a[col * n + m];
                }
                b[row] -= f * b[col];
            }
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let dot: f64 = (row + 1..n).map(|m| a[row * n + m] * x[m]).sum();
        x[row] = (b[row] - dot) / a[row * n + row];
    }
    Some(x)
}
