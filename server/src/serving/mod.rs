//! Serving: what answers a request from memory (groundwork for the feed and "more like this").
//!
//! - `ann`  an in-memory IVF-Flat index over unit vectors, and exact search to check it

pub mod ann;
