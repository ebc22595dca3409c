//! The campaigns an advertiser sees (an admin: all of them), each with its totals over one
//! date range: one grouped query over the daily rollups, the Campaigns page's table and tiles.

use std::collections::HashMap;

use app::error::ApiError;
use app::services::Caller;
use app::wire::{CampaignList, CampaignListRequest, CampaignSummary, Metric};
use chrono::Duration;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::access::advertiser_of;
use super::campaign::{Sums, data_bounds, grouped};
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
        let bounds = data_bounds(db, &ids).await?;
        let span = match bounds {
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
            Some(span) => grouped::<i32>(db, &ids, span, stat::Column::CampaignId)
                .await?
                .into_iter()
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
