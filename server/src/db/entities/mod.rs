//! SeaORM entities, one module per table of the core schema (`migrations`). These are storage
//! types: they never cross the wire; `app::wire` types are built from them.

pub mod account;
pub mod advertiser;
pub mod api_key;
pub mod campaign;
pub mod campaign_daily_stat;
pub mod catalogue;
pub mod causal_study;
pub mod creative;
pub mod event;
pub mod experiment;
pub mod experiment_assignment;
pub mod interaction;
pub mod item;
pub mod item_image;
pub mod session;
pub mod user;
