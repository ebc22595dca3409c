//! SQL through SeaORM: connecting and migrating here; the entities in `entities`; shared reads
//! of item content in `items`.
//! SQLite is the embedded default; PostgreSQL takes over when the URL says so.

pub mod entities;
pub mod items;

use std::path::Path;
use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseConnection, DbBackend, DbErr};

use crate::config::{DatabaseSettings, redact_url};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to {url}: {source}")]
    Connect { url: String, source: DbErr },
    #[error("cannot create the folder for the SQLite file {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("migration failed: {0}")]
    Migration(DbErr),
    #[error("database query failed: {0}")]
    Query(#[from] DbErr),
}

/// Which SQL engine a URL selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DbKind::Sqlite => "sqlite",
            DbKind::Postgres => "postgres",
        }
    }
}

/// Applied and pending migration names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MigrationState {
    pub applied: Vec<String>,
    pub pending: Vec<String>,
}

/// A connection pool plus what we know about it. Cheap to clone (the pool is shared).
#[derive(Clone, Debug)]
pub struct Database {
    conn: DatabaseConnection,
    kind: DbKind,
    redacted_url: String,
}

impl Database {
    /// Connects, creating the SQLite file's folder when needed.
    ///
    /// # Errors
    /// [`DbError::Connect`] with the redacted URL when the database cannot be reached.
    pub async fn connect(settings: &DatabaseSettings) -> Result<Self, DbError> {
        let url = settings.url.as_str();
        let redacted_url = redact_url(url);
        let kind = if url.starts_with("sqlite:") {
            DbKind::Sqlite
        } else {
            DbKind::Postgres
        };
        if let Some(path) = sqlite_file(url)
            && let Some(parent) = Path::new(path)
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).map_err(|source| DbError::CreateDir {
                path: path.to_owned(),
                source,
            })?;
        }
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(settings.max_connections)
            .connect_timeout(Duration::from_secs(10))
            .sqlx_logging(false);
        let conn = sea_orm::Database::connect(options)
            .await
            .map_err(|source| DbError::Connect {
                url: redacted_url.clone(),
                source,
            })?;
        if kind == DbKind::Sqlite {
            // WAL lets the feed read while an import writes; it persists in the file.
            conn.execute_unprepared("PRAGMA journal_mode = WAL").await?;
        }
        Ok(Self {
            conn,
            kind,
            redacted_url,
        })
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// The URL without its password.
    pub fn redacted_url(&self) -> &str {
        &self.redacted_url
    }

    /// Applies every pending migration, each in its own transaction where the engine allows.
    ///
    /// # Errors
    /// [`DbError::Migration`]; the migrations already applied stay applied.
    pub async fn migrate(&self) -> Result<MigrationState, DbError> {
        Migrator::up(&self.conn, None)
            .await
            .map_err(DbError::Migration)?;
        self.migration_state().await
    }

    /// Reads the migration table without creating it.
    ///
    /// # Errors
    /// [`DbError::Query`] when the database cannot be read.
    pub async fn migration_state(&self) -> Result<MigrationState, DbError> {
        let all = Migrator::get_migration_with_status_read_only(&self.conn).await?;
        let (applied, pending): (Vec<_>, Vec<_>) = all
            .iter()
            .partition(|m| m.status() == migrations::MigrationStatus::Applied);
        let names =
            |ms: Vec<&migrations::Migration>| ms.iter().map(|m| m.name().to_owned()).collect();
        Ok(MigrationState {
            applied: names(applied),
            pending: names(pending),
        })
    }

    /// A trivial round trip, for readiness.
    ///
    /// # Errors
    /// [`DbError::Query`] when the database does not answer.
    pub async fn ping(&self) -> Result<(), DbError> {
        let backend: DbBackend = self.conn.get_database_backend();
        self.conn
            .execute_raw(sea_orm::Statement::from_string(backend, "SELECT 1"))
            .await?;
        Ok(())
    }
}

/// The file of a `sqlite://path?...` URL, or `None` for in-memory and non-SQLite URLs.
pub fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_file_is_found_in_urls() {
        assert_eq!(
            sqlite_file("sqlite://data/v.sqlite?mode=rwc"),
            Some("data/v.sqlite")
        );
        assert_eq!(sqlite_file("sqlite:///tmp/v.sqlite"), Some("/tmp/v.sqlite"));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }

    #[tokio::test]
    async fn migrations_apply_on_sqlite_and_are_idempotent() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/nested/v.sqlite?mode=rwc", dir.path().display());
        let db = Database::connect(&DatabaseSettings {
            url,
            ..Default::default()
        })
        .await
        .expect("connect");
        let before = db.migration_state().await.expect("state");
        assert!(before.applied.is_empty());
        assert!(!before.pending.is_empty());
        let after = db.migrate().await.expect("migrate");
        assert!(after.pending.is_empty());
        assert_eq!(after.applied, before.pending);
        assert_eq!(db.migrate().await.expect("second run is a no-op"), after);
    }
}
