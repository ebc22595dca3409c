use leptos::prelude::*;

use crate::error::ApiError;
use crate::wire::{ModelReport, SessionInfo, SystemReport};

/// The `doctor` report for the System page.
#[server(prefix = "/api/fn", endpoint = "system_report")]
pub async fn fetch_system_report() -> Result<SystemReport, ApiError> {
    let caller = crate::services::caller().await?;
    crate::services::services()?.system.report(&caller).await
}

/// The served model, its index, the agreement check, the curve and the latest evaluation.
#[server(prefix = "/api/fn", endpoint = "model_report")]
pub async fn fetch_model_report() -> Result<ModelReport, ApiError> {
    let caller = crate::services::caller().await?;
    crate::services::services()?
        .system
        .model_report(&caller)
        .await
}

/// The signed-in account's role, or `None`: the navigation's sign-in or sign-out control.
#[server(prefix = "/api/fn", endpoint = "session")]
pub async fn fetch_session() -> Result<Option<SessionInfo>, ApiError> {
    use crate::services::Caller;
    let role = match crate::services::caller().await? {
        Caller::Advertiser { .. } => Some("advertiser"),
        Caller::Admin { .. } => Some("admin"),
        Caller::FeedClient { .. } | Caller::CatalogueClient { .. } | Caller::Anonymous => None,
    };
    Ok(role.map(|role| SessionInfo {
        role: role.to_owned(),
    }))
}
