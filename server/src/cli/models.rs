//! `vitrine models list | promote V | rollback`: the registered versions of the served
//! catalogue's model. Promoting indexes the catalogue with the version's content tower first
//! (the server switches when that index is published), then copies the version into the served
//! folder; a candidate worse than the serving version by more than
//! `inference.promotion.ndcg_margin` is refused unless `--force`d.

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::config::Settings;
use crate::db::Database;
use crate::recsys::registry::Registry;
use crate::serving::index;
use crate::vector::VectorStore;

#[derive(Debug, Args)]
pub struct ModelsArgs {
    #[command(subcommand)]
    pub command: ModelsCommand,
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Every version, oldest first, with its validation NDCG@10 and the serving one marked.
    List,
    /// Serve version V (an id or its unique prefix), through the gate.
    Promote {
        version: String,
        /// Promote even a candidate the gate refuses.
        #[arg(long)]
        force: bool,
        /// Who promotes it, for the record.
        #[arg(long, default_value = "cli")]
        by: String,
    },
    /// Serve the version that was served before the current one.
    Rollback,
}

pub async fn run(settings: Settings, args: ModelsArgs) -> anyhow::Result<()> {
    let catalogue = settings.inference.catalogue.clone();
    let served = settings.data.dir.join("models").join(&catalogue);
    let registry = Registry::new(&served);
    match args.command {
        ModelsCommand::List => {
            let serving = registry.serving()?;
            let versions = registry.list()?;
            if versions.is_empty() {
                println!("models: no versions of `{catalogue}` yet: run `vitrine train`");
            }
            for v in versions {
                let mark = if serving.as_deref() == Some(v.id.as_str()) {
                    "*"
                } else {
                    " "
                };
                let last = v.promotions.last().map_or_else(String::new, |p| {
                    format!(
                        "; promoted {} by {}{}",
                        p.at,
                        p.by,
                        if p.forced { " (forced)" } else { "" }
                    )
                });
                println!(
                    "{mark} {}  valid NDCG@10 {:.4}  {} epochs  created {}{last}",
                    v.id, v.valid_ndcg_at_10, v.epochs, v.created_at
                );
            }
            Ok(())
        }
        ModelsCommand::Promote { version, force, by } => {
            let candidate = registry.get(&version)?;
            if !force {
                registry.check_gate(&candidate, settings.inference.promotion.ndcg_margin)?;
            }
            promote(&settings, &registry, &candidate.id, &by, force).await
        }
        ModelsCommand::Rollback => {
            registry.serving()?;
            let previous = registry.previous()?;
            promote(&settings, &registry, &previous, "rollback", true).await
        }
    }
}

/// Serves version `id` if it passes the gate (never forced).
///
/// # Errors
/// The gate's refusal, or a failed index.
pub(super) async fn promote_through_gate(
    settings: &Settings,
    id: &str,
    by: &str,
) -> anyhow::Result<()> {
    let served = settings
        .data
        .dir
        .join("models")
        .join(&settings.inference.catalogue);
    let registry = Registry::new(&served);
    let candidate = registry.get(id)?;
    registry.check_gate(&candidate, settings.inference.promotion.ndcg_margin)?;
    promote(settings, &registry, &candidate.id, by, false).await
}

async fn promote(
    settings: &Settings,
    registry: &Registry,
    id: &str,
    by: &str,
    forced: bool,
) -> anyhow::Result<()> {
    let catalogue = &settings.inference.catalogue;
    // The version that serves now is recorded before it is replaced, so it can come back.
    registry.serving()?;
    let db = Database::connect(&settings.database).await?;
    let store = VectorStore::open(&settings.vectors).await?;
    let report = index::build(
        db.conn(),
        &store,
        &registry.dir_of(id),
        catalogue,
        &settings.inference.index,
        |_, _| {},
    )
    .await
    .with_context(|| format!("indexing `{catalogue}` with version {id}"))?;
    registry.serve(id, by, forced)?;
    println!(
        "models: version {id} serves `{catalogue}` (index {}, {} items){}",
        report.index_version,
        report.items,
        if forced { ", forced" } else { "" }
    );
    Ok(())
}
