//! Rate limits of `Auth`: one token bucket per API key, session or client address, each
//! kind with its own rate (`auth.*_requests_per_sec`), bursts up to twice that.

use std::collections::HashMap;
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
        let Ok(mut buckets) = self.buckets.lock() else {
            return false;
        };
        let now = Instant::now();
        if buckets.len() >= PRUNE_AT {
            prune(&mut buckets, now);
        }
        let b = match buckets.get_mut(key) {
            Some(b) => b,
            None => buckets.entry(key.to_owned()).or_insert(Bucket {
                tokens: 2.0 * rate,
                at: now,
                rate,
            }),
        };
        b.rate = rate;
        b.tokens = b.level(now);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// How many buckets are kept before the full ones are dropped.
const PRUNE_AT: usize = 100_000;

/// Drops the buckets refilled to their brim: a full bucket says nothing a missing one would
/// not (a new one starts full), so the limit is exactly as before.
fn prune(buckets: &mut HashMap<String, Bucket>, now: Instant) {
    buckets.retain(|_, b| b.level(now) < 2.0 * b.rate);
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn pruning_drops_only_buckets_that_have_refilled() {
        let start = Instant::now();
        let later = start + Duration::from_secs(1);
        let bucket = |tokens, rate| Bucket {
            tokens,
            at: start,
            rate,
        };
        let mut buckets = HashMap::from([
            ("full".to_owned(), bucket(20.0, 10.0)),
            ("refilled".to_owned(), bucket(15.0, 10.0)),
            ("still-spent".to_owned(), bucket(0.0, 1.0)),
        ]);
        prune(&mut buckets, later);
        let mut kept: Vec<&str> = buckets.keys().map(String::as_str).collect();
        kept.sort_unstable();
        assert_eq!(kept, ["still-spent"]);
        assert!((buckets["still-spent"].level(later) - 1.0).abs() < 1e-9);
    }
}
