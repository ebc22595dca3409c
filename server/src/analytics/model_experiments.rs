//! Experiments between model versions: the feed's traffic split between two versions of the
//! registry (the natural A/B test of a new model). Such an experiment has no campaign and no
//! advertiser (admins see it); its arms name their versions, the feed routes each user by the
//! experiment's assignment, and its results read the feed's interactions.

use app::error::{ApiError, ErrorCode};
use app::wire::{ArmSpec, CreateModelExperiment, ExperimentMetric, ExperimentSummary};
use chrono::Utc;
use sea_orm::{ActiveValue::NotSet, DatabaseConnection, EntityTrait, Set};

use super::dates::{instant, invalid};
use super::experiments::{stable_hash, summary};
use super::{database, internal, not_found};
use crate::db::entities::experiment;
use crate::recsys::registry::{Registry, RegistryError};

fn conflict(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::Conflict, message)
}

/// The full ids of the control (the serving version when not named) and the treatment.
fn versions(
    registry: &Registry,
    control: Option<&str>,
    treatment: &str,
) -> Result<(String, String), ApiError> {
    let find = |id: &str| match registry.get(id) {
        Ok(v) => Ok(v.id),
        Err(RegistryError::Unknown(_)) => Err(not_found(format!(
            "no model version `{id}`: `vitrine models list` shows them"
        ))),
        Err(e) => Err(internal(e)),
    };
    let control = match control {
        Some(id) => find(id.trim())?,
        None => registry.serving().map_err(internal)?.ok_or_else(|| {
            conflict("no model is served yet: train one, or name the control's version")
        })?,
    };
    let treatment = find(treatment.trim())?;
    if control == treatment {
        return Err(invalid(format!(
            "the control and the treatment are both version {control}"
        )));
    }
    Ok((control, treatment))
}

/// Creates the experiment, after checking that the versions exist and that no other one runs.
///
/// # Errors
/// `invalid_input` for a bad name, share or time; `not_found` for an unknown version;
/// `conflict` while another experiment between model versions runs.
pub async fn create(
    db: &DatabaseConnection,
    registry: Registry,
    request: CreateModelExperiment,
) -> Result<ExperimentSummary, ApiError> {
    let name = request.name.trim().to_owned();
    if name.is_empty() {
        return Err(invalid("the experiment needs a name"));
    }
    let share = request.treatment_share.unwrap_or(0.5);
    if !(share.is_finite() && share > 0.0 && share < 1.0) {
        return Err(invalid(format!(
            "treatment_share must be between 0 and 1 (exclusive), got {share}"
        )));
    }
    let now = Utc::now();
    let ends_at = request
        .ends_at
        .as_deref()
        .map(|t| instant(t, "ends_at"))
        .transpose()?;
    if ends_at.is_some_and(|end| end <= now) {
        return Err(invalid("ends_at must be in the future"));
    }
    let (control, treatment) = (request.control.clone(), request.treatment.clone());
    let (control, treatment) =
        tokio::task::spawn_blocking(move || versions(&registry, control.as_deref(), &treatment))
            .await
            .map_err(internal)??;
    if let Some(running) = crate::serving::running_model_experiment(db)
        .await
        .map_err(database)?
    {
        return Err(conflict(format!(
            "experiment {} between model versions is running; it must end first",
            running.id
        )));
    }
    let arms = vec![
        ArmSpec {
            name: "control".into(),
            weight: 1.0 - share,
            model_version: Some(control),
        },
        ArmSpec {
            name: "treatment".into(),
            weight: share,
            model_version: Some(treatment),
        },
    ];
    let salt = format!(
        "{:016x}",
        stable_hash(format!("models:{name}:{}", now.timestamp_nanos_opt().unwrap_or(0)).as_bytes())
    );
    let row = experiment::ActiveModel {
        id: NotSet,
        advertiser_id: Set(None),
        campaign_id: Set(None),
        name: Set(name),
        hypothesis: Set(request.hypothesis.trim().to_owned()),
        salt: Set(salt),
        status: Set("running".to_owned()),
        arms: Set(serde_json::to_value(&arms).map_err(internal)?),
        primary_metric: Set(request
            .primary_metric
            .unwrap_or(ExperimentMetric::Ctr)
            .name()
            .to_owned()),
        starts_at: Set(now),
        ends_at: Set(ends_at),
        created_at: Set(now),
    };
    let id = experiment::Entity::insert(row)
        .exec(db)
        .await
        .map_err(database)?
        .last_insert_id;
    let model = experiment::Entity::find_by_id(id)
        .one(db)
        .await
        .map_err(database)?
        .ok_or_else(|| not_found(format!("no experiment {id}")))?;
    summary(&model)
}
