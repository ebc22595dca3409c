//! The analytics tests' client: requests with an admin's analytics key, and lookups in the
//! world by name.

use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;
use server::db::entities::{campaign, event};

use crate::http_client::{Response, get_with, post_json_with};
use crate::support::TestApp;

/// An admin's analytics key, as a header value.
pub async fn bearer(app: &TestApp) -> String {
    format!("Bearer {}", app.key("analytics").await)
}

pub async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let auth = bearer(app).await;
    let r = post_json_with(app.addr, path, &body, &[("Authorization", &auth)]).await;
    (r.status, r.json())
}

pub async fn post_csv(app: &TestApp, path: &str, body: Value) -> Response {
    let auth = bearer(app).await;
    post_json_with(
        app.addr,
        path,
        &body,
        &[("Authorization", &auth), ("Accept", "text/csv")],
    )
    .await
}

pub async fn get(app: &TestApp, path: &str) -> Response {
    let auth = bearer(app).await;
    get_with(app.addr, path, &[("Authorization", &auth)]).await
}

pub async fn get_csv(app: &TestApp, path: &str) -> Response {
    let auth = bearer(app).await;
    get_with(
        app.addr,
        path,
        &[("Authorization", &auth), ("Accept", "text/csv")],
    )
    .await
}

pub async fn campaign_id(app: &TestApp, name: &str) -> i32 {
    campaign::Entity::find()
        .filter(campaign::Column::Name.eq(name))
        .one(app.state.db.conn())
        .await
        .expect("query")
        .expect("the campaign exists")
        .id
}

pub async fn raw_count(app: &TestApp, campaign: i32, kind: &str) -> i64 {
    event::Entity::find()
        .filter(event::Column::CampaignId.eq(campaign))
        .filter(event::Column::Kind.eq(kind))
        .count(app.state.db.conn())
        .await
        .expect("count") as i64
}
