//! `vitrine generate`: a seeded synthetic world over the `fashion` catalogue, with its ground
//! truth written beside the data.
//!
//! - `attributes` what each item is, measured from its picture and read from its words
//! - `behaviour`  users' tastes over those attributes, the logging policy that shows them
//!   items, and the behaviour that follows, with the planted parameters
//! - `advertising` advertisers, campaigns, creatives, ad events by segment and geo, two
//!   experiments and a geo intervention, with what was planted
//! - `ad_experiments` the two experiments' planted effects, funnels and feed activity
//! - `store_ads`  writes the advertising world

mod ad_experiments;
pub mod advertising;
pub mod attributes;
pub mod behaviour;
mod store_ads;
mod truth;

pub use truth::{GroundTruth, KindCounts};

use std::path::PathBuf;

use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

use self::behaviour::{
    BehaviourParams, Exposure, Kind, SimItem, SimUser, make_user, simulate_user,
};
use super::DataError;
use super::load::{CHUNK, Progress, Tracker, ids_by_external};
use super::rng::SplitMix64;
use crate::db::entities::{catalogue, interaction, item, item_image, user};

/// The simulated window: 28 days from 2026-10-01T00:00:00Z (fixed, so a seed names a world).
const WINDOW_START: i64 = 1_790_812_800;
const WINDOW_SECONDS: i64 = 28 * 24 * 3600;

#[derive(Clone, Debug)]
pub struct GenerateConfig {
    /// The catalogue whose items users see (`fashion`, or `fashion-scale`).
    pub catalogue: String,
    /// Also build the advertising world (only over the demo catalogue).
    pub advertising: bool,
    pub users: usize,
    pub events: usize,
    pub seed: u64,
    /// Where `ground_truth.json` and `user_tastes.tsv` go.
    pub out_dir: PathBuf,
}

/// Replaces the generated users of the `fashion` catalogue and their interactions, in one
/// transaction, then writes the ground truth (files are renamed into place only after the
/// commit).
///
/// # Errors
/// [`DataError`] when the catalogue is missing, a picture cannot be decoded, or the database
/// fails; nothing is committed then.
pub async fn run(
    db: &DatabaseConnection,
    config: &GenerateConfig,
    progress: impl FnMut(Progress) -> Result<(), DataError>,
) -> Result<GroundTruth, DataError> {
    let catalogue = catalogue::Entity::find()
        .filter(catalogue::Column::Name.eq(config.catalogue.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| {
            DataError::Inconsistent(format!(
                "no `{}` catalogue: run `vitrine import fashion` first",
                config.catalogue
            ))
        })?;
    let rows: Vec<(i64, String, String, String)> = item::Entity::find()
        .select_only()
        .columns([
            item::Column::Id,
            item::Column::Category,
            item::Column::Title,
            item::Column::Description,
        ])
        .filter(item::Column::CatalogueId.eq(catalogue.id))
        .filter(item::Column::RetiredAt.is_null())
        // Insertion order, the same on every engine: the seed alone then names the world.
        .order_by_asc(item::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let images: Vec<(i64, Vec<u8>)> = item_image::Entity::find()
        .select_only()
        .columns([item_image::Column::ItemId, item_image::Column::Content])
        .filter(
            item_image::Column::ItemId.in_subquery(
                Query::select()
                    .column(item::Column::Id)
                    .from(item::Entity)
                    .and_where(item::Column::CatalogueId.eq(catalogue.id))
                    .to_owned(),
            ),
        )
        .into_tuple()
        .all(db)
        .await?;
    let config_for_world = config.clone();
    let world = tokio::task::spawn_blocking(move || simulate(&config_for_world, rows, images))
        .await
        .map_err(|e| DataError::Inconsistent(format!("the simulation task failed: {e}")))??;
    store(db, catalogue.id, config, &world, progress).await?;
    Ok(world.truth)
}

struct World {
    /// Item ids in simulation order.
    item_ids: Vec<i64>,
    attributes: attributes::Attributes,
    popularity: Vec<f64>,
    ads: Option<advertising::AdWorld>,
    users: Vec<SimUser>,
    events: Vec<behaviour::SimEvent>,
    truth: GroundTruth,
}

fn simulate(
    config: &GenerateConfig,
    rows: Vec<(i64, String, String, String)>,
    images: Vec<(i64, Vec<u8>)>,
) -> Result<World, DataError> {
    if rows.is_empty() || config.users == 0 {
        return Err(DataError::Inconsistent(
            "nothing to simulate: no items or no users".into(),
        ));
    }
    let root = SplitMix64::new(config.seed);
    let params = BehaviourParams::default();
    let attributes = item_attributes(&rows, images)?;
    let items: Vec<SimItem> = rows
        .iter()
        .zip(&attributes.masks)
        .map(|(row, &mask)| SimItem { id: row.0, mask })
        .collect();
    let exposure = Exposure::new(&items, &params, &mut root.fork(1));
    let users: Vec<SimUser> = (0..config.users)
        .map(|u| {
            make_user(
                u,
                &attributes.vocab,
                &params,
                &mut root.fork(1_000 + u as u64),
            )
        })
        .collect();
    let (events, expected_clicks) = simulate_users(config, &users, &exposure, &params, &root);
    let mut counts = KindCounts::default();
    for e in &events {
        match e.kind {
            Kind::View => counts.view += 1,
            Kind::Click => counts.click += 1,
            Kind::Save => counts.save += 1,
            Kind::Dwell => counts.dwell += 1,
            Kind::Conversion => counts.conversion += 1,
        }
    }
    let ads = config
        .advertising
        .then(|| advertising::simulate(users.len(), items.len(), WINDOW_START, &mut root.fork(2)));
    let views = counts.view.max(1) as f64;
    let truth = GroundTruth {
        seed: config.seed,
        users: config.users,
        events: events.len(),
        window_start_unix: WINDOW_START,
        window_seconds: WINDOW_SECONDS,
        params,
        attributes: attributes.vocab.clone(),
        expected_ctr: expected_clicks / views,
        realised_ctr: counts.click as f64 / views,
        counts,
        ad_events: ads.as_ref().map_or(0, |a| a.events.len()),
        ad_feed_activity: ads.as_ref().map_or(0, |a| a.feed.len()),
        advertising: ads.as_ref().map(|a| a.truth.clone()),
    };
    let popularity = exposure.popularity;
    let item_ids = items.iter().map(|i| i.id).collect();
    Ok(World {
        item_ids,
        attributes,
        popularity,
        ads,
        users,
        events,
        truth,
    })
}

/// Every user's impressions and outcomes, on all cores: each user draws from their own fork of
/// the seed and the parts are joined in user order, so the world does not depend on the
/// number of threads. Returns the events and the expected click count.
fn simulate_users(
    config: &GenerateConfig,
    users: &[SimUser],
    exposure: &Exposure<'_>,
    params: &BehaviourParams,
    root: &SplitMix64,
) -> (Vec<behaviour::SimEvent>, f64) {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let per_thread = users.len().div_ceil(threads).max(1);
    let parts: Vec<(Vec<behaviour::SimEvent>, f64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = users
            .chunks(per_thread)
            .enumerate()
            .map(|(chunk, part)| {
                scope.spawn(move || {
                    let mut events = Vec::new();
                    let mut feed = Vec::new();
                    let mut expected = 0.0;
                    for (offset, user) in part.iter().enumerate() {
                        let u = chunk * per_thread + offset;
                        // A stream of the user's own, apart from the one that drew their tastes.
                        let mut rng = root.fork(1_000 + u as u64).fork(3);
                        // Spread the remainder; a user may run over by one impression's outcomes.
                        let budget = config.events / config.users
                            + usize::from(u < config.events % config.users);
                        expected += simulate_user(
                            u,
                            user,
                            exposure,
                            params,
                            budget,
                            (WINDOW_START, WINDOW_SECONDS),
                            &mut rng,
                            (&mut events, &mut feed),
                        );
                    }
                    (events, expected)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let total = parts.iter().map(|(e, _)| e.len()).sum();
    let mut events = Vec::with_capacity(total);
    let mut expected = 0.0;
    for (part, e) in parts {
        events.extend(part);
        expected += e;
    }
    (events, expected)
}

/// The attributes of the catalogue's items (rows: id, category, title, description), measured
/// from their pictures and words.
///
/// # Errors
/// [`DataError::Inconsistent`] when a picture cannot be decoded or the vocabulary is too big.
pub fn item_attributes(
    rows: &[(i64, String, String, String)],
    images: Vec<(i64, Vec<u8>)>,
) -> Result<attributes::Attributes, DataError> {
    let mut categories: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
    categories.sort();
    categories.dedup();
    let pixels: std::collections::HashMap<i64, Vec<u8>> = images
        .into_iter()
        .map(|(id, png)| {
            decode_28x28(&png)
                .map(|p| (id, p))
                .map_err(|reason| DataError::Inconsistent(format!("item {id}: {reason}")))
        })
        .collect::<Result<_, _>>()?;
    let blank = vec![0_u8; 28 * 28];
    let texts: Vec<String> = rows
        .iter()
        .map(|(_, _, title, description)| format!("{title} {description}"))
        .collect();
    let sources: Vec<attributes::ItemSource<'_>> = rows
        .iter()
        .zip(&texts)
        .map(|((id, category, _, _), text)| attributes::ItemSource {
            category: categories.binary_search(category).unwrap_or(0),
            text,
            pixels: pixels.get(id).unwrap_or(&blank),
        })
        .collect();
    attributes::measure(&categories, &sources).map_err(DataError::Inconsistent)
}

fn decode_28x28(png: &[u8]) -> Result<Vec<u8>, String> {
    let image = image::load_from_memory(png)
        .map_err(|e| format!("unreadable picture: {e}"))?
        .to_luma8();
    let resized = if image.dimensions() == (28, 28) {
        image
    } else {
        image::imageops::resize(&image, 28, 28, image::imageops::FilterType::Triangle)
    };
    Ok(resized.into_raw())
}

async fn store(
    db: &DatabaseConnection,
    catalogue_id: i32,
    config: &GenerateConfig,
    world: &World,
    progress: impl FnMut(Progress) -> Result<(), DataError>,
) -> Result<(), DataError> {
    let now = chrono::Utc::now();
    let ad_rows = world.ads.as_ref().map_or(0, |a| {
        a.events.len()
            + a.feed.len()
            + a.experiments
                .iter()
                .map(|x| x.assignments.len())
                .sum::<usize>()
    });
    let rows = world.users.len() + world.events.len() + ad_rows;
    let mut tracker = Tracker::new(rows, progress);
    let staged = truth::stage(
        &config.out_dir,
        &world.truth,
        &world.users,
        (&world.item_ids, &world.attributes.masks, &world.popularity),
    )?;
    let txn = db.begin().await?;
    // Generated users are the catalogue's only users; their interactions cascade.
    user::Entity::delete_many()
        .filter(user::Column::CatalogueId.eq(catalogue_id))
        .exec(&txn)
        .await?;
    for chunk in world.users.chunks(CHUNK) {
        user::Entity::insert_many(chunk.iter().map(|u| user::ActiveModel {
            id: NotSet,
            catalogue_id: Set(catalogue_id),
            external_id: Set(u.external_id.clone()),
            age: Set(None),
            gender: Set(None),
            occupation: Set(None),
            zip: Set(None),
            created_at: Set(now),
        }))
        .exec_without_returning(&txn)
        .await?;
        tracker.advance(chunk.len())?;
    }
    let ids = ids_by_external(&txn, "users", catalogue_id).await?;
    let user_ids: Vec<i64> = world
        .users
        .iter()
        .map(|u| {
            ids.get(&u.external_id).copied().ok_or_else(|| {
                DataError::Inconsistent(format!("user {} was not stored", u.external_id))
            })
        })
        .collect::<Result<_, _>>()?;
    for chunk in world.events.chunks(CHUNK) {
        interaction::Entity::insert_many(chunk.iter().map(|e| interaction::ActiveModel {
            id: NotSet,
            user_id: Set(user_ids[e.user]),
            item_id: Set(e.item_id),
            kind: Set(e.kind.as_str().to_owned()),
            value: Set(e.value),
            occurred_at: Set(chrono::DateTime::from_timestamp(e.at_unix, 0).unwrap_or(now)),
            model_version: Set(None),
            idempotency_key: NotSet,
        }))
        .exec_without_returning(&txn)
        .await?;
        tracker.advance(chunk.len())?;
    }
    let ids = store_ads::Ids {
        users: &user_ids,
        items: &world.item_ids,
    };
    if let Some(ads) = &world.ads {
        store_ads::store(&txn, ads, &ids, |rows| tracker.advance(rows)).await?;
    }
    txn.commit().await?;
    staged.publish()
}
