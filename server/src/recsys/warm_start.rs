//! Warm start: a new training run begins from a served version's weights instead of a random
//! draw. The data has moved on since that version (new items, users, categories), so every
//! embedding table is mapped row by row through the two vocabularies: a row whose item, user,
//! category or token the old model knew starts from its old values, a new one from the fresh
//! draw, and the padding row is kept. Every other weight of the same shape is copied; one whose
//! shape changed (another configuration) starts fresh.

use std::collections::HashMap;
use std::hash::Hash;
use std::path::Path;

use tch::{Device, Tensor, nn};

use super::checkpoint::{self, CheckpointError, CheckpointMeta};
use super::two_tower::{Shapes, TwoTower};
use super::vocab::Vocabulary;
use crate::config::{TrainingSettings, TwoTowerSettings};

/// What the warm start carried over.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WarmReport {
    /// Weights copied whole, and embedding tables mapped row by row.
    pub copied: usize,
    pub mapped: usize,
    /// Weights the old model lacks or has in another shape: left as drawn.
    pub fresh: usize,
    /// Embedding rows that start from the old model's values.
    pub rows_carried: usize,
}

/// `new[i]` as a row of the old table: row `i + 1` of the new table is row `old + 1` of the old
/// one (row 0 is the padding).
fn rows<T: Eq + Hash>(new: &[T], old: &[T]) -> Vec<(i64, i64)> {
    let at: HashMap<&T, usize> = old.iter().enumerate().map(|(i, k)| (k, i)).collect();
    std::iter::once((0, 0))
        .chain(
            new.iter()
                .enumerate()
                .filter_map(|(i, k)| at.get(k).map(|&o| (i as i64 + 1, o as i64 + 1))),
        )
        .collect()
}

/// The row maps of the embedding tables, by variable name.
fn row_maps(new: &Vocabulary, old: &Vocabulary) -> HashMap<&'static str, Vec<(i64, i64)>> {
    let items = rows(&new.item_ids, &old.item_ids);
    HashMap::from([
        ("content.id.weight", items.clone()),
        ("user.history.weight", items),
        (
            "content.category.weight",
            rows(&new.categories, &old.categories),
        ),
        ("user.id.weight", rows(&new.users, &old.users)),
        (
            "user.features.weight",
            rows(&new.feature_tokens, &old.feature_tokens),
        ),
    ])
}

/// Overwrites `store`'s variables with what the model in `from` knew of `vocabulary`.
///
/// # Errors
/// [`CheckpointError`] for an unreadable checkpoint or vocabulary in `from`.
pub fn initialise(
    store: &nn::VarStore,
    vocabulary: &Vocabulary,
    from: &Path,
) -> Result<WarmReport, CheckpointError> {
    let meta = checkpoint::read_meta(from, None)?;
    let old_vocabulary = Vocabulary::load(from, &meta)?;
    let old: HashMap<String, Tensor> = checkpoint::read_tensors(from, &meta)?.into_iter().collect();
    let maps = row_maps(vocabulary, &old_vocabulary);
    let mut report = WarmReport::default();
    let carried = tch::no_grad(|| -> Result<(), tch::TchError> {
        for (name, mut var) in store.variables() {
            let Some(source) = old.get(&name) else {
                report.fresh += 1;
                continue;
            };
            let source = source.f_to_device(var.device())?;
            let (to, from) = (var.size(), source.size());
            match maps.get(name.as_str()) {
                Some(map) if to.len() == 2 && from.len() == 2 && to[1] == from[1] => {
                    let (new_rows, old_rows): (Vec<i64>, Vec<i64>) = map
                        .iter()
                        .filter(|(n, o)| *n < to[0] && *o < from[0])
                        .copied()
                        .unzip();
                    let device = var.device();
                    let picked = source
                        .f_index_select(0, &Tensor::from_slice(&old_rows).f_to_device(device)?)?;
                    // In place; the returned handle is the same tensor.
                    let _same = var.f_index_copy_(
                        0,
                        &Tensor::from_slice(&new_rows).f_to_device(device)?,
                        &picked,
                    )?;
                    report.mapped += 1;
                    report.rows_carried += new_rows.len().saturating_sub(1);
                }
                None if to == from => {
                    var.f_copy_(&source)?;
                    report.copied += 1;
                }
                _ => report.fresh += 1,
            }
        }
        Ok(())
    });
    carried.map_err(|e| CheckpointError::Mismatch {
        path: from.to_path_buf(),
        reason: e.to_string(),
    })?;
    Ok(report)
}

/// Writes into `staging` a checkpoint of the model for this run's data, warm-started from
/// `from`, with no epochs run: training then goes on from it as from an interrupted run.
///
/// # Errors
/// [`CheckpointError`] for an unreadable source or a failed write.
pub fn prepare(
    staging: &Path,
    from: &Path,
    (model, training): (&TwoTowerSettings, &TrainingSettings),
    shapes: &Shapes,
    vocabulary: &Vocabulary,
    device: Device,
) -> Result<WarmReport, CheckpointError> {
    tch::manual_seed(training.seed as i64);
    let store = nn::VarStore::new(device);
    let _towers = TwoTower::new(&store.root(), model, shapes);
    let report = initialise(&store, vocabulary, from)?;
    checkpoint::save(
        staging,
        &store,
        CheckpointMeta {
            model: model.clone(),
            training: training.clone(),
            shapes: shapes.clone(),
            epoch: 0,
            best_valid_ndcg_at_10: 0.0,
            history: Vec::new(),
            weights_digest: String::new(),
            weights_file: String::new(),
            vocabulary_file: None,
            planted_ceiling_valid_ndcg_at_10: None,
        },
    )?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Modality;

    fn vocabulary(items: &[i64], users: &[&str]) -> Vocabulary {
        Vocabulary {
            catalogue: "test".into(),
            weights_digest: String::new(),
            item_ids: items.to_vec(),
            categories: vec!["Drama".into()],
            feature_tokens: vec!["age:25".into()],
            users: users.iter().map(|u| (*u).to_owned()).collect(),
        }
    }

    fn shapes(items: i64, users: i64) -> Shapes {
        Shapes {
            users,
            items,
            categories: 1,
            feature_vocab: 1,
            text_dim: 0,
            image_dim: 0,
        }
    }

    fn table(store: &nn::VarStore, name: &str) -> Tensor {
        store.variables()[name].copy()
    }

    #[test]
    fn known_rows_carry_over_new_ones_keep_their_draw() {
        let dir = tempfile::tempdir().expect("temp dir");
        let model = TwoTowerSettings {
            modalities: vec![Modality::Id],
            dim: 8,
            hidden: vec![8],
            id_dim: 4,
            category_dim: 2,
            feature_dim: 4,
            user_id_embedding: true,
            ..Default::default()
        };
        let training = TrainingSettings::default();
        // The served version knew items 10, 20, 30 and users a, b.
        let old = nn::VarStore::new(Device::Cpu);
        let _old_towers = TwoTower::new(&old.root(), &model, &shapes(3, 2));
        let meta = CheckpointMeta {
            model: model.clone(),
            training: training.clone(),
            shapes: shapes(3, 2),
            epoch: 1,
            best_valid_ndcg_at_10: 0.1,
            history: Vec::new(),
            weights_digest: String::new(),
            weights_file: String::new(),
            vocabulary_file: None,
            planted_ceiling_valid_ndcg_at_10: None,
        };
        let (staging, served) = (dir.path().join("staging"), dir.path().join("served"));
        checkpoint::save(&staging, &old, meta).expect("save");
        checkpoint::publish(&staging, &served, &vocabulary(&[10, 20, 30], &["a", "b"]))
            .expect("publish");

        // The new data has item 30 first, a new item 99, item 10; users b, c.
        let new = nn::VarStore::new(Device::Cpu);
        let _new_towers = TwoTower::new(&new.root(), &model, &shapes(3, 2));
        let drawn = table(&new, "content.id.weight");
        let report =
            initialise(&new, &vocabulary(&[30, 99, 10], &["b", "c"]), &served).expect("warm start");
        let (was, now) = (
            table(&old, "content.id.weight"),
            table(&new, "content.id.weight"),
        );
        assert!(now.get(1).equal(&was.get(3)), "item 30");
        assert!(now.get(3).equal(&was.get(1)), "item 10");
        assert!(now.get(2).equal(&drawn.get(2)), "item 99 keeps its draw");
        let (was, now) = (table(&old, "user.id.weight"), table(&new, "user.id.weight"));
        assert!(now.get(1).equal(&was.get(2)), "user b");
        // Items twice (content and history), user b, the category and the token.
        assert_eq!(report.rows_carried, 2 + 2 + 1 + 1 + 1);
        assert_eq!(report.fresh, 0);
        // A dense layer of the same shape is copied whole.
        let dense = old
            .variables()
            .into_iter()
            .find(|(n, _)| {
                !n.ends_with("id.weight")
                    && !n.contains("history")
                    && n.ends_with("weight")
                    && !n.contains("category")
                    && !n.contains("features")
            })
            .expect("a dense weight");
        assert!(new.variables()[&dense.0].equal(&dense.1), "{}", dense.0);
    }

    #[test]
    fn rows_follow_the_keys_and_keep_the_padding() {
        let old = ["a", "b", "c"];
        let new = ["c", "x", "a"];
        // New row 1 is `c` (old row 3), new row 3 is `a` (old row 1); `x` is new.
        assert_eq!(rows(&new, &old), vec![(0, 0), (1, 3), (3, 1)]);
        assert_eq!(rows::<&str>(&[], &old), vec![(0, 0)]);
    }
}
