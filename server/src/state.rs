//! `AppState`: the one value that every axum handler, page render and server function reaches.

use std::sync::Arc;

use app::services::Services;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::admin::AdminEngine;
use crate::analytics::Analytics;
use crate::auth::Auth;
use crate::catalogue::service::CatalogueEngine;
use crate::config::Settings;
use crate::db::{Database, DbError};
use crate::model_report::ModelPaths;
use crate::recsys::device::{DeviceError, TorchInfo, device_name, resolve_device};
use crate::serving::{FeedEngine, Serving};
use crate::system::SystemReporter;
use crate::telemetry;
use crate::vector::{VectorError, VectorStore};

/// Shared state of a running server. Cloning is cheap: every field is a handle.
#[derive(Clone)]
pub struct AppState {
    /// The resolved configuration the server started with.
    pub settings: Arc<Settings>,
    /// The SQL pool (SQLite or PostgreSQL).
    pub db: Database,
    /// The LanceDB store of record for vectors.
    pub vectors: VectorStore,
    /// The service traits of `app::services`, given to pages and server functions as context
    /// and called by the REST handlers too.
    pub services: Services,
    /// Where the site (wasm, JS, CSS, assets) is and what its bundle is called.
    pub leptos_options: LeptosOptions,
    /// Renders the process's Prometheus metrics.
    pub metrics: PrometheusHandle,
    /// The feed: the in-memory snapshot of the published index, caches, promotions.
    pub serving: Arc<Serving>,
    /// Accounts, keys and sessions.
    pub auth: Arc<Auth>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Vectors(#[from] VectorError),
    #[error(transparent)]
    Device(#[from] DeviceError),
    #[error("{0}")]
    Secrets(String),
    #[error("a start-up task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

impl AppState {
    /// Connects to SQL and LanceDB, applies migrations when configured, and wires the services.
    ///
    /// # Errors
    /// [`StartupError`] when a store cannot be opened or the configured device is missing.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        let db = Database::connect(&settings.database).await?;
        if settings.database.migrate_on_start {
            let state = db.migrate().await?;
            tracing::info!(applied = state.applied.len(), "database schema is current");
        }
        let vectors = VectorStore::open(&settings.vectors).await?;
        // Loading libtorch and probing CUDA blocks; keep it off the async executor.
        let choice = settings.torch.device;
        let (torch, device) = tokio::task::spawn_blocking(move || {
            resolve_device(choice).map(|device| (TorchInfo::detect(), device_name(device)))
        })
        .await??;
        tracing::info!(libtorch = %torch.version, cuda = torch.cuda_available, %device, "model runtime");
        let settings = Arc::new(settings);
        let attestor = crate::serving::attestation::Attestor::new(&settings.auth)
            .map_err(StartupError::Secrets)?;
        let serving = Serving::new(
            settings.clone(),
            db.conn().clone(),
            vectors.clone(),
            attestor,
        );
        serving.start().await;
        let auth = Auth::new(db.conn().clone(), settings.auth.clone());
        let analytics =
            Analytics::new(db.conn().clone(), settings.clone(), serving.rollups.clone());
        analytics.start();
        let services = Services {
            system: Arc::new(SystemReporter::new(
                db.clone(),
                vectors.clone(),
                &torch,
                device,
                ModelPaths::new(&settings.inference.catalogue, &settings.data.dir),
            )),
            feed: Arc::new(FeedEngine(serving.clone())),
            analytics,
            auth: auth.clone(),
            catalogue: Arc::new(CatalogueEngine {
                settings: settings.clone(),
                db: db.conn().clone(),
                vectors: vectors.clone(),
                serving: serving.clone(),
            }),
            admin: Arc::new(AdminEngine {
                settings: settings.clone(),
                db: db.conn().clone(),
                serving: serving.clone(),
            }),
        };
        let leptos_options = LeptosOptions::builder()
            .output_name("vitrine")
            .site_root(settings.server.site_root.display().to_string())
            .site_pkg_dir(settings.server.site_pkg_dir.clone())
            .site_addr(settings.server.addr)
            .build();
        Ok(Self {
            settings,
            serving,
            auth,
            db,
            vectors,
            services,
            leptos_options,
            metrics: telemetry::prometheus(),
        })
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
