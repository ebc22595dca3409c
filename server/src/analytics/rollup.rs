//! Daily rollups (`campaign_daily_stats`) from raw events: per campaign, creative, segment, geo
//! and calendar day in the advertiser's time zone, with conversions counted only when the same
//! user clicked the campaign within the attribution window before. A campaign's rollup is
//! rebuilt whole, in one transaction, so a reader sees the old rows or the new ones.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use futures::TryStreamExt;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};

use crate::db::entities::{advertiser, campaign, campaign_daily_stat as stat, event};

/// Campaigns whose events changed since their rollup was built.
#[derive(Default)]
pub struct RollupQueue {
    pending: Mutex<Pending>,
}

#[derive(Default)]
struct Pending {
    everything: bool,
    campaigns: HashSet<i32>,
}

impl RollupQueue {
    /// A queue that starts with every campaign due (the window may have changed since).
    pub fn everything_due() -> Self {
        let queue = Self::default();
        queue.mark_all();
        queue
    }

    pub fn mark(&self, campaigns: impl IntoIterator<Item = i32>) {
        if let Ok(mut p) = self.pending.lock() {
            p.campaigns.extend(campaigns);
        }
    }

    pub fn mark_all(&self) {
        if let Ok(mut p) = self.pending.lock() {
            p.everything = true;
        }
    }

    /// What is due, emptying the queue: `None` for every campaign.
    pub(crate) fn take(&self) -> Option<Option<Vec<i32>>> {
        let mut p = self.pending.lock().ok()?;
        if p.everything {
            p.everything = false;
            p.campaigns.clear();
            return Some(None);
        }
        if p.campaigns.is_empty() {
            return None;
        }
        Some(Some(p.campaigns.drain().collect()))
    }
}

#[derive(Default)]
struct Totals {
    impressions: i64,
    clicks: i64,
    conversions: i64,
    spend: f64,
    revenue: f64,
}

/// The advertiser's zone of `campaign_id`; UTC when the stored name is not a zone.
pub async fn campaign_zone(
    db: &DatabaseConnection,
    campaign_id: i32,
) -> Result<Option<(campaign::Model, advertiser::Model, Tz)>, DbErr> {
    let Some(c) = campaign::Entity::find_by_id(campaign_id).one(db).await? else {
        return Ok(None);
    };
    let Some(a) = advertiser::Entity::find_by_id(c.advertiser_id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let zone = a.time_zone.parse::<Tz>().unwrap_or(Tz::UTC);
    Ok(Some((c, a, zone)))
}

/// Rebuilds the rollup of one campaign; returns the rows written.
///
/// # Errors
/// The database's.
pub async fn rebuild_campaign(
    db: &DatabaseConnection,
    campaign_id: i32,
    window_hours: u32,
) -> Result<usize, DbErr> {
    let Some((_, _, zone)) = campaign_zone(db, campaign_id).await? else {
        return Ok(0);
    };
    let window = Duration::hours(i64::from(window_hours));
    let mut last_click: HashMap<i64, DateTime<Utc>> = HashMap::new();
    let mut cells: HashMap<(i32, String, String, NaiveDate), Totals> = HashMap::new();
    let mut rows = event::Entity::find()
        .select_only()
        .columns([
            event::Column::Kind,
            event::Column::CreativeId,
            event::Column::UserId,
            event::Column::Segment,
            event::Column::Geo,
            event::Column::Cost,
            event::Column::Revenue,
            event::Column::OccurredAt,
        ])
        .filter(event::Column::CampaignId.eq(campaign_id))
        .order_by_asc(event::Column::OccurredAt)
        .order_by_asc(event::Column::Id)
        .into_tuple::<(
            String,
            i32,
            Option<i64>,
            String,
            String,
            f64,
            f64,
            DateTime<Utc>,
        )>()
        .stream(db)
        .await?;
    while let Some((kind, creative, user, segment, geo, cost, revenue, at)) =
        rows.try_next().await?
    {
        let day = at.with_timezone(&zone).date_naive();
        let cell = cells.entry((creative, segment, geo, day)).or_default();
        cell.spend += cost;
        match kind.as_str() {
            "impression" => cell.impressions += 1,
            "click" => {
                cell.clicks += 1;
                if let Some(u) = user {
                    last_click.insert(u, at);
                }
            }
            "conversion" => {
                let attributed = user
                    .and_then(|u| last_click.get(&u))
                    .is_some_and(|clicked| at - *clicked <= window);
                if attributed {
                    cell.conversions += 1;
                    cell.revenue += revenue;
                }
            }
            _ => {}
        }
    }
    drop(rows);
    let written = cells.len();
    let models: Vec<stat::ActiveModel> = cells
        .into_iter()
        .map(|((creative_id, segment, geo, day), t)| stat::ActiveModel {
            campaign_id: Set(campaign_id),
            creative_id: Set(creative_id),
            segment: Set(segment),
            geo: Set(geo),
            day: Set(day),
            impressions: Set(t.impressions),
            clicks: Set(t.clicks),
            conversions: Set(t.conversions),
            spend: Set(t.spend),
            revenue: Set(t.revenue),
        })
        .collect();
    let txn = db.begin().await?;
    stat::Entity::delete_many()
        .filter(stat::Column::CampaignId.eq(campaign_id))
        .exec(&txn)
        .await?;
    // 10 columns a row: 500 rows stay well under SQLite's bound-parameter limit.
    for chunk in models.chunks(500) {
        stat::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(written)
}

/// Rebuilds `campaigns`, or every campaign when `None`; returns the rows written.
///
/// # Errors
/// The database's.
pub async fn rebuild(
    db: &DatabaseConnection,
    campaigns: Option<Vec<i32>>,
    window_hours: u32,
) -> Result<usize, DbErr> {
    let ids = match campaigns {
        Some(ids) => ids,
        None => {
            campaign::Entity::find()
                .select_only()
                .column(campaign::Column::Id)
                .into_tuple::<i32>()
                .all(db)
                .await?
        }
    };
    let mut written = 0;
    for id in ids {
        written += rebuild_campaign(db, id, window_hours).await?;
    }
    Ok(written)
}
