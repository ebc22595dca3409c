//! Indexing and serving (`configs/inference.yaml`): the LanceDB index over `item_vectors`, the
//! in-memory snapshot that requests are answered from, the feed's rules and its caches.

use serde::{Deserialize, Serialize};

use super::ConfigError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InferenceSettings {
    /// The catalogue the feed serves (one per server; `movielens` is the quality benchmark).
    pub catalogue: String,
    pub index: IndexSettings,
    pub snapshot: SnapshotSettings,
    pub feed: FeedSettings,
    pub cache: CacheSettings,
    pub additions: AdditionSettings,
    pub promotion: PromotionSettings,
}

/// `vitrine models promote`: the gate a candidate passes to be served.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PromotionSettings {
    /// A candidate whose validation NDCG@10 is below the serving version's by more than this
    /// is refused (unless forced).
    pub ndcg_margin: f64,
}

impl Default for PromotionSettings {
    fn default() -> Self {
        Self { ndcg_margin: 0.005 }
    }
}

/// Items added through the catalogue API, between publications of the index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdditionSettings {
    /// New items are encoded and filed into the served snapshot at most this long after
    /// they are accepted (plus the encoding itself), in seconds.
    pub delay_secs: f64,
}

impl Default for AdditionSettings {
    fn default() -> Self {
        Self { delay_secs: 2.0 }
    }
}

/// LanceDB's own ANN index on `item_vectors`, for filtered and offline queries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IndexSettings {
    /// IVF partitions; 0 picks about the square root of the row count.
    pub partitions: u32,
    /// PQ sub-vectors (the dimension must divide by it).
    pub sub_vectors: u32,
    /// Below this many rows no index is built: a flat scan is as fast.
    pub min_rows: usize,
    /// Partitions probed and the refine factor of a LanceDB query.
    pub nprobes: usize,
    pub refine_factor: u32,
}

/// The in-memory IVF-Flat snapshot of the published `item_vectors` version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SnapshotSettings {
    /// Lists; 0 picks about the square root of the item count.
    pub lists: usize,
    /// Lists scanned per query, as a fraction of all lists (at least one).
    pub probe_fraction: f64,
    pub train_sample: usize,
    pub iterations: usize,
    /// How often the server looks for a newly published index version.
    pub poll_secs: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeedSettings {
    pub default_size: usize,
    pub max_size: usize,
    /// How deep the ranked list behind one feed goes (or the page size, if larger); "load
    /// more" pages through it, and it is what a cache miss pays for.
    pub depth: usize,
    /// Zero-based feed positions given to promoted items, marked as sponsored.
    pub sponsored_slots: Vec<usize>,
    /// What a served sponsored impression costs the campaign (per thousand).
    pub sponsored_cpm: f64,
    /// Diversity rerank: at most this many items of one category in any window of
    /// `diversity_window` consecutive positions (0 turns it off).
    pub max_per_category: usize,
    pub diversity_window: usize,
    /// Cold start: "trending" counts interactions over the last this many days of the data.
    pub trending_days: i64,
    /// The interaction kinds that make a user's history, and that count as popular.
    pub history_kinds: Vec<String>,
    /// Promotions (active campaigns within budget) are re-read this often.
    pub promotions_refresh_secs: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheSettings {
    pub feed_ttl_secs: u64,
    /// The ranked feeds' memory, in MiB (entries and served pages, estimated at insertion).
    pub feed_cache_mib: u64,
    pub user_ttl_secs: u64,
    /// The users' cached vectors and seen items, in MiB.
    pub user_cache_mib: u64,
}

impl Default for InferenceSettings {
    fn default() -> Self {
        Self {
            catalogue: "fashion".into(),
            index: IndexSettings::default(),
            snapshot: SnapshotSettings::default(),
            feed: FeedSettings::default(),
            cache: CacheSettings::default(),
            additions: AdditionSettings::default(),
            promotion: PromotionSettings::default(),
        }
    }
}

impl Default for IndexSettings {
    fn default() -> Self {
        Self {
            partitions: 0,
            sub_vectors: 32,
            min_rows: 5000,
            nprobes: 20,
            refine_factor: 10,
        }
    }
}

impl Default for SnapshotSettings {
    fn default() -> Self {
        Self {
            lists: 0,
            probe_fraction: 0.03,
            train_sample: 50_000,
            iterations: 8,
            poll_secs: 5,
        }
    }
}

impl Default for FeedSettings {
    fn default() -> Self {
        Self {
            default_size: 20,
            max_size: 1000,
            depth: 300,
            sponsored_slots: vec![2, 9],
            sponsored_cpm: 5.0,
            max_per_category: 3,
            diversity_window: 6,
            trending_days: 7,
            history_kinds: vec!["click".into(), "save".into(), "conversion".into()],
            promotions_refresh_secs: 10,
        }
    }
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            feed_ttl_secs: 60,
            feed_cache_mib: 128,
            user_ttl_secs: 300,
            user_cache_mib: 64,
        }
    }
}

impl InferenceSettings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let fail = |key, reason: &str| {
            Err(ConfigError::Value {
                key,
                reason: reason.to_owned(),
            })
        };
        let f = &self.feed;
        if f.max_size == 0 || f.default_size == 0 || f.default_size > f.max_size {
            return fail(
                "inference.feed.default_size",
                "must be at least 1 and at most feed.max_size",
            );
        }
        if f.depth == 0 {
            return fail("inference.feed.depth", "must be at least 1");
        }
        let m = self.promotion.ndcg_margin;
        if !(m.is_finite() && (0.0..=1.0).contains(&m)) {
            return fail("inference.promotion.ndcg_margin", "must be in [0, 1]");
        }
        let d = self.additions.delay_secs;
        if !(d > 0.0 && d <= 3600.0) {
            return fail(
                "inference.additions.delay_secs",
                "must be in (0, 3600] seconds",
            );
        }
        let p = self.snapshot.probe_fraction;
        if !(p > 0.0 && p <= 1.0) {
            return fail("inference.snapshot.probe_fraction", "must be in (0, 1]");
        }
        if f.max_per_category > 0 && f.diversity_window < f.max_per_category {
            return fail(
                "inference.feed.diversity_window",
                "must be at least max_per_category",
            );
        }
        if f.history_kinds.is_empty() {
            return fail("inference.feed.history_kinds", "name at least one kind");
        }
        Ok(())
    }
}
