//! One published index version in memory: the item vectors in an IVF-Flat index, what a feed
//! shows of each item, the popular and trending lists for cold starts, the user tower's
//! per-item projections, and the model workers of the checkpoint that made the vectors.
//! Built off the executor and swapped in whole; requests hold an `Arc` to the one they began
//! with, so a swap never disturbs a request in flight.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use ann::{IvfIndex, IvfParams};
use sea_orm::{DatabaseConnection, FromQueryResult, Statement};

use super::workers::{EncoderSource, ModelPool};
use crate::config::InferenceSettings;
use crate::db::items::{ItemCard, catalogue_cards};
use crate::vector::{IndexedColumns, VectorError, VectorStore, item_vectors};

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("no index has been built yet: run `vitrine index`")]
    NoIndex,
    #[error("the index was built by other weights than the model in {0}: run `vitrine index`")]
    StaleModel(String),
    #[error("the model in {0} cannot be loaded: {1}")]
    Model(String, String),
    #[error(transparent)]
    Vectors(#[from] VectorError),
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    #[error("the in-memory index cannot be built: {0}")]
    Ann(#[from] ann::AnnError),
    #[error("a loading task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

pub struct Snapshot {
    /// The published LanceDB version it was loaded from.
    pub version: u64,
    /// Changes applied since that load (items added or retired through the catalogue API).
    pub revision: u64,
    pub index_version: String,
    pub dim: usize,
    pub feature_dim: usize,
    pub ann: IvfIndex,
    pub probes: usize,
    /// Per row: SQL item id, card, category index, vector.
    pub item_ids: Vec<i64>,
    pub cards: Vec<ItemCard>,
    pub category_of: Vec<u32>,
    pub categories: HashMap<String, u32>,
    pub vectors: Vec<f32>,
    pub history_text: Vec<f32>,
    pub has_text: Vec<bool>,
    pub history_image: Vec<f32>,
    pub has_image: Vec<bool>,
    pub row_of: HashMap<i64, u32>,
    /// Rows by interactions over all time, and over the recent window (cold start).
    pub popular: Vec<u32>,
    pub trending: Vec<u32>,
    /// Rows whose item was retired (or replaced by a newer row) since the load.
    pub retired: HashSet<u32>,
    pub model: Arc<ModelPool>,
}

#[derive(FromQueryResult)]
struct Count {
    item_id: i64,
    n: i64,
}

impl Snapshot {
    pub fn vector(&self, row: u32) -> &[f32] {
        let r = row as usize;
        &self.vectors[r * self.dim..(r + 1) * self.dim]
    }

    pub fn len(&self) -> usize {
        self.item_ids.len()
    }

    /// Whether the row's item may be shown: it was not retired or replaced since the load.
    pub fn is_live(&self, row: u32) -> bool {
        !self.retired.contains(&row)
    }

    /// The model version (registry id: the weights digest's first 12 hex) that made the vectors.
    pub fn model_version(&self) -> &str {
        let digest = self.model.weights_digest();
        &digest[..digest.len().min(12)]
    }

    pub fn is_empty(&self) -> bool {
        self.item_ids.is_empty()
    }

    /// Mean of the user tower's projections over `rows` (those that have the feature).
    pub fn pooled(&self, rows: &[u32]) -> (Option<Vec<f32>>, Option<Vec<f32>>) {
        let fd = self.feature_dim;
        let pool = |flat: &[f32], has: &[bool]| {
            let mut sum = vec![0f32; fd];
            let mut n = 0usize;
            for &r in rows.iter().filter(|&&r| has[r as usize]) {
                let r = r as usize;
                sum.iter_mut()
                    .zip(&flat[r * fd..(r + 1) * fd])
                    .for_each(|(s, x)| *s += x);
                n += 1;
            }
            (n > 0).then(|| sum.into_iter().map(|s| s / n as f32).collect())
        };
        (
            pool(&self.history_text, &self.has_text),
            pool(&self.history_image, &self.has_image),
        )
    }
}

/// Interactions per item of the served kinds, since `since` (all time when `None`).
pub(super) async fn counts(
    db: &DatabaseConnection,
    kinds: &[String],
    since_days: Option<i64>,
) -> Result<HashMap<i64, i64>, sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let list = kinds
        .iter()
        .map(|k| format!("'{}'", k.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(",");
    let window = match since_days {
        // The window ends at the newest interaction, so that a dataset of the past trends too.
        Some(days) => format!(
            " AND occurred_at >= (SELECT {} FROM interactions)",
            match backend {
                sea_orm::DatabaseBackend::Postgres =>
                    format!("MAX(occurred_at) - INTERVAL '{days} days'"),
                _ => format!("strftime('%Y-%m-%dT%H:%M:%S', MAX(occurred_at), '-{days} days')"),
            }
        ),
        None => String::new(),
    };
    let sql = format!(
        "SELECT item_id, COUNT(*) AS n FROM interactions WHERE kind IN ({list}){window} GROUP BY item_id"
    );
    Ok(
        Count::find_by_statement(Statement::from_string(backend, sql))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.item_id, c.n))
            .collect(),
    )
}

pub(super) fn ranked(row_of: &HashMap<i64, u32>, counts: &HashMap<i64, i64>) -> Vec<u32> {
    let mut rows: Vec<(i64, u32)> = counts
        .iter()
        .filter_map(|(id, n)| row_of.get(id).map(|r| (*n, *r)))
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    rows.into_iter().map(|(_, r)| r).collect()
}

/// Loads the latest published version of `item_vectors`, with the model that made it.
///
/// # Errors
/// [`SnapshotError::NoIndex`] before the first `vitrine index`; others for a model that does
/// not match the index, or a store failure.
pub async fn load(
    db: &DatabaseConnection,
    store: &VectorStore,
    settings: &InferenceSettings,
    model_dir: &Path,
    encoders: EncoderSource,
) -> Result<Snapshot, SnapshotError> {
    let table = item_vectors::open(store)
        .await?
        .ok_or(SnapshotError::NoIndex)?;
    let columns: IndexedColumns = item_vectors::read_all(&table).await?;
    if columns.item_ids.is_empty() {
        return Err(SnapshotError::NoIndex);
    }
    let cards: HashMap<i64, ItemCard> = catalogue_cards(db, &settings.catalogue)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let kinds = &settings.feed.history_kinds;
    let all_time = counts(db, kinds, None).await?;
    let recent = counts(db, kinds, Some(settings.feed.trending_days)).await?;
    let dir = model_dir.to_path_buf();
    let snapshot = settings.snapshot.clone();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    tokio::task::spawn_blocking(move || {
        let dir = model_for(&dir, &columns.index_version);
        let model = ModelPool::start(&dir, threads, encoders)
            .map_err(|e| SnapshotError::Model(dir.display().to_string(), e.to_string()))?;
        if !columns
            .index_version
            .starts_with(&model.weights_digest()[..model.weights_digest().len().min(12)])
        {
            return Err(SnapshotError::StaleModel(dir.display().to_string()));
        }
        assemble(columns, cards, &all_time, &recent, &snapshot, model)
    })
    .await?
}

/// The folder of the model that made the index: the served folder, or during a promotion
/// (which publishes the new version's index before it copies the version into the served
/// folder) the registered version the index names. So the switch is atomic for the server.
fn model_for(served: &Path, index_version: &str) -> std::path::PathBuf {
    let prefix = index_version.split('-').next().unwrap_or_default();
    let served_matches = crate::recsys::checkpoint::read_meta(served, None)
        .is_ok_and(|m| !prefix.is_empty() && m.weights_digest.starts_with(prefix));
    let version = served.join(crate::recsys::registry::VERSIONS).join(prefix);
    if served_matches || prefix.is_empty() || !version.is_dir() {
        served.to_path_buf()
    } else {
        version
    }
}

/// The IVF-Flat index over `vectors` (row `r` is id `r`), and how many lists a query probes.
pub(super) fn ivf(
    vectors: &[f32],
    dim: usize,
    settings: &crate::config::SnapshotSettings,
) -> Result<(IvfIndex, usize), ann::AnnError> {
    let rows = vectors.len() / dim.max(1);
    let lists = match settings.lists {
        0 => ((rows as f64).sqrt().round() as usize).max(1),
        n => n,
    };
    let row_ids: Vec<i64> = (0..rows as i64).collect();
    let ann = IvfIndex::build(
        &row_ids,
        vectors,
        dim,
        &IvfParams {
            lists,
            train_sample: settings.train_sample,
            iterations: settings.iterations,
            seed: 7,
        },
    )?;
    let probes = ((ann.lists() as f64 * settings.probe_fraction).ceil() as usize).max(1);
    Ok((ann, probes))
}

fn assemble(
    c: IndexedColumns,
    mut cards: HashMap<i64, ItemCard>,
    all_time: &HashMap<i64, i64>,
    recent: &HashMap<i64, i64>,
    settings: &crate::config::SnapshotSettings,
    model: ModelPool,
) -> Result<Snapshot, SnapshotError> {
    let (ann, probes) = ivf(&c.vectors, c.dim, settings)?;
    let row_of: HashMap<i64, u32> = c
        .item_ids
        .iter()
        .zip(0u32..)
        .map(|(id, r)| (*id, r))
        .collect();
    let mut categories: HashMap<String, u32> = HashMap::new();
    let category_of = c
        .categories
        .iter()
        .map(|name| {
            let next = categories.len() as u32;
            *categories.entry(name.clone()).or_insert(next)
        })
        .collect();
    let item_cards = c
        .item_ids
        .iter()
        .zip(&c.categories)
        .map(|(id, category)| {
            cards.remove(id).unwrap_or_else(|| ItemCard {
                id: *id,
                external_id: id.to_string(),
                title: String::new(),
                category: category.clone(),
                has_picture: false,
            })
        })
        .collect();
    Ok(Snapshot {
        version: c.version,
        revision: 0,
        retired: HashSet::new(),
        index_version: c.index_version,
        dim: c.dim,
        feature_dim: c.feature_dim,
        probes,
        popular: ranked(&row_of, all_time),
        trending: ranked(&row_of, recent),
        ann,
        cards: item_cards,
        category_of,
        categories,
        item_ids: c.item_ids,
        vectors: c.vectors,
        history_text: c.history_text,
        has_text: c.has_text,
        history_image: c.history_image,
        has_image: c.has_image,
        row_of,
        model: Arc::new(model),
    })
}
