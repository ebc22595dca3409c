//! Advertisers, their logins and keys, campaigns and creatives, and ad delivery events.

use sea_orm_migration::{prelude::*, schema::*};

use super::catalogue::{Items, Users};
use super::{fk, index};

#[derive(DeriveIden, Clone, Copy)]
pub enum Advertisers {
    Table,
    Id,
    Name,
    TimeZone,
    Currency,
    CreatedAt,
}

/// A login. `role` is `advertiser` (bound to one advertiser) or `admin` (no advertiser).
#[derive(DeriveIden, Clone, Copy)]
pub enum Accounts {
    Table,
    Id,
    Email,
    PasswordHash,
    Role,
    AdvertiserId,
    CreatedAt,
    LastLoginAt,
}

/// REST keys, stored only as a hash; `prefix` finds the row, `scope` limits the routes.
#[derive(DeriveIden, Clone, Copy)]
pub enum ApiKeys {
    Table,
    Id,
    AccountId,
    Prefix,
    KeyHash,
    Scope,
    Name,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum Campaigns {
    Table,
    Id,
    AdvertiserId,
    Name,
    Status,
    DailyBudget,
    TotalBudget,
    StartsAt,
    EndsAt,
    Targeting,
    CreatedAt,
}

/// A creative promotes one item of the feed's catalogue.
#[derive(DeriveIden, Clone, Copy)]
pub enum Creatives {
    Table,
    Id,
    CampaignId,
    ItemId,
    Name,
    Headline,
    CreatedAt,
}

/// Raw ad events: impression | click | conversion. Kept, since attribution windows and
/// experiments need them; `idempotency_key` makes a retried batch count once.
#[derive(DeriveIden, Clone, Copy)]
pub enum Events {
    Table,
    Id,
    IdempotencyKey,
    Kind,
    CampaignId,
    CreativeId,
    UserId,
    Segment,
    Geo,
    Cost,
    Revenue,
    OccurredAt,
    ModelVersion,
}

/// Daily rollups per campaign, creative, segment and geo, derived from `events` and rebuildable.
/// `day` is the calendar day in the advertiser's time zone.
#[derive(DeriveIden, Clone, Copy)]
pub enum CampaignDailyStats {
    Table,
    CampaignId,
    CreativeId,
    Segment,
    Geo,
    Day,
    Impressions,
    Clicks,
    Conversions,
    Spend,
    Revenue,
}

pub fn names() -> Vec<DynIden> {
    vec![
        Advertisers::Table.into_iden(),
        Accounts::Table.into_iden(),
        ApiKeys::Table.into_iden(),
        Campaigns::Table.into_iden(),
        Creatives::Table.into_iden(),
        Events::Table.into_iden(),
        CampaignDailyStats::Table.into_iden(),
    ]
}

pub fn tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table(Advertisers::Table)
            .if_not_exists()
            .col(pk_auto(Advertisers::Id))
            .col(string_uniq(Advertisers::Name))
            .col(string(Advertisers::TimeZone).default("UTC"))
            .col(string_len(Advertisers::Currency, 3).default("USD"))
            .col(timestamp_with_time_zone(Advertisers::CreatedAt))
            .to_owned(),
        Table::create()
            .table(Accounts::Table)
            .if_not_exists()
            .col(pk_auto(Accounts::Id))
            .col(string_uniq(Accounts::Email))
            .col(string(Accounts::PasswordHash))
            .col(string(Accounts::Role))
            .col(integer_null(Accounts::AdvertiserId))
            .col(timestamp_with_time_zone(Accounts::CreatedAt))
            .col(timestamp_with_time_zone_null(Accounts::LastLoginAt))
            .foreign_key(&mut fk(
                Accounts::Table,
                Accounts::AdvertiserId,
                Advertisers::Table,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(ApiKeys::Table)
            .if_not_exists()
            .col(pk_auto(ApiKeys::Id))
            .col(integer(ApiKeys::AccountId))
            .col(string_uniq(ApiKeys::Prefix))
            .col(string(ApiKeys::KeyHash))
            .col(string(ApiKeys::Scope))
            .col(string(ApiKeys::Name))
            .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
            .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
            .foreign_key(&mut fk(
                ApiKeys::Table,
                ApiKeys::AccountId,
                Accounts::Table,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(Campaigns::Table)
            .if_not_exists()
            .col(pk_auto(Campaigns::Id))
            .col(integer(Campaigns::AdvertiserId))
            .col(string(Campaigns::Name))
            .col(string(Campaigns::Status))
            .col(double(Campaigns::DailyBudget))
            .col(double_null(Campaigns::TotalBudget))
            .col(timestamp_with_time_zone(Campaigns::StartsAt))
            .col(timestamp_with_time_zone_null(Campaigns::EndsAt))
            .col(json(Campaigns::Targeting))
            .col(timestamp_with_time_zone(Campaigns::CreatedAt))
            .foreign_key(&mut fk(
                Campaigns::Table,
                Campaigns::AdvertiserId,
                Advertisers::Table,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(Creatives::Table)
            .if_not_exists()
            .col(pk_auto(Creatives::Id))
            .col(integer(Creatives::CampaignId))
            .col(big_integer(Creatives::ItemId))
            .col(string(Creatives::Name))
            .col(string_null(Creatives::Headline))
            .col(timestamp_with_time_zone(Creatives::CreatedAt))
            .foreign_key(&mut fk(
                Creatives::Table,
                Creatives::CampaignId,
                Campaigns::Table,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                Creatives::Table,
                Creatives::ItemId,
                Items::Table,
                ForeignKeyAction::Restrict,
            ))
            .to_owned(),
        Table::create()
            .table(Events::Table)
            .if_not_exists()
            .col(big_pk_auto(Events::Id))
            .col(string_null(Events::IdempotencyKey))
            .col(string(Events::Kind))
            .col(integer(Events::CampaignId))
            .col(integer(Events::CreativeId))
            .col(big_integer_null(Events::UserId))
            .col(string(Events::Segment))
            .col(string(Events::Geo))
            .col(double(Events::Cost).default(0.0))
            .col(double(Events::Revenue).default(0.0))
            .col(timestamp_with_time_zone(Events::OccurredAt))
            .col(string_null(Events::ModelVersion))
            .foreign_key(&mut fk(
                Events::Table,
                Events::CampaignId,
                Campaigns::Table,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                Events::Table,
                Events::CreativeId,
                Creatives::Table,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                Events::Table,
                Events::UserId,
                Users::Table,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(CampaignDailyStats::Table)
            .if_not_exists()
            .col(integer(CampaignDailyStats::CampaignId))
            .col(integer(CampaignDailyStats::CreativeId))
            .col(string(CampaignDailyStats::Segment))
            .col(string(CampaignDailyStats::Geo))
            .col(date(CampaignDailyStats::Day))
            .col(big_integer(CampaignDailyStats::Impressions))
            .col(big_integer(CampaignDailyStats::Clicks))
            .col(big_integer(CampaignDailyStats::Conversions))
            .col(double(CampaignDailyStats::Spend))
            .col(double(CampaignDailyStats::Revenue))
            .primary_key(
                Index::create()
                    .col(CampaignDailyStats::CampaignId)
                    .col(CampaignDailyStats::CreativeId)
                    .col(CampaignDailyStats::Segment)
                    .col(CampaignDailyStats::Geo)
                    .col(CampaignDailyStats::Day),
            )
            .foreign_key(&mut fk(
                CampaignDailyStats::Table,
                CampaignDailyStats::CampaignId,
                Campaigns::Table,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
    ]
}

pub fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index(Accounts::Table, &[Accounts::AdvertiserId], false),
        index(Campaigns::Table, &[Campaigns::AdvertiserId], false),
        index(Creatives::Table, &[Creatives::CampaignId], false),
        index(Creatives::Table, &[Creatives::ItemId], false),
        // Unique where present: a retried batch is rejected row by row.
        index(Events::Table, &[Events::IdempotencyKey], true),
        // Campaign metrics over a date range, overall and by creative.
        index(
            Events::Table,
            &[Events::CampaignId, Events::OccurredAt],
            false,
        ),
        index(
            Events::Table,
            &[Events::CreativeId, Events::OccurredAt],
            false,
        ),
        // Attribution (a user's clicks before a conversion) and deletion.
        index(Events::Table, &[Events::UserId, Events::OccurredAt], false),
        index(
            CampaignDailyStats::Table,
            &[CampaignDailyStats::CampaignId, CampaignDailyStats::Day],
            false,
        ),
    ]
}
