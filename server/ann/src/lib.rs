//! An in-memory IVF-Flat index over unit vectors, scored by inner product: spherical k-means
//! splits the vectors into lists, a query scans the lists of its `probes` nearest centroids.
//! Each list's vectors are stored contiguously, so a scan reads memory in order. Exact search
//! over the same vectors is the reference that recall is measured against.
//!
//! A crate of its own so that its kernels are optimised even in the debug builds that the
//! server, the tests and the demo run (see the workspace's `profile.dev.package.ann`). For the
//! same reason the searches take their filter as `&dyn Fn`, not a generic: a generic function
//! is compiled in the crate that calls it, at that crate's optimisation level.
//!
//! Module map:
//! - `exact`      brute-force top-k, and the inner-product kernel
//! - `ivf`        the IVF-Flat index: training, filing, probing
//! - `topk`       the bounded heap both searches keep their best hits in
//! - `rng`        a seedable generator for sampling (SplitMix64)
//! - `synthetic`  clustered unit vectors, for tests and the benchmark

mod exact;
mod ivf;
mod rng;
pub mod synthetic;
mod topk;

pub use exact::{dot, exact_search};
pub use ivf::{IvfIndex, IvfParams};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AnnError {
    #[error("{vectors} values are not a whole number of {dim}-d vectors for {ids} ids")]
    Shape {
        ids: usize,
        vectors: usize,
        dim: usize,
    },
    #[error("vector of id {0} is not finite")]
    NotFinite(i64),
    #[error("nothing to index")]
    Empty,
}

/// One result: an id and its inner product with the query.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hit {
    pub id: i64,
    pub score: f32,
}

#[cfg(test)]
mod tests;
