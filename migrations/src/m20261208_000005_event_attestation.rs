//! Sponsored-slot events are attested by the impression token the feed signed when it served
//! the slot (`serving/attestation.rs`). `events.attestation` keeps the token's id, and the
//! unique index on `(attestation, kind)` makes a token good once per event kind, even when two
//! batches race. Events written before tokens existed, and the generated world's, have none
//! (null is never a duplicate, on SQLite and PostgreSQL alike).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000005_event_attestation"
    }
}

#[derive(DeriveIden)]
enum Events {
    Table,
    Attestation,
    Kind,
}

const INDEX: &str = "idx_events_attestation_kind";

#[allow(elided_lifetimes_in_paths)]
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Events::Table)
                    .add_column(ColumnDef::new(Events::Attestation).string().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Events::Table)
                    .col(Events::Attestation)
                    .col(Events::Kind)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(Events::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Events::Table)
                    .drop_column(Events::Attestation)
                    .to_owned(),
            )
            .await
    }
}
