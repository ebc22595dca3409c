//! Reusable view pieces.

pub mod nav;
pub mod states;
