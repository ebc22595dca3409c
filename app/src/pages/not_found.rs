use leptos::prelude::*;
use leptos_meta::Title;

/// Any unknown path. Sets a 404 status when rendered on the server.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(leptos::server_fn::http_export::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Not found" />
        <header class="page-header">
            <h1>"Page not found"</h1>
        </header>
        <p>"There is nothing at this address. " <a href="/">"Back to the feed"</a></p>
    }
}
