//! `vitrine bench ann`: top-k over N x d item vectors, one query at a time on one thread. The
//! in-memory IVF-Flat at several probe fractions, exact brute force and LanceDB's IVF_PQ (with
//! refine) and flat scan, all on the same vectors and queries in one run: median and p99
//! latency, and recall@k against exact search. Then the same IVF against exact search on the
//! real `item_vectors`, when an index has been built.
//!
//! The N x d vectors are clustered synthetic unit vectors (`ann::synthetic`); queries are
//! held-out draws from the same distribution. A report, never a test: read the ratios.

use std::collections::HashSet;
use std::time::Instant;

use ann::{IvfIndex, IvfParams, exact_search};
use clap::Args;

use crate::config::Settings;
use crate::vector::{VectorStore, item_vectors};

#[derive(Debug, Args)]
pub struct AnnBenchArgs {
    #[arg(long, default_value_t = 500_000)]
    pub items: usize,
    #[arg(long, default_value_t = 128)]
    pub dim: usize,
    #[arg(long, default_value_t = 2000)]
    pub clusters: usize,
    /// Per-coordinate noise around each cluster's centre.
    #[arg(long, default_value_t = 0.03)]
    pub spread: f32,
    #[arg(long, default_value_t = 200)]
    pub queries: usize,
    #[arg(long, default_value_t = 20)]
    pub k: usize,
    #[arg(long, value_delimiter = ',', default_value = "0.01,0.03,0.05")]
    pub probe_fractions: Vec<f64>,
    /// Queries for LanceDB's flat scan (each scans every vector).
    #[arg(long, default_value_t = 10)]
    pub flat_queries: usize,
    /// Leave LanceDB out (its index build is the slow part of this report).
    #[arg(long)]
    pub no_lancedb: bool,
}

/// One row of the report.
struct Row {
    name: String,
    build_s: Option<f64>,
    millis: Vec<f64>,
    recall: f64,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn recall(found: &[Vec<i64>], truth: &[Vec<i64>]) -> f64 {
    let (mut hit, mut all) = (0usize, 0usize);
    for (f, t) in found.iter().zip(truth) {
        let t: HashSet<&i64> = t.iter().collect();
        hit += f.iter().filter(|i| t.contains(i)).count();
        all += t.len();
    }
    hit as f64 / all.max(1) as f64
}

/// Times `search` on every query; returns milliseconds and the ids found.
fn timed(
    queries: &[f32],
    dim: usize,
    mut search: impl FnMut(&[f32]) -> Vec<i64>,
) -> (Vec<f64>, Vec<Vec<i64>>) {
    let mut millis = Vec::new();
    let mut found = Vec::new();
    for q in queries.chunks_exact(dim) {
        let started = Instant::now();
        let ids = search(q);
        millis.push(started.elapsed().as_secs_f64() * 1e3);
        found.push(ids);
    }
    (millis, found)
}

fn print(title: &str, rows: &mut [Row], exact_median: f64) {
    println!("\n{title}\n");
    println!("| search | build s | median ms | p99 ms | recall@k | median vs exact |");
    println!("|---|---|---|---|---|---|");
    for row in rows.iter_mut() {
        row.millis.sort_by(f64::total_cmp);
        let median = percentile(&row.millis, 0.5);
        println!(
            "| {} | {} | {:.3} | {:.3} | {:.3} | {:.1}x faster |",
            row.name,
            row.build_s.map_or("-".into(), |s| format!("{s:.1}")),
            median,
            percentile(&row.millis, 0.99),
            row.recall,
            exact_median / median
        );
    }
}

/// The IVF at each probe fraction beside exact search, on `ids` x `vectors`.
fn ivf_rows(
    ids: &[i64],
    vectors: &[f32],
    queries: &[f32],
    dim: usize,
    k: usize,
    fractions: &[f64],
) -> anyhow::Result<(Vec<Row>, Vec<Vec<i64>>, f64)> {
    let (exact_ms, truth) = timed(queries, dim, |q| {
        exact_search(ids, vectors, dim, q, k, &|_| true)
            .map(|hits| hits.iter().map(|h| h.id).collect())
            .unwrap_or_default()
    });
    let mut sorted = exact_ms.clone();
    sorted.sort_by(f64::total_cmp);
    let exact_median = percentile(&sorted, 0.5);
    let mut rows = vec![Row {
        name: "exact brute force".into(),
        build_s: None,
        millis: exact_ms,
        recall: 1.0,
    }];
    let started = Instant::now();
    let lists = ((ids.len() as f64).sqrt().round() as usize).max(1);
    let index = IvfIndex::build(
        ids,
        vectors,
        dim,
        &IvfParams {
            lists,
            train_sample: 50_000,
            iterations: 8,
            seed: 7,
        },
    )?;
    let build_s = started.elapsed().as_secs_f64();
    for &fraction in fractions {
        let probes = ((lists as f64 * fraction).ceil() as usize).max(1);
        let (millis, found) = timed(queries, dim, |q| {
            index
                .search(q, k, probes, &|_| true)
                .iter()
                .map(|h| h.id)
                .collect()
        });
        rows.push(Row {
            name: format!(
                "in-memory IVF-Flat, {probes}/{lists} lists ({:.0}%)",
                fraction * 100.0
            ),
            build_s: Some(build_s),
            recall: recall(&found, &truth),
            millis,
        });
    }
    Ok((rows, truth, exact_median))
}

pub async fn report(settings: Settings, args: AnnBenchArgs) -> anyhow::Result<()> {
    let (dim, k) = (args.dim, args.k);
    println!(
        "bench ann: {} x {dim} clustered unit vectors ({} clusters, spread {}), {} held-out queries, top-{k}, one thread",
        args.items, args.clusters, args.spread, args.queries
    );
    let (mut ids, mut vectors) = ann::synthetic::clustered(
        args.items + args.queries,
        args.clusters,
        dim,
        args.spread,
        11,
    );
    let queries = vectors.split_off(args.items * dim);
    ids.truncate(args.items);
    let (ids, vectors, queries) = (
        std::sync::Arc::new(ids),
        std::sync::Arc::new(vectors),
        std::sync::Arc::new(queries),
    );
    let fractions = args.probe_fractions.clone();
    let (i, v, q) = (ids.clone(), vectors.clone(), queries.clone());
    let (mut rows, truth, exact_median) =
        tokio::task::spawn_blocking(move || ivf_rows(&i, &v, &q, dim, k, &fractions)).await??;
    if !args.no_lancedb {
        let lance = super::bench_lance::rows(
            &ids,
            &vectors,
            &queries,
            dim,
            k,
            &truth,
            args.flat_queries,
            &settings.inference.index,
        )
        .await?;
        rows.extend(lance.into_iter().map(|t| Row {
            recall: recall(&t.found, &truth[..t.found.len()]),
            name: t.name,
            build_s: t.build_s,
            millis: t.millis,
        }));
    }
    print(
        &format!("{} synthetic vectors", args.items),
        &mut rows,
        exact_median,
    );

    // The real catalogue's vectors, when `vitrine index` has run.
    let store = VectorStore::open(&settings.vectors).await?;
    if let Some(table) = item_vectors::open(&store).await? {
        let columns = item_vectors::read_all(&table).await?;
        let n = columns.item_ids.len();
        let every = (n / args.queries.max(1)).max(1);
        let queries: Vec<f32> = columns
            .vectors
            .chunks_exact(columns.dim)
            .step_by(every)
            .take(args.queries)
            .flatten()
            .copied()
            .collect();
        let d = columns.dim;
        let fractions = args.probe_fractions.clone();
        let (mut real, _, median) = tokio::task::spawn_blocking(move || {
            ivf_rows(
                &columns.item_ids,
                &columns.vectors,
                &queries,
                d,
                k,
                &fractions,
            )
        })
        .await??;
        print(
            &format!("{n} real item vectors from `item_vectors` (queries: items themselves)"),
            &mut real,
            median,
        );
    }
    Ok(())
}
