//! The ground truth: what was planted and what came out (`ground_truth.json`), and every
//! user's tastes (`user_tastes.tsv`), staged under temporary names and renamed into place only
//! after the database commit.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::advertising;
use super::behaviour::{BehaviourParams, SimUser};
use super::features::LATENT_DIM;
use crate::data::DataError;

/// Everything planted, and what came out, in `ground_truth.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroundTruth {
    pub seed: u64,
    pub users: usize,
    pub events: usize,
    pub latent_dim: usize,
    pub window_start_unix: i64,
    pub window_seconds: i64,
    pub params: BehaviourParams,
    pub counts: KindCounts,
    /// Mean of the planted click probabilities over the impressions.
    pub expected_ctr: f64,
    /// Clicks / views actually drawn.
    pub realised_ctr: f64,
    /// Ad events written.
    pub ad_events: usize,
    /// `None` when the advertising world was not generated (the scale catalogue).
    pub advertising: Option<advertising::AdTruth>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindCounts {
    pub view: usize,
    pub click: usize,
    pub save: usize,
    pub dwell: usize,
    pub conversion: usize,
}

/// Ground-truth files written under temporary names, renamed into place by `publish`.
pub(super) struct StagedTruth {
    files: Vec<(PathBuf, PathBuf)>,
}

impl StagedTruth {
    pub(super) fn publish(self) -> Result<(), DataError> {
        for (temp, target) in self.files {
            std::fs::rename(&temp, &target).map_err(|source| DataError::Io {
                file: target,
                source,
            })?;
        }
        Ok(())
    }
}

pub(super) fn stage(
    dir: &Path,
    truth: &GroundTruth,
    users: &[SimUser],
    categories: &[String],
) -> Result<StagedTruth, DataError> {
    let io = |file: &Path| {
        let file = file.to_owned();
        move |source| DataError::Io { file, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let json_target = dir.join("ground_truth.json");
    let json_temp = dir.join(".ground_truth.json.tmp");
    let json = serde_json::to_vec_pretty(truth)
        .map_err(|e| DataError::Inconsistent(format!("ground truth does not serialise: {e}")))?;
    std::fs::write(&json_temp, json).map_err(io(&json_temp))?;

    let tsv_target = dir.join("user_tastes.tsv");
    let tsv_temp = dir.join(".user_tastes.tsv.tmp");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tsv_temp).map_err(io(&tsv_temp))?);
    let header: Vec<String> = (0..LATENT_DIM)
        .map(|d| format!("taste_{d}:float"))
        .collect();
    writeln!(
        out,
        "user_id:token\tfavourite_categories:token\t{}",
        header.join("\t")
    )
    .map_err(io(&tsv_temp))?;
    for u in users {
        let favourites: Vec<&str> = u
            .favourite_categories
            .iter()
            .map(|&c| categories[c].as_str())
            .collect();
        let taste: Vec<String> = u.taste.iter().map(|x| format!("{x:.6}")).collect();
        writeln!(
            out,
            "{}\t{}\t{}",
            u.external_id,
            favourites.join("|"),
            taste.join("\t")
        )
        .map_err(io(&tsv_temp))?;
    }
    out.flush().map_err(io(&tsv_temp))?;
    Ok(StagedTruth {
        files: vec![(json_temp, json_target), (tsv_temp, tsv_target)],
    })
}
