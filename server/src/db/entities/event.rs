//! `events`: raw ad delivery and outcomes (impression, click, conversion).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Unique where present: a retried batch counts once.
    pub idempotency_key: Option<String>,
    /// `impression`, `click` or `conversion`.
    pub kind: String,
    pub campaign_id: i32,
    pub creative_id: i32,
    pub user_id: Option<i64>,
    pub segment: String,
    pub geo: String,
    /// What the advertiser paid for this event.
    pub cost: f64,
    /// Conversion value.
    pub revenue: f64,
    pub occurred_at: DateTimeUtc,
    pub model_version: Option<String>,
    /// The id of the impression token that attested this event (none for events written
    /// before tokens, and for the generated world's); unique with `kind`.
    pub attestation: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
