//! The door table of `doors.rs`: every `/api/v1` route and server function, who may call
//! it, a request to knock with, and what each kind of caller must get.

use serde_json::{Value, json};

use crate::auth_support::{World, experiment_body, study_body};
use crate::http_client::{Response, get_with, post_with};
use crate::support::TestApp;

/// Who may call a door.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Who {
    /// Anyone: the platform's status, this API's description, logging out.
    Anyone,
    /// The browser's feed: anyone, always as themselves (their session or visitor cookie).
    Viewer,
    /// A feed client's key, or an admin.
    FeedKey,
    /// A catalogue key, or an admin.
    CatalogueKey,
    /// An admin only.
    Admin,
    /// An advertiser's own resource: another advertiser's is 403 or 404.
    Tenant,
    /// Any advertiser (their own data only), or an admin.
    Advertiser,
    /// Whoever holds a key or session: their own identity.
    Identified,
    /// Logging in: before a caller exists (a wrong password is 401 for everyone).
    Login,
}

/// The visitor every browser door is knocked as (its cookie), and the feed user it is.
pub const VISITOR: (&str, &str) = ("Cookie", "vitrine_visitor=doorsVisitor0000000000");
pub const VIEWER: &str = "visitor-doorsVisitor0000000000";

pub struct Door {
    pub method: &'static str,
    /// The route as registered (`/api/v1` routes relative to it), or the server function's path.
    pub route: &'static str,
    pub path: String,
    pub body: Option<Value>,
    /// Server functions without `input = Json` take a URL-encoded form.
    pub form: bool,
    pub who: Who,
}

fn door(
    method: &'static str,
    route: &'static str,
    path: String,
    body: Option<Value>,
    who: Who,
) -> Door {
    Door {
        method,
        route,
        path,
        body,
        form: false,
        who,
    }
}

fn rest(method: &'static str, route: &'static str, body: Option<Value>, who: Who) -> Door {
    door(method, route, format!("/api/v1{route}"), body, who)
}

fn function(path: &'static str, body: Value, who: Who) -> Door {
    door("POST", path, path.to_owned(), Some(body), who)
}

fn form_function(path: &'static str, who: Who) -> Door {
    Door {
        form: true,
        ..door("POST", path, path.to_owned(), None, who)
    }
}

pub fn table(w: &World, item: i64) -> Vec<Door> {
    let experiment = experiment_body(w.their_campaign);
    let study = study_body(w.their_campaign);
    let power = json!({"baseline_rate": 0.05, "minimum_relative_lift": 0.1, "alpha": 0.05, "power": 0.8, "ratio": 1.0});
    let feed = json!({"user_id": "gen-0000003", "num_recommendations": 3});
    let events = |user: &str| {
        json!({"events": [{"kind": "click", "user_id": user, "item_id": item,
        "idempotency_key": format!("doors-click-{user}")}]})
    };
    vec![
        rest("GET", "/system", None, Who::Anyone),
        rest("GET", "/system/model", None, Who::Anyone),
        rest("GET", "/openapi.json", None, Who::Anyone),
        rest("POST", "/recommend", Some(feed.clone()), Who::FeedKey),
        rest(
            "POST",
            "/similar",
            Some(json!({"item_id": item, "k": 3})),
            Who::FeedKey,
        ),
        rest("POST", "/events", Some(events("gen-0000003")), Who::FeedKey),
        rest(
            "POST",
            "/auth/login",
            Some(json!({"email": "nobody@doors.example", "password": "not the password"})),
            Who::Login,
        ),
        rest("POST", "/auth/logout", None, Who::Anyone),
        rest("GET", "/auth/me", None, Who::Identified),
        rest(
            "POST",
            "/analytics/campaign",
            Some(json!({"campaign_id": w.their_campaign})),
            Who::Tenant,
        ),
        rest(
            "POST",
            "/analytics/campaigns",
            Some(json!({})),
            Who::Advertiser,
        ),
        rest("GET", "/experiments", None, Who::Advertiser),
        rest(
            "POST",
            "/experiments",
            Some(experiment.clone()),
            Who::Tenant,
        ),
        rest(
            "POST",
            "/experiments/power",
            Some(power.clone()),
            Who::Advertiser,
        ),
        rest(
            "POST",
            "/experiments/models",
            Some(json!({"name": "x", "hypothesis": "h", "treatment": "abc"})),
            Who::Admin,
        ),
        door(
            "GET",
            "/experiments/{id}/results",
            format!("/api/v1/experiments/{}/results", w.their_experiment),
            None,
            Who::Tenant,
        ),
        door(
            "GET",
            "/experiments/{id}/assignment",
            format!(
                "/api/v1/experiments/{}/assignment?user_id=u1",
                w.their_experiment
            ),
            None,
            Who::Tenant,
        ),
        rest("GET", "/studies", None, Who::Advertiser),
        rest("POST", "/studies", Some(study.clone()), Who::Tenant),
        door(
            "GET",
            "/studies/{id}/results",
            format!("/api/v1/studies/{}/results", w.their_study),
            None,
            Who::Tenant,
        ),
        rest(
            "POST",
            "/catalogue/items",
            Some(json!({"items": []})),
            Who::CatalogueKey,
        ),
        rest(
            "PUT",
            "/catalogue/items",
            Some(json!({"items": []})),
            Who::CatalogueKey,
        ),
        rest(
            "POST",
            "/catalogue/items/retire",
            Some(json!({"external_ids": []})),
            Who::CatalogueKey,
        ),
        rest(
            "POST",
            "/catalogue/users",
            Some(json!({"user_ids": []})),
            Who::CatalogueKey,
        ),
        door(
            "DELETE",
            "/users/{user_id}",
            "/api/v1/users/no-such-user".into(),
            None,
            Who::Admin,
        ),
        function("/api/fn/recommend", json!({"request": feed}), Who::Viewer),
        function(
            "/api/fn/similar",
            json!({"request": {"item_id": item, "k": 3}}),
            Who::Viewer,
        ),
        function("/api/fn/categories", json!({}), Who::Viewer),
        function("/api/fn/feed_viewer", json!({}), Who::Viewer),
        function(
            "/api/fn/planted_tastes",
            json!({"user_id": "gen-0000003"}),
            Who::Viewer,
        ),
        function(
            "/api/fn/feed_events",
            json!({"batch": events(VIEWER)}),
            Who::Viewer,
        ),
        form_function("/api/fn/system_report", Who::Anyone),
        form_function("/api/fn/model_report", Who::Anyone),
        form_function("/api/fn/session", Who::Anyone),
        function(
            "/api/fn/campaign_list",
            json!({"request": {}}),
            Who::Advertiser,
        ),
        function(
            "/api/fn/campaign_report",
            json!({"request": {"campaign_id": w.their_campaign}}),
            Who::Tenant,
        ),
        function(
            "/api/fn/create_experiment",
            json!({"request": experiment}),
            Who::Tenant,
        ),
        function(
            "/api/fn/experiment_results",
            json!({"id": w.their_experiment}),
            Who::Tenant,
        ),
        function("/api/fn/experiment_list", json!({}), Who::Advertiser),
        function("/api/fn/power", json!({"request": power}), Who::Advertiser),
        function(
            "/api/fn/create_study",
            json!({"request": study}),
            Who::Tenant,
        ),
        function(
            "/api/fn/study_results",
            json!({"id": w.their_study}),
            Who::Tenant,
        ),
        function("/api/fn/study_list", json!({}), Who::Advertiser),
    ]
}

pub async fn knock(app: &TestApp, d: &Door, headers: &[(&str, &str)]) -> Response {
    if d.method == "GET" {
        return get_with(app.addr, &d.path, headers).await;
    }
    let (content_type, body) = if d.form {
        ("application/x-www-form-urlencoded", String::new())
    } else {
        (
            "application/json",
            d.body.clone().unwrap_or_else(|| json!({})).to_string(),
        )
    };
    if d.method == "DELETE" {
        return crate::http_client::delete_with(app.addr, &d.path, headers).await;
    }
    let mut all = headers.to_vec();
    all.push(VISITOR);
    if d.method == "PUT" {
        return crate::http_client::put_json_with(
            app.addr,
            &d.path,
            d.body.as_ref().unwrap_or(&json!({})),
            headers,
        )
        .await;
    }
    post_with(app.addr, &d.path, content_type, body.as_bytes(), &all).await
}

/// What each caller must get, in the order nobody, another advertiser, a feed key, a
/// catalogue key, an admin: `Some(statuses)` the door must answer with, `None` for "gets past
/// the check" (no 401, 403 or 429).
pub fn expected(who: Who) -> [Option<&'static [u16]>; 5] {
    const PASS: Option<&[u16]> = None;
    const NO: Option<&[u16]> = Some(&[401]);
    const DENIED: Option<&[u16]> = Some(&[403]);
    match who {
        Who::Anyone | Who::Viewer => [PASS; 5],
        Who::FeedKey => [NO, DENIED, PASS, DENIED, PASS],
        Who::CatalogueKey => [NO, DENIED, DENIED, PASS, PASS],
        Who::Admin => [NO, DENIED, DENIED, DENIED, PASS],
        Who::Tenant => [NO, Some(&[403, 404]), DENIED, DENIED, PASS],
        Who::Advertiser => [NO, PASS, DENIED, DENIED, PASS],
        Who::Identified => [NO, PASS, PASS, PASS, PASS],
        Who::Login => [NO; 5],
    }
}

pub fn by_route(doors: &[Door], route: &str) -> Door {
    let d = doors
        .iter()
        .find(|d| d.route == route)
        .expect("in the table");
    Door {
        path: d.path.clone(),
        body: d.body.clone(),
        ..*d
    }
}
