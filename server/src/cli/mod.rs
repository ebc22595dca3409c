//! The `vitrine` command line. Each long step of the data flow becomes a subcommand here.

mod accounts;
mod bench;
mod bench_ann;
mod bench_lance;
mod bench_training;
mod catalogue;
mod doctor;
mod evaluate;
mod extract;
mod generate;
mod import;
mod index;
mod models;
mod prepare;
mod progress;
mod rollup;
mod serve;
mod train;
mod users;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db::Database;

#[derive(Debug, Parser)]
#[command(
    name = "vitrine",
    version,
    about = "Multi-modal discovery feed and advertiser analytics"
)]
pub struct Cli {
    /// Folder holding default.yaml and the optional local.yaml.
    #[arg(
        long,
        global = true,
        env = "VITRINE_CONFIG_DIR",
        default_value = "configs"
    )]
    pub config_dir: PathBuf,
    /// Without a subcommand, `serve` (this is how cargo-leptos starts the server).
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app, the REST API, health checks and metrics.
    Serve(serve::ServeArgs),
    /// Report versions, libtorch and CUDA, the database and its migrations, and LanceDB.
    Doctor(doctor::DoctorArgs),
    /// Apply pending database migrations.
    Migrate,
    /// Import a real dataset into SQL.
    Import(import::ImportArgs),
    /// Generate the seeded synthetic world over the fashion catalogue, with its ground truth.
    Generate(generate::GenerateArgs),
    /// Encode item texts and pictures with the pretrained encoders into LanceDB `item_features`.
    Extract(extract::ExtractArgs),
    /// Train the two-tower model on a catalogue; checkpoints and a training-curve chart.
    Train(train::TrainArgs),
    /// Run the content tower over the catalogue into LanceDB `item_vectors` and publish it.
    Index(index::IndexArgs),
    /// The demo's background job: encode items, train, index, beside a running server.
    Prepare(prepare::PrepareArgs),
    /// List the model's versions; promote one (through the gate) or roll back.
    Models(models::ModelsArgs),
    /// Create accounts and API keys; seed the demo's accounts.
    #[command(subcommand)]
    Accounts(accounts::AccountsCommand),
    /// Add, update or retire items, or add users, in batches from a JSON file.
    #[command(subcommand)]
    Catalogue(catalogue::CatalogueCommand),
    /// Delete a feed user and everything recorded about them.
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Rebuild the daily campaign rollups from raw events.
    Rollup(rollup::RollupArgs),
    /// Run the offline evaluation protocol: baselines and the two-tower on one split.
    Evaluate(evaluate::EvaluateArgs),
    /// Print a benchmark report.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

impl Cli {
    /// Loads configuration, starts logging and runs the subcommand on a tokio runtime.
    ///
    /// # Errors
    /// Whatever stopped the subcommand, with context for the person at the terminal.
    pub fn execute(self) -> anyhow::Result<()> {
        let settings = Settings::load(&self.config_dir)
            .with_context(|| format!("loading configuration from {}", self.config_dir.display()))?;
        crate::telemetry::init_tracing(&settings.log);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        runtime.block_on(async move {
            match self
                .command
                .unwrap_or(Command::Serve(serve::ServeArgs { addr: None }))
            {
                Command::Serve(args) => serve::run(settings, args).await,
                Command::Doctor(args) => doctor::run(settings, args).await,
                Command::Migrate => migrate(settings).await,
                Command::Import(command) => import::run(settings, command).await,
                Command::Generate(args) => generate::run(settings, args).await,
                Command::Extract(args) => extract::run(settings, args).await,
                Command::Train(args) => train::run(settings, args).await,
                Command::Index(args) => index::run(settings, args).await,
                Command::Prepare(args) => Box::pin(prepare::run(settings, args)).await,
                Command::Rollup(args) => rollup::run(settings, args).await,
                Command::Users(command) => users::run(settings, command).await,
                Command::Catalogue(command) => catalogue::run(settings, command).await,
                Command::Models(args) => models::run(settings, args).await,
                Command::Accounts(command) => accounts::run(settings, command).await,
                Command::Evaluate(args) => evaluate::run(settings, args).await,
                Command::Bench(command) => bench::run(settings, command).await,
            }
        })
    }
}

/// A long step's progress as a log event (target `progress`, level debug), beside the
/// terminal's progress bar, which hides itself when stderr is not a terminal: for logs of
/// unattended runs (`RUST_LOG=info,progress=debug`), and for the kill tests, which stop a
/// command mid-step.
pub(crate) fn log_progress(step: &'static str, done: usize, total: usize) {
    tracing::debug!(target: "progress", step, done, total, "progress");
}

async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let db = Database::connect(&settings.database).await?;
    let before = db.migration_state().await?;
    let after = db.migrate().await?;
    println!(
        "{}: {} migration(s) applied now, {} in total, {} pending",
        db.redacted_url(),
        before.pending.len() - after.pending.len(),
        after.applied.len(),
        after.pending.len()
    );
    Ok(())
}
