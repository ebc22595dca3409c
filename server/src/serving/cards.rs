//! Item cards: what a feed or "more like this" shows of each entry, with its sponsorship.

use app::wire::{FeedItem, Sponsorship};

use super::rerank::Entry;
use super::snapshot::Snapshot;
use crate::db::items::ItemCard;

/// The response items for `entries`; `sponsor` dresses a sponsored entry's slot (its token).
pub(super) fn cards(
    snapshot: &Snapshot,
    entries: &[Entry],
    sponsor: &dyn Fn(i64, i32, i32) -> Sponsorship,
) -> Vec<FeedItem> {
    entries
        .iter()
        .map(|e| {
            let card = &snapshot.cards[e.row as usize];
            let sponsored = e
                .sponsored
                .map(|(campaign_id, creative_id)| sponsor(card.id, campaign_id, creative_id));
            feed_item(card, e.score, sponsored)
        })
        .collect()
}

/// For lists that hold no sponsored entries ("more like this").
pub(super) fn unsponsored(_: i64, campaign_id: i32, creative_id: i32) -> Sponsorship {
    Sponsorship {
        campaign_id,
        creative_id,
        impression_token: String::new(),
    }
}

/// What a feed shows of an item.
pub(super) fn feed_item(card: &ItemCard, score: f32, sponsored: Option<Sponsorship>) -> FeedItem {
    FeedItem {
        item_id: card.id,
        external_id: card.external_id.clone(),
        title: card.title.clone(),
        category: card.category.clone(),
        image_url: card
            .has_picture
            .then(|| format!("/media/items/{}/image", card.id)),
        score,
        sponsored,
    }
}
