//! Starting a real server on port 0 with its own SQLite file and LanceDB folder.

use std::net::SocketAddr;

use server::config::{DatabaseSettings, Settings, VectorSettings};
use server::state::AppState;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Settings with SQLite and LanceDB in `dir`, everything else default.
pub fn settings_in(dir: &std::path::Path) -> Settings {
    Settings {
        database: DatabaseSettings {
            url: format!("sqlite://{}/vitrine.sqlite?mode=rwc", dir.display()),
            ..Default::default()
        },
        vectors: VectorSettings {
            uri: dir.join("lancedb").display().to_string(),
        },
        ..Default::default()
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    _dir: Option<tempfile::TempDir>,
}

impl TestApp {
    /// A server on SQLite and LanceDB in a fresh temp folder.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let settings = settings_in(dir.path());
        Self::start(settings, Some(dir)).await
    }

    /// A server on the given database URL, with LanceDB in a temp folder.
    pub async fn with_database(url: String) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let settings = Settings {
            database: DatabaseSettings {
                url,
                ..Default::default()
            },
            vectors: VectorSettings {
                uri: dir.path().join("lancedb").display().to_string(),
            },
            ..Default::default()
        };
        Self::start(settings, Some(dir)).await
    }

    pub async fn start(settings: Settings, dir: Option<tempfile::TempDir>) -> Self {
        let state = AppState::build(settings).await.expect("server state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::run(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        Self {
            addr,
            state,
            stop: Some(stop),
            task: Some(task),
            _dir: dir,
        }
    }

    /// Signals shutdown and waits for the server to finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let result = tokio::time::timeout(std::time::Duration::from_secs(10), task)
                .await
                .expect("server stops within 10 s");
            result.expect("server task").expect("server exits cleanly");
        }
    }
}
