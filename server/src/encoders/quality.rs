//! How well vectors separate known classes: the neighbour-class agreement that chooses the
//! image resolution and that the sanity tests check.

use tch::{Kind, Tensor};

/// The mean, over items, of the share of an item's `k` nearest neighbours (by cosine, itself
/// excluded) that carry its label. Chance is about `1 / classes`.
///
/// # Panics
/// Never for consistent input; `vectors` must be `[labels.len(), D]`.
pub fn neighbour_agreement(vectors: &Tensor, labels: &[i64], k: i64) -> f64 {
    let n = i64::try_from(labels.len()).unwrap_or_default();
    if n < 2 || k < 1 {
        return 0.0;
    }
    let k = k.min(n - 1);
    let x = vectors.to_kind(Kind::Float);
    let x = &x / x.norm_scalaropt_dim(2, [1], true).clamp_min(1e-12);
    let similarity = x.matmul(&x.transpose(0, 1));
    let _ = similarity.diagonal(0, 0, 1).fill_(f64::NEG_INFINITY);
    let (_, neighbours) = similarity.topk(k, 1, true, false);
    let labels = Tensor::from_slice(labels);
    let same = labels
        .index_select(0, &neighbours.view([-1]))
        .view([n, k])
        .eq_tensor(&labels.unsqueeze(1));
    same.to_kind(Kind::Double)
        .mean(Kind::Double)
        .double_value(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_separated_clusters_agree_fully_and_mixed_labels_do_not() {
        let vectors = Tensor::from_slice(&[1.0f32, 0.0, 0.9, 0.1, 0.0, 1.0, 0.1, 0.9]).view([4, 2]);
        assert!((neighbour_agreement(&vectors, &[0, 0, 1, 1], 1) - 1.0).abs() < 1e-12);
        // Each point's nearest neighbour carries the other label.
        assert!(neighbour_agreement(&vectors, &[0, 1, 0, 1], 1).abs() < 1e-12);
        // k = 3 sees every other point: one of three shares the label.
        assert!((neighbour_agreement(&vectors, &[0, 0, 1, 1], 3) - 1.0 / 3.0).abs() < 1e-9);
    }
}
