//! Getting data in: the importers of real datasets and the seeded synthetic generator.
//!
//! - `DataError`, `tsv`, `idx`, `reviews`: re-exported from the `formats` crate (the parsers)
//! - `locate`     finds the files that the venv's data packages carry
//! - `load`       what every importer shares: catalogue replacement, id maps, progress
//! - `movielens`  MovieLens-100K (parsed by `formats::movielens`): loaded all or nothing
//! - `rng`        the seedable, portable random generator every simulation uses
//! - `fashion`    the demo catalogue: real images and real review text, paired by seed
//!   (`fashion_text` holds the class-to-review mapping and the shoe and bag templates)
//! - `variants`   transformed variants of real items, for the scale size
//! - `generate`   the seeded synthetic world (users, behaviour, advertising) and its truth
//!
//! Parsing is separate from loading: a file is read and validated completely before anything
//! is written, and loading happens in one transaction.

pub mod fashion;
pub mod fashion_text;
pub mod generate;
pub mod load;
pub mod locate;
pub mod movielens;
pub mod rng;
pub mod variants;

// The parsers live in the `formats` crate, so that fuzz targets link them without the rest.
pub use formats::{DataError, idx, reviews, tsv};
