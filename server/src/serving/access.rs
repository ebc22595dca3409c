//! The feed's access policy, in one place: who may use the feed, whose feed and events a
//! request may touch, and whose planted tastes it may read.
//!
//! - Through `/api/v1` (a `FeedCaller::Client`) the key decides: a feed client's key or an
//!   admin's may name any user (it is the operator's own backend); any other caller is refused.
//! - Through the browser (a `FeedCaller::Browser`) the feed is the viewer's own: the user a
//!   request names is replaced by the viewer, events must be the viewer's, and conversions
//!   (which carry revenue) are refused. With the `demo` setting on, the "Viewing as" switch
//!   may name any user instead.

use app::error::{ApiError, ErrorCode};
use app::services::{Caller, FeedCaller};
use app::wire::{EventBatch, FeedEventKind};

/// Whether `caller` may use the feed at all.
///
/// # Errors
/// `unauthorized` without a key; `forbidden` for a key of another kind.
pub fn admit(caller: &FeedCaller) -> Result<(), ApiError> {
    match caller {
        FeedCaller::Browser { .. }
        | FeedCaller::Client(Caller::FeedClient { .. } | Caller::Admin { .. }) => Ok(()),
        FeedCaller::Client(Caller::Anonymous) => Err(ApiError::new(
            ErrorCode::Unauthorized,
            "send a feed client's API key: Authorization: Bearer <key>",
        )),
        FeedCaller::Client(Caller::Advertiser { .. } | Caller::CatalogueClient { .. }) => Err(
            ApiError::new(ErrorCode::Forbidden, "this route needs a feed client's key"),
        ),
    }
}

/// The user whose feed is served when the request names `requested`.
///
/// # Errors
/// As [`admit`].
pub fn feed_user(caller: &FeedCaller, demo: bool, requested: String) -> Result<String, ApiError> {
    admit(caller)?;
    Ok(match caller {
        FeedCaller::Browser { viewer } if !demo || requested.trim().is_empty() => viewer.clone(),
        _ => requested,
    })
}

/// Whether `caller` may record `batch`.
///
/// # Errors
/// As [`admit`]; from the browser, `invalid_input` for a conversion and `forbidden` for an
/// event of another user than the viewer (outside the demo).
pub fn events(caller: &FeedCaller, demo: bool, batch: &EventBatch) -> Result<(), ApiError> {
    admit(caller)?;
    let FeedCaller::Browser { viewer } = caller else {
        return Ok(());
    };
    for (i, e) in batch.events.iter().enumerate() {
        if e.kind == FeedEventKind::Conversion || e.revenue.is_some() {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                format!(
                    "events[{i}]: the feed page records impressions, clicks, saves and dwell only"
                ),
            ));
        }
        if !demo && e.user_id != *viewer {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("events[{i}].user_id: the browser records the viewer's own activity only"),
            ));
        }
    }
    Ok(())
}

/// The user whose planted tastes `caller` may read when asking for `requested`: anyone's
/// through a key or in the demo, otherwise only the viewer's own.
///
/// # Errors
/// As [`admit`].
pub fn planted_user(
    caller: &FeedCaller,
    demo: bool,
    requested: String,
) -> Result<Option<String>, ApiError> {
    admit(caller)?;
    Ok(match caller {
        FeedCaller::Browser { viewer } if !demo => (requested == *viewer).then_some(requested),
        _ => Some(requested),
    })
}

#[cfg(test)]
mod tests {
    use app::wire::FeedEvent;

    use super::*;

    fn browser() -> FeedCaller {
        FeedCaller::Browser {
            viewer: "visitor-abc".into(),
        }
    }

    fn batch(user: &str, kind: FeedEventKind) -> EventBatch {
        EventBatch {
            events: vec![FeedEvent {
                kind,
                user_id: user.into(),
                item_id: 1,
                campaign_id: None,
                creative_id: None,
                revenue: None,
                seconds: None,
                occurred_at: None,
                idempotency_key: "k".into(),
                segment: None,
                geo: None,
                model_version: None,
                impression_token: None,
            }],
        }
    }

    #[test]
    fn only_feed_keys_and_admins_reach_the_feed_through_rest() {
        let code = |c: Caller| admit(&FeedCaller::Client(c)).err().map(|e| e.code);
        assert_eq!(code(Caller::Anonymous), Some(ErrorCode::Unauthorized));
        let advertiser = Caller::Advertiser {
            account_id: 1,
            advertiser_id: 2,
        };
        assert_eq!(code(advertiser), Some(ErrorCode::Forbidden));
        let catalogue = Caller::CatalogueClient {
            account_id: 1,
            key_id: 2,
        };
        assert_eq!(code(catalogue), Some(ErrorCode::Forbidden));
        let feed = Caller::FeedClient {
            account_id: 1,
            key_id: 2,
        };
        assert_eq!(code(feed), None);
        assert_eq!(code(Caller::Admin { account_id: 1 }), None);
    }

    #[test]
    fn the_browser_sees_and_writes_only_its_viewer_outside_the_demo() {
        let feed = |demo, user: &str| feed_user(&browser(), demo, user.into()).ok();
        assert_eq!(feed(false, "gen-0000001").as_deref(), Some("visitor-abc"));
        assert_eq!(feed(true, "gen-0000001").as_deref(), Some("gen-0000001"));
        assert_eq!(feed(true, "").as_deref(), Some("visitor-abc"));
        let rest = FeedCaller::Client(Caller::Admin { account_id: 1 });
        assert_eq!(
            feed_user(&rest, false, "gen-0000001".into())
                .ok()
                .as_deref(),
            Some("gen-0000001")
        );

        let code = |demo, b: &EventBatch| events(&browser(), demo, b).err().map(|e| e.code);
        assert_eq!(
            code(false, &batch("visitor-abc", FeedEventKind::Click)),
            None
        );
        let theirs = batch("gen-0000001", FeedEventKind::Click);
        assert_eq!(code(false, &theirs), Some(ErrorCode::Forbidden));
        assert_eq!(code(true, &theirs), None);
        let conversion = batch("visitor-abc", FeedEventKind::Conversion);
        assert_eq!(code(true, &conversion), Some(ErrorCode::InvalidInput));

        let planted = |demo, user: &str| planted_user(&browser(), demo, user.into()).ok().flatten();
        assert_eq!(planted(false, "gen-0000001"), None);
        assert_eq!(planted(true, "gen-0000001").as_deref(), Some("gen-0000001"));
        assert_eq!(
            planted(false, "visitor-abc").as_deref(),
            Some("visitor-abc")
        );
    }
}
