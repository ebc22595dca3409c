//! Rate limits of `Auth`: one token bucket per API key, session or client address, each
//! kind with its own rate (`auth.*_requests_per_sec`), bursts up to twice that.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use app::error::{ApiError, ErrorCode};
use app::services::Caller;

use super::super::secrets::digest;
use super::{Auth, Bucket};

impl Auth {
    /// Spends one request from the caller's bucket: an API key's, a session's, or, for an
    /// anonymous caller (an unknown key included), the client address's. Each kind has its
    /// own rate (`auth.*_requests_per_sec`), with bursts up to twice that.
    ///
    /// Returns the caller it resolved, so that the request need not resolve it again.
    ///
    /// # Errors
    /// `too_many_requests` when the bucket is spent.
    pub async fn admit_request(
        &self,
        bearer: Option<&str>,
        cookie: Option<&str>,
        address: Option<std::net::IpAddr>,
    ) -> Result<Caller, ApiError> {
        let key_hash = bearer.map(digest);
        let caller = self.resolve_hashed(key_hash.clone(), cookie).await;
        let s = &self.settings;
        let (bucket, rate, whose) = match (&caller, key_hash, cookie) {
            (Caller::Anonymous, ..) | (_, None, None) => (
                format!(
                    "address:{}",
                    address.map_or_else(|| "unknown".to_owned(), |a| a.to_string())
                ),
                s.anonymous_requests_per_sec,
                "this address",
            ),
            (_, Some(hash), _) => (
                format!("key:{hash}"),
                s.key_requests_per_sec,
                "this API key",
            ),
            (_, None, Some(token)) => (
                format!("session:{}", digest(token)),
                s.session_requests_per_sec,
                "this session",
            ),
        };
        if self.admit(&bucket, rate) {
            Ok(caller)
        } else {
            Err(ApiError::new(
                ErrorCode::TooManyRequests,
                format!("{whose} is over its rate limit; slow down"),
            ))
        }
    }

    fn admit(&self, key: &str, rate: u32) -> bool {
        let rate = f64::from(rate);
        let bucket = self.buckets.get_with_by_ref(key, || {
            Arc::new(Mutex::new(Bucket {
                tokens: 2.0 * rate,
                at: Instant::now(),
            }))
        });
        let Ok(mut b) = bucket.lock() else {
            return false;
        };
        let now = Instant::now();
        b.tokens = (b.tokens + rate * now.duration_since(b.at).as_secs_f64()).min(2.0 * rate);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}
