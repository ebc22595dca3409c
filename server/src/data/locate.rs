//! Finds the data files that Python packages in the project's venv carry. The
//! package is located, not imported: `recbole` is installed without its dependencies.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::DataError;

/// The folder of the installed Python package `package`, as `python` resolves it.
///
/// # Errors
/// [`DataError::Locate`] when the interpreter cannot run or the package is not installed.
pub fn package_dir(python: &Path, package: &'static str) -> Result<PathBuf, DataError> {
    const SCRIPT: &str = "import importlib.util, os, sys\n\
        spec = importlib.util.find_spec(sys.argv[1])\n\
        sys.exit(f'{sys.argv[1]} is not installed') if spec is None else print(os.path.dirname(spec.origin))";
    let output = Command::new(python)
        .args(["-c", SCRIPT, package])
        .output()
        .map_err(|e| DataError::Locate {
            package,
            reason: format!(
                "cannot run {} ({e}); run scripts/setup.sh venv",
                python.display()
            ),
        })?;
    if !output.status.success() {
        return Err(DataError::Locate {
            package,
            reason: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(DataError::Locate {
            package,
            reason: format!("{} is not a folder", dir.display()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_package_is_a_clear_error() {
        let error = package_dir(Path::new("python3"), "no_such_package_vitrine")
            .expect_err("not installed")
            .to_string();
        assert!(
            error.contains("no_such_package_vitrine is not installed"),
            "{error}"
        );
        let error = package_dir(Path::new("/nonexistent/python"), "json").expect_err("no python");
        assert!(error.to_string().contains("scripts/setup.sh venv"));
    }

    #[test]
    fn a_standard_package_is_found() {
        let dir = package_dir(Path::new("python3"), "json").expect("json is in the stdlib");
        assert!(dir.join("__init__.py").exists());
    }
}
