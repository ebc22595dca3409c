//! Replacing items: each named item becomes exactly what the request says (title, category,
//! text, and picture: one given replaces the stored one, none removes it), with the same
//! checks as a new item. SQL changes in one transaction, and the items' content features are
//! dropped, so the next `extract` (the serving engine's additions pass) encodes the new
//! content, and the new vectors replace the old rows in the served snapshot.

use std::collections::HashMap;

use app::error::{ApiError, ErrorCode};
use app::wire::{AddedItem, NewItems};
use chrono::Utc;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};

use super::{catalogue_id, check, database, image_row};
use crate::db::entities::{item, item_image};
use crate::vector::{FeatureTable, VectorStore};

/// Replaces the items, all or none. Returns their SQL ids.
///
/// # Errors
/// The checks' errors; `not_found` for an id the catalogue does not have, `conflict` for a
/// retired one (nothing is changed); `vector_store_unavailable` when the old features cannot
/// be dropped.
pub async fn update_items(
    db: &DatabaseConnection,
    store: &VectorStore,
    catalogue_name: &str,
    request: NewItems,
) -> Result<Vec<AddedItem>, ApiError> {
    let checked = check::items(request.items)?;
    let catalogue = catalogue_id(db, catalogue_name).await?;
    let found: HashMap<String, (i64, bool)> = item::Entity::find()
        .select_only()
        .columns([item::Column::ExternalId, item::Column::Id])
        .column(item::Column::RetiredAt)
        .filter(item::Column::CatalogueId.eq(catalogue))
        .filter(item::Column::ExternalId.is_in(checked.iter().map(|c| c.external_id.clone())))
        .into_tuple::<(String, i64, Option<chrono::DateTime<Utc>>)>()
        .all(db)
        .await
        .map_err(database)?
        .into_iter()
        .map(|(external, id, retired)| (external, (id, retired.is_some())))
        .collect();
    for c in &checked {
        match found.get(&c.external_id) {
            None => {
                return Err(ApiError::new(
                    ErrorCode::NotFound,
                    format!(
                        "no item `{}` in `{catalogue_name}`; nothing was updated",
                        c.external_id
                    ),
                ));
            }
            Some((_, true)) => {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    format!("item `{}` is retired; nothing was updated", c.external_id),
                ));
            }
            Some(_) => {}
        }
    }
    // Dropped before SQL changes, so a failure on either side leaves content that `extract`
    // encodes correctly; and again after, in case an additions pass encoded the old content
    // in between.
    let ids: Vec<i64> = checked.iter().map(|c| found[&c.external_id].0).collect();
    let features = FeatureTable::open_existing(store).await.map_err(vectors)?;
    if let Some(table) = &features {
        table.delete_items(&ids).await.map_err(vectors)?;
    }
    let now = Utc::now();
    let txn = db.begin().await.map_err(database)?;
    let mut updated = Vec::with_capacity(checked.len());
    for c in checked {
        let item_id = found[&c.external_id].0;
        item::Entity::update_many()
            .col_expr(item::Column::Title, c.title.into())
            .col_expr(item::Column::Category, c.category.into())
            .col_expr(item::Column::Description, c.text.into())
            .col_expr(item::Column::UpdatedAt, now.into())
            .filter(item::Column::Id.eq(item_id))
            .exec(&txn)
            .await
            .map_err(database)?;
        item_image::Entity::delete_many()
            .filter(item_image::Column::ItemId.eq(item_id))
            .exec(&txn)
            .await
            .map_err(database)?;
        if let Some(p) = c.picture {
            item_image::Entity::insert(image_row(item_id, p, now))
                .exec(&txn)
                .await
                .map_err(database)?;
        }
        updated.push(AddedItem {
            external_id: c.external_id,
            item_id,
        });
    }
    txn.commit().await.map_err(database)?;
    if let Some(table) = &features {
        table.delete_items(&ids).await.map_err(vectors)?;
    }
    Ok(updated)
}

fn vectors(error: crate::vector::VectorError) -> ApiError {
    crate::failure::hidden(
        ErrorCode::VectorStoreUnavailable,
        "the items' old features could not be dropped from the vector store; try again",
        "dropping updated items' features",
        &error,
    )
}
