//! The feed: validate, page a cached ranked list or compute one (user vector, filtered ANN,
//! diversity, sponsored slots), and dress the page with item cards.

use std::collections::HashSet;
use std::sync::Arc;

use app::error::{ApiError, ErrorCode};
use app::wire::{RecommendRequest, RecommendResponse, Sponsorship};
use axum::body::Bytes;

use super::attestation::{Attestor, ImpressionClaims};
use super::cards::cards;
use super::cold_start::cold_start;
use super::engine::{FeedKey, RankedFeed, Serving, UserState};
use super::model_arms::Exposure;
use super::rerank::{Entry, diversify, insert_sponsored};
use super::snapshot::Snapshot;
use super::users;
use crate::recsys::serving::UserQuery;

pub(super) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, message)
}

pub(super) fn internal(error: impl std::fmt::Display) -> ApiError {
    crate::failure::internal("serving", error)
}

/// `k` within `1..=max`, `default` when absent.
pub(super) fn size(
    k: Option<usize>,
    default: usize,
    max: usize,
    name: &str,
) -> Result<usize, ApiError> {
    match k.unwrap_or(default) {
        n @ 1.. if n <= max => Ok(n),
        n => Err(invalid(format!(
            "{name} must be between 1 and {max}, got {n}"
        ))),
    }
}

fn parse_cursor(cursor: Option<&str>) -> Result<usize, ApiError> {
    match cursor {
        None => Ok(0),
        Some(c) => c
            .strip_prefix("o")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| invalid(format!("`{c}` is not a cursor from this API"))),
    }
}

/// The category filter as a snapshot category index; an unknown category is a 400.
pub(super) fn category_filter(
    snapshot: &Snapshot,
    category: Option<&str>,
) -> Result<Option<u32>, ApiError> {
    category
        .map(|c| {
            snapshot
                .categories
                .get(c)
                .copied()
                .ok_or_else(|| invalid(format!("no category `{c}` in the catalogue")))
        })
        .transpose()
}

/// A validated feed request resolved to its ranked feed and the page asked for.
struct FeedPage {
    snapshot: Arc<Snapshot>,
    ranked: Arc<RankedFeed>,
    user_id: String,
    offset: usize,
    size: usize,
}

impl FeedPage {
    /// Where the page ends in the ranked feed.
    fn end(&self) -> usize {
        (self.offset + self.size).min(self.ranked.entries.len())
    }

    fn entries(&self) -> &[Entry] {
        let end = self.end();
        self.ranked
            .entries
            .get(self.offset.min(end)..end)
            .unwrap_or_default()
    }

    /// The page, each sponsored slot with a fresh token for this serving of it.
    fn response(&self, attestor: &Attestor) -> RecommendResponse {
        let end = self.end();
        let model_version = self.snapshot.model_version();
        let served_at = chrono::Utc::now().timestamp();
        let sponsor = |item_id, campaign_id, creative_id| Sponsorship {
            campaign_id,
            creative_id,
            impression_token: attestor.sign(&ImpressionClaims {
                user_id: self.user_id.clone(),
                item_id,
                campaign_id,
                creative_id,
                model_version: model_version.to_owned(),
                served_at,
                // A failed random source leaves a nonce of the time alone: the token still
                // names its slot, and is merely the same as another served that second.
                nonce: Attestor::nonce().unwrap_or_default(),
            }),
        };
        RecommendResponse {
            user_id: self.user_id.clone(),
            items: cards(&self.snapshot, self.entries(), &sponsor),
            next_cursor: (end < self.ranked.entries.len()).then(|| format!("o{end}")),
            fallback: self.ranked.fallback,
            index_version: self.snapshot.index_version.clone(),
            model_version: model_version.to_owned(),
        }
    }
}

impl Serving {
    /// A page of the user's feed.
    pub async fn recommend(
        &self,
        request: RecommendRequest,
    ) -> Result<RecommendResponse, ApiError> {
        if let Some(page) = self.page_before_index(&request).await? {
            return Ok(page);
        }
        Ok(self.feed_page(request).await?.response(&self.attestor))
    }

    /// The same page as [`Self::recommend`], as the JSON bytes of its response. The bytes of
    /// a page without sponsored slots are kept with the ranked feed, so a warm request
    /// serialises nothing; a page with one is serialised afresh, since each serving of a slot
    /// gets its own impression token.
    pub async fn recommend_json(&self, request: RecommendRequest) -> Result<Bytes, ApiError> {
        if let Some(page) = self.page_before_index(&request).await? {
            return Ok(Bytes::from(serde_json::to_vec(&page).map_err(internal)?));
        }
        let page = self.feed_page(request).await?;
        let serialise = |page: &FeedPage| {
            serde_json::to_vec(&page.response(&self.attestor))
                .map(Bytes::from)
                .map_err(internal)
        };
        if page.entries().iter().any(|e| e.sponsored.is_some()) {
            return serialise(&page);
        }
        let at = (page.offset, page.size);
        let mut pages = page.ranked.pages.lock().map_err(internal)?;
        if let Some(body) = pages.get(&at) {
            return Ok(body.clone());
        }
        let body = serialise(&page)?;
        if pages.len() < RankedFeed::PAGE_BODIES {
            pages.insert(at, body.clone());
        }
        Ok(body)
    }

    /// The page a feed request asks for, `(size, offset)`, once its fields are checked.
    ///
    /// # Errors
    /// `invalid_input` for a size out of bounds, an empty user or a foreign cursor.
    pub(super) fn page_of(&self, request: &RecommendRequest) -> Result<(usize, usize), ApiError> {
        let feed = &self.settings.inference.feed;
        let size = size(
            request.num_recommendations,
            feed.default_size,
            feed.max_size,
            "num_recommendations",
        )?;
        if request.user_id.trim().is_empty() {
            return Err(invalid("user_id must not be empty"));
        }
        Ok((size, parse_cursor(request.cursor.as_deref())?))
    }

    async fn feed_page(&self, request: RecommendRequest) -> Result<FeedPage, ApiError> {
        let (size, offset) = self.page_of(&request)?;
        let (snapshot, exposure) = self.snapshot_for(&request.user_id)?;
        let category = category_filter(&snapshot, request.context.category.as_deref())?;
        let text = request
            .context
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        let key = FeedKey {
            user: request.user_id,
            model_version: snapshot.model_version().to_owned(),
            category: request.context.category,
            text,
            exclude_seen: request.exclude_seen.unwrap_or(true),
        };
        let ranked = match self.feeds.get(&key) {
            Some(r) if r.snapshot_version == snapshot.version => r,
            _ => {
                let computed = Arc::new(
                    self.rank(&snapshot, &key, category, size, exposure.as_ref())
                        .await?,
                );
                self.feeds.insert(key.clone(), computed.clone());
                computed
            }
        };
        Ok(FeedPage {
            snapshot,
            ranked,
            user_id: key.user,
            offset,
            size,
        })
    }

    /// The user's vector and seen rows under `snapshot`'s model, cached until their next
    /// events; computing it records their `exposure` to a model experiment.
    async fn user_state(
        &self,
        snapshot: &Snapshot,
        user: &str,
        exposure: Option<&Exposure>,
    ) -> Result<Arc<UserState>, ApiError> {
        if let Some(state) = self.users.get(user)
            && state.model_version == snapshot.model_version()
        {
            return Ok(state);
        }
        let settings = &self.settings;
        let record = users::load(
            &self.db,
            &settings.inference.catalogue,
            user,
            &settings.inference.feed.history_kinds,
            settings.two_tower.max_history,
        )
        .await
        .map_err(|e| crate::failure::database("reading a user's history", e))?;
        if let (Some(exposure), Some(id)) = (exposure, record.id) {
            self.record_exposure(exposure, id).await;
        }
        let rows: Vec<u32> = record
            .history
            .iter()
            .filter_map(|id| snapshot.row_of.get(id).copied())
            .collect();
        let vector = if record.known && !record.history.is_empty() {
            let (text_mean, image_mean) = snapshot.pooled(&rows);
            let query = UserQuery {
                external_id: user.to_owned(),
                tokens: record.tokens.clone(),
                history: record.history.clone(),
                text_mean,
                image_mean,
            };
            Some(snapshot.model.user_vector(query).await.map_err(internal)?)
        } else {
            None
        };
        let seen_rows = record
            .seen
            .iter()
            .filter_map(|id| snapshot.row_of.get(id).copied())
            .collect();
        let state = Arc::new(UserState {
            model_version: snapshot.model_version().to_owned(),
            vector,
            seen_rows,
        });
        self.users.insert(user.to_owned(), state.clone());
        Ok(state)
    }

    async fn rank(
        &self,
        snapshot: &Snapshot,
        key: &FeedKey,
        category: Option<u32>,
        at_least: usize,
        exposure: Option<&Exposure>,
    ) -> Result<RankedFeed, ApiError> {
        let feed = &self.settings.inference.feed;
        let depth = feed.depth.max(at_least);
        let state = self.user_state(snapshot, &key.user, exposure).await?;
        let empty = HashSet::new();
        let seen = if key.exclude_seen {
            &state.seen_rows
        } else {
            &empty
        };
        let keep = |row: u32| {
            snapshot.is_live(row)
                && category.is_none_or(|c| snapshot.category_of[row as usize] == c)
                && !seen.contains(&row)
        };
        let (organic, fallback, query) = match &state.vector {
            Some(vector) => (
                self.search(snapshot, vector, depth, &keep),
                false,
                Some(vector.clone()),
            ),
            None => {
                let text_vector = match &key.text {
                    Some(text) => Some(
                        snapshot
                            .model
                            .text_vector(text.clone(), key.category.clone())
                            .await
                            .map_err(internal)?,
                    ),
                    None => None,
                };
                (
                    cold_start(
                        snapshot,
                        text_vector.as_deref(),
                        depth,
                        &keep,
                        |v, k, keep| self.search(snapshot, v, k, keep),
                    ),
                    true,
                    text_vector,
                )
            }
        };
        let organic = diversify(
            organic,
            &snapshot.category_of,
            feed.max_per_category,
            feed.diversity_window,
        );
        let promoted = self.promoted(snapshot, query.as_deref(), &keep);
        Ok(RankedFeed::new(
            insert_sponsored(organic, promoted, &feed.sponsored_slots),
            fallback,
            snapshot.version,
        ))
    }

    /// ANN top-`k` under `keep`. When the probed lists come back short (a narrow category, a
    /// small catalogue whose few probed lists hold less than a feed, or a user who has seen
    /// most of them) the search is retried over every list, so the feed still fills.
    pub(super) fn search(
        &self,
        snapshot: &Snapshot,
        query: &[f32],
        k: usize,
        keep: &dyn Fn(u32) -> bool,
    ) -> Vec<Entry> {
        let run = |probes| {
            snapshot
                .ann
                .search(query, k, probes, &|row| keep(row as u32))
                .into_iter()
                .map(|h| Entry {
                    row: h.id as u32,
                    score: h.score,
                    sponsored: None,
                })
                .collect::<Vec<_>>()
        };
        let hits = run(snapshot.probes);
        if hits.len() < k.min(snapshot.len()) / 2 {
            return run(snapshot.ann.lists());
        }
        hits
    }

    /// The promoted items that pass `keep`, scored against the query (popularity order for a
    /// cold start without text).
    fn promoted(
        &self,
        snapshot: &Snapshot,
        query: Option<&[f32]>,
        keep: &dyn Fn(u32) -> bool,
    ) -> Vec<Entry> {
        let promotions = self
            .promotions
            .read()
            .map(|p| p.clone())
            .unwrap_or_default();
        promotions
            .iter()
            .filter_map(|p| {
                let row = *snapshot.row_of.get(&p.item_id)?;
                keep(row).then(|| Entry {
                    row,
                    score: query.map_or(0.0, |q| ann::dot(q, snapshot.vector(row))),
                    sponsored: Some((p.campaign_id, p.creative_id)),
                })
            })
            .collect()
    }
}
