//! Who may see what, in one place: every `AnalyticsService` method names the campaign,
//! experiment or study it touches, and `authorize` decides. An admin sees everything; an
//! advertiser sees its own advertiser's resources, and another advertiser's are "not found"
//! (their ids are not confirmed to exist); a feed key or no credentials at all see nothing.

use app::error::{ApiError, ErrorCode};
use app::services::Caller;
use sea_orm::EntityTrait;

use super::{Analytics, database, not_found};
use crate::db::entities::{campaign, causal_study, experiment};

/// What a request touches.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Resource {
    Campaign(i32),
    Experiment(i32),
    Study(i32),
}

/// The advertiser `caller` acts for (`None` for an admin, who acts for all).
///
/// # Errors
/// `unauthorized` without credentials, `forbidden` for a feed key.
pub(crate) fn advertiser_of(caller: &Caller) -> Result<Option<i32>, ApiError> {
    match caller {
        Caller::Admin { .. } => Ok(None),
        Caller::Advertiser { advertiser_id, .. } => Ok(Some(*advertiser_id)),
        Caller::Anonymous => Err(ApiError::new(
            ErrorCode::Unauthorized,
            "log in, or send an analytics API key",
        )),
        Caller::FeedClient { .. } | Caller::CatalogueClient { .. } => Err(ApiError::new(
            ErrorCode::Forbidden,
            "a feed or catalogue key cannot use advertiser routes",
        )),
    }
}

impl Analytics {
    pub(crate) async fn authorize(
        &self,
        caller: &Caller,
        resource: Resource,
    ) -> Result<(), ApiError> {
        let Some(own) = advertiser_of(caller)? else {
            return Ok(());
        };
        let db = &self.db;
        let (owner, what) = match resource {
            Resource::Campaign(id) => (
                campaign::Entity::find_by_id(id)
                    .one(db)
                    .await
                    .map_err(database)?
                    .map(|c| c.advertiser_id),
                format!("no campaign {id}"),
            ),
            Resource::Experiment(id) => (
                experiment::Entity::find_by_id(id)
                    .one(db)
                    .await
                    .map_err(database)?
                    .and_then(|x| x.advertiser_id),
                format!("no experiment {id}"),
            ),
            Resource::Study(id) => (
                causal_study::Entity::find_by_id(id)
                    .one(db)
                    .await
                    .map_err(database)?
                    .map(|s| s.advertiser_id),
                format!("no study {id}"),
            ),
        };
        if owner == Some(own) {
            Ok(())
        } else {
            Err(not_found(what))
        }
    }
}
