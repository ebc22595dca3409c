//! An experiment's results: per-arm totals, each metric's test of every treatment arm against
//! the control, Holm and Benjamini–Hochberg across them, the sample-ratio check, and the
//! sequential (mSPRT) reading of the primary metric day by day.

use app::error::ApiError;
use app::wire::{
    ArmResult, Chart, ExperimentMetric, ExperimentResults, MetricResult, SequentialResult,
    SrmResult, UntestedMetric,
};
use estimators::{
    CupedArm, Lift, Look, Msprt, Proportion, RatioSummary, StatsError, Summary, benjamini_hochberg,
    cuped_test, holm, ratio_test, sample_ratio_check, two_proportion_test, welch_test,
};

use super::experiment_data::{self, ExperimentData, UserTotals, totals};
use super::experiments::{arms_of, summary};
use super::feed_experiment_data;
use super::{Analytics, invalid_stats, no_data};
use crate::charts;

/// One metric's test, CUPED's variance reduction where it applied, and each arm's own
/// interval for the ratio metrics.
struct Tested {
    lift: Lift,
    method: &'static str,
    variance_reduction: Option<f64>,
    arm_intervals: Option<([f64; 2], [f64; 2])>,
}

/// A ratio metric: its numerator and denominator in a user's totals, and how the method reads.
struct RatioOf {
    numerator: fn(&UserTotals) -> f64,
    denominator: fn(&UserTotals) -> f64,
    method: &'static str,
}

/// The ratio metrics, `Σ numerator / Σ denominator` over an arm's users.
fn ratio_of(metric: ExperimentMetric) -> Option<RatioOf> {
    let of = |numerator, denominator, method| {
        Some(RatioOf {
            numerator,
            denominator,
            method,
        })
    };
    match metric {
        ExperimentMetric::Ctr => of(
            |u| u.clicks,
            |u| u.impressions,
            "delta-method z-test (clicks / impressions per user)",
        ),
        ExperimentMetric::SaveRate => of(
            |u| u.saves,
            |u| u.impressions,
            "delta-method z-test (saves / impressions per user)",
        ),
        ExperimentMetric::DwellPerClick => of(
            |u| u.dwell,
            |u| u.clicks,
            "delta-method z-test (dwell seconds / clicks per user)",
        ),
        ExperimentMetric::Cvr => of(
            |u| u.conversions,
            |u| u.clicks,
            "delta-method z-test (conversions / clicks per user)",
        ),
        ExperimentMetric::Cpa => of(
            |u| u.cost,
            |u| u.conversions,
            "delta-method z-test (cost / conversions per user)",
        ),
        ExperimentMetric::Cpc => of(
            |u| u.cost,
            |u| u.clicks,
            "delta-method z-test (cost / clicks per user)",
        ),
        ExperimentMetric::ClickingUsers
        | ExperimentMetric::ConversionsPerUser
        | ExperimentMetric::RevenuePerUser => None,
    }
}

/// The fewest users with events in a ratio's denominator, in each arm, for its delta-method
/// interval to mean anything: with fewer, the interval can be zero-wide or absurdly narrow.
pub const MIN_USERS_WITH_EVENTS: usize = 5;

/// An arm's ratio with its delta-method variance; a ratio that does not vary from user to user
/// (no conversions yet, say) is [`StatsError::Degenerate`], not a zero-wide interval.
fn arm_ratio(users: &[UserTotals], of: &RatioOf) -> Result<RatioSummary, StatsError> {
    let (y, x): (Vec<f64>, Vec<f64>) = users
        .iter()
        .map(|u| ((of.numerator)(u), (of.denominator)(u)))
        .unzip();
    let summary = RatioSummary::of(&y, &x)?;
    if summary.variance > 0.0 {
        Ok(summary)
    } else {
        Err(StatsError::Degenerate("an arm's ratio"))
    }
}

/// A ratio metric needs [`MIN_USERS_WITH_EVENTS`] users with events in its denominator in
/// each arm before its interval is worth showing.
fn enough_events(
    metric: ExperimentMetric,
    (control, treatment): (&[UserTotals], &[UserTotals]),
) -> Result<(), StatsError> {
    let Some(of) = ratio_of(metric) else {
        return Ok(());
    };
    let with_events =
        |users: &[UserTotals]| users.iter().filter(|u| (of.denominator)(u) > 0.0).count();
    let fewest = with_events(control).min(with_events(treatment));
    if fewest < MIN_USERS_WITH_EVENTS {
        return Err(StatsError::TooFew {
            what: "each arm's users with events",
            needed: MIN_USERS_WITH_EVENTS,
            got: fewest,
        });
    }
    Ok(())
}

/// CPA and CPC read what an advertiser paid; the feed's own experiments cost nothing.
fn applies(metric: ExperimentMetric, paid: bool) -> bool {
    paid || !matches!(metric, ExperimentMetric::Cpa | ExperimentMetric::Cpc)
}

/// Why a metric is left out of the table, in words for the page.
fn untested_reason(error: &StatsError) -> String {
    match error {
        StatsError::TooFew { got, .. } => format!(
            "too few events: {got} users with events, {MIN_USERS_WITH_EVENTS} needed in each arm"
        ),
        StatsError::Degenerate(_) => {
            "too few events: the value does not vary between users yet".to_owned()
        }
        other => format!("not testable: {other}"),
    }
}

fn metric_of(name: &str) -> Option<ExperimentMetric> {
    ExperimentMetric::ALL.into_iter().find(|m| m.name() == name)
}

/// `metric` of treatment against control, from users' totals (and pre-period totals).
fn test(
    metric: ExperimentMetric,
    (control, treatment): (&[UserTotals], &[UserTotals]),
    (pre_c, pre_t): (&[UserTotals], &[UserTotals]),
    level: f64,
) -> Result<Tested, StatsError> {
    let plain = |lift| Tested {
        lift,
        method: "",
        variance_reduction: None,
        arm_intervals: None,
    };
    if let Some(of) = ratio_of(metric) {
        let (c, t) = (arm_ratio(control, &of)?, arm_ratio(treatment, &of)?);
        return Ok(Tested {
            method: of.method,
            arm_intervals: Some((c.interval(level)?, t.interval(level)?)),
            ..plain(ratio_test(&c, &t, level)?)
        });
    }
    let adjusted = |value: fn(&UserTotals) -> f64| -> Result<Tested, StatsError> {
        let values = |users: &[UserTotals]| users.iter().map(value).collect::<Vec<f64>>();
        let (yc, yt, xc, xt) = (
            values(control),
            values(treatment),
            values(pre_c),
            values(pre_t),
        );
        match cuped_test(
            CupedArm {
                outcome: &yc,
                covariate: &xc,
            },
            CupedArm {
                outcome: &yt,
                covariate: &xt,
            },
            level,
        ) {
            Ok(r) => Ok(Tested {
                lift: r.lift,
                method: "Welch t-test, CUPED-adjusted",
                variance_reduction: Some(r.variance_reduction),
                arm_intervals: None,
            }),
            // No pre-period variation: the plain test.
            Err(StatsError::Degenerate(_)) => Ok(Tested {
                method: "Welch t-test",
                ..plain(welch_test(&Summary::of(&yc)?, &Summary::of(&yt)?, level)?)
            }),
            Err(e) => Err(e),
        }
    };
    Ok(match metric {
        ExperimentMetric::ClickingUsers => {
            let arm = |users: &[UserTotals]| {
                Proportion::new(
                    users.iter().filter(|u| u.clicks > 0.0).count() as u64,
                    users.len() as u64,
                )
            };
            Tested {
                method: "two-proportion z-test",
                ..plain(two_proportion_test(arm(control)?, arm(treatment)?, level)?)
            }
        }
        ExperimentMetric::ConversionsPerUser => adjusted(|u| u.conversions)?,
        ExperimentMetric::RevenuePerUser => adjusted(|u| u.revenue)?,
        // Answered above, by `ratio_of`.
        ExperimentMetric::Ctr
        | ExperimentMetric::SaveRate
        | ExperimentMetric::DwellPerClick
        | ExperimentMetric::Cvr
        | ExperimentMetric::Cpa
        | ExperimentMetric::Cpc => {
            return Err(StatsError::Invalid(format!(
                "{} is a ratio metric",
                metric.name()
            )));
        }
    })
}

impl Analytics {
    pub(crate) async fn results(&self, id: i32, draw: bool) -> Result<ExperimentResults, ApiError> {
        let model = self.experiment(id).await?;
        let arms = arms_of(&model)?;
        let names: Vec<String> = arms.iter().map(|a| a.name.clone()).collect();
        let data = match model.campaign_id {
            Some(campaign_id) => {
                experiment_data::load(&self.db, &model, campaign_id, &names).await?
            }
            None if arms.iter().all(|a| a.model_version.is_some()) => {
                feed_experiment_data::load(&self.db, &model, &names).await?
            }
            None => {
                return Err(invalid_stats(format!(
                    "experiment {id} has neither a campaign nor model versions to compare"
                )));
            }
        };
        if let Some(empty) = data.users.iter().position(Vec::is_empty) {
            return Err(no_data(format!(
                "arm `{}` of experiment {id} has no users yet",
                names[empty]
            )));
        }
        let level = self.settings.analytics.confidence;
        let last = data.days.saturating_sub(1);
        let per_arm: Vec<Vec<UserTotals>> = data
            .users
            .iter()
            .map(|users| users.iter().map(|events| totals(events, last)).collect())
            .collect();
        let mut results = Vec::new();
        let mut untested = Vec::new();
        let paid = model.campaign_id.is_some();
        for metric in ExperimentMetric::ALL
            .into_iter()
            .filter(|m| applies(*m, paid))
        {
            for t in 1..arms.len() {
                let arms_of_test = (per_arm[0].as_slice(), per_arm[t].as_slice());
                match enough_events(metric, arms_of_test)
                    .and_then(|()| test(metric, arms_of_test, (&data.pre[0], &data.pre[t]), level))
                {
                    Ok(tested) => results.push((metric, t, tested)),
                    // A metric with too little data in an arm (no clicks yet, say) is named
                    // with the reason, never reported as NaN or a zero-wide interval.
                    Err(e) => untested.push(UntestedMetric {
                        metric: metric.name().to_owned(),
                        arm: names[t].clone(),
                        reason: untested_reason(&e),
                    }),
                }
            }
        }
        let p: Vec<f64> = results.iter().map(|(_, _, r)| r.lift.p_value).collect();
        let (p_holm, p_bh) = (
            holm(&p).map_err(invalid_stats)?,
            benjamini_hochberg(&p).map_err(invalid_stats)?,
        );
        let metrics: Vec<MetricResult> = results
            .into_iter()
            .zip(p_holm.into_iter().zip(p_bh))
            .map(|((metric, t, r), (ph, pb))| MetricResult {
                metric: metric.name().to_owned(),
                arm: names[t].clone(),
                method: r.method.to_owned(),
                control: r.lift.control,
                treatment: r.lift.treatment,
                control_ci: r.arm_intervals.map(|a| a.0),
                treatment_ci: r.arm_intervals.map(|a| a.1),
                absolute: r.lift.absolute,
                absolute_ci: [r.lift.absolute_ci.0, r.lift.absolute_ci.1],
                relative: r.lift.relative,
                relative_ci: [r.lift.relative_ci.0, r.lift.relative_ci.1],
                statistic: r.lift.statistic,
                p_value: r.lift.p_value,
                p_holm: ph,
                p_bh: pb,
                significant: ph < 1.0 - level,
                variance_reduction: r.variance_reduction,
            })
            .collect();
        let counts: Vec<u64> = data.users.iter().map(|u| u.len() as u64).collect();
        let weights: Vec<f64> = arms.iter().map(|a| a.weight).collect();
        let srm = sample_ratio_check(&counts, &weights).map_err(invalid_stats)?;
        let sequential = metric_of(&model.primary_metric)
            .and_then(|m| self.sequential(m, &data, level).ok().flatten());
        let charts = if draw && !metrics.is_empty() {
            let svg = charts::analytics::lift_whiskers(&metrics).map_err(super::internal)?;
            vec![Chart {
                title: "Relative lift by metric".into(),
                svg,
            }]
        } else {
            Vec::new()
        };
        Ok(ExperimentResults {
            experiment: summary(&model)?,
            confidence: level,
            arms: arms
                .iter()
                .zip(&per_arm)
                .map(|(arm, users)| {
                    let sum = |f: fn(&UserTotals) -> f64| users.iter().map(f).sum::<f64>();
                    ArmResult {
                        name: arm.name.clone(),
                        weight: arm.weight,
                        users: users.len() as u64,
                        impressions: sum(|u| u.impressions) as i64,
                        clicks: sum(|u| u.clicks) as i64,
                        saves: sum(|u| u.saves) as i64,
                        dwell_seconds: sum(|u| u.dwell),
                        conversions: sum(|u| u.conversions) as i64,
                        revenue: sum(|u| u.revenue),
                        cost: sum(|u| u.cost),
                    }
                })
                .collect(),
            metrics,
            untested,
            srm: SrmResult {
                statistic: srm.statistic,
                p_value: srm.p_value,
                flagged: srm.flagged,
                observed_shares: srm.observed_shares,
                expected_shares: srm.expected_shares,
            },
            sequential,
            charts,
        })
    }

    /// The primary metric's first treatment arm against control, one look per day; the
    /// mixing scale is `sequential_relative_effect` times the control's final value.
    fn sequential(
        &self,
        metric: ExperimentMetric,
        data: &ExperimentData,
        level: f64,
    ) -> Result<Option<SequentialResult>, StatsError> {
        let mut looks = Vec::new();
        let mut control_value = 0.0;
        for day in 0..data.days {
            let arm = |a: usize| -> Vec<UserTotals> {
                data.users[a].iter().map(|e| totals(e, day)).collect()
            };
            let Ok(t) = test(
                metric,
                (&arm(0), &arm(1)),
                (&data.pre[0], &data.pre[1]),
                level,
            ) else {
                continue;
            };
            looks.push(Look {
                estimate: t.lift.absolute,
                variance: t.lift.std_error.powi(2),
            });
            control_value = t.lift.control;
        }
        if looks.is_empty() || control_value == 0.0 {
            return Ok(None);
        }
        let tau = self.settings.analytics.sequential_relative_effect * control_value.abs();
        let statuses = Msprt::new(tau * tau)?.run(&looks, 1.0 - level)?;
        Ok(statuses.last().map(|s| SequentialResult {
            metric: metric.name().to_owned(),
            looks: statuses.len(),
            p_value: s.p_value,
            interval: [s.interval.0, s.interval.1],
            conclusive: s.conclusive,
        }))
    }
}

#[cfg(test)]
#[path = "experiment_results_tests.rs"]
mod tests;
