//! What the towers read, as dense tensors indexed by the evaluation dataset's user and item
//! indices. Built once per training run; batches are `index_select`s into them.

use std::collections::HashMap;

use tch::{Device, Kind, Tensor};

use crate::eval::Interaction;

/// Per-item inputs. Index 0 of the id and category vocabularies means "unknown".
pub struct ItemInputs {
    pub count: i64,
    /// `[I]` category index + 1.
    pub categories: Tensor,
    pub category_count: i64,
    /// `[I, Dt]`, zeros where an item has no text features.
    pub text: Tensor,
    pub has_text: Tensor,
    /// `[I, Di]`, zeros where an item has no picture.
    pub image: Tensor,
    pub has_image: Tensor,
}

/// Per-user inputs: demographic tokens and the training history, pooled two ways.
pub struct UserInputs {
    pub count: i64,
    /// `[U, F]` feature token index + 1 (0 pads).
    pub features: Tensor,
    pub feature_vocab: i64,
    /// `[U, H]` history item index + 1 (0 pads).
    pub history: Tensor,
    /// `[U, Dt]` and `[U, Di]`: sums of the history's content features, and their counts.
    pub text_sum: Tensor,
    pub text_count: Tensor,
    pub image_sum: Tensor,
    pub image_count: Tensor,
}

/// One item's raw inputs.
#[derive(Clone, Debug)]
pub struct ItemSource {
    pub category: String,
    pub text: Option<Vec<f32>>,
    pub image: Option<Vec<f32>>,
}

fn vocabulary<'a>(values: impl Iterator<Item = &'a str>) -> HashMap<&'a str, i64> {
    let mut vocab = HashMap::new();
    for v in values {
        let next = vocab.len() as i64 + 1;
        vocab.entry(v).or_insert(next);
    }
    vocab
}

/// Stacks optional vectors into `[N, dim]` and a `[N]` presence mask.
fn stack(rows: &[Option<&[f32]>], dim: usize) -> (Tensor, Tensor) {
    let mut values = vec![0f32; rows.len() * dim];
    let mut present = vec![0f32; rows.len()];
    for (i, row) in rows.iter().enumerate() {
        if let Some(row) = row {
            values[i * dim..(i + 1) * dim].copy_from_slice(&row[..dim]);
            present[i] = 1.0;
        }
    }
    let n = rows.len() as i64;
    (
        Tensor::from_slice(&values).view([n, dim as i64]),
        Tensor::from_slice(&present),
    )
}

impl ItemInputs {
    pub fn build(items: &[ItemSource], text_dim: usize, image_dim: usize) -> Self {
        let vocab = vocabulary(items.iter().map(|i| i.category.as_str()));
        let categories: Vec<i64> = items.iter().map(|i| vocab[i.category.as_str()]).collect();
        let text: Vec<Option<&[f32]>> = items
            .iter()
            .map(|i| i.text.as_deref().filter(|t| t.len() == text_dim))
            .collect();
        let image: Vec<Option<&[f32]>> = items
            .iter()
            .map(|i| i.image.as_deref().filter(|t| t.len() == image_dim))
            .collect();
        let (text, has_text) = stack(&text, text_dim);
        let (image, has_image) = stack(&image, image_dim);
        Self {
            count: items.len() as i64,
            categories: Tensor::from_slice(&categories),
            category_count: vocab.len() as i64 + 1,
            text,
            has_text,
            image,
            has_image,
        }
    }

    /// The first `n` items and the rest, sharing one category vocabulary: the cold-start
    /// protocol trains on the first part and encodes the rest as never seen.
    pub fn split_at(&self, n: i64) -> (Self, Self) {
        let part = |start: i64, len: i64| Self {
            count: len,
            categories: self.categories.narrow(0, start, len),
            category_count: self.category_count,
            text: self.text.narrow(0, start, len),
            has_text: self.has_text.narrow(0, start, len),
            image: self.image.narrow(0, start, len),
            has_image: self.has_image.narrow(0, start, len),
        };
        let n = n.clamp(0, self.count);
        (part(0, n), part(n, self.count - n))
    }

    pub fn text_dim(&self) -> i64 {
        self.text.size()[1]
    }

    pub fn image_dim(&self) -> i64 {
        self.image.size()[1]
    }

    pub fn to_device(&self, device: Device) -> Self {
        Self {
            count: self.count,
            categories: self.categories.to_device(device),
            category_count: self.category_count,
            text: self.text.to_device(device),
            has_text: self.has_text.to_device(device),
            image: self.image.to_device(device),
            has_image: self.has_image.to_device(device),
        }
    }
}

impl UserInputs {
    /// `features[u]` are the user's demographic tokens (`gender=F`, `age=25-34`, ...);
    /// `train` gives the history. Histories longer than `max_history` keep a seeded sample.
    pub fn build(
        features: &[Vec<String>],
        train: &[Interaction],
        items: &ItemInputs,
        max_history: usize,
        seed: u64,
    ) -> Self {
        let users = features.len();
        let vocab = vocabulary(features.iter().flatten().map(String::as_str));
        let width = features.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let mut tokens = vec![0i64; users * width];
        for (u, list) in features.iter().enumerate() {
            for (k, token) in list.iter().enumerate() {
                tokens[u * width + k] = vocab[token.as_str()];
            }
        }
        let mut history: Vec<Vec<i64>> = vec![Vec::new(); users];
        for i in train {
            history[i.user as usize].push(i64::from(i.item));
        }
        let mut rng = crate::data::rng::SplitMix64::new(seed);
        let depth = history
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .clamp(1, max_history.max(1));
        let mut padded = vec![0i64; users * depth];
        for (u, list) in history.iter_mut().enumerate() {
            for i in (1..list.len()).rev() {
                list.swap(i, rng.below(i + 1));
            }
            for (k, item) in list.iter().take(depth).enumerate() {
                padded[u * depth + k] = item + 1;
            }
        }
        Self {
            count: users as i64,
            features: Tensor::from_slice(&tokens).view([users as i64, width as i64]),
            feature_vocab: vocab.len() as i64 + 1,
            history: Tensor::from_slice(&padded).view([users as i64, depth as i64]),
            // Over the whole history, not only the sampled ids.
            text_sum: history_sums(train, users, &items.text),
            text_count: history_sums(train, users, &items.has_text.unsqueeze(1)).squeeze_dim(1),
            image_sum: history_sums(train, users, &items.image),
            image_count: history_sums(train, users, &items.has_image.unsqueeze(1)).squeeze_dim(1),
        }
    }

    pub fn to_device(&self, device: Device) -> Self {
        Self {
            count: self.count,
            features: self.features.to_device(device),
            feature_vocab: self.feature_vocab,
            history: self.history.to_device(device),
            text_sum: self.text_sum.to_device(device),
            text_count: self.text_count.to_device(device),
            image_sum: self.image_sum.to_device(device),
            image_count: self.image_count.to_device(device),
        }
    }
}

/// Per-user sums of the rows of `values` (`[items, D]`) over the training pairs: `[users, D]`.
/// Chunked, so that the gathered rows stay small whatever the catalogue's size.
fn history_sums(train: &[Interaction], users: usize, values: &Tensor) -> Tensor {
    let mut sums = Tensor::zeros([users as i64, values.size()[1]], (Kind::Float, Device::Cpu));
    for chunk in train.chunks(16_384) {
        let (u, i): (Vec<i64>, Vec<i64>) = chunk
            .iter()
            .map(|p| (i64::from(p.user), i64::from(p.item)))
            .unzip();
        let rows = values.index_select(0, &Tensor::from_slice(&i));
        let _ = sums.index_add_(0, &Tensor::from_slice(&u), &rows);
    }
    sums
}
