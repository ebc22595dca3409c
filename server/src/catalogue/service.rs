//! `CatalogueService`: the catalogue API behind every door. Each method asks the policy
//! (`access`) first, writes through this module's functions, and tells the serving engine
//! what changed, so that no handler touches SQL or the engine itself.

use std::sync::Arc;

use app::error::{ApiError, ErrorCode};
use app::services::{Caller, CatalogueService};
use app::wire::{ItemsAdded, ItemsRetired, NewItems, NewUsers, RetireItems, UsersAdded};
use async_trait::async_trait;
use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::serving::Serving;
use crate::vector::VectorStore;

/// Who may change the catalogue: a catalogue key, or an admin.
///
/// # Errors
/// `unauthorized` without credentials, `forbidden` for any other caller.
pub fn access(caller: &Caller) -> Result<(), ApiError> {
    match caller {
        Caller::CatalogueClient { .. } | Caller::Admin { .. } => Ok(()),
        Caller::Anonymous => Err(ApiError::new(
            ErrorCode::Unauthorized,
            "send a catalogue key: Authorization: Bearer <key>",
        )),
        Caller::Advertiser { .. } | Caller::FeedClient { .. } => Err(ApiError::new(
            ErrorCode::Forbidden,
            "this route needs a catalogue key",
        )),
    }
}

pub struct CatalogueEngine {
    pub settings: Arc<Settings>,
    pub db: DatabaseConnection,
    pub vectors: VectorStore,
    pub serving: Arc<Serving>,
}

impl CatalogueEngine {
    fn name(&self) -> &str {
        &self.settings.inference.catalogue
    }

    fn added(&self, items: Vec<app::wire::AddedItem>) -> ItemsAdded {
        ItemsAdded {
            items,
            served_within_secs: self.settings.inference.additions.delay_secs,
        }
    }
}

#[async_trait]
impl CatalogueService for CatalogueEngine {
    async fn add_items(&self, caller: &Caller, request: NewItems) -> Result<ItemsAdded, ApiError> {
        access(caller)?;
        let items = super::add_items(&self.db, self.name(), request).await?;
        let ids: Vec<i64> = items.iter().map(|i| i.item_id).collect();
        self.serving.note_catalogue_change(&ids);
        self.serving.enqueue_additions(ids);
        Ok(self.added(items))
    }

    async fn update_items(
        &self,
        caller: &Caller,
        request: NewItems,
    ) -> Result<ItemsAdded, ApiError> {
        access(caller)?;
        let items = super::update_items(&self.db, &self.vectors, self.name(), request).await?;
        let ids: Vec<i64> = items.iter().map(|i| i.item_id).collect();
        self.serving.note_catalogue_change(&ids);
        self.serving.enqueue_updates(&ids);
        Ok(self.added(items))
    }

    async fn retire_items(
        &self,
        caller: &Caller,
        request: RetireItems,
    ) -> Result<ItemsRetired, ApiError> {
        access(caller)?;
        let ids = super::retire_items(&self.db, self.name(), &request.external_ids).await?;
        let retired = ids.len();
        self.serving.note_catalogue_change(&ids);
        // No snapshot yet means nothing is served to take them out of.
        if self.serving.current_version().is_some() {
            self.serving.retire_items(ids).await?;
        }
        Ok(ItemsRetired { retired })
    }

    async fn add_users(&self, caller: &Caller, request: NewUsers) -> Result<UsersAdded, ApiError> {
        access(caller)?;
        let created = super::add_users(&self.db, self.name(), &request.user_ids).await?;
        Ok(UsersAdded { created })
    }
}
