//! Accounts and sessions (`auth:` in `configs/default.yaml`), and the demo's accounts.

use serde::{Deserialize, Serialize};

use super::ConfigError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// How long a dashboard session lasts.
    pub session_ttl_hours: u32,
    /// Failed logins an e-mail may have within `login_window_secs` before it must wait.
    pub login_max_failures: u32,
    pub login_window_secs: u64,
    /// Mark the session cookie `Secure` even without `X-Forwarded-Proto: https` (set it when
    /// the server itself is reached over TLS).
    pub secure_cookies: bool,
    /// How long a resolved key or session is trusted without asking SQL again (and so how
    /// long a revoked key keeps working at most).
    pub cache_secs: u64,
    /// Requests per second each API key may make (bursts up to twice that); more get 429.
    /// Every limit covers REST, server functions, forms and beacons alike.
    pub key_requests_per_sec: u32,
    /// Requests per second each signed-in session may make (bursts up to twice that).
    pub session_requests_per_sec: u32,
    /// Requests per second from each client address without a key or session (bursts up to
    /// twice that). Behind a proxy every visitor shares its address: raise it there.
    pub anonymous_requests_per_sec: u32,
    /// The limit layer itself. Off only to measure what it costs (`scripts/bench_http.sh`
    /// compares the two in one run); nothing is limited then.
    pub rate_limits: bool,
    /// The demo's accounts: one per demo advertiser and an admin, all with this password,
    /// created by `vitrine accounts seed-demo`. For the demo only.
    pub demo_password: String,
    /// E-mail domain of the demo accounts (`northwind-apparel@<domain>`, `admin@<domain>`).
    pub demo_domain: String,
    /// The secret that signs sponsored slots' impression tokens (HMAC-SHA-256), at least 32
    /// characters. Empty: a random one per process, so tokens die with it and replicas do
    /// not accept each other's; set it (the same on every replica) in production.
    pub impression_secret: String,
    /// The secret before the last rotation: its tokens are still accepted until they expire.
    pub previous_impression_secret: String,
    /// How long an impression token attests impressions, clicks and saves after the slot was
    /// served. Conversions have `analytics.attribution_window_hours` from then.
    pub impression_token_secs: u64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            session_ttl_hours: 12,
            login_max_failures: 5,
            login_window_secs: 900,
            secure_cookies: false,
            cache_secs: 5,
            key_requests_per_sec: 100_000,
            session_requests_per_sec: 200,
            anonymous_requests_per_sec: 200,
            rate_limits: true,
            demo_password: "vitrine-demo-2026".into(),
            demo_domain: "demo.vitrine.test".into(),
            impression_secret: String::new(),
            previous_impression_secret: String::new(),
            impression_token_secs: 3600,
        }
    }
}

impl AuthSettings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key, reason: &str| {
            Err(ConfigError::Value {
                key,
                reason: reason.into(),
            })
        };
        if self.session_ttl_hours == 0 {
            return bad("auth.session_ttl_hours", "must be at least 1");
        }
        if self.login_max_failures == 0 || self.login_window_secs == 0 {
            return bad(
                "auth.login_max_failures",
                "throttling needs a limit and a window",
            );
        }
        for (key, rate) in [
            ("auth.key_requests_per_sec", self.key_requests_per_sec),
            (
                "auth.session_requests_per_sec",
                self.session_requests_per_sec,
            ),
            (
                "auth.anonymous_requests_per_sec",
                self.anonymous_requests_per_sec,
            ),
        ] {
            if rate == 0 {
                return bad(key, "must be at least 1");
            }
        }
        if self.demo_password.chars().count() < 10 {
            return bad("auth.demo_password", "needs at least 10 characters");
        }
        for (key, secret) in [
            ("auth.impression_secret", &self.impression_secret),
            (
                "auth.previous_impression_secret",
                &self.previous_impression_secret,
            ),
        ] {
            if !secret.is_empty() && secret.len() < 32 {
                return bad(key, "needs at least 32 characters (or empty)");
            }
        }
        if self.impression_token_secs == 0 {
            return bad("auth.impression_token_secs", "must be at least 1");
        }
        Ok(())
    }
}
