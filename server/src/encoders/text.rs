//! A sentence encoder around [`Bert`]: the model folder's `tokenizer.json`, masked mean (or
//! `[CLS]`) pooling, then L2 normalisation, as sentence-transformers does.

use std::path::Path;

use tch::{Device, Kind, Tensor};
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

use super::{Bert, BertConfig, EncoderError, EncoderInfo, TextEncoder};
use crate::config::{Pooling, TextEncoderSettings};

pub struct BertTextEncoder {
    model: Bert,
    tokenizer: Tokenizer,
    pooling: Pooling,
    kind: Kind,
    info: EncoderInfo,
}

impl BertTextEncoder {
    /// Loads `config.json`, `model.safetensors` and `tokenizer.json` from `dir`.
    ///
    /// # Errors
    /// [`EncoderError::Load`] naming the file that is missing or malformed.
    pub fn load(
        settings: &TextEncoderSettings,
        dir: &Path,
        device: Device,
        kind: Kind,
    ) -> Result<Self, EncoderError> {
        let config = BertConfig::read(&dir.join("config.json"))?;
        let max_tokens = settings
            .max_tokens
            .min(usize::try_from(config.max_position_embeddings).unwrap_or(usize::MAX));
        let tokenizer_path = dir.join("tokenizer.json");
        let mut tokenizer =
            Tokenizer::from_file(&tokenizer_path).map_err(|e| EncoderError::Load {
                path: tokenizer_path.display().to_string(),
                reason: e.to_string(),
            })?;
        // The packaged file pads every text to 128; pad a batch to its longest text instead.
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            ..Default::default()
        }));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                ..Default::default()
            }))
            .map_err(|e| EncoderError::Tokenize(e.to_string()))?;
        let dim = usize::try_from(config.hidden_size).unwrap_or_default();
        let model = Bert::load(config, &dir.join("model.safetensors"), device, kind)?;
        Ok(Self {
            model,
            tokenizer,
            pooling: settings.pooling,
            kind,
            info: EncoderInfo {
                name: settings.name.clone(),
                version: super::locate::text_version(settings, dir),
                dim,
            },
        })
    }

    /// Pooled, normalised vectors for already tokenised input: `ids` and `mask` `[B, T]` int64.
    pub fn encode_ids(&self, ids: &Tensor, mask: &Tensor) -> Tensor {
        tch::no_grad(|| {
            let device = self.model.device();
            let (ids, mask) = (ids.to_device(device), mask.to_device(device));
            let states = self.model.forward(&ids, &mask).to_kind(Kind::Float);
            let pooled = match self.pooling {
                Pooling::Cls => states.select(1, 0),
                Pooling::Mean => {
                    let weights = mask.to_kind(Kind::Float).unsqueeze(-1);
                    let counts = weights
                        .sum_dim_intlist(1, false, Kind::Float)
                        .clamp_min(1e-9);
                    (states * weights).sum_dim_intlist(1, false, Kind::Float) / counts
                }
            };
            let norms = pooled.norm_scalaropt_dim(2, [1], true).clamp_min(1e-12);
            (pooled / norms).to_device(Device::Cpu)
        })
    }

    pub fn compute_kind(&self) -> Kind {
        self.kind
    }
}

impl TextEncoder for BertTextEncoder {
    fn info(&self) -> &EncoderInfo {
        &self.info
    }

    fn token_ids(&self, texts: &[&str]) -> Result<Vec<Vec<u32>>, EncoderError> {
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| EncoderError::Tokenize(e.to_string()))?;
        Ok(encodings
            .iter()
            .map(|e| {
                e.get_ids()
                    .iter()
                    .zip(e.get_attention_mask())
                    .filter(|&(_, &m)| m == 1)
                    .map(|(&id, _)| id)
                    .collect()
            })
            .collect())
    }

    fn encode(&self, texts: &[&str]) -> Result<Tensor, EncoderError> {
        if texts.is_empty() {
            return Ok(Tensor::zeros(
                [0, self.model.hidden_size()],
                (Kind::Float, Device::Cpu),
            ));
        }
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| EncoderError::Tokenize(e.to_string()))?;
        let width = encodings.first().map_or(0, |e| e.get_ids().len());
        let mut ids = Vec::with_capacity(texts.len() * width);
        let mut mask = Vec::with_capacity(texts.len() * width);
        for encoding in &encodings {
            ids.extend(encoding.get_ids().iter().map(|&id| i64::from(id)));
            mask.extend(encoding.get_attention_mask().iter().map(|&m| i64::from(m)));
        }
        let shape = [
            i64::try_from(texts.len()).unwrap_or_default(),
            i64::try_from(width).unwrap_or_default(),
        ];
        let ids = Tensor::from_slice(&ids).view(shape);
        let mask = Tensor::from_slice(&mask).view(shape);
        Ok(self.encode_ids(&ids, &mask))
    }
}
