//! Promoted items: the creatives of campaigns that are active, inside their schedule, and
//! have budget left today (and in total). Re-read every few seconds by a background task, so a
//! request never touches SQL for them; spend can overshoot by what is served in that window.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::db::entities::{campaign, creative, event};

#[derive(Clone, Debug, PartialEq)]
pub struct Promotion {
    pub campaign_id: i32,
    pub creative_id: i32,
    pub item_id: i64,
}

async fn spend_since(
    db: &DatabaseConnection,
    since: Option<DateTime<Utc>>,
) -> Result<HashMap<i32, f64>, DbErr> {
    let mut query = event::Entity::find()
        .select_only()
        .column(event::Column::CampaignId)
        .column_as(event::Column::Cost.sum(), "spend")
        .group_by(event::Column::CampaignId);
    if let Some(since) = since {
        query = query.filter(event::Column::OccurredAt.gte(since));
    }
    Ok(query
        .into_tuple::<(i32, Option<f64>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(c, s)| (c, s.unwrap_or(0.0)))
        .collect())
}

/// The promotions that may be served at `now`.
///
/// # Errors
/// [`DbErr`] from the queries.
pub async fn active(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<Vec<Promotion>, DbErr> {
    let campaigns = campaign::Entity::find()
        .filter(campaign::Column::Status.eq("active"))
        .filter(campaign::Column::StartsAt.lte(now))
        .all(db)
        .await?;
    let running: Vec<&campaign::Model> = campaigns
        .iter()
        .filter(|c| c.ends_at.is_none_or(|end| end > now))
        .collect();
    if running.is_empty() {
        return Ok(Vec::new());
    }
    // "Today" is the UTC day; advertisers' own time zones belong to their reports.
    let midnight = now.date_naive().and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    let today = spend_since(db, midnight).await?;
    let total = spend_since(db, None).await?;
    let open: Vec<i32> = running
        .iter()
        .filter(|c| today.get(&c.id).copied().unwrap_or(0.0) < c.daily_budget)
        .filter(|c| {
            c.total_budget
                .is_none_or(|cap| total.get(&c.id).copied().unwrap_or(0.0) < cap)
        })
        .map(|c| c.id)
        .collect();
    if open.is_empty() {
        return Ok(Vec::new());
    }
    Ok(creative::Entity::find()
        .filter(creative::Column::CampaignId.is_in(open))
        .all(db)
        .await?
        .into_iter()
        .map(|c| Promotion {
            campaign_id: c.campaign_id,
            creative_id: c.id,
            item_id: c.item_id,
        })
        .collect())
}
