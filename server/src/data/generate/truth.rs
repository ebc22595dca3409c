//! The ground truth: what was planted and what came out (`ground_truth.json`), every user's
//! tastes (`user_tastes.tsv`) and every item's attributes and popularity
//! (`item_attributes.tsv`), staged under temporary names and renamed into place only after the
//! database commit.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::advertising;
use super::attributes::AttributeValue;
use super::behaviour::{BehaviourParams, SimUser};
use crate::data::DataError;

/// Everything planted, and what came out, in `ground_truth.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroundTruth {
    pub seed: u64,
    pub users: usize,
    pub events: usize,
    pub window_start_unix: i64,
    pub window_seconds: i64,
    pub params: BehaviourParams,
    /// The attribute vocabulary that tastes and items share, with each value's item count.
    pub attributes: Vec<AttributeValue>,
    pub counts: KindCounts,
    /// Mean of the planted click probabilities over the impressions.
    pub expected_ctr: f64,
    /// Clicks / views actually drawn.
    pub realised_ctr: f64,
    /// Ad events written.
    pub ad_events: usize,
    /// Saves and dwell of the experiments' users on promoted items, written as interactions
    /// beside the feed's `events`.
    #[serde(default)]
    pub ad_feed_activity: usize,
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
    (item_ids, masks, popularity): (&[i64], &[u64], &[f64]),
) -> Result<StagedTruth, DataError> {
    std::fs::create_dir_all(dir).map_err(|source| DataError::Io {
        file: dir.to_owned(),
        source,
    })?;
    let json = serde_json::to_vec_pretty(truth)
        .map_err(|e| DataError::Inconsistent(format!("ground truth does not serialise: {e}")))?;
    let json = stage_file(dir, "ground_truth.json", |out| out.write_all(&json))?;
    let labels: Vec<String> = truth.attributes.iter().map(AttributeValue::label).collect();

    let tastes = stage_file(dir, "user_tastes.tsv", |out| {
        writeln!(out, "user_id:token\ttastes:token")?;
        for u in users {
            let tastes: Vec<String> = u
                .tastes
                .iter()
                .map(|t| format!("{}:{:+}", labels[t.value], t.weight))
                .collect();
            writeln!(out, "{}\t{}", u.external_id, tastes.join("|"))?;
        }
        Ok(())
    })?;
    let items = stage_file(dir, "item_attributes.tsv", |out| {
        writeln!(out, "item_id:token\tpopularity:float\tattributes:token")?;
        for ((id, mask), p) in item_ids.iter().zip(masks).zip(popularity) {
            let values: Vec<&str> = labels
                .iter()
                .enumerate()
                .filter(|(v, _)| mask & (1 << v) != 0)
                .map(|(_, l)| l.as_str())
                .collect();
            writeln!(out, "{id}\t{p:e}\t{}", values.join("|"))?;
        }
        Ok(())
    })?;
    Ok(StagedTruth {
        files: vec![json, tastes, items],
    })
}

/// Writes one file under a temporary name; returns (temporary, final) paths.
fn stage_file(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(PathBuf, PathBuf), DataError> {
    let target = dir.join(name);
    let temp = dir.join(format!(".{name}.tmp"));
    let fail = |source| DataError::Io {
        file: temp.clone(),
        source,
    };
    let mut out = std::io::BufWriter::new(std::fs::File::create(&temp).map_err(fail)?);
    write(&mut out).map_err(fail)?;
    out.flush().map_err(fail)?;
    Ok((temp, target))
}
