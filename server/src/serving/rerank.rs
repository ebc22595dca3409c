//! The rerank hook: what happens to a ranked list between retrieval and the response.
//! Pure functions over rows and categories, so they are tested without a model.

/// One ranked entry: a snapshot row, its score, and its sponsorship if promoted.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub row: u32,
    pub score: f32,
    pub sponsored: Option<(i32, i32)>,
}

/// Category diversity: walks the list in order and takes the best entry that keeps at most
/// `max_per_category` of one category in any `window` consecutive positions; when none fits,
/// the best remaining goes next (a feed never comes up short because of diversity).
pub fn diversify(
    entries: Vec<Entry>,
    category_of: &[u32],
    max_per_category: usize,
    window: usize,
) -> Vec<Entry> {
    if max_per_category == 0 || window == 0 {
        return entries;
    }
    // A deque: picks come from near the front, so taking one moves at most `lookahead` items.
    let mut pending: std::collections::VecDeque<Entry> = entries.into();
    let mut out: Vec<Entry> = Vec::with_capacity(pending.len());
    // Look ahead a bounded distance, so a long list costs O(n * lookahead).
    let lookahead = window * 8;
    while !pending.is_empty() {
        let recent = &out[out.len().saturating_sub(window - 1)..];
        let fits = |e: &Entry| {
            let c = category_of[e.row as usize];
            recent
                .iter()
                .filter(|r| category_of[r.row as usize] == c)
                .count()
                < max_per_category
        };
        let pick = pending.iter().take(lookahead).position(fits).unwrap_or(0);
        if let Some(entry) = pending.remove(pick) {
            out.push(entry);
        }
    }
    out
}

/// Puts promoted entries at `slots` (zero-based positions), best-scoring promotion first. A
/// promoted item that is also in the organic list moves to its sponsored slot, so no item
/// appears twice. Slots past the end of the list are left out.
pub fn insert_sponsored(
    entries: Vec<Entry>,
    mut promoted: Vec<Entry>,
    slots: &[usize],
) -> Vec<Entry> {
    promoted.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut slots: Vec<usize> = slots.to_vec();
    slots.sort_unstable();
    slots.dedup();
    let placed: Vec<(usize, Entry)> = slots.into_iter().zip(promoted).collect();
    let mut organic: Vec<Entry> = entries
        .into_iter()
        .filter(|e| !placed.iter().any(|(_, p)| p.row == e.row))
        .collect();
    for (slot, entry) in placed {
        if slot <= organic.len() {
            organic.insert(slot, entry);
        }
    }
    organic
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(row: u32) -> Entry {
        Entry {
            row,
            score: 1.0 - row as f32 / 100.0,
            sponsored: None,
        }
    }

    #[test]
    fn diversity_caps_a_category_per_window_and_keeps_everything() {
        // Rows 0..6 are category 0, rows 6..9 category 1.
        let category_of = [0, 0, 0, 0, 0, 0, 1, 1, 1];
        let out = diversify((0..9).map(entry).collect(), &category_of, 2, 3);
        let rows: Vec<u32> = out.iter().map(|e| e.row).collect();
        assert_eq!(rows, vec![0, 1, 6, 2, 3, 7, 4, 5, 8]);
        for w in rows.windows(3) {
            let zeros = w.iter().filter(|r| category_of[**r as usize] == 0).count();
            assert!(zeros <= 2, "window {w:?}");
        }
        // Nothing to interleave with: the order stays.
        let same = diversify((0..4).map(entry).collect(), &[0, 0, 0, 0], 1, 2);
        assert_eq!(
            same.iter().map(|e| e.row).collect::<Vec<_>>(),
            vec![0, 1, 2, 3]
        );
    }

    #[test]
    fn sponsored_entries_take_their_slots_best_first_without_duplicates() {
        let organic: Vec<Entry> = (0..5).map(entry).collect();
        let promo = |row, score| Entry {
            row,
            score,
            sponsored: Some((1, row as i32)),
        };
        let out = insert_sponsored(
            organic,
            vec![promo(20, 0.1), promo(21, 0.9), promo(3, 1.0)],
            &[4, 1, 99],
        );
        let rows: Vec<u32> = out.iter().map(|e| e.row).collect();
        // Row 3 outranks the others and moves from its organic place to the first slot; 21
        // takes the second; slot 99 is past the end, so 20 is not shown.
        assert_eq!(rows, vec![0, 3, 1, 2, 21, 4]);
        assert!(out[1].sponsored.is_some() && out[4].sponsored.is_some());
        assert_eq!(out.iter().filter(|e| e.row == 3).count(), 1);
    }
}
