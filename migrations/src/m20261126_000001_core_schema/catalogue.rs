//! Catalogues of items and users, and the behaviour the model learns from.

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk, index};

#[derive(DeriveIden, Clone, Copy)]
pub enum Catalogues {
    Table,
    Id,
    Name,
    Description,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Users {
    Table,
    Id,
    CatalogueId,
    ExternalId,
    Age,
    Gender,
    Occupation,
    Zip,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Items {
    Table,
    Id,
    CatalogueId,
    ExternalId,
    Title,
    Description,
    Category,
    Year,
    Genres,
    RetiredAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum ItemImages {
    Table,
    Id,
    ItemId,
    MimeType,
    Width,
    Height,
    ContentHash,
    Content,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Interactions {
    Table,
    Id,
    UserId,
    ItemId,
    Kind,
    Value,
    OccurredAt,
    ModelVersion,
}

pub fn names() -> Vec<DynIden> {
    vec![
        Catalogues::Table.into_iden(),
        Users::Table.into_iden(),
        Items::Table.into_iden(),
        ItemImages::Table.into_iden(),
        Interactions::Table.into_iden(),
    ]
}

pub fn tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table(Catalogues::Table)
            .if_not_exists()
            .col(pk_auto(Catalogues::Id))
            .col(string_uniq(Catalogues::Name))
            .col(text(Catalogues::Description).default(""))
            .col(timestamp_with_time_zone(Catalogues::CreatedAt))
            .to_owned(),
        // Users of the feed (not advertiser accounts). `external_id` is the id in the source data.
        Table::create()
            .table(Users::Table)
            .if_not_exists()
            .col(big_pk_auto(Users::Id))
            .col(integer(Users::CatalogueId))
            .col(string(Users::ExternalId))
            .col(integer_null(Users::Age))
            .col(string_null(Users::Gender))
            .col(string_null(Users::Occupation))
            .col(string_null(Users::Zip))
            .col(timestamp_with_time_zone(Users::CreatedAt))
            .foreign_key(&mut fk(
                Users::Table,
                Users::CatalogueId,
                Catalogues::Table,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        // A retired item keeps its row (events refer to it) but leaves the feed.
        Table::create()
            .table(Items::Table)
            .if_not_exists()
            .col(big_pk_auto(Items::Id))
            .col(integer(Items::CatalogueId))
            .col(string(Items::ExternalId))
            .col(string(Items::Title))
            .col(text(Items::Description).default(""))
            .col(string(Items::Category))
            .col(integer_null(Items::Year))
            .col(string_null(Items::Genres))
            .col(timestamp_with_time_zone_null(Items::RetiredAt))
            .col(timestamp_with_time_zone(Items::CreatedAt))
            .col(timestamp_with_time_zone(Items::UpdatedAt))
            .foreign_key(&mut fk(
                Items::Table,
                Items::CatalogueId,
                Catalogues::Table,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        // Encoded image bytes (PNG for the demo), served to the browser by URL.
        Table::create()
            .table(ItemImages::Table)
            .if_not_exists()
            .col(big_pk_auto(ItemImages::Id))
            .col(big_integer_uniq(ItemImages::ItemId))
            .col(string(ItemImages::MimeType))
            .col(integer(ItemImages::Width))
            .col(integer(ItemImages::Height))
            .col(string(ItemImages::ContentHash))
            .col(blob(ItemImages::Content))
            .col(timestamp_with_time_zone(ItemImages::CreatedAt))
            .foreign_key(&mut fk(
                ItemImages::Table,
                ItemImages::ItemId,
                Items::Table,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        // kind: view | click | save | dwell | rating; value: the rating, or dwell seconds.
        Table::create()
            .table(Interactions::Table)
            .if_not_exists()
            .col(big_pk_auto(Interactions::Id))
            .col(big_integer(Interactions::UserId))
            .col(big_integer(Interactions::ItemId))
            .col(string(Interactions::Kind))
            .col(double_null(Interactions::Value))
            .col(timestamp_with_time_zone(Interactions::OccurredAt))
            .col(string_null(Interactions::ModelVersion))
            .foreign_key(&mut fk(
                Interactions::Table,
                Interactions::UserId,
                Users::Table,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                Interactions::Table,
                Interactions::ItemId,
                Items::Table,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
    ]
}

pub fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index(Users::Table, &[Users::CatalogueId, Users::ExternalId], true),
        index(Items::Table, &[Items::CatalogueId, Items::ExternalId], true),
        index(Items::Table, &[Items::CatalogueId, Items::Category], false),
        // A user's history in time order (the user tower, "exclude seen", deletion).
        index(
            Interactions::Table,
            &[Interactions::UserId, Interactions::OccurredAt],
            false,
        ),
        // Popularity and trending per item.
        index(
            Interactions::Table,
            &[Interactions::ItemId, Interactions::OccurredAt],
            false,
        ),
    ]
}
