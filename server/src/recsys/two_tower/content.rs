//! The content tower: item id, category, projected text and image features, presence flags,
//! through an MLP into the shared space.

use tch::nn::{self, Module, ModuleT};
use tch::{Kind, Tensor};

use super::mlp::Mlp;
use super::{ContentProjections, Shapes, modality_masks, unit};
use crate::config::{Modality, TwoTowerSettings};
use crate::recsys::inputs::ItemInputs;

/// A batch of items. `ids` are item index + 1; 0 is an id the model has never seen, whose
/// embedding is zero, so that the content features carry it.
pub struct ItemBatch {
    pub ids: Tensor,
    pub categories: Tensor,
    pub text: Tensor,
    pub has_text: Tensor,
    pub image: Tensor,
    pub has_image: Tensor,
}

impl ItemBatch {
    /// Items of the training catalogue, by index.
    pub fn known(items: &ItemInputs, index: &Tensor) -> Self {
        Self {
            ids: index + 1,
            categories: items.categories.index_select(0, index),
            text: items.text.index_select(0, index),
            has_text: items.has_text.index_select(0, index),
            image: items.image.index_select(0, index),
            has_image: items.has_image.index_select(0, index),
        }
    }
}

#[derive(Debug)]
pub struct ContentTower {
    id: Option<nn::Embedding>,
    category: Option<nn::Embedding>,
    content: ContentProjections,
    mlp: Mlp,
    modality_dropout: f64,
}

pub(super) fn zero_padding_row(embedding: &nn::Embedding) {
    tch::no_grad(|| {
        let _ = embedding.ws.get(0).zero_();
    });
}

impl ContentTower {
    pub fn new(p: &nn::Path<'_>, s: &TwoTowerSettings, shapes: &Shapes) -> Self {
        let uses = |m| s.modalities.contains(&m);
        let embed = nn::EmbeddingConfig {
            padding_idx: 0,
            ..Default::default()
        };
        let id =
            uses(Modality::Id).then(|| nn::embedding(p / "id", shapes.items + 1, s.id_dim, embed));
        let category = s
            .use_category
            .then(|| nn::embedding(p / "category", shapes.categories + 1, s.category_dim, embed));
        let content = ContentProjections::new(p, s, shapes);
        for e in id.iter().chain(category.iter()) {
            zero_padding_row(e);
        }
        let input = id.as_ref().map_or(0, |_| s.id_dim)
            + category.as_ref().map_or(0, |_| s.category_dim)
            + content.width();
        Self {
            id,
            category,
            content,
            mlp: Mlp::for_tower(p, input, s),
            modality_dropout: s.modality_dropout,
        }
    }

    /// Unit vectors `[N, dim]`. `extra_dropout` adds to the configured modality dropout.
    pub fn forward_t(&self, batch: &ItemBatch, train: bool, extra_dropout: f64) -> Tensor {
        let rows = batch.ids.size()[0];
        let device = batch.ids.device();
        let count = usize::from(self.id.is_some()) + self.content.modalities();
        let mut masks = modality_masks(
            rows,
            count,
            self.modality_dropout + extra_dropout,
            train,
            device,
        )
        .into_iter();
        let mut parts = Vec::new();
        if let Some(id) = &self.id {
            parts.push(
                id.forward(&batch.ids)
                    * masks
                        .next()
                        .unwrap_or_else(|| Tensor::ones([rows, 1], (Kind::Float, device))),
            );
        }
        if let Some(category) = &self.category {
            parts.push(category.forward(&batch.categories));
        }
        self.content.push(
            &mut parts,
            (&batch.text, &batch.has_text),
            (&batch.image, &batch.has_image),
            &mut masks,
            false,
        );
        unit(&self.mlp.forward_t(&Tensor::cat(&parts, 1), train))
    }
}
