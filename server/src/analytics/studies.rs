//! Causal studies: a geo intervention on one campaign, read from the daily rollups by
//! difference-in-differences (on log(1 + outcome), so effects are relative) or by synthetic
//! control (the treated geos summed, on the index scale), with the last result stored.

use std::collections::{HashMap, HashSet};

use app::error::{ApiError, ErrorCode};
use app::wire::{CreateStudy, StudyMethod, StudySummary};
use chrono::{NaiveDate, TimeZone};
use sea_orm::{ActiveValue::NotSet, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::{Deserialize, Serialize};

use super::dates::{day, days, invalid};
use super::{Analytics, database, no_data, not_found};
use crate::db::entities::{campaign_daily_stat as stat, causal_study};

/// What `causal_studies.design` holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Design {
    pub campaign_id: i32,
    #[serde(default = "geo")]
    pub unit: String,
    pub treated: Vec<String>,
    pub control: Vec<String>,
}

fn geo() -> String {
    "geo".into()
}

pub(crate) fn method_of(model: &causal_study::Model) -> Result<StudyMethod, ApiError> {
    match model.method.as_str() {
        "did" => Ok(StudyMethod::Did),
        "synthetic_control" => Ok(StudyMethod::SyntheticControl),
        other => Err(ApiError::new(
            ErrorCode::Internal,
            format!("study {} has an unknown method `{other}`", model.id),
        )),
    }
}

pub(crate) fn design_of(model: &causal_study::Model) -> Result<Design, ApiError> {
    serde_json::from_value(model.design.clone()).map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("study {} has an unreadable design: {e}", model.id),
        )
    })
}

/// `(geo, day, impressions, clicks, conversions, spend, revenue)` summed over a geo's day.
type GeoDayRow = (
    String,
    NaiveDate,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<f64>,
    Option<f64>,
);

/// A geo by day panel of one outcome over the campaign's data.
pub(crate) struct GeoPanel {
    pub first_day: NaiveDate,
    pub days: usize,
    pub intervention: usize,
    /// Outcome per geo and day (0 where no row).
    pub series: HashMap<String, Vec<f64>>,
}

impl Analytics {
    pub(crate) async fn create_study(
        &self,
        request: CreateStudy,
    ) -> Result<StudySummary, ApiError> {
        let name = request.name.trim();
        if name.is_empty() {
            return Err(invalid("the study needs a name"));
        }
        let (treated, control) = (clean(&request.treated), clean(&request.control));
        if treated.is_empty() || control.is_empty() {
            return Err(invalid(
                "a study needs at least one treated and one control geo",
            ));
        }
        let minimum = if request.method == StudyMethod::SyntheticControl {
            2
        } else {
            1
        };
        if control.len() < minimum {
            return Err(invalid(
                "a synthetic control needs at least two control geos (donors)",
            ));
        }
        if let Some(both) = treated.iter().find(|g| control.contains(g)) {
            return Err(invalid(format!("geo `{both}` is both treated and control")));
        }
        let (_, advertiser, zone) = super::rollup::campaign_zone(&self.db, request.campaign_id)
            .await
            .map_err(database)?
            .ok_or_else(|| not_found(format!("no campaign {}", request.campaign_id)))?;
        let start = day(&request.intervention_date, "intervention_date")?;
        let intervention_at = zone
            .from_local_datetime(&start.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .ok_or_else(|| {
                invalid("the intervention day does not exist in the advertiser's time zone")
            })?
            .with_timezone(&chrono::Utc);
        let design = Design {
            campaign_id: request.campaign_id,
            unit: geo(),
            treated,
            control,
        };
        let row = causal_study::ActiveModel {
            id: NotSet,
            advertiser_id: Set(advertiser.id),
            name: Set(name.to_owned()),
            method: Set(match request.method {
                StudyMethod::Did => "did".into(),
                StudyMethod::SyntheticControl => "synthetic_control".into(),
            }),
            outcome_metric: Set(request.outcome.name().to_owned()),
            intervention_at: Set(intervention_at),
            design: Set(serde_json::to_value(&design).map_err(super::internal)?),
            result: Set(None),
            created_at: Set(chrono::Utc::now()),
        };
        let id = causal_study::Entity::insert(row)
            .exec(&self.db)
            .await
            .map_err(database)?
            .last_insert_id;
        let model = self.study(id).await?;
        self.study_summary(&model, zone)
    }

    pub(crate) async fn study(&self, id: i32) -> Result<causal_study::Model, ApiError> {
        causal_study::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(database)?
            .ok_or_else(|| not_found(format!("no study {id}")))
    }

    /// The time zone of the advertiser that runs `campaign_id` (UTC if it is gone).
    pub(crate) async fn zone_of(&self, campaign_id: i32) -> Result<chrono_tz::Tz, ApiError> {
        Ok(super::rollup::campaign_zone(&self.db, campaign_id)
            .await
            .map_err(database)?
            .map_or(chrono_tz::Tz::UTC, |(_, _, z)| z))
    }

    /// The study as stored, its intervention day in `zone` (the advertiser's).
    pub(crate) fn study_summary(
        &self,
        model: &causal_study::Model,
        zone: chrono_tz::Tz,
    ) -> Result<StudySummary, ApiError> {
        let design = design_of(model)?;
        Ok(StudySummary {
            id: model.id,
            name: model.name.clone(),
            method: method_of(model)?,
            campaign_id: design.campaign_id,
            outcome: model.outcome_metric.clone(),
            treated: design.treated,
            control: design.control,
            intervention_date: model
                .intervention_at
                .with_timezone(&zone)
                .date_naive()
                .to_string(),
        })
    }

    /// The study's geos by day, from the first to the last day of the campaign's data.
    pub(crate) async fn geo_panel(
        &self,
        model: &causal_study::Model,
        design: &Design,
        zone: chrono_tz::Tz,
    ) -> Result<GeoPanel, ApiError> {
        let (from, to) = super::campaign::data_bounds(&self.db, &[design.campaign_id])
            .await?
            .ok_or_else(|| no_data(format!("campaign {} has no events yet", design.campaign_id)))?;
        let geos: Vec<&String> = design.treated.iter().chain(&design.control).collect();
        let rows: Vec<GeoDayRow> = stat::Entity::find()
            .select_only()
            .columns([stat::Column::Geo, stat::Column::Day])
            .column_as(
                super::campaign::sum_int(stat::Column::Impressions),
                "impressions",
            )
            .column_as(super::campaign::sum_int(stat::Column::Clicks), "clicks")
            .column_as(
                super::campaign::sum_int(stat::Column::Conversions),
                "conversions",
            )
            .column_as(super::campaign::sum_float(stat::Column::Spend), "spend")
            .column_as(super::campaign::sum_float(stat::Column::Revenue), "revenue")
            .filter(stat::Column::CampaignId.eq(design.campaign_id))
            .filter(stat::Column::Geo.is_in(geos.iter().map(|g| g.as_str())))
            .group_by(stat::Column::Geo)
            .group_by(stat::Column::Day)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(database)?;
        let start = model.intervention_at.with_timezone(&zone).date_naive();
        let all_days: Vec<NaiveDate> = days(from, to).collect();
        let intervention = all_days
            .iter()
            .position(|d| *d >= start)
            .unwrap_or(all_days.len());
        let mut series: HashMap<String, Vec<f64>> = geos
            .iter()
            .map(|g| ((*g).clone(), vec![0.0; all_days.len()]))
            .collect();
        let seen: HashSet<String> = rows.iter().map(|r| r.0.clone()).collect();
        if let Some(missing) = geos.iter().find(|g| !seen.contains(g.as_str())) {
            return Err(no_data(format!(
                "geo `{missing}` has no events in campaign {}",
                design.campaign_id
            )));
        }
        for (geo, d, imp, clk, conv, spend, revenue) in rows {
            let value = match model.outcome_metric.as_str() {
                "impressions" => imp.unwrap_or(0) as f64,
                "clicks" => clk.unwrap_or(0) as f64,
                "conversions" => conv.unwrap_or(0) as f64,
                "spend" => spend.unwrap_or(0.0),
                "revenue" => revenue.unwrap_or(0.0),
                other => {
                    return Err(invalid(format!(
                        "study {} measures an unknown outcome `{other}`",
                        model.id
                    )));
                }
            };
            let index = usize::try_from((d - from).num_days()).ok();
            if let Some(slot) = series
                .get_mut(&geo)
                .zip(index)
                .and_then(|(s, i)| s.get_mut(i))
            {
                *slot = value;
            }
        }
        Ok(trim_partial_days(GeoPanel {
            first_day: from,
            days: all_days.len(),
            intervention,
            series,
        }))
    }
}

/// Leaves out leading and trailing days with less than half the median day's total: where
/// the advertiser's zone is not UTC, the first and last local days hold only a few hours of
/// data, and a partial day would pass for a drop in the outcome.
pub(crate) fn trim_partial_days(panel: GeoPanel) -> GeoPanel {
    let totals: Vec<f64> = (0..panel.days)
        .map(|d| panel.series.values().map(|s| s[d]).sum())
        .collect();
    let mut sorted = totals.clone();
    sorted.sort_by(f64::total_cmp);
    let Some(&median) = sorted.get(sorted.len() / 2) else {
        return panel;
    };
    let full = |d: &usize| totals[*d] >= 0.5 * median;
    let (Some(first), Some(last)) = ((0..panel.days).find(full), (0..panel.days).rev().find(full))
    else {
        return panel;
    };
    GeoPanel {
        first_day: panel.first_day + chrono::Duration::days(first as i64),
        days: last + 1 - first,
        intervention: panel.intervention.saturating_sub(first),
        series: panel
            .series
            .into_iter()
            .map(|(geo, s)| (geo, s[first..=last].to_vec()))
            .collect(),
    }
}

/// Trimmed, non-empty, deduplicated geo names in their order.
fn clean(geos: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    geos.iter()
        .map(|g| g.trim().to_owned())
        .filter(|g| !g.is_empty() && seen.insert(g.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_edge_days_are_trimmed_and_the_intervention_moves_with_them() {
        let day = NaiveDate::from_ymd_opt(2026, 10, 1).expect("date");
        let series = HashMap::from([
            (
                "A".to_owned(),
                vec![2.0, 50.0, 52.0, 49.0, 51.0, 50.0, 48.0, 10.0],
            ),
            (
                "B".to_owned(),
                vec![1.0, 40.0, 41.0, 39.0, 0.0, 42.0, 40.0, 5.0],
            ),
        ]);
        let panel = trim_partial_days(GeoPanel {
            first_day: day,
            days: 8,
            intervention: 4,
            series,
        });
        assert_eq!(
            panel.days, 6,
            "the first and last days go; the quiet day inside stays"
        );
        assert_eq!(panel.first_day, day + chrono::Duration::days(1));
        assert_eq!(panel.intervention, 3);
        assert_eq!(panel.series["B"], vec![40.0, 41.0, 39.0, 0.0, 42.0, 40.0]);
    }
}
