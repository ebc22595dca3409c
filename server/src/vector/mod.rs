//! The LanceDB vector store: the store of record for item features and item vectors.
//! A local folder by default; the same code takes an object-store URI for shared replicas.

use std::sync::Arc;

mod features;
pub mod item_vectors;

pub use features::{FeatureRow, FeatureStamp, FeatureTable, ITEM_FEATURES, RowState};
pub use item_vectors::{ITEM_VECTORS, IndexedColumns, IndexedItem};

use crate::config::VectorSettings;

#[derive(Debug, thiserror::Error)]
pub enum VectorError {
    #[error("cannot create the LanceDB folder {uri}: {source}")]
    CreateDir { uri: String, source: std::io::Error },
    #[error("cannot open LanceDB at {uri}: {source}")]
    Open { uri: String, source: lancedb::Error },
    #[error("LanceDB operation failed: {0}")]
    Lance(#[from] lancedb::Error),
    #[error("Arrow: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    #[error("table `{table}`: {reason}")]
    Mismatch { table: &'static str, reason: String },
}

/// An open LanceDB connection. Cheap to clone.
#[derive(Clone)]
pub struct VectorStore {
    conn: Arc<lancedb::Connection>,
    uri: String,
}

impl VectorStore {
    /// Opens (and for a local folder, creates) the database at `settings.uri`.
    ///
    /// # Errors
    /// [`VectorError`] naming the URI.
    pub async fn open(settings: &VectorSettings) -> Result<Self, VectorError> {
        let uri = settings.uri.clone();
        if !uri.contains("://") {
            std::fs::create_dir_all(&uri).map_err(|source| VectorError::CreateDir {
                uri: uri.clone(),
                source,
            })?;
        }
        let conn = lancedb::connect(&uri)
            .execute()
            .await
            .map_err(|source| VectorError::Open {
                uri: uri.clone(),
                source,
            })?;
        Ok(Self {
            conn: Arc::new(conn),
            uri,
        })
    }

    pub fn uri(&self) -> &str {
        &self.uri
    }

    pub fn connection(&self) -> &lancedb::Connection {
        &self.conn
    }

    /// Table names in ascending order.
    ///
    /// # Errors
    /// [`VectorError::Lance`] when the store cannot be listed.
    pub async fn table_names(&self) -> Result<Vec<String>, VectorError> {
        Ok(self.conn.table_names().execute().await?)
    }

    /// Drops `name` if it exists.
    ///
    /// # Errors
    /// [`VectorError::Lance`].
    pub async fn drop_table(&self, name: &str) -> Result<(), VectorError> {
        if self.table_names().await?.iter().any(|n| n == name) {
            self.conn.drop_table(name, &[]).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn opens_a_new_folder_with_no_tables() {
        let dir = tempfile::tempdir().expect("temp dir");
        let uri = dir.path().join("lance").display().to_string();
        let store = VectorStore::open(&VectorSettings { uri: uri.clone() })
            .await
            .expect("open");
        assert_eq!(store.uri(), uri);
        assert!(store.table_names().await.expect("list").is_empty());
        assert!(std::path::Path::new(&uri).is_dir());
    }
}
