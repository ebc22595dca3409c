use super::*;

fn clustered(clusters: usize, per: usize, dim: usize, seed: u64) -> (Vec<i64>, Vec<f32>) {
    crate::synthetic::clustered(clusters * per, clusters, dim, 0.15, seed)
}

fn params(lists: usize) -> IvfParams {
    IvfParams {
        lists,
        train_sample: 4000,
        iterations: 10,
        seed: 3,
    }
}

#[test]
fn recall_against_exact_search_is_high_with_few_probes() {
    let dim = 32;
    let (ids, vectors) = clustered(40, 100, dim, 1);
    let index = IvfIndex::build(&ids, &vectors, dim, &params(64)).expect("build");
    assert_eq!((index.len(), index.lists()), (4000, 64));
    let (mut found, mut wanted) = (0, 0);
    // Queries from the same world: every 20th vector (it finds itself in both searches).
    for q in vectors.chunks_exact(dim).step_by(20) {
        let exact: Vec<i64> = exact_search(&ids, &vectors, dim, q, 20, &|_| true)
            .expect("exact")
            .iter()
            .map(|h| h.id)
            .collect();
        let approx: Vec<i64> = index
            .search(q, 20, 6, &|_| true)
            .iter()
            .map(|h| h.id)
            .collect();
        found += approx.iter().filter(|id| exact.contains(id)).count();
        wanted += exact.len();
    }
    let recall = found as f64 / wanted as f64;
    assert!(recall >= 0.95, "recall@20 {recall:.3} with 6 of 64 lists");
}

#[test]
fn all_probes_equal_exact_search_and_filters_apply() {
    let dim = 8;
    let (ids, vectors) = clustered(5, 40, dim, 4);
    let index = IvfIndex::build(&ids, &vectors, dim, &params(7)).expect("build");
    let query = &vectors[..dim];
    let keep = |id: i64| id % 3 != 0;
    let exact = exact_search(&ids, &vectors, dim, query, 10, &keep).expect("exact");
    let approx = index.search(query, 10, 7, &keep);
    assert_eq!(approx, exact, "scanning every list is exact search");
    assert!(approx.iter().all(|h| h.id % 3 != 0));
    assert!(
        approx.windows(2).all(|w| w[0].score >= w[1].score),
        "best first"
    );
    // k beyond the count returns everything that passes the filter.
    assert_eq!(index.search(query, 10_000, 7, &|_| true).len(), 200);
    assert!(index.search(query, 0, 7, &|_| true).is_empty());
}

#[test]
fn bad_input_is_an_error() {
    assert_eq!(
        IvfIndex::build(&[1, 2], &[0.0; 5], 2, &params(1)).err(),
        Some(AnnError::Shape {
            ids: 2,
            vectors: 5,
            dim: 2
        })
    );
    assert_eq!(
        IvfIndex::build(&[], &[], 4, &params(1)).err(),
        Some(AnnError::Empty)
    );
    assert_eq!(
        IvfIndex::build(&[7, 8], &[1.0, 0.0, f32::NAN, 1.0], 2, &params(1)).err(),
        Some(AnnError::NotFinite(8))
    );
}

#[test]
fn appended_vectors_are_found_like_the_built_ones() {
    let dim = 16;
    let (ids, vectors) = clustered(8, 50, dim, 5);
    let (old, new) = (300, 100);
    let index =
        IvfIndex::build(&ids[..old], &vectors[..old * dim], dim, &params(12)).expect("build");
    let grown = index
        .with_appended(&ids[old..old + new], &vectors[old * dim..(old + new) * dim])
        .expect("append");
    assert_eq!(
        (grown.len(), grown.lists(), index.len()),
        (old + new, 12, old)
    );
    let (all_ids, all) = (&ids[..old + new], &vectors[..(old + new) * dim]);
    // Every list scanned: the grown index is exact search over old and new together.
    for q in all.chunks_exact(dim).skip(old - 5).take(10) {
        let exact = exact_search(all_ids, all, dim, q, 15, &|_| true).expect("exact");
        assert_eq!(grown.search(q, 15, 12, &|_| true), exact);
    }
    // With few lists probed, a new vector finds itself: it sits under its nearest centroid.
    for (i, q) in all.chunks_exact(dim).enumerate().skip(old) {
        assert_eq!(grown.search(q, 1, 1, &|_| true)[0].id, all_ids[i]);
    }
    assert!(matches!(
        index.with_appended(&[1], &[f32::NAN; 16]),
        Err(AnnError::NotFinite(_))
    ));
    assert!(matches!(
        index.with_appended(&[1, 2], &[0.0; 16]),
        Err(AnnError::Shape { .. })
    ));
}
