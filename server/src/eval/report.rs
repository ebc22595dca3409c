//! One run of the protocol, as JSON (for machines and the System page) and Markdown (for
//! people): the configuration, the seed, the dataset's statistics, each model's metrics and
//! timings.

use serde::Serialize;

use super::RankingMetrics;

#[derive(Clone, Debug, Serialize)]
pub struct DatasetStats {
    pub users: usize,
    pub items: usize,
    pub interactions: usize,
    pub train: usize,
    pub valid: usize,
    pub test: usize,
    pub items_with_text: usize,
    pub items_with_image: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ModelResult {
    pub name: String,
    /// The metrics on the validation split at the chosen epoch (none for most-popular).
    pub valid: Option<RankingMetrics>,
    pub test: RankingMetrics,
    /// The held-out items of the cold-start protocol, when it ran.
    pub cold: Option<RankingMetrics>,
    pub best_epoch: Option<usize>,
    pub epochs_run: Option<usize>,
    pub train_seconds: f64,
    pub samples_per_second: Option<f64>,
}

impl ModelResult {
    /// A result with no metrics yet, for struct-update syntax.
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            valid: None,
            test: RankingMetrics::default(),
            cold: None,
            best_epoch: None,
            epochs_run: None,
            train_seconds: 0.0,
            samples_per_second: None,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct EvaluationReport {
    pub catalogue: String,
    pub created_at: String,
    pub seed: u64,
    pub positives: String,
    pub k_core: usize,
    pub split: [f64; 3],
    pub ranking: &'static str,
    pub dataset: DatasetStats,
    pub config: serde_json::Value,
    pub split_files: Vec<String>,
    pub models: Vec<ModelResult>,
    pub seconds: f64,
}

impl EvaluationReport {
    pub fn to_markdown(&self) -> String {
        let d = &self.dataset;
        let mut out = format!(
            "# Offline evaluation: {}\n\n{} · seed {} · positives: {} · {}-core · split {:?} per user · {}\n\n\
             | users | items | interactions | train | valid | test | items with text | items with a picture |\n\
             |---|---|---|---|---|---|---|---|\n| {} | {} | {} | {} | {} | {} | {} | {} |\n\n\
             ## Test metrics\n\n\
             | model | NDCG@10 | ± s.e. | Hit@10 | MRR@10 | Recall@10 | Precision@10 | Hit@20 | NDCG@20 | coverage@20 | best epoch | train s | samples/s |\n\
             |---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
            self.catalogue,
            self.created_at,
            self.seed,
            self.positives,
            self.k_core,
            self.split,
            self.ranking,
            d.users,
            d.items,
            d.interactions,
            d.train,
            d.valid,
            d.test,
            d.items_with_text,
            d.items_with_image,
        );
        for m in &self.models {
            let t = &m.test;
            out.push_str(&format!(
                "| {} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {} | {:.1} | {} |\n",
                m.name, t.ndcg_at_10, t.ndcg_at_10_se, t.hit_at_10, t.mrr_at_10, t.recall_at_10, t.precision_at_10, t.hit_at_20,
                t.ndcg_at_20, t.coverage_at_20,
                m.best_epoch.map_or("-".into(), |e| e.to_string()),
                m.train_seconds,
                m.samples_per_second.map_or("-".into(), |s| format!("{s:.0}")),
            ));
        }
        if self.models.iter().any(|m| m.cold.is_some()) {
            out.push_str(
                "\n## Warm and cold items\n\nWarm: the test split above. Cold: every held-out item \
                 ranked for each user who interacted with one; no model saw them in training.\n\n\
                 | model | warm NDCG@10 | ± s.e. | cold NDCG@10 | ± s.e. | cold Hit@10 | cold Recall@10 | cold Hit@20 | cold users |\n\
                 |---|---|---|---|---|---|---|---|---|\n",
            );
            for m in &self.models {
                let (t, c) = (&m.test, m.cold.unwrap_or_default());
                out.push_str(&format!(
                    "| {} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {:.4} | {} |\n",
                    m.name,
                    t.ndcg_at_10,
                    t.ndcg_at_10_se,
                    c.ndcg_at_10,
                    c.ndcg_at_10_se,
                    c.hit_at_10,
                    c.recall_at_10,
                    c.hit_at_20,
                    c.users
                ));
            }
        }
        out.push_str(&format!(
            "\nValidation NDCG@10 chose each model's epoch; the test split was read once, at the end. \
             The split is exported as atomic files: {}. Total time {:.1} s.\n",
            self.split_files.join(", "),
            self.seconds
        ));
        out
    }
}
