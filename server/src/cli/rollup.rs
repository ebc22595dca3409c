//! `vitrine rollup`: rebuild the daily campaign rollups from raw events (after changing the
//! attribution window, say). The server rebuilds them on start and as events arrive.

use std::time::Instant;

use clap::Args;

use crate::analytics::rollup;
use crate::config::Settings;
use crate::db::Database;

#[derive(Debug, Args)]
pub struct RollupArgs {
    /// Only this campaign (default: every campaign).
    #[arg(long)]
    pub campaign: Option<i32>,
}

pub async fn run(settings: Settings, args: RollupArgs) -> anyhow::Result<()> {
    let db = Database::connect(&settings.database).await?;
    db.migrate().await?;
    let started = Instant::now();
    let window = settings.analytics.attribution_window_hours;
    let rows = rollup::rebuild(db.conn(), args.campaign.map(|c| vec![c]), window).await?;
    println!(
        "rollup: {rows} daily rows (attribution window {window} h) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
