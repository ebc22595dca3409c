//! The protocol's input from the product's own stores: a catalogue's interactions, users and
//! items from SQL, and the items' content features from LanceDB (`item_features`).

use std::collections::HashMap;

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::dataset::{Dataset, RawRating};
use crate::db::entities::{catalogue, interaction, item, user};
use crate::recsys::inputs::ItemSource;
use crate::vector::{FeatureRow, FeatureTable, VectorError};

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("database: {0}")]
    Db(#[from] DbErr),
    #[error(transparent)]
    Vector(#[from] VectorError),
    #[error("unknown catalogue `{0}`; import it first (`vitrine import`)")]
    UnknownCatalogue(String),
    #[error("catalogue `{catalogue}`: {reason}")]
    Empty { catalogue: String, reason: String },
}

/// Which interactions count as positives.
#[derive(Clone, Copy, Debug)]
pub enum Positives {
    /// `rating` interactions at or above the value (MovieLens: 3).
    RatingAtLeast(f64),
    /// Interactions of one kind (the synthetic world: `click`), each user-item pair once.
    Kind(&'static str),
}

pub struct ProtocolData {
    pub dataset: Dataset,
    /// Per dataset user: demographic tokens.
    pub user_features: Vec<Vec<String>>,
    /// Per dataset item: category and content features.
    pub items: Vec<ItemSource>,
    /// Per dataset item: its id in SQL.
    pub item_ids: Vec<i64>,
    /// Dataset items with text features, and with image features.
    pub with_text: usize,
    pub with_image: usize,
}

fn age_band(age: i32) -> &'static str {
    match age {
        ..=17 => "under-18",
        18..=24 => "18-24",
        25..=34 => "25-34",
        35..=44 => "35-44",
        45..=54 => "45-54",
        _ => "55+",
    }
}

/// A user's demographic tokens (`age=25-34`, `gender=F`, ...): the user tower's features, in
/// training and in serving alike.
pub fn demographic_tokens(u: &user::Model) -> Vec<String> {
    let mut tokens = Vec::new();
    tokens.extend(u.age.map(|a| format!("age={}", age_band(a))));
    tokens.extend(u.gender.as_ref().map(|g| format!("gender={g}")));
    tokens.extend(u.occupation.as_ref().map(|o| format!("occupation={o}")));
    tokens
}

/// Loads `catalogue`, keeps `positives`, applies the `k`-core, and joins the features.
///
/// # Errors
/// [`SourceError`] when the catalogue is missing or leaves nothing after filtering.
pub async fn load(
    db: &DatabaseConnection,
    features: Option<&FeatureTable>,
    catalogue_name: &str,
    positives: Positives,
    k: usize,
    sample_users: Option<(usize, u64)>,
) -> Result<ProtocolData, SourceError> {
    let found = catalogue::Entity::find()
        .filter(catalogue::Column::Name.eq(catalogue_name))
        .one(db)
        .await?
        .ok_or_else(|| SourceError::UnknownCatalogue(catalogue_name.to_owned()))?;
    let mut all_users = user::Entity::find()
        .filter(user::Column::CatalogueId.eq(found.id))
        .all(db)
        .await?;
    if let Some((count, seed)) = sample_users {
        // A seeded sample: the same users on every engine and every run.
        all_users.sort_by_key(|u| u.id);
        let mut rng = crate::data::rng::SplitMix64::new(seed);
        for i in (1..all_users.len()).rev() {
            all_users.swap(i, rng.below(i + 1));
        }
        all_users.truncate(count);
    }
    let users: HashMap<i64, user::Model> = all_users.into_iter().map(|u| (u.id, u)).collect();
    let items: HashMap<i64, (String, String)> = item::Entity::find()
        .select_only()
        .columns([
            item::Column::Id,
            item::Column::ExternalId,
            item::Column::Category,
        ])
        .filter(item::Column::CatalogueId.eq(found.id))
        .into_tuple::<(i64, String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, external, category)| (id, (external, category)))
        .collect();
    let kind = match positives {
        Positives::RatingAtLeast(_) => "rating",
        Positives::Kind(kind) => kind,
    };
    let mut rows: Vec<(i64, i64, Option<f64>, chrono::DateTime<chrono::Utc>)> =
        interaction::Entity::find()
            .select_only()
            .columns([
                interaction::Column::UserId,
                interaction::Column::ItemId,
                interaction::Column::Value,
                interaction::Column::OccurredAt,
            ])
            .filter(interaction::Column::Kind.eq(kind))
            .into_tuple()
            .all(db)
            .await?;
    rows.retain(|(u, i, _, _)| users.contains_key(u) && items.contains_key(i));
    rows.sort_by_key(|r| (r.3, r.0, r.1));
    if let Positives::Kind(_) = positives {
        let mut seen = std::collections::HashSet::new();
        rows.retain(|(u, i, _, _)| seen.insert((*u, *i)));
    }
    let user_ext: HashMap<i64, &str> = users
        .iter()
        .map(|(id, u)| (*id, u.external_id.as_str()))
        .collect();
    let raw: Vec<RawRating<'_>> = rows
        .iter()
        .map(|(u, i, value, at)| RawRating {
            user: user_ext[u],
            item: items[i].0.as_str(),
            rating: value.unwrap_or(1.0),
            timestamp: at.timestamp(),
        })
        .collect();
    let min_rating = match positives {
        Positives::RatingAtLeast(min) => min,
        Positives::Kind(_) => f64::NEG_INFINITY,
    };
    let dataset = Dataset::implicit_k_core(&raw, min_rating, k);
    if dataset.interactions.is_empty() {
        return Err(SourceError::Empty {
            catalogue: catalogue_name.to_owned(),
            reason: format!("no {kind} interactions survive the {k}-core"),
        });
    }
    let by_user_ext: HashMap<&str, &user::Model> = users
        .values()
        .map(|u| (u.external_id.as_str(), u))
        .collect();
    let user_features = dataset
        .users
        .iter()
        .map(|ext| demographic_tokens(by_user_ext[ext.as_str()]))
        .collect();
    let by_item_ext: HashMap<&str, (i64, &str)> = items
        .iter()
        .map(|(id, (ext, cat))| (ext.as_str(), (*id, cat.as_str())))
        .collect();
    let ids: Vec<i64> = dataset
        .items
        .iter()
        .map(|ext| by_item_ext[ext.as_str()].0)
        .collect();
    let rows = match features {
        Some(table) => table.read_items(&ids).await?,
        None => Vec::new(),
    };
    let mut by_id: HashMap<i64, FeatureRow> = rows.into_iter().map(|r| (r.item_id, r)).collect();
    let sources: Vec<ItemSource> = dataset
        .items
        .iter()
        .zip(&ids)
        .map(|(ext, id)| {
            let row = by_id.remove(id);
            ItemSource {
                category: by_item_ext[ext.as_str()].1.to_owned(),
                text: row.as_ref().map(|r| r.text.clone()),
                image: row.and_then(|r| r.image),
            }
        })
        .collect();
    Ok(ProtocolData {
        with_text: sources.iter().filter(|s| s.text.is_some()).count(),
        with_image: sources.iter().filter(|s| s.image.is_some()).count(),
        dataset,
        user_features,
        items: sources,
        item_ids: ids,
    })
}
