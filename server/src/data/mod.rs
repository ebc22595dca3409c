//! Getting data in: the importers of real datasets and the seeded synthetic generator.
//!
//! - `error`      `DataError`: every failure names the file and, where there is one, the line
//! - `tsv`        typed-header TSV (the atomic-file format of MovieLens in `recbole`)
//! - `locate`     finds the files that the venv's data packages carry
//! - `load`       what every importer shares: catalogue replacement, id maps, progress
//! - `movielens`  MovieLens-100K: users, items, ratings, all or nothing
//! - `idx`        gzip-compressed IDX files (Fashion-MNIST images and labels)
//! - `rng`        the seedable, portable random generator every simulation uses
//! - `reviews`    the Women's Clothing E-Commerce Reviews Parquet file
//! - `fashion`    the demo catalogue: real images and real review text, paired by seed
//!   (`fashion_text` holds the class-to-review mapping and the shoe and bag templates)
//! - `variants`   transformed variants of real items, for the scale size
//! - `generate`   the seeded synthetic world (users, behaviour, advertising) and its truth
//!
//! Parsing is separate from loading: a file is read and validated completely before anything
//! is written, and loading happens in one transaction.

pub mod error;
pub mod fashion;
mod fashion_text;
pub mod generate;
pub mod idx;
pub mod load;
pub mod locate;
pub mod movielens;
pub mod reviews;
pub mod rng;
pub mod tsv;
pub mod variants;

pub use error::DataError;
