//! One module per route.

pub mod campaign;
pub mod campaigns;
pub mod experiments;
pub mod feed;
pub mod login;
pub mod not_found;
pub mod studies;
pub mod system;
