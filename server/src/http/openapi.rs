//! The OpenAPI document of `/api/v1`, generated from the handlers' `utoipa::path` annotations
//! and the wire types' schemas.

use utoipa::OpenApi;

use super::{analytics_api, api, auth_api, catalogue_api, models_api, users_api};

/// A picture query: the multipart form of `POST /api/v1/similar`.
#[derive(utoipa::ToSchema)]
pub struct PictureUpload {
    /// PNG or JPEG bytes.
    #[schema(value_type = String, format = Binary)]
    pub image: Vec<u8>,
    pub k: Option<usize>,
    pub category: Option<String>,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Vitrine API", description = "The discovery feed, advertiser analytics and the platform's status, for machines."),
    paths(
        api::system_report, api::model_report, api::openapi, api::recommend, api::similar, api::events,
        auth_api::login, auth_api::logout, auth_api::me,
        analytics_api::campaign_report, analytics_api::campaign_list, analytics_api::experiment_list,
        analytics_api::study_list, analytics_api::create_experiment,
        analytics_api::experiment_results, analytics_api::assignment, analytics_api::power,
        analytics_api::create_study, analytics_api::study_results, users_api::delete_user,
        catalogue_api::add_items, catalogue_api::update_items, catalogue_api::retire_items, catalogue_api::add_users,
        models_api::create_model_experiment),
    components(schemas(PictureUpload)),
    tags(
        (name = "feed", description = "recommendations, more like this, feed events"),
        (name = "auth", description = "sessions for the dashboard"),
        (name = "analytics", description = "campaign reports, experiments, causal studies"),
        (name = "users", description = "erasing a feed user (admin)"),
        (name = "catalogue", description = "new items and users, retiring items (catalogue key)"),
        (name = "system", description = "the stack and this document"))
)]
pub struct ApiDoc;
