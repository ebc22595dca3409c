//! `users`: people of the feed (not advertiser accounts), with optional demographics.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub catalogue_id: i32,
    /// The id in the source data (MovieLens user id, generator index).
    pub external_id: String,
    pub age: Option<i32>,
    pub gender: Option<String>,
    pub occupation: Option<String>,
    pub zip: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
