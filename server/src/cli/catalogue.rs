//! `vitrine catalogue add | update | retire | users FILE`: the catalogue API's batches from a
//! JSON file (the same bodies as `POST`/`PUT /api/v1/catalogue/...`; `-` reads standard
//! input), with the same checks, all of a batch or none. A running server picks the changes up
//! at its next poll (`serving::catch_up`) and serves them like the API's.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use app::error::ApiError;
use app::wire::{NewItems, NewUsers, RetireItems};
use clap::Subcommand;
use serde::de::DeserializeOwned;

use crate::catalogue;
use crate::config::Settings;
use crate::db::Database;
use crate::vector::VectorStore;

#[derive(Debug, Subcommand)]
pub enum CatalogueCommand {
    /// Add items: `{"items": [{external_id, title, category, text?, image_base64?}]}`.
    Add { file: PathBuf },
    /// Replace items' title, category, text and picture (same body as `add`).
    Update { file: PathBuf },
    /// Retire items: `{"external_ids": [...]}`.
    Retire { file: PathBuf },
    /// Add feed users: `{"user_ids": [...]}`.
    Users { file: PathBuf },
}

/// The batch in `file` (or standard input for `-`); a syntax error names the line and column.
fn read_batch<T: DeserializeOwned>(file: &Path) -> anyhow::Result<T> {
    let text = if file == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading standard input")?;
        text
    } else {
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?
    };
    serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: line {} column {}: {e}",
            file.display(),
            e.line(),
            e.column()
        )
    })
}

fn refused(file: &Path, e: ApiError) -> anyhow::Error {
    anyhow::anyhow!(
        "{}: {} ({}); nothing was changed",
        file.display(),
        e.message,
        e.code
    )
}

pub async fn run(settings: Settings, command: CatalogueCommand) -> anyhow::Result<()> {
    let db = Database::connect(&settings.database).await?;
    db.migrate().await?;
    let name = settings.inference.catalogue.clone();
    let served = "a running server serves the change within a poll and its additions delay; without one, `vitrine extract` then `vitrine index`";
    match command {
        CatalogueCommand::Add { file } => {
            let batch: NewItems = read_batch(&file)?;
            let added = catalogue::add_items(db.conn(), &name, batch)
                .await
                .map_err(|e| refused(&file, e))?;
            println!(
                "catalogue: {} items added to `{name}`; {served}",
                added.len()
            );
        }
        CatalogueCommand::Update { file } => {
            let batch: NewItems = read_batch(&file)?;
            let store = VectorStore::open(&settings.vectors).await?;
            let updated = catalogue::update_items(db.conn(), &store, &name, batch)
                .await
                .map_err(|e| refused(&file, e))?;
            println!(
                "catalogue: {} items of `{name}` updated; {served}",
                updated.len()
            );
        }
        CatalogueCommand::Retire { file } => {
            let batch: RetireItems = read_batch(&file)?;
            let retired = catalogue::retire_items(db.conn(), &name, &batch.external_ids)
                .await
                .map_err(|e| refused(&file, e))?;
            println!(
                "catalogue: {} items of `{name}` retired; a running server drops them at its next poll",
                retired.len()
            );
        }
        CatalogueCommand::Users { file } => {
            let batch: NewUsers = read_batch(&file)?;
            let created = catalogue::add_users(db.conn(), &name, &batch.user_ids)
                .await
                .map_err(|e| refused(&file, e))?;
            if created == 0 {
                bail!("{}: no users to add", file.display());
            }
            println!("catalogue: {created} users added to `{name}`");
        }
    }
    Ok(())
}
