//! Writes the advertising world inside the generator's transaction.

use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter,
};

use super::super::DataError;
use super::super::load::CHUNK;
use super::advertising::{self, AdWorld};
use crate::db::entities::{
    advertiser, campaign, causal_study, creative, event, experiment, experiment_assignment,
    interaction,
};

/// Database ids of what the simulation refers to by index.
pub struct Ids<'a> {
    pub users: &'a [i64],
    pub items: &'a [i64],
}

/// Replaces the demo advertisers (and everything that cascades from them) with `ads`.
/// Returns the number of rows written, for progress.
///
/// # Errors
/// [`DataError::Database`].
pub async fn store(
    txn: &DatabaseTransaction,
    ads: &AdWorld,
    ids: &Ids<'_>,
    mut advance: impl FnMut(usize) -> Result<(), DataError>,
) -> Result<(), DataError> {
    let now = chrono::Utc::now();
    let names: Vec<&str> = advertising::advertisers().map(|(name, _)| name).collect();
    advertiser::Entity::delete_many()
        .filter(advertiser::Column::Name.is_in(names))
        .exec(txn)
        .await?;
    let mut advertiser_ids = Vec::new();
    for (name, zone) in advertising::advertisers() {
        let row = advertiser::ActiveModel {
            id: NotSet,
            name: Set(name.to_owned()),
            time_zone: Set(zone.to_owned()),
            currency: Set("USD".to_owned()),
            created_at: Set(now),
        };
        advertiser_ids.push(
            advertiser::Entity::insert(row)
                .exec(txn)
                .await?
                .last_insert_id,
        );
    }
    let start = chrono::DateTime::from_timestamp(super::WINDOW_START, 0).unwrap_or(now);
    let mut campaign_ids = Vec::new();
    let mut creative_ids: Vec<Vec<i32>> = Vec::new();
    for c in &ads.campaigns {
        let row = campaign::ActiveModel {
            id: NotSet,
            advertiser_id: Set(advertiser_ids[c.advertiser]),
            name: Set(c.name.clone()),
            status: Set("active".to_owned()),
            daily_budget: Set(c.daily_budget),
            total_budget: Set(None),
            starts_at: Set(start),
            ends_at: Set(None),
            targeting: Set(
                serde_json::json!({ "segments": advertising::SEGMENTS, "geos": advertising::GEOS }),
            ),
            created_at: Set(now),
        };
        let campaign_id = campaign::Entity::insert(row)
            .exec(txn)
            .await?
            .last_insert_id;
        let mut ids_here = Vec::new();
        for (k, &item) in c.creative_items.iter().enumerate() {
            let row = creative::ActiveModel {
                id: NotSet,
                campaign_id: Set(campaign_id),
                item_id: Set(ids.items[item]),
                name: Set(format!("{} {}", c.name, char::from(b'A' + k as u8))),
                headline: Set(None),
                created_at: Set(now),
            };
            ids_here.push(
                creative::Entity::insert(row)
                    .exec(txn)
                    .await?
                    .last_insert_id,
            );
        }
        campaign_ids.push(campaign_id);
        creative_ids.push(ids_here);
    }
    for chunk in ads.events.chunks(CHUNK) {
        event::Entity::insert_many(chunk.iter().map(|e| event::ActiveModel {
            id: NotSet,
            idempotency_key: Set(None),
            kind: Set(e.kind.to_owned()),
            campaign_id: Set(campaign_ids[e.campaign]),
            creative_id: Set(creative_ids[e.campaign][e.creative]),
            user_id: Set(Some(ids.users[e.user])),
            segment: Set(e.segment.to_owned()),
            geo: Set(e.geo.to_owned()),
            cost: Set(e.cost),
            revenue: Set(e.revenue),
            occurred_at: Set(chrono::DateTime::from_timestamp(e.at_unix, 0).unwrap_or(now)),
            model_version: Set(None),
            attestation: Set(None),
        }))
        .exec_without_returning(txn)
        .await?;
        advance(chunk.len())?;
    }
    for chunk in ads.feed.chunks(CHUNK) {
        interaction::Entity::insert_many(chunk.iter().map(|a| interaction::ActiveModel {
            id: NotSet,
            user_id: Set(ids.users[a.user]),
            item_id: Set(ids.items[ads.campaigns[a.campaign].creative_items[a.creative]]),
            kind: Set(a.kind.to_owned()),
            value: Set(a.seconds),
            occurred_at: Set(chrono::DateTime::from_timestamp(a.at_unix, 0).unwrap_or(now)),
            model_version: Set(None),
            idempotency_key: NotSet,
        }))
        .exec_without_returning(txn)
        .await?;
        advance(chunk.len())?;
    }
    let experiment_start = start + chrono::Duration::days(14);
    for (x, truth) in ads.experiments.iter().zip(&ads.truth.experiments) {
        let row = experiment::ActiveModel {
            id: NotSet,
            advertiser_id: Set(Some(advertiser_ids[x.advertiser])),
            campaign_id: Set(Some(campaign_ids[x.campaign])),
            name: Set(x.name.to_owned()),
            hypothesis: Set(format!(
                "{} raises clicks, saves, dwell and conversions of {}",
                x.name, ads.campaigns[x.campaign].name
            )),
            salt: Set(x.salt.clone()),
            status: Set("running".to_owned()),
            arms: Set(serde_json::json!(
                truth
                    .arms
                    .iter()
                    .zip(&truth.intended_weights)
                    .map(|(arm, w)| serde_json::json!({"name": arm, "weight": w}))
                    .collect::<Vec<_>>()
            )),
            primary_metric: Set("ctr".to_owned()),
            starts_at: Set(experiment_start),
            ends_at: Set(None),
            created_at: Set(now),
        };
        let experiment_id = experiment::Entity::insert(row)
            .exec(txn)
            .await?
            .last_insert_id;
        for chunk in x.assignments.chunks(CHUNK) {
            experiment_assignment::Entity::insert_many(chunk.iter().map(|&(arm, user)| {
                experiment_assignment::ActiveModel {
                    experiment_id: Set(experiment_id),
                    user_id: Set(ids.users[user]),
                    arm: Set(truth.arms[arm].clone()),
                    assigned_at: Set(experiment_start),
                }
            }))
            .exec_without_returning(txn)
            .await?;
            advance(chunk.len())?;
        }
    }
    let study = &ads.truth.study;
    let Some(c) = ads.campaigns.iter().position(|c| c.name == study.campaign) else {
        return Ok(());
    };
    for method in ["did", "synthetic_control"] {
        let row = causal_study::ActiveModel {
            id: NotSet,
            advertiser_id: Set(advertiser_ids[ads.campaigns[c].advertiser]),
            name: Set(format!(
                "{} by geo ({})",
                study.campaign,
                method.replace('_', " ")
            )),
            method: Set(method.to_owned()),
            outcome_metric: Set(study.outcome.clone()),
            intervention_at: Set(start + chrono::Duration::days(study.intervention_day)),
            design: Set(serde_json::json!({
                "campaign_id": campaign_ids[c],
                "unit": "geo",
                "treated": study.treated_geos,
                "control": study.control_geos,
                "period": "day",
            })),
            result: Set(None),
            created_at: Set(now),
        };
        causal_study::Entity::insert(row).exec(txn).await?;
    }
    Ok(())
}
