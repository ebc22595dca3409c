//! Top-k ranking metrics with binary relevance, averaged over the users that have at least one
//! relevant item, as RecBole computes them; and item coverage of the top 20.

use std::collections::HashSet;

use serde::Serialize;

/// The protocol's metrics for one model on one split.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct RankingMetrics {
    pub ndcg_at_10: f64,
    pub hit_at_10: f64,
    pub mrr_at_10: f64,
    pub recall_at_10: f64,
    pub precision_at_10: f64,
    pub hit_at_20: f64,
    pub ndcg_at_20: f64,
    pub coverage_at_20: f64,
    /// Users averaged over.
    pub users: usize,
    /// The standard error of `ndcg_at_10` over users (sample standard deviation / sqrt(n)).
    #[serde(default)]
    pub ndcg_at_10_se: f64,
}

/// Accumulates users' top-20 lists.
#[derive(Debug)]
pub struct MetricSet {
    sums: RankingMetrics,
    /// Sum of squared per-user NDCG@10.
    ndcg_squares: f64,
    recommended: HashSet<u32>,
    item_count: usize,
}

/// DCG of a 0/1 list at depth `k`.
fn dcg(hits: &[bool], k: usize) -> f64 {
    hits.iter()
        .take(k)
        .enumerate()
        .filter(|(_, hit)| **hit)
        .map(|(rank, _)| 1.0 / ((rank + 2) as f64).log2())
        .sum()
}

fn ideal_dcg(relevant: usize, k: usize) -> f64 {
    (0..relevant.min(k))
        .map(|rank| 1.0 / ((rank + 2) as f64).log2())
        .sum()
}

impl MetricSet {
    pub fn new(item_count: usize) -> Self {
        Self {
            sums: RankingMetrics::default(),
            ndcg_squares: 0.0,
            recommended: HashSet::new(),
            item_count,
        }
    }

    /// One user's ranked list (best first, at least 20 long where the catalogue allows) and
    /// the items that count as hits. A user with nothing relevant is skipped.
    pub fn add(&mut self, ranked: &[u32], relevant: &HashSet<u32>) {
        self.recommended.extend(ranked.iter().take(20));
        if relevant.is_empty() {
            return;
        }
        let hits: Vec<bool> = ranked
            .iter()
            .take(20)
            .map(|i| relevant.contains(i))
            .collect();
        let hits_at = |k: usize| hits.iter().take(k).filter(|h| **h).count();
        let s = &mut self.sums;
        s.users += 1;
        let ndcg = dcg(&hits, 10) / ideal_dcg(relevant.len(), 10);
        s.ndcg_at_10 += ndcg;
        self.ndcg_squares += ndcg * ndcg;
        s.ndcg_at_20 += dcg(&hits, 20) / ideal_dcg(relevant.len(), 20);
        s.hit_at_10 += f64::from(u8::from(hits_at(10) > 0));
        s.hit_at_20 += f64::from(u8::from(hits_at(20) > 0));
        s.mrr_at_10 += hits
            .iter()
            .take(10)
            .position(|h| *h)
            .map_or(0.0, |r| 1.0 / (r + 1) as f64);
        s.recall_at_10 += hits_at(10) as f64 / relevant.len() as f64;
        s.precision_at_10 += hits_at(10) as f64 / 10.0;
    }

    pub fn finish(&self) -> RankingMetrics {
        let n = self.sums.users.max(1) as f64;
        let s = &self.sums;
        let mean = s.ndcg_at_10 / n;
        let variance = if s.users > 1 {
            ((self.ndcg_squares - n * mean * mean) / (n - 1.0)).max(0.0)
        } else {
            0.0
        };
        RankingMetrics {
            ndcg_at_10: s.ndcg_at_10 / n,
            hit_at_10: s.hit_at_10 / n,
            mrr_at_10: s.mrr_at_10 / n,
            recall_at_10: s.recall_at_10 / n,
            precision_at_10: s.precision_at_10 / n,
            hit_at_20: s.hit_at_20 / n,
            ndcg_at_20: s.ndcg_at_20 / n,
            coverage_at_20: self.recommended.len() as f64 / self.item_count.max(1) as f64,
            users: s.users,
            ndcg_at_10_se: (variance / n).sqrt(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: relevant {2, 5, 9}; ranked 1..=20 puts hits at ranks 2, 5 and 9.
    /// DCG@10 = 1/log2(3) + 1/log2(6) + 1/log2(10) = 0.630930 + 0.386853 + 0.301030 = 1.318813;
    /// IDCG@3 = 1 + 0.630930 + 0.5 = 2.130930; NDCG@10 = 0.618891 (tolerance 1e-6).
    #[test]
    fn metrics_match_hand_computed_values() {
        let mut set = MetricSet::new(40);
        let ranked: Vec<u32> = (1..=20).collect();
        set.add(&ranked, &HashSet::from([2, 5, 9]));
        let m = set.finish();
        assert!((m.ndcg_at_10 - 0.618_891).abs() < 1e-6, "{}", m.ndcg_at_10);
        assert!((m.ndcg_at_20 - m.ndcg_at_10).abs() < 1e-12);
        assert!((m.mrr_at_10 - 0.5).abs() < 1e-12);
        assert!((m.recall_at_10 - 1.0).abs() < 1e-12);
        assert!((m.precision_at_10 - 0.3).abs() < 1e-12);
        assert!((m.hit_at_10 - 1.0).abs() < 1e-12);
        assert!((m.coverage_at_20 - 0.5).abs() < 1e-12);
    }

    #[test]
    fn users_without_relevant_items_are_not_averaged_and_misses_score_zero() {
        let mut set = MetricSet::new(100);
        set.add(&(0..20).collect::<Vec<_>>(), &HashSet::from([50]));
        set.add(&(20..40).collect::<Vec<_>>(), &HashSet::new());
        set.add(&(0..20).collect::<Vec<_>>(), &HashSet::from([15]));
        let m = set.finish();
        assert_eq!(m.users, 2);
        assert!(m.hit_at_10.abs() < 1e-12 && (m.hit_at_20 - 0.5).abs() < 1e-12);
        // Rank 16 of 20: DCG = 1/log2(17) = 0.244651, IDCG = 1; averaged with a miss.
        assert!((m.ndcg_at_20 - 0.244_651 / 2.0).abs() < 1e-6);
        assert!((m.coverage_at_20 - 0.4).abs() < 1e-12);
    }

    /// Per-user NDCG@10 of 1 (a hit at rank 1), 0 (a miss) and 1 / (1 + 1/log2 3) = 0.613147
    /// (one of two relevant items, at rank 1): mean 0.537716, sample sd 0.504249
    /// (numpy.std(ddof=1)), standard error 0.291129 (tolerance 1e-6).
    #[test]
    fn the_standard_error_is_the_sample_sd_over_root_n() {
        let mut set = MetricSet::new(100);
        set.add(&(0..20).collect::<Vec<_>>(), &HashSet::from([0]));
        set.add(&(0..20).collect::<Vec<_>>(), &HashSet::from([50]));
        set.add(&(0..20).collect::<Vec<_>>(), &HashSet::from([0, 60]));
        let m = set.finish();
        assert!((m.ndcg_at_10 - 0.537_716).abs() < 1e-6, "{}", m.ndcg_at_10);
        assert!(
            (m.ndcg_at_10_se - 0.291_129).abs() < 1e-6,
            "{}",
            m.ndcg_at_10_se
        );
    }
}
