//! A/B experiments and causal studies.

use sea_orm_migration::{prelude::*, schema::*};

use super::advertising::Advertisers;
use super::catalogue::Users;
use super::{fk, index};

/// `arms` is a JSON list of `{name, weight}`; assignment hashes the user with `salt`.
/// `advertiser_id` is null for platform experiments (for example two model versions).
#[derive(DeriveIden, Clone, Copy)]
pub enum Experiments {
    Table,
    Id,
    AdvertiserId,
    Name,
    Hypothesis,
    Salt,
    Status,
    Arms,
    PrimaryMetric,
    StartsAt,
    EndsAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
pub enum ExperimentAssignments {
    Table,
    ExperimentId,
    UserId,
    Arm,
    AssignedAt,
}

/// `method` is `did` or `synthetic_control`; `design` holds units, periods and options as JSON,
/// and `result` the last computed estimate.
#[derive(DeriveIden, Clone, Copy)]
pub enum CausalStudies {
    Table,
    Id,
    AdvertiserId,
    Name,
    Method,
    OutcomeMetric,
    InterventionAt,
    Design,
    Result,
    CreatedAt,
}

pub fn names() -> Vec<DynIden> {
    vec![
        Experiments::Table.into_iden(),
        ExperimentAssignments::Table.into_iden(),
        CausalStudies::Table.into_iden(),
    ]
}

pub fn tables() -> Vec<TableCreateStatement> {
    vec![
        Table::create()
            .table(Experiments::Table)
            .if_not_exists()
            .col(pk_auto(Experiments::Id))
            .col(integer_null(Experiments::AdvertiserId))
            .col(string(Experiments::Name))
            .col(text(Experiments::Hypothesis).default(""))
            .col(string(Experiments::Salt))
            .col(string(Experiments::Status))
            .col(json(Experiments::Arms))
            .col(string(Experiments::PrimaryMetric))
            .col(timestamp_with_time_zone(Experiments::StartsAt))
            .col(timestamp_with_time_zone_null(Experiments::EndsAt))
            .col(timestamp_with_time_zone(Experiments::CreatedAt))
            .foreign_key(&mut fk(
                Experiments::Table,
                Experiments::AdvertiserId,
                Advertisers::Table,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(ExperimentAssignments::Table)
            .if_not_exists()
            .col(integer(ExperimentAssignments::ExperimentId))
            .col(big_integer(ExperimentAssignments::UserId))
            .col(string(ExperimentAssignments::Arm))
            .col(timestamp_with_time_zone(ExperimentAssignments::AssignedAt))
            .primary_key(
                Index::create()
                    .col(ExperimentAssignments::ExperimentId)
                    .col(ExperimentAssignments::UserId),
            )
            .foreign_key(&mut fk(
                ExperimentAssignments::Table,
                ExperimentAssignments::ExperimentId,
                Experiments::Table,
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                ExperimentAssignments::Table,
                ExperimentAssignments::UserId,
                Users::Table,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
        Table::create()
            .table(CausalStudies::Table)
            .if_not_exists()
            .col(pk_auto(CausalStudies::Id))
            .col(integer(CausalStudies::AdvertiserId))
            .col(string(CausalStudies::Name))
            .col(string(CausalStudies::Method))
            .col(string(CausalStudies::OutcomeMetric))
            .col(timestamp_with_time_zone(CausalStudies::InterventionAt))
            .col(json(CausalStudies::Design))
            .col(json_null(CausalStudies::Result))
            .col(timestamp_with_time_zone(CausalStudies::CreatedAt))
            .foreign_key(&mut fk(
                CausalStudies::Table,
                CausalStudies::AdvertiserId,
                Advertisers::Table,
                ForeignKeyAction::Cascade,
            ))
            .to_owned(),
    ]
}

pub fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index(Experiments::Table, &[Experiments::AdvertiserId], false),
        index(
            ExperimentAssignments::Table,
            &[
                ExperimentAssignments::ExperimentId,
                ExperimentAssignments::Arm,
            ],
            false,
        ),
        index(CausalStudies::Table, &[CausalStudies::AdvertiserId], false),
    ]
}
