//! Reads of item content by id (extraction, the evaluation's ceiling) and of a catalogue's
//! item cards (indexing and serving).

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

/// What a feed shows of an item.
#[derive(Clone, Debug, PartialEq)]
pub struct ItemCard {
    pub id: i64,
    pub external_id: String,
    pub title: String,
    pub category: String,
    pub has_picture: bool,
}

/// Every item of `catalogue` that is not retired, by id.
///
/// # Errors
/// [`DbErr`] from the queries; an unknown catalogue has no items.
pub async fn catalogue_cards(
    db: &DatabaseConnection,
    catalogue: &str,
) -> Result<Vec<ItemCard>, DbErr> {
    use super::entities::catalogue as cat;
    let Some(found) = cat::Entity::find()
        .filter(cat::Column::Name.eq(catalogue))
        .one(db)
        .await?
    else {
        return Ok(Vec::new());
    };
    let with_picture: std::collections::HashSet<i64> = item_image::Entity::find()
        .select_only()
        .column(item_image::Column::ItemId)
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut cards = active_cards(db, item::Column::CatalogueId.eq(found.id), &with_picture).await?;
    cards.sort_by_key(|c| c.id);
    Ok(cards)
}

/// The cards of the items in `ids` that are not retired (the catalogue API's new ones).
///
/// # Errors
/// [`DbErr`] from the queries.
pub async fn cards_of(db: &DatabaseConnection, ids: &[i64]) -> Result<Vec<ItemCard>, DbErr> {
    let pictures = with_picture(db, ids).await?;
    active_cards(db, item::Column::Id.is_in(ids.iter().copied()), &pictures).await
}

async fn active_cards(
    db: &DatabaseConnection,
    which: sea_orm::sea_query::SimpleExpr,
    with_picture: &std::collections::HashSet<i64>,
) -> Result<Vec<ItemCard>, DbErr> {
    Ok(item::Entity::find()
        .select_only()
        .columns([
            item::Column::Id,
            item::Column::ExternalId,
            item::Column::Title,
            item::Column::Category,
        ])
        .filter(which)
        .filter(item::Column::RetiredAt.is_null())
        .into_tuple::<(i64, String, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, external_id, title, category)| ItemCard {
            has_picture: with_picture.contains(&id),
            id,
            external_id,
            title,
            category,
        })
        .collect())
}

/// Which of `ids` have a picture, without reading the pictures.
///
/// # Errors
/// [`DbErr`] from the query.
pub async fn with_picture(
    db: &DatabaseConnection,
    ids: &[i64],
) -> Result<std::collections::HashSet<i64>, DbErr> {
    Ok(item_image::Entity::find()
        .select_only()
        .column(item_image::Column::ItemId)
        .filter(item_image::Column::ItemId.is_in(ids.iter().copied()))
        .into_tuple::<i64>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}
