//! `vitrine accounts`: create accounts and API keys, and seed the demo's accounts. A password
//! is read from standard input (never from the command line, which shell histories and process
//! lists keep); a key is printed once and stored only as its digest.

use std::io::BufRead;

use anyhow::{Context, bail};
use clap::Subcommand;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::auth::{Auth, demo};
use crate::config::Settings;
use crate::db::Database;
use crate::db::entities::{account, advertiser};

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Create an account; its password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        /// `advertiser` or `admin`.
        #[arg(long, default_value = "advertiser")]
        role: String,
        /// The advertiser's name (for an advertiser account).
        #[arg(long)]
        advertiser: Option<String>,
    },
    /// Create an API key for an account and print it (once).
    Key {
        #[arg(long)]
        email: String,
        /// `feed` (recommend, similar, events), `analytics` (the account's advertiser routes)
        /// or `catalogue` (new items and users, retiring items).
        #[arg(long)]
        scope: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// Create the demo's accounts (one per advertiser, and an admin) with `auth.demo_password`.
    SeedDemo,
}

pub async fn run(settings: Settings, command: AccountsCommand) -> anyhow::Result<()> {
    let db = Database::connect(&settings.database).await?;
    db.migrate().await?;
    let auth = Auth::new(db.conn().clone(), settings.auth.clone());
    match command {
        AccountsCommand::Create {
            email,
            role,
            advertiser,
        } => {
            let advertiser_id = match advertiser {
                None => None,
                Some(name) => Some(
                    advertiser::Entity::find()
                        .filter(advertiser::Column::Name.eq(&name))
                        .one(db.conn())
                        .await?
                        .with_context(|| format!("no advertiser named `{name}`"))?
                        .id,
                ),
            };
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .context("reading the password from standard input")?;
            let created = auth
                .create_account(
                    &email,
                    password.trim_end_matches(['\r', '\n']),
                    &role,
                    advertiser_id,
                )
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            println!("accounts: created {} ({})", created.email, created.role);
        }
        AccountsCommand::Key { email, scope, name } => {
            let Some(owner) = account::Entity::find()
                .filter(account::Column::Email.eq(email.trim().to_lowercase()))
                .one(db.conn())
                .await?
            else {
                bail!("no account for {email}");
            };
            let key = auth
                .create_key(owner.id, &scope, &name)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            println!("{key}");
            eprintln!("accounts: a {scope} key for {email}; it is shown only now");
        }
        AccountsCommand::SeedDemo => {
            let created = demo::seed(
                &auth,
                &settings.auth.demo_password,
                &settings.auth.demo_domain,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            println!("accounts: {} demo account(s) created", created.len());
        }
    }
    Ok(())
}
