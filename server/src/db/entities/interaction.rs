//! `interactions`: user x item behaviour the model learns from.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "interactions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub item_id: i64,
    /// `view`, `click`, `save`, `dwell` or `rating`.
    pub kind: String,
    /// The rating, or the dwell time in seconds.
    pub value: Option<f64>,
    pub occurred_at: DateTimeUtc,
    /// The serving model version that produced the impression, for feed activity.
    pub model_version: Option<String>,
    /// The feed event's idempotency key (unique); none for imported or generated history.
    pub idempotency_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
