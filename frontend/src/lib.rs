//! The browser entry point: `hydrate()` attaches the Leptos app to the server-rendered page.
//! Everything else lives in the `app` crate.

use wasm_bindgen::prelude::wasm_bindgen;

/// Called by the hydration script that the server-rendered shell includes.
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
