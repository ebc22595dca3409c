//! `causal_studies`: a difference-in-differences or synthetic-control design and its result.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "causal_studies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub advertiser_id: i32,
    pub name: String,
    /// `did` or `synthetic_control`.
    pub method: String,
    pub outcome_metric: String,
    pub intervention_at: DateTimeUtc,
    /// JSON: treated and control units, periods, options.
    pub design: Json,
    pub result: Option<Json>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
