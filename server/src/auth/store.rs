//! `Auth`: accounts, API keys and sessions in SQL, login throttling, and the caller behind a
//! request. Resolved keys and sessions are cached for a few seconds, so the feed's hot path
//! does not query SQL per request; a revoked key or ended session stops working within that.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::error::{ApiError, ErrorCode};
use app::services::Caller;
use chrono::Utc;
use moka::sync::Cache;
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, Set,
};

use super::secrets::{digest, hash_password, random_token, verify_password};
use crate::config::AuthSettings;
use crate::db::entities::{account, advertiser, api_key, session};

/// Key scopes.
pub const SCOPES: [&str; 3] = ["feed", "analytics", "catalogue"];
/// The session cookie's name.
pub const COOKIE: &str = "vitrine_session";

fn database(error: sea_orm::DbErr) -> ApiError {
    crate::failure::database("an accounts query", error)
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, message)
}

/// A session just opened: the token for the cookie (never stored) and its lifetime.
pub struct NewSession {
    pub token: String,
    pub max_age_secs: i64,
}

pub struct Auth {
    db: DatabaseConnection,
    settings: AuthSettings,
    /// Failed logins per e-mail, forgotten after the window.
    failures: Cache<String, u32>,
    /// Digest of a key or session token -> its caller.
    resolved: Cache<String, Caller>,
    /// `key:`, `session:` or `address:` and its digest or address -> its token bucket
    /// (`store_limits`). A plain map under one lock: a lookup is a hash and a compare, where a
    /// concurrent cache cost a sixth of the warm feed's rate.
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// A token bucket: `tokens` left at `at`, refilled at `rate` per second up to twice it.
pub(super) struct Bucket {
    pub(super) tokens: f64,
    pub(super) at: Instant,
    pub(super) rate: f64,
}

impl Bucket {
    /// The tokens at `now`: refilled since `at`, up to the brim.
    pub(super) fn level(&self, now: Instant) -> f64 {
        (self.tokens + self.rate * now.duration_since(self.at).as_secs_f64()).min(2.0 * self.rate)
    }
}

impl Auth {
    pub fn new(db: DatabaseConnection, settings: AuthSettings) -> Arc<Self> {
        Arc::new(Self {
            failures: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(settings.login_window_secs))
                .build(),
            resolved: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(settings.cache_secs))
                .build(),
            buckets: Mutex::new(HashMap::new()),
            db,
            settings,
        })
    }

    pub(crate) fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Creates an account; the password is stored only as its argon2id hash.
    ///
    /// # Errors
    /// A malformed e-mail, a password under 10 characters, an unknown role, an advertiser
    /// account without an advertiser, a taken e-mail.
    pub async fn create_account(
        &self,
        email: &str,
        password: &str,
        role: &str,
        advertiser_id: Option<i32>,
    ) -> Result<account::Model, ApiError> {
        let email = email.trim().to_lowercase();
        if !email.contains('@') || email.len() > 254 {
            return Err(invalid(format!("`{email}` is not an e-mail address")));
        }
        if password.chars().count() < 10 {
            return Err(invalid("a password needs at least 10 characters"));
        }
        match (role, advertiser_id) {
            ("admin", _) | ("advertiser", Some(_)) => {}
            ("advertiser", None) => {
                return Err(invalid("an advertiser account needs its advertiser"));
            }
            (other, _) => {
                return Err(invalid(format!(
                    "unknown role `{other}` (advertiser or admin)"
                )));
            }
        }
        if let Some(id) = advertiser_id {
            advertiser::Entity::find_by_id(id)
                .one(&self.db)
                .await
                .map_err(database)?
                .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("no advertiser {id}")))?;
        }
        if account::Entity::find()
            .filter(account::Column::Email.eq(&email))
            .one(&self.db)
            .await
            .map_err(database)?
            .is_some()
        {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                format!("an account for {email} exists"),
            ));
        }
        let password = password.to_owned();
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| crate::failure::internal("hashing a password", e))?
            .map_err(|e| crate::failure::internal("hashing a password", e))?;
        account::ActiveModel {
            id: NotSet,
            email: Set(email),
            password_hash: Set(hash),
            role: Set(role.to_owned()),
            advertiser_id: Set(if role == "admin" { None } else { advertiser_id }),
            created_at: Set(Utc::now()),
            last_login_at: Set(None),
        }
        .insert(&self.db)
        .await
        .map_err(database)
    }

    /// A new key for `account_id`, returned once: only its digest is stored.
    ///
    /// # Errors
    /// An unknown scope or account.
    pub async fn create_key(
        &self,
        account_id: i32,
        scope: &str,
        name: &str,
    ) -> Result<String, ApiError> {
        if !SCOPES.contains(&scope) {
            return Err(invalid(format!(
                "unknown scope `{scope}` (feed, analytics or catalogue)"
            )));
        }
        account::Entity::find_by_id(account_id)
            .one(&self.db)
            .await
            .map_err(database)?
            .ok_or_else(|| {
                ApiError::new(ErrorCode::NotFound, format!("no account {account_id}"))
            })?;
        let internal = |e: String| crate::failure::internal("making a key", e);
        let prefix = random_token(6).map_err(internal)?;
        let key = format!("vk_{prefix}.{}", random_token(32).map_err(internal)?);
        api_key::ActiveModel {
            id: NotSet,
            account_id: Set(account_id),
            prefix: Set(prefix),
            key_hash: Set(digest(&key)),
            scope: Set(scope.to_owned()),
            name: Set(name.to_owned()),
            created_at: Set(Utc::now()),
            revoked_at: Set(None),
        }
        .insert(&self.db)
        .await
        .map_err(database)?;
        Ok(key)
    }

    /// Checks a password and opens a session. Wrong credentials say nothing about which part
    /// was wrong; after `login_max_failures` failures an e-mail waits out the window.
    ///
    /// # Errors
    /// `unauthorized` for wrong credentials, `too_many_requests` while throttled.
    pub async fn login(&self, email: &str, password: &str) -> Result<NewSession, ApiError> {
        let email = email.trim().to_lowercase();
        let failures = self.failures.get(&email).unwrap_or(0);
        if failures >= self.settings.login_max_failures {
            return Err(ApiError::new(
                ErrorCode::TooManyRequests,
                "too many failed logins for this account; try again later",
            ));
        }
        let found = account::Entity::find()
            .filter(account::Column::Email.eq(&email))
            .one(&self.db)
            .await
            .map_err(database)?;
        // Hash even for an unknown e-mail, so timing does not tell which accounts exist.
        let stored = found
            .as_ref()
            .map_or_else(|| DUMMY_HASH.to_owned(), |a| a.password_hash.clone());
        let password = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || verify_password(&password, &stored))
            .await
            .unwrap_or(false);
        let Some(account) = found.filter(|_| ok) else {
            self.failures.insert(email, failures + 1);
            return Err(ApiError::new(
                ErrorCode::Unauthorized,
                "wrong e-mail or password",
            ));
        };
        self.failures.invalidate(&email);
        let token =
            random_token(32).map_err(|e| crate::failure::internal("making a session", e))?;
        let now = Utc::now();
        let ttl = chrono::Duration::hours(i64::from(self.settings.session_ttl_hours));
        session::ActiveModel {
            token_hash: Set(digest(&token)),
            account_id: Set(account.id),
            created_at: Set(now),
            expires_at: Set(now + ttl),
        }
        .insert(&self.db)
        .await
        .map_err(database)?;
        let mut active = account.into_active_model();
        active.last_login_at = Set(Some(now));
        active.update(&self.db).await.map_err(database)?;
        Ok(NewSession {
            token,
            max_age_secs: ttl.num_seconds(),
        })
    }

    /// Ends the session of `token` (nothing happens for an unknown one).
    ///
    /// # Errors
    /// The database's.
    pub async fn logout(&self, token: &str) -> Result<(), ApiError> {
        let hash = digest(token);
        self.resolved.invalidate(&hash);
        session::Entity::delete_by_id(hash)
            .exec(&self.db)
            .await
            .map_err(database)?;
        Ok(())
    }

    /// The caller of an API key or a session token; `Anonymous` for anything unknown, revoked
    /// or expired.
    pub async fn resolve(&self, bearer: Option<&str>, cookie: Option<&str>) -> Caller {
        self.resolve_hashed(bearer.map(digest), cookie).await
    }

    /// As [`Self::resolve`], with the key already digested.
    async fn resolve_hashed(&self, key_hash: Option<String>, cookie: Option<&str>) -> Caller {
        let found = match (key_hash, cookie) {
            (Some(hash), _) => self.cached(hash, Self::key_caller).await,
            (None, Some(token)) => self.cached(digest(token), Self::session_caller).await,
            (None, None) => return Caller::Anonymous,
        };
        found.unwrap_or_else(|error| {
            tracing::warn!(%error, "resolving a caller failed");
            Caller::Anonymous
        })
    }

    async fn cached<'a, F, Fut>(&'a self, hash: String, lookup: F) -> Result<Caller, ApiError>
    where
        F: FnOnce(&'a Self, String) -> Fut,
        Fut: std::future::Future<Output = Result<Caller, ApiError>>,
    {
        if let Some(caller) = self.resolved.get(&hash) {
            return Ok(caller);
        }
        let caller = lookup(self, hash.clone()).await?;
        self.resolved.insert(hash, caller.clone());
        Ok(caller)
    }

    async fn key_caller(&self, hash: String) -> Result<Caller, ApiError> {
        let Some(key) = api_key::Entity::find()
            .filter(api_key::Column::KeyHash.eq(hash))
            .filter(api_key::Column::RevokedAt.is_null())
            .one(&self.db)
            .await
            .map_err(database)?
        else {
            return Ok(Caller::Anonymous);
        };
        let account = account::Entity::find_by_id(key.account_id)
            .one(&self.db)
            .await
            .map_err(database)?;
        Ok(match (key.scope.as_str(), account) {
            ("feed", Some(a)) => Caller::FeedClient {
                account_id: a.id,
                key_id: key.id,
            },
            ("analytics", Some(a)) => account_caller(&a),
            ("catalogue", Some(a)) => Caller::CatalogueClient {
                account_id: a.id,
                key_id: key.id,
            },
            _ => Caller::Anonymous,
        })
    }

    async fn session_caller(&self, hash: String) -> Result<Caller, ApiError> {
        let Some(s) = session::Entity::find_by_id(hash)
            .one(&self.db)
            .await
            .map_err(database)?
        else {
            return Ok(Caller::Anonymous);
        };
        if s.expires_at <= Utc::now() {
            return Ok(Caller::Anonymous);
        }
        let account = account::Entity::find_by_id(s.account_id)
            .one(&self.db)
            .await
            .map_err(database)?;
        Ok(account.as_ref().map_or(Caller::Anonymous, account_caller))
    }
}

fn account_caller(a: &account::Model) -> Caller {
    match (a.role.as_str(), a.advertiser_id) {
        ("admin", _) => Caller::Admin { account_id: a.id },
        ("advertiser", Some(advertiser_id)) => Caller::Advertiser {
            account_id: a.id,
            advertiser_id,
        },
        _ => Caller::Anonymous,
    }
}

/// A valid argon2id hash of a random string, verified against when the e-mail is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1bXvZ0b8Qy0n7eI1oKp6oV8n3b9dVq9c6m9C0o2W2k0";

#[path = "store_limits.rs"]
mod limits;
