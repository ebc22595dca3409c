//! Getting data in: the importers of real datasets and (to come) the synthetic generator.
//!
//! - `error`      `DataError`: every failure names the file and, where there is one, the line
//! - `tsv`        typed-header TSV (the atomic-file format of MovieLens in `recbole`)
//! - `locate`     finds the files that the venv's data packages carry
//! - `movielens`  MovieLens-100K: users, items, ratings, all or nothing
//!
//! Parsing is separate from loading: a file is read and validated completely before anything
//! is written, and loading happens in one transaction.

pub mod error;
pub mod locate;
pub mod movielens;
pub mod tsv;

pub use error::DataError;
