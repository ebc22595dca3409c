//! The browser's viewer: whose feed the Feed page shows and whose activity it records. A
//! signed-in account views as `account-<id>`; anyone else as `visitor-<id>`, from an HttpOnly
//! cookie of 128 random bits, set on their first browser request and kept for a year. The
//! viewer goes into the request's extensions (`app::services::Viewer`), where server
//! functions, forms and beacons read it; a body field never decides it. A visitor becomes a
//! feed user at their first event, and their feed is personalised from their own activity.
//! REST (`/api/v1`), media, assets and health checks neither read nor set the cookie.

use app::services::{Caller, Viewer};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::auth_api::named_cookie;
use crate::auth::{bearer, cookie, session_cookie};
use crate::state::AppState;

pub const VISITOR_COOKIE: &str = "vitrine_visitor";
const YEAR_SECS: i64 = 365 * 24 * 3600;
/// 16 random bytes, base64url without padding.
const ID_CHARS: usize = 22;

/// Whether a request to `path` is the browser's: pages, server functions, forms, beacons.
pub(super) fn is_browser(path: &str) -> bool {
    const NOT: [&str; 6] = [
        "/api/v1", "/media/", "/pkg/", "/healthz", "/readyz", "/metrics",
    ];
    let file = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    !file && !NOT.iter().any(|prefix| path.starts_with(prefix))
}

fn visitor_cookie(request: &Request) -> Option<&str> {
    cookie(request.headers(), VISITOR_COOKIE).filter(|v| {
        v.len() == ID_CHARS
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

pub(super) async fn viewer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if !is_browser(request.uri().path()) {
        return next.run(request).await;
    }
    // The limit layer resolved the caller on the doors it covers; a page resolves it here,
    // from the session cookie only (cached by `Auth`).
    let caller = match request.extensions().get::<Caller>() {
        Some(caller) => caller.clone(),
        None => match session_cookie(request.headers()) {
            Some(session) => state.auth.resolve(None, Some(session)).await,
            None => Caller::Anonymous,
        },
    };
    // A key is a machine's, not a person's: only a session makes the viewer an account.
    let signed_in = bearer(request.headers()).is_none();
    let account = match caller {
        Caller::Advertiser { account_id, .. } | Caller::Admin { account_id } if signed_in => {
            Some(account_id)
        }
        _ => None,
    };
    let existing = visitor_cookie(&request).map(str::to_owned);
    let (id, fresh) = match existing {
        Some(id) => (id, false),
        None => match crate::auth::secrets::random_token(16) {
            Ok(id) => (id, true),
            Err(e) => {
                return super::HttpError::from(crate::failure::internal("a visitor id", e))
                    .into_response();
            }
        },
    };
    let user = match account {
        Some(account_id) => format!("account-{account_id}"),
        None => format!("visitor-{id}"),
    };
    let set = fresh.then(|| {
        named_cookie(
            VISITOR_COOKIE,
            request.headers(),
            state.settings.auth.secure_cookies,
            &id,
            YEAR_SECS,
        )
    });
    request.extensions_mut().insert(Viewer(user));
    let mut response = next.run(request).await;
    if let Some(Ok(value)) = set {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::is_browser;

    #[test]
    fn the_browser_paths_have_a_viewer_and_nothing_else_does() {
        for path in [
            "/",
            "/similar",
            "/api/fn/recommend",
            "/forms/save",
            "/beacon/dwell",
        ] {
            assert!(is_browser(path), "{path}");
        }
        for path in [
            "/api/v1/recommend",
            "/media/items/1/image",
            "/pkg/app.wasm",
            "/favicon.ico",
            "/healthz",
            "/metrics",
        ] {
            assert!(!is_browser(path), "{path}");
        }
    }
}
