//! Accounts, API keys and sessions.
//!
//! - `secrets`  argon2id password hashes, random tokens, SHA-256 digests
//! - `store`    `Auth`: accounts, keys, sessions, login throttling, resolving a caller
//! - `demo`     the demo's accounts, one per demo advertiser and an admin
//!
//! Authentication ends in a `Caller` (`app::services`); what a caller may see is decided in one
//! place per engine (`analytics::access`), and the HTTP edge only resolves callers.

pub mod demo;
pub mod secrets;
mod store;

use app::services::{AuthService, Caller};
use async_trait::async_trait;
use axum::http::{HeaderMap, header};

pub use store::{Auth, COOKIE, NewSession, SCOPES};

/// The bearer token of `Authorization: Bearer <key>`.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The session token in the `Cookie` header.
pub fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    cookie(headers, COOKIE)
}

/// The value of cookie `wanted` in the `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, wanted: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value)
}

#[async_trait]
impl AuthService for Auth {
    async fn caller(&self, headers: &HeaderMap) -> Caller {
        self.resolve(bearer(headers), session_cookie(headers)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_read_from_their_headers() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            "Bearer vk_abc.def".parse().expect("header"),
        );
        h.insert(
            header::COOKIE,
            "theme=dark; vitrine_session=tok123; x=1"
                .parse()
                .expect("header"),
        );
        assert_eq!(bearer(&h), Some("vk_abc.def"));
        assert_eq!(session_cookie(&h), Some("tok123"));
        assert_eq!(session_cookie(&HeaderMap::new()), None);
    }
}
