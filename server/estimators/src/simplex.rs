//! Least squares over the probability simplex, `min ½‖A w - b‖²` subject to `w ≥ 0` and
//! `Σ w = 1`: the synthetic-control weights. Accelerated projected gradient (FISTA, with the
//! exact Euclidean projection onto the simplex) finds the active set, then a primal active-set
//! method solves the equality-constrained problem on it exactly and repairs it until the KKT
//! conditions hold.

use crate::error::{Result, StatsError};
use crate::linalg::solve;

/// The Gram matrix `AᵀA` and `Aᵀb` of the `rows × j` matrix `a`.
fn normal_equations(a: &[f64], b: &[f64], j: usize) -> (Vec<f64>, Vec<f64>) {
    let mut h = vec![0.0; j * j];
    let mut c = vec![0.0; j];
    for (row, &bi) in a.chunks_exact(j).zip(b) {
        for p in 0..j {
            c[p] += row[p] * bi;
            for q in 0..j {
                h[p * j + q] += row[p] * row[q];
            }
        }
    }
    (h, c)
}

fn gradient(h: &[f64], c: &[f64], w: &[f64]) -> Vec<f64> {
    let j = w.len();
    (0..j)
        .map(|p| (0..j).map(|q| h[p * j + q] * w[q]).sum::<f64>() - c[p])
        .collect()
}

/// The Euclidean projection of `v` onto the probability simplex (Held, Wolfe and Crowder 1974;
/// Duchi et al. 2008).
pub fn project_to_simplex(v: &[f64]) -> Vec<f64> {
    let mut sorted = v.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let (mut cumulative, mut shift) = (0.0, 0.0);
    for (i, &s) in sorted.iter().enumerate() {
        cumulative += s;
        let candidate = (cumulative - 1.0) / (i + 1) as f64;
        if s - candidate > 0.0 {
            shift = candidate;
        }
    }
    v.iter().map(|x| (x - shift).max(0.0)).collect()
}

/// Largest eigenvalue of the symmetric positive semi-definite `h`, by power iteration, with a
/// margin (it sets the gradient step, which must not exceed `1 / λ_max`).
fn lipschitz(h: &[f64], j: usize) -> f64 {
    let mut v = vec![1.0 / (j as f64).sqrt(); j];
    let mut lambda = 0.0;
    for _ in 0..200 {
        let hv: Vec<f64> = (0..j)
            .map(|p| (0..j).map(|q| h[p * j + q] * v[q]).sum())
            .collect();
        let norm = hv.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 {
            return 1.0;
        }
        lambda = norm;
        v = hv.into_iter().map(|x| x / norm).collect();
    }
    let trace: f64 = (0..j).map(|p| h[p * j + p]).sum();
    (lambda * 1.05).min(trace).max(1e-300)
}

fn fista(h: &[f64], c: &[f64], j: usize) -> Vec<f64> {
    let step = 1.0 / lipschitz(h, j);
    let mut w = vec![1.0 / j as f64; j];
    let mut y = w.clone();
    let mut t: f64 = 1.0;
    for _ in 0..50_000 {
        let g = gradient(h, c, &y);
        let next = project_to_simplex(
            &y.iter()
                .zip(&g)
                .map(|(yi, gi)| yi - step * gi)
                .collect::<Vec<_>>(),
        );
        let t_next = 0.5 * (1.0 + (1.0 + 4.0 * t * t).sqrt());
        let moved = next
            .iter()
            .zip(&w)
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        y = next
            .iter()
            .zip(&w)
            .map(|(n, o)| n + (t - 1.0) / t_next * (n - o))
            .collect();
        w = next;
        t = t_next;
        if moved < 1e-14 {
            break;
        }
    }
    w
}

/// The minimiser on `support` with `Σ w = 1` and the others zero, and the multiplier `ν` of
/// the sum constraint; `None` when the support's Gram block is singular.
fn equality_solution(h: &[f64], c: &[f64], j: usize, support: &[usize]) -> Option<(Vec<f64>, f64)> {
    let s = support.len();
    let n = s + 1;
    let mut a = vec![0.0; n * n];
    let mut rhs = vec![0.0; n];
    for (r, &p) in support.iter().enumerate() {
        for (q_index, &q) in support.iter().enumerate() {
            a[r * n + q_index] = h[p * j + q];
        }
        a[r * n + s] = 1.0;
        a[s * n + r] = 1.0;
        rhs[r] = c[p];
    }
    rhs[s] = 1.0;
    let x = solve(a, rhs, n)?;
    let mut w = vec![0.0; j];
    for (r, &p) in support.iter().enumerate() {
        w[p] = x[r];
    }
    Some((w, x[s]))
}

/// The weights minimising `‖A w - b‖²` on the simplex, for the `rows × j` matrix `a`.
///
/// # Errors
/// No columns, mismatched shapes, or values that are not finite.
pub fn simplex_least_squares(a: &[f64], b: &[f64], j: usize) -> Result<Vec<f64>> {
    if j == 0 || a.len() != b.len() * j {
        return Err(StatsError::Invalid(format!(
            "a {}-value matrix is not {} rows by {j} columns",
            a.len(),
            b.len()
        )));
    }
    if a.iter().chain(b).any(|v| !v.is_finite()) {
        return Err(StatsError::NotFinite {
            what: "a synthetic-control input",
            value: f64::NAN,
        });
    }
    let (h, c) = normal_equations(a, b, j);
    let mut w = fista(&h, &c, j);
    let scale = h.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-300);
    let mut support: Vec<usize> = (0..j).filter(|&p| w[p] > 1e-9).collect();
    for _ in 0..4 * j + 4 {
        let Some((candidate, nu)) = equality_solution(&h, &c, j, &support) else {
            break;
        };
        // A weight that went negative leaves the support.
        if let Some(&drop) = support
            .iter()
            .filter(|&&p| candidate[p] < 0.0)
            .min_by(|&&p, &&q| candidate[p].total_cmp(&candidate[q]))
        {
            support.retain(|&p| p != drop);
            continue;
        }
        // A zero weight whose gradient would pull it up joins the support.
        let g = gradient(&h, &c, &candidate);
        let entering = (0..j)
            .filter(|p| !support.contains(p))
            .map(|p| (p, g[p] + nu))
            .filter(|&(_, reduced)| reduced < -1e-12 * scale)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        match entering {
            Some((p, _)) => support.push(p),
            None => {
                w = candidate;
                break;
            }
        }
    }
    Ok(w)
}
