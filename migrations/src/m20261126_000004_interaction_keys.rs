//! Every feed event carries an idempotency key, and the interaction it becomes keeps it:
//! `interactions.idempotency_key`, unique where present, so that a retried batch is recorded
//! once even when it holds no ad event. Imported and generated interactions have none (null is
//! never a duplicate, on SQLite and PostgreSQL alike).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000004_interaction_keys"
    }
}

#[derive(DeriveIden)]
enum Interactions {
    Table,
    IdempotencyKey,
}

const INDEX: &str = "idx_interactions_idempotency_key";

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Interactions::Table)
                    .add_column(ColumnDef::new(Interactions::IdempotencyKey).string().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Interactions::Table)
                    .col(Interactions::IdempotencyKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(Interactions::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Interactions::Table)
                    .drop_column(Interactions::IdempotencyKey)
                    .to_owned(),
            )
            .await
    }
}
