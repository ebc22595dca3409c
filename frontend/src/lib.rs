//! The browser entry point: `hydrate()` attaches the Leptos app to the server-rendered page.
//! Everything else lives in the `app` crate.

// Leptos views are deeply nested types; hydrating a whole page needs more than the default 128.
#![recursion_limit = "256"]

use wasm_bindgen::prelude::wasm_bindgen;

/// Called by the hydration script that the server-rendered shell includes.
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
