//! The auth tests' world: another advertiser's resources, the table of every advertiser
//! route, accounts and logins.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use server::db::entities::{advertiser, campaign, causal_study, experiment};

use crate::http_client::{Response, get_with, post_json_with};
use crate::support::TestApp;

/// Routes that are not an advertiser's, and why.
pub const NOT_TENANT_ROUTES: [(&str, &str, &str); 19] = [
    (
        "POST",
        "/catalogue/items",
        "catalogue keys only (catalogue.rs)",
    ),
    (
        "PUT",
        "/catalogue/items",
        "catalogue keys only (catalogue_update.rs)",
    ),
    (
        "POST",
        "/experiments/models",
        "admins only: the feed's model experiments (model_experiment.rs)",
    ),
    (
        "POST",
        "/catalogue/items/retire",
        "catalogue keys only (catalogue.rs)",
    ),
    (
        "POST",
        "/catalogue/users",
        "catalogue keys only (catalogue.rs)",
    ),
    (
        "GET",
        "/experiments",
        "lists the caller's own experiments only (dashboard_pages.rs)",
    ),
    (
        "GET",
        "/studies",
        "lists the caller's own studies only (dashboard_pages.rs)",
    ),
    ("GET", "/system/model", "the platform's model and index"),
    (
        "POST",
        "/analytics/campaigns",
        "lists the caller's own campaigns only (tested below)",
    ),
    (
        "DELETE",
        "/users/{user_id}",
        "admins only (the deletion tests)",
    ),
    ("GET", "/system", "the platform's status"),
    ("GET", "/openapi.json", "this API's description"),
    ("POST", "/recommend", "the feed"),
    ("POST", "/similar", "the feed"),
    ("POST", "/events", "feed clients' keys only (tested below)"),
    ("POST", "/auth/login", "before a caller exists"),
    ("POST", "/auth/logout", "ends the caller's own session"),
    ("GET", "/auth/me", "the caller's own identity"),
    (
        "POST",
        "/experiments/power",
        "reads nothing stored (any advertiser may use it)",
    ),
];

/// Another advertiser's resources, and one of the caller's own.
pub struct World {
    pub own_campaign: i32,
    pub their_campaign: i32,
    pub their_experiment: i32,
    pub their_study: i32,
}

pub async fn world(app: &TestApp, own: &str) -> World {
    let db = app.state.db.conn();
    let mine = advertiser::Entity::find()
        .filter(advertiser::Column::Name.eq(own))
        .one(db)
        .await
        .expect("q")
        .expect("the advertiser");
    let campaigns = campaign::Entity::find().all(db).await.expect("campaigns");
    let own_campaign = campaigns
        .iter()
        .find(|c| c.advertiser_id == mine.id)
        .expect("own")
        .id;
    let their_campaign = campaigns
        .iter()
        .find(|c| c.advertiser_id != mine.id)
        .expect("theirs")
        .id;
    let their_experiment = experiment::Entity::find()
        .all(db)
        .await
        .expect("q")
        .into_iter()
        .find(|x| x.advertiser_id != Some(mine.id))
        .expect("an experiment of another advertiser")
        .id;
    let their_study = causal_study::Entity::find()
        .all(db)
        .await
        .expect("q")
        .into_iter()
        .find(|s| s.advertiser_id != mine.id)
        .expect("a study of another advertiser")
        .id;
    World {
        own_campaign,
        their_campaign,
        their_experiment,
        their_study,
    }
}

/// A valid new experiment on `campaign_id`.
pub fn experiment_body(campaign_id: i32) -> Value {
    json!({"name": "x", "campaign_id": campaign_id, "primary_metric": "ctr",
        "arms": [{"name": "a", "weight": 1.0}, {"name": "b", "weight": 1.0}]})
}

/// A valid new difference-in-differences study on `campaign_id`.
pub fn study_body(campaign_id: i32) -> Value {
    json!({"name": "x", "method": "did", "campaign_id": campaign_id, "outcome": "clicks",
        "treated": ["CA"], "control": ["TX"], "intervention_date": "2026-10-14"})
}

/// Every advertiser route: (method, route, the request to make against another's resource).
pub fn tenant_routes(w: &World) -> Vec<(&'static str, &'static str, String, Option<Value>)> {
    let experiment = experiment_body(w.their_campaign);
    let study = study_body(w.their_campaign);
    vec![
        (
            "POST",
            "/analytics/campaign",
            "/api/v1/analytics/campaign".into(),
            Some(json!({"campaign_id": w.their_campaign})),
        ),
        (
            "POST",
            "/experiments",
            "/api/v1/experiments".into(),
            Some(experiment),
        ),
        (
            "GET",
            "/experiments/{id}/results",
            format!("/api/v1/experiments/{}/results", w.their_experiment),
            None,
        ),
        (
            "GET",
            "/experiments/{id}/assignment",
            format!(
                "/api/v1/experiments/{}/assignment?user_id=u1",
                w.their_experiment
            ),
            None,
        ),
        ("POST", "/studies", "/api/v1/studies".into(), Some(study)),
        (
            "GET",
            "/studies/{id}/results",
            format!("/api/v1/studies/{}/results", w.their_study),
            None,
        ),
    ]
}

pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> Response {
    match (method, body) {
        ("GET", _) => get_with(app.addr, path, headers).await,
        (_, Some(body)) => post_json_with(app.addr, path, body, headers).await,
        (_, None) => post_json_with(app.addr, path, &json!({}), headers).await,
    }
}

/// An advertiser account of `name` with a password, and an analytics key of it.
pub async fn advertiser_account(app: &TestApp, name: &str, email: &str) -> (String, String) {
    let db = app.state.db.conn();
    let a = advertiser::Entity::find()
        .filter(advertiser::Column::Name.eq(name))
        .one(db)
        .await
        .expect("q")
        .expect("advertiser");
    let password = format!("pw-{email}-0123456789");
    let account = app
        .state
        .auth
        .create_account(email, &password, "advertiser", Some(a.id))
        .await
        .expect("account");
    let key = app
        .state
        .auth
        .create_key(account.id, "analytics", "test")
        .await
        .expect("key");
    (password, key)
}

pub async fn login(app: &TestApp, email: &str, password: &str) -> Response {
    post_json_with(
        app.addr,
        "/api/v1/auth/login",
        &json!({"email": email, "password": password}),
        &[],
    )
    .await
}
