//! What extraction reads from SQL: the ids in scope, then pages of texts and pictures.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::ExtractError;
use crate::db::entities::{catalogue, item};
use crate::db::items;

/// One item as the encoders take it.
pub struct SourceItem {
    pub id: i64,
    pub text: String,
    /// Encoded picture bytes (PNG), when the item has one.
    pub picture: Option<Vec<u8>>,
}

/// The text the text encoder reads: the title, then the description unless it already
/// starts with the title (MovieLens descriptions do).
pub fn item_text(title: &str, description: &str) -> String {
    let description = description.trim();
    if description.is_empty() {
        title.trim().to_owned()
    } else if description.starts_with(title.trim()) {
        description.to_owned()
    } else {
        format!("{}. {description}", title.trim().trim_end_matches('.'))
    }
}

/// Active (not retired) item ids in ascending order, of one catalogue or of all.
pub(super) async fn active_item_ids(
    db: &DatabaseConnection,
    catalogue_name: Option<&str>,
) -> Result<Vec<i64>, ExtractError> {
    let mut query = item::Entity::find()
        .select_only()
        .column(item::Column::Id)
        .filter(item::Column::RetiredAt.is_null())
        .order_by_asc(item::Column::Id);
    if let Some(name) = catalogue_name {
        let found = catalogue::Entity::find()
            .filter(catalogue::Column::Name.eq(name))
            .one(db)
            .await?
            .ok_or_else(|| ExtractError::UnknownCatalogue(name.to_owned()))?;
        query = query.filter(item::Column::CatalogueId.eq(found.id));
    }
    Ok(query.into_tuple::<i64>().all(db).await?)
}

/// The texts and pictures of `ids`, in the order of `ids`.
pub(super) async fn load_page(
    db: &DatabaseConnection,
    ids: &[i64],
) -> Result<Vec<SourceItem>, ExtractError> {
    let mut texts: HashMap<i64, String> = items::texts(db, ids)
        .await?
        .into_iter()
        .map(|(id, (title, description))| (id, item_text(&title, &description)))
        .collect();
    let mut pictures = items::pictures(db, ids).await?;
    // An id that vanished between listing and reading (retired and purged) is simply skipped.
    Ok(ids
        .iter()
        .filter_map(|id| {
            Some(SourceItem {
                id: *id,
                text: texts.remove(id)?,
                picture: pictures.remove(id),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::item_text;

    #[test]
    fn the_text_joins_title_and_description_once() {
        assert_eq!(
            item_text("Wrap dress", "Soft and light."),
            "Wrap dress. Soft and light."
        );
        assert_eq!(
            item_text("Toy Story", "Toy Story (1995). Animation, Comedy."),
            "Toy Story (1995). Animation, Comedy."
        );
        assert_eq!(item_text(" Bag ", "  "), "Bag");
    }
}
