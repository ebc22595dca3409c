//! An item card of the feed and of "more like this", and the events the browser logs about it:
//! an impression when a page of cards is shown, a click when one is opened, a save. They go
//! through the events service with an idempotency key each, so a retry is counted once.
//! Without JavaScript the cards still link and save (a plain form), and nothing is logged
//! that a person did not do.

use leptos::prelude::*;

use crate::api::feed::log_feed_events;
use crate::wire::{EventBatch, FeedEvent, FeedEventKind, FeedItem};

/// A key no other event has: the time and a random draw (the browser's).
pub fn unique_key(kind: FeedEventKind, item_id: i64) -> String {
    #[cfg(feature = "hydrate")]
    let salt = format!(
        "{:x}-{:x}",
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
    );
    #[cfg(not(feature = "hydrate"))]
    let salt = {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        format!("server-{}", NEXT.fetch_add(1, Ordering::Relaxed))
    };
    format!("{}:{item_id}:{salt}", kind.as_str())
}

pub fn event(kind: FeedEventKind, user_id: &str, item: &FeedItem, key: String) -> FeedEvent {
    FeedEvent {
        kind,
        user_id: user_id.to_owned(),
        item_id: item.item_id,
        campaign_id: item.sponsored.as_ref().map(|s| s.campaign_id),
        creative_id: item.sponsored.as_ref().map(|s| s.creative_id),
        revenue: None,
        seconds: None,
        occurred_at: None,
        idempotency_key: key,
        segment: None,
        geo: None,
        model_version: None,
        impression_token: item.sponsored.as_ref().map(|s| s.impression_token.clone()),
    }
}

/// Sends events in the background. A refusal (a visitor the catalogue does not know yet) is
/// not the visitor's problem, so it is dropped rather than shown.
pub fn send(events: Vec<FeedEvent>) {
    if events.is_empty() {
        return;
    }
    leptos::task::spawn_local(async move {
        let _ = log_feed_events(EventBatch { events }).await;
    });
}

/// The key of a save: one per user and item, so saving twice is one save (the form's too).
pub fn save_key(user_id: &str, item_id: i64) -> String {
    format!("save:{user_id}:{item_id}")
}

#[component]
pub fn FeedCard(
    item: FeedItem,
    #[prop(into)] user_id: String,
    #[prop(into)] back: String,
) -> impl IntoView {
    let user_q = format!("user={}", urlencode(&user_id));
    let open = format!("/similar?item={}&{user_q}", item.item_id);
    let filter = format!("/?{user_q}&category={}", urlencode(&item.category));
    let saved = RwSignal::new(false);
    let (for_click, for_save) = (item.clone(), item.clone());
    let (click_user, save_user) = (user_id.clone(), user_id.clone());
    let on_open = move |_| {
        let key = unique_key(FeedEventKind::Click, for_click.item_id);
        send(vec![event(
            FeedEventKind::Click,
            &click_user,
            &for_click,
            key,
        )]);
    };
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let key = save_key(&save_user, for_save.item_id);
        send(vec![event(FeedEventKind::Save, &save_user, &for_save, key)]);
        saved.set(true);
    };
    let picture = match item.image_url.clone() {
        Some(src) => view! { <img src=src alt="" loading="lazy" width="240" height="240" /> }.into_any(),
        None => view! { <span class="card-placeholder" aria-hidden="true">{item.title.chars().next().unwrap_or('·').to_string()}</span> }.into_any(),
    };
    let badge = item
        .sponsored
        .as_ref()
        .map(|_| view! { <span class="badge">"Sponsored"</span> });
    view! {
        <li class="feed-card" data-item=item.item_id.to_string()>
            <a class="card-media" href=open.clone() on:click=on_open.clone() tabindex="-1" aria-hidden="true">{picture}</a>
            <div class="card-body">
                <a class="feed-title" href=open.clone() on:click=on_open.clone()>{item.title.clone()}</a>
                <div class="card-meta">
                    <a class="chip" href=filter title=format!("Only {}", item.category)>{item.category.clone()}</a>
                    {badge}
                </div>
                <div class="card-actions">
                    <a class="button button-quiet" href=open on:click=on_open>"More like this"</a>
                    <form method="post" action="/forms/save" on:submit=on_save>
                        <input type="hidden" name="user_id" value=user_id.clone() />
                        <input type="hidden" name="item_id" value=item.item_id.to_string() />
                        <input type="hidden" name="back" value=back />
                        <button class="button button-quiet" type="submit" aria-pressed=move || saved.get().to_string()>
                            {move || if saved.get() { "Saved ✓" } else { "Save" }}
                        </button>
                    </form>
                </div>
            </div>
        </li>
    }
    .into_any()
}

/// A query value, percent-encoded (user ids and categories may hold spaces or `&`).
pub fn urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded_and_keys_differ() {
        assert_eq!(urlencode("Tops & Tees"), "Tops%20%26%20Tees");
        assert_eq!(urlencode("gen-0000001"), "gen-0000001");
        assert_eq!(urlencode("é"), "%C3%A9");
        let a = unique_key(FeedEventKind::Impression, 7);
        let b = unique_key(FeedEventKind::Impression, 7);
        assert_ne!(a, b);
        assert!(a.starts_with("impression:7:"), "{a}");
        assert_eq!(save_key("u1", 7), "save:u1:7");
    }
}
