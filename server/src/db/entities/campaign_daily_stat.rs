//! `campaign_daily_stats`: daily rollups of `events` per campaign, creative, segment and geo,
//! with `day` in the advertiser's time zone and conversions attributed under the configured
//! window. Derived and rebuildable (`analytics::rollup`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_daily_stats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub creative_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub segment: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub geo: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub day: Date,
    pub impressions: i64,
    pub clicks: i64,
    pub conversions: i64,
    pub spend: f64,
    pub revenue: f64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
