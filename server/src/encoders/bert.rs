//! The BERT encoder (Devlin et al. 2019) in tch, inference only. Variable paths follow
//! Hugging Face's `BertModel`, so `model.safetensors` loads as is.

use std::path::Path;

use serde::Deserialize;
use tch::nn::{self, Module};
use tch::{Device, Kind, Tensor};

use super::EncoderError;

/// The fields of a Hugging Face `config.json` that the forward pass needs.
#[derive(Clone, Debug, Deserialize)]
pub struct BertConfig {
    pub vocab_size: i64,
    pub hidden_size: i64,
    pub num_hidden_layers: i64,
    pub num_attention_heads: i64,
    pub intermediate_size: i64,
    pub max_position_embeddings: i64,
    pub type_vocab_size: i64,
    pub layer_norm_eps: f64,
    #[serde(default = "gelu")]
    pub hidden_act: String,
}

fn gelu() -> String {
    "gelu".to_owned()
}

impl BertConfig {
    /// # Errors
    /// [`EncoderError::Load`] naming the file.
    pub fn read(path: &Path) -> Result<Self, EncoderError> {
        let load = |reason: String| EncoderError::Load {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| load(e.to_string()))?;
        let config: Self = serde_json::from_str(&text).map_err(|e| load(e.to_string()))?;
        if config.hidden_act != "gelu" {
            return Err(load(format!(
                "hidden_act `{}` is not supported (gelu only)",
                config.hidden_act
            )));
        }
        if config.num_attention_heads <= 0 || config.hidden_size % config.num_attention_heads != 0 {
            return Err(load(
                "hidden_size must be a multiple of num_attention_heads".into(),
            ));
        }
        Ok(config)
    }
}

struct Embeddings {
    word: nn::Embedding,
    position: nn::Embedding,
    token_type: nn::Embedding,
    norm: nn::LayerNorm,
}

struct Layer {
    query: nn::Linear,
    key: nn::Linear,
    value: nn::Linear,
    attention_out: nn::Linear,
    attention_norm: nn::LayerNorm,
    intermediate: nn::Linear,
    output: nn::Linear,
    output_norm: nn::LayerNorm,
}

/// A BERT encoder stack whose weights live in its own `VarStore`.
pub struct Bert {
    config: BertConfig,
    embeddings: Embeddings,
    layers: Vec<Layer>,
    store: nn::VarStore,
}

fn layer_norm(path: nn::Path<'_>, config: &BertConfig) -> nn::LayerNorm {
    let settings = nn::LayerNormConfig {
        eps: config.layer_norm_eps,
        ..Default::default()
    };
    nn::layer_norm(path, vec![config.hidden_size], settings)
}

impl Bert {
    /// Builds the stack on `device` and reads `weights` (safetensors) into it, cast to `kind`.
    ///
    /// # Errors
    /// [`EncoderError::Load`] when a variable is missing or has the wrong shape.
    pub fn load(
        config: BertConfig,
        weights: &Path,
        device: Device,
        kind: Kind,
    ) -> Result<Self, EncoderError> {
        let mut store = nn::VarStore::new(device);
        let root = store.root();
        let (h, linear) = (config.hidden_size, nn::LinearConfig::default());
        let e = &root / "embeddings";
        let embed = nn::EmbeddingConfig::default();
        let embeddings = Embeddings {
            word: nn::embedding(&e / "word_embeddings", config.vocab_size, h, embed),
            position: nn::embedding(
                &e / "position_embeddings",
                config.max_position_embeddings,
                h,
                embed,
            ),
            token_type: nn::embedding(
                &e / "token_type_embeddings",
                config.type_vocab_size,
                h,
                embed,
            ),
            norm: layer_norm(&e / "LayerNorm", &config),
        };
        let layers = (0..config.num_hidden_layers)
            .map(|i| {
                let p = &root / "encoder" / "layer" / i;
                let (attention, inter) = (&p / "attention", config.intermediate_size);
                Layer {
                    query: nn::linear(&attention / "self" / "query", h, h, linear),
                    key: nn::linear(&attention / "self" / "key", h, h, linear),
                    value: nn::linear(&attention / "self" / "value", h, h, linear),
                    attention_out: nn::linear(&attention / "output" / "dense", h, h, linear),
                    attention_norm: layer_norm(&attention / "output" / "LayerNorm", &config),
                    intermediate: nn::linear(&p / "intermediate" / "dense", h, inter, linear),
                    output: nn::linear(&p / "output" / "dense", inter, h, linear),
                    output_norm: layer_norm(&p / "output" / "LayerNorm", &config),
                }
            })
            .collect();
        store.load(weights).map_err(|e| EncoderError::Load {
            path: weights.display().to_string(),
            reason: e.to_string(),
        })?;
        store.freeze();
        if kind != Kind::Float {
            store.set_kind(kind);
        }
        Ok(Self {
            config,
            embeddings,
            layers,
            store,
        })
    }

    pub fn hidden_size(&self) -> i64 {
        self.config.hidden_size
    }

    pub fn device(&self) -> Device {
        self.store.device()
    }

    /// Token states `[B, T, H]` for `ids` `[B, T]` (int64) with `mask` `[B, T]` (1 = token).
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Tensor {
        let (batch, tokens) = ids.size2().unwrap_or((0, 0));
        let positions = Tensor::arange(tokens, (Kind::Int64, ids.device())).unsqueeze(0);
        let e = &self.embeddings;
        let mut x = e.norm.forward(
            &(e.word.forward(ids)
                + e.position.forward(&positions)
                + e.token_type.forward(&ids.zeros_like())),
        );
        // Padding is masked out of every query's attention: [B, 1, 1, T], true = attend.
        let attend = mask.to_kind(Kind::Bool).view([batch, 1, 1, tokens]);
        let heads = self.config.num_attention_heads;
        let head_dim = self.config.hidden_size / heads;
        let split = |t: Tensor| t.view([batch, tokens, heads, head_dim]).transpose(1, 2);
        for layer in &self.layers {
            let q = split(layer.query.forward(&x));
            let k = split(layer.key.forward(&x));
            let v = split(layer.value.forward(&x));
            let context = Tensor::scaled_dot_product_attention(
                &q,
                &k,
                &v,
                Some(&attend),
                0.0,
                false,
                None,
                false,
            )
            .transpose(1, 2)
            .reshape([batch, tokens, self.config.hidden_size]);
            x = layer
                .attention_norm
                .forward(&(layer.attention_out.forward(&context) + &x));
            let inner = layer.intermediate.forward(&x).gelu("none");
            x = layer
                .output_norm
                .forward(&(layer.output.forward(&inner) + &x));
        }
        x
    }
}
