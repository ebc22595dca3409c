//! The feed before the first index is published. The demo serves from the moment the server
//! is up, while its background job (`vitrine prepare`) encodes and trains: until then every
//! viewer gets the cold-start order (trending and popular interleaved, then the rest of the
//! catalogue) straight from SQL, with no model. The response says so: `fallback` is true and
//! the index and model versions are empty. The list is read once and dropped when an index
//! arrives.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use app::error::ApiError;
use app::wire::{CategoryCount, CategoryList, RecommendRequest, RecommendResponse};

use super::cards::feed_item;
use super::engine::Serving;
use super::feed::{internal, invalid};
use super::snapshot::{counts, ranked};
use crate::db::items::{ItemCard, catalogue_cards};

/// The catalogue's cards in cold-start order.
pub(super) struct CatalogueFeed {
    cards: Vec<ItemCard>,
}

impl CatalogueFeed {
    async fn load(serving: &Serving) -> Result<Self, sea_orm::DbErr> {
        let inference = &serving.settings.inference;
        let mut cards = catalogue_cards(&serving.db, &inference.catalogue).await?;
        let kinds = &inference.feed.history_kinds;
        let all_time = counts(&serving.db, kinds, None).await?;
        let recent = counts(&serving.db, kinds, Some(inference.feed.trending_days)).await?;
        let row_of: HashMap<i64, u32> = cards.iter().zip(0u32..).map(|(c, r)| (c.id, r)).collect();
        let order = interleave(
            &ranked(&row_of, &recent),
            &ranked(&row_of, &all_time),
            cards.len(),
        );
        let mut slots: Vec<Option<ItemCard>> = cards.drain(..).map(Some).collect();
        Ok(Self {
            cards: order
                .into_iter()
                .filter_map(|r| slots.get_mut(r as usize).and_then(Option::take))
                .collect(),
        })
    }
}

/// Trending and popular rows alternately, each once, then every other row in order.
fn interleave(trending: &[u32], popular: &[u32], rows: usize) -> Vec<u32> {
    let mut out = Vec::with_capacity(rows);
    let mut taken = HashSet::with_capacity(rows);
    let (mut t, mut p) = (trending.iter(), popular.iter());
    loop {
        let next = if out.len().is_multiple_of(2) {
            t.next().or_else(|| p.next())
        } else {
            p.next().or_else(|| t.next())
        };
        let Some(&row) = next else { break };
        if taken.insert(row) {
            out.push(row);
        }
    }
    out.extend((0..rows as u32).filter(|r| !taken.contains(r)));
    out
}

impl Serving {
    /// A page of the catalogue feed when no index is loaded; `None` once one is.
    ///
    /// # Errors
    /// `invalid_input` for a bad size, user or cursor; `unavailable` when the catalogue has no
    /// items either.
    pub(super) async fn page_before_index(
        &self,
        request: &RecommendRequest,
    ) -> Result<Option<RecommendResponse>, ApiError> {
        let Err(no_index) = self.snapshot() else {
            return Ok(None);
        };
        let (size, offset) = self.page_of(request)?;
        let catalogue = self.catalogue_feed().await?;
        if catalogue.cards.is_empty() {
            return Err(no_index);
        }
        let category = request.context.category.as_deref();
        let matching: Vec<&ItemCard> = catalogue
            .cards
            .iter()
            .filter(|c| category.is_none_or(|name| c.category == name))
            .collect();
        if matching.is_empty() {
            return Err(invalid(format!(
                "no category `{}` in the catalogue",
                category.unwrap_or_default()
            )));
        }
        let end = (offset + size).min(matching.len());
        let items = matching
            .get(offset.min(end)..end)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, card)| feed_item(card, 1.0 / (offset + i + 1) as f32, None))
            .collect();
        Ok(Some(RecommendResponse {
            user_id: request.user_id.clone(),
            items,
            next_cursor: (end < matching.len()).then(|| format!("o{end}")),
            fallback: true,
            index_version: String::new(),
            model_version: String::new(),
        }))
    }

    /// The catalogue's categories, largest first, when no index is loaded; `None` once one is.
    ///
    /// # Errors
    /// `unavailable` when the catalogue has no items either.
    pub(super) async fn categories_before_index(&self) -> Result<Option<CategoryList>, ApiError> {
        let Err(no_index) = self.snapshot() else {
            return Ok(None);
        };
        let catalogue = self.catalogue_feed().await?;
        if catalogue.cards.is_empty() {
            return Err(no_index);
        }
        let mut counts: HashMap<&str, u64> = HashMap::new();
        for card in &catalogue.cards {
            *counts.entry(card.category.as_str()).or_default() += 1;
        }
        let mut categories: Vec<CategoryCount> = counts
            .into_iter()
            .map(|(name, items)| CategoryCount {
                name: name.to_owned(),
                items,
            })
            .collect();
        categories.sort_by(|a, b| b.items.cmp(&a.items).then_with(|| a.name.cmp(&b.name)));
        Ok(Some(CategoryList {
            catalogue: self.settings.inference.catalogue.clone(),
            categories,
        }))
    }

    /// The catalogue feed, read from SQL on first use.
    async fn catalogue_feed(&self) -> Result<Arc<CatalogueFeed>, ApiError> {
        let mut slot = self.before_index.lock().await;
        if let Some(feed) = slot.as_ref() {
            return Ok(feed.clone());
        }
        let feed = Arc::new(CatalogueFeed::load(self).await.map_err(internal)?);
        *slot = Some(feed.clone());
        Ok(feed)
    }

    /// Forgets the catalogue feed (an index has arrived, or the catalogue changed).
    pub(super) async fn drop_catalogue_feed(&self) {
        *self.before_index.lock().await = None;
    }
}

#[cfg(test)]
mod tests {
    use super::interleave;

    #[test]
    fn trending_and_popular_alternate_once_each_then_the_rest_follow() {
        // Rows 0..6; trending 3, 1; popular 1, 4, 5.
        assert_eq!(interleave(&[3, 1], &[1, 4, 5], 6), vec![3, 1, 4, 5, 0, 2]);
        assert_eq!(interleave(&[], &[], 3), vec![0, 1, 2]);
    }
}
