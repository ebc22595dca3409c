//! A trained two-tower loaded for serving: item vectors for `vitrine index`, and one user or
//! one query at a time for requests. Inputs come by SQL id and name; the vocabulary saved
//! beside the checkpoint maps them to embedding rows (0, "unknown", for anything new).

use std::collections::HashMap;
use std::path::Path;

use tch::{Device, Kind, Tensor, nn};

use crate::config::{Modality, TwoTowerSettings};
use crate::recsys::checkpoint::{self, CheckpointError, CheckpointMeta};
use crate::recsys::two_tower::{ItemBatch, TwoTower, UserBatch};
use crate::recsys::vocab::Vocabulary;
use crate::vector::IndexedItem;

/// One item's raw inputs, for indexing.
pub struct ItemFeatures<'a> {
    pub item_id: i64,
    pub category: &'a str,
    pub text: Option<&'a [f32]>,
    pub image: Option<&'a [f32]>,
}

/// One user's inputs. The means are of the user tower's projections (`IndexedItem`'s history
/// columns), pooled over the history.
#[derive(Clone, Debug, Default)]
pub struct UserQuery {
    pub external_id: String,
    pub tokens: Vec<String>,
    /// SQL item ids, most recent first.
    pub history: Vec<i64>,
    pub text_mean: Option<Vec<f32>>,
    pub image_mean: Option<Vec<f32>>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum QueryError {
    #[error("the model does not read {0:?} inputs")]
    Unsupported(Modality),
    #[error("a {what} vector of {got} values, the model expects {want}")]
    Dimension {
        what: &'static str,
        got: usize,
        want: usize,
    },
}

pub struct ServingModel {
    model: TwoTower,
    _store: nn::VarStore,
    meta: CheckpointMeta,
    vocabulary: Vocabulary,
    items: HashMap<i64, i64>,
    categories: HashMap<String, i64>,
    tokens: HashMap<String, i64>,
    users: HashMap<String, i64>,
}

fn floats(rows: usize, dim: i64, values: &[f32]) -> Tensor {
    Tensor::from_slice(values).view([rows as i64, dim])
}

impl ServingModel {
    /// Loads the checkpoint and vocabulary in `dir` onto the CPU.
    ///
    /// # Errors
    /// [`CheckpointError`] for a missing, corrupt or mismatched checkpoint or vocabulary.
    pub fn load(dir: &Path) -> Result<Self, CheckpointError> {
        let meta = checkpoint::read_meta(dir, None)?;
        let vocabulary = Vocabulary::load(dir, &meta)?;
        let (model, store, meta) = checkpoint::load_model(dir, &meta.shapes, Device::Cpu)?;
        Ok(Self {
            model,
            _store: store,
            items: vocabulary.item_rows(),
            categories: vocabulary.category_rows(),
            tokens: vocabulary.token_rows(),
            users: vocabulary.user_rows(),
            vocabulary,
            meta,
        })
    }

    pub fn weights_digest(&self) -> &str {
        &self.meta.weights_digest
    }

    pub fn settings(&self) -> &TwoTowerSettings {
        self.model.settings()
    }

    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    pub fn feature_dim(&self) -> usize {
        self.settings().feature_dim as usize
    }

    /// The content vector and the user tower's feature projections of each item.
    pub fn index_items(&self, items: &[ItemFeatures<'_>]) -> Vec<IndexedItem> {
        let (dt, di) = (self.meta.shapes.text_dim, self.meta.shapes.image_dim);
        let mut out = Vec::with_capacity(items.len());
        for block in items.chunks(1024) {
            let n = block.len();
            let mut text = vec![0f32; n * dt as usize];
            let mut image = vec![0f32; n * di as usize];
            let mut has_text = vec![0f32; n];
            let mut has_image = vec![0f32; n];
            for (r, item) in block.iter().enumerate() {
                for (src, dst, has, dim) in [
                    (item.text, &mut text, &mut has_text, dt as usize),
                    (item.image, &mut image, &mut has_image, di as usize),
                ] {
                    if let Some(v) = src.filter(|v| v.len() == dim) {
                        dst[r * dim..(r + 1) * dim].copy_from_slice(v);
                        has[r] = 1.0;
                    }
                }
            }
            let ids: Vec<i64> = block
                .iter()
                .map(|i| self.items.get(&i.item_id).copied().unwrap_or(0))
                .collect();
            let categories: Vec<i64> = block
                .iter()
                .map(|i| self.categories.get(i.category).copied().unwrap_or(0))
                .collect();
            let batch = ItemBatch {
                ids: Tensor::from_slice(&ids),
                categories: Tensor::from_slice(&categories),
                text: floats(n, dt, &text),
                has_text: Tensor::from_slice(&has_text),
                image: floats(n, di, &image),
                has_image: Tensor::from_slice(&has_image),
            };
            let (vectors, (pt, pi)) = tch::no_grad(|| {
                (
                    self.model.content.forward_t(&batch, false, 0.0),
                    self.model.user.project(&batch.text, &batch.image),
                )
            });
            let vectors = to_rows(&vectors);
            let pt = pt.as_ref().map(to_rows);
            let pi = pi.as_ref().map(to_rows);
            for (r, (item, vector)) in block.iter().zip(vectors).enumerate() {
                let pick = |p: &Option<Vec<Vec<f32>>>, has: f32| {
                    p.as_ref()
                        .filter(|_| has > 0.0)
                        .map(|rows| rows[r].clone())
                        .unwrap_or_default()
                };
                out.push(IndexedItem {
                    item_id: item.item_id,
                    category: item.category.to_owned(),
                    vector,
                    history_text: pick(&pt, has_text[r]),
                    history_image: pick(&pi, has_image[r]),
                });
            }
        }
        out
    }

    /// The user's unit vector.
    ///
    /// # Errors
    /// [`QueryError::Dimension`] for a pooled projection of the wrong width.
    pub fn user_vector(&self, q: &UserQuery) -> Result<Vec<f32>, QueryError> {
        let fd = self.settings().feature_dim;
        let width = self.meta.model.max_history.max(1);
        let mut history = vec![0i64; width];
        for (slot, id) in history
            .iter_mut()
            .zip(q.history.iter().filter_map(|i| self.items.get(i)))
        {
            *slot = *id;
        }
        let mut tokens: Vec<i64> = q
            .tokens
            .iter()
            .filter_map(|t| self.tokens.get(t).copied())
            .collect();
        if tokens.is_empty() {
            tokens.push(0);
        }
        let mean = |what, v: &Option<Vec<f32>>| -> Result<(Tensor, Tensor), QueryError> {
            match v {
                Some(v) if v.len() != fd as usize => Err(QueryError::Dimension {
                    what,
                    got: v.len(),
                    want: fd as usize,
                }),
                Some(v) => Ok((floats(1, fd, v), Tensor::from_slice(&[1f32]))),
                None => Ok((
                    Tensor::zeros([1, fd], (Kind::Float, Device::Cpu)),
                    Tensor::from_slice(&[0f32]),
                )),
            }
        };
        let (text_mean, has_text) = mean("text", &q.text_mean)?;
        let (image_mean, has_image) = mean("image", &q.image_mean)?;
        let user = self.users.get(&q.external_id).copied().unwrap_or(0);
        let batch = UserBatch {
            ids: Tensor::from_slice(&[user]),
            features: Tensor::from_slice(&tokens).view([1, -1]),
            history: Tensor::from_slice(&history).view([1, -1]),
            text_mean,
            has_text,
            image_mean,
            has_image,
            projected: true,
        };
        let v = tch::no_grad(|| self.model.user.forward_t(&batch, false, 0.0));
        Ok(to_rows(&v).pop().unwrap_or_default())
    }

    /// A text and/or image query in the items' space, encoded as an unseen item with that
    /// content would be (no id), in `category` when the query names one: the same content in
    /// the same category gets the same vector as the item.
    ///
    /// # Errors
    /// [`QueryError`] when the model has no such modality or a vector has the wrong width.
    pub fn query_vector(
        &self,
        text: Option<&[f32]>,
        image: Option<&[f32]>,
        category: Option<&str>,
    ) -> Result<Vec<f32>, QueryError> {
        for (what, modality, v, dim) in [
            ("text", Modality::Text, text, self.meta.shapes.text_dim),
            ("image", Modality::Image, image, self.meta.shapes.image_dim),
        ] {
            if let Some(v) = v {
                if !self.model.uses(modality) {
                    return Err(QueryError::Unsupported(modality));
                }
                if v.len() != dim as usize {
                    return Err(QueryError::Dimension {
                        what,
                        got: v.len(),
                        want: dim as usize,
                    });
                }
            }
        }
        let item = ItemFeatures {
            item_id: i64::MIN,
            category: category.unwrap_or_default(),
            text,
            image,
        };
        Ok(self
            .index_items(&[item])
            .pop()
            .map(|i| i.vector)
            .unwrap_or_default())
    }
}

fn to_rows(t: &Tensor) -> Vec<Vec<f32>> {
    let cols = t.size().get(1).copied().unwrap_or(0) as usize;
    let flat: Vec<f32> = Vec::try_from(t.contiguous().view([-1])).unwrap_or_default();
    flat.chunks_exact(cols.max(1))
        .map(<[f32]>::to_vec)
        .collect()
}
