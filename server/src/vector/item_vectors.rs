//! The `item_vectors` table: each item's vector from the content tower, the user tower's
//! projections of its features (pooled over a user's history at request time), its category,
//! and the index version that wrote it. `vitrine index` replaces the whole table in one
//! LanceDB commit (an overwrite is a new version), so readers see the old index or the new one
//! and never a mixture; serving polls the version and swaps its in-memory snapshot.

use std::sync::Arc;

use arrow_array::builder::{FixedSizeListBuilder, Float32Builder};
use arrow_array::{Array, FixedSizeListArray, Float32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use futures::TryStreamExt;
use lancedb::DistanceType;
use lancedb::database::CreateTableMode;
use lancedb::index::Index;
use lancedb::index::vector::IvfPqIndexBuilder;
use lancedb::query::{ExecutableQuery, QueryBase, Select};

use super::{VectorError, VectorStore};
use crate::config::IndexSettings;

pub const ITEM_VECTORS: &str = "item_vectors";
const ROWS_PER_BATCH: usize = 8192;

/// One item as indexed.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexedItem {
    pub item_id: i64,
    pub category: String,
    /// Unit vector in the shared space.
    pub vector: Vec<f32>,
    /// The user tower's projection of the item's text and image features (empty: absent).
    pub history_text: Vec<f32>,
    pub history_image: Vec<f32>,
}

/// All rows of one published version, column by column (the shape a snapshot wants).
#[derive(Debug, Default)]
pub struct IndexedColumns {
    pub version: u64,
    pub index_version: String,
    pub dim: usize,
    pub feature_dim: usize,
    pub item_ids: Vec<i64>,
    pub categories: Vec<String>,
    /// `[rows * dim]`.
    pub vectors: Vec<f32>,
    /// `[rows * feature_dim]`, zeros where absent, and presence flags.
    pub history_text: Vec<f32>,
    pub has_text: Vec<bool>,
    pub history_image: Vec<f32>,
    pub has_image: Vec<bool>,
}

fn list_field(name: &str, dim: usize, nullable: bool) -> Field {
    let item = Arc::new(Field::new("item", DataType::Float32, true));
    Field::new(
        name,
        DataType::FixedSizeList(item, i32::try_from(dim).unwrap_or(i32::MAX)),
        nullable,
    )
}

fn schema(dim: usize, feature_dim: usize) -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("item_id", DataType::Int64, false),
        Field::new("category", DataType::Utf8, false),
        list_field("vector", dim, false),
        list_field("history_text", feature_dim, true),
        list_field("history_image", feature_dim, true),
        Field::new("index_version", DataType::Utf8, false),
    ]))
}

fn builder(dim: usize, rows: usize) -> FixedSizeListBuilder<Float32Builder> {
    FixedSizeListBuilder::with_capacity(
        Float32Builder::with_capacity(dim * rows),
        i32::try_from(dim).unwrap_or(i32::MAX),
        rows,
    )
    .with_field(Arc::new(Field::new("item", DataType::Float32, true)))
}

fn to_batch(
    rows: &[IndexedItem],
    schema: &SchemaRef,
    dim: usize,
    feature_dim: usize,
    index_version: &str,
) -> Result<RecordBatch, VectorError> {
    let mut vectors = builder(dim, rows.len());
    let mut text = builder(feature_dim, rows.len());
    let mut image = builder(feature_dim, rows.len());
    for row in rows {
        if row.vector.len() != dim || row.vector.iter().any(|x| !x.is_finite()) {
            return Err(VectorError::Mismatch {
                table: ITEM_VECTORS,
                reason: format!(
                    "item {}: a vector of {} values (or not finite), expected {dim}",
                    row.item_id,
                    row.vector.len()
                ),
            });
        }
        vectors.values().append_slice(&row.vector);
        vectors.append(true);
        for (list, values) in [
            (&mut text, &row.history_text),
            (&mut image, &row.history_image),
        ] {
            if values.len() == feature_dim {
                list.values().append_slice(values);
                list.append(true);
            } else {
                list.values().append_nulls(feature_dim);
                list.append(false);
            }
        }
    }
    let columns: Vec<Arc<dyn Array>> = vec![
        Arc::new(rows.iter().map(|r| r.item_id).collect::<Int64Array>()),
        Arc::new(
            rows.iter()
                .map(|r| Some(r.category.as_str()))
                .collect::<StringArray>(),
        ),
        Arc::new(vectors.finish()),
        Arc::new(text.finish()),
        Arc::new(image.finish()),
        Arc::new(StringArray::from(vec![index_version; rows.len()])),
    ];
    Ok(RecordBatch::try_new(schema.clone(), columns)?)
}

/// Replaces `item_vectors` with `rows` in one commit, then builds LanceDB's IVF_PQ index on
/// it when there are enough rows. Returns the table version that holds the rows.
///
/// # Errors
/// [`VectorError`] for a malformed row or a LanceDB failure; the previous version stays.
pub async fn publish(
    store: &VectorStore,
    rows: &[IndexedItem],
    feature_dim: usize,
    index_version: &str,
    settings: &IndexSettings,
) -> Result<u64, VectorError> {
    let dim = rows.first().map_or(0, |r| r.vector.len());
    if dim == 0 {
        return Err(VectorError::Mismatch {
            table: ITEM_VECTORS,
            reason: "no items to index".into(),
        });
    }
    let schema = schema(dim, feature_dim);
    let batches = rows
        .chunks(ROWS_PER_BATCH)
        .map(|chunk| to_batch(chunk, &schema, dim, feature_dim, index_version))
        .collect::<Result<Vec<_>, _>>()?;
    let table = store
        .connection()
        .create_table(ITEM_VECTORS, batches)
        .mode(CreateTableMode::Overwrite)
        .execute()
        .await?;
    let version = table.version().await?;
    if rows.len() >= settings.min_rows.max(256) {
        let partitions = match settings.partitions {
            0 => (rows.len() as f64).sqrt().round() as u32,
            n => n,
        };
        let sub_vectors = if dim.is_multiple_of(settings.sub_vectors.max(1) as usize) {
            settings.sub_vectors
        } else {
            1
        };
        let ivf_pq = IvfPqIndexBuilder::default()
            .distance_type(DistanceType::Dot)
            .num_partitions(partitions)
            .num_sub_vectors(sub_vectors);
        table
            .create_index(&["vector"], Index::IvfPq(ivf_pq))
            .execute()
            .await?;
    }
    Ok(version)
}

/// The open table, or `None` before the first `vitrine index`.
///
/// # Errors
/// [`VectorError::Lance`].
pub async fn open(store: &VectorStore) -> Result<Option<lancedb::Table>, VectorError> {
    if !store.table_names().await?.iter().any(|n| n == ITEM_VECTORS) {
        return Ok(None);
    }
    match store.connection().open_table(ITEM_VECTORS).execute().await {
        Ok(table) => Ok(Some(table)),
        // A folder with no committed version: a first `index` stopped before its commit.
        // Nothing was published; the next `index` overwrites it.
        Err(lancedb::Error::TableNotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The index version stamped on the table's rows at its latest version, and that version.
///
/// # Errors
/// [`VectorError::Lance`].
pub async fn latest_version(table: &lancedb::Table) -> Result<(u64, String), VectorError> {
    table.checkout_latest().await?;
    let version = table.version().await?;
    let batches: Vec<RecordBatch> = table
        .query()
        .select(Select::columns(&["index_version"]))
        .limit(1)
        .execute()
        .await?
        .try_collect()
        .await?;
    let stamp = batches
        .first()
        .and_then(|b| b.column(0).as_any().downcast_ref::<StringArray>())
        .filter(|a| !a.is_empty())
        .map(|a| a.value(0).to_owned())
        .unwrap_or_default();
    Ok((version, stamp))
}

/// The item ids of the table's latest version, and its index version stamp.
///
/// # Errors
/// [`VectorError`] for a LanceDB failure or a table of another shape.
pub async fn item_ids(table: &lancedb::Table) -> Result<(Vec<i64>, String), VectorError> {
    let (_, stamp) = latest_version(table).await?;
    let batches: Vec<RecordBatch> = table
        .query()
        .select(Select::columns(&["item_id"]))
        .execute()
        .await?
        .try_collect()
        .await?;
    Ok((item_id_column(&batches)?, stamp))
}

/// The `item_id` column of `batches`, in order.
fn item_id_column(batches: &[RecordBatch]) -> Result<Vec<i64>, VectorError> {
    let mut ids = Vec::with_capacity(batches.iter().map(RecordBatch::num_rows).sum());
    for batch in batches {
        ids.extend_from_slice(column::<Int64Array>(batch, "item_id")?.values());
    }
    Ok(ids)
}

/// Every row of the table's latest version.
///
/// # Errors
/// [`VectorError`] for a LanceDB failure or a table of another shape.
pub async fn read_all(table: &lancedb::Table) -> Result<IndexedColumns, VectorError> {
    table.checkout_latest().await?;
    let version = table.version().await?;
    let batches: Vec<RecordBatch> = table.query().execute().await?.try_collect().await?;
    let mut out = IndexedColumns {
        version,
        ..Default::default()
    };
    for batch in &batches {
        let ids = column::<Int64Array>(batch, "item_id")?;
        let categories = column::<StringArray>(batch, "category")?;
        let vectors = column::<FixedSizeListArray>(batch, "vector")?;
        let text = column::<FixedSizeListArray>(batch, "history_text")?;
        let image = column::<FixedSizeListArray>(batch, "history_image")?;
        let stamps = column::<StringArray>(batch, "index_version")?;
        out.dim = vectors.value_length() as usize;
        out.feature_dim = text.value_length() as usize;
        if out.index_version.is_empty() && !stamps.is_empty() {
            out.index_version = stamps.value(0).to_owned();
        }
        out.item_ids.extend(ids.values().iter().copied());
        out.categories
            .extend((0..batch.num_rows()).map(|r| categories.value(r).to_owned()));
        out.vectors.extend_from_slice(values(vectors)?);
        for (list, flat, has) in [
            (text, &mut out.history_text, &mut out.has_text),
            (image, &mut out.history_image, &mut out.has_image),
        ] {
            let all = values(list)?;
            let width = list.value_length() as usize;
            for row in 0..batch.num_rows() {
                let present = list.is_valid(row);
                has.push(present);
                if present {
                    flat.extend_from_slice(&all[row * width..(row + 1) * width]);
                } else {
                    flat.extend(std::iter::repeat_n(0.0, width));
                }
            }
        }
    }
    Ok(out)
}

/// The flat values of a fixed-size list column (offset-aware).
fn values(list: &FixedSizeListArray) -> Result<&[f32], VectorError> {
    let width = list.value_length() as usize;
    let floats = list
        .values()
        .as_any()
        .downcast_ref::<Float32Array>()
        .ok_or_else(|| mismatch("a vector column is not float32"))?;
    let start = list.offset() * width;
    Ok(&floats.values()[start..start + list.len() * width])
}

fn mismatch(reason: &str) -> VectorError {
    VectorError::Mismatch {
        table: ITEM_VECTORS,
        reason: reason.to_owned(),
    }
}

fn column<'a, T: 'static>(batch: &'a RecordBatch, name: &str) -> Result<&'a T, VectorError> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .ok_or_else(|| mismatch(&format!("column `{name}` is missing or of another type")))
}

/// LanceDB's own indexed search, for filtered and offline queries: the `k` nearest item ids.
///
/// # Errors
/// [`VectorError::Lance`].
pub async fn search(
    table: &lancedb::Table,
    query: &[f32],
    k: usize,
    settings: &IndexSettings,
    filter: Option<String>,
) -> Result<Vec<i64>, VectorError> {
    let mut q = table
        .query()
        .nearest_to(query)?
        .distance_type(DistanceType::Dot)
        .nprobes(settings.nprobes)?
        .refine_factor(settings.refine_factor)
        .limit(k)
        .select(Select::columns(&["item_id"]));
    if let Some(filter) = filter {
        q = q.only_if(filter);
    }
    let batches: Vec<RecordBatch> = q.execute().await?.try_collect().await?;
    item_id_column(&batches)
}
