//! `vitrine users delete`: erase a feed user from SQL (their interactions, ad events and
//! experiment assignments, then the user), and rebuild the rollups of the campaigns their
//! events touched. A running server forgets its cached copy within its caches' time to live
//! (`feed_ttl_secs`, `user_ttl_secs`);
//! `DELETE /api/v1/users/{id}` on the server itself evicts it at once.

use anyhow::bail;
use clap::Subcommand;

use crate::analytics::rollup;
use crate::config::Settings;
use crate::db::Database;
use crate::serving::deletion;

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Delete a user of a catalogue and everything recorded about them.
    Delete {
        /// The catalogue's external user id.
        user_id: String,
        /// Default: the served catalogue (`inference.catalogue`).
        #[arg(long)]
        catalogue: Option<String>,
    },
}

pub async fn run(settings: Settings, command: UsersCommand) -> anyhow::Result<()> {
    let db = Database::connect(&settings.database).await?;
    db.migrate().await?;
    match command {
        UsersCommand::Delete { user_id, catalogue } => {
            let catalogue = catalogue.unwrap_or_else(|| settings.inference.catalogue.clone());
            let Some(deleted) = deletion::delete_user(db.conn(), &catalogue, &user_id).await?
            else {
                bail!("no user `{user_id}` in the catalogue `{catalogue}`");
            };
            if !deleted.campaigns.is_empty() {
                let window = settings.analytics.attribution_window_hours;
                rollup::rebuild(db.conn(), Some(deleted.campaigns), window).await?;
            }
            let r = &deleted.report;
            println!(
                "deleted user {user_id} of {catalogue}: {} interactions, {} ad events, {} experiment assignments",
                r.interactions, r.events, r.experiment_assignments
            );
        }
    }
    Ok(())
}
