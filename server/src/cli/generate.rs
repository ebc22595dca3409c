//! `vitrine generate`: the seeded synthetic world (see `data::generate`).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::config::Settings;
use crate::data::DataError;
use crate::data::generate::{self, GenerateConfig};
use crate::db::Database;
use crate::db::entities::{catalogue, user};

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Simulated users (the demo size is 20,000).
    #[arg(long, default_value_t = 20_000)]
    pub users: usize,
    /// Interaction events in all (the demo size is 2,000,000).
    #[arg(long, default_value_t = 2_000_000)]
    pub events: usize,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Where the ground truth goes; default: `ground_truth/` in the data folder.
    #[arg(long)]
    pub out_dir: Option<PathBuf>,
    /// Do nothing if the catalogue already has generated users (the run script).
    #[arg(long)]
    pub if_missing: bool,
    /// The catalogue to simulate over; the scale size uses `fashion-scale` (made by
    /// `import fashion --catalogue fashion-scale --items 500000`). Advertising is generated
    /// only over the demo catalogue.
    #[arg(long, default_value = crate::data::fashion::CATALOGUE)]
    pub catalogue: String,
}

pub async fn run(settings: Settings, args: GenerateArgs) -> anyhow::Result<()> {
    let db = Database::connect(&settings.database).await?;
    db.migrate().await?;
    if args.if_missing && has_generated_users(&db, &args.catalogue).await? {
        println!("generate: the synthetic world is already there; skipped");
        return Ok(());
    }
    let config = GenerateConfig {
        users: args.users,
        events: args.events,
        seed: args.seed,
        advertising: args.catalogue == crate::data::fashion::CATALOGUE,
        catalogue: args.catalogue,
        out_dir: args
            .out_dir
            .unwrap_or_else(|| settings.data.dir.join("ground_truth")),
    };
    let started = Instant::now();
    let bar = super::progress::Progress::new("generate", "rows", (args.users + args.events) as u64);
    let truth = generate::run(db.conn(), &config, |p| {
        bar.set_length(p.rows_total as u64);
        bar.set_position(p.rows_written as u64);
        Ok::<(), DataError>(())
    })
    .await
    .context("generating the synthetic world (nothing was written)")?;
    bar.finish();
    let rollup_rows = crate::analytics::rollup::rebuild(
        db.conn(),
        None,
        settings.analytics.attribution_window_hours,
    )
    .await
    .context("building the daily campaign rollups")?;
    println!(
        "generate: {} users, {} events ({} views, {} clicks, CTR {:.3} planted {:.3}), {} rollup rows in {:.1} s; ground truth in {}",
        truth.users,
        truth.events,
        truth.counts.view,
        truth.counts.click,
        truth.realised_ctr,
        truth.expected_ctr,
        rollup_rows,
        started.elapsed().as_secs_f64(),
        config.out_dir.display()
    );
    Ok(())
}

async fn has_generated_users(db: &Database, name: &str) -> anyhow::Result<bool> {
    let Some(fashion) = catalogue::Entity::find()
        .filter(catalogue::Column::Name.eq(name))
        .one(db.conn())
        .await?
    else {
        return Ok(false);
    };
    let users = user::Entity::find()
        .filter(user::Column::CatalogueId.eq(fashion.id))
        .count(db.conn())
        .await?;
    Ok(users > 0)
}
