//! `item_images`: an item's picture, encoded (PNG for the demo), served by URL.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "item_images")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub item_id: i64,
    pub mime_type: String,
    pub width: i32,
    pub height: i32,
    /// Hex FNV-1a of `content`: the HTTP ETag.
    pub content_hash: String,
    pub content: Vec<u8>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
