//! Difference-in-differences on a balanced panel of units (geos) by periods (days): the 2x2
//! regression, two-way fixed effects, and an event study for the pre-trend check. Standard
//! errors are clustered by unit, and inference uses t with `clusters - 1` degrees of freedom.

use serde::Serialize;

use crate::dist;
use crate::error::{Result, StatsError, all_finite, confidence};
use crate::linalg::{ClusteredOls, clustered_ols, spd_inverse};

/// Outcomes of `units × periods`, unit-major; `treated[u]` units are treated from period
/// `intervention` on.
#[derive(Clone, Debug)]
pub struct Panel {
    pub treated: Vec<bool>,
    pub periods: usize,
    pub outcomes: Vec<f64>,
    pub intervention: usize,
}

impl Panel {
    /// # Errors
    /// No treated or no control unit, fewer than two pre-periods or no post-period, a shape
    /// that does not match, or an outcome that is not finite.
    pub fn new(
        treated: Vec<bool>,
        periods: usize,
        outcomes: Vec<f64>,
        intervention: usize,
    ) -> Result<Self> {
        if outcomes.len() != treated.len() * periods {
            return Err(StatsError::Invalid(format!(
                "{} outcomes are not {} units by {periods} periods",
                outcomes.len(),
                treated.len()
            )));
        }
        let treated_units = treated.iter().filter(|t| **t).count();
        for (what, got) in [
            ("a panel (treated units)", treated_units),
            ("a panel (control units)", treated.len() - treated_units),
        ] {
            if got == 0 {
                return Err(StatsError::TooFew {
                    what,
                    needed: 1,
                    got,
                });
            }
        }
        if intervention < 2 {
            return Err(StatsError::TooFew {
                what: "a study (pre-periods)",
                needed: 2,
                got: intervention,
            });
        }
        if intervention >= periods {
            return Err(StatsError::TooFew {
                what: "a study (post-periods)",
                needed: 1,
                got: 0,
            });
        }
        all_finite("an outcome", &outcomes)?;
        Ok(Self {
            treated,
            periods,
            outcomes,
            intervention,
        })
    }

    fn units(&self) -> usize {
        self.treated.len()
    }

    fn cells(&self) -> impl Iterator<Item = (usize, usize, f64)> + '_ {
        (0..self.units()).flat_map(move |u| {
            (0..self.periods).map(move |t| (u, t, self.outcomes[u * self.periods + t]))
        })
    }
}

/// A coefficient with its cluster-robust inference.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    pub estimate: f64,
    pub std_error: f64,
    pub statistic: f64,
    pub df: f64,
    pub p_value: f64,
    pub ci: (f64, f64),
}

fn estimate(fit: &ClusteredOls, k: usize, index: usize, level: f64) -> Result<Estimate> {
    let value = fit.beta[index];
    let std_error = fit.covariance[index * k + index].sqrt();
    if std_error.is_nan() || std_error <= 0.0 {
        return Err(StatsError::Degenerate(
            "the estimate (the outcome has no noise)",
        ));
    }
    let df = (fit.clusters - 1) as f64;
    let statistic = value / std_error;
    let half = dist::t_critical(level, df)? * std_error;
    Ok(Estimate {
        estimate: value,
        std_error,
        statistic,
        df,
        p_value: dist::t_two_sided(statistic, df)?,
        ci: (value - half, value + half),
    })
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DidResult {
    /// The average effect on the treated, in the outcome's units.
    pub effect: Estimate,
    /// The treated units' mean after the intervention, less the effect: what they would have
    /// done without it.
    pub counterfactual: f64,
    /// `effect / counterfactual`.
    pub relative: f64,
    pub clusters: usize,
    pub observations: usize,
}

fn result(panel: &Panel, effect: Estimate) -> DidResult {
    let post: Vec<f64> = panel
        .cells()
        .filter(|&(u, t, _)| panel.treated[u] && t >= panel.intervention)
        .map(|(_, _, y)| y)
        .collect();
    let counterfactual = post.iter().sum::<f64>() / post.len() as f64 - effect.estimate;
    DidResult {
        relative: if counterfactual == 0.0 {
            0.0
        } else {
            effect.estimate / counterfactual
        },
        effect,
        counterfactual,
        clusters: panel.units(),
        observations: panel.outcomes.len(),
    }
}

/// The 2x2 regression `y ~ 1 + treated + post + treated·post` over every unit-period, the
/// effect being the interaction (statsmodels: `ols("y ~ treated * post")`, clustered by unit).
///
/// # Errors
/// An invalid level, or a degenerate fit.
pub fn did_2x2(panel: &Panel, level: f64) -> Result<DidResult> {
    let level = confidence(level)?;
    let k = 4;
    let mut x = Vec::with_capacity(panel.outcomes.len() * k);
    let mut clusters = Vec::with_capacity(panel.outcomes.len());
    for (u, t, _) in panel.cells() {
        let d = f64::from(u8::from(panel.treated[u]));
        let post = f64::from(u8::from(t >= panel.intervention));
        x.extend([1.0, d, post, d * post]);
        clusters.push(u);
    }
    let fit = clustered_ols(&x, &panel.outcomes, k, &clusters)?;
    Ok(result(panel, estimate(&fit, k, 3, level)?))
}

/// The design `[treatment columns..., 1, unit dummies (first dropped), period dummies (first
/// dropped)]` with `columns(u, t)` filling the treatment columns.
fn fixed_effects(
    panel: &Panel,
    width: usize,
    columns: impl Fn(usize, usize, &mut [f64]),
) -> (Vec<f64>, Vec<usize>, usize) {
    let k = width + 1 + (panel.units() - 1) + (panel.periods - 1);
    let mut x = vec![0.0; panel.outcomes.len() * k];
    let mut clusters = Vec::with_capacity(panel.outcomes.len());
    for (row, (u, t, _)) in x.chunks_exact_mut(k).zip(panel.cells()) {
        columns(u, t, &mut row[..width]);
        row[width] = 1.0;
        if u > 0 {
            row[width + u] = 1.0;
        }
        if t > 0 {
            row[width + panel.units() - 1 + t] = 1.0;
        }
        clusters.push(u);
    }
    (x, clusters, k)
}

/// Two-way fixed effects: `y ~ D + unit + period`, `D` = treated and after the intervention.
///
/// # Errors
/// An invalid level, or a degenerate fit.
pub fn twfe(panel: &Panel, level: f64) -> Result<DidResult> {
    let level = confidence(level)?;
    let (x, clusters, k) = fixed_effects(panel, 1, |u, t, cols| {
        cols[0] = f64::from(u8::from(panel.treated[u] && t >= panel.intervention));
    });
    let fit = clustered_ols(&x, &panel.outcomes, k, &clusters)?;
    Ok(result(panel, estimate(&fit, k, 0, level)?))
}

/// The joint test that every lead is zero (no pre-trend): the cluster-robust Wald statistic
/// with Hotelling's small-sample scaling, `F = W (G - q) / (q (G - 1))` against
/// `F(q, G - q)` for `q` leads and `G` clusters (Cameron and Miller, "A Practitioner's Guide to
/// Cluster-Robust Inference", J. Human Resources 2015, section VII). With few clusters the
/// chi-square reading of `W`, or `W / q` against `F(q, G - 1)`, rejects far too often.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WaldTest {
    /// `W (G - q) / (q (G - 1))`.
    pub statistic: f64,
    pub df_num: usize,
    pub df_den: usize,
    pub p_value: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventStudy {
    /// `(periods relative to the intervention, effect)`, the period before it (-1) being the
    /// reference; the first and last bins gather everything further out.
    pub coefficients: Vec<(i64, Estimate)>,
    pub pre_trend: WaldTest,
}

/// Leads and lags of the treatment with unit and period fixed effects:
/// `y ~ Σ_(k ≠ -1) β_k 1[treated, t - intervention = k] + unit + period`, `k` binned to
/// `[-leads, lags]`.
///
/// # Errors
/// Fewer than one lead or no lag, more leads than pre-periods before the reference, an invalid
/// level, or a degenerate fit.
pub fn event_study(panel: &Panel, leads: usize, lags: usize, level: f64) -> Result<EventStudy> {
    let level = confidence(level)?;
    if leads < 2 || leads > panel.intervention {
        return Err(StatsError::Invalid(format!(
            "an event study needs 2 to {} leads (the pre-periods), got {leads}",
            panel.intervention
        )));
    }
    let post = panel.periods - panel.intervention;
    if lags >= post {
        return Err(StatsError::Invalid(format!(
            "an event study has at most {} lags (post-periods - 1), got {lags}",
            post - 1
        )));
    }
    // Relative periods -leads..=lags without -1.
    let bins: Vec<i64> = (-(leads as i64)..=lags as i64)
        .filter(|&k| k != -1)
        .collect();
    let column = |rel: i64| bins.iter().position(|&b| b == rel);
    let (x, clusters, k) = fixed_effects(panel, bins.len(), |u, t, cols| {
        if panel.treated[u] {
            let rel = (t as i64 - panel.intervention as i64).clamp(-(leads as i64), lags as i64);
            if let Some(c) = column(rel) {
                cols[c] = 1.0;
            }
        }
    });
    let fit = clustered_ols(&x, &panel.outcomes, k, &clusters)?;
    let coefficients = bins
        .iter()
        .enumerate()
        .map(|(c, &rel)| Ok((rel, estimate(&fit, k, c, level)?)))
        .collect::<Result<Vec<_>>>()?;
    let lead_columns: Vec<usize> = (0..bins.len()).filter(|&c| bins[c] < -1).collect();
    let q = lead_columns.len();
    let sub: Vec<f64> = lead_columns
        .iter()
        .flat_map(|&i| lead_columns.iter().map(move |&j| (i, j)))
        .map(|(i, j)| fit.covariance[i * k + j])
        .collect();
    let inv = spd_inverse(&sub, q)?;
    let b: Vec<f64> = lead_columns.iter().map(|&c| fit.beta[c]).collect();
    let wald: f64 = (0..q)
        .map(|i| (0..q).map(|j| b[i] * inv[i * q + j] * b[j]).sum::<f64>())
        .sum();
    let g = fit.clusters;
    if g <= q {
        return Err(StatsError::TooFew {
            what: "a pre-trend test (clusters beyond its leads)",
            needed: q + 1,
            got: g,
        });
    }
    let df_den = g - q;
    let statistic = wald * df_den as f64 / (q * (g - 1)) as f64;
    Ok(EventStudy {
        coefficients,
        pre_trend: WaldTest {
            statistic,
            df_num: q,
            df_den,
            p_value: dist::f_sf(statistic, q as f64, df_den as f64)?,
        },
    })
}
