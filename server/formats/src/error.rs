use std::path::PathBuf;

/// What went wrong with an import, said so that a person can find and fix it.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{}: {source}", file.display())]
    Io {
        file: PathBuf,
        source: std::io::Error,
    },
    /// `line` counts from 1, the header included.
    #[error("{}:{line}: {reason}", file.display())]
    Invalid {
        file: PathBuf,
        line: usize,
        reason: String,
    },
    /// A record of a binary file (an image of an IDX file, a row of a Parquet file).
    #[error("{}: record {index}: {reason}", file.display())]
    Record {
        file: PathBuf,
        index: usize,
        reason: String,
    },
    /// A problem with a whole binary file (its header, its size, its compression).
    #[error("{}: {reason}", file.display())]
    Format { file: PathBuf, reason: String },
    #[error("cannot find the files of the Python package `{package}`: {reason}")]
    Locate { package: String, reason: String },
    /// Data that passed parsing but contradicts itself (a bug in a caller, not in a file).
    #[error("inconsistent data: {0}")]
    Inconsistent(String),
    /// The caller stopped the import (for example on Ctrl-C); nothing was committed.
    #[error("import aborted: {0}")]
    Aborted(String),
    #[cfg(feature = "db")]
    #[error("database error during import: {0}")]
    Database(#[from] sea_orm::DbErr),
}

impl DataError {
    pub fn invalid(file: impl Into<PathBuf>, line: usize, reason: impl Into<String>) -> Self {
        Self::Invalid {
            file: file.into(),
            line,
            reason: reason.into(),
        }
    }
}
