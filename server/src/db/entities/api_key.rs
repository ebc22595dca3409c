//! `api_keys`: REST keys of an account. The key is shown once; only its SHA-256 is stored, and
//! `prefix` (public, unique) finds the row.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub account_id: i32,
    #[sea_orm(unique)]
    pub prefix: String,
    pub key_hash: String,
    /// `feed` (recommend, similar, events) or `analytics` (the account's advertiser routes).
    pub scope: String,
    pub name: String,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
