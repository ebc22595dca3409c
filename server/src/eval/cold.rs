//! The cold-start protocol: a seeded share of the items leaves with every interaction it has,
//! so that no model sees them in training; the models train on the rest (the warm protocol
//! runs there as usual) and then rank the held-out items, every one of them, for the users
//! who interacted with them.

use super::dataset::{Dataset, Interaction};
use super::source::ProtocolData;
use crate::data::rng::SplitMix64;
use crate::recsys::inputs::ItemSource;

/// The held-out items and who interacted with them.
pub struct ColdItems {
    /// Their SQL ids (for the ceiling) and their content, in held-out order.
    pub item_ids: Vec<i64>,
    pub sources: Vec<ItemSource>,
    /// Per dataset user: positions in `item_ids` the user interacted with.
    pub relevant: Vec<Vec<u32>>,
}

/// Splits `data` into the warm part (users unchanged, the kept items renumbered in order) and
/// the cold items: each item is held out with probability `share`, seeded.
pub fn hold_out(data: &ProtocolData, share: f64, seed: u64) -> (ProtocolData, ColdItems) {
    let items = data.dataset.item_count();
    let mut rng = SplitMix64::new(seed).fork(0xC01D);
    let cold: Vec<bool> = (0..items).map(|_| rng.bernoulli(share)).collect();
    // Each item's index among the warm items, or among the cold ones.
    let mut counts = [0_u32; 2];
    let position: Vec<u32> = cold
        .iter()
        .map(|&is_cold| {
            let count = &mut counts[usize::from(is_cold)];
            *count += 1;
            *count - 1
        })
        .collect();
    let pick =
        |want_cold: bool| -> Vec<usize> { (0..items).filter(|&i| cold[i] == want_cold).collect() };
    let (warm_items, cold_items) = (pick(false), pick(true));

    let mut relevant = vec![Vec::new(); data.dataset.user_count()];
    let mut interactions = Vec::with_capacity(data.dataset.interactions.len());
    for i in &data.dataset.interactions {
        let item = i.item as usize;
        if cold[item] {
            relevant[i.user as usize].push(position[item]);
        } else {
            interactions.push(Interaction {
                item: position[item],
                ..*i
            });
        }
    }
    relevant.iter_mut().for_each(|r| {
        r.sort_unstable();
        r.dedup();
    });
    let count = |list: &[usize], has: fn(&ItemSource) -> bool| {
        list.iter().filter(|&&i| has(&data.items[i])).count()
    };
    let warm = ProtocolData {
        dataset: Dataset {
            users: data.dataset.users.clone(),
            items: warm_items
                .iter()
                .map(|&i| data.dataset.items[i].clone())
                .collect(),
            interactions,
        },
        user_features: data.user_features.clone(),
        items: warm_items.iter().map(|&i| data.items[i].clone()).collect(),
        item_ids: warm_items.iter().map(|&i| data.item_ids[i]).collect(),
        with_text: count(&warm_items, |s| s.text.is_some()),
        with_image: count(&warm_items, |s| s.image.is_some()),
    };
    let cold = ColdItems {
        item_ids: cold_items.iter().map(|&i| data.item_ids[i]).collect(),
        sources: cold_items.iter().map(|&i| data.items[i].clone()).collect(),
        relevant,
    };
    (warm, cold)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> ProtocolData {
        let items = 50;
        let interactions = (0..200)
            .map(|k| Interaction {
                user: k % 10,
                item: (k * 7) % items,
                rating: 1.0,
                timestamp: i64::from(k),
            })
            .collect();
        ProtocolData {
            dataset: Dataset {
                users: (0..10).map(|u| format!("u{u}")).collect(),
                items: (0..items).map(|i| format!("i{i}")).collect(),
                interactions,
            },
            user_features: vec![Vec::new(); 10],
            items: (0..items)
                .map(|i| ItemSource {
                    category: format!("c{}", i % 3),
                    text: Some(vec![i as f32]),
                    image: None,
                })
                .collect(),
            item_ids: (0..i64::from(items)).map(|i| 1000 + i).collect(),
            with_text: items as usize,
            with_image: 0,
        }
    }

    #[test]
    fn held_out_items_leave_with_all_their_interactions_and_nothing_else_moves() {
        let full = data();
        let (warm, cold) = hold_out(&full, 0.2, 2020);
        let total = warm.dataset.item_count() + cold.item_ids.len();
        assert_eq!(total, 50);
        assert!(
            (5..=16).contains(&cold.item_ids.len()),
            "{}",
            cold.item_ids.len()
        );
        let cold_pairs: usize = cold.relevant.iter().map(Vec::len).sum();
        // Every interaction is either warm or a (deduplicated) cold pair.
        assert!(warm.dataset.interactions.len() + cold_pairs <= 200);
        assert!(warm.dataset.interactions.len() < 200 && cold_pairs > 0);
        // Warm items keep their ids and content; cold ones are none of them.
        for (k, &id) in warm.item_ids.iter().enumerate() {
            let original = (id - 1000) as usize;
            assert_eq!(warm.dataset.items[k], format!("i{original}"));
            assert_eq!(warm.items[k].text, Some(vec![original as f32]));
            assert!(!cold.item_ids.contains(&id));
        }
        for i in &warm.dataset.interactions {
            let original = warm.item_ids[i.item as usize] - 1000;
            assert!(
                full.dataset
                    .interactions
                    .iter()
                    .any(|f| f.user == i.user && i64::from(f.item) == original)
            );
        }
        // The same seed holds out the same items.
        assert_eq!(hold_out(&full, 0.2, 2020).1.item_ids, cold.item_ids);
        assert_ne!(hold_out(&full, 0.2, 7).1.item_ids, cold.item_ids);
    }
}
