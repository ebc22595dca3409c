//! Starting a real server on port 0 with its own SQLite file and LanceDB folder.

use std::net::SocketAddr;

use server::config::{DatabaseSettings, Settings, VectorSettings};
use server::state::AppState;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Everything the test process logs from the first call on (debug and up for our code and
/// the HTTP stack), for tests that check what is never logged.
pub fn captured_logs() -> std::sync::Arc<std::sync::Mutex<Vec<u8>>> {
    use std::sync::{Arc, Mutex, OnceLock};
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter("debug,sqlx=warn,hyper=info,h2=info,lance=warn,lancedb=warn,datafusion=warn,lance_index=warn")
            .with_ansi(false)
            .with_writer(move || Capture(sink.clone()))
            .try_init();
        buffer
    })
    .clone()
}

struct Capture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut buffer) = self.0.lock() {
            buffer.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

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
    /// Keys made by `key`, by scope.
    keys: tokio::sync::Mutex<std::collections::HashMap<&'static str, String>>,
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
            keys: tokio::sync::Mutex::default(),
            stop: Some(stop),
            task: Some(task),
            _dir: dir,
        }
    }

    /// An admin's key of `scope` (`feed` or `analytics`), made once per scope and server.
    pub async fn key(&self, scope: &'static str) -> String {
        let mut keys = self.keys.lock().await;
        if let Some(key) = keys.get(scope) {
            return key.clone();
        }
        let email = format!("{scope}-admin@tests.example");
        let account = self
            .state
            .auth
            .create_account(&email, "a long test password", "admin", None)
            .await
            .expect("an admin account");
        let key = self
            .state
            .auth
            .create_key(account.id, scope, "tests")
            .await
            .expect("a key");
        keys.insert(scope, key.clone());
        key
    }

    /// Stops the server and starts a new one on the same folders and keys (a restart).
    pub async fn restart(mut self) -> Self {
        let dir = self._dir.take();
        let keys = std::mem::take(&mut self.keys);
        let settings = self.state.settings.as_ref().clone();
        self.stop().await;
        let mut app = Self::start(settings, dir).await;
        app.keys = keys;
        app
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

/// The real `vitrine` binary, run from the workspace with its configs, pointed at `settings`'
/// database, vector store and data folder.
pub fn binary(settings: &Settings) -> std::process::Command {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_vitrine"));
    command
        .current_dir(&root)
        .env("VITRINE_CONFIG_DIR", root.join("configs"))
        .env("VITRINE__DATABASE__URL", &settings.database.url)
        .env("VITRINE__VECTORS__URI", &settings.vectors.uri)
        .env("VITRINE__DATA__DIR", &settings.data.dir)
        .env(
            "VITRINE__INFERENCE__CATALOGUE",
            &settings.inference.catalogue,
        )
        .env("RUST_LOG", "warn");
    command
}

/// Runs the binary to the end with `args`, its progress as plain lines; panics with its output
/// on failure. Returns stdout.
pub fn run_binary(settings: &Settings, args: &[&str]) -> String {
    let out = binary(settings)
        .env("VITRINE_PROGRESS", "lines")
        .args(args)
        .output()
        .expect("start vitrine");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "vitrine {args:?}: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
