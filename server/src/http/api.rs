//! `/api/v1`: the REST surface for machines. Handlers call the same services as the server
//! functions and map errors through `HttpError`. Every route is registered through
//! [`ApiRoutes`], which records it, so that a test can hold the router and the OpenAPI
//! document (generated from the handlers' annotations) to each other.

use app::error::ErrorCode;
use app::services::FeedCaller;
use app::wire::{
    EventBatch, EventsReport, ModelReport, RecommendRequest, RecommendResponse, SimilarRequest,
    SimilarResponse, SystemReport,
};
use axum::extract::{FromRequest, Multipart, OriginalUri, Request, State};
use axum::http::{Method, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete, get, post, put};
use axum::{Json, Router};
use utoipa::OpenApi;

use super::auth_api::Who;
use super::openapi::{ApiDoc, PictureUpload};
use super::{HttpError, analytics_api, auth_api, catalogue_api, models_api, users_api};
use crate::state::AppState;

/// The router under construction, and the `(method, path)` of every route put in it.
pub struct ApiRoutes {
    router: Router<AppState>,
    pub routes: Vec<(Method, &'static str)>,
}

impl ApiRoutes {
    fn route(
        mut self,
        method: Method,
        path: &'static str,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.routes.push((method, path));
        self.router = self.router.route(path, handler);
        self
    }
}

/// Every `/api/v1` route (paths relative to `/api/v1`).
pub fn routes() -> ApiRoutes {
    ApiRoutes {
        router: Router::new(),
        routes: Vec::new(),
    }
    .route(Method::GET, "/system", get(system_report))
    .route(Method::GET, "/system/model", get(model_report))
    .route(Method::GET, "/openapi.json", get(openapi))
    .route(Method::POST, "/recommend", post(recommend))
    .route(Method::POST, "/similar", post(similar))
    .route(Method::POST, "/events", post(events))
    .route(Method::POST, "/auth/login", post(auth_api::login))
    .route(Method::POST, "/auth/logout", post(auth_api::logout))
    .route(Method::GET, "/auth/me", get(auth_api::me))
    .route(
        Method::POST,
        "/analytics/campaign",
        post(analytics_api::campaign_report),
    )
    .route(
        Method::POST,
        "/analytics/campaigns",
        post(analytics_api::campaign_list),
    )
    .route(
        Method::GET,
        "/experiments",
        get(analytics_api::experiment_list),
    )
    .route(
        Method::POST,
        "/experiments",
        post(analytics_api::create_experiment),
    )
    .route(
        Method::POST,
        "/experiments/power",
        post(analytics_api::power),
    )
    .route(
        Method::POST,
        "/experiments/models",
        post(models_api::create_model_experiment),
    )
    .route(
        Method::GET,
        "/experiments/{id}/results",
        get(analytics_api::experiment_results),
    )
    .route(
        Method::GET,
        "/experiments/{id}/assignment",
        get(analytics_api::assignment),
    )
    .route(Method::GET, "/studies", get(analytics_api::study_list))
    .route(Method::POST, "/studies", post(analytics_api::create_study))
    .route(
        Method::POST,
        "/catalogue/items",
        post(catalogue_api::add_items),
    )
    .route(
        Method::PUT,
        "/catalogue/items",
        put(catalogue_api::update_items),
    )
    .route(
        Method::POST,
        "/catalogue/items/retire",
        post(catalogue_api::retire_items),
    )
    .route(
        Method::POST,
        "/catalogue/users",
        post(catalogue_api::add_users),
    )
    .route(
        Method::DELETE,
        "/users/{user_id}",
        delete(users_api::delete_user),
    )
    .route(
        Method::GET,
        "/studies/{id}/results",
        get(analytics_api::study_results),
    )
}

pub fn router() -> Router<AppState> {
    routes().router.fallback(unknown_route)
}

/// JSON in, with every rejection (syntax, a wrong or unknown field, no JSON content type)
/// answered as a JSON error rather than axum's plain text.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    Json<T>: FromRequest<S, Rejection = axum::extract::rejection::JsonRejection>,
    S: Send + Sync,
{
    type Rejection = HttpError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(JsonRejection::MissingJsonContentType(e)) => Err(HttpError::new(
                ErrorCode::UnsupportedMediaType,
                e.body_text(),
            )),
            Err(e) => Err(HttpError::new(ErrorCode::InvalidInput, e.body_text())),
        }
    }
}

/// `GET /api/v1/system`: what `vitrine doctor` reports.
#[utoipa::path(get, path = "/api/v1/system", tag = "system",
    responses((status = 200, body = SystemReport),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn system_report(
    State(state): State<AppState>,
    Who(caller): Who,
) -> Result<Json<SystemReport>, HttpError> {
    Ok(Json(state.services.system.report(&caller).await?))
}

/// `GET /api/v1/system/model`: the served model, its index, what `doctor` finds between SQL
/// and LanceDB, the training curve (SVG) and the latest evaluation report.
#[utoipa::path(get, path = "/api/v1/system/model", tag = "system",
    responses((status = 200, body = ModelReport),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn model_report(
    State(state): State<AppState>,
    Who(caller): Who,
) -> Result<Json<ModelReport>, HttpError> {
    Ok(Json(state.services.system.model_report(&caller).await?))
}

/// `GET /api/v1/openapi.json`: this API, described.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system",
    responses((status = 200, description = "the OpenAPI 3.1 document"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn openapi() -> Response {
    match ApiDoc::openapi().to_json() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => HttpError::from(crate::failure::internal("writing the OpenAPI document", e))
            .into_response(),
    }
}

/// `POST /api/v1/recommend`: a page of the user's feed; `next_cursor` asks for the next.
#[utoipa::path(post, path = "/api/v1/recommend", tag = "feed",
    request_body = RecommendRequest,
    responses(
        (status = 200, body = RecommendResponse),
        (status = 400, description = "malformed JSON, num_recommendations outside 1..=1000, an unknown category or cursor"),
        (status = 401, description = "no feed client's key"),
        (status = 429, description = "the key is over its rate limit"),
        (status = 503, description = "no index has been built yet: run `vitrine index`"),
        (status = 403, description = "a key of another kind (analytics, catalogue)")))]
pub(super) async fn recommend(
    State(state): State<AppState>,
    Who(caller): Who,
    ApiJson(request): ApiJson<RecommendRequest>,
) -> Result<Response, HttpError> {
    // The serving engine itself rather than the `FeedService` trait: it hands out the page's
    // JSON bytes, kept from an earlier request when the feed is warm. The same policy decides.
    let caller = FeedCaller::Client(caller);
    crate::serving::access::admit(&caller)?;
    let body = state.serving.recommend_json(request).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `POST /api/v1/similar`: items like an item or a text (JSON), or a picture (multipart, the
/// file in field `image`, optional fields `k` and `category`).
#[utoipa::path(post, path = "/api/v1/similar", tag = "feed",
    request_body(content(
        (SimilarRequest = "application/json"),
        (PictureUpload = "multipart/form-data"))),
    responses(
        (status = 200, body = SimilarResponse),
        (status = 400, description = "not exactly one query, an unreadable picture, a bad k"),
        (status = 401, description = "no feed client's key"),
        (status = 404, description = "an item that is not in the index"),
        (status = 503, description = "no index has been built yet: run `vitrine index`"),
        (status = 403, description = "a key of another kind (analytics, catalogue)"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn similar(
    State(state): State<AppState>,
    Who(caller): Who,
    request: Request,
) -> Result<Json<SimilarResponse>, HttpError> {
    let caller = FeedCaller::Client(caller);
    crate::serving::access::admit(&caller)?;
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let feed = &state.services.feed;
    if !multipart {
        let ApiJson(body) = ApiJson::<SimilarRequest>::from_request(request, &state).await?;
        return Ok(Json(feed.similar(&caller, body).await?));
    }
    let bad = |m: String| HttpError::new(ErrorCode::InvalidInput, m);
    let mut form = Multipart::from_request(request, &state)
        .await
        .map_err(|e| bad(e.body_text()))?;
    let (mut picture, mut k, mut category) = (None, None, None);
    while let Some(field) = form.next_field().await.map_err(|e| bad(e.body_text()))? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| bad(e.body_text()))?;
        match name.as_str() {
            "image" => picture = Some(bytes.to_vec()),
            "k" => {
                let text = String::from_utf8_lossy(&bytes);
                k = Some(
                    text.trim()
                        .parse::<usize>()
                        .map_err(|_| bad(format!("k `{text}` is not a number")))?,
                );
            }
            "category" => category = Some(String::from_utf8_lossy(&bytes).into_owned()),
            other => return Err(bad(format!("unexpected form field `{other}`"))),
        }
    }
    let picture = picture.ok_or_else(|| bad("the form has no `image` file".into()))?;
    Ok(Json(
        feed.similar_to_picture(&caller, picture, k, category)
            .await?,
    ))
}

/// `POST /api/v1/events`: impressions, clicks, saves and conversions, stored all or nothing.
#[utoipa::path(post, path = "/api/v1/events", tag = "feed",
    request_body = EventBatch,
    responses(
        (status = 200, body = EventsReport),
        (status = 400, description = "malformed JSON, an empty or oversized batch, an unknown user or item"),
        (status = 401, description = "no feed client's key"),
        (status = 403, description = "a key without the feed scope"),
        (status = 429, description = "the caller is over its rate limit: wait a moment")))]
pub(super) async fn events(
    State(state): State<AppState>,
    Who(caller): Who,
    ApiJson(batch): ApiJson<EventBatch>,
) -> Result<Json<EventsReport>, HttpError> {
    let caller = FeedCaller::Client(caller);
    Ok(Json(
        state.services.feed.record_events(&caller, batch).await?,
    ))
}

/// `OriginalUri`: inside `nest`, the plain `Uri` has lost its `/api/v1` prefix.
async fn unknown_route(OriginalUri(uri): OriginalUri) -> HttpError {
    HttpError::not_found(format!("no API route at {}", uri.path()))
}
