//! `AdminService`: what only an admin may do to the platform. Its policy (`access`) is the one
//! place that says so; handlers and server functions call the service and nothing below it.

use std::sync::Arc;

use app::error::{ApiError, ErrorCode};
use app::services::{AdminService, Caller};
use app::wire::{CreateModelExperiment, ExperimentSummary, UserDeletion};
use async_trait::async_trait;
use sea_orm::DatabaseConnection;

use crate::analytics::model_experiments;
use crate::config::Settings;
use crate::recsys::registry::Registry;
use crate::serving::Serving;

/// Only an admin passes.
///
/// # Errors
/// `unauthorized` without credentials, `forbidden` for any other caller.
pub fn access(caller: &Caller, what: &str) -> Result<(), ApiError> {
    match caller {
        Caller::Admin { .. } => Ok(()),
        Caller::Anonymous => Err(ApiError::new(
            ErrorCode::Unauthorized,
            "sign in as an admin, or send an admin's key",
        )),
        Caller::Advertiser { .. } | Caller::FeedClient { .. } | Caller::CatalogueClient { .. } => {
            Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("{what} takes an admin"),
            ))
        }
    }
}

pub struct AdminEngine {
    pub settings: Arc<Settings>,
    pub db: DatabaseConnection,
    pub serving: Arc<Serving>,
}

#[async_trait]
impl AdminService for AdminEngine {
    async fn create_model_experiment(
        &self,
        caller: &Caller,
        request: CreateModelExperiment,
    ) -> Result<ExperimentSummary, ApiError> {
        access(caller, "an experiment between model versions")?;
        let served = self
            .settings
            .data
            .dir
            .join("models")
            .join(&self.settings.inference.catalogue);
        let created = model_experiments::create(&self.db, Registry::new(&served), request).await?;
        // Build the challenger now rather than at the next poll.
        let serving = self.serving.clone();
        tokio::spawn(async move { serving.refresh_model_arms().await });
        Ok(created)
    }

    async fn delete_user(&self, caller: &Caller, user_id: &str) -> Result<UserDeletion, ApiError> {
        access(caller, "deleting users")?;
        self.serving.delete_user(user_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_admin_passes() {
        let code = |c: Caller| access(&c, "this").err().map(|e| e.code);
        assert_eq!(code(Caller::Admin { account_id: 1 }), None);
        assert_eq!(code(Caller::Anonymous), Some(ErrorCode::Unauthorized));
        let others = [
            Caller::Advertiser {
                account_id: 1,
                advertiser_id: 2,
            },
            Caller::FeedClient {
                account_id: 1,
                key_id: 2,
            },
            Caller::CatalogueClient {
                account_id: 1,
                key_id: 2,
            },
        ];
        for caller in others {
            assert_eq!(code(caller), Some(ErrorCode::Forbidden));
        }
    }
}
