//! The `item_features` table: one row per item with its text vector, its image vector (null
//! for an item without a picture), and the encoders that made them. Each write is one LanceDB
//! commit, so an interrupted extraction leaves whole batches and nothing half-written.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{FixedSizeListBuilder, Float32Builder};
use arrow_array::{
    Array, BooleanArray, FixedSizeListArray, Float32Array, Int64Array, RecordBatch,
    RecordBatchIterator, StringArray,
};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use futures::TryStreamExt;
use lancedb::query::{ExecutableQuery, QueryBase, Select};

use super::{VectorError, VectorStore};

pub const ITEM_FEATURES: &str = "item_features";

/// One item's features, as written and read.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureRow {
    pub item_id: i64,
    pub text: Vec<f32>,
    /// `None` for an item without a picture (every MovieLens item): text features only.
    pub image: Option<Vec<f32>>,
}

/// The encoders of a table's vectors: `name@version`, and the dimensions they fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureStamp {
    pub text_encoder: String,
    pub image_encoder: String,
    pub text_dim: usize,
    pub image_dim: usize,
}

/// Whether an item's stored row came from the current encoders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowState {
    Current,
    /// Made by other encoders: to be recomputed and replaced.
    Stale,
}

fn vector_field(name: &str, dim: usize, nullable: bool) -> Field {
    let item = Arc::new(Field::new("item", DataType::Float32, true));
    let width = i32::try_from(dim).unwrap_or(i32::MAX);
    Field::new(name, DataType::FixedSizeList(item, width), nullable)
}

fn schema(stamp: &FeatureStamp) -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("item_id", DataType::Int64, false),
        vector_field("text_vector", stamp.text_dim, false),
        vector_field("image_vector", stamp.image_dim, true),
        Field::new("has_image", DataType::Boolean, false),
        Field::new("text_encoder", DataType::Utf8, false),
        Field::new("image_encoder", DataType::Utf8, true),
    ]))
}

/// The open `item_features` table for one set of encoders.
pub struct FeatureTable {
    table: lancedb::Table,
    stamp: FeatureStamp,
    schema: SchemaRef,
}

impl FeatureTable {
    /// Opens the table, creating it empty when absent.
    ///
    /// # Errors
    /// [`VectorError::Mismatch`] when the stored vectors have other dimensions (another
    /// encoder): drop the table with `vitrine extract --rebuild`.
    pub async fn open_or_create(
        store: &VectorStore,
        stamp: FeatureStamp,
    ) -> Result<Self, VectorError> {
        let schema = schema(&stamp);
        let conn = store.connection();
        let table = if store
            .table_names()
            .await?
            .iter()
            .any(|n| n == ITEM_FEATURES)
        {
            let table = conn.open_table(ITEM_FEATURES).execute().await?;
            let stored = table.schema().await?;
            if stored.fields() != schema.fields() {
                return Err(VectorError::Mismatch {
                    table: ITEM_FEATURES,
                    reason: format!(
                        "it holds vectors of other dimensions than {} (text) and {} (image); \
                         run `vitrine extract --rebuild`",
                        stamp.text_dim, stamp.image_dim
                    ),
                });
            }
            table
        } else {
            conn.create_empty_table(ITEM_FEATURES, schema.clone())
                .execute()
                .await?
        };
        Ok(Self {
            table,
            stamp,
            schema,
        })
    }

    /// The table as it is, for reading, or `None` when no extraction has run. Its stamp
    /// carries the stored dimensions and no encoder names.
    ///
    /// # Errors
    /// [`VectorError::Lance`].
    pub async fn open_existing(store: &VectorStore) -> Result<Option<Self>, VectorError> {
        if !store
            .table_names()
            .await?
            .iter()
            .any(|n| n == ITEM_FEATURES)
        {
            return Ok(None);
        }
        let table = store
            .connection()
            .open_table(ITEM_FEATURES)
            .execute()
            .await?;
        let schema = table.schema().await?;
        let dim = |name: &str| match schema.field_with_name(name).map(Field::data_type) {
            Ok(DataType::FixedSizeList(_, width)) => usize::try_from(*width).unwrap_or_default(),
            _ => 0,
        };
        let stamp = FeatureStamp {
            text_encoder: String::new(),
            image_encoder: String::new(),
            text_dim: dim("text_vector"),
            image_dim: dim("image_vector"),
        };
        Ok(Some(Self {
            table,
            stamp,
            schema,
        }))
    }

    /// Every stored item id, and whether its row came from the current encoders.
    ///
    /// # Errors
    /// [`VectorError::Lance`].
    /// The table's current LanceDB version (what a training run read).
    ///
    /// # Errors
    /// [`VectorError`] from LanceDB.
    pub async fn version(&self) -> Result<u64, VectorError> {
        Ok(self.table.version().await?)
    }

    pub async fn row_states(&self) -> Result<HashMap<i64, RowState>, VectorError> {
        let columns = ["item_id", "has_image", "text_encoder", "image_encoder"];
        let batches: Vec<RecordBatch> = self
            .table
            .query()
            .select(Select::columns(&columns))
            .execute()
            .await?
            .try_collect()
            .await?;
        let mut states = HashMap::new();
        for batch in &batches {
            let ids = column::<Int64Array>(batch, 0)?;
            let has_image = column::<BooleanArray>(batch, 1)?;
            let text = column::<StringArray>(batch, 2)?;
            let image = column::<StringArray>(batch, 3)?;
            for row in 0..batch.num_rows() {
                let current = text.value(row) == self.stamp.text_encoder
                    && (!has_image.value(row)
                        || (image.is_valid(row) && image.value(row) == self.stamp.image_encoder));
                let state = if current {
                    RowState::Current
                } else {
                    RowState::Stale
                };
                states.insert(ids.value(row), state);
            }
        }
        Ok(states)
    }

    /// Appends rows for items not yet in the table, in one commit.
    ///
    /// # Errors
    /// [`VectorError`] when a vector has the wrong length or LanceDB fails.
    pub async fn append(&self, rows: &[FeatureRow]) -> Result<(), VectorError> {
        if rows.is_empty() {
            return Ok(());
        }
        self.table.add(self.to_batch(rows)?).execute().await?;
        Ok(())
    }

    /// Replaces the rows of items already in the table (made by other encoders), in one commit.
    ///
    /// # Errors
    /// [`VectorError`] when a vector has the wrong length or LanceDB fails.
    pub async fn replace(&self, rows: &[FeatureRow]) -> Result<(), VectorError> {
        if rows.is_empty() {
            return Ok(());
        }
        let batch = self.to_batch(rows)?;
        let reader = RecordBatchIterator::new([Ok(batch)], self.schema.clone());
        let mut merge = self.table.merge_insert(&["item_id"]);
        merge
            .when_matched_update_all(None)
            .when_not_matched_insert_all();
        merge.execute(Box::new(reader)).await?;
        Ok(())
    }

    /// Drops the rows of `item_ids` (their content changed: `extract` encodes them again).
    ///
    /// # Errors
    /// [`VectorError::Lance`].
    pub async fn delete_items(&self, item_ids: &[i64]) -> Result<(), VectorError> {
        for chunk in item_ids.chunks(2000) {
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            self.table
                .delete(&format!("item_id IN ({})", list.join(",")))
                .await?;
        }
        Ok(())
    }

    /// Every row, in no particular order.
    ///
    /// # Errors
    /// [`VectorError::Lance`].
    pub async fn read_all(&self) -> Result<Vec<FeatureRow>, VectorError> {
        self.read_where(None).await
    }

    /// The rows of `item_ids` (those that have one), in no particular order.
    ///
    /// # Errors
    /// [`VectorError::Lance`].
    pub async fn read_items(&self, item_ids: &[i64]) -> Result<Vec<FeatureRow>, VectorError> {
        let mut rows = Vec::with_capacity(item_ids.len());
        for chunk in item_ids.chunks(2000) {
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            rows.extend(
                self.read_where(Some(format!("item_id IN ({})", list.join(","))))
                    .await?,
            );
        }
        Ok(rows)
    }

    async fn read_where(&self, filter: Option<String>) -> Result<Vec<FeatureRow>, VectorError> {
        let mut query =
            self.table
                .query()
                .select(Select::columns(&["item_id", "text_vector", "image_vector"]));
        if let Some(filter) = filter {
            query = query.only_if(filter);
        }
        let batches: Vec<RecordBatch> = query.execute().await?.try_collect().await?;
        let mut rows = Vec::new();
        for batch in &batches {
            let ids = column::<Int64Array>(batch, 0)?;
            let text = column::<FixedSizeListArray>(batch, 1)?;
            let image = column::<FixedSizeListArray>(batch, 2)?;
            for row in 0..batch.num_rows() {
                let values = |list: &FixedSizeListArray| {
                    let value = list.value(row);
                    value
                        .as_any()
                        .downcast_ref::<Float32Array>()
                        .map(|v| v.values().to_vec())
                };
                rows.push(FeatureRow {
                    item_id: ids.value(row),
                    text: values(text).unwrap_or_default(),
                    image: image.is_valid(row).then(|| values(image)).flatten(),
                });
            }
        }
        Ok(rows)
    }

    pub fn stamp(&self) -> &FeatureStamp {
        &self.stamp
    }

    fn to_batch(&self, rows: &[FeatureRow]) -> Result<RecordBatch, VectorError> {
        let (text_dim, image_dim) = (self.stamp.text_dim, self.stamp.image_dim);
        let mut text = list_builder(text_dim, rows.len());
        let mut image = list_builder(image_dim, rows.len());
        for row in rows {
            check_len(row.item_id, "text", row.text.len(), text_dim)?;
            text.values().append_slice(&row.text);
            text.append(true);
            match &row.image {
                Some(vector) => {
                    check_len(row.item_id, "image", vector.len(), image_dim)?;
                    image.values().append_slice(vector);
                    image.append(true);
                }
                None => {
                    image.values().append_nulls(image_dim);
                    image.append(false);
                }
            }
        }
        let has_image: BooleanArray = rows.iter().map(|r| Some(r.image.is_some())).collect();
        let image_encoder: StringArray = rows
            .iter()
            .map(|r| r.image.as_ref().map(|_| self.stamp.image_encoder.as_str()))
            .collect();
        let columns: Vec<Arc<dyn Array>> = vec![
            Arc::new(rows.iter().map(|r| r.item_id).collect::<Int64Array>()),
            Arc::new(text.finish()),
            Arc::new(image.finish()),
            Arc::new(has_image),
            Arc::new(StringArray::from(vec![
                self.stamp.text_encoder.as_str();
                rows.len()
            ])),
            Arc::new(image_encoder),
        ];
        Ok(RecordBatch::try_new(self.schema.clone(), columns)?)
    }
}

fn list_builder(dim: usize, rows: usize) -> FixedSizeListBuilder<Float32Builder> {
    let width = i32::try_from(dim).unwrap_or(i32::MAX);
    FixedSizeListBuilder::with_capacity(Float32Builder::with_capacity(dim * rows), width, rows)
        .with_field(Arc::new(Field::new("item", DataType::Float32, true)))
}

fn check_len(item_id: i64, what: &str, got: usize, want: usize) -> Result<(), VectorError> {
    if got == want {
        Ok(())
    } else {
        Err(VectorError::Mismatch {
            table: ITEM_FEATURES,
            reason: format!("item {item_id}: a {what} vector of {got} values, expected {want}"),
        })
    }
}

fn column<T: 'static>(batch: &RecordBatch, index: usize) -> Result<&T, VectorError> {
    batch
        .column(index)
        .as_any()
        .downcast_ref::<T>()
        .ok_or_else(|| {
            VectorError::Arrow(ArrowError::SchemaError(format!(
                "column {index} of {ITEM_FEATURES} has an unexpected type"
            )))
        })
}
