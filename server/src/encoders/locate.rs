//! Where an encoder's weights are, and the version stamped on its vectors: a configured path
//! (versioned by a digest of the weights), or the venv (versioned by the package).

use std::path::{Path, PathBuf};

use super::EncoderError;
use crate::config::{ImageEncoderSettings, TextEncoderSettings};
use crate::data::locate;

/// The model folder of the text encoder.
///
/// # Errors
/// [`EncoderError::Locate`] when neither the path nor the package is there.
pub fn text_encoder_dir(
    settings: &TextEncoderSettings,
    python: &Path,
) -> Result<PathBuf, EncoderError> {
    let err = |reason: String| EncoderError::Locate {
        what: "text",
        reason,
    };
    let dir = match (&settings.path, &settings.package) {
        (Some(path), _) => path.clone(),
        (None, Some(package)) => locate::package_dir(python, package)
            .map_err(|e| err(e.to_string()))?
            .join("model"),
        (None, None) => return Err(err("set encoders.text.path or .package".into())),
    };
    if dir.join("config.json").is_file() {
        Ok(dir)
    } else {
        Err(err(format!("{} holds no config.json", dir.display())))
    }
}

/// The TorchScript file of the image encoder.
///
/// # Errors
/// [`EncoderError::Locate`] when the file is absent (setup exports the default one).
pub fn image_encoder_path(
    settings: &ImageEncoderSettings,
    python: &Path,
) -> Result<PathBuf, EncoderError> {
    let path = match &settings.path {
        Some(path) => path.clone(),
        None => locate::venv_prefix(python)
            .map_err(|e| EncoderError::Locate {
                what: "image",
                reason: e.to_string(),
            })?
            .join("share/vitrine/models")
            .join(format!("{}.pt", settings.name.replace('-', "_"))),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(EncoderError::Locate {
            what: "image",
            reason: format!("{} is missing; run scripts/setup.sh venv", path.display()),
        })
    }
}

/// The package version for a packaged model, else a digest of `model.safetensors`.
pub(super) fn text_version(settings: &TextEncoderSettings, dir: &Path) -> String {
    let packaged = settings.path.is_none();
    let version = settings
        .package
        .as_deref()
        .filter(|_| packaged)
        .and_then(|package| dist_info_version(dir.parent()?, package));
    version.unwrap_or_else(|| file_digest(&dir.join("model.safetensors")))
}

/// The `version` that export wrote beside the file, else a digest of the file.
pub(super) fn image_version(path: &Path) -> String {
    let mut meta = path.as_os_str().to_owned();
    meta.push(".json");
    std::fs::read_to_string(PathBuf::from(meta))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|meta| meta.get("version")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| file_digest(path))
}

/// The version in the `<package>-<version>.dist-info` folder beside the package folder.
fn dist_info_version(package_dir: &Path, package: &str) -> Option<String> {
    let site = package_dir.parent()?;
    let prefix = format!("{}-", package.replace('-', "_"));
    std::fs::read_dir(site).ok()?.flatten().find_map(|entry| {
        let name = entry.file_name().into_string().ok()?;
        let version = name.strip_prefix(&prefix)?.strip_suffix(".dist-info")?;
        Some(format!("{package} {version}"))
    })
}

/// FNV-1a of the file's bytes (read once, when the encoder loads), or "unknown".
fn file_digest(path: &Path) -> String {
    std::fs::read(path).map_or_else(
        |_| "unknown".to_owned(),
        |bytes| format!("fnv1a:{}", crate::data::fashion::content_hash(&bytes)),
    )
}
