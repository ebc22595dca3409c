//! `vitrine index`: the content tower over every item of the served catalogue into LanceDB
//! `item_vectors`, published as one new version with its IVF_PQ index (see `serving::index`).
//! A running server picks the new version up within `inference.snapshot.poll_secs`.

use clap::Args;

use super::progress::Progress;
use crate::config::Settings;
use crate::db::Database;
use crate::serving::index;
use crate::vector::{VectorStore, item_vectors};

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// The catalogue to index (default: `inference.catalogue`).
    #[arg(long)]
    pub catalogue: Option<String>,
    /// The checkpoint folder (default: `models/<catalogue>` in the data folder).
    #[arg(long)]
    pub model_dir: Option<std::path::PathBuf>,
    /// Do nothing when an index already exists (the run script's first start).
    #[arg(long)]
    pub if_missing: bool,
}

pub async fn run(settings: Settings, args: IndexArgs) -> anyhow::Result<()> {
    let catalogue = args
        .catalogue
        .unwrap_or_else(|| settings.inference.catalogue.clone());
    let db = Database::connect(&settings.database).await?;
    db.migrate().await?;
    let store = VectorStore::open(&settings.vectors).await?;
    if args.if_missing && item_vectors::open(&store).await?.is_some() {
        println!(
            "index: `item_vectors` exists; nothing to do (run without --if-missing to rebuild)"
        );
        return Ok(());
    }
    let model_dir = args
        .model_dir
        .unwrap_or_else(|| settings.data.dir.join("models").join(&catalogue));
    let bar = Progress::new("index", "items", 0);
    let report = index::build(
        db.conn(),
        &store,
        &model_dir,
        &catalogue,
        &settings.inference.index,
        |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
    )
    .await?;
    bar.finish();
    println!(
        "index: {} items of `{catalogue}` ({} with content features) as version {} ({}) in {:.1} s",
        report.items, report.with_features, report.version, report.index_version, report.seconds
    );
    Ok(())
}
