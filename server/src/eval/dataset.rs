//! Ratings to the evaluation dataset: keep ratings at or above a threshold as implicit
//! positives, then drop users and items with fewer than `k` interactions, again and again
//! until nothing changes (a k-core).

use std::collections::HashMap;

/// One positive interaction, with dense indices into [`Dataset::users`] and [`Dataset::items`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interaction {
    pub user: u32,
    pub item: u32,
    pub rating: f32,
    pub timestamp: i64,
}

/// Positives over dense indices; `users[i]` and `items[j]` keep the source's external ids.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    pub users: Vec<String>,
    pub items: Vec<String>,
    pub interactions: Vec<Interaction>,
}

/// A source rating, by external ids.
#[derive(Clone, Debug)]
pub struct RawRating<'a> {
    pub user: &'a str,
    pub item: &'a str,
    pub rating: f64,
    pub timestamp: i64,
}

impl Dataset {
    /// Keeps `rating >= min_rating`, then applies the `k`-core filter. Users and items are
    /// numbered in order of first appearance in `ratings`, so the result is deterministic.
    pub fn implicit_k_core(ratings: &[RawRating<'_>], min_rating: f64, k: usize) -> Self {
        let mut kept: Vec<&RawRating<'_>> =
            ratings.iter().filter(|r| r.rating >= min_rating).collect();
        loop {
            let mut user_count: HashMap<&str, usize> = HashMap::new();
            let mut item_count: HashMap<&str, usize> = HashMap::new();
            for r in &kept {
                *user_count.entry(r.user).or_default() += 1;
                *item_count.entry(r.item).or_default() += 1;
            }
            let before = kept.len();
            kept.retain(|r| user_count[r.user] >= k && item_count[r.item] >= k);
            if kept.len() == before {
                break;
            }
        }
        let mut users = Index::default();
        let mut items = Index::default();
        let interactions = kept
            .iter()
            .map(|r| Interaction {
                user: users.get(r.user),
                item: items.get(r.item),
                rating: r.rating as f32,
                timestamp: r.timestamp,
            })
            .collect();
        Self {
            users: users.names,
            items: items.names,
            interactions,
        }
    }

    pub fn user_count(&self) -> usize {
        self.users.len()
    }

    pub fn item_count(&self) -> usize {
        self.items.len()
    }
}

#[derive(Default)]
struct Index<'a> {
    ids: HashMap<&'a str, u32>,
    names: Vec<String>,
}

impl<'a> Index<'a> {
    fn get(&mut self, name: &'a str) -> u32 {
        let next = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        *self.ids.entry(name).or_insert_with(|| {
            self.names.push(name.to_owned());
            next
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rating<'a>(user: &'a str, item: &'a str, rating: f64) -> RawRating<'a> {
        RawRating {
            user,
            item,
            rating,
            timestamp: 0,
        }
    }

    #[test]
    fn the_core_is_iterated_until_stable() {
        // Pass 1 drops u3 (one positive); pass 2 then drops u2-i3 (i3 has one left); pass 3
        // drops u2-i2 (u2 has one left). Only the u1/u4 x i1/i2 square survives at k = 2.
        let ratings = [
            rating("u1", "i1", 5.0),
            rating("u1", "i2", 4.0),
            rating("u4", "i1", 3.0),
            rating("u4", "i2", 3.0),
            rating("u2", "i3", 4.0),
            rating("u2", "i1", 2.0), // below the threshold
            rating("u3", "i3", 5.0),
            rating("u2", "i2", 5.0),
        ];
        let data = Dataset::implicit_k_core(&ratings, 3.0, 2);
        assert_eq!(data.users, vec!["u1", "u4"]);
        assert_eq!(data.items, vec!["i1", "i2"]);
        assert_eq!(data.interactions.len(), 4);
    }
}
