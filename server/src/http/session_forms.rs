//! The dashboard's sign-in and sign-out as plain HTML forms (`POST /session`,
//! `POST /session/end`), so they work with JavaScript off: each answers with a redirect, and a
//! failure comes back to `/login?error=...`, which the login page says in words. The checks,
//! the throttling and the cookie are those of `/api/v1/auth/login`.

use app::error::ErrorCode;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::auth_api::cookie;
use crate::auth::session_cookie;
use crate::state::AppState;

#[derive(Deserialize)]
pub(super) struct SignIn {
    email: String,
    password: String,
    /// Where to go after signing in: a path on this site.
    #[serde(default)]
    next: String,
}

/// A local path to go on to, never another site (`//host` or `https://...`).
pub(super) fn local<'a>(next: &'a str, otherwise: &'a str) -> &'a str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        otherwise
    }
}

pub(super) async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SignIn>,
) -> Response {
    let back = |error: &str| Redirect::to(&format!("/login?error={error}")).into_response();
    let session = match state.auth.login(form.email.trim(), &form.password).await {
        Ok(session) => session,
        Err(e) if e.code == ErrorCode::TooManyRequests => return back("throttled"),
        Err(e) if e.code == ErrorCode::Unauthorized || e.code == ErrorCode::InvalidInput => {
            return back("credentials");
        }
        Err(e) => {
            tracing::warn!(code = %e.code, "sign-in failed");
            return back("unavailable");
        }
    };
    match cookie(
        &headers,
        state.settings.auth.secure_cookies,
        &session.token,
        session.max_age_secs,
    ) {
        Ok(set) => (
            [(header::SET_COOKIE, set)],
            Redirect::to(local(&form.next, "/campaigns")),
        )
            .into_response(),
        Err(_) => back("unavailable"),
    }
}

pub(super) async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = session_cookie(&headers)
        && let Err(e) = state.auth.logout(token).await
    {
        tracing::warn!(code = %e.code, "sign-out failed");
    }
    match cookie(&headers, state.settings.auth.secure_cookies, "", 0) {
        Ok(clear) => (
            [(header::SET_COOKIE, clear)],
            Redirect::to("/login?signed_out=1"),
        )
            .into_response(),
        Err(_) => Redirect::to("/login").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local("/campaigns/3", "/campaigns"), "/campaigns/3");
        assert_eq!(local("//evil.example", "/campaigns"), "/campaigns");
        assert_eq!(local("https://evil.example", "/campaigns"), "/campaigns");
        assert_eq!(local("/\\evil.example", "/campaigns"), "/campaigns");
        assert_eq!(local("", "/campaigns"), "/campaigns");
    }
}
