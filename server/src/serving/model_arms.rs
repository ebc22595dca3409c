//! An experiment between model versions, as the feed serves it. Each arm names a registry
//! version; a user's arm is the experiment's hash assignment (the same as the analytics'), and
//! their feed is ranked by that version: the served snapshot when it is the serving version, a
//! challenger snapshot (`challenger`) otherwise. A user is recorded as exposed when their
//! first feed under the experiment is ranked. Nobody is exposed until every arm's snapshot is
//! ready, so the warm-up cannot skew the split. Challengers stay row-aligned with the served
//! snapshot: catalogue changes are applied to both (`additions`), and a new index version
//! rebuilds them.

use std::collections::HashMap;
use std::sync::Arc;

use app::error::ApiError;
use app::wire::ArmSpec;
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
};

use super::challenger;
use super::engine::Serving;
use super::snapshot::Snapshot;
use super::workers::EncoderSource;
use crate::analytics::experiments::assign_arm;
use crate::db::entities::{experiment, experiment_assignment};
use crate::recsys::registry::Registry;

/// The running experiment between model versions.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelExperiment {
    pub id: i32,
    pub salt: String,
    /// Every arm names its `model_version`.
    pub arms: Vec<ArmSpec>,
}

impl ModelExperiment {
    fn versions(&self) -> impl Iterator<Item = &str> {
        self.arms.iter().filter_map(|a| a.model_version.as_deref())
    }
}

/// What the feed routes by: the experiment, and the snapshots of its versions that are not
/// the served one.
#[derive(Default)]
pub struct ModelArms {
    pub experiment: Option<ModelExperiment>,
    pub challengers: HashMap<String, Arc<Snapshot>>,
}

/// A user's arm, to record as exposed.
#[derive(Clone, Debug)]
pub struct Exposure {
    pub experiment_id: i32,
    pub arm: String,
}

impl ModelArms {
    /// The snapshot that serves `user`, and their exposure when the experiment is live.
    fn route(&self, champion: Arc<Snapshot>, user: &str) -> (Arc<Snapshot>, Option<Exposure>) {
        let Some(experiment) = &self.experiment else {
            return (champion, None);
        };
        let snapshot_of = |version: &str| {
            if version == champion.model_version() {
                Some(champion.clone())
            } else {
                self.challengers.get(version).cloned()
            }
        };
        if experiment.versions().any(|v| snapshot_of(v).is_none()) {
            return (champion, None);
        }
        let arm = assign_arm(&experiment.salt, user, &experiment.arms);
        match arm.model_version.as_deref().and_then(snapshot_of) {
            Some(snapshot) => (
                snapshot,
                Some(Exposure {
                    experiment_id: experiment.id,
                    arm: arm.name.clone(),
                }),
            ),
            None => (champion, None),
        }
    }
}

/// The newest running experiment between model versions: no campaign, every arm a version,
/// started and not ended.
pub async fn running_model_experiment(
    db: &DatabaseConnection,
) -> Result<Option<ModelExperiment>, sea_orm::DbErr> {
    let now = Utc::now();
    let candidates = experiment::Entity::find()
        .filter(experiment::Column::CampaignId.is_null())
        .filter(experiment::Column::Status.eq("running"))
        .filter(experiment::Column::StartsAt.lte(now))
        .order_by_desc(experiment::Column::Id)
        .all(db)
        .await?;
    Ok(candidates.into_iter().find_map(|x| {
        if x.ends_at.is_some_and(|end| end <= now) {
            return None;
        }
        let arms: Vec<ArmSpec> = serde_json::from_value(x.arms).ok()?;
        (arms.len() >= 2 && arms.iter().all(|a| a.model_version.is_some())).then_some(
            ModelExperiment {
                id: x.id,
                salt: x.salt,
                arms,
            },
        )
    }))
}

impl Serving {
    /// The snapshot that ranks `user`'s feed, and their exposure to a model experiment.
    ///
    /// # Errors
    /// `unavailable` before an index is loaded.
    pub(super) fn snapshot_for(
        &self,
        user: &str,
    ) -> Result<(Arc<Snapshot>, Option<Exposure>), ApiError> {
        let champion = self.snapshot()?;
        Ok(match self.model_arms.read() {
            Ok(arms) => arms.route(champion, user),
            Err(_) => (champion, None),
        })
    }

    /// The model version that serves `user` now.
    pub(super) fn version_for(&self, user: &str) -> Option<String> {
        self.snapshot_for(user)
            .ok()
            .map(|(s, _)| s.model_version().to_owned())
    }

    /// Records the user (SQL id) as exposed to the arm; a repeat records nothing new.
    pub(super) async fn record_exposure(&self, exposure: &Exposure, user_id: i64) {
        let row = experiment_assignment::ActiveModel {
            experiment_id: Set(exposure.experiment_id),
            user_id: Set(user_id),
            arm: Set(exposure.arm.clone()),
            assigned_at: Set(Utc::now()),
        };
        if let Err(error) = experiment_assignment::Entity::insert(row)
            .on_conflict_do_nothing()
            .exec(&self.db)
            .await
        {
            tracing::warn!(%error, experiment = exposure.experiment_id, "an exposure was not recorded");
        }
    }

    /// Re-reads the running model experiment and builds the challenger snapshots it needs
    /// (under the lock on snapshot changes, so they start aligned with the served rows).
    /// Caches are dropped when the routing changes, so every user's next feed follows it.
    pub async fn refresh_model_arms(&self) {
        let found = match running_model_experiment(&self.db).await {
            Ok(found) => found,
            Err(error) => {
                tracing::warn!(%error, "cannot read model experiments; keeping the routing");
                return;
            }
        };
        let _one_at_a_time = self.changes.lock().await;
        let Ok(champion) = self.snapshot() else {
            return;
        };
        let (old_experiment, mut old) = match self.model_arms.read() {
            Ok(arms) => (arms.experiment.clone(), arms.challengers.clone()),
            Err(_) => return,
        };
        let mut challengers = HashMap::new();
        let mut built = false;
        for version in found.iter().flat_map(ModelExperiment::versions) {
            if version == champion.model_version() || challengers.contains_key(version) {
                continue;
            }
            let aligned = old.remove(version).filter(|s| {
                s.version == champion.version
                    && s.revision == champion.revision
                    && s.len() == champion.len()
            });
            let snapshot = match aligned {
                Some(s) => s,
                None => match self.build_challenger(champion.clone(), version).await {
                    Ok(s) => {
                        built = true;
                        Arc::new(s)
                    }
                    Err(error) => {
                        tracing::error!(%error, version, "a model experiment's version cannot be served");
                        continue;
                    }
                },
            };
            challengers.insert(version.to_owned(), snapshot);
        }
        // What is left in `old` was dropped.
        let changed = old_experiment != found || built || !old.is_empty();
        if let Ok(mut arms) = self.model_arms.write() {
            *arms = ModelArms {
                experiment: found,
                challengers,
            };
        }
        if changed {
            tracing::info!("the feed's model routing changed");
            self.users.invalidate_all();
            self.feeds.invalidate_all();
        }
    }

    async fn build_challenger(
        &self,
        champion: Arc<Snapshot>,
        version: &str,
    ) -> Result<Snapshot, super::snapshot::SnapshotError> {
        let dir = Registry::new(&self.model_dir()).dir_of(version);
        let started = std::time::Instant::now();
        let encoders = EncoderSource {
            settings: self.settings.encoders.clone(),
            python: self.settings.data.python.clone(),
        };
        let built = challenger::build(
            champion,
            &self.store,
            dir,
            encoders,
            self.settings.inference.snapshot.clone(),
        )
        .await?;
        tracing::info!(
            version,
            items = built.len(),
            seconds = started.elapsed().as_secs_f64(),
            "a challenger snapshot is ready"
        );
        Ok(built)
    }
}
