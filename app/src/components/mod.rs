//! Reusable view pieces.

pub mod format;
pub mod nav;
pub mod states;
