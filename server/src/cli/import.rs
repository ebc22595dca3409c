//! `vitrine import <dataset>`: real datasets into SQL, each all or nothing.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Settings;
use crate::data::{DataError, locate, movielens};
use crate::db::Database;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// MovieLens-100K: 943 users, 1,682 movies, 100,000 ratings (replaces the catalogue).
    Movielens {
        /// Folder holding ml-100k.{user,item,inter}; default: the venv's `recbole` package.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
}

pub async fn run(settings: Settings, command: ImportCommand) -> anyhow::Result<()> {
    let db = Database::connect(&settings.database).await?;
    db.migrate().await?;
    match command {
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
            let bar = progress_bar(
                "movielens",
                data.users.len() + data.items.len() + data.ratings.len(),
            );
            let summary = movielens::load(db.conn(), &data, |p| {
                bar.set_position(p.rows_written as u64);
                Ok::<(), DataError>(())
            })
            .await
            .context("importing MovieLens (nothing was written)")?;
            bar.finish_and_clear();
            println!(
                "movielens: {} users, {} items, {} interactions in {:.1} s",
                summary.users,
                summary.items,
                summary.interactions,
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}

fn progress_bar(name: &str, total: usize) -> ProgressBar {
    let bar = ProgressBar::new(total as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{prefix:>10} [{bar:40}] {pos}/{len} rows ({eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(name.to_owned());
    bar
}
