//! Sign in: a plain form that posts to `/session` (it works with JavaScript off); a failed
//! attempt comes back here with `?error=`, said in words, never as a code or a trace.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn message(error: &str) -> &'static str {
    match error {
        "credentials" => "That e-mail address and password do not match an account.",
        "throttled" => {
            "Too many failed attempts for this e-mail address. Wait 15 minutes, then try again."
        }
        _ => "Signing in is unavailable right now. Please try again in a minute.",
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.read().get("error").map(|e| message(&e));
    let signed_out = move || query.read().get("signed_out").is_some();
    let next = move || {
        query
            .read()
            .get("next")
            .unwrap_or_else(|| "/campaigns".to_owned())
    };
    view! {
        <Title text="Sign in" />
        <section class="login card" aria-labelledby="login-title">
            <h1 id="login-title">"Sign in"</h1>
            <p class="muted">"Your advertiser account shows your campaigns, experiments and studies."</p>
            {move || error().map(|text| view! { <p class="notice notice-error" role="alert">{text}</p> })}
            {move || signed_out().then(|| view! { <p class="notice" role="status">"You are signed out."</p> })}
            <form method="post" action="/session" class="stack">
                <input type="hidden" name="next" value=next />
                <label for="email">"E-mail address"</label>
                <input id="email" name="email" type="email" autocomplete="username" required />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required minlength="1" />
                <button class="button" type="submit">"Sign in"</button>
            </form>
        </section>
    }
}
