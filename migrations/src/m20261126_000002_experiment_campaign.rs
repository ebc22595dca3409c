//! An advertiser's experiment tests one campaign: `experiments.campaign_id` says which, so that
//! its arms' metrics come from that campaign's events. Null for platform experiments (two model
//! versions), whose metrics come from the feed's events. SQLite cannot add a foreign key to an
//! existing table, so the link is checked by the application, and indexed.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000002_experiment_campaign"
    }
}

#[derive(DeriveIden)]
enum Experiments {
    Table,
    CampaignId,
}

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Experiments::Table)
                    .add_column(ColumnDef::new(Experiments::CampaignId).integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_experiments_campaign_id")
                    .table(Experiments::Table)
                    .col(Experiments::CampaignId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_experiments_campaign_id")
                    .table(Experiments::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Experiments::Table)
                    .drop_column(Experiments::CampaignId)
                    .to_owned(),
            )
            .await
    }
}
