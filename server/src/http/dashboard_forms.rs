//! The dashboard's and the feed's plain HTML forms, so they work with JavaScript off: a new
//! causal study (`POST /forms/study`) and saving an item (`POST /forms/save`). Each answers
//! with a redirect; a refused study comes back to `/studies` with the message and what was
//! entered, which the page puts back in the form. The checks are the services'.

use app::error::ErrorCode;
use app::services::{FeedCaller, Viewer};
use app::wire::{CreateStudy, EventBatch, FeedEvent, FeedEventKind, StudyMethod, StudyOutcome};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::auth_api::Who;
use super::session_forms::local;
use crate::state::AppState;

/// The form's fields in order; a field may repeat (the geo checkboxes).
fn fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn one<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn all(fields: &[(String, String)], name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

/// What the form holds, or the first thing wrong with it in words.
fn study_request(f: &[(String, String)]) -> Result<CreateStudy, String> {
    let method = match one(f, "method") {
        "did" => StudyMethod::Did,
        "synthetic_control" => StudyMethod::SyntheticControl,
        _ => return Err("choose a method".into()),
    };
    let outcome = match one(f, "outcome") {
        "impressions" => StudyOutcome::Impressions,
        "clicks" => StudyOutcome::Clicks,
        "conversions" => StudyOutcome::Conversions,
        "spend" => StudyOutcome::Spend,
        "revenue" => StudyOutcome::Revenue,
        _ => return Err("choose an outcome".into()),
    };
    let campaign_id = one(f, "campaign_id")
        .parse()
        .map_err(|_| "choose a campaign".to_owned())?;
    Ok(CreateStudy {
        name: one(f, "name").to_owned(),
        method,
        campaign_id,
        outcome,
        treated: all(f, "treated"),
        control: all(f, "control"),
        intervention_date: one(f, "intervention_date").to_owned(),
    })
}

pub(super) async fn create_study(
    State(state): State<AppState>,
    Who(caller): Who,
    body: Bytes,
) -> Response {
    let f = fields(&body);
    let refused = |message: &str| {
        let mut back = form_urlencoded::Serializer::new(String::new());
        back.append_pair("error", message);
        for (k, v) in f.iter().filter(|(k, _)| k != "error") {
            back.append_pair(k, v);
        }
        Redirect::to(&format!("/studies?{}#new-study", back.finish())).into_response()
    };
    let request = match study_request(&f) {
        Ok(request) => request,
        Err(message) => return refused(&message),
    };
    match state
        .services
        .analytics
        .create_study(&caller, request)
        .await
    {
        Ok(study) => Redirect::to(&format!("/studies/{}", study.id)).into_response(),
        Err(e) if e.code == ErrorCode::Unauthorized => {
            Redirect::to("/login?next=/studies").into_response()
        }
        Err(e) => refused(&e.message),
    }
}

/// Saves an item for a user: the key names the user and the item, so saving twice is one save.
/// The user is the viewer's (the demo may name another, as its feed does).
pub(super) async fn save_item(
    State(state): State<AppState>,
    Extension(Viewer(viewer)): Extension<Viewer>,
    body: Bytes,
) -> Response {
    let f = fields(&body);
    let back = local(one(&f, "back"), "/").to_owned();
    let named = one(&f, "user_id");
    let user_id = if named.is_empty() {
        viewer.as_str()
    } else {
        named
    };
    let item = one(&f, "item_id").parse::<i64>();
    let Ok(item_id) = item else {
        return Redirect::to(&back).into_response();
    };
    let event = FeedEvent {
        kind: FeedEventKind::Save,
        user_id: user_id.to_owned(),
        item_id,
        campaign_id: None,
        creative_id: None,
        revenue: None,
        seconds: None,
        occurred_at: None,
        idempotency_key: format!("save:{user_id}:{item_id}"),
        segment: None,
        geo: None,
        model_version: None,
        impression_token: None,
    };
    let batch = EventBatch {
        events: vec![event],
    };
    if let Err(e) = batch.validate() {
        tracing::debug!(code = %e.code, "a save form was refused");
    } else if let Err(e) = state
        .services
        .feed
        .record_events(&FeedCaller::Browser { viewer }, batch)
        .await
    {
        tracing::debug!(code = %e.code, "a save form was refused");
    }
    Redirect::to(&back).into_response()
}
