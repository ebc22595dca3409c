//! The ceiling of a synthetic world: rank items by the affinity that `generate` planted
//! (a user's taste . an item's latent vector), under the same split and exclusions as the
//! models. Where even this ranks poorly, the world's clicks are mostly chance.

use std::collections::HashMap;
use std::path::Path;

use sea_orm::DatabaseConnection;
use tch::Tensor;

use super::source::ProtocolData;
use crate::data::generate::planted_item_vectors;
use crate::db::items;

#[derive(Debug, thiserror::Error)]
pub enum OracleError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
}

/// `[users, 16]` planted tastes and `[items, 16]` planted item vectors, in dataset order.
///
/// # Errors
/// [`OracleError`] when the ground truth in `truth_dir` is missing or does not cover the data.
pub async fn planted(
    db: &DatabaseConnection,
    data: &ProtocolData,
    truth_dir: &Path,
) -> Result<(Tensor, Tensor), OracleError> {
    let read = |name: &str| {
        let path = truth_dir.join(name);
        std::fs::read_to_string(&path).map_err(|e| OracleError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
    };
    let truth: serde_json::Value =
        serde_json::from_str(&read("ground_truth.json")?).map_err(|e| OracleError::Read {
            path: "ground_truth.json".into(),
            reason: e.to_string(),
        })?;
    let seed = truth
        .get("seed")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(7);
    let tastes: HashMap<String, Vec<f32>> = read("user_tastes.tsv")?
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let user = fields.next()?.to_owned();
            let taste = fields
                .skip(1)
                .map(|x| x.parse::<f32>().ok())
                .collect::<Option<Vec<f32>>>()?;
            Some((user, taste))
        })
        .collect();
    let dim = tastes.values().next().map_or(16, Vec::len);
    let mut users = Vec::with_capacity(data.dataset.user_count() * dim);
    for user in &data.dataset.users {
        let taste = tastes.get(user).ok_or_else(|| OracleError::Read {
            path: "user_tastes.tsv".into(),
            reason: format!("no taste for user {user}: another world's ground truth?"),
        })?;
        users.extend_from_slice(taste);
    }
    let ids = &data.item_ids;
    let mut texts = items::texts(db, ids).await?;
    let images: Vec<(i64, Vec<u8>)> = items::pictures(db, ids).await?.into_iter().collect();
    let rows: Vec<(i64, String, String)> = ids
        .iter()
        .map(|id| {
            let (title, description) = texts.remove(id).unwrap_or_default();
            (*id, title, description)
        })
        .collect();
    let borrowed: Vec<(i64, &str, &str)> = rows
        .iter()
        .map(|(id, t, d)| (*id, t.as_str(), d.as_str()))
        .collect();
    let vectors = tokio::task::block_in_place(|| planted_item_vectors(seed, &borrowed, images))?;
    let items: Vec<f32> = vectors
        .iter()
        .flat_map(|z| z.iter().map(|&x| x as f32))
        .collect();
    let (u, i) = (data.dataset.user_count() as i64, ids.len() as i64);
    Ok((
        Tensor::from_slice(&users).view([u, dim as i64]),
        Tensor::from_slice(&items).view([i, -1]),
    ))
}
