//! Full ranking: score every item for a block of users, push the excluded items (training
//! items, and at test the validation items too) to the bottom, keep the top 20.

use std::collections::HashSet;

use tch::{Device, Kind, Tensor};

use super::{Interaction, MetricSet, RankingMetrics};

/// Users scored per forward pass.
const USER_BLOCK: usize = 256;
/// The deepest cut-off of the protocol.
pub const DEPTH: i64 = 20;

/// Items per user, as dense index lists.
pub fn items_by_user(user_count: usize, parts: &[&[Interaction]]) -> Vec<Vec<u32>> {
    let mut by_user = vec![Vec::new(); user_count];
    for part in parts {
        for i in *part {
            by_user[i.user as usize].push(i.item);
        }
    }
    by_user
}

/// Ranks the whole catalogue for every user with something relevant, and scores it.
///
/// `score` maps a block of user indices to a `[block, items]` score tensor.
pub fn evaluate(
    mut score: impl FnMut(&[i64]) -> Tensor,
    item_count: usize,
    excluded: &[Vec<u32>],
    relevant: &[Vec<u32>],
) -> RankingMetrics {
    let users: Vec<i64> = (0..relevant.len())
        .filter(|&u| !relevant[u].is_empty())
        .map(|u| u as i64)
        .collect();
    let mut metrics = MetricSet::new(item_count);
    for block in users.chunks(USER_BLOCK) {
        let scores = tch::no_grad(|| score(block))
            .to_device(Device::Cpu)
            .to_kind(Kind::Float);
        let (rows, cols): (Vec<i64>, Vec<i64>) = block
            .iter()
            .enumerate()
            .flat_map(|(row, &u)| {
                excluded[u as usize]
                    .iter()
                    .map(move |&i| (row as i64, i64::from(i)))
            })
            .unzip();
        let scores = scores.index_put(
            &[
                Some(Tensor::from_slice(&rows)),
                Some(Tensor::from_slice(&cols)),
            ],
            &Tensor::from(f32::NEG_INFINITY),
            false,
        );
        let depth = DEPTH.min(item_count as i64);
        let (_, top) = scores.topk(depth, 1, true, true);
        let top: Vec<i64> = Vec::try_from(top.contiguous().view([-1])).unwrap_or_default();
        for (row, &u) in block.iter().enumerate() {
            let ranked: Vec<u32> = top[row * depth as usize..(row + 1) * depth as usize]
                .iter()
                .map(|&i| i as u32)
                .collect();
            let truth: HashSet<u32> = relevant[u as usize].iter().copied().collect();
            metrics.add(&ranked, &truth);
        }
    }
    metrics.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excluded_items_never_rank_and_a_perfect_scorer_scores_one() {
        // Three users, five items; item 4 is everyone's best score but user 0 has seen it.
        let excluded = vec![vec![4], vec![], vec![]];
        let relevant = vec![vec![1], vec![4], vec![]];
        let metrics = evaluate(
            |users| {
                let scores: Vec<f32> = users
                    .iter()
                    .flat_map(|&u| {
                        (0..5).map(move |i| if u == 0 && i == 1 { 9.0 } else { i as f32 })
                    })
                    .collect();
                Tensor::from_slice(&scores).view([users.len() as i64, 5])
            },
            5,
            &excluded,
            &relevant,
        );
        assert_eq!(metrics.users, 2, "user 2 has nothing relevant");
        assert!((metrics.ndcg_at_10 - 1.0).abs() < 1e-12, "{metrics:?}");
        assert!((metrics.mrr_at_10 - 1.0).abs() < 1e-12);
    }
}
