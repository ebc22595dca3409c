use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::system::fetch_session;

/// The product areas, in navigation order: (path, label).
const SECTIONS: [(&str, &str); 5] = [
    ("/", "Feed"),
    ("/campaigns", "Campaigns"),
    ("/experiments", "Experiments"),
    ("/studies", "Studies"),
    ("/system", "System"),
];

/// The top bar. `A` marks the current page with `aria-current="page"`, which the CSS styles.
/// A section stays marked on its detail pages (`/campaigns/3` marks Campaigns).
#[component]
pub fn NavBar() -> impl IntoView {
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"V"</span>
                "Vitrine"
            </a>
            <nav aria-label="Main">
                <ul class="nav-links">
                    {SECTIONS
                        .into_iter()
                        .map(|(href, label)| view! { <li><A href=href exact={href == "/"}>{label}</A></li> })
                        .collect_view()}
                </ul>
            </nav>
            <SessionControl />
        </header>
    }
}

/// "Sign out" (a plain form, so it works without JavaScript) for a signed-in account, or the
/// way to sign in.
#[component]
fn SessionControl() -> impl IntoView {
    let session = Resource::new(|| (), |_| fetch_session());
    view! {
        <div class="session">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match session.await {
                        Ok(Some(info)) => view! {
                            <form method="post" action="/session/end" class="session-form">
                                <span class="session-role">{format!("Signed in as {}", info.role)}</span>
                                <button class="button button-quiet" type="submit">"Sign out"</button>
                            </form>
                        }
                        .into_any(),
                        _ => view! { <a class="button button-quiet" href="/login">"Sign in"</a> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}
