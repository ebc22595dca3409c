//! An experiment's data: every assigned user's arm, their events on the experiment's campaign
//! since it started (with the day of each), and their pre-period conversions and revenue on
//! the advertiser's campaigns (CUPED's covariate).

use std::collections::HashMap;

use app::error::ApiError;
use chrono::{DateTime, Duration, Utc};
use futures::TryStreamExt;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationDef,
};

use super::database;
use crate::db::entities::{campaign, event, experiment, experiment_assignment as assignment};

/// How far back the pre-period covariate looks.
pub const PRE_PERIOD_DAYS: i64 = 28;

#[derive(Clone, Copy, Debug, Default)]
pub struct UserTotals {
    pub impressions: f64,
    pub clicks: f64,
    pub conversions: f64,
    pub revenue: f64,
}

/// One event of a user: the day (from the experiment's start) and what it was.
#[derive(Clone, Copy, Debug)]
pub struct Happening {
    pub day: u32,
    pub kind: Kind,
    pub revenue: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Impression,
    Click,
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
            Kind::Impression => t.impressions += 1.0,
            Kind::Click => t.clicks += 1.0,
            Kind::Conversion => {
                t.conversions += 1.0;
                t.revenue += e.revenue;
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
            event::Column::Revenue,
            event::Column::OccurredAt,
        ])
        .join(JoinType::InnerJoin, joined())
        .filter(assignment::Column::ExperimentId.eq(model.id))
        .filter(event::Column::CampaignId.eq(campaign_id))
        .filter(event::Column::OccurredAt.gte(start))
        .filter(event::Column::OccurredAt.lt(end))
        .into_tuple::<(Option<i64>, String, f64, DateTime<Utc>)>()
        .stream(db)
        .await
        .map_err(database)?;
    while let Some((user, kind, revenue, at)) = rows.try_next().await.map_err(database)? {
        let Some(&(arm, i)) = user.as_ref().and_then(|u| slot.get(u)) else {
            continue;
        };
        let kind = match kind.as_str() {
            "impression" => Kind::Impression,
            "click" => Kind::Click,
            "conversion" => Kind::Conversion,
            _ => continue,
        };
        let day = u32::try_from((at - start).num_days()).unwrap_or(0);
        days = days.max(day + 1);
        users[arm][i].push(Happening { day, kind, revenue });
    }
    drop(rows);
    let pre = pre_period(db, model, &slot, &users).await?;
    Ok(ExperimentData { users, pre, days })
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
