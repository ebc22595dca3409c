//! Loading, empty and error states, shared by every page so they look and read the same.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::{ApiError, ErrorCode};

#[component]
pub fn Loading(#[prop(into)] what: String) -> impl IntoView {
    view! {
        <p class="state state-loading" role="status" aria-live="polite">
            {format!("Loading {what}…")}
        </p>
    }
}

/// An area with nothing in it yet, and the command that fills it.
#[component]
pub fn Empty(#[prop(into)] title: String, #[prop(into)] hint: String) -> impl IntoView {
    view! {
        <div class="state state-empty">
            <h2>{title}</h2>
            <p>{hint}</p>
        </div>
    }
}

/// An error said for people: a title by its code, the server's message (never a trace), and
/// the code for a support request.
#[component]
pub fn ErrorPanel(error: ApiError) -> impl IntoView {
    if error.code == ErrorCode::Unauthorized {
        return view! { <SignInPanel /> }.into_any();
    }
    let title = match error.code {
        ErrorCode::Unauthorized => "Please sign in",
        ErrorCode::Forbidden => "This account cannot see this page",
        ErrorCode::NotFound => "Not found",
        ErrorCode::NoData => "No data for this yet",
        ErrorCode::InvalidInput => "Please check what you entered",
        ErrorCode::TooManyRequests => "Too many attempts",
        ErrorCode::Network => "The server could not be reached",
        ErrorCode::Unavailable
        | ErrorCode::DatabaseUnavailable
        | ErrorCode::VectorStoreUnavailable => "Not available right now",
        _ => "Something went wrong",
    };
    view! {
        <div class="state state-error" role="alert">
            <h2>{title}</h2>
            <p>{error.message}</p>
            <p class="muted">"Error code: " <code>{error.code.as_str()}</code></p>
        </div>
    }
    .into_any()
}

/// No session (never signed in, signed out, or expired): the way to sign in, and back here.
#[component]
fn SignInPanel() -> impl IntoView {
    let here = leptos_router::hooks::use_location();
    let href = move || format!("/login?next={}", here.pathname.get());
    view! {
        <div class="state state-signin" role="alert">
            <h2>"Please sign in"</h2>
            <p>"Sign in with your advertiser account to see this page. If you were signed in, your session has ended."</p>
            <p><a class="button" href=href>"Sign in"</a></p>
        </div>
    }
}

/// A whole page whose data has not been produced yet.
#[component]
pub fn EmptyArea(
    #[prop(into)] title: String,
    #[prop(into)] empty: String,
    #[prop(into)] hint: String,
) -> impl IntoView {
    view! {
        <Title text=title.clone() />
        <header class="page-header">
            <h1>{title}</h1>
        </header>
        <Empty title=empty hint />
    }
}
