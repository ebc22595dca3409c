//! `experiment_assignments`: which arm each user is in.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "experiment_assignments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub experiment_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub arm: String,
    pub assigned_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
