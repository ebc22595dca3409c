//! `vitrine extract`: content features of the catalogue into LanceDB (see `features`).

use anyhow::Context;
use clap::Args;

use super::progress::Progress;
use crate::config::Settings;
use crate::db::Database;
use crate::encoders::{self, ImageEncoder, TextEncoder};
use crate::features::{self, ExtractOptions, ExtractReport};
use crate::recsys::device::{device_name, resolve_device};
use crate::vector::{ITEM_FEATURES, VectorStore};

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Only this catalogue's items (`fashion`, `movielens`); all catalogues when absent.
    #[arg(long)]
    pub catalogue: Option<String>,
    /// At most this many items in this run; the next run goes on where this one stopped.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Stop once this many items have features (the run script's quick first start: the same
    /// cap on a later run does nothing).
    #[arg(long)]
    pub up_to: Option<usize>,
    /// Items per forward pass (default: `extract.batch_size`).
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// libtorch threads (default: `extract.threads`; 0 = one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Drop `item_features` first and extract every item again.
    #[arg(long)]
    pub rebuild: bool,
}

pub async fn run(settings: Settings, args: ExtractArgs) -> anyhow::Result<()> {
    let db = Database::connect(&settings.database).await?;
    db.migrate().await?;
    let store = VectorStore::open(&settings.vectors).await?;
    // The encoders load first: a rebuild that cannot run must not drop the old features.
    let (text, image, device) = load_encoders(&settings, args.threads).await?;
    if args.rebuild {
        store.drop_table(ITEM_FEATURES).await?;
    }
    println!(
        "extract: {} and {} at {px}x{px} on {device}",
        text.info().stamp(),
        image.info().stamp(),
        px = image.resolution(),
    );
    let options = ExtractOptions {
        catalogue: args.catalogue,
        limit: args.limit,
        up_to: args.up_to,
        batch_size: args.batch_size.unwrap_or(settings.extract.batch_size),
        page_size: 512,
    };
    let bar = Progress::new("extract", "items", 0);
    let report = features::extract(db.conn(), &store, text, image, &options, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .await?;
    bar.finish();
    print!("{}", render(&report));
    anyhow::ensure!(
        report.failed.is_empty(),
        "{} item(s) could not be encoded (listed above); the others were written",
        report.failed.len()
    );
    Ok(())
}

/// Loads both encoders on the configured device, off the async executor.
pub(super) async fn load_encoders(
    settings: &Settings,
    threads: Option<usize>,
) -> anyhow::Result<(Box<dyn TextEncoder>, Box<dyn ImageEncoder>, String)> {
    let encoder_settings = settings.encoders.clone();
    let python = settings.data.python.clone();
    let (choice, precision) = (settings.torch.device, settings.extract.precision);
    let threads = threads.unwrap_or(settings.extract.threads);
    tokio::task::spawn_blocking(move || {
        if threads > 0 {
            tch::set_num_threads(i32::try_from(threads).unwrap_or(i32::MAX));
        }
        let device = resolve_device(choice)?;
        let (text, image) = encoders::load(&encoder_settings, &python, device, precision)
            .context("loading the encoders")?;
        let text: Box<dyn TextEncoder> = Box::new(text);
        let image: Box<dyn ImageEncoder> = Box::new(image);
        Ok((text, image, device_name(device)))
    })
    .await?
}

fn render(report: &ExtractReport) -> String {
    let mut out = format!(
        "extract: {} items in scope, {} already done, {} written ({} with a picture, {} text only, \
         {} replaced), {} failed, in {:.1} s ({:.1} items/s)\n",
        report.items,
        report.already_done,
        report.extracted,
        report.with_image,
        report.text_only,
        report.replaced,
        report.failed.len(),
        report.seconds,
        report.items_per_second(),
    );
    for failure in &report.failed {
        out.push_str(&format!("  item {}: {}\n", failure.item_id, failure.reason));
    }
    out
}
