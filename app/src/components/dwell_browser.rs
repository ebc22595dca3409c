//! The browser half of dwell: one observer, one timer and two page listeners for the whole
//! session, and the seconds counted so far, in a thread-local (the browser has one thread).

use std::cell::RefCell;
use std::collections::HashMap;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

use super::{BEACON_PATH, FLUSH_SECONDS, batch};
use crate::components::feed_card::unique_key;
use crate::wire::FeedEventKind;

/// A card counts while at least this share of it is on screen.
const VISIBLE_SHARE: f64 = 0.5;

#[derive(Default)]
struct State {
    user: String,
    /// Cards at least half visible: item -> since when (ms), `None` while the page is hidden.
    cards: HashMap<i64, Option<f64>>,
    /// The item whose "more like this" page is open, and since when.
    item: Option<(i64, Option<f64>)>,
    /// Seconds counted and not yet sent, by item.
    counted: HashMap<i64, f64>,
    observer: Option<IntersectionObserver>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn now() -> f64 {
    js_sys::Date::now()
}

fn page_visible() -> bool {
    leptos::prelude::document().visibility_state() == web_sys::VisibilityState::Visible
}

impl State {
    /// Adds every open interval up to `at`; they go on from `at` if `resume`, else pause.
    fn close_open(&mut self, at: f64, resume: bool) {
        let next = resume.then_some(at);
        let counted = &mut self.counted;
        let spans = self
            .cards
            .iter_mut()
            .map(|(item, since)| (*item, since))
            .chain(self.item.as_mut().map(|(item, since)| (*item, since)));
        for (item, since) in spans {
            if let Some(from) = *since {
                *counted.entry(item).or_default() += (at - from).max(0.0) / 1000.0;
            }
            *since = next;
        }
    }

    /// Sends what was counted, by beacon, and forgets it.
    fn send(&mut self) {
        if self.counted.is_empty() || self.user.is_empty() {
            return;
        }
        let counted: Vec<(i64, f64)> = self.counted.drain().collect();
        let batch = batch(&self.user, &counted, |item| {
            unique_key(FeedEventKind::Dwell, item)
        });
        if batch.events.is_empty() {
            return;
        }
        let Ok(body) = serde_json::to_string(&batch) else {
            return;
        };
        // `false` means the browser's beacon queue is full: the seconds are dropped, as a
        // closed page's would be.
        let _ = leptos::prelude::window()
            .navigator()
            .send_beacon_with_opt_str(BEACON_PATH, Some(&body));
    }

    /// Counts up to now, sends, and goes on counting if the page is visible.
    fn flush(&mut self) {
        self.close_open(now(), page_visible());
        self.send();
    }

    fn set_user(&mut self, user_id: &str) {
        if self.user != user_id {
            self.flush();
            self.user = user_id.to_owned();
        }
    }
}

/// The observer, the page listeners and the timer, made on first use.
fn observer() -> Option<IntersectionObserver> {
    if let Some(o) = STATE.with_borrow(|s| s.observer.clone()) {
        return Some(o);
    }
    let on_change = Closure::<dyn FnMut(js_sys::Array)>::new(|entries: js_sys::Array| {
        let at = now();
        let visible_page = page_visible();
        STATE.with_borrow_mut(|s| {
            for entry in entries.iter() {
                let entry: IntersectionObserverEntry = entry.unchecked_into();
                let Some(item) = entry
                    .target()
                    .get_attribute("data-item")
                    .and_then(|v| v.parse::<i64>().ok())
                else {
                    continue;
                };
                let shown =
                    entry.is_intersecting() && entry.intersection_ratio() >= VISIBLE_SHARE - 1e-3;
                if shown {
                    s.cards.entry(item).or_insert(visible_page.then_some(at));
                } else if let Some(Some(from)) = s.cards.remove(&item) {
                    *s.counted.entry(item).or_default() += (at - from).max(0.0) / 1000.0;
                }
            }
        });
    });
    let options = IntersectionObserverInit::new();
    options.set_threshold(&wasm_bindgen::JsValue::from_f64(VISIBLE_SHARE));
    let observer =
        IntersectionObserver::new_with_options(on_change.as_ref().unchecked_ref(), &options)
            .ok()?;
    // Lives as long as the page.
    on_change.forget();
    install_page_listeners();
    STATE.with_borrow_mut(|s| s.observer = Some(observer.clone()));
    Some(observer)
}

/// Hidden: count up to now and send at once (the page may never come back). Visible again:
/// the counting resumes. `pagehide` covers a page closed without a visibility change. A timer
/// sends what a long visit has counted.
fn install_page_listeners() {
    let document = leptos::prelude::document();
    let on_visibility = Closure::<dyn FnMut()>::new(|| {
        let at = now();
        if page_visible() {
            STATE.with_borrow_mut(|s| s.close_open(at, true));
        } else {
            STATE.with_borrow_mut(|s| {
                s.close_open(at, false);
                s.send();
            });
        }
    });
    let _ = document.add_event_listener_with_callback(
        "visibilitychange",
        on_visibility.as_ref().unchecked_ref(),
    );
    on_visibility.forget();
    let on_pagehide = Closure::<dyn FnMut()>::new(|| {
        STATE.with_borrow_mut(|s| {
            s.close_open(now(), false);
            s.send();
        });
    });
    let window = leptos::prelude::window();
    let _ =
        window.add_event_listener_with_callback("pagehide", on_pagehide.as_ref().unchecked_ref());
    on_pagehide.forget();
    let tick = Closure::<dyn FnMut()>::new(|| STATE.with_borrow_mut(State::flush));
    let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
        tick.as_ref().unchecked_ref(),
        (FLUSH_SECONDS * 1000) as i32,
    );
    tick.forget();
}

pub(super) fn watch_cards(user_id: &str) {
    STATE.with_borrow_mut(|s| s.set_user(user_id));
    let Some(observer) = observer() else {
        return;
    };
    // After the cards just rendered are in the document.
    leptos::prelude::request_animation_frame(move || {
        let Ok(cards) = leptos::prelude::document().query_selector_all("li.feed-card[data-item]")
        else {
            return;
        };
        for i in 0..cards.length() {
            if let Some(card) = cards
                .get(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            {
                // Observing a card twice is a no-op.
                observer.observe(&card);
            }
        }
    });
}

pub(super) fn watch_item(user_id: &str, item_id: i64) {
    let at = now();
    STATE.with_borrow_mut(|s| {
        s.set_user(user_id);
        s.close_open(at, true);
        s.item = Some((item_id, page_visible().then_some(at)));
    });
    // The listeners that pause and send.
    let _ = observer();
}

pub(super) fn stop() {
    STATE.with_borrow_mut(|s| {
        s.close_open(now(), false);
        s.send();
        s.cards.clear();
        s.item = None;
        if let Some(o) = &s.observer {
            o.disconnect();
        }
    });
}
