//! Layered, typed configuration.
//!
//! Later layers win: built-in defaults, `configs/default.yaml`, `configs/model.yaml` (encoders
//! and models), `configs/training.yaml`, `configs/inference.yaml`, the profile's file
//! (`VITRINE_PROFILE=production`: `configs/production.yaml`), the git-ignored
//! `configs/local.yaml`, `DATABASE_URL`, the `LEPTOS_*` variables that cargo-leptos sets, and
//! finally `VITRINE__SECTION__KEY` variables (for example `VITRINE__DATABASE__URL`).
//! A bad value is reported with its key and the layer it came from.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Yaml};
use serde::{Deserialize, Serialize};

mod analytics;
mod auth;
mod encoders;
mod inference;
mod training;

pub use analytics::AnalyticsSettings;
pub use auth::AuthSettings;
pub use encoders::{
    EncoderSettings, ExtractSettings, ImageEncoderSettings, Pooling, Precision, TextEncoderSettings,
};
pub use inference::{
    CacheSettings, FeedSettings, IndexSettings, InferenceSettings, SnapshotSettings,
};
pub use training::{
    Activation, BaselineSettings, Modality, OptimizerKind, TrainingSettings, TwoTowerSettings,
};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Figment's message names the key, the expected type and the file or variable it came from.
    #[error("invalid configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
    #[error("invalid configuration: `{key}`: {reason}")]
    Value { key: &'static str, reason: String },
}

/// Everything the server and the CLI read from configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub vectors: VectorSettings,
    pub torch: TorchSettings,
    pub data: DataSettings,
    pub log: LogSettings,
    pub encoders: EncoderSettings,
    pub extract: ExtractSettings,
    pub two_tower: TwoTowerSettings,
    pub training: TrainingSettings,
    pub baselines: BaselineSettings,
    pub inference: InferenceSettings,
    pub analytics: AnalyticsSettings,
    pub auth: AuthSettings,
    /// The demo: the Feed page's "Viewing as" switch lets anyone view the feed as any user
    /// (the generated world's people). Off by default and in `configs/production.yaml`;
    /// `scripts/run.sh` turns it on. Off, the browser's feed is always the viewer's own.
    pub demo: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataSettings {
    /// The venv's interpreter, used to find the files that the data packages carry.
    pub python: PathBuf,
    /// Where generated files (ground truth, exports) go.
    pub dir: PathBuf,
}

impl Default for DataSettings {
    fn default() -> Self {
        Self {
            python: PathBuf::from(".venv/bin/python"),
            dir: PathBuf::from("data"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    /// Where `serve` listens.
    pub addr: SocketAddr,
    /// The folder cargo-leptos builds the site into (wasm, JS, CSS, assets).
    pub site_root: PathBuf,
    /// The site's package folder, relative to `site_root`.
    pub site_pkg_dir: String,
    /// Requests taking longer are answered 408.
    pub request_timeout_secs: u64,
    /// Larger request bodies are answered 413.
    pub body_limit_bytes: usize,
    /// How long in-flight requests may run after a shutdown signal.
    pub shutdown_grace_secs: u64,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            site_root: PathBuf::from("target/site"),
            site_pkg_dir: "pkg".to_owned(),
            request_timeout_secs: 30,
            body_limit_bytes: 1024 * 1024,
            shutdown_grace_secs: 10,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://path?mode=rwc` or `postgres://user:pass@host:port/db`.
    pub url: String,
    pub max_connections: u32,
    /// Apply pending migrations when the server starts.
    pub migrate_on_start: bool,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://data/vitrine.sqlite?mode=rwc".to_owned(),
            max_connections: 8,
            migrate_on_start: true,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VectorSettings {
    /// A local folder, or an object-store URI such as `s3://bucket/prefix`.
    pub uri: String,
}

impl Default for VectorSettings {
    fn default() -> Self {
        Self {
            uri: "data/lancedb".to_owned(),
        }
    }
}

/// Which device tch runs on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceChoice {
    /// CUDA when a GPU is visible, else CPU.
    #[default]
    Auto,
    Cpu,
    Cuda,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TorchSettings {
    pub device: DeviceChoice,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A tracing `EnvFilter` directive; `RUST_LOG` overrides it.
    pub filter: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Pretty,
            filter: "info,sqlx=warn,lance=warn".to_owned(),
        }
    }
}

/// `VITRINE_PROFILE=production` adds `configs/production.yaml` above the shipped files and
/// below `local.yaml`.
fn profile() -> Option<String> {
    std::env::var("VITRINE_PROFILE")
        .ok()
        .filter(|p| !p.is_empty())
}

impl Settings {
    /// Loads every layer, reading the YAML files from `config_dir`.
    ///
    /// # Errors
    /// [`ConfigError`] naming the offending key and where its value came from.
    pub fn load(config_dir: &Path) -> Result<Self, ConfigError> {
        if let Some(profile) = profile() {
            let valid = profile
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !valid || !config_dir.join(format!("{profile}.yaml")).is_file() {
                return Err(ConfigError::Value {
                    key: "VITRINE_PROFILE",
                    reason: format!("no configs/{profile}.yaml in {}", config_dir.display()),
                });
            }
        }
        Self::from_figment(Self::figment(config_dir))
    }

    /// The layers, unresolved; tests add their own on top.
    pub fn figment(config_dir: &Path) -> Figment {
        Figment::from(Serialized::defaults(Settings::default()))
            .merge(Yaml::file(config_dir.join("default.yaml")))
            .merge(Yaml::file(config_dir.join("model.yaml")))
            .merge(Yaml::file(config_dir.join("training.yaml")))
            .merge(Yaml::file(config_dir.join("inference.yaml")))
            .merge(Yaml::file(config_dir.join(format!(
                "{}.yaml",
                profile().unwrap_or_else(|| "no-profile".into())
            ))))
            .merge(Yaml::file(config_dir.join("local.yaml")))
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database.url".into()),
            )
            .merge(
                Env::raw()
                    .only(&[
                        "LEPTOS_SITE_ADDR",
                        "LEPTOS_SITE_ROOT",
                        "LEPTOS_SITE_PKG_DIR",
                    ])
                    .map(|key| {
                        let lower = key.as_str().to_lowercase();
                        let field = lower.trim_start_matches("leptos_");
                        let field = if field == "site_addr" { "addr" } else { field };
                        format!("server.{field}").into()
                    }),
            )
            .merge(Env::prefixed("VITRINE__").split("__"))
    }

    /// Extracts and validates.
    ///
    /// # Errors
    /// [`ConfigError`] naming the offending key.
    pub fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let settings: Settings = figment.extract().map_err(Box::new)?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let db = &self.database.url;
        if !(db.starts_with("sqlite:")
            || db.starts_with("postgres://")
            || db.starts_with("postgresql://"))
        {
            return Err(ConfigError::Value {
                key: "database.url",
                reason: format!(
                    "expected a sqlite: or postgres:// URL, got `{}`",
                    redact_url(db)
                ),
            });
        }
        if self.database.max_connections == 0 {
            return Err(ConfigError::Value {
                key: "database.max_connections",
                reason: "must be at least 1".into(),
            });
        }
        if self.vectors.uri.trim().is_empty() {
            return Err(ConfigError::Value {
                key: "vectors.uri",
                reason: "must not be empty".into(),
            });
        }
        if self.server.request_timeout_secs == 0 {
            return Err(ConfigError::Value {
                key: "server.request_timeout_secs",
                reason: "must be at least 1".into(),
            });
        }
        self.encoders.validate()?;
        self.extract.validate()?;
        self.two_tower.validate()?;
        self.training.validate()?;
        self.inference.validate()?;
        self.analytics.validate()?;
        self.auth.validate()
    }
}

/// A URL with its password replaced by `***`, safe to print and log.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests;
