//! `/api/v1/auth`: log in (a session cookie), log out, and who am I; and `Who`, the extractor
//! that gives a handler its caller. Deciding what the caller may do is the services' job.

use app::error::ErrorCode;
use app::services::Caller;
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::HttpError;
use super::api::ApiJson;
use crate::auth::{COOKIE, bearer, session_cookie};
use crate::state::AppState;

/// The caller of this request (from an API key or the session cookie).
pub struct Who(pub Caller);

impl FromRequestParts<AppState> for Who {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The limit layer (`limits`) resolved the caller when it admitted the request.
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(Self(caller.clone()));
        }
        let headers = &parts.headers;
        let caller = state
            .auth
            .resolve(bearer(headers), session_cookie(headers))
            .await;
        Ok(Self(caller))
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct Login {
    email: String,
    password: String,
}

/// Who the caller is.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Me {
    /// `advertiser`, `admin` or `feed`.
    role: &'static str,
    account_id: i32,
    advertiser_id: Option<i32>,
}

pub(super) fn cookie(
    headers: &HeaderMap,
    secure_always: bool,
    value: &str,
    max_age: i64,
) -> Result<HeaderValue, HttpError> {
    named_cookie(COOKIE, headers, secure_always, value, max_age)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, the whole site.
pub(super) fn named_cookie(
    name: &str,
    headers: &HeaderMap,
    secure_always: bool,
    value: &str,
    max_age: i64,
) -> Result<HeaderValue, HttpError> {
    // Secure when the client reached us over TLS (directly, or through a proxy that says so).
    let tls = secure_always
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let secure = if tls { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .map_err(|e| HttpError::from(crate::failure::internal("setting a cookie", e)))
}

/// `POST /api/v1/auth/login`: checks the password and sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = Login,
    responses(
        (status = 204, description = "logged in; the session cookie is set"),
        (status = 401, description = "wrong e-mail or password"),
        (status = 429, description = "too many failed logins for this e-mail")))]
pub(super) async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Login>,
) -> Result<Response, HttpError> {
    let session = state.auth.login(&body.email, &body.password).await?;
    let set = cookie(
        &headers,
        state.settings.auth.secure_cookies,
        &session.token,
        session.max_age_secs,
    )?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, set)]).into_response())
}

/// `POST /api/v1/auth/logout`: ends the session and clears the cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "logged out"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    if let Some(token) = session_cookie(&headers) {
        state.auth.logout(token).await?;
    }
    let clear = cookie(&headers, state.settings.auth.secure_cookies, "", 0)?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, clear)]).into_response())
}

/// `GET /api/v1/auth/me`: the caller's role and advertiser.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, description = "no valid key or session"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn me(Who(caller): Who) -> Result<Json<Me>, HttpError> {
    let me = match caller {
        Caller::Advertiser {
            account_id,
            advertiser_id,
        } => Me {
            role: "advertiser",
            account_id,
            advertiser_id: Some(advertiser_id),
        },
        Caller::Admin { account_id } => Me {
            role: "admin",
            account_id,
            advertiser_id: None,
        },
        Caller::CatalogueClient { account_id, .. } => Me {
            role: "catalogue",
            account_id,
            advertiser_id: None,
        },
        Caller::FeedClient { account_id, .. } => Me {
            role: "feed",
            account_id,
            advertiser_id: None,
        },
        Caller::Anonymous => {
            return Err(HttpError::new(
                ErrorCode::Unauthorized,
                "no valid key or session",
            ));
        }
    };
    Ok(Json(me))
}
