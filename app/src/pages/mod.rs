//! One module per route (`system_model` is the System page's model half).

pub mod campaign;
pub mod campaigns;
pub mod experiment;
pub mod experiments;
pub mod feed;
pub mod login;
pub mod not_found;
pub mod similar;
pub mod studies;
pub mod study;
pub mod system;
pub mod system_model;
