//! `campaigns`: a budget, a schedule and targeting.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub advertiser_id: i32,
    pub name: String,
    /// `active`, `paused` or `ended`.
    pub status: String,
    pub daily_budget: f64,
    pub total_budget: Option<f64>,
    pub starts_at: DateTimeUtc,
    pub ends_at: Option<DateTimeUtc>,
    /// JSON: `{"segments": [...], "geos": [...], "categories": [...]}`.
    pub targeting: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
