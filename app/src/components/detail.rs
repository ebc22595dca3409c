//! What the pages of one thing (`/experiments/:id`, `/studies/:id`) share: the id from the
//! route, and the page an error leaves (its title, the way back, and the error in words).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::states::ErrorPanel;
use crate::error::{ApiError, ErrorCode};

/// The route's `:id` as a number; `Err` (a "not found" in words) when it is not one.
pub fn route_id(what: &'static str) -> impl Fn() -> Result<i32, ApiError> + Copy + Send + Sync {
    let params = use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i32>().ok())
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("there is no such {what}")))
    }
}

/// A detail page that could not load: its heading, the way back to its list, and why.
#[component]
pub fn DetailError(
    title: &'static str,
    back: (&'static str, &'static str),
    error: ApiError,
) -> impl IntoView {
    view! {
        <Title text=title />
        <nav aria-label="Breadcrumb" class="crumbs"><a href=back.0>{back.1}</a></nav>
        <header class="page-header"><h1>{title}</h1></header>
        <ErrorPanel error />
    }
}
