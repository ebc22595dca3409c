//! `experiments`: A/B tests; `arms` is a JSON list of `{name, weight}`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "experiments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub advertiser_id: Option<i32>,
    /// The campaign an advertiser's experiment tests; `None` for a platform experiment.
    pub campaign_id: Option<i32>,
    pub name: String,
    pub hypothesis: String,
    pub salt: String,
    pub status: String,
    pub arms: Json,
    pub primary_metric: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
