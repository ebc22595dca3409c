//! The user tower: user id, demographic tokens, and the pooled history (the mean id embedding
//! of the items, and the mean of their text and image features), through an MLP.

use tch::nn::{self, Module, ModuleT};
use tch::{Kind, Tensor};

use super::content::zero_padding_row;
use super::mlp::Mlp;
use super::{ContentProjections, Shapes, modality_masks, unit};
use crate::config::{Modality, TwoTowerSettings};
use crate::recsys::inputs::{ItemInputs, UserInputs};

/// A batch of users. `ids` are user index + 1 (0: a user the model has never seen).
pub struct UserBatch {
    pub ids: Tensor,
    pub features: Tensor,
    /// `[B, H]` item index + 1, 0 pads.
    pub history: Tensor,
    pub text_mean: Tensor,
    pub has_text: Tensor,
    pub image_mean: Tensor,
    pub has_image: Tensor,
    /// Whether the means are of the tower's own projections (serving) or of raw features.
    pub projected: bool,
}

fn mean(sum: Tensor, count: Tensor) -> (Tensor, Tensor) {
    let has = count.gt(0.5).to_kind(Kind::Float);
    (sum / count.clamp_min(1.0).unsqueeze(1), has)
}

impl UserBatch {
    /// Known users by index. With `target`, each row's target item is left out of its
    /// history (in training the target is always in it; the model must not see it).
    pub fn known(
        users: &UserInputs,
        items: &ItemInputs,
        index: &Tensor,
        target: Option<&Tensor>,
    ) -> Self {
        let mut history = users.history.index_select(0, index);
        let mut text_sum = users.text_sum.index_select(0, index);
        let mut text_count = users.text_count.index_select(0, index);
        let mut image_sum = users.image_sum.index_select(0, index);
        let mut image_count = users.image_count.index_select(0, index);
        if let Some(target) = target {
            let same = history.eq_tensor(&(target + 1).unsqueeze(1));
            history = history.masked_fill(&same, 0);
            let has_text = items.has_text.index_select(0, target);
            text_sum -= items.text.index_select(0, target);
            text_count -= has_text;
            let has_image = items.has_image.index_select(0, target);
            image_sum -= items.image.index_select(0, target);
            image_count -= has_image;
        }
        let (text_mean, has_text) = mean(text_sum, text_count);
        let (image_mean, has_image) = mean(image_sum, image_count);
        Self {
            ids: index + 1,
            features: users.features.index_select(0, index),
            history,
            text_mean,
            has_text,
            image_mean,
            has_image,
            projected: false,
        }
    }
}

#[derive(Debug)]
pub struct UserTower {
    id: Option<nn::Embedding>,
    history: Option<nn::Embedding>,
    features: nn::Embedding,
    content: ContentProjections,
    mlp: Mlp,
    modality_dropout: f64,
}

impl UserTower {
    pub fn new(p: &nn::Path<'_>, s: &TwoTowerSettings, shapes: &Shapes) -> Self {
        let uses = |m| s.modalities.contains(&m);
        let embed = nn::EmbeddingConfig {
            padding_idx: 0,
            ..Default::default()
        };
        let id = (uses(Modality::Id) && s.user_id_embedding)
            .then(|| nn::embedding(p / "id", shapes.users + 1, s.id_dim, embed));
        let history = uses(Modality::Id)
            .then(|| nn::embedding(p / "history", shapes.items + 1, s.id_dim, embed));
        let features = nn::embedding(
            p / "features",
            shapes.feature_vocab + 1,
            s.category_dim,
            embed,
        );
        let content = ContentProjections::new(p, s, shapes);
        for e in id
            .iter()
            .chain(history.iter())
            .chain(std::iter::once(&features))
        {
            zero_padding_row(e);
        }
        let input = id.as_ref().map_or(0, |_| s.id_dim)
            + history.as_ref().map_or(0, |_| s.id_dim)
            + s.category_dim
            + content.width();
        Self {
            id,
            history,
            features,
            content,
            mlp: Mlp::for_tower(p, input, s),
            modality_dropout: s.modality_dropout,
        }
    }

    /// Masked mean of the embeddings of `tokens` (0 pads): `[B, T] -> [B, D]`.
    fn pooled(embedding: &nn::Embedding, tokens: &Tensor) -> Tensor {
        let mask = tokens.gt(0).to_kind(Kind::Float).unsqueeze(2);
        let sum = (embedding.forward(tokens) * &mask).sum_dim_intlist(1, false, Kind::Float);
        sum / mask.sum_dim_intlist(1, false, Kind::Float).clamp_min(1.0)
    }

    /// This tower's projections of raw item features `[N, Dt]`, `[N, Di]`: what serving
    /// stores per item and pools over a user's history.
    pub fn project(&self, text: &Tensor, image: &Tensor) -> (Option<Tensor>, Option<Tensor>) {
        self.content.project(text, image)
    }

    pub fn forward_t(&self, batch: &UserBatch, train: bool, extra_dropout: f64) -> Tensor {
        let rows = batch.ids.size()[0];
        let device = batch.ids.device();
        let ones = || Tensor::ones([rows, 1], (Kind::Float, device));
        let count = usize::from(self.history.is_some()) + self.content.modalities();
        let mut masks = modality_masks(
            rows,
            count,
            self.modality_dropout + extra_dropout,
            train,
            device,
        )
        .into_iter();
        let mut parts = Vec::new();
        if let Some(history) = &self.history {
            let keep = masks.next().unwrap_or_else(ones);
            if let Some(id) = &self.id {
                parts.push(id.forward(&batch.ids) * &keep);
            }
            parts.push(Self::pooled(history, &batch.history) * &keep);
        }
        parts.push(Self::pooled(&self.features, &batch.features));
        self.content.push(
            &mut parts,
            (&batch.text_mean, &batch.has_text),
            (&batch.image_mean, &batch.has_image),
            &mut masks,
            batch.projected,
        );
        unit(&self.mlp.forward_t(&Tensor::cat(&parts, 1), train))
    }
}
