//! LanceDB's side of `vitrine bench ann`: the same vectors in a throwaway LanceDB table, its
//! IVF_PQ index with refine, and its flat scan.

use std::sync::Arc;
use std::time::Instant;

use arrow_array::builder::{FixedSizeListBuilder, Float32Builder};
use arrow_array::{Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use futures::TryStreamExt;
use lancedb::DistanceType;
use lancedb::index::Index;
use lancedb::index::vector::IvfPqIndexBuilder;
use lancedb::query::{ExecutableQuery, QueryBase, Select};

use crate::config::IndexSettings;

/// One search's timings and what it found, per query in order.
pub(super) struct Timed {
    pub name: String,
    pub build_s: Option<f64>,
    pub millis: Vec<f64>,
    pub found: Vec<Vec<i64>>,
}

async fn nearest(
    table: &lancedb::Table,
    q: &[f32],
    k: usize,
    index: Option<&IndexSettings>,
) -> anyhow::Result<Vec<i64>> {
    let mut query = table
        .query()
        .nearest_to(q)?
        .distance_type(DistanceType::Dot)
        .limit(k)
        .select(Select::columns(&["id"]));
    match index {
        Some(s) => query = query.nprobes(s.nprobes)?.refine_factor(s.refine_factor),
        None => query = query.bypass_vector_index(),
    }
    let batches: Vec<RecordBatch> = query.execute().await?.try_collect().await?;
    Ok(batches
        .iter()
        .filter_map(|b| {
            b.column_by_name("id")?
                .as_any()
                .downcast_ref::<Int64Array>()
                .map(|a| a.values().to_vec())
        })
        .flatten()
        .collect())
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn rows(
    ids: &[i64],
    vectors: &[f32],
    queries: &[f32],
    dim: usize,
    k: usize,
    truth: &[Vec<i64>],
    flat_queries: usize,
    settings: &IndexSettings,
) -> anyhow::Result<Vec<Timed>> {
    let dir = tempfile::tempdir()?;
    let conn = lancedb::connect(&dir.path().display().to_string())
        .execute()
        .await?;
    let item = Arc::new(Field::new("item", DataType::Float32, true));
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new(
            "vector",
            DataType::FixedSizeList(item.clone(), dim as i32),
            false,
        ),
    ]));
    let mut batches = Vec::new();
    for (chunk_ids, chunk) in ids.chunks(65_536).zip(vectors.chunks(65_536 * dim)) {
        let mut list =
            FixedSizeListBuilder::new(Float32Builder::with_capacity(chunk.len()), dim as i32)
                .with_field(item.clone());
        for v in chunk.chunks_exact(dim) {
            list.values().append_slice(v);
            list.append(true);
        }
        batches.push(RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(chunk_ids.to_vec())),
                Arc::new(list.finish()),
            ],
        )?);
    }
    let table = conn.create_table("bench", batches).execute().await?;
    let started = Instant::now();
    let partitions = (ids.len() as f64).sqrt().round() as u32;
    table
        .create_index(
            &["vector"],
            Index::IvfPq(
                IvfPqIndexBuilder::default()
                    .distance_type(DistanceType::Dot)
                    .num_partitions(partitions)
                    .num_sub_vectors(settings.sub_vectors),
            ),
        )
        .execute()
        .await?;
    let build_s = started.elapsed().as_secs_f64();
    let mut out = Vec::new();
    for (name, index, count, build) in [
        (
            format!(
                "LanceDB IVF_PQ ({partitions} partitions, nprobes {}, refine x{})",
                settings.nprobes, settings.refine_factor
            ),
            Some(settings),
            truth.len(),
            Some(build_s),
        ),
        (
            "LanceDB flat scan".to_owned(),
            None,
            flat_queries.min(truth.len()),
            None,
        ),
    ] {
        let mut millis = Vec::new();
        let mut found = Vec::new();
        for q in queries.chunks_exact(dim).take(count) {
            let started = Instant::now();
            found.push(nearest(&table, q, k, index).await?);
            millis.push(started.elapsed().as_secs_f64() * 1e3);
        }
        out.push(Timed {
            name,
            build_s: build,
            millis,
            found,
        });
    }
    Ok(out)
}
