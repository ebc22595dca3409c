//! Impression tokens: the feed signs each sponsored slot it serves, and only events that carry
//! a valid token for their slot cost money or count in campaign reports.
//!
//! A token is `v1.<key id>.<claims>.<mac>`:
//! - `claims` is base64url (no padding) of a JSON object: `user_id` (external), `item_id`,
//!   `campaign_id`, `creative_id`, `model_version`, `served_at` (Unix seconds) and `nonce`;
//! - `mac` is base64url of HMAC-SHA-256 under the secret, over `v1.<key id>.<claims>`;
//! - the key id is the first 8 hex digits of the secret's SHA-256, so a verifier picks the
//!   secret that signed it: the current one or the one before a rotation.
//!
//! The token's id (the first 16 bytes of its MAC, hex) is stored with the event it attests,
//! and `(attestation, kind)` is unique in SQL: a token is good once per event kind.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::AuthSettings;

type HmacSha256 = Hmac<Sha256>;

const VERSION: &str = "v1";

/// What a token says about the slot it was served in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpressionClaims {
    pub user_id: String,
    pub item_id: i64,
    pub campaign_id: i32,
    pub creative_id: i32,
    pub model_version: String,
    /// Unix seconds.
    pub served_at: i64,
    /// Random, so that two servings of the same slot are two tokens.
    pub nonce: String,
}

/// A token whose signature checked out.
#[derive(Clone, Debug, PartialEq)]
pub struct Attested {
    pub claims: ImpressionClaims,
    /// Stored with the event as `events.attestation`.
    pub id: String,
}

/// Why a token is not accepted; shown to the caller, who sent it.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("is not an impression token from this feed")]
    Malformed,
    #[error("was signed with a key this server no longer holds (rotated out)")]
    UnknownKey,
    #[error("has a bad signature")]
    BadSignature,
}

struct Key {
    id: String,
    /// Keyed once; each token clones it.
    keyed: HmacSha256,
}

impl Key {
    fn new(secret: &[u8]) -> Result<Self, String> {
        let id = Sha256::digest(secret)
            .iter()
            .take(4)
            .map(|b| format!("{b:02x}"))
            .collect();
        let keyed = HmacSha256::new_from_slice(secret).map_err(|e| e.to_string())?;
        Ok(Self { id, keyed })
    }

    fn mac(&self, signed: &str) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        mac.update(signed.as_bytes());
        mac
    }
}

/// Signs and verifies impression tokens with the configured secrets.
pub struct Attestor {
    current: Key,
    previous: Option<Key>,
}

fn random_bytes(n: usize) -> Result<Vec<u8>, String> {
    let mut raw = vec![0u8; n];
    getrandom::fill(&mut raw).map_err(|e| format!("no randomness for impression tokens: {e}"))?;
    Ok(raw)
}

impl Attestor {
    /// The secrets of `auth`; a random one per process when none is configured.
    ///
    /// # Errors
    /// The operating system's random source failed.
    pub fn new(auth: &AuthSettings) -> Result<Self, String> {
        let current = if auth.impression_secret.is_empty() {
            tracing::warn!(
                "auth.impression_secret is not set: impression tokens use a random secret for \
                 this process only (set one, the same on every replica, in production)"
            );
            random_bytes(32)?
        } else {
            auth.impression_secret.as_bytes().to_vec()
        };
        let previous = if auth.previous_impression_secret.is_empty() {
            None
        } else {
            Some(Key::new(auth.previous_impression_secret.as_bytes())?)
        };
        Ok(Self {
            current: Key::new(&current)?,
            previous,
        })
    }

    /// A fresh nonce for a token.
    ///
    /// # Errors
    /// The operating system's random source failed.
    pub fn nonce() -> Result<String, String> {
        Ok(URL_SAFE_NO_PAD.encode(random_bytes(12)?))
    }

    /// The token for `claims`, under the current secret.
    pub fn sign(&self, claims: &ImpressionClaims) -> String {
        // Claims are plain strings and numbers: serialising them cannot fail.
        let json = serde_json::to_vec(claims).unwrap_or_default();
        let signed = format!(
            "{VERSION}.{}.{}",
            self.current.id,
            URL_SAFE_NO_PAD.encode(json)
        );
        let tag = self.current.mac(&signed).finalize().into_bytes();
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// The claims of a token this server (or a replica with its secret) signed. Whether they
    /// fit the event, and whether the token is still in its window, is the caller's check.
    ///
    /// # Errors
    /// [`TokenError`] for anything but a well-formed token with a good signature.
    pub fn verify(&self, token: &str) -> Result<Attested, TokenError> {
        let mut parts = token.split('.');
        let (Some(VERSION), Some(kid), Some(claims), Some(tag), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(TokenError::Malformed);
        };
        let key = [Some(&self.current), self.previous.as_ref()]
            .into_iter()
            .flatten()
            .find(|k| k.id == kid)
            .ok_or(TokenError::UnknownKey)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| TokenError::Malformed)?;
        key.mac(&format!("{VERSION}.{kid}.{claims}"))
            .verify_slice(&tag)
            .map_err(|_| TokenError::BadSignature)?;
        let json = URL_SAFE_NO_PAD
            .decode(claims)
            .map_err(|_| TokenError::Malformed)?;
        let claims: ImpressionClaims =
            serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
        let id = tag.iter().take(16).map(|b| format!("{b:02x}")).collect();
        Ok(Attested { claims, id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(current: &str, previous: &str) -> AuthSettings {
        AuthSettings {
            impression_secret: current.into(),
            previous_impression_secret: previous.into(),
            ..AuthSettings::default()
        }
    }

    fn claims() -> ImpressionClaims {
        ImpressionClaims {
            user_id: "u-1".into(),
            item_id: 42,
            campaign_id: 3,
            creative_id: 7,
            model_version: "abc123".into(),
            served_at: 1_765_000_000,
            nonce: Attestor::nonce().expect("nonce"),
        }
    }

    const A: &str = "an-impression-secret-of-32-characters!";
    const B: &str = "another-impression-secret-32-characters";

    #[test]
    fn a_signed_token_verifies_to_its_claims_and_nothing_else_does() {
        let attestor = Attestor::new(&settings(A, "")).expect("attestor");
        let claims = claims();
        let token = attestor.sign(&claims);
        let attested = attestor.verify(&token).expect("verifies");
        assert_eq!(attested.claims, claims);
        assert_eq!(attested.id.len(), 32);
        // Two servings of one slot are two tokens, with two ids.
        let again = attestor
            .verify(&attestor.sign(&ImpressionClaims {
                nonce: Attestor::nonce().expect("nonce"),
                ..claims.clone()
            }))
            .expect("verifies");
        assert_ne!(again.id, attested.id);

        // Claims changed under the signature (another item) are refused.
        let parts: Vec<&str> = token.split('.').collect();
        let forged_claims = ImpressionClaims {
            item_id: 43,
            ..claims
        };
        let forged = format!(
            "{}.{}.{}.{}",
            parts[0],
            parts[1],
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged_claims).expect("json")),
            parts[3]
        );
        assert_eq!(attestor.verify(&forged), Err(TokenError::BadSignature));
        for bad in ["", "v1", "v1.x.y", "v2.a.b.c", &format!("{token}.x")] {
            assert!(attestor.verify(bad).is_err(), "{bad}");
        }
        // Another server's secret, with the key id of ours, is a bad signature.
        let other = Attestor::new(&settings(B, "")).expect("attestor");
        let theirs = other.sign(&forged_claims);
        let relabelled = theirs.replacen(&other.current.id, &attestor.current.id, 1);
        assert_eq!(attestor.verify(&relabelled), Err(TokenError::BadSignature));
        assert_eq!(attestor.verify(&theirs), Err(TokenError::UnknownKey));
    }

    #[test]
    fn a_rotation_keeps_the_previous_secrets_tokens_until_it_is_dropped() {
        let before = Attestor::new(&settings(A, "")).expect("attestor");
        let token = before.sign(&claims());
        let rotated = Attestor::new(&settings(B, A)).expect("attestor");
        assert!(rotated.verify(&token).is_ok());
        assert!(rotated.verify(&rotated.sign(&claims())).is_ok());
        let dropped = Attestor::new(&settings(B, "")).expect("attestor");
        assert_eq!(dropped.verify(&token), Err(TokenError::UnknownKey));
        // Without a configured secret each process has its own.
        let (one, two) = (
            Attestor::new(&settings("", "")).expect("attestor"),
            Attestor::new(&settings("", "")).expect("attestor"),
        );
        assert!(two.verify(&one.sign(&claims())).is_err());
    }
}
