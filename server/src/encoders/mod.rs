//! The pretrained encoders of the content tower, on tch: text (a native BERT reading safetensors)
//! and image (TorchScript). Both sit behind traits, chosen in `configs/model.yaml`.
//!
//! - `bert`       the BERT architecture in tch, loading a Hugging Face `model.safetensors`
//! - `text`       tokenisation (the `tokenizers` crate), pooling and normalisation around `bert`
//! - `preprocess` pictures to normalised tensors with the `image` crate
//! - `image`      a TorchScript image encoder (EfficientNet-lite0 by default)
//! - `quality`    neighbour-class agreement, the measure of an image encoder's setting
//! - `locate`     where the weights are: a configured path, or the venv's packages
//!
//! An encoder is `Send` but not `Sync` (tch tensors), so one thread owns it: the extraction
//! worker, or a blocking task. Inputs and outputs are CPU `f32`; the device is internal.

mod bert;
mod image;
mod locate;
pub mod preprocess;
mod quality;
mod text;

use tch::{Device, Kind, Tensor};

use crate::config::{EncoderSettings, Precision};

pub use self::bert::{Bert, BertConfig};
pub use self::image::TorchScriptImageEncoder;
pub use self::locate::{image_encoder_path, text_encoder_dir};
pub use self::quality::neighbour_agreement;
pub use self::text::BertTextEncoder;

#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    #[error("cannot find the {what} encoder's weights: {reason}")]
    Locate { what: &'static str, reason: String },
    #[error("cannot load {path}: {reason}")]
    Load { path: String, reason: String },
    #[error("tokenizer: {0}")]
    Tokenize(String),
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
    #[error("expected {expected}, got {got}")]
    Shape { expected: String, got: String },
}

/// What made a vector: recorded beside it, so that vectors of two encoders never mix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncoderInfo {
    pub name: String,
    /// The package version, or a digest of the weights file.
    pub version: String,
    pub dim: usize,
}

impl EncoderInfo {
    /// `name@version`, the stamp stored with each vector.
    pub fn stamp(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

/// Texts to L2-normalised vectors.
pub trait TextEncoder: Send {
    fn info(&self) -> &EncoderInfo;
    /// Token ids for `texts` after truncation, as the model sees them (for tests and lengths).
    ///
    /// # Errors
    /// [`EncoderError::Tokenize`].
    fn token_ids(&self, texts: &[&str]) -> Result<Vec<Vec<u32>>, EncoderError>;
    /// `[texts.len(), dim]`, CPU `f32`.
    ///
    /// # Errors
    /// [`EncoderError`] from the tokenizer or libtorch.
    fn encode(&self, texts: &[&str]) -> Result<Tensor, EncoderError>;
}

/// Normalised picture batches to pooled feature vectors.
pub trait ImageEncoder: Send {
    fn info(&self) -> &EncoderInfo;
    /// The square input side that [`preprocess::to_tensor`] should produce.
    fn resolution(&self) -> u32;
    /// `[N, 3, R, R]` CPU `f32` in, `[N, dim]` CPU `f32` out.
    ///
    /// # Errors
    /// [`EncoderError`] from libtorch, or a batch of the wrong shape.
    fn encode(&self, batch: &Tensor) -> Result<Tensor, EncoderError>;
}

/// The encoders that `settings` names, loaded onto `device`.
///
/// # Errors
/// [`EncoderError`] when weights cannot be found or loaded.
pub fn load(
    settings: &EncoderSettings,
    python: &std::path::Path,
    device: Device,
    precision: Precision,
) -> Result<(BertTextEncoder, TorchScriptImageEncoder), EncoderError> {
    let kind = compute_kind(device, precision);
    let text = BertTextEncoder::load(
        &settings.text,
        &text_encoder_dir(&settings.text, python)?,
        device,
        kind,
    )?;
    let image = TorchScriptImageEncoder::load(
        &settings.image,
        &image_encoder_path(&settings.image, python)?,
        device,
        kind,
    )?;
    Ok((text, image))
}

/// The number type inference runs in on `device`.
pub fn compute_kind(device: Device, precision: Precision) -> Kind {
    match precision {
        Precision::F32 => Kind::Float,
        Precision::Bf16 => Kind::BFloat16,
        Precision::Auto if device.is_cuda() => Kind::BFloat16,
        Precision::Auto => Kind::Float,
    }
}

/// Row-major copy of a `[N, D]` tensor, cast to CPU `f32`.
///
/// # Errors
/// [`EncoderError::Shape`] when the tensor is not 2-d.
pub fn to_rows(tensor: &Tensor) -> Result<(usize, usize, Vec<f32>), EncoderError> {
    let size = tensor.size();
    let [rows, cols] = size[..] else {
        return Err(EncoderError::Shape {
            expected: "a 2-d tensor".into(),
            got: format!("{size:?}"),
        });
    };
    let flat = tensor
        .to_device(Device::Cpu)
        .to_kind(Kind::Float)
        .contiguous()
        .view([-1]);
    let values = Vec::<f32>::try_from(&flat)?;
    Ok((
        usize::try_from(rows).unwrap_or_default(),
        usize::try_from(cols).unwrap_or_default(),
        values,
    ))
}
