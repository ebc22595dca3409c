//! Exact search: every vector scored; the reference that recall is measured against.

use crate::topk::TopK;
use crate::{AnnError, Hit};

/// Inner product, in eight independent lanes so that the compiler keeps them in SIMD registers
/// (a single running sum is a dependency chain it may not reorder).
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a8.zip(b8) {
        for l in 0..8 {
            lanes[l] += x[l] * y[l];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

pub(crate) fn check(ids: &[i64], vectors: &[f32], dim: usize) -> Result<(), AnnError> {
    if dim == 0 || vectors.len() != ids.len() * dim {
        return Err(AnnError::Shape {
            ids: ids.len(),
            vectors: vectors.len(),
            dim,
        });
    }
    if let Some((row, _)) = vectors
        .chunks_exact(dim)
        .enumerate()
        .find(|(_, v)| v.iter().any(|x| !x.is_finite()))
    {
        return Err(AnnError::NotFinite(ids[row]));
    }
    Ok(())
}

/// The best `k` of all vectors for `query`, skipping ids that `keep` rejects.
///
/// # Errors
/// [`AnnError`] for inconsistent shapes or non-finite values.
pub fn exact_search(
    ids: &[i64],
    vectors: &[f32],
    dim: usize,
    query: &[f32],
    k: usize,
    keep: &dyn Fn(i64) -> bool,
) -> Result<Vec<Hit>, AnnError> {
    check(ids, vectors, dim)?;
    let mut top = TopK::new(k);
    for (id, v) in ids.iter().zip(vectors.chunks_exact(dim)) {
        if keep(*id) {
            top.offer(*id, dot(query, v));
        }
    }
    Ok(top.into_sorted())
}
