use leptos::prelude::*;

use crate::error::ApiError;
use crate::wire::SystemReport;

/// The `doctor` report for the System page.
#[server(prefix = "/api/fn", endpoint = "system_report")]
pub async fn fetch_system_report() -> Result<SystemReport, ApiError> {
    crate::services::services()?.system.report().await
}
