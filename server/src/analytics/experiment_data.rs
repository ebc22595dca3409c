//! An experiment's data: every assigned user's arm, their events on the experiment's campaign
//! since it started (with the day of each: impressions and clicks with their cost, conversions
//! with their revenue), their saves and dwell on the campaign's promoted items in the feed, and
//! their pre-period conversions and revenue on the advertiser's campaigns (CUPED's covariate).

use std::collections::HashMap;

use app::error::ApiError;
use chrono::{DateTime, Duration, Utc};
use futures::TryStreamExt;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationDef,
};

use super::database;
use crate::db::entities::{
    campaign, creative, event, experiment, experiment_assignment as assignment, interaction,
};

/// How far back the pre-period covariate looks.
pub const PRE_PERIOD_DAYS: i64 = 28;

#[derive(Clone, Copy, Debug, Default)]
pub struct UserTotals {
    pub impressions: f64,
    pub clicks: f64,
    pub saves: f64,
    /// Seconds in view.
    pub dwell: f64,
    pub conversions: f64,
    pub revenue: f64,
    /// What the advertiser paid.
    pub cost: f64,
}

/// One event of a user: the day (from the experiment's start), what it was, and its amount:
/// the cost of an impression or a click, the revenue of a conversion, the seconds of a dwell.
#[derive(Clone, Copy, Debug)]
pub struct Happening {
    pub day: u32,
    pub kind: Kind,
    pub amount: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Impression,
    Click,
    Save,
    Dwell,
    Conversion,
}

/// Every assigned user, by arm index.
pub struct ExperimentData {
    /// `users[arm]`: each user's events in the experiment, in any order.
    pub users: Vec<Vec<Vec<Happening>>>,
    /// `pre[arm]`: each user's pre-period totals, aligned with `users`.
    pub pre: Vec<Vec<UserTotals>>,
    /// Days since the start covered by the data (the number of looks).
    pub days: u32,
}

/// Sums a user's events up to and including `last_day`.
pub fn totals(events: &[Happening], last_day: u32) -> UserTotals {
    let mut t = UserTotals::default();
    for e in events.iter().filter(|e| e.day <= last_day) {
        match e.kind {
            Kind::Impression => {
                t.impressions += 1.0;
                t.cost += e.amount;
            }
            Kind::Click => {
                t.clicks += 1.0;
                t.cost += e.amount;
            }
            Kind::Save => t.saves += 1.0,
            Kind::Dwell => t.dwell += e.amount,
            Kind::Conversion => {
                t.conversions += 1.0;
                t.revenue += e.amount;
            }
        }
    }
    t
}

fn joined() -> RelationDef {
    event::Entity::belongs_to(assignment::Entity)
        .from(event::Column::UserId)
        .to(assignment::Column::UserId)
        .into()
}

/// User id -> (arm, slot within the arm).
pub(super) type Slots = HashMap<i64, (usize, usize)>;
/// Per arm, per user, their events.
pub(super) type ArmUsers = Vec<Vec<Vec<Happening>>>;

/// Every user assigned to the experiment: user id -> (arm, slot within the arm), and an empty
/// event list per slot.
pub(super) async fn assigned(
    db: &DatabaseConnection,
    model: &experiment::Model,
    arms: &[String],
) -> Result<(Slots, ArmUsers), ApiError> {
    let arm_index: HashMap<&str, usize> = arms
        .iter()
        .enumerate()
        .map(|(i, a)| (a.as_str(), i))
        .collect();
    let assigned: Vec<(i64, String)> = assignment::Entity::find()
        .select_only()
        .columns([assignment::Column::UserId, assignment::Column::Arm])
        .filter(assignment::Column::ExperimentId.eq(model.id))
        .into_tuple()
        .all(db)
        .await
        .map_err(database)?;
    // user id -> (arm, slot within the arm)
    let mut slot: HashMap<i64, (usize, usize)> = HashMap::with_capacity(assigned.len());
    let mut users: Vec<Vec<Vec<Happening>>> = vec![Vec::new(); arms.len()];
    for (user, arm) in assigned {
        // An assignment to an arm the experiment no longer has is not analysable.
        if let Some(&a) = arm_index.get(arm.as_str()) {
            slot.insert(user, (a, users[a].len()));
            users[a].push(Vec::new());
        }
    }
    Ok((slot, users))
}

/// Loads the experiment's users and events; `arms` are the arm names in order.
///
/// # Errors
/// The database's.
pub async fn load(
    db: &DatabaseConnection,
    model: &experiment::Model,
    campaign_id: i32,
    arms: &[String],
) -> Result<ExperimentData, ApiError> {
    let (slot, mut users) = assigned(db, model, arms).await?;
    let start = model.starts_at;
    let end = model.ends_at.unwrap_or_else(Utc::now);
    let mut days = 0;
    let mut rows = event::Entity::find()
        .select_only()
        .columns([
            event::Column::UserId,
            event::Column::Kind,
            event::Column::Cost,
            event::Column::Revenue,
            event::Column::OccurredAt,
        ])
        .join(JoinType::InnerJoin, joined())
        .filter(assignment::Column::ExperimentId.eq(model.id))
        .filter(event::Column::CampaignId.eq(campaign_id))
        .filter(event::Column::OccurredAt.gte(start))
        .filter(event::Column::OccurredAt.lt(end))
        .into_tuple::<(Option<i64>, String, f64, f64, DateTime<Utc>)>()
        .stream(db)
        .await
        .map_err(database)?;
    while let Some((user, kind, cost, revenue, at)) = rows.try_next().await.map_err(database)? {
        let Some(&(arm, i)) = user.as_ref().and_then(|u| slot.get(u)) else {
            continue;
        };
        let (kind, amount) = match kind.as_str() {
            "impression" => (Kind::Impression, cost),
            "click" => (Kind::Click, cost),
            "conversion" => (Kind::Conversion, revenue),
            _ => continue,
        };
        let day = u32::try_from((at - start).num_days()).unwrap_or(0);
        days = days.max(day + 1);
        users[arm][i].push(Happening { day, kind, amount });
    }
    drop(rows);
    days = days.max(feed_activity(db, model, campaign_id, &slot, &mut users).await?);
    let pre = pre_period(db, model, &slot, &users).await?;
    Ok(ExperimentData { users, pre, days })
}

/// Saves and dwell of the assigned users on the campaign's promoted items in the feed, since
/// the start; returns the days they cover.
async fn feed_activity(
    db: &DatabaseConnection,
    model: &experiment::Model,
    campaign_id: i32,
    slot: &Slots,
    users: &mut ArmUsers,
) -> Result<u32, ApiError> {
    let promoted: Vec<i64> = creative::Entity::find()
        .select_only()
        .column(creative::Column::ItemId)
        .filter(creative::Column::CampaignId.eq(campaign_id))
        .into_tuple()
        .all(db)
        .await
        .map_err(database)?;
    let start = model.starts_at;
    let end = model.ends_at.unwrap_or_else(Utc::now);
    let mut rows = interaction::Entity::find()
        .select_only()
        .columns([
            interaction::Column::UserId,
            interaction::Column::Kind,
            interaction::Column::Value,
            interaction::Column::OccurredAt,
        ])
        // Joined to the assignments, not an IN list of every assigned user.
        .join(JoinType::InnerJoin, super::feed_experiment_data::joined())
        .filter(assignment::Column::ExperimentId.eq(model.id))
        .filter(interaction::Column::ItemId.is_in(promoted))
        .filter(interaction::Column::Kind.is_in(["save", "dwell"]))
        .filter(interaction::Column::OccurredAt.gte(start))
        .filter(interaction::Column::OccurredAt.lt(end))
        .into_tuple::<(i64, String, Option<f64>, DateTime<Utc>)>()
        .stream(db)
        .await
        .map_err(database)?;
    let mut days = 0;
    while let Some((user, kind, value, at)) = rows.try_next().await.map_err(database)? {
        let Some(&(arm, i)) = slot.get(&user) else {
            continue;
        };
        let kind = if kind == "save" {
            Kind::Save
        } else {
            Kind::Dwell
        };
        let day = u32::try_from((at - start).num_days()).unwrap_or(0);
        days = days.max(day + 1);
        let amount = if kind == Kind::Dwell {
            value.unwrap_or(0.0)
        } else {
            0.0
        };
        users[arm][i].push(Happening { day, kind, amount });
    }
    Ok(days)
}

/// Zero totals for every assigned user, aligned with `users`.
pub(super) fn zero_totals(users: &ArmUsers) -> Vec<Vec<UserTotals>> {
    users
        .iter()
        .map(|u| vec![UserTotals::default(); u.len()])
        .collect()
}

async fn pre_period(
    db: &DatabaseConnection,
    model: &experiment::Model,
    slot: &Slots,
    users: &ArmUsers,
) -> Result<Vec<Vec<UserTotals>>, ApiError> {
    let mut pre = zero_totals(users);
    let Some(advertiser) = model.advertiser_id else {
        return Ok(pre);
    };
    let campaigns: Vec<i32> = campaign::Entity::find()
        .select_only()
        .column(campaign::Column::Id)
        .filter(campaign::Column::AdvertiserId.eq(advertiser))
        .into_tuple()
        .all(db)
        .await
        .map_err(database)?;
    let from = model.starts_at - Duration::days(PRE_PERIOD_DAYS);
    let mut rows = event::Entity::find()
        .select_only()
        .columns([
            event::Column::UserId,
            event::Column::Kind,
            event::Column::Revenue,
        ])
        .join(JoinType::InnerJoin, joined())
        .filter(assignment::Column::ExperimentId.eq(model.id))
        .filter(event::Column::CampaignId.is_in(campaigns))
        .filter(event::Column::Kind.is_in(["click", "conversion"]))
        .filter(event::Column::OccurredAt.gte(from))
        .filter(event::Column::OccurredAt.lt(model.starts_at))
        .into_tuple::<(Option<i64>, String, f64)>()
        .stream(db)
        .await
        .map_err(database)?;
    while let Some((user, kind, revenue)) = rows.try_next().await.map_err(database)? {
        let Some(&(arm, i)) = user.as_ref().and_then(|u| slot.get(u)) else {
            continue;
        };
        let t = &mut pre[arm][i];
        match kind.as_str() {
            "click" => t.clicks += 1.0,
            _ => {
                t.conversions += 1.0;
                t.revenue += revenue;
            }
        }
    }
    Ok(pre)
}
