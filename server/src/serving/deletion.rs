//! Deleting a feed user: their interactions, their ad events, their experiment assignments and
//! the user row, in one transaction, so a failure deletes nothing. Nothing in LanceDB belongs
//! to a user (its tables hold items; a user's vector is computed from their history for each
//! request and cached in memory), so the cached vector and feeds are evicted instead. The
//! campaigns their events touched have their daily rollups rebuilt.

use app::error::{ApiError, ErrorCode};
use app::wire::UserDeletion;
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};

use super::engine::Serving;
use crate::db::entities::{catalogue, event, experiment_assignment, interaction, user};

/// What one deletion removed, and the campaigns whose rollups it changed.
#[derive(Debug, Default)]
pub struct DeletedUser {
    pub report: UserDeletion,
    pub campaigns: Vec<i32>,
}

/// Deletes the user `external_id` of `catalogue`; `None` when there is no such user.
///
/// # Errors
/// [`DbErr`]; the transaction is rolled back and nothing is deleted.
pub async fn delete_user(
    db: &DatabaseConnection,
    catalogue_name: &str,
    external_id: &str,
) -> Result<Option<DeletedUser>, DbErr> {
    let txn = db.begin().await?;
    let Some(owner) = catalogue::Entity::find()
        .filter(catalogue::Column::Name.eq(catalogue_name))
        .one(&txn)
        .await?
    else {
        return Ok(None);
    };
    let Some(found) = user::Entity::find()
        .filter(user::Column::CatalogueId.eq(owner.id))
        .filter(user::Column::ExternalId.eq(external_id))
        .one(&txn)
        .await?
    else {
        return Ok(None);
    };
    let campaigns: Vec<i32> = event::Entity::find()
        .select_only()
        .column(event::Column::CampaignId)
        .distinct()
        .filter(event::Column::UserId.eq(found.id))
        .into_tuple()
        .all(&txn)
        .await?;
    let assignments = experiment_assignment::Entity::delete_many()
        .filter(experiment_assignment::Column::UserId.eq(found.id))
        .exec(&txn)
        .await?
        .rows_affected;
    let events = event::Entity::delete_many()
        .filter(event::Column::UserId.eq(found.id))
        .exec(&txn)
        .await?
        .rows_affected;
    let interactions = interaction::Entity::delete_many()
        .filter(interaction::Column::UserId.eq(found.id))
        .exec(&txn)
        .await?
        .rows_affected;
    user::Entity::delete_by_id(found.id).exec(&txn).await?;
    txn.commit().await?;
    Ok(Some(DeletedUser {
        report: UserDeletion {
            user_id: external_id.to_owned(),
            interactions,
            events,
            experiment_assignments: assignments,
        },
        campaigns,
    }))
}

impl Serving {
    /// Deletes a user of the served catalogue and forgets everything cached about them.
    ///
    /// # Errors
    /// `not_found` for an unknown user; `database_unavailable` when SQL fails.
    pub async fn delete_user(&self, external_id: &str) -> Result<UserDeletion, ApiError> {
        let catalogue_name = &self.settings.inference.catalogue;
        let deleted = delete_user(&self.db, catalogue_name, external_id)
            .await
            .map_err(|e| crate::failure::database("deleting a user", e))?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    format!("no user `{external_id}` in `{catalogue_name}`"),
                )
            })?;
        self.rollups.mark(deleted.campaigns);
        self.invalidate_user(external_id);
        tracing::info!(
            interactions = deleted.report.interactions,
            events = deleted.report.events,
            "user deleted"
        );
        Ok(deleted.report)
    }
}
