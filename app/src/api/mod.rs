//! Server functions, one small family per module. Each takes its service from context, calls
//! one method and returns a wire type.

pub mod analytics;
pub mod feed;
pub mod system;
