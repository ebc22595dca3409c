//! The system report: libtorch, SQL and LanceDB, as `doctor` prints it and the System page
//! shows it.

use app::error::ApiError;
use app::services::{Caller, SystemService};
use app::wire::{DatabaseReport, ModelReport, SystemReport, TorchReport, VectorStoreReport};
use async_trait::async_trait;

use crate::db::{Database, DbError};
use crate::model_report::{self, ModelPaths};
use crate::recsys::device::TorchInfo;
use crate::vector::{VectorError, VectorStore};

/// Gathers the report from the live connections. The libtorch facts do not change while the
/// process runs, so they are read once.
#[derive(Clone)]
pub struct SystemReporter {
    db: Database,
    vectors: VectorStore,
    torch: TorchReport,
    model: ModelPaths,
}

impl SystemReporter {
    pub fn new(
        db: Database,
        vectors: VectorStore,
        torch: &TorchInfo,
        device: String,
        model: ModelPaths,
    ) -> Self {
        let torch = TorchReport {
            libtorch_version: torch.version.clone(),
            library_path: torch.library_dir.display().to_string(),
            cuda_available: torch.cuda_available,
            cuda_devices: torch.cuda_devices,
            cudnn_available: torch.cudnn_available,
            device,
        };
        Self {
            db,
            vectors,
            torch,
            model,
        }
    }

    /// # Errors
    /// [`ReportError`] when SQL or LanceDB cannot be read.
    pub async fn gather(&self) -> Result<SystemReport, ReportError> {
        let migrations = self.db.migration_state().await?;
        let tables = self.vectors.table_names().await?;
        Ok(SystemReport {
            vitrine_version: env!("CARGO_PKG_VERSION").to_owned(),
            torch: self.torch.clone(),
            database: DatabaseReport {
                kind: self.db.kind().as_str().to_owned(),
                url: self.db.redacted_url().to_owned(),
                applied_migrations: migrations.applied,
                pending_migrations: migrations.pending,
            },
            vectors: VectorStoreReport {
                uri: self.vectors.uri().to_owned(),
                tables,
            },
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Vectors(#[from] VectorError),
}

impl From<ReportError> for ApiError {
    fn from(error: ReportError) -> Self {
        match error {
            ReportError::Database(e) => crate::failure::database("the system report", e),
            ReportError::Vectors(e) => crate::failure::vector_store("the system report", e),
        }
    }
}

#[async_trait]
/// The platform's status is public, as `/healthz` is: every caller may read it.
impl SystemService for SystemReporter {
    async fn report(&self, _caller: &Caller) -> Result<SystemReport, ApiError> {
        Ok(self.gather().await?)
    }

    async fn model_report(&self, _caller: &Caller) -> Result<ModelReport, ApiError> {
        model_report::gather(self.db.conn(), &self.vectors, &self.model).await
    }
}
