//! "More like this": an item's own vector, free text through the text encoder, or a picture
//! through the image encoder, each into the content tower's one space, then the same ANN.

use app::error::{ApiError, ErrorCode};
use app::wire::{CategoryCount, CategoryList, SimilarRequest, SimilarResponse};

use super::cards::{cards, unsponsored};
use super::engine::Serving;
use super::feed::{category_filter, internal, invalid, size};
use super::snapshot::Snapshot;
use super::workers::WorkerError;

/// Largest picture accepted for a query.
pub const MAX_PICTURE_BYTES: usize = 8 * 1024 * 1024;

fn worker_error(error: WorkerError) -> ApiError {
    match error {
        WorkerError::Picture(_) | WorkerError::Query(_) => invalid(error.to_string()),
        other => internal(other),
    }
}

impl Serving {
    pub async fn similar(&self, request: SimilarRequest) -> Result<SimilarResponse, ApiError> {
        let k = self.similar_size(request.k)?;
        let snapshot = self.snapshot()?;
        let category = category_filter(&snapshot, request.category.as_deref())?;
        let text = request.text.as_deref().map(str::trim);
        match (request.item_id, text) {
            (Some(item), None) => {
                let row = *snapshot.row_of.get(&item).ok_or_else(|| {
                    ApiError::new(ErrorCode::NotFound, format!("no item {item} in the index"))
                })?;
                let query = snapshot.vector(row).to_vec();
                Ok(self.answer(&snapshot, "item", &query, k, category, Some(row)))
            }
            (None, Some(text)) if !text.is_empty() => {
                let query = snapshot
                    .model
                    .text_vector(text.to_owned(), request.category.clone())
                    .await
                    .map_err(worker_error)?;
                Ok(self.answer(&snapshot, "text", &query, k, category, None))
            }
            (None, Some(_)) => Err(invalid("text must not be empty")),
            _ => Err(invalid(
                "give exactly one of item_id and text (or upload a picture)",
            )),
        }
    }

    pub async fn similar_to_picture(
        &self,
        picture: Vec<u8>,
        k: Option<usize>,
        category: Option<String>,
    ) -> Result<SimilarResponse, ApiError> {
        let k = self.similar_size(k)?;
        if picture.is_empty() {
            return Err(invalid("the upload is empty"));
        }
        let snapshot = self.snapshot()?;
        let category_name = category.clone();
        let category = category_filter(&snapshot, category.as_deref())?;
        let query = snapshot
            .model
            .picture_vector(picture, category_name)
            .await
            .map_err(worker_error)?;
        Ok(self.answer(&snapshot, "image", &query, k, category, None))
    }

    fn similar_size(&self, k: Option<usize>) -> Result<usize, ApiError> {
        let feed = &self.settings.inference.feed;
        size(k, feed.default_size, feed.max_size, "k")
    }

    fn answer(
        &self,
        snapshot: &Snapshot,
        kind: &str,
        query: &[f32],
        k: usize,
        category: Option<u32>,
        exclude: Option<u32>,
    ) -> SimilarResponse {
        let keep = |row: u32| {
            Some(row) != exclude
                && snapshot.is_live(row)
                && category.is_none_or(|c| snapshot.category_of[row as usize] == c)
        };
        let hits = self.search(snapshot, query, k, &keep);
        let source = exclude.map(|row| super::rerank::Entry {
            row,
            score: 1.0,
            sponsored: None,
        });
        SimilarResponse {
            query: kind.to_owned(),
            source: cards(snapshot, source.as_slice(), &unsponsored).pop(),
            items: cards(snapshot, &hits, &unsponsored),
            index_version: snapshot.index_version.clone(),
        }
    }
}

impl Serving {
    /// The served snapshot's categories, largest first (ties by name).
    ///
    /// # Errors
    /// `unavailable` before an index is loaded.
    pub async fn categories(&self) -> Result<CategoryList, ApiError> {
        if let Some(before) = self.categories_before_index().await? {
            return Ok(before);
        }
        let snapshot = self.snapshot()?;
        let mut counts = vec![0_u64; snapshot.categories.len()];
        for (row, &c) in snapshot.category_of.iter().enumerate() {
            if snapshot.is_live(row as u32)
                && let Some(n) = counts.get_mut(c as usize)
            {
                *n += 1;
            }
        }
        let mut categories: Vec<CategoryCount> = snapshot
            .categories
            .iter()
            .map(|(name, &c)| CategoryCount {
                name: name.clone(),
                items: counts.get(c as usize).copied().unwrap_or(0),
            })
            .filter(|c| c.items > 0)
            .collect();
        categories.sort_by(|a, b| b.items.cmp(&a.items).then_with(|| a.name.cmp(&b.name)));
        Ok(CategoryList {
            catalogue: self.settings.inference.catalogue.clone(),
            categories,
        })
    }
}
