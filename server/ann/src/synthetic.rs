//! Clustered unit vectors: `clusters` random directions, each with vectors scattered around it.
//! Embeddings of real catalogues are clustered like this (by category, style, topic), which is
//! what makes an inverted-file index work; uniform random vectors would be its worst case.

use crate::rng::SplitMix64;

/// `count` unit vectors of `dim` dimensions around `clusters` centres, with per-coordinate
/// noise `spread`; ids are `0..count`. The same seed gives the same vectors.
pub fn clustered(
    count: usize,
    clusters: usize,
    dim: usize,
    spread: f32,
    seed: u64,
) -> (Vec<i64>, Vec<f32>) {
    let mut rng = SplitMix64::new(seed);
    let centres: Vec<f32> = (0..clusters.max(1) * dim)
        .map(|_| rng.normal() as f32)
        .collect();
    let mut vectors = Vec::with_capacity(count * dim);
    for k in 0..count {
        let c = k % clusters.max(1);
        let start = vectors.len();
        vectors.extend(
            centres[c * dim..(c + 1) * dim]
                .iter()
                .map(|x| x / (dim as f32).sqrt() + spread * rng.normal() as f32),
        );
        let row = &mut vectors[start..];
        let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
        row.iter_mut().for_each(|x| *x /= norm);
    }
    ((0..count as i64).collect(), vectors)
}
