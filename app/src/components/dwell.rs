//! Dwell: how long a person looks at an item. On the feed (and the cards of "more like this"),
//! the time each card is at least half visible, measured by an `IntersectionObserver`; on
//! "more like this", also the time spent on the page of its item. Seconds add up per item
//! while the page is visible, and go out in batches as `dwell` events: every
//! [`FLUSH_SECONDS`] while something was counted, when the cards leave the page, and at once
//! when the page is hidden (`visibilitychange`, `pagehide`), by `navigator.sendBeacon`, which
//! survives the page closing. Without JavaScript nothing is measured or sent.

use crate::wire::{EventBatch, FeedEvent, FeedEventKind, MAX_DWELL_SECONDS};

/// Where the browser posts its beacons (a plain-text JSON body, as `sendBeacon` sends).
pub const BEACON_PATH: &str = "/beacon/dwell";
/// How often counted seconds go out while the page stays open.
pub const FLUSH_SECONDS: u32 = 15;
/// Shorter glances than this are not dwell (a card scrolled past).
pub const MIN_SECONDS: f64 = 0.5;

/// The batch for seconds counted per item (`(item_id, seconds)`): one `dwell` event per item
/// with a fresh key, seconds rounded to tenths and capped at [`MAX_DWELL_SECONDS`]; glances
/// under [`MIN_SECONDS`] are dropped.
pub fn batch(user_id: &str, counted: &[(i64, f64)], key: impl Fn(i64) -> String) -> EventBatch {
    let events = counted
        .iter()
        .filter(|(_, seconds)| seconds.is_finite() && *seconds >= MIN_SECONDS)
        .map(|&(item_id, seconds)| FeedEvent {
            kind: FeedEventKind::Dwell,
            user_id: user_id.to_owned(),
            item_id,
            campaign_id: None,
            creative_id: None,
            revenue: None,
            seconds: Some(((seconds * 10.0).round() / 10.0).min(MAX_DWELL_SECONDS)),
            occurred_at: None,
            idempotency_key: key(item_id),
            segment: None,
            geo: None,
            model_version: None,
            impression_token: None,
        })
        .collect();
    EventBatch { events }
}

/// Starts (or continues) counting the visible cards of the page for `user_id`; call it after
/// the cards are rendered, and again when more are added.
pub fn watch_cards(user_id: &str) {
    #[cfg(feature = "hydrate")]
    browser::watch_cards(user_id);
    #[cfg(not(feature = "hydrate"))]
    let _ = user_id;
}

/// Counts the time on the page of `item_id` (the "more like this" view) until
/// [`stop_item`].
pub fn watch_item(user_id: &str, item_id: i64) {
    #[cfg(feature = "hydrate")]
    browser::watch_item(user_id, item_id);
    #[cfg(not(feature = "hydrate"))]
    let _ = (user_id, item_id);
}

/// Stops counting the item's page and the cards (the page is being left), and sends what was
/// counted.
pub fn stop() {
    #[cfg(feature = "hydrate")]
    browser::stop();
}

#[cfg(feature = "hydrate")]
#[path = "dwell_browser.rs"]
mod browser;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_drops_glances_rounds_and_caps() {
        let b = batch(
            "u",
            &[(1, 0.2), (2, 12.345), (3, 5_000.0), (4, f64::NAN)],
            |i| format!("k{i}"),
        );
        let got: Vec<(i64, Option<f64>, &str)> = b
            .events
            .iter()
            .map(|e| (e.item_id, e.seconds, e.idempotency_key.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![(2, Some(12.3), "k2"), (3, Some(MAX_DWELL_SECONDS), "k3")]
        );
        assert!(b.events.iter().all(|e| e.kind == FeedEventKind::Dwell));
        b.validate().expect("a beacon's batch is valid");
    }
}
