//! The campaigns an advertiser sees (an admin: all of them), each with its totals over one
//! date range: one grouped query over the daily rollups, the Campaigns page's table and tiles.

use std::collections::HashMap;

use app::error::ApiError;
use app::services::Caller;
use app::wire::{CampaignList, CampaignListRequest, CampaignSummary, Metric};
use chrono::{Duration, NaiveDate};
use sea_orm::sea_query::{Expr, Func, SimpleExpr};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::access::advertiser_of;
use super::campaign::{Sums, sum_float, sum_int};
use super::dates::range;
use super::{Analytics, database};
use crate::db::entities::{advertiser, campaign, campaign_daily_stat as stat};

/// The default range: the last four weeks with data.
const DEFAULT_DAYS: i64 = 28;

impl Analytics {
    pub(crate) async fn list_campaigns(
        &self,
        caller: &Caller,
        request: CampaignListRequest,
    ) -> Result<CampaignList, ApiError> {
        let db = &self.db;
        let mut query = campaign::Entity::find().order_by_asc(campaign::Column::Id);
        if let Some(own) = advertiser_of(caller)? {
            query = query.filter(campaign::Column::AdvertiserId.eq(own));
        }
        let campaigns = query.all(db).await.map_err(database)?;
        let ids: Vec<i32> = campaigns.iter().map(|c| c.id).collect();
        let advertisers: HashMap<i32, advertiser::Model> = advertiser::Entity::find()
            .filter(advertiser::Column::Id.is_in(campaigns.iter().map(|c| c.advertiser_id)))
            .all(db)
            .await
            .map_err(database)?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
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
            .filter(stat::Column::CampaignId.is_in(ids.clone()))
            .into_tuple()
            .one(db)
            .await
            .map_err(database)?;
        let span = match bounds.and_then(|(a, b)| a.zip(b)) {
            Some((first, last)) => {
                let default_from = (last - Duration::days(DEFAULT_DAYS - 1)).max(first);
                Some(range(
                    request.from.as_deref(),
                    request.to.as_deref(),
                    (default_from, last),
                    self.settings.analytics.max_range_days,
                )?)
            }
            None => None,
        };
        let sums: HashMap<i32, Sums> = match span {
            None => HashMap::new(),
            Some((from, to)) => stat::Entity::find()
                .select_only()
                .column(stat::Column::CampaignId)
                .column_as(sum_int(stat::Column::Impressions), "impressions")
                .column_as(sum_int(stat::Column::Clicks), "clicks")
                .column_as(sum_int(stat::Column::Conversions), "conversions")
                .column_as(sum_float(stat::Column::Spend), "spend")
                .column_as(sum_float(stat::Column::Revenue), "revenue")
                .filter(stat::Column::CampaignId.is_in(ids))
                .filter(stat::Column::Day.between(from, to))
                .group_by(stat::Column::CampaignId)
                .into_tuple::<(
                    i32,
                    Option<i64>,
                    Option<i64>,
                    Option<i64>,
                    Option<f64>,
                    Option<f64>,
                )>()
                .all(db)
                .await
                .map_err(database)?
                .into_iter()
                .map(|(id, i, c, v, s, r)| {
                    let sums = Sums {
                        impressions: i.unwrap_or(0),
                        clicks: c.unwrap_or(0),
                        conversions: v.unwrap_or(0),
                        spend: s.unwrap_or(0.0),
                        revenue: r.unwrap_or(0.0),
                    };
                    (id, sums)
                })
                .collect(),
        };
        let currency_of = |c: &campaign::Model| {
            advertisers
                .get(&c.advertiser_id)
                .map_or_else(String::new, |a| a.currency.clone())
        };
        let currencies: std::collections::HashSet<String> =
            campaigns.iter().map(currency_of).collect();
        let one_currency = (currencies.len() == 1)
            .then(|| currencies.into_iter().next())
            .flatten();
        let total = one_currency
            .as_ref()
            .map(|_| sums.values().fold(Sums::default(), |t, s| t + *s));
        Ok(CampaignList {
            from: span.map(|s| s.0.to_string()).unwrap_or_default(),
            to: span.map(|s| s.1.to_string()).unwrap_or_default(),
            campaigns: campaigns
                .iter()
                .map(|c| CampaignSummary {
                    campaign_id: c.id,
                    name: c.name.clone(),
                    advertiser: advertisers
                        .get(&c.advertiser_id)
                        .map_or_else(String::new, |a| a.name.clone()),
                    status: c.status.clone(),
                    currency: currency_of(c),
                    values: sums
                        .get(&c.id)
                        .copied()
                        .unwrap_or_default()
                        .values(&Metric::ALL),
                })
                .collect(),
            totals: total.map(|t| t.values(&Metric::ALL)),
            currency: one_currency,
        })
    }
}
