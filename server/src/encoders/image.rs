//! A TorchScript image encoder. The default, EfficientNet-lite0 returning its globally pooled
//! 1280-d head features, is traced from the packaged weights by `scripts/encoders.py export`.

use std::path::Path;

use tch::{CModule, Device, Kind, Tensor};

use super::{EncoderError, EncoderInfo, ImageEncoder};
use crate::config::ImageEncoderSettings;

pub struct TorchScriptImageEncoder {
    module: CModule,
    device: Device,
    kind: Kind,
    resolution: u32,
    info: EncoderInfo,
}

impl TorchScriptImageEncoder {
    /// # Errors
    /// [`EncoderError::Load`] when the file is missing or not TorchScript.
    pub fn load(
        settings: &ImageEncoderSettings,
        path: &Path,
        device: Device,
        kind: Kind,
    ) -> Result<Self, EncoderError> {
        let mut module = CModule::load_on_device(path, device).map_err(|e| EncoderError::Load {
            path: path.display().to_string(),
            reason: first_line(&e.to_string()),
        })?;
        module.set_eval();
        if kind != Kind::Float {
            module.to(device, kind, false);
        }
        Ok(Self {
            module,
            device,
            kind,
            resolution: settings.resolution,
            info: EncoderInfo {
                name: settings.name.clone(),
                version: super::locate::image_version(path),
                dim: settings.dim,
            },
        })
    }
}

impl TorchScriptImageEncoder {
    /// The traced network pools globally, so one module serves any input side.
    pub fn set_resolution(&mut self, resolution: u32) {
        self.resolution = resolution;
    }
}

/// libtorch's messages carry a C++ backtrace after the first line.
fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or_default().to_owned()
}

impl ImageEncoder for TorchScriptImageEncoder {
    fn info(&self) -> &EncoderInfo {
        &self.info
    }

    fn resolution(&self) -> u32 {
        self.resolution
    }

    fn encode(&self, batch: &Tensor) -> Result<Tensor, EncoderError> {
        let size = batch.size();
        if size.len() != 4 || size[1] != 3 {
            return Err(EncoderError::Shape {
                expected: "[N, 3, H, W]".into(),
                got: format!("{size:?}"),
            });
        }
        if size[0] == 0 {
            let dim = i64::try_from(self.info.dim).unwrap_or_default();
            return Ok(Tensor::zeros([0, dim], (Kind::Float, Device::Cpu)));
        }
        let mut input = batch.to_device(self.device).to_kind(self.kind);
        if self.device.is_cuda() {
            // Convolutions run fastest on NHWC on tensor cores: an NCHW view of NHWC memory.
            input = input
                .permute([0, 2, 3, 1])
                .contiguous()
                .permute([0, 3, 1, 2]);
        }
        let output = tch::no_grad(|| self.module.forward_ts(&[input]))
            .map_err(|e| EncoderError::Torch(tch::TchError::Torch(first_line(&e.to_string()))))?;
        let got = output.size();
        if got.len() != 2 || usize::try_from(got[1]).ok() != Some(self.info.dim) {
            return Err(EncoderError::Shape {
                expected: format!("[N, {}] from {}", self.info.dim, self.info.name),
                got: format!("{got:?}"),
            });
        }
        Ok(output.to_kind(Kind::Float).to_device(Device::Cpu))
    }
}
