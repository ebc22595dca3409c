//! The data of an experiment between model versions: every exposed user's arm, and their feed
//! activity (the `interactions` the feed's events left) since it started: views as
//! impressions, clicks, saves, dwell (its seconds) and conversions (their revenue), so the same
//! tests read CTR, save rate, dwell per click, conversion rate and the per-user metrics. The
//! pre-period covariate is each user's clicks and conversions in the weeks before.

use app::error::ApiError;
use chrono::{DateTime, Duration, Utc};
use futures::TryStreamExt;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationDef,
};

use super::database;
use super::experiment_data::{
    ArmUsers, ExperimentData, Happening, Kind, PRE_PERIOD_DAYS, Slots, UserTotals, zero_totals,
};
use crate::db::entities::{experiment, experiment_assignment as assignment, interaction};

/// Interactions joined to the experiment's assignments by user.
pub(super) fn joined() -> RelationDef {
    interaction::Entity::belongs_to(assignment::Entity)
        .from(interaction::Column::UserId)
        .to(assignment::Column::UserId)
        .into()
}

fn kind_of(kind: &str) -> Option<Kind> {
    match kind {
        "view" => Some(Kind::Impression),
        "click" => Some(Kind::Click),
        "save" => Some(Kind::Save),
        "dwell" => Some(Kind::Dwell),
        "conversion" => Some(Kind::Conversion),
        _ => None,
    }
}

/// Loads the experiment's exposed users and their feed activity; `arms` are the arm names.
///
/// # Errors
/// The database's.
pub async fn load(
    db: &DatabaseConnection,
    model: &experiment::Model,
    arms: &[String],
) -> Result<ExperimentData, ApiError> {
    let (slot, mut users) = super::experiment_data::assigned(db, model, arms).await?;
    let start = model.starts_at;
    let end = model.ends_at.unwrap_or_else(Utc::now);
    let mut days = 0;
    let mut rows = interaction::Entity::find()
        .select_only()
        .columns([
            interaction::Column::UserId,
            interaction::Column::Kind,
            interaction::Column::Value,
            interaction::Column::OccurredAt,
        ])
        .join(JoinType::InnerJoin, joined())
        .filter(assignment::Column::ExperimentId.eq(model.id))
        .filter(interaction::Column::OccurredAt.gte(start))
        .filter(interaction::Column::OccurredAt.lt(end))
        .into_tuple::<(i64, String, Option<f64>, DateTime<Utc>)>()
        .stream(db)
        .await
        .map_err(database)?;
    while let Some((user, kind, value, at)) = rows.try_next().await.map_err(database)? {
        let (Some(&(arm, i)), Some(kind)) = (slot.get(&user), kind_of(&kind)) else {
            continue;
        };
        let day = u32::try_from((at - start).num_days()).unwrap_or(0);
        days = days.max(day + 1);
        // A conversion's revenue, a dwell's seconds; the feed itself costs nothing.
        let amount = match kind {
            Kind::Conversion | Kind::Dwell => value.unwrap_or(0.0),
            _ => 0.0,
        };
        users[arm][i].push(Happening { day, kind, amount });
    }
    drop(rows);
    let pre = pre_period(db, model, &slot, &users).await?;
    Ok(ExperimentData { users, pre, days })
}

async fn pre_period(
    db: &DatabaseConnection,
    model: &experiment::Model,
    slot: &Slots,
    users: &ArmUsers,
) -> Result<Vec<Vec<UserTotals>>, ApiError> {
    let mut pre = zero_totals(users);
    let from = model.starts_at - Duration::days(PRE_PERIOD_DAYS);
    let mut rows = interaction::Entity::find()
        .select_only()
        .columns([interaction::Column::UserId, interaction::Column::Kind])
        .join(JoinType::InnerJoin, joined())
        .filter(assignment::Column::ExperimentId.eq(model.id))
        .filter(interaction::Column::Kind.is_in(["click", "save", "conversion"]))
        .filter(interaction::Column::OccurredAt.gte(from))
        .filter(interaction::Column::OccurredAt.lt(model.starts_at))
        .into_tuple::<(i64, String)>()
        .stream(db)
        .await
        .map_err(database)?;
    while let Some((user, kind)) = rows.try_next().await.map_err(database)? {
        let Some(&(arm, i)) = slot.get(&user) else {
            continue;
        };
        let t = &mut pre[arm][i];
        match kind.as_str() {
            "click" => t.clicks += 1.0,
            "save" => t.saves += 1.0,
            _ => t.conversions += 1.0,
        }
    }
    Ok(pre)
}
