//! Vitrine's server: the HTTP edge, the `vitrine` CLI, and the engines behind them.
//!
//! Module map:
//! - `config`     layered, typed settings (YAML files, local overrides, environment)
//! - `telemetry`  tracing subscriber and the Prometheus recorder
//! - `db`         SQL through SeaORM: connection, migrations, entities and queries
//! - `vector`     the LanceDB store: `item_features`, and `item_vectors` with its IVF_PQ index
//! - `data`       importers (MovieLens, the fashion catalogue) and the synthetic generator
//! - `encoders`   the pretrained text (BERT/MiniLM) and image (TorchScript) encoders on tch
//! - `features`   `vitrine extract`: batched encoding of the catalogue into `item_features`
//! - `eval`       the offline protocol: k-core, split, full ranking, metrics
//! - `recsys`     tch: devices, the baselines, the two-tower model, training, checkpoints
//! - `fsio`       files written whole or not at all (temp file, sync, rename)
//! - `failure`    errors whose detail is logged under a reference, never sent to the caller
//! - `jobs`       the background job's status file (`vitrine prepare` writes, the System page reads)
//! - `analytics`  campaign reports from daily rollups, experiments and causal studies (the
//!   statistics themselves are the `estimators` crate)
//! - `auth`       accounts (argon2id), API keys and sessions; who the caller is
//! - `catalogue`  the catalogue API's checks and writes: new items and users, retiring items,
//!   and its `CatalogueService`
//! - `admin`      the `AdminService`: model experiments and erasing users, admins only
//! - `charts`     plotters charts as SVG strings
//! - `serving`    `vitrine index`, the in-memory snapshot of the published index, the feed,
//!   similar items, events, caches and promotions (the IVF-Flat itself is the `ann` crate)
//! - `system`     the `SystemService`: what `doctor` and the System page report
//! - `agreement`  whether SQL and LanceDB agree about the served catalogue (`doctor`)
//! - `model_report` the System page's model, index, training curve and evaluation
//! - `state`      `AppState`, the one value every handler and server function reaches
//! - `http`       the axum router: pages, server functions, `/api/v1`, media, health, metrics
//! - `cli`        the `vitrine` subcommands (`serve`, `doctor`, `migrate`, `import`, `generate`, `extract`,
//!   `train`, `index`, `prepare`, `evaluate`, `rollup`, `accounts`, `users`, `bench`)
//! - `float_roundtrip_tests` (tests only) every persisted float comes back bit for bit
//!
//! Engines (`db`, `vector`, `recsys`, `data`) know nothing about HTTP; `http` sits on top.

pub mod admin;
pub mod agreement;
pub mod analytics;
pub mod auth;
pub mod catalogue;
pub mod charts;
pub mod cli;
pub mod config;
pub mod data;
pub mod db;
pub mod encoders;
pub mod eval;
pub mod failure;
pub mod features;
pub mod fsio;
pub mod http;
pub mod jobs;
pub mod model_report;
pub mod recsys;
pub mod serving;
pub mod state;
pub mod system;
pub mod telemetry;
pub mod vector;

#[cfg(test)]
mod float_roundtrip_tests;

pub use http::run;
pub use state::AppState;
