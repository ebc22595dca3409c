//! The catalogue API's writes: new items (with their picture) and new users, all of a batch or
//! none, and retiring items. Every check runs before the transaction (`check`), a duplicate of
//! a stored id is a conflict, and the serving engine is told what changed.
//!
//! - `check`   what a batch of new items must be
//! - `update`  replacing items' text and picture, with their features
//! - `service` `CatalogueService`: the catalogue key's policy, the writes, telling the feed

pub mod check;
pub mod service;
mod update;

pub use update::update_items;

use std::collections::HashSet;

use app::error::{ApiError, ErrorCode};
use app::wire::{AddedItem, NewItems};
use chrono::Utc;
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    Set, TransactionTrait,
};

use crate::db::entities::{catalogue, item, item_image, user};

fn database(error: sea_orm::DbErr) -> ApiError {
    crate::failure::database("a catalogue write", error)
}

async fn catalogue_id(db: &DatabaseConnection, name: &str) -> Result<i32, ApiError> {
    catalogue::Entity::find()
        .filter(catalogue::Column::Name.eq(name))
        .one(db)
        .await
        .map_err(database)?
        .map(|c| c.id)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!("the catalogue `{name}` is not imported"),
            )
        })
}

/// Which of `ids` the catalogue already has, among `column`'s values.
async fn existing<E: EntityTrait>(
    db: &DatabaseConnection,
    catalogue: i32,
    catalogue_column: E::Column,
    external_column: E::Column,
    ids: &[String],
) -> Result<Vec<String>, ApiError>
where
    E::Column: ColumnTrait,
{
    E::find()
        .select_only()
        .column(external_column)
        .filter(catalogue_column.eq(catalogue))
        .filter(external_column.is_in(ids.iter().cloned()))
        .into_tuple::<String>()
        .all(db)
        .await
        .map_err(database)
}

/// The stored row of an item's picture.
fn image_row(
    item_id: i64,
    p: check::Picture,
    now: chrono::DateTime<Utc>,
) -> item_image::ActiveModel {
    item_image::ActiveModel {
        id: NotSet,
        item_id: Set(item_id),
        mime_type: Set(p.mime_type.to_owned()),
        width: Set(i32::try_from(p.width).unwrap_or(i32::MAX)),
        height: Set(i32::try_from(p.height).unwrap_or(i32::MAX)),
        content_hash: Set(crate::data::fashion::content_hash(&p.bytes)),
        content: Set(p.bytes),
        created_at: Set(now),
    }
}

/// Adds the items and their pictures in one transaction.
///
/// # Errors
/// The checks' errors; `conflict` when the catalogue already has one of the ids (nothing is
/// written); `not_found` for an unknown catalogue.
pub async fn add_items(
    db: &DatabaseConnection,
    catalogue_name: &str,
    request: NewItems,
) -> Result<Vec<AddedItem>, ApiError> {
    let checked = check::items(request.items)?;
    let catalogue = catalogue_id(db, catalogue_name).await?;
    let ids: Vec<String> = checked.iter().map(|c| c.external_id.clone()).collect();
    let taken = existing::<item::Entity>(
        db,
        catalogue,
        item::Column::CatalogueId,
        item::Column::ExternalId,
        &ids,
    )
    .await?;
    if let Some(first) = taken.first() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!(
                "{} of these items are already in `{catalogue_name}` (e.g. `{first}`); nothing was added",
                taken.len()
            ),
        ));
    }
    let now = Utc::now();
    let txn = db.begin().await.map_err(database)?;
    let mut added = Vec::with_capacity(checked.len());
    for c in checked {
        let row = item::ActiveModel {
            id: NotSet,
            catalogue_id: Set(catalogue),
            external_id: Set(c.external_id.clone()),
            title: Set(c.title),
            description: Set(c.text),
            category: Set(c.category),
            year: Set(None),
            genres: Set(None),
            retired_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let item_id = item::Entity::insert(row)
            .exec(&txn)
            .await
            .map_err(database)?
            .last_insert_id;
        if let Some(p) = c.picture {
            item_image::Entity::insert(image_row(item_id, p, now))
                .exec(&txn)
                .await
                .map_err(database)?;
        }
        added.push(AddedItem {
            external_id: c.external_id,
            item_id,
        });
    }
    txn.commit().await.map_err(database)?;
    Ok(added)
}

/// Retires the items (they stay in SQL for history and analytics). Returns their SQL ids.
///
/// # Errors
/// `not_found` naming an id the catalogue does not have (nothing is retired).
pub async fn retire_items(
    db: &DatabaseConnection,
    catalogue_name: &str,
    external_ids: &[String],
) -> Result<Vec<i64>, ApiError> {
    check::batch_size(external_ids.len(), "items")?;
    let catalogue = catalogue_id(db, catalogue_name).await?;
    let found: Vec<(i64, String)> = item::Entity::find()
        .select_only()
        .columns([item::Column::Id, item::Column::ExternalId])
        .filter(item::Column::CatalogueId.eq(catalogue))
        .filter(item::Column::ExternalId.is_in(external_ids.iter().cloned()))
        .into_tuple()
        .all(db)
        .await
        .map_err(database)?;
    let known: HashSet<&str> = found.iter().map(|(_, e)| e.as_str()).collect();
    if let Some(missing) = external_ids.iter().find(|e| !known.contains(e.as_str())) {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            format!("no item `{missing}` in `{catalogue_name}`; nothing was retired"),
        ));
    }
    let ids: Vec<i64> = found.iter().map(|(id, _)| *id).collect();
    item::Entity::update_many()
        .col_expr(
            item::Column::RetiredAt,
            sea_orm::sea_query::Expr::value(Utc::now()),
        )
        .filter(item::Column::Id.is_in(ids.clone()))
        .filter(item::Column::RetiredAt.is_null())
        .exec(db)
        .await
        .map_err(database)?;
    Ok(ids)
}

/// Adds feed users; they start on the cold-start feed.
///
/// # Errors
/// `invalid_input` for a bad or repeated id; `conflict` when one exists (nothing is added).
pub async fn add_users(
    db: &DatabaseConnection,
    catalogue_name: &str,
    user_ids: &[String],
) -> Result<usize, ApiError> {
    check::batch_size(user_ids.len(), "users")?;
    let mut seen = HashSet::new();
    for (i, id) in user_ids.iter().enumerate() {
        check::external_id(id, &format!("user_ids[{i}]"))?;
        if !seen.insert(id) {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                format!("user_ids[{i}] `{id}` appears twice in the batch"),
            ));
        }
    }
    let catalogue = catalogue_id(db, catalogue_name).await?;
    let taken = existing::<user::Entity>(
        db,
        catalogue,
        user::Column::CatalogueId,
        user::Column::ExternalId,
        user_ids,
    )
    .await?;
    if let Some(first) = taken.first() {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("user `{first}` is already in `{catalogue_name}`; nothing was added"),
        ));
    }
    let now = Utc::now();
    user::Entity::insert_many(user_ids.iter().map(|id| user::ActiveModel {
        id: NotSet,
        catalogue_id: Set(catalogue),
        external_id: Set(id.clone()),
        age: Set(None),
        gender: Set(None),
        occupation: Set(None),
        zip: Set(None),
        created_at: Set(now),
    }))
    .exec(db)
    .await
    .map_err(database)?;
    Ok(user_ids.len())
}
