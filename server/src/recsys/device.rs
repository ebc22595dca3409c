//! Which libtorch is loaded, what accelerators it sees, and the device to run on.

use std::path::{Path, PathBuf};

use tch::{Cuda, Device};

use crate::config::DeviceChoice;

/// libtorch's `lib` folder as the build saw it (build.rs), for when the loaded one is unknown.
const BUILD_LIBTORCH_LIB: &str = env!("VITRINE_LIBTORCH_LIB");

#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("`torch.device` is `cuda` but libtorch sees no CUDA device")]
    CudaUnavailable,
}

/// Facts about the loaded libtorch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TorchInfo {
    pub version: String,
    pub library_dir: PathBuf,
    pub cuda_available: bool,
    pub cuda_devices: i64,
    pub cudnn_available: bool,
}

impl TorchInfo {
    /// Asks libtorch. Cheap after the first call.
    pub fn detect() -> Self {
        let cuda_available = Cuda::is_available();
        let library_dir = loaded_library_dir().unwrap_or_else(|| PathBuf::from(BUILD_LIBTORCH_LIB));
        let version = version_in(&library_dir)
            .or_else(|| version_in(Path::new(BUILD_LIBTORCH_LIB)))
            .unwrap_or_else(|| "unknown".to_owned());
        Self {
            version,
            library_dir,
            cuda_available,
            cuda_devices: Cuda::device_count(),
            cudnn_available: Cuda::cudnn_is_available(),
        }
    }
}

/// Resolves `auto` to CUDA device 0 when one is visible, else the CPU.
///
/// # Errors
/// [`DeviceError::CudaUnavailable`] when CUDA is demanded but absent.
pub fn resolve_device(choice: DeviceChoice) -> Result<Device, DeviceError> {
    match choice {
        DeviceChoice::Cpu => Ok(Device::Cpu),
        DeviceChoice::Auto => Ok(Device::cuda_if_available()),
        DeviceChoice::Cuda if Cuda::is_available() => Ok(Device::Cuda(0)),
        DeviceChoice::Cuda => Err(DeviceError::CudaUnavailable),
    }
}

pub fn device_name(device: Device) -> String {
    match device {
        Device::Cpu => "cpu".to_owned(),
        Device::Cuda(index) => format!("cuda:{index}"),
        other => format!("{other:?}").to_lowercase(),
    }
}

/// The folder that the running process loaded `libtorch_cpu.so` from (RUNPATH, or
/// `LD_LIBRARY_PATH` where that is set on a GPU host).
fn loaded_library_dir() -> Option<PathBuf> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .find(|path| path.ends_with("/libtorch_cpu.so"))
        .and_then(|path| Path::new(path).parent().map(Path::to_path_buf))
}

/// The version a PyPI wheel (`../version.py`) or a libtorch archive (`../build-version`)
/// records beside its `lib` folder, without any local suffix such as `+cu130`.
fn version_in(library_dir: &Path) -> Option<String> {
    let root = library_dir.parent()?;
    let raw = std::fs::read_to_string(root.join("version.py"))
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| {
                l.strip_prefix("__version__ = ")
                    .map(|v| v.trim_matches(['\'', '"']).to_owned())
            })
        })
        .or_else(|| std::fs::read_to_string(root.join("build-version")).ok())?;
    Some(raw.trim().split('+').next().unwrap_or_default().to_owned())
}

#[cfg(test)]
mod tests {
    use tch::{Kind, Tensor};

    use super::*;

    /// Runs with no `LD_LIBRARY_PATH`: the rpath that build.rs emits finds libtorch.
    #[test]
    fn a_tensor_operation_runs_on_the_linked_libtorch() {
        let a = Tensor::from_slice(&[1.0f32, 2.0, 3.0, 4.0]).reshape([2, 2]);
        let product = a.matmul(&a.transpose(0, 1));
        let values: Vec<f32> = product.flatten(0, 1).try_into().expect("f32 tensor");
        assert_eq!(values, vec![5.0, 11.0, 11.0, 25.0]);
        assert_eq!(product.kind(), Kind::Float);
    }

    #[test]
    fn the_loaded_libtorch_is_2_11() {
        let info = TorchInfo::detect();
        assert!(
            info.version.starts_with("2.11"),
            "libtorch {}",
            info.version
        );
        assert!(
            info.library_dir.join("libtorch_cpu.so").exists(),
            "{:?}",
            info.library_dir
        );
        assert_eq!(info.cuda_available, info.cuda_devices > 0);
    }

    #[test]
    fn cpu_is_always_a_valid_choice() {
        assert_eq!(resolve_device(DeviceChoice::Cpu).expect("cpu"), Device::Cpu);
        let auto = resolve_device(DeviceChoice::Auto).expect("auto");
        assert_eq!(auto.is_cuda(), Cuda::is_available());
    }
}
