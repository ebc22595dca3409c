//! Campaign reports from the daily rollups: totals and breakdowns by day, creative, segment or
//! geo over a date range, the same SQL on SQLite and PostgreSQL.

use std::collections::HashMap;

use app::error::ApiError;
use app::wire::{
    Breakdown, CampaignReport, CampaignReportRequest, Chart, Metric, MetricValues, ReportRow,
};
use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, SimpleExpr};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, TryGetableMany,
};

use super::dates::{days, range};
use super::{Analytics, database, no_data, not_found};
use crate::charts;
use crate::db::entities::{campaign_daily_stat as stat, creative};

/// The summed counts and money of a group of rollup rows.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Sums {
    pub impressions: i64,
    pub clicks: i64,
    pub conversions: i64,
    pub spend: f64,
    pub revenue: f64,
}

impl std::ops::Add for Sums {
    type Output = Self;

    fn add(self, other: Self) -> Self {
        Self {
            impressions: self.impressions + other.impressions,
            clicks: self.clicks + other.clicks,
            conversions: self.conversions + other.conversions,
            spend: self.spend + other.spend,
            revenue: self.revenue + other.revenue,
        }
    }
}

impl Sums {
    /// The counts and the ratios of `metrics` (a zero denominator gives `None`).
    pub(crate) fn values(self, metrics: &[Metric]) -> MetricValues {
        let ratio =
            |m: Metric, num: f64, den: f64| (metrics.contains(&m) && den > 0.0).then(|| num / den);
        let (i, c, v) = (
            self.impressions as f64,
            self.clicks as f64,
            self.conversions as f64,
        );
        MetricValues {
            impressions: self.impressions,
            clicks: self.clicks,
            conversions: self.conversions,
            spend: self.spend,
            revenue: self.revenue,
            ctr: ratio(Metric::Ctr, c, i),
            cvr: ratio(Metric::Cvr, v, c),
            cpc: ratio(Metric::Cpc, self.spend, c),
            cpm: ratio(Metric::Cpm, 1000.0 * self.spend, i),
            cpa: ratio(Metric::Cpa, self.spend, v),
            roas: ratio(Metric::Roas, self.revenue, self.spend),
        }
    }
}

/// `SUM(column)` as a BIGINT (PostgreSQL sums BIGINT into NUMERIC otherwise).
pub(crate) fn sum_int(column: stat::Column) -> SimpleExpr {
    SimpleExpr::from(Func::sum(Expr::col(column))).cast_as(Alias::new("BIGINT"))
}

pub(crate) fn sum_float(column: stat::Column) -> SimpleExpr {
    Func::sum(Expr::col(column)).into()
}

type SumRow<K> = (
    K,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<f64>,
    Option<f64>,
);

/// Rollup sums of `campaigns` over `from..=to`, grouped by `key`.
pub(crate) async fn grouped<K>(
    db: &DatabaseConnection,
    campaigns: &[i32],
    (from, to): (NaiveDate, NaiveDate),
    key: stat::Column,
) -> Result<Vec<(K, Sums)>, ApiError>
where
    SumRow<K>: TryGetableMany,
{
    let rows: Vec<SumRow<K>> = stat::Entity::find()
        .select_only()
        .column(key)
        .column_as(sum_int(stat::Column::Impressions), "impressions")
        .column_as(sum_int(stat::Column::Clicks), "clicks")
        .column_as(sum_int(stat::Column::Conversions), "conversions")
        .column_as(sum_float(stat::Column::Spend), "spend")
        .column_as(sum_float(stat::Column::Revenue), "revenue")
        .filter(stat::Column::CampaignId.is_in(campaigns.iter().copied()))
        .filter(stat::Column::Day.between(from, to))
        .group_by(key)
        .into_tuple()
        .all(db)
        .await
        .map_err(database)?;
    Ok(rows
        .into_iter()
        .map(|(k, i, c, v, s, r)| {
            (
                k,
                Sums {
                    impressions: i.unwrap_or(0),
                    clicks: c.unwrap_or(0),
                    conversions: v.unwrap_or(0),
                    spend: s.unwrap_or(0.0),
                    revenue: r.unwrap_or(0.0),
                },
            )
        })
        .collect())
}

/// The first and last day with rollup rows for any of `campaigns`.
pub(crate) async fn data_bounds(
    db: &DatabaseConnection,
    campaigns: &[i32],
) -> Result<Option<(NaiveDate, NaiveDate)>, ApiError> {
    let bounds: Option<(Option<NaiveDate>, Option<NaiveDate>)> = stat::Entity::find()
        .select_only()
        .column_as(
            SimpleExpr::from(Func::min(Expr::col(stat::Column::Day))),
            "first",
        )
        .column_as(
            SimpleExpr::from(Func::max(Expr::col(stat::Column::Day))),
            "last",
        )
        .filter(stat::Column::CampaignId.is_in(campaigns.iter().copied()))
        .into_tuple()
        .one(db)
        .await
        .map_err(database)?;
    Ok(bounds.and_then(|(a, b)| a.zip(b)))
}

impl Analytics {
    pub(crate) async fn report(
        &self,
        request: CampaignReportRequest,
    ) -> Result<CampaignReport, ApiError> {
        let db = &self.db;
        let id = request.campaign_id;
        let (campaign, advertiser, _) = super::rollup::campaign_zone(db, id)
            .await
            .map_err(database)?
            .ok_or_else(|| not_found(format!("no campaign {id}")))?;
        let bounds = data_bounds(db, &[id])
            .await?
            .ok_or_else(|| no_data(format!("campaign {id} has no events yet")))?;
        let settings = &self.settings.analytics;
        let span = range(
            request.from.as_deref(),
            request.to.as_deref(),
            bounds,
            settings.max_range_days,
        )?;
        let metrics = if request.metrics.is_empty() {
            Metric::ALL.to_vec()
        } else {
            request.metrics.clone()
        };
        let by_day: Vec<(NaiveDate, Sums)> = grouped(db, &[id], span, stat::Column::Day).await?;
        if by_day
            .iter()
            .all(|(_, s)| s.impressions == 0 && s.clicks == 0 && s.conversions == 0)
        {
            return Err(no_data(format!(
                "campaign {id} has no events between {} and {}",
                span.0, span.1
            )));
        }
        let totals = by_day.iter().fold(Sums::default(), |t, (_, s)| t + *s);
        let daily = fill_days(&by_day, span);
        let rows = match request.breakdown {
            None => Vec::new(),
            Some(Breakdown::Day) => daily
                .iter()
                .map(|(d, s)| row(d.to_string(), d.to_string(), *s, &metrics))
                .collect(),
            Some(Breakdown::Creative) => {
                let names: HashMap<i32, String> = creative::Entity::find()
                    .filter(creative::Column::CampaignId.eq(id))
                    .all(db)
                    .await
                    .map_err(database)?
                    .into_iter()
                    .map(|c| (c.id, c.name))
                    .collect();
                grouped::<i32>(db, &[id], span, stat::Column::CreativeId)
                    .await?
                    .into_iter()
                    .map(|(c, s)| {
                        let label = names
                            .get(&c)
                            .cloned()
                            .unwrap_or_else(|| format!("creative {c}"));
                        row(c.to_string(), label, s, &metrics)
                    })
                    .collect()
            }
            Some(b @ (Breakdown::Segment | Breakdown::Geo)) => {
                let key = if b == Breakdown::Segment {
                    stat::Column::Segment
                } else {
                    stat::Column::Geo
                };
                grouped::<String>(db, &[id], span, key)
                    .await?
                    .into_iter()
                    .map(|(k, s)| row(k.clone(), k, s, &metrics))
                    .collect()
            }
        };
        let charts = if request.charts {
            metrics
                .iter()
                .map(|m| {
                    let points: Vec<(NaiveDate, Option<f64>)> = daily
                        .iter()
                        .map(|(d, s)| (*d, metric_of(s.values(&[*m]), *m)))
                        .collect();
                    charts::analytics::metric_series(m.name(), &points)
                        .map(|svg| Chart {
                            title: format!("{} by day", m.name().to_uppercase()),
                            svg,
                        })
                        .map_err(super::internal)
                })
                .collect::<Result<Vec<_>, _>>()?
        } else {
            Vec::new()
        };
        Ok(CampaignReport {
            campaign_id: id,
            campaign_name: campaign.name,
            advertiser_id: advertiser.id,
            currency: advertiser.currency,
            time_zone: advertiser.time_zone,
            from: span.0.to_string(),
            to: span.1.to_string(),
            attribution_window_hours: settings.attribution_window_hours,
            totals: totals.values(&metrics),
            metrics,
            breakdown: request.breakdown,
            rows,
            charts,
        })
    }
}

fn row(key: String, label: String, sums: Sums, metrics: &[Metric]) -> ReportRow {
    ReportRow {
        key,
        label,
        values: sums.values(metrics),
    }
}

/// Every day of the span, zero where the rollup has no row.
fn fill_days(
    by_day: &[(NaiveDate, Sums)],
    (from, to): (NaiveDate, NaiveDate),
) -> Vec<(NaiveDate, Sums)> {
    let known: HashMap<NaiveDate, Sums> = by_day.iter().copied().collect();
    days(from, to)
        .map(|d| (d, known.get(&d).copied().unwrap_or_default()))
        .collect()
}

pub(crate) fn metric_of(values: MetricValues, metric: Metric) -> Option<f64> {
    match metric {
        Metric::Ctr => values.ctr,
        Metric::Cvr => values.cvr,
        Metric::Cpc => values.cpc,
        Metric::Cpm => values.cpm,
        Metric::Cpa => values.cpa,
        Metric::Roas => values.roas,
    }
}
