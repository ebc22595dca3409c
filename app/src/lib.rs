//! Vitrine's user interface, shared by the server (feature `ssr`) and the browser (`hydrate`).
//!
//! Module map:
//! - `wire`       serde types that cross the wire; the only data the browser ever sees
//! - `error`      `ApiError`, the typed error every server function returns
//! - `services`   (ssr only) the service traits the server implements and provides as context
//! - `api`        `#[server]` functions: thin adapters from the browser to one service call
//! - `components` reusable view pieces (navigation, status panels, formatting)
//! - `pages`      one module per route
//!
//! `shell` renders the HTML document on the server; `App` is the router that both sides run.

// Leptos views are deeply nested types; the hydrate build needs more than the default 128.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod services;
pub mod wire;

use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

use crate::components::nav::NavBar;
use crate::pages::{
    campaign::CampaignPage, campaigns::CampaignsPage, experiment::ExperimentPage,
    experiments::ExperimentsPage, feed::FeedPage, login::LoginPage, not_found::NotFoundPage,
    similar::SimilarPage, studies::StudiesPage, study::StudyPage, system::SystemPage,
};

/// The HTML document the server streams for every page route.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: navigation plus one route per product area.
///
/// Data pages render with `SsrMode::Async`, so the server sends them complete: they read the
/// same with JavaScript off, and hydrate when it is on.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/vitrine.css" />
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
        <Meta name="description" content="Vitrine: multi-modal discovery and advertiser analytics" />
        <Title formatter=|page: String| format!("{page} · Vitrine") />
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <NavBar />
            <main id="main" class="page">
                <Routes fallback=NotFoundPage>
                    <Route path=StaticSegment("") view=FeedPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("similar") view=SimilarPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("login") view=LoginPage />
                    <Route path=StaticSegment("campaigns") view=CampaignsPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("campaigns"), ParamSegment("id")) view=CampaignPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("experiments") view=ExperimentsPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("experiments"), ParamSegment("id")) view=ExperimentPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("studies") view=StudiesPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("studies"), ParamSegment("id")) view=StudyPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("system") view=SystemPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}
