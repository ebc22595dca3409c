//! Experiments: creation (checked), deterministic assignment by a hash of the user and the
//! experiment's salt, and the stored summary.

use app::error::{ApiError, ErrorCode};
use app::wire::{ArmSpec, CreateExperiment, ExperimentSummary};
use chrono::Utc;
use sea_orm::{ActiveValue::NotSet, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::dates::{instant, invalid};
use super::{Analytics, database, not_found};
use crate::db::entities::{campaign, experiment, experiment_assignment, user};

/// FNV-1a over the bytes, then SplitMix64's finaliser: a stable, well-mixed 64-bit hash that
/// every replica (and any other language) computes the same way.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The arm of `user` in an experiment with `salt` and `arms`: the hash of `salt:user` as a
/// uniform number in [0, 1), placed on the arms' cumulative weights.
pub fn assign_arm<'a>(salt: &str, user: &str, arms: &'a [ArmSpec]) -> &'a ArmSpec {
    let u = (stable_hash(format!("{salt}:{user}").as_bytes()) >> 11) as f64 / (1u64 << 53) as f64;
    let total: f64 = arms.iter().map(|a| a.weight).sum();
    let mut cumulative = 0.0;
    for arm in arms {
        cumulative += arm.weight / total;
        if u < cumulative {
            return arm;
        }
    }
    &arms[arms.len() - 1]
}

/// Arms as stored: a JSON list of `{name, weight}`.
pub(crate) fn arms_of(model: &experiment::Model) -> Result<Vec<ArmSpec>, ApiError> {
    serde_json::from_value(model.arms.clone()).map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("experiment {} has unreadable arms: {e}", model.id),
        )
    })
}

pub(crate) fn summary(model: &experiment::Model) -> Result<ExperimentSummary, ApiError> {
    Ok(ExperimentSummary {
        id: model.id,
        name: model.name.clone(),
        hypothesis: model.hypothesis.clone(),
        campaign_id: model.campaign_id,
        status: model.status.clone(),
        arms: arms_of(model)?,
        primary_metric: model.primary_metric.clone(),
        starts_at: model.starts_at.to_rfc3339(),
        ends_at: model.ends_at.map(|t| t.to_rfc3339()),
    })
}

fn check_arms(arms: &[ArmSpec]) -> Result<(), ApiError> {
    if arms.len() < 2 {
        return Err(invalid(
            "an experiment needs at least two arms (the first is the control)",
        ));
    }
    let mut names = std::collections::HashSet::new();
    for arm in arms {
        if arm.name.trim().is_empty() {
            return Err(invalid("every arm needs a name"));
        }
        if !names.insert(arm.name.as_str()) {
            return Err(invalid(format!("arm `{}` appears twice", arm.name)));
        }
        if !(arm.weight.is_finite() && arm.weight > 0.0) {
            return Err(invalid(format!(
                "arm `{}` needs a positive weight, got {}",
                arm.name, arm.weight
            )));
        }
    }
    Ok(())
}

impl Analytics {
    pub(crate) async fn create(
        &self,
        request: CreateExperiment,
    ) -> Result<ExperimentSummary, ApiError> {
        let name = request.name.trim();
        if name.is_empty() {
            return Err(invalid("the experiment needs a name"));
        }
        check_arms(&request.arms)?;
        if request.arms.iter().any(|a| a.model_version.is_some()) {
            return Err(invalid(
                "a campaign's arms cannot name model versions: an experiment between model versions is created with POST /api/v1/experiments/models",
            ));
        }
        let campaign = campaign::Entity::find_by_id(request.campaign_id)
            .one(&self.db)
            .await
            .map_err(database)?
            .ok_or_else(|| not_found(format!("no campaign {}", request.campaign_id)))?;
        let now = Utc::now();
        let starts_at = match &request.starts_at {
            Some(t) => instant(t, "starts_at")?,
            None => now,
        };
        let ends_at = request
            .ends_at
            .as_deref()
            .map(|t| instant(t, "ends_at"))
            .transpose()?;
        if ends_at.is_some_and(|end| end <= starts_at) {
            return Err(invalid("ends_at must be after starts_at"));
        }
        let salt = format!(
            "{:016x}",
            stable_hash(
                format!(
                    "{name}:{}:{}",
                    campaign.id,
                    now.timestamp_nanos_opt().unwrap_or(0)
                )
                .as_bytes()
            )
        );
        let row = experiment::ActiveModel {
            id: NotSet,
            advertiser_id: Set(Some(campaign.advertiser_id)),
            campaign_id: Set(Some(campaign.id)),
            name: Set(name.to_owned()),
            hypothesis: Set(request.hypothesis.trim().to_owned()),
            salt: Set(salt),
            status: Set("running".to_owned()),
            arms: Set(serde_json::to_value(&request.arms).map_err(super::internal)?),
            primary_metric: Set(request.primary_metric.name().to_owned()),
            starts_at: Set(starts_at),
            ends_at: Set(ends_at),
            created_at: Set(now),
        };
        let id = experiment::Entity::insert(row)
            .exec(&self.db)
            .await
            .map_err(database)?
            .last_insert_id;
        let model = self.experiment(id).await?;
        summary(&model)
    }

    pub(crate) async fn experiment(&self, id: i32) -> Result<experiment::Model, ApiError> {
        experiment::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(database)?
            .ok_or_else(|| not_found(format!("no experiment {id}")))
    }

    /// The user's arm, recorded as an exposure when the user is known to the experiment's
    /// catalogue (a repeated call records nothing new).
    pub(crate) async fn assignment(&self, id: i32, user_id: &str) -> Result<String, ApiError> {
        if user_id.trim().is_empty() {
            return Err(invalid("user_id must not be empty"));
        }
        let model = self.experiment(id).await?;
        let arms = arms_of(&model)?;
        let arm = assign_arm(&model.salt, user_id, &arms).name.clone();
        let known = user::Entity::find()
            .filter(user::Column::ExternalId.eq(user_id))
            .one(&self.db)
            .await
            .map_err(database)?;
        if let Some(u) = known {
            let row = experiment_assignment::ActiveModel {
                experiment_id: Set(id),
                user_id: Set(u.id),
                arm: Set(arm.clone()),
                assigned_at: Set(Utc::now()),
            };
            experiment_assignment::Entity::insert(row)
                .on_conflict_do_nothing()
                .exec(&self.db)
                .await
                .map_err(database)?;
        }
        Ok(arm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arms(weights: &[f64]) -> Vec<ArmSpec> {
        weights
            .iter()
            .enumerate()
            .map(|(i, w)| ArmSpec {
                name: format!("arm{i}"),
                weight: *w,
                model_version: None,
            })
            .collect()
    }

    #[test]
    fn assignment_is_deterministic_and_follows_the_weights() {
        let arms = arms(&[1.0, 3.0]);
        assert_eq!(
            assign_arm("salt", "u1", &arms).name,
            assign_arm("salt", "u1", &arms).name
        );
        let treated = (0..40_000)
            .filter(|u| assign_arm("5a17", &format!("user-{u}"), &arms).name == "arm1")
            .count();
        // 75% of 40,000: the binomial sd is about 87 users.
        assert!((29_500..=30_500).contains(&treated), "{treated}");
        // Another salt reshuffles users independently.
        let same = (0..10_000)
            .filter(|u| {
                let user = format!("user-{u}");
                assign_arm("a", &user, &arms).name == assign_arm("b", &user, &arms).name
            })
            .count();
        assert!((6_000..=6_500).contains(&same), "{same}");
    }

    #[test]
    fn bad_arms_are_refused() {
        assert!(check_arms(&arms(&[1.0])).is_err());
        assert!(check_arms(&arms(&[1.0, 0.0])).is_err());
        assert!(check_arms(&arms(&[1.0, f64::NAN])).is_err());
        assert!(check_arms(&arms(&[1.0, 1.0])).is_ok());
    }
}
