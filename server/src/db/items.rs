//! Reads of item content by id, shared by extraction and the evaluation's ceiling.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::entities::{item, item_image};

/// `(title, description)` of each of `ids` that exists.
///
/// # Errors
/// [`DbErr`] from the query.
pub async fn texts(
    db: &DatabaseConnection,
    ids: &[i64],
) -> Result<HashMap<i64, (String, String)>, DbErr> {
    Ok(item::Entity::find()
        .select_only()
        .columns([
            item::Column::Id,
            item::Column::Title,
            item::Column::Description,
        ])
        .filter(item::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<(i64, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, title, description)| (id, (title, description)))
        .collect())
}

/// The encoded picture of each of `ids` that has one.
///
/// # Errors
/// [`DbErr`] from the query.
pub async fn pictures(
    db: &DatabaseConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<u8>>, DbErr> {
    Ok(item_image::Entity::find()
        .select_only()
        .columns([item_image::Column::ItemId, item_image::Column::Content])
        .filter(item_image::Column::ItemId.is_in(ids.iter().copied()))
        .into_tuple::<(i64, Vec<u8>)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}
