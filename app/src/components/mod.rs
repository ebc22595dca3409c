//! Reusable view pieces.

pub mod chart;
pub mod detail;
pub mod dwell;
pub mod feed_card;
pub mod format;
pub mod nav;
pub mod states;
