//! The two-tower model: a content tower over an item's id, category, text and image features,
//! and a user tower over the user's id, demographics and pooled history; both end in unit
//! vectors of one space, and a score is their dot product over a temperature.
//!
//! Modality dropout in training removes whole inputs at random (never all of them), so that an
//! item with a missing modality, a bare text or picture query, an unseen item or a new user
//! still maps into the same space.

mod content;
mod mlp;
mod user;

use tch::nn::{self, Module};
use tch::{Device, Kind, Tensor};

use crate::config::{Modality, TwoTowerSettings};
use crate::recsys::inputs::{ItemInputs, UserInputs};

pub use content::{ContentTower, ItemBatch};
pub use user::{UserBatch, UserTower};

/// The sizes a model is built for; a checkpoint must match them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shapes {
    pub users: i64,
    pub items: i64,
    pub categories: i64,
    pub feature_vocab: i64,
    pub text_dim: i64,
    pub image_dim: i64,
}

impl Shapes {
    pub fn of(users: &UserInputs, items: &ItemInputs) -> Self {
        Self {
            users: users.count,
            items: items.count,
            categories: items.category_count,
            feature_vocab: users.feature_vocab,
            text_dim: items.text_dim(),
            image_dim: items.image_dim(),
        }
    }
}

pub struct TwoTower {
    pub content: ContentTower,
    pub user: UserTower,
    log_temperature: Tensor,
    settings: TwoTowerSettings,
}

impl TwoTower {
    pub fn new(root: &nn::Path<'_>, settings: &TwoTowerSettings, shapes: &Shapes) -> Self {
        let log_temperature = root.var(
            "log_temperature",
            &[],
            nn::Init::Const(settings.temperature.ln()),
        );
        let log_temperature = if settings.learn_temperature {
            log_temperature
        } else {
            log_temperature.detach()
        };
        Self {
            content: ContentTower::new(&(root / "content"), settings, shapes),
            user: UserTower::new(&(root / "user"), settings, shapes),
            log_temperature,
            settings: settings.clone(),
        }
    }

    pub fn uses(&self, modality: Modality) -> bool {
        self.settings.modalities.contains(&modality)
    }

    pub fn settings(&self) -> &TwoTowerSettings {
        &self.settings
    }

    /// `[U, I]` logits: dot products over the temperature.
    pub fn logits(&self, users: &Tensor, items: &Tensor) -> Tensor {
        users.matmul(&items.transpose(0, 1)) / self.log_temperature.exp()
    }

    /// Every item's vector, in eval mode, in blocks.
    pub fn item_vectors(&self, items: &ItemInputs, device: Device) -> Tensor {
        self.encode_items(items, device, false)
    }

    /// The vectors of items the model never saw (id 0, "unknown"), from their category and
    /// content alone: how a new item is served, and the cold-start protocol's items.
    pub fn unseen_item_vectors(&self, items: &ItemInputs, device: Device) -> Tensor {
        self.encode_items(items, device, true)
    }

    fn encode_items(&self, items: &ItemInputs, device: Device, unseen: bool) -> Tensor {
        tch::no_grad(|| {
            let all = Tensor::arange(items.count, (Kind::Int64, device));
            let blocks: Vec<Tensor> = all
                .split(4096, 0)
                .iter()
                .map(|index| {
                    let mut batch = ItemBatch::known(items, index);
                    if unseen {
                        batch.ids = batch.ids.zeros_like();
                    }
                    self.content.forward_t(&batch, false, 0.0)
                })
                .collect();
            Tensor::cat(&blocks, 0)
        })
    }

    /// The vectors of `users` with their whole training history, in eval mode.
    pub fn user_vectors(&self, users: &UserInputs, items: &ItemInputs, ids: &Tensor) -> Tensor {
        tch::no_grad(|| {
            self.user
                .forward_t(&UserBatch::known(users, items, ids, None), false, 0.0)
        })
    }
}

/// Keep-masks for modality dropout: each of `present` kept with probability `1 - p`, and
/// where a row would lose all of them, the first is kept.
pub(crate) fn modality_masks(
    rows: i64,
    count: usize,
    p: f64,
    train: bool,
    device: Device,
) -> Vec<Tensor> {
    let ones = || Tensor::ones([rows, 1], (Kind::Float, device));
    if !train || p <= 0.0 || count == 0 {
        return (0..count).map(|_| ones()).collect();
    }
    let mut masks: Vec<Tensor> = (0..count)
        .map(|_| {
            Tensor::rand([rows, 1], (Kind::Float, device))
                .ge(p)
                .to_kind(Kind::Float)
        })
        .collect();
    let kept = masks
        .iter()
        .fold(Tensor::zeros([rows, 1], (Kind::Float, device)), |a, m| {
            a + m
        });
    masks[0] = masks[0].maximum(&kept.eq(0.0).to_kind(Kind::Float));
    masks
}

/// The projected text and image features that both towers read, where configured.
#[derive(Debug)]
pub(crate) struct ContentProjections {
    text: Option<nn::Linear>,
    image: Option<nn::Linear>,
    feature_dim: i64,
}

impl ContentProjections {
    pub(crate) fn new(p: &nn::Path<'_>, s: &TwoTowerSettings, shapes: &Shapes) -> Self {
        let uses = |m| s.modalities.contains(&m);
        let projection =
            |name: &str, input: i64| nn::linear(p / name, input, s.feature_dim, Default::default());
        Self {
            text: uses(Modality::Text).then(|| projection("text", shapes.text_dim)),
            image: uses(Modality::Image).then(|| projection("image", shapes.image_dim)),
            feature_dim: s.feature_dim,
        }
    }

    /// How many modality-dropout masks these inputs take.
    pub(crate) fn modalities(&self) -> usize {
        usize::from(self.text.is_some()) + usize::from(self.image.is_some())
    }

    /// Their width in the MLP's input: each projection and its presence flag.
    pub(crate) fn width(&self) -> i64 {
        self.modalities() as i64 * (self.feature_dim + 1)
    }

    /// Appends each projection, zeroed where the feature is absent (`has` = 0) or its keep-mask
    /// drops it, and the resulting presence flag. With `projected`, the values are already
    /// projections (serving pools them per user; the projection is affine, so the mean of
    /// projections is the projection of the mean).
    pub(crate) fn push(
        &self,
        parts: &mut Vec<Tensor>,
        (text, has_text): (&Tensor, &Tensor),
        (image, has_image): (&Tensor, &Tensor),
        masks: &mut impl Iterator<Item = Tensor>,
        projected: bool,
    ) {
        for (layer, values, has) in [
            (&self.text, text, has_text),
            (&self.image, image, has_image),
        ] {
            if let Some(layer) = layer {
                let keep = masks
                    .next()
                    .unwrap_or_else(|| has.ones_like())
                    .view([-1, 1])
                    * has.unsqueeze(1);
                let values = if projected {
                    values.shallow_clone()
                } else {
                    layer.forward(values)
                };
                parts.push(values * &keep);
                parts.push(keep);
            }
        }
    }

    /// The projections of raw text and image features (`None` where the tower has no such
    /// input).
    pub(crate) fn project(
        &self,
        text: &Tensor,
        image: &Tensor,
    ) -> (Option<Tensor>, Option<Tensor>) {
        (
            self.text.as_ref().map(|l| l.forward(text)),
            self.image.as_ref().map(|l| l.forward(image)),
        )
    }
}

/// L2-normalised rows.
pub(crate) fn unit(x: &Tensor) -> Tensor {
    x / x.norm_scalaropt_dim(2, [1], true).clamp_min(1e-12)
}
