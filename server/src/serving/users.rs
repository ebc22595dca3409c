//! A user as the feed sees them: demographic tokens, the recent history of the kinds that
//! count, and every item they have interacted with (to leave out). Two indexed SQL reads per
//! cache miss; the result is cached until the user's next events.

use std::collections::HashSet;

use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::db::entities::{catalogue, interaction, user};
use crate::eval::source::demographic_tokens;

/// How many of a user's most recent interactions are read.
const RECENT: u64 = 5000;

#[derive(Debug, Default)]
pub struct UserRecord {
    pub known: bool,
    /// The SQL id of a known user.
    pub id: Option<i64>,
    pub tokens: Vec<String>,
    /// SQL item ids of the history kinds, most recent first, deduplicated.
    pub history: Vec<i64>,
    pub seen: HashSet<i64>,
}

/// The user `external_id` of `catalogue`; an unknown one is `known: false` and empty.
///
/// # Errors
/// [`DbErr`] from the queries.
pub async fn load(
    db: &DatabaseConnection,
    catalogue_name: &str,
    external_id: &str,
    history_kinds: &[String],
    max_history: usize,
) -> Result<UserRecord, DbErr> {
    let Some(found) = catalogue::Entity::find()
        .filter(catalogue::Column::Name.eq(catalogue_name))
        .one(db)
        .await?
    else {
        return Ok(UserRecord::default());
    };
    let Some(person) = user::Entity::find()
        .filter(user::Column::CatalogueId.eq(found.id))
        .filter(user::Column::ExternalId.eq(external_id))
        .one(db)
        .await?
    else {
        return Ok(UserRecord::default());
    };
    let rows: Vec<(i64, String)> = interaction::Entity::find()
        .select_only()
        .columns([interaction::Column::ItemId, interaction::Column::Kind])
        .filter(interaction::Column::UserId.eq(person.id))
        .order_by_desc(interaction::Column::OccurredAt)
        .limit(RECENT)
        .into_tuple()
        .all(db)
        .await?;
    let mut seen = HashSet::with_capacity(rows.len());
    let mut in_history = HashSet::new();
    let mut history = Vec::new();
    for (item, kind) in &rows {
        seen.insert(*item);
        if history.len() < max_history
            && history_kinds.iter().any(|k| k == kind)
            && in_history.insert(*item)
        {
            history.push(*item);
        }
    }
    Ok(UserRecord {
        known: true,
        id: Some(person.id),
        tokens: demographic_tokens(&person),
        history,
        seen,
    })
}

/// Makes `external_id` a user of catalogue `catalogue_id` if it is not one yet, and returns
/// its SQL id: a browser's visitor or signed-in account becomes a feed user at its first
/// event, and starts on the cold-start feed.
///
/// # Errors
/// [`DbErr`] from the queries.
pub async fn ensure(
    db: &DatabaseConnection,
    catalogue_id: i32,
    external_id: &str,
) -> Result<i64, DbErr> {
    use sea_orm::ActiveValue::{NotSet, Set};
    use sea_orm::sea_query::OnConflict;
    user::Entity::insert(user::ActiveModel {
        id: NotSet,
        catalogue_id: Set(catalogue_id),
        external_id: Set(external_id.to_owned()),
        age: Set(None),
        gender: Set(None),
        occupation: Set(None),
        zip: Set(None),
        created_at: Set(chrono::Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([user::Column::CatalogueId, user::Column::ExternalId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::CatalogueId.eq(catalogue_id))
        .filter(user::Column::ExternalId.eq(external_id))
        .into_tuple::<i64>()
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("user `{external_id}`")))
}
