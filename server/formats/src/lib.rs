//! The parsers of the files Vitrine imports, apart from everything that stores them: they
//! link without SQL, LanceDB or libtorch, so that fuzz targets (`server/fuzz`) can run them.
//!
//! Module map:
//! - `error`      `DataError`: every failure names the file and, where there is one, the line
//! - `tsv`        typed-header TSV (the atomic-file format of MovieLens in `recbole`)
//! - `movielens`  MovieLens-100K's three files, parsed and cross-checked
//! - `idx`        gzip-compressed IDX files (Fashion-MNIST images and labels)
//! - `reviews`    the Women's Clothing E-Commerce Reviews Parquet file
//!
//! Every parser has a form that takes bytes already in memory (what a fuzz target feeds it)
//! beside the one that reads a path; both check the same things.

pub mod error;
pub mod idx;
pub mod movielens;
pub mod reviews;
pub mod tsv;

pub use error::DataError;
