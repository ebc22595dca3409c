//! SeaORM entities, one module per table of the core schema (`migrations`). These are storage
//! types: they never cross the wire; `app::wire` types are built from them.

pub mod catalogue;
pub mod interaction;
pub mod item;
pub mod item_image;
pub mod user;
