//! The catalogue API (`/api/v1/catalogue`): new items with their picture and text, retiring
//! items, and new users, in batches, with a catalogue key.

use serde::{Deserialize, Serialize};

/// The most items or users one request may hold.
pub const MAX_CATALOGUE_BATCH: usize = 1000;
/// The largest picture accepted, decoded from base64.
pub const MAX_ITEM_PICTURE_BYTES: usize = 8 * 1024 * 1024;

/// One new item: a title and a category, and text or a picture (or both).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    /// Unique in the catalogue, 1 to 128 printable characters.
    pub external_id: String,
    pub title: String,
    pub category: String,
    /// The item's description, encoded with the title by the text encoder.
    pub text: Option<String>,
    /// A PNG or JPEG picture, base64.
    pub image_base64: Option<String>,
}

/// `POST /api/v1/catalogue/items`: all are added, or none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewItems {
    pub items: Vec<NewItem>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AddedItem {
    pub external_id: String,
    pub item_id: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ItemsAdded {
    pub items: Vec<AddedItem>,
    /// The items are filed into the served snapshot within this many seconds, plus the time
    /// to encode them (about 1 s per 60 items with pictures on two CPU cores).
    pub served_within_secs: f64,
}

/// `POST /api/v1/catalogue/items/retire`: items leave the feed at once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RetireItems {
    pub external_ids: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ItemsRetired {
    pub retired: usize,
}

/// `POST /api/v1/catalogue/users`: new feed users, who start on the cold-start feed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUsers {
    pub user_ids: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UsersAdded {
    pub created: usize,
}
