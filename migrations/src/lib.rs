//! Vitrine's SQL schema as SeaORM migrations. They run the same on SQLite and PostgreSQL.
//!
//! Module map:
//! - `m20261126_000001_core_schema`  the core schema of the whole product, split by area:
//!   `catalogue` (catalogues, users, items, item images, interactions), `advertising`
//!   (advertisers, accounts, API keys, campaigns, creatives, events, daily rollups) and
//!   `studies` (experiments, assignments, causal studies)
//! - `m20261126_000002_experiment_campaign`  the campaign an advertiser's experiment tests
//! - `m20261126_000003_sessions`  dashboard sessions (hashed tokens with an expiry)
//! - `m20261126_000004_interaction_keys`  the idempotency key of feed interactions
//! - `m20261208_000005_event_attestation`  the impression token behind a sponsored-slot event
//!
//! Migrations are append-only: change the schema with a new file, never by editing an old one.

pub use sea_orm_migration::prelude::*;
pub use sea_orm_migration::{Migration, MigrationStatus};

mod m20261126_000001_core_schema;
mod m20261126_000002_experiment_campaign;
mod m20261126_000003_sessions;
mod m20261126_000004_interaction_keys;
mod m20261208_000005_event_attestation;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_core_schema::Migration),
            Box::new(m20261126_000002_experiment_campaign::Migration),
            Box::new(m20261126_000003_sessions::Migration),
            Box::new(m20261126_000004_interaction_keys::Migration),
            Box::new(m20261208_000005_event_attestation::Migration),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names are what the migration table records: they must be unique, ordered by date and
    /// shaped `mYYYYMMDD_NNNNNN_description`.
    #[test]
    fn migration_names_are_dated_unique_and_ordered() {
        let names: Vec<String> = Migrator::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        assert!(!names.is_empty());
        for name in &names {
            let bytes = name.as_bytes();
            assert!(name.len() > 17 && bytes[0] == b'm', "{name}");
            assert!(bytes[1..9].iter().all(u8::is_ascii_digit), "{name}");
            assert!(
                bytes[9] == b'_' && bytes[10..16].iter().all(u8::is_ascii_digit),
                "{name}"
            );
        }
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, names);
    }
}
