//! What every importer does the same way inside its one transaction: replace a catalogue,
//! map source ids to database ids, and report progress (which may abort the import).

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};

use super::DataError;
use crate::db::entities::catalogue;

/// Rows per INSERT statement: well under SQLite's and PostgreSQL's bind-parameter limits
/// for our widest table.
pub const CHUNK: usize = 2_000;

/// How far an import has come. The callback that receives it may abort the import by
/// returning an error; the transaction is then dropped and nothing is committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub rows_written: usize,
    pub rows_total: usize,
}

/// Counts rows and calls the progress callback after each chunk.
pub struct Tracker<F> {
    progress: Progress,
    callback: F,
}

impl<F: FnMut(Progress) -> Result<(), DataError>> Tracker<F> {
    pub fn new(rows_total: usize, callback: F) -> Self {
        Self {
            progress: Progress {
                rows_written: 0,
                rows_total,
            },
            callback,
        }
    }

    /// # Errors
    /// Whatever the callback returned.
    pub fn advance(&mut self, rows: usize) -> Result<(), DataError> {
        self.progress.rows_written += rows;
        (self.callback)(self.progress)
    }
}

/// Deletes the catalogue `name` with everything that cascades from it, and creates it anew.
///
/// # Errors
/// [`DataError::Database`], for example when campaigns' creatives still promote its items.
pub async fn replace_catalogue(
    db: &impl ConnectionTrait,
    name: &str,
    description: &str,
) -> Result<i32, DataError> {
    catalogue::Entity::delete_many()
        .filter(catalogue::Column::Name.eq(name))
        .exec(db)
        .await?;
    let inserted = catalogue::Entity::insert(catalogue::ActiveModel {
        id: NotSet,
        name: Set(name.to_owned()),
        description: Set(description.to_owned()),
        created_at: Set(chrono::Utc::now()),
    })
    .exec(db)
    .await?;
    Ok(inserted.last_insert_id)
}

/// `external_id -> id` for one catalogue's rows of `table` (`users` or `items`).
///
/// # Errors
/// [`DataError::Database`].
pub async fn ids_by_external(
    db: &impl ConnectionTrait,
    table: &'static str,
    catalogue_id: i32,
) -> Result<HashMap<String, i64>, DataError> {
    let query = Query::select()
        .columns([Alias::new("id"), Alias::new("external_id")])
        .from(Alias::new(table))
        .and_where(Expr::col(Alias::new("catalogue_id")).eq(catalogue_id))
        .to_owned();
    let mut ids = HashMap::new();
    for row in db.query_all(&query).await? {
        ids.insert(
            row.try_get::<String>("", "external_id")?,
            row.try_get::<i64>("", "id")?,
        );
    }
    Ok(ids)
}
