//! The offline evaluation protocol (DESIGN.md): implicit positives, a k-core filter, a seeded
//! per-user 8:1:1 split exported as atomic files, full ranking with exclusions, and the
//! ranking metrics. Models plug in through a score function, so the baselines and the
//! two-tower run in the same harness.
//!
//! - `dataset`  ratings to implicit positives, the iterated k-core, dense user and item indices
//! - `split`    the per-user ratio split and its atomic-file export
//! - `metrics`  NDCG, Hit, MRR, Recall, Precision at k, and catalogue coverage
//! - `source`   a catalogue's positives, users and item features from SQL and LanceDB
//! - `harness`  chance, most-popular, BPR-MF and the two-tower variants on one split, warm and
//!   (with `cold`) on held-out items
//! - `cold`     the cold-start protocol: a seeded share of items held out with all they have
//! - `oracle`   a synthetic world's ceiling: ranking by the planted click model
//! - `report`   one run as JSON and Markdown
//! - `rank`     full ranking of every item with per-user exclusions, in blocks of users

pub mod cold;
pub mod dataset;
pub mod harness;
pub mod metrics;
pub mod oracle;
pub mod rank;
pub mod report;
pub mod source;
pub mod split;

pub use dataset::{Dataset, Interaction};
pub use metrics::{MetricSet, RankingMetrics};
pub use split::{Split, SplitError};
