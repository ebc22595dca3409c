//! The HTTP edge: one axum router for pages, server functions, the REST API, health and metrics.
//!
//! - `error`   the JSON error body and the one place statuses are chosen
//! - `health`  `/healthz`, `/readyz`, `/metrics`
//! - `api`     `/api/v1` routes, calling the same services as the server functions
//! - `analytics_api`  the `/api/v1` routes of campaign reports, experiments and studies
//! - `auth_api` `/api/v1/auth` (login, logout, me) and `Who`, a handler's caller
//! - `users_api` `/api/v1/users`: erasing a feed user (admin)
//! - `catalogue_api` `/api/v1/catalogue`: new items and users, retiring items (catalogue key)
//! - `models_api` `/api/v1/experiments/models`: the feed split between model versions (admin)
//! - `session_forms` `POST /session` and `/session/end`: the dashboard's sign-in forms
//! - `dashboard_forms` `POST /forms/study` and `/forms/save`: a new study, saving an item
//! - `beacons` `POST /beacon/dwell`: the Feed page's dwell, sent by `navigator.sendBeacon`
//! - `openapi` the OpenAPI document of `/api/v1`, generated from the handlers
//! - `media`   item images by URL
//! - `layers`  request metrics, tracing, timeouts, body limits
//! - `limits`  the one rate limit of every door (REST, server functions, forms, beacons)
//! - `visitor` the browser's viewer: the session's account, or an anonymous visitor cookie

mod analytics_api;
pub mod api;
mod auth_api;
mod beacons;
mod catalogue_api;
mod dashboard_forms;
mod error;
mod health;
mod layers;
mod limits;
mod media;
mod models_api;
pub mod openapi;
mod session_forms;
mod users_api;
mod visitor;

use std::future::Future;

use app::{App, shell};
use axum::Router;
use axum::routing::get;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;

pub use error::HttpError;

use crate::state::AppState;

/// Builds the whole router for `state`.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let services = state.services.clone();
    let options = state.leptos_options.clone();
    let routes_and_pages = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/session", axum::routing::post(session_forms::sign_in))
        .route("/session/end", axum::routing::post(session_forms::sign_out))
        .route(
            "/forms/study",
            axum::routing::post(dashboard_forms::create_study),
        )
        .route(
            "/forms/save",
            axum::routing::post(dashboard_forms::save_item),
        )
        .route(
            app::components::dwell::BEACON_PATH,
            axum::routing::post(beacons::dwell),
        )
        .nest("/api/v1", api::router())
        .nest("/media", media::router())
        // Pages and server functions get the same services in their context.
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(services.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));
    let with_viewer = routes_and_pages.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        visitor::viewer,
    ));
    // The limit layer runs first (outermost) and hands the caller it resolved to the viewer's.
    let limited = if state.settings.auth.rate_limits {
        with_viewer.layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::limit,
        ))
    } else {
        tracing::warn!("auth.rate_limits is off: no request is rate-limited");
        with_viewer
    };
    layers::apply(limited, &state.settings.server).with_state(state)
}

/// Serves `state` on `listener` until `shutdown` resolves, then lets in-flight requests finish.
/// Tests bind port 0 and pass a oneshot receiver; `vitrine serve` passes Ctrl-C/SIGTERM.
///
/// # Errors
/// The I/O error that stopped the server.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "listening");
    // The client's address, for the anonymous callers' rate limit.
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
    tracing::info!("server stopped");
    Ok(())
}
