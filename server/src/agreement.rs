//! Whether SQL and LanceDB agree about the served catalogue: every active item has content
//! features and a vector in the published index, nothing is indexed that SQL does not know, and
//! the index was built by the model in the model folder. `vitrine doctor` prints it.
//!
//! What it finds is of two kinds. *Notes* are unfinished work the product is designed to live
//! with (items not yet encoded, no model or index yet, items added or retired since the index):
//! the feed serves meanwhile, and each note names the command that finishes the work.
//! *Problems* are disagreements the product cannot serve through: an index built by other
//! weights than the model's, vectors of items SQL has never had, no catalogue at all.

use std::collections::HashSet;
use std::path::Path;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;

use crate::db::entities::{catalogue, item};
use crate::recsys::checkpoint;
use crate::vector::{FeatureTable, VectorError, VectorStore, item_vectors};

/// How many example ids a finding lists.
const EXAMPLES: usize = 5;

/// One disagreement: how many items, and a few of their SQL ids.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub count: usize,
    pub examples: Vec<i64>,
}

impl Finding {
    fn of(ids: impl Iterator<Item = i64>) -> Self {
        let mut all: Vec<i64> = ids.collect();
        all.sort_unstable();
        Self {
            count: all.len(),
            examples: all.into_iter().take(EXAMPLES).collect(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Agreement {
    pub catalogue: String,
    /// Active (not retired) items in SQL.
    pub items: usize,
    pub without_features: Finding,
    pub without_vector: Finding,
    /// Rows of `item_features` for items SQL does not have.
    pub unknown_features: Finding,
    /// Items in the published index that SQL has retired since (the feed skips them).
    pub retired_vectors: Finding,
    /// Items in the published index that SQL has never had.
    pub unknown_vectors: Finding,
    /// The published index's version; empty when nothing is published.
    pub index_version: String,
    /// Items in the published index.
    pub indexed: usize,
    /// The weights digest of the model in the model folder, if one loads.
    pub model_digest: Option<String>,
    /// What is broken, in words; empty when nothing is.
    pub problems: Vec<String>,
    /// What is unfinished as designed, each with the command that finishes it.
    pub notes: Vec<String>,
}

/// Compares the catalogue's items in SQL with LanceDB and the model in `model_dir`.
///
/// # Errors
/// [`AgreementError`] when SQL or LanceDB cannot be read.
pub async fn check(
    db: &DatabaseConnection,
    store: &VectorStore,
    catalogue_name: &str,
    model_dir: &Path,
) -> Result<Agreement, AgreementError> {
    let mut out = Agreement {
        catalogue: catalogue_name.to_owned(),
        ..Default::default()
    };
    let Some(found) = catalogue::Entity::find()
        .filter(catalogue::Column::Name.eq(catalogue_name))
        .one(db)
        .await?
    else {
        out.problems.push(format!(
            "the catalogue `{catalogue_name}` is not imported: `vitrine import {catalogue_name}` (the demo: `scripts/run.sh`)"
        ));
        return Ok(out);
    };
    let rows: Vec<(i64, bool)> = item::Entity::find()
        .select_only()
        .column(item::Column::Id)
        .expr(item::Column::RetiredAt.is_null())
        .filter(item::Column::CatalogueId.eq(found.id))
        .into_tuple()
        .all(db)
        .await?;
    let all: HashSet<i64> = rows.iter().map(|r| r.0).collect();
    let active: HashSet<i64> = rows.iter().filter(|r| r.1).map(|r| r.0).collect();
    out.items = active.len();

    let features: HashSet<i64> = match FeatureTable::open_existing(store).await? {
        Some(table) => table.row_states().await?.into_keys().collect(),
        None => HashSet::new(),
    };
    out.without_features = Finding::of(active.difference(&features).copied());
    // `item_features` is shared by catalogues: only ids of this catalogue's range count.
    let range = all.iter().min().copied().unwrap_or(0)..=all.iter().max().copied().unwrap_or(-1);
    out.unknown_features = Finding::of(
        features
            .iter()
            .copied()
            .filter(|id| range.contains(id) && !all.contains(id)),
    );

    let (vectors, stamp) = match item_vectors::open(store).await? {
        Some(table) => item_vectors::item_ids(&table).await?,
        None => (Vec::new(), String::new()),
    };
    let vectors: HashSet<i64> = vectors.into_iter().collect();
    out.indexed = vectors.len();
    out.without_vector = Finding::of(active.difference(&vectors).copied());
    out.retired_vectors = Finding::of(
        vectors
            .iter()
            .copied()
            .filter(|id| all.contains(id) && !active.contains(id)),
    );
    out.unknown_vectors = Finding::of(vectors.iter().copied().filter(|id| !all.contains(id)));
    out.index_version = stamp;
    out.model_digest = checkpoint::read_meta(model_dir, None)
        .ok()
        .map(|m| m.weights_digest);

    let (mut problems, mut notes) = (Vec::new(), Vec::new());
    let say = |to: &mut Vec<String>, finding: &Finding, what: &str| {
        if finding.count > 0 {
            to.push(format!(
                "{} {what} (e.g. item {:?})",
                finding.count, finding.examples
            ));
        }
    };
    say(
        &mut notes,
        &out.without_features,
        "active items have no content features yet: `vitrine extract` encodes them, resuming where it stopped",
    );
    // Before the first index every item lacks a vector; the note below says so once.
    let unindexed = if out.index_version.is_empty() {
        Finding::default()
    } else {
        out.without_vector.clone()
    };
    say(
        &mut notes,
        &unindexed,
        "active items are not in the published index yet: the server files new items in; `vitrine index` publishes them all",
    );
    say(
        &mut notes,
        &out.unknown_features,
        "feature rows belong to no item in SQL (unused): `vitrine extract --rebuild` drops them",
    );
    say(
        &mut notes,
        &out.retired_vectors,
        "indexed items were retired since (the feed skips them): `vitrine index` drops them",
    );
    say(
        &mut problems,
        &out.unknown_vectors,
        "indexed items are unknown to SQL: `vitrine index` rebuilds the index from SQL",
    );
    match (&out.model_digest, out.index_version.as_str()) {
        (None, "") => notes.push(format!(
            "no model yet (the feed serves popular items meanwhile): `vitrine train --catalogue {catalogue_name}`, then `vitrine index`"
        )),
        (Some(_), "") => notes.push(
            "no index is published yet (the feed serves popular items meanwhile): `vitrine index`".into(),
        ),
        (None, version) => problems.push(format!(
            "the index {version} was built by a model that is not in {}: `vitrine train`, then `vitrine index`",
            model_dir.display()
        )),
        (Some(digest), version) if !version.starts_with(&digest[..digest.len().min(12)]) => {
            problems.push(format!(
                "the index {version} was built by other weights than the model in {} ({digest}): `vitrine index`",
                model_dir.display()
            ));
        }
        _ => {}
    }
    out.notes = notes;
    out.problems = problems;
    Ok(out)
}

#[derive(Debug, thiserror::Error)]
pub enum AgreementError {
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Vectors(#[from] VectorError),
}
