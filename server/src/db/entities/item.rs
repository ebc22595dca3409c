//! `items`: what the feed shows. A retired item keeps its row but leaves the feed.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub catalogue_id: i32,
    pub external_id: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub year: Option<i32>,
    /// Space-separated genre or tag tokens, where the source has them.
    pub genres: Option<String>,
    pub retired_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
