//! `POST /beacon/dwell`: the Feed page's dwell beacons. `navigator.sendBeacon` posts plain
//! text and reads no answer, so the body is parsed as JSON whatever its content type; the
//! answer (the events report, or a JSON error) is for tests and anyone reading the network log.
//! Only dwell events are taken here, the viewer's own (`visitor`); they go through the same
//! validation and events service as `POST /api/v1/events`, so a retried beacon (the same
//! keys) is counted once.

use app::error::ErrorCode;
use app::services::{FeedCaller, Viewer};
use app::wire::{EventBatch, EventsReport, FeedEventKind};
use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;

use super::HttpError;
use crate::state::AppState;

pub(super) async fn dwell(
    State(state): State<AppState>,
    Extension(Viewer(viewer)): Extension<Viewer>,
    body: Bytes,
) -> Result<Json<EventsReport>, HttpError> {
    let invalid = |message: String| HttpError::new(ErrorCode::InvalidInput, message);
    let batch: EventBatch = serde_json::from_slice(&body)
        .map_err(|e| invalid(format!("a dwell beacon is a JSON event batch: {e}")))?;
    if let Some(i) = batch
        .events
        .iter()
        .position(|e| e.kind != FeedEventKind::Dwell || e.revenue.is_some())
    {
        return Err(invalid(format!(
            "events[{i}]: a dwell beacon carries dwell events only"
        )));
    }
    let caller = FeedCaller::Browser { viewer };
    Ok(Json(
        state.services.feed.record_events(&caller, batch).await?,
    ))
}
