//! MovieLens-100K (GroupLens; Harper & Konstan 2015) from the atomic files that the `recbole`
//! package carries: `ml-100k.user`, `ml-100k.item`, `ml-100k.inter`.
//!
//! `read` parses and validates everything first; `load` then replaces the `movielens`
//! catalogue in one transaction, so a failed or aborted import leaves the database as it was.

use sea_orm::{
    ActiveValue::{NotSet, Set},
    DatabaseConnection, EntityTrait, TransactionTrait,
};

use super::DataError;
use super::load::{CHUNK, Progress, Tracker, ids_by_external, replace_catalogue};
use crate::db::entities::{interaction, item, user};
pub use formats::movielens::{
    CATALOGUE, MlItem, MlRating, MlUser, MovieLens, files_in_package, from_files, read,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportSummary {
    pub users: usize,
    pub items: usize,
    pub interactions: usize,
}

/// Replaces the `movielens` catalogue with `data`, in one transaction.
///
/// # Errors
/// [`DataError::Database`], or whatever `progress` returned; either way nothing is committed.
pub async fn load(
    db: &DatabaseConnection,
    data: &MovieLens,
    progress: impl FnMut(Progress) -> Result<(), DataError>,
) -> Result<ImportSummary, DataError> {
    let now = chrono::Utc::now();
    let mut tracker = Tracker::new(
        data.users.len() + data.items.len() + data.ratings.len(),
        progress,
    );
    let txn = db.begin().await?;
    let catalogue_id = replace_catalogue(
        &txn,
        CATALOGUE,
        "MovieLens-100K ratings (GroupLens), the quality benchmark",
    )
    .await?;

    for chunk in data.users.chunks(CHUNK) {
        user::Entity::insert_many(chunk.iter().map(|u| user::ActiveModel {
            id: NotSet,
            catalogue_id: Set(catalogue_id),
            external_id: Set(u.id.clone()),
            age: Set(Some(u.age)),
            gender: Set(Some(u.gender.clone())),
            occupation: Set(Some(u.occupation.clone())),
            zip: Set(Some(u.zip.clone())),
            created_at: Set(now),
        }))
        .exec_without_returning(&txn)
        .await?;
        tracker.advance(chunk.len())?;
    }
    for chunk in data.items.chunks(CHUNK) {
        item::Entity::insert_many(chunk.iter().map(|i| {
            item::ActiveModel {
                id: NotSet,
                catalogue_id: Set(catalogue_id),
                external_id: Set(i.id.clone()),
                title: Set(i.title.clone()),
                description: Set(describe(i)),
                category: Set(i
                    .genres
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "unknown".to_owned())),
                year: Set(i.year),
                genres: Set(Some(i.genres.join(" "))),
                retired_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
        }))
        .exec_without_returning(&txn)
        .await?;
        tracker.advance(chunk.len())?;
    }

    let user_ids = ids_by_external(&txn, "users", catalogue_id).await?;
    let item_ids = ids_by_external(&txn, "items", catalogue_id).await?;
    for chunk in data.ratings.chunks(CHUNK) {
        let mut rows = Vec::with_capacity(chunk.len());
        for r in chunk {
            let (Some(&user_id), Some(&item_id)) = (user_ids.get(&r.user), item_ids.get(&r.item))
            else {
                return Err(DataError::Inconsistent(format!(
                    "rating of item {} by user {} refers to a row that was not loaded",
                    r.item, r.user
                )));
            };
            rows.push(interaction::ActiveModel {
                id: NotSet,
                user_id: Set(user_id),
                item_id: Set(item_id),
                kind: Set("rating".to_owned()),
                value: Set(Some(r.rating)),
                occurred_at: Set(chrono::DateTime::from_timestamp(r.timestamp, 0).unwrap_or(now)),
                model_version: Set(None),
                idempotency_key: NotSet,
            });
        }
        interaction::Entity::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
        tracker.advance(chunk.len())?;
    }
    txn.commit().await?;
    Ok(ImportSummary {
        users: data.users.len(),
        items: data.items.len(),
        interactions: data.ratings.len(),
    })
}

/// "Toy Story (1995). Animation, Children's, Comedy."
fn describe(item: &MlItem) -> String {
    let genres = item.genres.join(", ");
    match item.year {
        Some(year) => format!("{} ({year}). {genres}.", item.title),
        None => format!("{}. {genres}.", item.title),
    }
}
