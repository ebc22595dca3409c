//! Types that cross the wire between the server and the browser. Plain serde structs: storage
//! types (SeaORM models, Arrow batches, tensors) are converted into these on the server.

use serde::{Deserialize, Serialize};

/// What `vitrine doctor` reports, and what the System page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SystemReport {
    /// The Vitrine build, e.g. `0.1.0`.
    pub vitrine_version: String,
    pub torch: TorchReport,
    pub database: DatabaseReport,
    pub vectors: VectorStoreReport,
}

/// The libtorch that tch is linked against, and the accelerators it sees.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TorchReport {
    /// libtorch's version, e.g. `2.11.0`.
    pub libtorch_version: String,
    /// The folder libtorch was loaded from.
    pub library_path: String,
    pub cuda_available: bool,
    pub cuda_devices: i64,
    pub cudnn_available: bool,
    /// The device inference and training use after resolving `auto`.
    pub device: String,
}

/// The SQL database and its migration state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DatabaseReport {
    /// `sqlite` or `postgres`.
    pub kind: String,
    /// The URL with any password removed.
    pub url: String,
    pub applied_migrations: Vec<String>,
    pub pending_migrations: Vec<String>,
}

/// The LanceDB connection and the tables it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VectorStoreReport {
    pub uri: String,
    pub tables: Vec<String>,
}

mod feed;
pub use feed::*;
pub mod whole;

mod analytics;
mod campaigns;
mod catalogue;
mod dashboard;
mod studies;
pub use analytics::*;
pub use campaigns::*;
pub use catalogue::*;
pub use dashboard::*;
pub use studies::*;
