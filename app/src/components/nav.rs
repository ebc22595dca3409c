use leptos::prelude::*;
use leptos_router::components::A;

/// The product areas, in navigation order: (path, label).
const SECTIONS: [(&str, &str); 5] = [
    ("/", "Feed"),
    ("/campaigns", "Campaigns"),
    ("/experiments", "Experiments"),
    ("/studies", "Studies"),
    ("/system", "System"),
];

/// The top bar. `A` marks the current page with `aria-current="page"`, which the CSS styles.
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
                        .map(|(href, label)| view! { <li><A href=href exact=true>{label}</A></li> })
                        .collect_view()}
                </ul>
            </nav>
        </header>
    }
}
